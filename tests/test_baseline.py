"""Baselines: record findings, report only new ones, reject malformed files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import run_tmpguard

ORIGINAL = "import tempfile\n\n\ndef build():\n    return tempfile.mktemp()\n"


def scan_json(project: Path, *arguments: str) -> tuple[int, list[tuple[str, int, int]]]:
    completed = run_tmpguard("scan", ".", "--isolated", "--format", "json", *arguments, cwd=project)
    assert completed.returncode in (0, 1), completed.stderr
    findings = [item for item in json.loads(completed.stdout)["findings"] if not item["suppressed"]]
    return completed.returncode, [(item["artifact_uri"], item["start_line"], item["start_column"]) for item in findings]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "app.py").write_text(ORIGINAL, encoding="utf-8")
    return tmp_path


def test_write_baseline_records_findings(project):
    code, findings = scan_json(project, "--write-baseline", "baseline.json")
    assert code == 0
    assert findings == []

    document = json.loads((project / "baseline.json").read_text(encoding="utf-8"))
    assert document["version"] == 1
    assert document["tool"]["name"] == "tmpguard"
    assert len(document["entries"]) == 1
    [(key, entry)] = document["entries"].items()
    assert ":" not in key
    assert entry == {"rule_id": "VNX-PY-018", "path": "app.py", "snippet": "return tempfile.mktemp()", "count": 1}


def test_baseline_hides_recorded_findings(project):
    scan_json(project, "--write-baseline", "baseline.json")
    code, findings = scan_json(project, "--baseline", "baseline.json")
    assert code == 0
    assert findings == []


def test_baseline_keeps_accepted_findings_suppressed(project):
    scan_json(project, "--write-baseline", "baseline.json")
    completed = run_tmpguard("scan", ".", "--isolated", "--format", "json", "--baseline", "baseline.json", cwd=project)
    report = json.loads(completed.stdout)
    [accepted] = report["findings"]
    assert (accepted["start_line"], accepted["start_column"]) == (5, 12)
    assert accepted["suppressed"] is True
    assert accepted["suppression"]["kind"] == "external"
    assert accepted["suppression"]["comment"] == "accepted by the baseline"
    assert report["summary"]["suppressed"] == 1


def test_baseline_survives_edits_and_reports_new_call(project):
    scan_json(project, "--write-baseline", "baseline.json")

    edited = (
        '"""A module docstring added later."""\nimport os\nimport tempfile\n\nLIMIT = 3\n\n\n'
        "def build():\n    return tempfile.mktemp()\n\n\ndef build_again():\n    return tempfile.mktemp()\n"
    )
    (project / "app.py").write_text(edited, encoding="utf-8")

    code, findings = scan_json(project, "--baseline", "baseline.json")
    assert findings == [("app.py", 13, 12)]
    assert code == 1

    _, without_baseline = scan_json(project)
    assert without_baseline == [("app.py", 9, 12), ("app.py", 13, 12)]


def test_baseline_entry_hides_one_finding_per_count(project):
    repeated = "NAME = tempfile.mktemp()\n"
    (project / "app.py").write_text(ORIGINAL + repeated * 2, encoding="utf-8")
    scan_json(project, "--write-baseline", "baseline.json")
    entries = json.loads((project / "baseline.json").read_text(encoding="utf-8"))["entries"]
    assert sorted(entry["count"] for entry in entries.values()) == [1, 2]

    (project / "app.py").write_text(ORIGINAL + repeated, encoding="utf-8")
    code, findings = scan_json(project, "--baseline", "baseline.json")
    assert findings == []
    assert code == 0

    (project / "app.py").write_text(ORIGINAL + repeated * 3, encoding="utf-8")
    code, findings = scan_json(project, "--baseline", "baseline.json")
    assert findings == [("app.py", 8, 8)]
    assert code == 1


def test_baseline_skips_suppressed_findings(project):
    (project / "app.py").write_text(ORIGINAL + "OTHER = tempfile.mktemp()  # nosec B306\n", encoding="utf-8")
    scan_json(project, "--write-baseline", "baseline.json")
    entries = json.loads((project / "baseline.json").read_text(encoding="utf-8"))["entries"]
    assert [entry["snippet"] for entry in entries.values()] == ["return tempfile.mktemp()"]


def test_write_baseline_replaces_existing_file(project):
    (project / "baseline.json").write_text("stale", encoding="utf-8")
    scan_json(project, "--write-baseline", "baseline.json")
    assert json.loads((project / "baseline.json").read_text(encoding="utf-8"))["version"] == 1
    assert [path.name for path in project.iterdir() if path.name.startswith(".tmpguard-baseline-")] == []


# Each case: the baseline file's text, then the problem the error message names.
MALFORMED = [
    ("{not json", "not valid JSON: Expecting property name enclosed in double quotes"),
    ("[]", "expected a JSON object at the top level"),
    ('{"version": 2, "entries": {}}', "unsupported version 2; expected 1"),
    ('{"entries": {}}', "unsupported version None; expected 1"),
    ('{"version": 1, "entries": []}', "'entries' must be an object keyed by fingerprint"),
    ('{"version": 1}', "'entries' must be an object keyed by fingerprint"),
    ('{"version": 1, "entries": {"abc123": {"count": 0}}}', "entry 'abc123' needs a 'count' that is a positive"),
    ('{"version": 1, "entries": {"abc123": {"count": "1"}}}', "entry 'abc123' needs a 'count' that is a positive"),
    ('{"version": 1, "entries": {"abc123": 1}}', "entry 'abc123' needs a 'count' that is a positive integer"),
    ('{"version": 1, "entries": {"abc123:1": {"count": 1}}}', "entry 'abc123:1' is not a fingerprint hash"),
]


@pytest.mark.parametrize(("text", "problem"), MALFORMED)
def test_malformed_baseline_exits_2(project, text, problem):
    (project / "baseline.json").write_text(text, encoding="utf-8")
    completed = run_tmpguard("scan", ".", "--isolated", "--baseline", "baseline.json", cwd=project)
    assert completed.returncode == 2
    assert completed.stdout == ""
    assert f"invalid baseline baseline.json: {problem}" in completed.stderr


def test_missing_baseline_exits_2(project):
    completed = run_tmpguard("scan", ".", "--isolated", "--baseline", "missing.json", cwd=project)
    assert completed.returncode == 2
    assert "cannot read baseline missing.json: No such file or directory" in completed.stderr


def test_unwritable_baseline_exits_2(project):
    completed = run_tmpguard("scan", ".", "--isolated", "--write-baseline", "no/such/folder/b.json", cwd=project)
    assert completed.returncode == 2
    assert "cannot write baseline no/such/folder/b.json: No such file or directory" in completed.stderr


def test_baseline_and_write_baseline_exit_2(project):
    completed = run_tmpguard("scan", ".", "--baseline", "a.json", "--write-baseline", "b.json", cwd=project)
    assert completed.returncode == 2
    assert "argument --write-baseline: not allowed with argument --baseline" in completed.stderr
