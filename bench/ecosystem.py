"""Scan the pinned corpus of real projects and fail on any crash, hang or surprise.

    python bench/ecosystem.py [--cache DIR] [--timeout 900] [--check-prefilter]

The corpus (see corpus.py: 15 pinned releases and the CPython standard library, over
18,000 .py files) is scanned by `tmpguard scan` in a child process with a time limit.
The script prints how many files were scanned, scanned by the fallback and not scanned
(with reasons), the crashes, and the wall time. It exits non-zero on a crash: a
traceback, an exit code other than 0, 1 or 3, or a file whose worker died or whose
analysis failed. It also fails when the scan hangs past the limit or leaves a file
unscanned that EXPECTED_NOT_SCANNED does not list.

With --check-prefilter it also scans every file in this process twice, with and
without the prefilter, and fails when the findings differ: evidence on real code that
the prefilter drops no finding. That takes several CPU minutes.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import corpus

# Files of the corpus that cannot be read at all, with the reason expected for each.
# The corpus has none today: every file is at least scanned by the fallback.
EXPECTED_NOT_SCANNED: dict[str, str] = {}

# Words in a not-scanned reason that mean tmpguard itself failed on the file.
_CRASH_WORDS = ("died", "internal error", "exception", "timed out", "time limit")


def scan(tree: Path, timeout: float) -> tuple[dict, float, str]:
    """Run tmpguard on `tree`; return its JSON report, the wall time and its stderr."""
    with tempfile.TemporaryDirectory(prefix="tmpguard-ecosystem-") as work:
        output = Path(work) / "report.json"
        command = [sys.executable, "-m", "tmpguard", "scan", ".", "--format", "json", "--no-cache", "--output", str(output)]
        started = time.perf_counter()
        try:
            completed = subprocess.run(command, cwd=tree, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise SystemExit(f"HANG: tmpguard did not finish within {timeout:.0f} s") from None
        wall = time.perf_counter() - started
        if completed.returncode not in (0, 1, 3) or "Traceback" in completed.stderr:
            raise SystemExit(f"CRASH: tmpguard exited with {completed.returncode}:\n{completed.stderr[-4000:]}")
        return json.loads(output.read_text(encoding="utf-8")), wall, completed.stderr


def check_prefilter(tree: Path) -> int:
    """Scan every file with and without the prefilter; return how many files differ."""
    from tmpguard import engine
    from tmpguard.discover import DiscoverySettings, discover

    differences = 0
    sources = discover([str(tree)], DiscoverySettings())
    for source in sources:
        try:
            data = Path(source.path).read_bytes()
        except OSError:
            continue
        filtered = engine.scan_source(data, source.display_path)
        saved = engine.cannot_contain_target, engine.may_contain_target
        engine.cannot_contain_target, engine.may_contain_target = (lambda data: False), (lambda text: True)
        try:
            unfiltered = engine.scan_source(data, source.display_path)
        finally:
            engine.cannot_contain_target, engine.may_contain_target = saved
        if filtered.findings != unfiltered.findings:
            differences += 1
            print(f"PREFILTER: {source.display_path}: {len(unfiltered.findings)} findings without the "
                  f"prefilter, {len(filtered.findings)} with it")
    print(f"prefilter check: {len(sources)} files, {differences} with different findings")
    return differences


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache", help="cache folder (default: $TMPGUARD_BENCH_CACHE or ~/.cache/tmpguard-bench)")
    parser.add_argument("--timeout", type=float, default=900, help="seconds before the scan counts as hung (default: 900)")
    parser.add_argument("--check-prefilter", action="store_true", help="also compare findings with and without the prefilter")
    arguments = parser.parse_args()

    tree = corpus.prepare(corpus.cache_folder(arguments.cache))
    report, wall, stderr = scan(tree, arguments.timeout)
    summary = report["summary"]
    print(f"corpus: {tree} ({corpus.count_python_files(tree)} .py files on disk)")
    print(f"files scanned: {summary['files_scanned']} of {summary['files']}")
    print(f"scanned by the fallback: {summary['files_fallback']}")
    for item in report["fallback_files"]:
        print(f"    {item['artifact_uri']}: {item['reason']}")

    print(f"not scanned: {summary['files_not_scanned']}")
    crashes, unexpected = [], []
    for item in report["not_scanned"]:
        path, reason = item["artifact_uri"], item["reason"]
        print(f"    {path}: {reason}")
        if any(word in reason.lower() for word in _CRASH_WORDS):
            crashes.append(path)
        elif EXPECTED_NOT_SCANNED.get(path) is None or EXPECTED_NOT_SCANNED[path] not in reason:
            unexpected.append(path)
    print(f"crashes: {len(crashes)}")
    print(f"findings: {summary['findings']} ({summary['suppressed']} suppressed)")
    print(f"wall time: {wall:.2f} s on {os.cpu_count()} CPUs")

    failures = len(crashes) + len(unexpected)
    if arguments.check_prefilter:
        failures += check_prefilter(tree)
    if unexpected:
        print(f"FAIL: {len(unexpected)} files not scanned unexpectedly")
    if failures:
        raise SystemExit(1)
    print("OK")


if __name__ == "__main__":
    main()
