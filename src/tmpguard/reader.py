"""Read a file's bytes without blocking on FIFOs or devices."""

from __future__ import annotations

import errno
import os
import stat
from contextlib import contextmanager
from typing import Iterator

CHUNK_SIZE = 1 << 20


class ReadError(Exception):
    """Raised with a one-line reason when a file cannot be read."""


class FileTooLarge(ReadError):
    """Raised instead of reading a file larger than the size limit."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"{size} bytes, larger than the limit of {limit} bytes")
        self.size = size
        self.limit = limit


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


def _describe_error(path: str, error: OSError) -> str:
    if error.errno == errno.ENOENT and os.path.islink(path):
        return "broken symbolic link: its target does not exist"
    return error.strerror or str(error)


@contextmanager
def _open_regular(path: str) -> Iterator[tuple[int, int]]:
    """Open the regular file at `path` and yield its descriptor and size.

    The file is opened non-blocking and checked with fstat before any read, so a FIFO
    or device put in place of a file is rejected instead of hanging the scan.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError as error:
        raise ReadError(_describe_error(path, error)) from None

    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            raise ReadError(f"{_describe_mode(status.st_mode)}, not a regular file")
        yield descriptor, status.st_size
    except OSError as error:
        raise ReadError(error.strerror or str(error)) from None
    finally:
        os.close(descriptor)


def read_bytes(path: str, max_size: int | None = None) -> bytes:
    """Return the contents of the regular file at `path`.

    Raises FileTooLarge, before reading anything, when the file has more than
    `max_size` bytes, and ReadError when it cannot be read.
    """
    with _open_regular(path) as (descriptor, size):
        if max_size is not None and size > max_size:
            raise FileTooLarge(size, max_size)

        # A file that grows while it is read is held to the limit too.
        chunks = []
        total = 0
        while chunk := os.read(descriptor, CHUNK_SIZE):
            chunks.append(chunk)
            total += len(chunk)
            if max_size is not None and total > max_size:
                raise FileTooLarge(total, max_size)
        return b"".join(chunks)


def read_chunks(path: str) -> Iterator[bytes]:
    """Yield the contents of the regular file at `path` in chunks of CHUNK_SIZE bytes.

    Raises ReadError when it cannot be read.
    """
    with _open_regular(path) as (descriptor, _):
        while chunk := os.read(descriptor, CHUNK_SIZE):
            yield chunk
