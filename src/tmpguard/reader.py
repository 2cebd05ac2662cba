"""Read a file's bytes without blocking on FIFOs or devices."""

from __future__ import annotations

import os
import stat


class ReadError(Exception):
    """Raised with a one-line reason when a file cannot be read."""


def _describe_mode(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def read_bytes(path: str) -> bytes:
    """Return the contents of the regular file at `path`.

    The file is opened non-blocking and checked with fstat before any read, so a FIFO
    or device put in place of a file is rejected instead of hanging the scan.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError as error:
        raise ReadError(error.strerror or str(error)) from None

    try:
        mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(mode):
            raise ReadError(f"{_describe_mode(mode)}, not a regular file")
        chunks = []
        while chunk := os.read(descriptor, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as error:
        raise ReadError(error.strerror or str(error)) from None
    finally:
        os.close(descriptor)
