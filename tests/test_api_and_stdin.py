"""The Python API (`tmpguard.scan`, `tmpguard.scan_bytes`) and `--stdin-filename`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import tmpguard
from conftest import run_tmpguard

CALL = "import tempfile\n\npath = tempfile.mktemp()\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "mod.py").write_text(CALL, encoding="utf-8")
    (tmp_path / "pkg" / "clean.py").write_text("import os\n", encoding="utf-8")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_mod.py").write_text(CALL, encoding="utf-8")
    return tmp_path


def positions(result) -> list[tuple[str, int, int, bool]]:
    return [(item.path, item.start_line, item.start_column, item.suppressed) for item in result.findings]


def test_scan_returns_findings(project, monkeypatch):
    monkeypatch.chdir(project)
    result = tmpguard.scan(".")
    assert positions(result) == [("pkg/mod.py", 3, 8, False), ("tests/test_mod.py", 3, 8, False)]
    assert result.not_scanned == []
    assert [(item.path, item.status) for item in result.files] == [
        ("pkg/clean.py", tmpguard.ScanStatus.PREFILTERED),
        ("pkg/mod.py", tmpguard.ScanStatus.ANALYSED),
        ("tests/test_mod.py", tmpguard.ScanStatus.ANALYSED),
    ]


def test_scan_lists_files_not_scanned(project, monkeypatch):
    monkeypatch.chdir(project)
    os.mkfifo(project / "pkg" / "pipe.py")
    result = tmpguard.scan(["pkg"])
    assert [(item.path, item.reason) for item in result.not_scanned] == [("pkg/pipe.py", "a FIFO, not a regular file")]
    assert positions(result) == [("pkg/mod.py", 3, 8, False)]


def test_scan_options(project, monkeypatch):
    monkeypatch.chdir(project)
    result = tmpguard.scan(
        [project], extend_exclude=["pkg"], per_file_ignores={"tests/*.py": ["S306"]}, project_root=project
    )
    assert [(Path(path).name, line, column, suppressed) for path, line, column, suppressed in positions(result)] == [
        ("test_mod.py", 3, 8, True),
    ]


def test_scan_with_baseline(project, monkeypatch):
    monkeypatch.chdir(project)
    written = run_tmpguard("scan", "pkg", "--isolated", "--write-baseline", "baseline.json", cwd=project)
    assert written.returncode == 0, written.stderr
    result = tmpguard.scan(".", baseline="baseline.json")
    assert positions(result) == [("pkg/mod.py", 3, 8, True), ("tests/test_mod.py", 3, 8, False)]


def test_scan_bytes(project):
    result = tmpguard.scan_bytes(b"import tempfile as t\nx = t.mktemp()\n", "lib/x.py")
    assert positions(result) == [("lib/x.py", 2, 5, False)]


def test_scan_bytes_skips_other_suffixes():
    result = tmpguard.scan_bytes(b"import tempfile\ntempfile.mktemp()\n", "stubs/x.pyi")
    assert result.files == []


def test_missing_path_raises():
    from tmpguard.discover import DiscoveryError

    with pytest.raises(DiscoveryError, match="no-such-folder: no such file or directory"):
        tmpguard.scan("no-such-folder")


def test_import_stays_light():
    code = "import sys, tmpguard; print(sorted(name for name in sys.modules if name.startswith('tmpguard')))"
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert completed.stdout.strip() == "['tmpguard']"


def test_cli_matches_api(project, monkeypatch):
    monkeypatch.chdir(project)
    completed = run_tmpguard("scan", ".", "--isolated", "--format", "json", cwd=project)
    findings = json.loads(completed.stdout)["findings"]
    reported = [(item["artifact_uri"], item["start_line"], item["start_column"]) for item in findings]
    assert reported == [(path, line, column) for path, line, column, _ in positions(tmpguard.scan("."))]


def test_stdin_filename_reports_name(project):
    completed = run_tmpguard("scan", "--stdin-filename", "lib/fresh.py", "--isolated", cwd=project, stdin=CALL)
    assert completed.returncode == 1
    assert completed.stdout.startswith("lib/fresh.py:3:8: VNX-PY-018 ")
    assert "Found 1 finding (plus 0 suppressed) in 1 file scanned." in completed.stdout


def test_stdin_filename_ignores_paths_on_disk(project):
    completed = run_tmpguard("scan", "--stdin-filename", "pkg/mod.py", "--isolated", cwd=project, stdin="import os\n")
    assert completed.returncode == 0
    assert "Found 0 findings (plus 0 suppressed) in 1 file scanned." in completed.stdout


def test_stdin_filename_uses_its_configuration(project):
    config = '[tool.tmpguard.per-file-ignores]\n"tests/*.py" = ["B306"]\n'
    (project / "pyproject.toml").write_text(config, encoding="utf-8")
    ignored = run_tmpguard("scan", "--stdin-filename", "tests/test_new.py", cwd=project, stdin=CALL)
    assert ignored.returncode == 0
    assert "Found 0 findings (plus 1 suppressed)" in ignored.stdout

    reported = run_tmpguard("scan", "--stdin-filename", "pkg/new.py", cwd=project, stdin=CALL)
    assert reported.returncode == 1


def test_stdin_filename_other_suffix_not_scanned(project):
    completed = run_tmpguard("scan", "--stdin-filename", "notes.txt", "--isolated", cwd=project, stdin=CALL)
    assert completed.returncode == 0
    assert "Found 0 findings (plus 0 suppressed) in 0 files scanned." in completed.stdout


def test_stdin_undecodable_source_uses_fallback(project):
    completed = subprocess.run(
        [sys.executable, "-m", "tmpguard", "scan", "--stdin-filename", "legacy.py", "--isolated"],
        input=b"import tempfile\nname = '\xff'\npath = tempfile.mktemp()\n",
        capture_output=True, cwd=project, timeout=60,
    )
    assert completed.returncode == 1
    assert completed.stdout.decode().startswith("legacy.py:3:8: VNX-PY-018 ")
    assert b"legacy.py: note: scanned by the fallback scanner: invalid utf-8 bytes on line 2" in completed.stdout
