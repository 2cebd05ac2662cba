"""Write a report to the file named by `--output`.

A regular file, new or existing, is replaced atomically: the report goes to a temporary
file in the same folder, which is then renamed over it. A symbolic link is followed,
so the link stays and its target gets the report. Anything else that exists there (a
device such as /dev/null, a FIFO or a shell's `>(...)`) is opened and written, never
replaced. A new file gets the permissions the umask allows, as a shell redirection
would give it, and a replaced file keeps its own.
"""

from __future__ import annotations

import contextlib
import os
import stat


def write_report(report: str, output: str) -> None:
    """Write `report` to `output`, replacing a regular file atomically."""
    target = os.path.realpath(output)
    try:
        status = os.stat(target)
    except FileNotFoundError:
        status = None

    if status is not None and not stat.S_ISREG(status.st_mode):
        with open(target, "w", encoding="utf-8") as handle:
            handle.write(report)
        return

    mode = stat.S_IMODE(status.st_mode) if status is not None else _default_mode()
    _replace(report, target, mode)


def _default_mode() -> int:
    # The umask can only be read by setting it, so it is set back at once.
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _replace(report: str, target: str, mode: int) -> None:
    import tempfile

    descriptor, temporary = tempfile.mkstemp(prefix=".tmpguard-report-", dir=os.path.dirname(target))
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(report)
            os.fchmod(handle.fileno(), mode)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
