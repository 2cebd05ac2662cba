"""Inputs that would make a per-finding cost grow with the size of the file: many
findings on one long line, or in one statement that spans many lines."""

from __future__ import annotations

from tmpguard.engine import scan_source


def test_many_findings_on_long_non_ascii_line():
    prefix = "from tempfile import mktemp as m\nx = ['é€𝄞', "
    line = "x = ['é€𝄞', " + "m, " * 5000 + "]"
    source = prefix.split("\n")[0] + "\n" + line + "\n"

    findings = scan_source(source.encode("utf-8"), "long.py").findings

    expected = [len("x = ['é€𝄞', ") + 1 + 3 * index for index in range(5000)]
    assert [finding.start_column for finding in findings] == expected
    assert {finding.start_line for finding in findings} == {2}


def test_long_line_snippet_is_window_around_finding():
    line = "value = [" + "0, " * 10_000 + "]; path = tempfile.mktemp()"
    source = f"import tempfile\n{line}\n"

    [finding] = scan_source(source.encode("utf-8"), "long.py").findings

    assert finding.start_column == line.index("tempfile.mktemp") + 1
    assert finding.snippet == line[-400:]


def test_long_line_snippet_keeps_context_before_finding():
    line = "path = [" + "0, " * 50 + "tempfile.mktemp()" + ", 0" * 10_000 + "]"
    source = f"import tempfile\n{line}\n"

    [finding] = scan_source(source.encode("utf-8"), "long.py").findings

    start = finding.start_column - 1
    assert finding.snippet == line[start - 100 : start + 300]


def test_identical_long_lines_share_fingerprint_key():
    line = "path = tempfile.mktemp(); other = tempfile.mktemp()"
    source = f"import tempfile\n{line}\n{line}\n"

    findings = scan_source(source.encode("utf-8"), "twice.py").findings

    keys = [finding.fingerprint.rsplit(":", 1) for finding in findings]
    assert len({key for key, _ in keys}) == 1
    assert [count for _, count in keys] == ["1", "2", "3", "4"]


def test_long_statement_suppressed_by_first_applying_marker():
    items = "".join(f"    m,  # nosec B101\n" if index == 2 else "    m,\n" for index in range(3000))
    source = f"from tempfile import mktemp as m\nvalues = [\n{items}]  # noqa: S306\n"

    findings = scan_source(source.encode("utf-8"), "statement.py").findings

    assert len(findings) == 3000
    assert all(finding.suppressed for finding in findings)
    assert {finding.suppression.line for finding in findings} == {3003}


def test_other_rule_markers_not_suppressing():
    items = "".join("    m,  # nosec B101\n" for _ in range(3000))
    source = f"from tempfile import mktemp as m\nvalues = [\n{items}]\n"

    findings = scan_source(source.encode("utf-8"), "statement.py").findings

    assert len(findings) == 3000
    assert not any(finding.suppressed for finding in findings)
