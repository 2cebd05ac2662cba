"""Escaping of untrusted text before it reaches a terminal: reports and log lines."""

from __future__ import annotations

import logging
import sys

import pytest

from tmpguard.escape import EscapingFormatter, printable


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("plain.py", "plain.py"),
        ("tab\tkept.py", "tab\tkept.py"),
        ("nön-ascii ✓.py", "nön-ascii ✓.py"),
        ("line\nbreak\r.py", "line\\nbreak\\r.py"),
        ("\x1b[2J\x1b]0;title\x07", "\\x1b[2J\\x1b]0;title\\x07"),
        ("nul\x00del\x7f", "nul\\x00del\\x7f"),
        ("c1 csi\x9b31m", "c1 csi\\x9b31m"),
        ("rlo\u202eoverride\u202c", "rlo\\u202eoverride\\u202c"),
        ("isolate\u2066x\u2069", "isolate\\u2066x\\u2069"),
        ("marks\u200e\u200f\u061c", "marks\\u200e\\u200f\\u061c"),
        ("zero\u200bwidth\ufeff", "zero\\u200bwidth\\ufeff"),
        ("separators\u2028\u2029", "separators\\u2028\\u2029"),
        ("tag\U000e0041", "tag\\U000e0041"),
        ("undecodable\udcff\udc80.py", "undecodable\\xff\\x80.py"),
        ("lone\ud800", "lone\\ud800"),
    ],
)
def test_printable_escapes(raw, shown):
    assert printable(raw) == shown


def test_printable_result_encodes_as_utf8():
    text = printable("".join(chr(code_point) for code_point in range(0x110000)))

    assert text.encode("utf-8")


def test_log_formatter_escapes_message_and_traceback():
    formatter = EscapingFormatter("tmpguard: %(levelname)s: %(message)s")
    try:
        raise ValueError("bad\x1b[2Jvalue")
    except ValueError:
        exc_info = sys.exc_info()
    record = logging.LogRecord(
        "tmpguard", logging.WARNING, __file__, 1, "%s: not scanned: %s", ("evil\n\x1b[1m.py", "reason"), exc_info
    )

    lines = formatter.format(record).split("\n")

    assert lines[0] == "tmpguard: WARNING: evil\\n\\x1b[1m.py: not scanned: reason"
    assert lines[1] == "Traceback (most recent call last):"
    assert lines[-1] == "ValueError: bad\\x1b[2Jvalue"
    assert all("\x1b" not in line for line in lines)
