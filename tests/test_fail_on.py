"""`--fail-on`: the severity at which findings fail the scan, compared by rank."""

from __future__ import annotations

import os

import pytest

from conftest import run_tmpguard
from tmpguard.cli import exit_code
from tmpguard.findings import FileResult, Finding, ScanResult, ScanStatus, Suppression
from tmpguard.severity import at_least, rank

CALL = "import tempfile\n\npath = tempfile.mktemp()\n"


def finding(severity: str, suppressed: bool = False) -> Finding:
    return Finding(
        rule_id="VNX-PY-018", path="a.py", message="m", severity=severity, start_line=1, start_column=1,
        end_line=1, end_column=2, snippet="x", fingerprint="0:1",
        suppression=Suppression("inSource", 1, "# nosec") if suppressed else None,
    )


def result(*findings: Finding, not_scanned: bool = False) -> ScanResult:
    files = [FileResult("a.py", ScanStatus.ANALYSED, list(findings))]
    if not_scanned:
        files.append(FileResult("b.py", ScanStatus.NOT_SCANNED, reason="a FIFO, not a regular file"))
    return ScanResult(files)


def test_severity_ranks_in_order():
    assert [rank(name) for name in ("low", "medium", "high", "critical")] == [0, 1, 2, 3]
    assert rank("MEDIUM") == 1


def test_unknown_severity_ranks_highest():
    assert at_least("severe", "critical")


@pytest.mark.parametrize(
    ("severity", "fail_on", "expected"),
    [
        ("low", "low", 1), ("low", "medium", 0),
        ("medium", "low", 1), ("medium", "medium", 1), ("medium", "high", 0),
        ("high", "medium", 1), ("high", "critical", 0),
        ("critical", "critical", 1),
    ],
)
def test_exit_code_by_threshold(severity, fail_on, expected):
    assert exit_code(result(finding(severity)), fail_on) == expected


def test_exit_code_unscanned_below_threshold():
    assert exit_code(result(finding("low"), not_scanned=True), "medium") == 3


def test_suppressed_finding_never_fails():
    assert exit_code(result(finding("critical", suppressed=True)), "low") == 0


@pytest.mark.parametrize(("fail_on", "expected"), [(None, 1), ("low", 1), ("medium", 1), ("high", 0), ("critical", 0)])
def test_fail_on_option(tmp_path, fail_on, expected):
    (tmp_path / "app.py").write_text(CALL, encoding="utf-8")
    options = [] if fail_on is None else ["--fail-on", fail_on]
    completed = run_tmpguard("scan", "app.py", "--isolated", *options, cwd=tmp_path)
    assert completed.returncode == expected
    assert completed.stdout.startswith("app.py:3:8: VNX-PY-018 ")


def test_unscanned_file_below_threshold_exits_3(tmp_path):
    (tmp_path / "app.py").write_text(CALL, encoding="utf-8")
    os.mkfifo(tmp_path / "pipe.py")
    completed = run_tmpguard("scan", ".", "--isolated", "--fail-on", "high", cwd=tmp_path)
    assert completed.returncode == 3
    assert "pipe.py: error: not scanned: a FIFO, not a regular file" in completed.stdout


def test_invalid_fail_on_option_exits_2(tmp_path):
    completed = run_tmpguard("scan", ".", "--fail-on", "urgent", cwd=tmp_path)
    assert completed.returncode == 2
    assert "argument --fail-on: invalid choice: 'urgent'" in completed.stderr
