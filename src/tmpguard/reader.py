"""Read a file's bytes without blocking on FIFOs or devices."""

from __future__ import annotations

import errno
import os
import stat
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


_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)


def _open_regular(path: str) -> tuple[int, int]:
    """Open the regular file at `path` and return its descriptor and size.

    The file is opened non-blocking and checked with fstat before any read, so a FIFO
    or device put in place of a file is rejected instead of hanging the scan. The
    caller closes the descriptor.
    """
    try:
        descriptor = os.open(path, _OPEN_FLAGS)
    except OSError as error:
        raise ReadError(_describe_error(path, error)) from None

    try:
        status = os.fstat(descriptor)
    except OSError as error:
        os.close(descriptor)
        raise ReadError(error.strerror or str(error)) from None
    if not stat.S_ISREG(status.st_mode):
        os.close(descriptor)
        raise ReadError(f"{_describe_mode(status.st_mode)}, not a regular file")
    return descriptor, status.st_size


def read_bytes(path: str, max_size: int | None = None) -> bytes:
    """Return the contents of the regular file at `path`.

    Raises FileTooLarge, before reading anything, when the file has more than
    `max_size` bytes, and ReadError when it cannot be read.
    """
    descriptor, size = _open_regular(path)
    try:
        if max_size is not None and size > max_size:
            raise FileTooLarge(size, max_size)

        # Asking for one byte more than fstat reported ends the usual read in one call,
        # because a regular file normally returns fewer bytes than asked only at its end.
        # A file that changed size since fstat is read on until a read returns nothing.
        data = os.read(descriptor, size + 1)
        if len(data) == size:
            return data
        return _read_rest(descriptor, data, max_size)
    except OSError as error:
        raise ReadError(error.strerror or str(error)) from None
    finally:
        os.close(descriptor)


def _read_rest(descriptor: int, first: bytes, max_size: int | None) -> bytes:
    """Read the rest of a file that changed size after fstat, holding it to the size limit too."""
    chunks = [first]
    total = len(first)
    while True:
        if max_size is not None and total > max_size:
            raise FileTooLarge(total, max_size)
        chunk = os.read(descriptor, CHUNK_SIZE)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        total += len(chunk)


def read_chunks(path: str) -> Iterator[bytes]:
    """Yield the contents of the regular file at `path` in chunks of CHUNK_SIZE bytes.

    Raises ReadError when it cannot be read.
    """
    descriptor, _ = _open_regular(path)
    try:
        while chunk := os.read(descriptor, CHUNK_SIZE):
            yield chunk
    except OSError as error:
        raise ReadError(error.strerror or str(error)) from None
    finally:
        os.close(descriptor)
