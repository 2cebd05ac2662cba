"""Property-based tests: generated and mutated sources never crash the scanner, and
text that cannot name the function (comments, string literals, blank lines) never
adds a finding or changes a fingerprint.

The example count comes from the Hypothesis profiles in conftest.py: 200 by default,
`--hypothesis-profile=thorough` for a longer search.
"""

from __future__ import annotations

import re

from hypothesis import assume, given
from hypothesis import strategies as st

from tmpguard.engine import scan_source
from tmpguard.findings import ScanStatus


# Fragments around the names the rule looks for, plus the brackets, quotes, comment
# and line-break characters that decide what is code.
FRAGMENTS = [
    "tempfile", "mktemp", "tempfile.mktemp", "import tempfile", "from tempfile import mktemp",
    "from tempfile import *", " as ", "t", "m", ".", ",", "=", ":", "(", ")", "[", "]", "{", "}",
    "getattr", "__import__", "'mktemp'", '"tempfile"', "lambda", "def ", "class ", "return ",
    "if x:", "    ", "\t", "\n", "\r\n", "\r", "\\\n", "#", "# nosec", "# noqa: S306", "'", '"',
    '"""', "'''", "f'{", "}'", "b'", "r'", "\\", "é", "ｍｋｔｅｍｐ", "\ufeff", "\x00", "\x1b[2J",
    "\u202e", "print 'x'", "async ", "await ", "match x:", "case _:", "*", "@", "0", "1.5",
]

# Whole statements, flagged and not, that the mutations below are inserted between.
STATEMENTS = [
    "import tempfile",
    "import tempfile as t",
    "from tempfile import mktemp",
    "from tempfile import mktemp as m",
    "x = tempfile.mktemp()",
    "y = t.mktemp(suffix='.txt')",
    "z = mktemp()",
    "w = m",
    "f = getattr(tempfile, 'mktemp')",
    "g = __import__('tempfile').mktemp",
    "def mktemp():\n    return 1",
    "tempfile = object()",
    "class C:\n    attribute = tempfile.mktemp",
    "values = [tempfile.mktemp for _ in range(3)]",
    "call = (\n    tempfile\n    .mktemp()\n)",
    "text = 'tempfile.mktemp()'",
    "handler = lambda: m()",
    "if flag:\n    tempfile.mktemp()\nelse:\n    pass",
    "async def run():\n    await work(mktemp)",
    "path = tempfile.mktemp()  # nosec",
    "print 'python 2'",
    "tempfile.mktemp = None",
]

statement_lists = st.lists(st.sampled_from(STATEMENTS), min_size=1, max_size=12)
free_text = st.lists(
    st.sampled_from(list("abc tempfilmkp.()[]{}'\"#\\:=é\t") + ["mktemp", "tempfile.mktemp()", "nosec"]),
    max_size=20,
).map("".join)
_COOKIE = re.compile(r"coding[:=]")


def findings_of(source: str):
    return scan_source(source.encode("utf-8", "surrogatepass"), "generated.py").findings


def active(findings) -> list:
    return [finding for finding in findings if not finding.suppressed]


@given(st.lists(st.sampled_from(FRAGMENTS), max_size=60))
def test_fragment_soup_never_raises(fragments):
    source = "".join(fragments)

    result = scan_source(source.encode("utf-8", "surrogatepass"), "soup.py")

    assert result.status is not ScanStatus.NOT_SCANNED
    line_count = len(re.split(r"\r\n|\r|\n", source))
    for finding in result.findings:
        assert 1 <= finding.start_line <= finding.end_line <= line_count
        assert finding.start_column >= 1


@given(st.binary(max_size=300))
def test_arbitrary_bytes_never_raise(data):
    result = scan_source(b"import tempfile\n" + data + b"\ntempfile.mktemp()\n", "bytes.py")

    assert result.status is not ScanStatus.NOT_SCANNED


@given(statement_lists, st.data())
def test_mutated_statements_never_raise(statements, data):
    source = "\n".join(statements) + "\n"
    position = data.draw(st.integers(0, len(source)))
    fragment = data.draw(st.sampled_from(FRAGMENTS))
    mutated = source[:position] + fragment + source[position:]

    result = scan_source(mutated.encode("utf-8", "surrogatepass"), "mutated.py")

    assert result.status is not ScanStatus.NOT_SCANNED


@given(statement_lists, st.data(), free_text)
def test_comment_never_adds_finding(statements, data, text):
    assume(not _COOKIE.search(text))
    index = data.draw(st.integers(0, len(statements)))
    inline = data.draw(st.booleans())
    commented = list(statements)
    if inline and index < len(statements) and "\n" not in statements[index]:
        commented[index] = f"{statements[index]}  # {text}"
    else:
        commented.insert(index, f"# {text}")

    before = active(findings_of("\n".join(statements) + "\n"))
    after = active(findings_of("\n".join(commented) + "\n"))

    assert len(after) <= len(before)
    if not inline:
        # A comment on its own line leaves every other line's text, and so every
        # fingerprint, unchanged.
        assert {finding.fingerprint for finding in after} <= {finding.fingerprint for finding in before}


@given(statement_lists, st.data(), free_text)
def test_string_statement_never_adds_finding(statements, data, text):
    index = data.draw(st.integers(0, len(statements)))
    with_string = list(statements)
    with_string.insert(index, repr(text))

    before = active(findings_of("\n".join(statements) + "\n"))
    after = active(findings_of("\n".join(with_string) + "\n"))

    assert len(after) <= len(before)


@given(statement_lists, st.data())
def test_blank_lines_keep_fingerprints(statements, data):
    index = data.draw(st.integers(0, len(statements)))
    blank_count = data.draw(st.integers(1, 5))
    spaced = statements[:index] + [""] * blank_count + statements[index:]

    before = findings_of("\n".join(statements) + "\n")
    after = findings_of("\n".join(spaced) + "\n")

    assert sorted(finding.fingerprint for finding in after) == sorted(finding.fingerprint for finding in before)
