"""Command-line guards: a report never overwrites Python source or replaces what is
not a regular file, and a scan that finds no Python file warns."""

from __future__ import annotations

import json
import os
import stat
import threading

from conftest import run_tmpguard

SOURCE = "import tempfile\npath = tempfile.mktemp()\n"


def test_output_refuses_scanned_file(tmp_path):
    target = tmp_path / "victim.py"
    target.write_text(SOURCE, encoding="utf-8")

    completed = run_tmpguard("scan", str(target), "--output", str(target))

    assert completed.returncode == 2
    assert "refusing to overwrite an existing Python source file" in completed.stderr
    assert target.read_text(encoding="utf-8") == SOURCE


def _report_to(tmp_path, output, **options):
    """Scan a file with one finding and write the JSON report to `output`."""
    (tmp_path / "job.py").write_text(SOURCE, encoding="utf-8")
    return run_tmpguard("scan", str(tmp_path / "job.py"), "--format", "json", "--output", str(output), **options)


def test_output_replaces_report_file(tmp_path):
    report = tmp_path / "report.json"
    report.write_text("old report", encoding="utf-8")

    completed = _report_to(tmp_path, report)

    assert completed.returncode == 1
    assert report.read_text(encoding="utf-8").startswith("{")
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith(".tmpguard-report-")] == []


def test_no_python_files_warns(tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text(SOURCE, encoding="utf-8")

    completed = run_tmpguard("scan", str(notes))

    assert completed.returncode == 0
    assert "no Python files found under the given paths" in completed.stderr


def test_force_exclude_skips_named_file(tmp_path):
    (tmp_path / "generated").mkdir()
    named = tmp_path / "generated" / "gen.py"
    named.write_text(SOURCE, encoding="utf-8")

    scanned = run_tmpguard("scan", "generated/gen.py", "--extend-exclude", "generated", cwd=tmp_path)
    skipped = run_tmpguard(
        "scan", "generated/gen.py", "--extend-exclude", "generated", "--force-exclude", cwd=tmp_path
    )

    assert scanned.returncode == 1
    assert "generated/gen.py:2:8: VNX-PY-018" in scanned.stdout
    assert skipped.returncode == 0
    assert "VNX-PY-018" not in skipped.stdout


def test_max_file_size_zero_means_no_limit(tmp_path):
    (tmp_path / "job.py").write_text(SOURCE, encoding="utf-8")

    completed = run_tmpguard("scan", str(tmp_path / "job.py"), "--max-file-size", "0", "--no-cache")

    assert completed.returncode == 1
    assert ":2:8: VNX-PY-018" in completed.stdout


def test_dash_path_hints_at_stdin():
    completed = run_tmpguard("scan", "-")

    assert completed.returncode == 2
    assert "-: no such file or directory; to scan standard input, use --stdin-filename NAME" in completed.stderr


def test_output_keeps_link_and_writes_target(tmp_path):
    (tmp_path / "reports").mkdir()
    os.symlink(tmp_path / "reports" / "latest.json", tmp_path / "report.json")

    completed = _report_to(tmp_path, tmp_path / "report.json")

    assert completed.returncode == 1
    assert (tmp_path / "report.json").is_symlink()
    assert json.loads((tmp_path / "reports" / "latest.json").read_text(encoding="utf-8"))["summary"]["findings"] == 1


def test_output_refuses_link_to_source(tmp_path):
    target = tmp_path / "victim.py"
    target.write_text(SOURCE, encoding="utf-8")
    os.symlink(target, tmp_path / "report.json")

    completed = run_tmpguard("scan", str(target), "--output", str(tmp_path / "report.json"))

    assert completed.returncode == 2
    assert "refusing to overwrite an existing Python source file" in completed.stderr
    assert target.read_text(encoding="utf-8") == SOURCE


def test_output_writes_into_fifo(tmp_path):
    fifo = tmp_path / "report.pipe"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text(encoding="utf-8")), daemon=True)
    reader.start()

    completed = _report_to(tmp_path, fifo)
    reader.join(timeout=30)

    assert completed.returncode == 1
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert json.loads(received[0])["summary"]["findings"] == 1


def test_output_file_modes(tmp_path):
    existing = tmp_path / "existing.json"
    existing.write_text("old report", encoding="utf-8")
    existing.chmod(0o640)

    _report_to(tmp_path, existing, preexec_fn=lambda: os.umask(0o022))
    _report_to(tmp_path, tmp_path / "new.json", preexec_fn=lambda: os.umask(0o022))

    assert stat.S_IMODE(existing.stat().st_mode) == 0o640
    assert stat.S_IMODE((tmp_path / "new.json").stat().st_mode) == 0o644
