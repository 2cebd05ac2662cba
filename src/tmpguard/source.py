"""Decode Python source bytes as CPython does and map AST offsets to code-point columns."""

from __future__ import annotations

import codecs
import io
import re
import tokenize
from dataclasses import dataclass, field
from functools import cached_property

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class DecodeError(Exception):
    """Raised when source bytes cannot be decoded under CPython's rules."""


@dataclass
class SourceText:
    """Decoded source text with the line table that positions are computed from."""

    text: str
    encoding: str
    _utf8_lines: dict[int, bytes] = field(init=False, default_factory=dict)

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
        encoded = self._utf8_lines.get(line)
        if encoded is None:
            encoded = self._utf8_lines[line] = text.encode("utf-8", "surrogatepass")
        return len(encoded[:utf8_offset].decode("utf-8", "ignore")) + 1

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
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as error:
        raise DecodeError(str(error.msg if hasattr(error, "msg") else error)) from None
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise DecodeError(f"unknown encoding: {encoding}") from None
    return encoding


def decode(data: bytes) -> SourceText:
    """Decode source bytes with the encoding CPython would use.

    Raises DecodeError naming the encoding and the first bad line when the bytes do
    not decode.
    """
    encoding = detect_encoding(data)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise DecodeError(f"invalid {encoding} bytes on line {line}: {error.reason}") from None
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
    return SourceText(data.decode(encoding, "replace"), encoding)
