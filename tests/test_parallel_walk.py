"""The split walk: what one process would find, or nothing when links make the order matter."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tmpguard import engine, parallel_walk, runner
from tmpguard.cache import ResultCache, signature
from tmpguard.discover import DiscoverySettings, SourcePath, iter_sources
from tmpguard.findings import ScanStatus
from tmpguard.parallel_walk import walk_in_parallel
from tmpguard.runner import RunOptions

FLAGGED = "import tempfile\npath = tempfile.mktemp()\n"
AN_HOUR_AGO_NS = 3600 * 10**9


@pytest.fixture(autouse=True)
def small_subtrees(monkeypatch, tmp_path):
    """Cut even a small tree into subtrees, and scan it from the folder above it."""
    monkeypatch.setattr(parallel_walk, "SUBTREES_PER_JOB", 1)
    monkeypatch.chdir(tmp_path)


def _tree(tmp_path: Path) -> Path:
    root = tmp_path / "tree"
    for package in range(5):
        for part in range(3):
            folder = root / f"package{package}" / f"part{part}"
            folder.mkdir(parents=True)
            (folder / "module.py").write_text("x = 1\n", encoding="utf-8")
            (folder / "notes.txt").write_text("", encoding="utf-8")
    (root / "top.py").write_text(FLAGGED, encoding="utf-8")
    (root / "package1" / ".gitignore").write_text("part2/\n*_generated.py\n", encoding="utf-8")
    (root / "package1" / "part1" / "table_generated.py").write_text("", encoding="utf-8")
    (root / "package3" / "build").mkdir()
    (root / "package3" / "build" / "setup.py").write_text("", encoding="utf-8")
    return root


def _annotate(source: SourcePath) -> str:
    return f"seen {source.path}"


def _discovery_messages(caplog) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.name == "tmpguard.discover"]


@pytest.mark.parametrize("jobs", [2, 3])
def test_split_walk_matches_one_process(tmp_path, jobs):
    _tree(tmp_path)

    walked = walk_in_parallel(["tree"], DiscoverySettings(), jobs, _annotate)

    assert walked is not None
    assert sorted(source for source, _ in walked) == sorted(iter_sources(["tree"], DiscoverySettings()))
    assert len(walked) == 15
    assert all(annotation == f"seen {source.path}" for source, annotation in walked)


def test_more_subtrees_than_groups(tmp_path, monkeypatch):
    _tree(tmp_path)
    monkeypatch.setattr(parallel_walk, "_MAX_GROUPS", 2)

    walked = walk_in_parallel(["tree"], DiscoverySettings(), 2, _annotate)

    assert walked is not None
    assert sorted(source for source, _ in walked) == sorted(iter_sources(["tree"], DiscoverySettings()))


@pytest.mark.parametrize(
    ("link", "target"),
    [("link", "package0"), ("package4/link", "package0"), ("package4/part0/link", "package0"), ("package4/part0/loop", ".")],
)
def test_folder_reached_twice_not_split(tmp_path, caplog, link, target):
    root = _tree(tmp_path)
    (tmp_path / "outside").mkdir()
    os.symlink(tmp_path / "outside", root / "package2" / "away")
    os.symlink(root / target, root / link)

    with caplog.at_level(logging.INFO):
        walked = walk_in_parallel(["tree"], DiscoverySettings(), 2, _annotate)

    assert walked is None
    # The warning about the link out of the tree waits for the walk in one process.
    assert _discovery_messages(caplog) == []


def test_link_to_unvisited_folder_split(tmp_path):
    root = _tree(tmp_path)
    os.symlink(root / "package3" / "build", root / "package4" / "built")

    walked = walk_in_parallel(["tree"], DiscoverySettings(), 2, _annotate)

    assert walked is not None
    assert sorted(source for source, _ in walked) == sorted(iter_sources(["tree"], DiscoverySettings()))
    assert "tree/package4/built/setup.py" in {source.display_path for source, _ in walked}


def test_held_warning_logged_once(tmp_path, caplog):
    root = _tree(tmp_path)
    (tmp_path / "outside").mkdir()
    os.symlink(tmp_path / "outside", root / "package2" / "part0" / "away")

    with caplog.at_level(logging.WARNING):
        walked = walk_in_parallel(["tree"], DiscoverySettings(), 2, _annotate)

    assert walked is not None
    assert _discovery_messages(caplog) == [
        "tree/package2/part0/away: not followed: symbolic link to a path outside the scanned tree"
    ]


def test_failed_worker_not_split(tmp_path):
    _tree(tmp_path)
    parent = os.getpid()

    def annotate(source: SourcePath) -> str:
        if os.getpid() != parent:
            os._exit(3)
        # Slow enough in this process that the worker takes some subtrees.
        time.sleep(0.01)
        return source.path

    assert walk_in_parallel(["tree"], DiscoverySettings(), 2, annotate) is None


def test_file_argument_not_split(tmp_path):
    _tree(tmp_path)

    assert walk_in_parallel(["tree/top.py"], DiscoverySettings(), 2, _annotate) is None
    assert walk_in_parallel(["tree/package0", "tree/package1"], DiscoverySettings(), 2, _annotate) is None


def _aged(root: Path) -> None:
    for path in root.rglob("*.py"):
        mtime = path.stat().st_mtime_ns - AN_HOUR_AGO_NS
        os.utime(path, ns=(mtime, mtime))


def _outcome(result) -> list[tuple]:
    return [(item.path, item.status, [(f.start_line, f.start_column) for f in item.findings]) for item in result.files]


def test_warm_run_split_same_results(tmp_path, monkeypatch):
    root = _tree(tmp_path)
    (root / "package0" / "part1" / "flagged.py").write_text(FLAGGED, encoding="utf-8")
    _aged(root)
    monkeypatch.setattr(runner, "PARALLEL_WALK_MIN_FILES", 1)
    split = []
    original = parallel_walk.walk_in_parallel

    def spy(*arguments):
        walked = original(*arguments)
        split.append(walked is not None)
        return walked

    monkeypatch.setattr(parallel_walk, "walk_in_parallel", spy)
    options = RunOptions(jobs=2, cache_dir=str(tmp_path / "cache"))

    first = engine.scan_paths(["tree"], options=options)
    warm = engine.scan_paths(["tree"], options=options)

    # The first run had no cached results, so only the warm run split its walk.
    assert split == [True]
    assert _outcome(warm) == _outcome(first) == _outcome(engine.scan_paths(["tree"]))
    assert [(item.path, item.findings[0].start_line) for item in warm.files if item.findings] == [
        ("tree/package0/part1/flagged.py", 2),
        ("tree/top.py", 2),
    ]


def test_cache_probe_status_only_for_fresh_hit(tmp_path):
    (tmp_path / "a.py").write_text("x = 1\n", encoding="utf-8")
    current = signature(str(tmp_path / "a.py"))
    cache = ResultCache(str(tmp_path / "cache"))
    two_days_ago = cache.now - 2 * 24 * 3600
    cases = [
        (f"{current} {cache.now} prefiltered", ScanStatus.PREFILTERED),
        (f"0:0:0:0:0 {cache.now} prefiltered", current),
        (f"{current} {two_days_ago} prefiltered", current),
        (f"{current} {cache.now} unknown", current),
        ("corrupt", current),
        # A result with findings or a reason is stored as a list, and only `lookup` decodes it.
        ([f"{current} {cache.now} analysed", None, []], current),
    ]

    for entry, expected in cases:
        cache.entries = {"a.py": entry}
        assert cache.probe(str(tmp_path / "a.py"), "a.py") == expected, entry
    assert cache.probe(str(tmp_path / "missing.py"), "a.py") is None


# Runs tmpguard with a hook that sends this process SIGINT from inside its first fork,
# after the parent's at-fork handlers, where CPython could otherwise drop the signal.
_INTERRUPTED_AT_FORK = """
import os, signal, sys
from tmpguard import parallel_walk, runner
from tmpguard.cli import main

runner.PARALLEL_WALK_MIN_FILES = 1
parallel_walk.SUBTREES_PER_JOB = 1
sent = []

def interrupt():
    if sent or os.environ.get("INTERRUPT_AT_FORK") != "1":
        return
    sent.append(True)
    os.kill(os.getpid(), signal.SIGINT)

os.register_at_fork(after_in_parent=interrupt)
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize("cache", ["--no-cache", "--cache-dir=cache"])
def test_interrupt_during_fork_stops_scan(tmp_path, cache):
    _tree(tmp_path)
    _aged(tmp_path / "tree")
    command = [sys.executable, "-c", _INTERRUPTED_AT_FORK, "scan", "tree", "--jobs", "2", cache, "--format", "json"]
    # A first run without the interrupt fills the cache, so the second one splits its walk.
    subprocess.run(command, cwd=tmp_path, capture_output=True, timeout=120)

    interrupted = subprocess.run(
        command, cwd=tmp_path, capture_output=True, text=True, timeout=120, env={**os.environ, "INTERRUPT_AT_FORK": "1"}
    )

    assert interrupted.returncode == 130
    assert interrupted.stdout == ""
    assert interrupted.stderr.strip().splitlines() == ["tmpguard: ERROR: scan interrupted"]
