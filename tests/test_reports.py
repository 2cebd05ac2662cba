"""The text, JSON and SARIF reports of real scans, and finding fingerprints.

Each scan runs the command line in-process inside a temporary tree, so report
paths are relative to that tree.
"""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys

import jsonschema
import pytest

from conftest import scan_text
from tmpguard import __version__
from tmpguard.cli import main

FINDINGS = "import tempfile\n\nx = tempfile.mktemp()\ny = tempfile.mktemp()  # nosec\n"
CLEAN = "import tempfile\n\nfd, path = tempfile.mkstemp()\n"
PYTHON2 = 'import tempfile\nprint "x"\ntempfile.mktemp()\n'

SCANS = {
    "clean": {"clean.py": CLEAN},
    "findings": {"pkg/sub/a.py": FINDINGS, "clean.py": CLEAN},
    "suppressed": {"a.py": "import tempfile\nx = tempfile.mktemp()  # noqa: S306\n"},
    "fallback": {"old.py": PYTHON2},
    "not-scanned": {"clean.py": CLEAN, "pipe.py": None},
}


def make_tree(root, files: dict[str, str | None]) -> None:
    """Write `files` under `root`; a None content makes a FIFO."""
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if content is None:
            os.mkfifo(path)
        else:
            path.write_text(content, encoding="utf-8")


@pytest.fixture
def scan(tmp_path, monkeypatch, capsys):
    """Return a function that scans one of SCANS and returns (exit code, report text)."""
    monkeypatch.chdir(tmp_path)

    def run(name: str, *options: str) -> tuple[int, str]:
        make_tree(tmp_path, SCANS[name])
        code = main(["scan", ".", *options])
        return code, capsys.readouterr().out

    return run


def sarif_run(scan, name: str, sarif_schema) -> dict:
    code, output = scan(name, "--format", "sarif")
    report = json.loads(output)
    jsonschema.validate(report, sarif_schema)
    return report["runs"][0]


# SARIF


@pytest.mark.parametrize("name", sorted(SCANS))
def test_sarif_valid(name, scan, sarif_schema):
    run = sarif_run(scan, name, sarif_schema)

    assert run["columnKind"] == "unicodeCodePoints"


def test_sarif_source_root(scan, sarif_schema, tmp_path):
    run = sarif_run(scan, "findings", sarif_schema)
    location = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]

    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": tmp_path.as_uri() + "/"}}
    assert location == {"uri": "pkg/sub/a.py", "uriBaseId": "%SRCROOT%"}


def test_sarif_path_outside_working_folder(tmp_path, monkeypatch, capsys, sarif_schema):
    make_tree(tmp_path / "tree", SCANS["suppressed"])
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    main(["scan", str(tmp_path / "tree"), "--format", "sarif"])
    report = json.loads(capsys.readouterr().out)
    location = report["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]

    jsonschema.validate(report, sarif_schema)
    assert report["runs"][0]["originalUriBaseIds"] == {"%SRCROOT%": {"uri": (tmp_path / "tree").as_uri() + "/"}}
    assert location == {"uri": "a.py", "uriBaseId": "%SRCROOT%"}


def test_json_path_outside_working_folder(tmp_path, monkeypatch, capsys):
    make_tree(tmp_path / "tree", SCANS["suppressed"])
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    main(["scan", str(tmp_path / "tree"), "--format", "json"])
    report = json.loads(capsys.readouterr().out)

    assert report["source_root"] == (tmp_path / "tree").as_uri() + "/"
    assert [finding["artifact_uri"] for finding in report["findings"]] == ["a.py"]


def test_sarif_result(scan, sarif_schema):
    result = sarif_run(scan, "findings", sarif_schema)["results"][0]

    assert result["ruleId"] == "VNX-PY-018"
    assert result["ruleIndex"] == 0
    assert result["level"] == "warning"
    assert "`tempfile.mktemp`" in result["message"]["text"]
    assert "suppressions" not in result
    assert set(result["partialFingerprints"]) == {"primaryLocationLineHash"}
    assert result["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 3,
        "startColumn": 5,
        "endLine": 3,
        "endColumn": 20,
        "snippet": {"text": "x = tempfile.mktemp()"},
    }


def test_sarif_suppressed_result_kept(scan, sarif_schema):
    results = sarif_run(scan, "findings", sarif_schema)["results"]
    suppressed = [result for result in results if "suppressions" in result]

    assert len(results) == 2
    assert [result["locations"][0]["physicalLocation"]["region"]["startLine"] for result in suppressed] == [4]
    assert suppressed[0]["suppressions"] == [{"kind": "inSource", "justification": "# nosec"}]


def test_sarif_rule_descriptor(scan, sarif_schema):
    rule = sarif_run(scan, "clean", sarif_schema)["tool"]["driver"]["rules"][0]

    assert rule["id"] == "VNX-PY-018"
    assert rule["name"]
    assert rule["shortDescription"]["text"]
    assert "/tmp" in rule["fullDescription"]["text"]
    assert "mkstemp" in rule["help"]["text"]
    assert rule["helpUri"].startswith("https://")
    assert rule["defaultConfiguration"] == {"level": "warning"}
    assert {"security", "external/cwe/cwe-377"} <= set(rule["properties"]["tags"])
    assert rule["properties"]["precision"] in ("very-high", "high", "medium", "low")
    assert 4.0 <= float(rule["properties"]["security-severity"]) <= 6.9


def test_sarif_fallback_notification(scan, sarif_schema):
    invocation = sarif_run(scan, "fallback", sarif_schema)["invocations"][0]
    (notification,) = invocation["toolExecutionNotifications"]

    assert invocation["executionSuccessful"] is True
    assert notification["level"] == "note"
    assert notification["descriptor"] == {"id": "fallback-scan"}
    assert notification["message"]["text"].startswith("old.py: scanned by the fallback scanner: syntax error on line 2")
    assert notification["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "old.py"


def test_sarif_not_scanned_notification(scan, sarif_schema):
    invocation = sarif_run(scan, "not-scanned", sarif_schema)["invocations"][0]
    (notification,) = invocation["toolExecutionNotifications"]

    assert invocation["executionSuccessful"] is False
    assert notification["level"] == "error"
    assert notification["descriptor"] == {"id": "file-not-scanned"}
    assert notification["message"]["text"] == "pipe.py: not scanned: a FIFO, not a regular file"


def test_sarif_clean_has_no_results(scan, sarif_schema):
    run = sarif_run(scan, "clean", sarif_schema)

    assert run["results"] == []
    assert run["invocations"][0]["toolExecutionNotifications"] == []


# JSON

FINDING_TYPES = {
    "rule_id": str,
    "message": str,
    "artifact_uri": str,
    "severity": str,
    "level": str,
    "start_line": int,
    "start_column": int,
    "end_line": int,
    "end_column": int,
    "snippet": str,
    "cwe": str,
    "fingerprint": str,
    "suppressed": bool,
}


def test_json_top_level(scan):
    code, output = scan("findings", "--format", "json")
    report = json.loads(output)

    assert code == 1
    assert report["tool"] == {"name": "tmpguard", "version": __version__}
    assert [rule["id"] for rule in report["rules"]] == ["VNX-PY-018"]
    assert report["fallback_files"] == []
    assert report["not_scanned"] == []
    assert report["summary"] == {
        "files": 2,
        "files_scanned": 2,
        "files_fallback": 0,
        "files_not_scanned": 0,
        "findings": 1,
        "suppressed": 1,
    }


@pytest.mark.parametrize(("field", "kind"), sorted(FINDING_TYPES.items()))
def test_json_finding_field_types(field, kind, scan):
    findings = json.loads(scan("findings", "--format", "json")[1])["findings"]

    assert [type(finding[field]) for finding in findings] == [kind, kind]


def test_json_finding_values(scan):
    finding = json.loads(scan("findings", "--format", "json")[1])["findings"][0]

    assert finding["rule_id"] == "VNX-PY-018"
    assert finding["artifact_uri"] == "pkg/sub/a.py"
    assert finding["severity"] == "medium"
    assert finding["level"] == "warning"
    assert (finding["start_line"], finding["start_column"]) == (3, 5)
    assert (finding["end_line"], finding["end_column"]) == (3, 20)
    assert finding["snippet"] == "x = tempfile.mktemp()"
    assert finding["cwe"] == "CWE-377"
    assert finding["suppression"] is None


def test_json_suppression_record(scan):
    finding = json.loads(scan("findings", "--format", "json")[1])["findings"][1]

    assert finding["suppressed"] is True
    assert finding["suppression"] == {"kind": "inSource", "line": 4, "comment": "# nosec"}


def test_json_lists_fallback_and_not_scanned(scan, tmp_path):
    make_tree(tmp_path, SCANS["fallback"])
    report = json.loads(scan("not-scanned", "--format", "json")[1])

    assert [item["artifact_uri"] for item in report["fallback_files"]] == ["old.py"]
    assert report["not_scanned"] == [{"artifact_uri": "pipe.py", "reason": "a FIFO, not a regular file"}]


# Fingerprints

CALL = "import tempfile\nx = tempfile.mktemp()\n"


def fingerprints(source: str, path: str = "x.py") -> list[str]:
    return [finding.fingerprint for finding in scan_text(source, path).findings]


def test_fingerprint_survives_lines_inserted_above():
    moved = "import tempfile\n\n# a comment\ndef f():\n    pass\n\nx = tempfile.mktemp()\n"

    assert fingerprints(moved) == fingerprints(CALL)


def test_fingerprint_survives_reindent():
    assert fingerprints("import tempfile\nx  =  tempfile.mktemp()\n") == fingerprints(CALL)


def test_fingerprints_of_identical_calls_differ():
    first, second = fingerprints("import tempfile\nx = tempfile.mktemp()\nx = tempfile.mktemp()\n")

    assert first != second


def test_fingerprint_depends_on_file():
    assert fingerprints(CALL, "a.py") != fingerprints(CALL, "b.py")


def test_fingerprint_depends_on_line_text():
    assert fingerprints("import tempfile\ny = tempfile.mktemp()\n") != fingerprints(CALL)


def test_sarif_carries_fingerprint(scan, sarif_schema):
    result = sarif_run(scan, "suppressed", sarif_schema)["results"][0]
    expected = fingerprints("import tempfile\nx = tempfile.mktemp()  # noqa: S306\n", "a.py")

    assert [result["partialFingerprints"]["primaryLocationLineHash"]] == expected


# Text

LOCATION_LINE = re.compile(r"^pkg/sub/a\.py:3:5: VNX-PY-018 `tempfile\.mktemp` returns .*`mkdtemp\(\)`$")


def test_text_finding_lines(scan):
    code, output = scan("findings")
    lines = output.splitlines()

    assert code == 1
    assert LOCATION_LINE.match(lines[0])
    assert lines[1] == "    x = tempfile.mktemp()"
    assert lines[2].startswith("    unsafe fix (--fix --unsafe-fixes): ")
    assert lines[3] == "Found 1 finding (plus 1 suppressed) in 2 files scanned."
    assert len(lines) == 4


def test_text_notes(scan, tmp_path):
    make_tree(tmp_path, SCANS["fallback"])
    lines = scan("not-scanned")[1].splitlines()

    assert lines[0].startswith("old.py:3:1: VNX-PY-018 ")
    assert lines[1] == "    tempfile.mktemp()"
    assert lines[2] == "    no fix available: the file was scanned by the token-level fallback, which plans no fix"
    assert lines[3].startswith("old.py: note: scanned by the fallback scanner: syntax error on line 2")
    assert lines[4] == "pipe.py: error: not scanned: a FIFO, not a regular file"
    assert lines[5] == "Found 1 finding (plus 0 suppressed) in 2 files scanned, 1 by the fallback scanner; 1 file not scanned."


def test_text_escapes_control_characters(scan, tmp_path):
    (tmp_path / "a.py").write_text('import tempfile\nx = tempfile.mktemp(); s = "\x1b[2J\u202e"\n', encoding="utf-8")
    lines = scan("clean")[1].splitlines()

    assert lines[1] == '    x = tempfile.mktemp(); s = "\\x1b[2J\\u202e"'


def test_text_no_colour_when_piped(scan):
    assert "\x1b[" not in scan("findings")[1]


def test_text_colour_always(scan):
    assert "\x1b[33mVNX-PY-018\x1b[0m" in scan("findings", "--color", "always")[1]


def test_text_colour_never(scan):
    assert "\x1b[" not in scan("findings", "--color", "never")[1]


def run_on_terminal(tmp_path, *options: str, environment: dict | None = None) -> str:
    """Run a scan with standard output on a pseudo-terminal and return what it printed."""
    make_tree(tmp_path, SCANS["findings"])
    primary, secondary = pty.openpty()
    env = {key: value for key, value in os.environ.items() if key != "NO_COLOR"}
    subprocess.run(
        [sys.executable, "-m", "tmpguard", "scan", ".", *options],
        cwd=tmp_path,
        stdout=secondary,
        stderr=subprocess.DEVNULL,
        env={**env, **(environment or {})},
        timeout=60,
        check=False,
    )
    os.close(secondary)
    chunks = []
    while True:
        try:
            chunk = os.read(primary, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(primary)
    return b"".join(chunks).decode("utf-8")


def test_text_colour_on_terminal(tmp_path):
    assert "\x1b[1mpkg/sub/a.py:3:5:\x1b[0m" in run_on_terminal(tmp_path)


def test_text_no_colour_on_terminal_with_no_color(tmp_path):
    assert "\x1b[" not in run_on_terminal(tmp_path, environment={"NO_COLOR": "1"})


def test_text_no_colour_in_output_file(scan, tmp_path):
    scan("findings", "--output", "report.txt")
    report = (tmp_path / "report.txt").read_text(encoding="utf-8")

    assert report.startswith("pkg/sub/a.py:3:5: VNX-PY-018 ")
    assert "\x1b[" not in report
