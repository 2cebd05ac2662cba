"""Decode Python source bytes as CPython does and map AST offsets to code-point columns."""

from __future__ import annotations

import bisect
import codecs
import re
import tokenize
from dataclasses import dataclass, field
from functools import cached_property

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_LINE_BREAK_BYTES = re.compile(rb"\r\n|\r|\n")
_CHECKPOINT_STEP = 256
_ASCII_PROBE = b"# -*- coding: x -*-\nimport tempfile\n"


class DecodeError(Exception):
    """Raised when source bytes cannot be decoded under CPython's rules."""


@dataclass
class SourceText:
    """Decoded source text with the line table that positions are computed from."""

    text: str
    encoding: str
    _utf8_lines: dict[int, tuple[bytes, list[int]]] = field(init=False, default_factory=dict)

    @cached_property
    def lines(self) -> list[str]:
        """The physical lines, split lazily: most decoded files are prefiltered unread."""
        return _LINE_BREAK.split(self.text)

    def line(self, number: int) -> str:
        """Return the 1-based line `number` without its line break, or '' past the end."""
        if 1 <= number <= len(self.lines):
            return self.lines[number - 1]
        return ""

    def column(self, line: int, utf8_offset: int) -> int:
        """Convert an AST column (a UTF-8 byte offset) to a 1-based code-point column."""
        text = self.line(line)
        if text.isascii():
            return utf8_offset + 1
        encoded, checkpoints = self._utf8_line(line, text)

        # Decode only from the last checkpoint before the offset, so that many
        # findings on one long line cost time in proportion to their number.
        index = bisect.bisect_right(checkpoints, utf8_offset) - 1
        start = checkpoints[index]
        return index * _CHECKPOINT_STEP + len(encoded[start:utf8_offset].decode("utf-8", "ignore")) + 1

    def _utf8_line(self, line: int, text: str) -> tuple[bytes, list[int]]:
        """Return the line's UTF-8 bytes and the byte offset of every _CHECKPOINT_STEP-th code point."""
        cached = self._utf8_lines.get(line)
        if cached is None:
            encoded = text.encode("utf-8", "surrogatepass")
            checkpoints = [0]
            for start in range(0, len(text) - _CHECKPOINT_STEP + 1, _CHECKPOINT_STEP):
                piece = text[start : start + _CHECKPOINT_STEP]
                checkpoints.append(checkpoints[-1] + len(piece.encode("utf-8", "surrogatepass")))
            cached = self._utf8_lines[line] = (encoded, checkpoints)
        return cached

    def segment(self, start_line: int, start_column: int, end_line: int, end_column: int) -> str:
        """Return the text between two 1-based code-point positions, end exclusive."""
        if start_line == end_line:
            return self.line(start_line)[start_column - 1 : end_column - 1]
        parts = [self.line(start_line)[start_column - 1 :]]
        parts.extend(self.line(number) for number in range(start_line + 1, end_line))
        parts.append(self.line(end_line)[: end_column - 1])
        return "\n".join(parts)


def detect_encoding(data: bytes) -> str:
    """Return the encoding CPython would use for `data`: BOM, PEP 263 cookie or UTF-8.

    Raises DecodeError for a cookie that names an unknown codec or contradicts a BOM.
    """
    # CPython ends a line at CR as well as at LF, but BytesIO.readline splits at LF
    # only, which would hide a coding cookie from a file with lone CR line breaks.
    first_lines = iter(data.splitlines(keepends=True)[:2])
    try:
        encoding, _ = tokenize.detect_encoding(lambda: next(first_lines, b""))
    except SyntaxError as error:
        raise DecodeError(str(error.msg if hasattr(error, "msg") else error)) from None
    try:
        codec = codecs.lookup(encoding)
    except LookupError:
        raise DecodeError(f"unknown encoding: {encoding}") from None
    if not getattr(codec, "_is_text_encoding", True) or not _keeps_ascii(encoding):
        raise DecodeError(f"encoding problem: {encoding} is not an ASCII-compatible text encoding")
    return encoding


def _keeps_ascii(encoding: str) -> bool:
    """Return whether `encoding` decodes ASCII source text to itself.

    CPython finds the coding cookie by reading the first lines as ASCII, so it rejects
    codecs such as hex, rot13, UTF-16 or punycode, and so does this check.
    """
    try:
        return _ASCII_PROBE.decode(encoding) == _ASCII_PROBE.decode("ascii")
    except (UnicodeError, ValueError, TypeError):
        return False


def decode(data: bytes) -> SourceText:
    """Decode source bytes with the encoding CPython would use.

    Raises DecodeError naming the encoding and the first bad line when the bytes do
    not decode.
    """
    encoding = detect_encoding(data)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        # `error.object` is the input the codec saw, without a BOM it skipped.
        line = len(_LINE_BREAK_BYTES.findall(error.object, 0, error.start)) + 1
        raise DecodeError(f"invalid {encoding} bytes on line {line}: {error.reason}") from None
    except UnicodeError as error:
        raise DecodeError(f"cannot decode as {encoding}: {error}") from None
    return SourceText(text, encoding)


def decode_lossy(data: bytes) -> SourceText:
    """Decode bytes that `decode` rejected, replacing what does not decode.

    The declared encoding is used when it exists, else UTF-8, so that the fallback
    scanner can still read the parts of the file that are intact.
    """
    try:
        encoding = detect_encoding(data)
    except DecodeError:
        encoding = "utf-8"
    if encoding == "utf-8" and data.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    try:
        return SourceText(data.decode(encoding, "replace"), encoding)
    except UnicodeError:
        # Some codecs, such as idna, support no error handler but "strict".
        return SourceText(data.decode("utf-8", "replace"), "utf-8")
