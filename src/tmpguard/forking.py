"""Fork worker processes without losing a Ctrl-C that arrives during the fork.

CPython runs at-fork handlers around `os.fork` (the logging module registers some).
A SIGINT delivered while they run can be reported as "Exception ignored" and
dropped, and the scan would then go on to the end. Blocking SIGINT across the fork
keeps it pending instead: the parent gets its KeyboardInterrupt as soon as the mask is
restored, and the child ignores the signal, as workers do.
"""

from __future__ import annotations

import signal
from contextlib import contextmanager
from typing import Iterator

_BLOCKABLE = hasattr(signal, "pthread_sigmask")


@contextmanager
def interrupts_deferred() -> Iterator[None]:
    """Hold SIGINT back in this thread while the block runs, and deliver it after."""
    if not _BLOCKABLE:
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def ignore_interrupts() -> None:
    """Ignore SIGINT in a worker process, then unblock it: the parent handles Ctrl-C."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if _BLOCKABLE:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
