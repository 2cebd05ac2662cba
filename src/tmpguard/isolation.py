"""Keep one bad file from stopping a scan: per-file limits and error isolation.

`run_isolated` runs the work for one file under a time limit and turns any exception
into a "not scanned" result for that file, so the scan goes on and every other file's
findings are still reported.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, Iterator

from tmpguard.findings import FileResult, ScanStatus

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 30.0
# The AST of a file takes about 170 times the file's size in memory (measured with
# CPython 3.11 on generated code), so 10 MiB keeps one file's analysis near 2 GiB.
DEFAULT_MAX_FILE_SIZE = 10 * 1024 * 1024

# An exception's message can quote a whole source line, so the reason is cut to this length.
_MAX_REASON_LENGTH = 300


@dataclass(frozen=True)
class ScanLimits:
    """Per-file limits: seconds of analysis and bytes to parse (None: no limit for either)."""

    timeout: float | None = DEFAULT_TIMEOUT
    max_file_size: int | None = DEFAULT_MAX_FILE_SIZE


class TimeLimitExceeded(BaseException):
    """Raised inside the per-file work when its time limit expires.

    It derives from BaseException, as KeyboardInterrupt does, so that no
    `except Exception` in the analysers can swallow it.
    """


def run_isolated(display_path: str, timeout: float | None, work: Callable[[], FileResult]) -> FileResult:
    """Run `work` for one file, reporting a time-out or an exception as the file not scanned."""
    try:
        with time_limit(timeout):
            return work()
    except TimeLimitExceeded:
        reason = f"timed out after {timeout:g} s"
        log.warning("%s: not scanned: %s", display_path, reason)
        return FileResult(display_path, ScanStatus.NOT_SCANNED, reason=reason)
    except Exception as error:
        # A bug that one file triggers in the analysis must not end the scan.
        reason = f"internal error: {type(error).__name__}: {error}"[:_MAX_REASON_LENGTH]
        log.error("%s: not scanned: %s", display_path, reason)
        log.info("%s: traceback of the internal error", display_path, exc_info=True)
        return FileResult(display_path, ScanStatus.NOT_SCANNED, reason=reason)


def _raise_time_limit(signum, frame) -> None:
    raise TimeLimitExceeded


def _can_use_alarm() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise TimeLimitExceeded in the body when it runs longer than `seconds`.

    The limit uses SIGALRM, which interrupts Python code between bytecodes but not
    inside one long call into C, so a single `ast.parse` of a huge file finishes
    before the limit applies. The size limit bounds that case instead.
    """
    if not seconds or seconds <= 0:
        yield
        return
    if not _can_use_alarm():
        # NOTE: without SIGALRM (Windows) or outside the main thread, a file that
        # makes the analysis loop runs without a time limit.
        log.debug("no time limit: SIGALRM is unavailable in this process or thread")
        yield
        return

    previous = signal.signal(signal.SIGALRM, _raise_time_limit)
    started = time.monotonic()
    try:
        previous_delay, previous_interval = signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    finally:
        signal.signal(signal.SIGALRM, previous)
        # A program that embeds tmpguard may have its own alarm pending: re-arm it.
        if previous_delay > 0:
            remaining = max(previous_delay - (time.monotonic() - started), 0.001)
            signal.setitimer(signal.ITIMER_REAL, remaining, previous_interval)
