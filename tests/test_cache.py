"""The result cache: reused when nothing changed, never trusted when something did."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from conftest import run_tmpguard
from tmpguard import cache as cache_module
from tmpguard.findings import FileResult, ScanStatus

FLAGGED = "import tempfile\npath = tempfile.mktemp()  # noqa: S306\nother = tempfile.mktemp()\n"
CLEAN = "import tempfile\npath = tempfile.mkstemp()\n"
AN_HOUR_AGO_NS = 3600 * 10**9


@pytest.fixture(autouse=True)
def default_cache_folder(monkeypatch):
    """These tests exercise the default cache folder, so the per-test override goes."""
    monkeypatch.delenv("TMPGUARD_CACHE_DIR", raising=False)


def _age(path: Path) -> None:
    """Move the file's mtime an hour back, out of the window in which results are not stored."""
    mtime = path.stat().st_mtime_ns - AN_HOUR_AGO_NS
    os.utime(path, ns=(mtime, mtime))


def _project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    project.mkdir()
    for name, text in (("flagged.py", FLAGGED), ("clean.py", CLEAN)):
        (project / name).write_text(text, encoding="utf-8")
        _age(project / name)
    return project


def _scan(project: Path, *extra: str):
    completed = run_tmpguard("scan", ".", "--format", "json", "-v", "--jobs", "1", *extra, cwd=project)
    return completed, json.loads(completed.stdout)


def test_warm_run_reuses_every_result(tmp_path):
    project = _project(tmp_path)
    cold, cold_report = _scan(project)
    warm, warm_report = _scan(project)

    assert cold.returncode == warm.returncode == 1
    assert "cache: 0 of 2 files unchanged" in cold.stderr
    assert "cache: 2 of 2 files unchanged" in warm.stderr
    assert warm_report == cold_report
    assert [finding["suppressed"] for finding in warm_report["findings"]] == [True, False]


def test_cache_folder_marked_and_ignored(tmp_path):
    project = _project(tmp_path)
    _scan(project)
    folder = project / ".tmpguard_cache"
    assert (folder / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")
    assert (folder / ".gitignore").read_text().splitlines()[-1] == "*"


def test_edit_with_same_size_and_mtime_rescanned(tmp_path):
    project = _project(tmp_path)
    _scan(project)
    clean = project / "clean.py"
    before = clean.stat()
    clean.write_text(CLEAN.replace("mkstemp", "mktemp "), encoding="utf-8")
    os.utime(clean, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert clean.stat().st_size == before.st_size

    completed, report = _scan(project)
    assert "cache: 1 of 2 files unchanged" in completed.stderr
    assert [(f["artifact_uri"], f["start_line"]) for f in report["findings"]] == [
        ("clean.py", 2), ("flagged.py", 2), ("flagged.py", 3)
    ]


def test_recently_modified_file_not_stored(tmp_path):
    project = _project(tmp_path)
    (project / "clean.py").write_text(CLEAN, encoding="utf-8")
    _scan(project)
    completed, _ = _scan(project)
    assert "cache: 1 of 2 files unchanged" in completed.stderr


def test_no_cache_writes_nothing(tmp_path):
    project = _project(tmp_path)
    completed, _ = _scan(project, "--no-cache")
    assert completed.returncode == 1
    assert not (project / ".tmpguard_cache").exists()


def test_cache_dir_option_and_variable(tmp_path, monkeypatch):
    project = _project(tmp_path)
    run_tmpguard("scan", ".", "--cache-dir", str(tmp_path / "option"), cwd=project)
    monkeypatch.setenv("TMPGUARD_CACHE_DIR", str(tmp_path / "variable"))
    run_tmpguard("scan", ".", cwd=project)
    assert list((tmp_path / "option").rglob("*.jsonl"))
    assert list((tmp_path / "variable").rglob("*.jsonl"))
    assert not (project / ".tmpguard_cache").exists()


def test_corrupt_cache_file_ignored(tmp_path):
    project = _project(tmp_path)
    _, cold_report = _scan(project)
    for cached in (project / ".tmpguard_cache").rglob("*.jsonl"):
        cached.write_bytes(b"\x00not json{")
    completed, report = _scan(project)
    assert completed.returncode == 1
    assert "cache: 0 of 2 files unchanged" in completed.stderr
    assert report == cold_report


def test_corrupt_cache_entry_ignored(tmp_path):
    project = _project(tmp_path)
    _, cold_report = _scan(project)
    (cached,) = (project / ".tmpguard_cache").rglob("*.jsonl")
    header, line = cached.read_text().splitlines()
    entries = json.loads(line)
    entries["flagged.py"][2] = [{"unknown_field": 1}]
    entries["clean.py"] = entries["clean.py"].replace("prefiltered", "no-such-status")
    cached.write_text(f"{header}\n{json.dumps(entries)}\n")

    completed, report = _scan(project)
    assert "cache: 0 of 2 files unchanged" in completed.stderr
    assert report == cold_report


def test_other_version_uses_other_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    current = cache_module.ResultCache(str(tmp_path / "cache"))
    monkeypatch.setattr(cache_module, "__version__", "99.0")
    other = cache_module.ResultCache(str(tmp_path / "cache"))
    assert current.path != other.path
    assert other.path.parent.name == "v99.0"


def test_not_scanned_result_not_stored(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    stored = cache_module.ResultCache(str(tmp_path / "cache"))
    old_signature = "1:0:0:1:1"
    stored.store("gone.py", old_signature, FileResult("gone.py", ScanStatus.NOT_SCANNED, reason="a FIFO"))
    stored.store("kept.py", old_signature, FileResult("kept.py", ScanStatus.PREFILTERED))
    stored.save()

    reloaded = cache_module.ResultCache(str(tmp_path / "cache"))
    assert reloaded.lookup("gone.py", old_signature) is None
    assert reloaded.lookup("kept.py", old_signature) == FileResult("kept.py", ScanStatus.PREFILTERED)
    assert cache_module.ResultCache(str(tmp_path / "cache")).lookup("kept.py", "2:0:0:1:1") is None


def test_cache_keyed_by_max_file_size(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    (project / "job.py").write_text(FLAGGED, encoding="utf-8")
    _age(project / "job.py")

    first = run_tmpguard("scan", ".", "--format", "json", cwd=project)
    limited = run_tmpguard("scan", ".", "--format", "json", "--max-file-size", "0.00001", cwd=project)

    assert first.returncode == 1
    assert limited.returncode == 3
    assert json.loads(limited.stdout)["summary"]["files_not_scanned"] == 1


def _cache_files(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.jsonl"))


def test_existing_folder_gets_no_marker_files(tmp_path):
    """Naming the project itself as the cache folder must not hide it from git or backups."""
    project = _project(tmp_path)

    completed, report = _scan(project, "--cache-dir", ".")

    assert completed.returncode == 1
    assert len(report["findings"]) == 2
    assert not (project / ".gitignore").exists()
    assert not (project / "CACHEDIR.TAG").exists()
    assert len(_cache_files(project)) == 1


def test_created_folder_gets_marker_files(tmp_path):
    project = _project(tmp_path)
    _scan(project)
    assert (project / ".tmpguard_cache" / ".gitignore").read_text(encoding="utf-8").endswith("*\n")
    assert (project / ".tmpguard_cache" / "CACHEDIR.TAG").read_text(encoding="utf-8").startswith("Signature: ")


def test_linked_cache_folder_not_written(tmp_path):
    """A scanned repository may commit its cache folder as a link to somewhere else."""
    project = _project(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    (project / ".tmpguard_cache").symlink_to(outside)

    completed, report = _scan(project)

    assert completed.returncode == 1
    assert len(report["findings"]) == 2
    assert "is a symbolic link" in completed.stderr
    assert list(outside.iterdir()) == []


def test_linked_cache_entries_not_followed(tmp_path):
    project = _project(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    folder = project / ".tmpguard_cache"
    folder.mkdir()
    (folder / ".gitignore").symlink_to(tmp_path / "planted")
    (folder / f"v{cache_module.__version__}").symlink_to(outside)

    completed, _ = _scan(project)

    assert completed.returncode == 1
    assert "is a symbolic link" in completed.stderr
    assert list(outside.iterdir()) == []
    assert not (tmp_path / "planted").exists()


def test_stale_cache_files_removed(tmp_path):
    project = _project(tmp_path)
    _scan(project)
    version_folder = _cache_files(project / ".tmpguard_cache")[0].parent
    stale = version_folder / "0123456789abcdef0123456789abcdef.jsonl"
    stale.write_text('{"format": 2}\n', encoding="utf-8")
    month_ago = os.stat(stale).st_mtime - 31 * 24 * 3600
    os.utime(stale, (month_ago, month_ago))
    (project / "new.py").write_text(CLEAN, encoding="utf-8")
    _age(project / "new.py")

    _scan(project)

    assert not stale.exists()
    assert len(_cache_files(project / ".tmpguard_cache")) == 1
