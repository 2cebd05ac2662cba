"""The github, gitlab and junit formats, checked against what each consumer reads."""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from conftest import run_tmpguard
from tmpguard.findings import FileResult, Finding, ScanResult, ScanStatus, Suppression
from tmpguard.report import github, render

CALL = "import tempfile\n\npath = tempfile.mktemp()\n"
# GitHub's workflow command grammar: ::name key=value,key=value::message
COMMAND = re.compile(r"^::(?P<name>error|warning|notice) (?P<properties>[^:]*)::(?P<message>.*)$")


def unescape(text: str) -> str:
    for escaped, character in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(escaped, character)
    return text


def parse_command(line: str) -> tuple[str, dict[str, str], str]:
    match = COMMAND.match(line)
    assert match, line
    properties = dict(item.split("=", 1) for item in match["properties"].split(","))
    return match["name"], {key: unescape(value) for key, value in properties.items()}, unescape(match["message"])


def scan(project: Path, report_format: str, *paths: str) -> tuple[int, str]:
    completed = run_tmpguard("scan", *(paths or (".",)), "--isolated", "--format", report_format, cwd=project)
    return completed.returncode, completed.stdout


def finding(message: str, path: str) -> Finding:
    return Finding(
        rule_id="VNX-PY-018", path=path, message=message, severity="medium", start_line=7, start_column=3,
        end_line=7, end_column=18, snippet="x", fingerprint="ab:1",
    )


def test_github_escape_data():
    assert github.escape_data("100% done\r\nnext: a,b") == "100%25 done%0D%0Anext: a,b"


def test_github_escape_property():
    assert github.escape_property("dir,1/a:b%\n.py") == "dir%2C1/a%3Ab%25%0A.py"


def test_github_annotation_escapes_properties_and_message():
    line = github.annotation(finding("50% of\nnames, here: racy", "odd,dir/a:b.py"))
    assert line == (
        "::warning file=odd%2Cdir/a%3Ab.py,line=7,col=3,endLine=7,endColumn=18,"
        "title=VNX-PY-018 Insecure temporary file creation via tempfile.mktemp()"
        "::50%25 of%0Anames, here: racy"
    )


def test_github_annotations_from_scan(tmp_path):
    (tmp_path / "we,ird:name.py").write_text(CALL, encoding="utf-8")
    (tmp_path / "nested").mkdir()
    (tmp_path / "nested" / "b.py").write_text("import tempfile\nx = [tempfile.mktemp(\n)]\n", encoding="utf-8")
    code, output = scan(tmp_path, "github")
    assert code == 1

    commands = [parse_command(line) for line in output.splitlines()]
    assert [(name, properties) for name, properties, _ in commands] == [
        ("warning", {"file": "nested/b.py", "line": "2", "col": "6", "endLine": "2", "endColumn": "21",
                     "title": "VNX-PY-018 Insecure temporary file creation via tempfile.mktemp()"}),
        ("warning", {"file": "we,ird:name.py", "line": "3", "col": "8", "endLine": "3", "endColumn": "23",
                     "title": "VNX-PY-018 Insecure temporary file creation via tempfile.mktemp()"}),
    ]
    assert all(message.startswith("`tempfile.mktemp` returns a name") for _, _, message in commands)


def test_github_reports_unscanned_and_fallback_files(tmp_path):
    os.mkfifo(tmp_path / "pipe.py")
    (tmp_path / "old.py").write_text("print 'python 2'  # no tempfile.mktemp here\n", encoding="utf-8")
    code, output = scan(tmp_path, "github")
    assert code == 3
    commands = [parse_command(line) for line in output.splitlines()]
    assert commands[0][:2] == ("notice", {"file": "old.py", "title": "tmpguard"})
    assert commands[0][2].startswith("scanned by the fallback scanner: syntax error on line 1")
    assert commands[1] == ("error", {"file": "pipe.py", "title": "tmpguard"}, "not scanned: a FIFO, not a regular file")


def test_github_no_findings_prints_nothing(tmp_path):
    (tmp_path / "a.py").write_text("import os\n", encoding="utf-8")
    assert scan(tmp_path, "github") == (0, "")


def test_gitlab_code_quality_fields(tmp_path):
    (tmp_path / "src").mkdir()
    source = CALL + "other = tempfile.mktemp()\nskip = tempfile.mktemp()  # nosec\n"
    (tmp_path / "src" / "app.py").write_text(source, encoding="utf-8")
    code, output = scan(tmp_path, "gitlab")
    assert code == 1

    issues = json.loads(output)
    assert isinstance(issues, list)
    assert [(issue["location"]["path"], issue["location"]["lines"]["begin"]) for issue in issues] == [
        ("src/app.py", 3), ("src/app.py", 4),
    ]
    for issue in issues:
        assert issue["type"] == "issue"
        assert issue["check_name"] == "VNX-PY-018"
        assert issue["description"].startswith("`tempfile.mktemp` returns a name")
        assert issue["severity"] in {"info", "minor", "major", "critical", "blocker"}
        assert issue["severity"] == "major"
        assert re.fullmatch(r"[0-9a-f]{32}", issue["fingerprint"])
    assert len({issue["fingerprint"] for issue in issues}) == 2


def test_gitlab_fingerprint_survives_edits_above(tmp_path):
    (tmp_path / "app.py").write_text(CALL, encoding="utf-8")
    _, before = scan(tmp_path, "gitlab")
    (tmp_path / "app.py").write_text("# a new header comment\n\n" + CALL, encoding="utf-8")
    _, after = scan(tmp_path, "gitlab")
    assert json.loads(after)[0]["location"]["lines"]["begin"] == 5
    assert json.loads(after)[0]["fingerprint"] == json.loads(before)[0]["fingerprint"]


def test_gitlab_no_findings_is_empty_array(tmp_path):
    (tmp_path / "a.py").write_text("import os\n", encoding="utf-8")
    code, output = scan(tmp_path, "gitlab")
    assert code == 0
    assert json.loads(output) == []


def test_gitlab_lists_unscanned_files(tmp_path):
    os.mkfifo(tmp_path / "pipe.py")
    code, output = scan(tmp_path, "gitlab")
    assert code == 3

    [issue] = json.loads(output)
    assert issue["check_name"] == "tmpguard/not-scanned"
    assert issue["description"] == "tmpguard could not scan this file: a FIFO, not a regular file"
    assert issue["severity"] == "info"
    assert issue["location"] == {"path": "pipe.py", "lines": {"begin": 1}}
    assert re.fullmatch(r"[0-9a-f]{32}", issue["fingerprint"])


def test_junit_one_testcase_per_finding(tmp_path):
    source = 'import tempfile\n\nweird = tempfile.mktemp(suffix="<&>\\"\x1b\x0c")\nplain = tempfile.mktemp()\n'
    (tmp_path / "a&b.py").write_text(source, encoding="utf-8")
    code, output = scan(tmp_path, "junit")
    assert code == 1

    root = ElementTree.fromstring(output.encode("utf-8"))
    assert root.tag == "testsuites"
    [suite] = root.findall("testsuite")
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("2", "2", "0")

    cases = suite.findall("testcase")
    assert [(case.get("classname"), case.get("name"), case.get("line")) for case in cases] == [
        ("a&b.py", "VNX-PY-018 at line 3, column 9", "3"),
        ("a&b.py", "VNX-PY-018 at line 4, column 9", "4"),
    ]
    failure = cases[0].find("failure")
    assert failure.get("type") == "VNX-PY-018"
    assert failure.get("message").startswith("`tempfile.mktemp` returns a name")
    assert 'weird = tempfile.mktemp(suffix="<&>\\"\\x1b\\x0c")' in failure.text
    assert failure.text.startswith("a&b.py:3:9: VNX-PY-018 ")


def test_junit_unscanned_file_is_error(tmp_path):
    os.mkfifo(tmp_path / "pipe.py")
    code, output = scan(tmp_path, "junit")
    assert code == 3
    suite = ElementTree.fromstring(output).find("testsuite")
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("1", "0", "1")
    error = suite.find("testcase/error")
    assert error.get("message") == "a FIFO, not a regular file"


def test_junit_no_findings(tmp_path):
    (tmp_path / "a.py").write_text("import os\n", encoding="utf-8")
    code, output = scan(tmp_path, "junit")
    assert code == 0
    suite = ElementTree.fromstring(output).find("testsuite")
    assert suite.get("tests") == "0"
    assert suite.findall("testcase") == []


@pytest.mark.parametrize("report_format", ["github", "gitlab", "junit"])
def test_report_leaves_out_suppressed(report_format):
    suppressed = Finding(
        rule_id="VNX-PY-018", path="a.py", message="m", severity="medium", start_line=1, start_column=1,
        end_line=1, end_column=2, snippet="x", fingerprint="ab:1",
        suppression=Suppression("inSource", 1, "# nosec"),
    )
    output = render(ScanResult([FileResult("a.py", ScanStatus.ANALYSED, [suppressed])]), report_format)
    assert "a.py" not in output
