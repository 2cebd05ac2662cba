"""Show how many files a long scan has done, on standard error when it is a terminal."""

from __future__ import annotations

import sys
import time
from typing import TextIO

_DELAY_SECONDS = 0.5
_INTERVAL_SECONDS = 0.1


class Progress:
    """A one-line `scanned N of M files` counter, redrawn at most ten times a second.

    While the walk still finds files, the line ends with `found so far`.

    Nothing is shown for a scan that ends within half a second, so short scans and
    tests print nothing. The line is erased when the scan ends.
    """

    def __init__(self, total: int | None, stream: TextIO | None = None, enabled: bool | None = None) -> None:
        self.total = total or 0
        self.done = 0
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.started = time.monotonic()
        self.drawn_at = 0.0
        self.width = 0
        self.finding = total is None
        """True while files are still being found (the total was not given), so `total` grows."""

    def found_all(self) -> None:
        """Record that `total` is final."""
        self.finding = False

    def advance(self, count: int = 1) -> None:
        self.done += count
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self.started < _DELAY_SECONDS or now - self.drawn_at < _INTERVAL_SECONDS:
            return
        self.drawn_at = now
        line = f"tmpguard: scanned {self.done} of {self.total} files"
        if self.finding:
            line += " found so far"
        self.stream.write("\r" + line.ljust(self.width))
        self.stream.flush()
        self.width = len(line)

    def finish(self) -> None:
        if self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()
            self.width = 0
