"""Run one command and measure its wall time, CPU time and peak memory.

`os.wait4` returns the resource usage of the command together with every descendant it
waited for, so a command's worker processes count in its CPU time, and its peak memory
is the largest resident set of any one of its processes.
"""

from __future__ import annotations

import os
import statistics
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Sample:
    """One run: seconds of wall time, seconds of user+system CPU, peak RSS in MiB."""

    wall: float
    cpu: float
    peak_mib: float
    exit_code: int


def run(command: list[str], cwd: str, stdout_path: str = os.devnull, env: dict[str, str] | None = None) -> Sample:
    """Run `command` in `cwd` with its standard output sent to `stdout_path`."""
    actions = [
        (os.POSIX_SPAWN_OPEN, 1, stdout_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
        (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0),
    ]
    started = time.perf_counter()
    previous = os.getcwd()
    os.chdir(cwd)
    try:
        pid = os.posix_spawnp(command[0], command, env if env is not None else dict(os.environ), file_actions=actions)
    finally:
        os.chdir(previous)
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - started
    return Sample(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status))


def median(samples: list[Sample], field: str) -> float:
    return statistics.median(getattr(sample, field) for sample in samples)
