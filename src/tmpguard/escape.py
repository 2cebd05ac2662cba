"""Make untrusted text inert before it reaches a terminal.

File names and source lines come from untrusted code. Written raw, an escape
sequence in them can move the cursor, rewrite earlier lines or retitle the window, and
a bidirectional override can make a line read differently from what it contains.
"""

from __future__ import annotations

import logging
import re

# Every character of the Unicode general categories Cc (control, except tab), Cf
# (format: bidirectional controls, zero-width characters, the BOM, tag characters),
# Zl and Zp (line and paragraph separators), as of Unicode 15.0, plus lone surrogates.
_UNSAFE = re.compile(
    "["
    "\x00-\x08\x0a-\x1f\x7f-\x9f\xad"
    "\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e"
    "\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
    "\ud800-\udfff"
    "]"
)

# `os.fsdecode` turns each byte of a file name that is not valid UTF-8 into a lone
# surrogate in this range (the surrogateescape error handler).
_ESCAPED_BYTES = range(0xDC80, 0xDD00)


_SHORT_ESCAPES = {"\n": "\\n", "\r": "\\r"}


def _escape(match: re.Match) -> str:
    character = match.group()
    if character in _SHORT_ESCAPES:
        return _SHORT_ESCAPES[character]
    code_point = ord(character)
    if code_point in _ESCAPED_BYTES:
        return f"\\x{code_point - 0xDC00:02x}"
    if code_point <= 0xFF:
        return f"\\x{code_point:02x}"
    if code_point <= 0xFFFF:
        return f"\\u{code_point:04x}"
    return f"\\U{code_point:08x}"


def printable(text: str) -> str:
    """Escape control, format and bidirectional characters as `\\n`, `\\x1b`, `\\u202e`, ...

    Each escaped character becomes a Python-style escape. An undecodable byte of a
    file name shows as the byte (`\\xff`). The result is always encodable as UTF-8.
    """
    return _UNSAFE.sub(_escape, text)


class EscapingFormatter(logging.Formatter):
    """A log formatter that escapes file names and other untrusted text in each record.

    The message is escaped whole, so a file name with a line break cannot forge a
    second log line. A traceback keeps its own line breaks and has each line escaped.
    """

    def formatMessage(self, record: logging.LogRecord) -> str:
        return printable(super().formatMessage(record))

    def formatException(self, exc_info) -> str:
        text = super().formatException(exc_info)
        return "\n".join(printable(line) for line in text.split("\n"))
