"""Scan a file above the size limit without loading or parsing it.

Parsing takes memory in proportion to a file's size, so a file above the limit is
only streamed through the prefilter. When the prefilter proves that it cannot contain
the target, the file counts as scanned. When it may contain the target, the file is
reported as not scanned, with its size, because the scan did not look at it.
"""

from __future__ import annotations

import codecs
import logging

from tmpguard.findings import FileResult, ScanStatus
from tmpguard.prefilter import StreamJudge
from tmpguard.reader import ReadError, read_chunks
from tmpguard.source import DecodeError, detect_encoding

log = logging.getLogger(__name__)

MIB = 1024 * 1024


def scan_large_file(path: str, display_path: str, size: int, limit: int) -> FileResult:
    """Stream the file at `path` through the prefilter and report what it proves."""
    try:
        may_contain = _stream_may_contain_target(path)
    except ReadError as error:
        log.warning("%s: not scanned: %s", display_path, error)
        return FileResult(display_path, ScanStatus.NOT_SCANNED, reason=str(error))

    if not may_contain:
        return FileResult(display_path, ScanStatus.PREFILTERED)

    reason = (
        f"{format_size(size)}, larger than the --max-file-size limit of {format_size(limit)} "
        "for parsing, and it contains `mktemp`"
    )
    log.warning("%s: not scanned: %s", display_path, reason)
    return FileResult(display_path, ScanStatus.NOT_SCANNED, reason=reason)


def format_size(size: int) -> str:
    """Format a byte count for a message: bytes below one mebibyte, else MiB."""
    return f"{size} bytes" if size < MIB else f"{size / MIB:.1f} MiB"


def _incremental_decoder(first_chunk: bytes) -> codecs.IncrementalDecoder:
    try:
        encoding = detect_encoding(first_chunk)
    except DecodeError:
        encoding = "utf-8"
    return codecs.getincrementaldecoder(encoding)(errors="replace")


def _stream_may_contain_target(path: str) -> bool:
    decoder = None
    judge = StreamJudge()
    tail = ""
    for chunk in read_chunks(path):
        if decoder is None:
            decoder = _incremental_decoder(chunk)
        try:
            text = tail + decoder.decode(chunk)
        except UnicodeError:
            # The codec has no "replace" error handler, so nothing is proven.
            return True
        judge.feed(text)
        if judge.may_contain_target():
            return True
        tail = text[-StreamJudge.OVERLAP :]
    return False
