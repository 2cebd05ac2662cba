"""Command-line guards: a report never overwrites Python source, and a scan that
finds no Python file warns."""

from __future__ import annotations

from conftest import run_tmpguard

SOURCE = "import tempfile\npath = tempfile.mktemp()\n"


def test_output_refuses_scanned_file(tmp_path):
    target = tmp_path / "victim.py"
    target.write_text(SOURCE, encoding="utf-8")

    completed = run_tmpguard("scan", str(target), "--output", str(target))

    assert completed.returncode == 2
    assert "refusing to overwrite an existing Python source file" in completed.stderr
    assert target.read_text(encoding="utf-8") == SOURCE


def test_output_replaces_report_file(tmp_path):
    (tmp_path / "job.py").write_text(SOURCE, encoding="utf-8")
    report = tmp_path / "report.json"
    report.write_text("old report", encoding="utf-8")

    completed = run_tmpguard("scan", str(tmp_path / "job.py"), "--format", "json", "--output", str(report))

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
