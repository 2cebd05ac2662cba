"""The worker pool: same results as a serial scan, in order, and a dying worker loses nothing."""

from __future__ import annotations

import io
import faulthandler
import os
import signal

import pytest

from conftest import CASES, run_tmpguard
from tmpguard import engine, parallel, progress, runner
from tmpguard.discover import DiscoverySettings, SourcePath, discover
from tmpguard.findings import FileResult, ScanStatus
from tmpguard.runner import RunOptions, scan_sources


def _case_sources():
    return discover([str(CASES)], DiscoverySettings())


def test_pool_matches_serial_scan():
    sources = _case_sources()
    serial = scan_sources(sources, engine.scan_file, RunOptions(jobs=1))
    pooled = scan_sources(sources, engine.scan_file, RunOptions(jobs=2))
    assert pooled == serial
    assert [result.path for result in pooled] == [source.display_path for source in sources]


def test_one_file_scanned_without_workers(monkeypatch):
    def reject_pool(*arguments):
        raise AssertionError("a worker pool was started for a single file")

    monkeypatch.setattr(parallel, "Pool", reject_pool)
    sources = _case_sources()[:1]
    assert scan_sources(sources, engine.scan_file, RunOptions(jobs=2)) == scan_sources(
        sources, engine.scan_file, RunOptions(jobs=1)
    )


def test_few_files_still_isolated(tmp_path):
    """Fewer files than one batch still go to workers, so a crash costs only its file."""
    names = ["a.py", "exit.py", "z.py"]
    for name in names:
        (tmp_path / name).write_bytes(b"import tempfile\ntempfile.mktemp()\n")
    files = [SourcePath(str(tmp_path / name), name) for name in names]

    results = scan_sources(files, _scan_or_die, RunOptions(jobs=2))

    assert [result.status for result in results] == [ScanStatus.ANALYSED, ScanStatus.NOT_SCANNED, ScanStatus.ANALYSED]
    assert results[1].reason == "the scanning process died (exit status 7)"


def test_walk_streams_into_running_workers():
    """Files found after the pool started are scanned too, and results keep the walk order."""
    sources = _case_sources() * 3
    streamed = scan_sources(iter(sources), engine.scan_file, RunOptions(jobs=2))
    assert [result.path for result in streamed] == [source.display_path for source in sources]
    assert streamed == scan_sources(sources, engine.scan_file, RunOptions(jobs=1))


def _scan_or_die(path: str, display_path: str) -> FileResult:
    """Scan normally, except that files named exit.py or segfault.py kill the worker."""
    name = os.path.basename(path)
    if name == "exit.py":
        os._exit(7)
    if name == "segfault.py":
        # pytest's faulthandler would print a traceback for this intended crash.
        faulthandler.disable()
        os.kill(os.getpid(), signal.SIGSEGV)
    return engine.scan_file(path, display_path)


def test_dead_worker_reported_and_rest_scanned(tmp_path):
    planted = b"import tempfile\ntempfile.mktemp()\n"
    names = [f"good{index:02}.py" for index in range(40)] + ["exit.py", "segfault.py"]
    for name in names:
        (tmp_path / name).write_bytes(planted)
    files = [SourcePath(str(tmp_path / name), name) for name in sorted(names)]

    results = scan_sources(files, _scan_or_die, RunOptions(jobs=2))

    by_path = {result.path: result for result in results}
    assert [result.path for result in results] == sorted(names)
    assert by_path["exit.py"].status is ScanStatus.NOT_SCANNED
    assert by_path["exit.py"].reason == "the scanning process died (exit status 7)"
    assert by_path["segfault.py"].status is ScanStatus.NOT_SCANNED
    assert by_path["segfault.py"].reason == "the scanning process died (killed by SIGSEGV)"
    good = [result for name, result in by_path.items() if name.startswith("good")]
    assert len(good) == 40
    assert all(result.status is ScanStatus.ANALYSED for result in good)
    assert all(len(result.findings) == 1 for result in good)


def test_cli_jobs_results_identical():
    reports = [
        run_tmpguard("scan", str(CASES), "--format", "json", "--no-cache", "--jobs", jobs).stdout
        for jobs in ("1", "2")
    ]
    assert reports[0] == reports[1]


@pytest.mark.parametrize("value", ["0", "-2", "many"])
def test_cli_rejects_bad_job_count(value):
    completed = run_tmpguard("scan", str(CASES), "--jobs", value)
    assert completed.returncode == 2
    assert "invalid job count" in completed.stderr


def test_progress_counts_and_erases(monkeypatch):
    monkeypatch.setattr(progress, "_DELAY_SECONDS", 0.0)
    monkeypatch.setattr(progress, "_INTERVAL_SECONDS", 0.0)
    stream = io.StringIO()
    counter = progress.Progress(3, stream=stream, enabled=True)
    counter.advance(2)
    counter.advance()
    counter.finish()
    text = stream.getvalue()
    assert "\rtmpguard: scanned 2 of 3 files" in text
    assert "\rtmpguard: scanned 3 of 3 files" in text
    assert "found so far" not in text
    assert text.endswith("\r")


def test_progress_silent_when_not_a_terminal():
    stream = io.StringIO()
    counter = progress.Progress(3, stream=stream)
    counter.advance(3)
    counter.finish()
    assert stream.getvalue() == ""


def test_progress_while_walking(monkeypatch):
    monkeypatch.setattr(progress, "_DELAY_SECONDS", 0.0)
    monkeypatch.setattr(progress, "_INTERVAL_SECONDS", 0.0)
    stream = io.StringIO()
    counter = progress.Progress(None, stream=stream, enabled=True)
    counter.total += 2
    counter.advance()
    counter.found_all()
    counter.advance()
    lines = [line.rstrip() for line in stream.getvalue().split("\r") if line.strip()]
    assert lines == ["tmpguard: scanned 1 of 2 files found so far", "tmpguard: scanned 2 of 2 files"]


def test_idle_worker_death_loses_nothing(tmp_path):
    """A worker killed while it waits for work is replaced, and no file is blamed."""
    import multiprocessing
    import time

    # The pool starts with the first full batch, so the kill comes after more than one.
    first = runner.BATCH_SIZE + runner.BATCH_SIZE // 4
    for index in range(2 * first):
        (tmp_path / f"module{index:03}.py").write_bytes(b"import tempfile\ntempfile.mktemp()\n")
    sources = [SourcePath(str(path), path.name) for path in sorted(tmp_path.iterdir())]

    def walk_with_a_kill():
        yield from sources[:first]
        time.sleep(0.5)
        victim = multiprocessing.active_children()[0]
        os.kill(victim.pid, signal.SIGKILL)
        victim.join()
        yield from sources[first:]

    results = scan_sources(walk_with_a_kill(), engine.scan_file, RunOptions(jobs=2))

    assert [result.path for result in results] == [source.display_path for source in sources]
    assert all(result.status is ScanStatus.ANALYSED for result in results)
    assert all(len(result.findings) == 1 for result in results)
