"""Decoding as CPython does, and columns in Unicode code points."""

from __future__ import annotations

import codecs

import pytest

from tmpguard.engine import scan_source
from tmpguard.findings import ScanStatus
from tmpguard.source import DecodeError, SourceText, decode


def spans(data: bytes) -> list[tuple[int, int, int, int]]:
    result = scan_source(data, "x.py")
    return [(f.start_line, f.start_column, f.end_line, f.end_column) for f in result.findings]


POSITIONS = [
    pytest.param(codecs.BOM_UTF8 + b"import tempfile; tempfile.mktemp()\n", [(1, 18, 1, 33)], id="bom-first-line"),
    pytest.param(b"import tempfile\r\n\r\nx = tempfile.mktemp()\r\n", [(3, 5, 3, 20)], id="crlf"),
    pytest.param(b"import tempfile\r\rx = tempfile.mktemp()\r", [(3, 5, 3, 20)], id="lone-cr"),
    pytest.param(b"import tempfile\rx = 1\ny = tempfile.mktemp()\r\n", [(3, 5, 3, 20)], id="mixed-line-breaks"),
    pytest.param(
        "# -*- coding: latin-1 -*-\nimport tempfile\ns = 'é'; tempfile.mktemp()\n".encode("latin-1"),
        [(3, 10, 3, 25)],
        id="latin-1-cookie",
    ),
    pytest.param(
        b"# -*- coding: latin-1 -*-\rimport tempfile\rs = '\xe9'; tempfile.mktemp()\r",
        [(3, 10, 3, 25)],
        id="latin-1-cookie-lone-cr",
    ),
    pytest.param(
        b"# coding: utf-7\nimport tempfile\ns = '+AOk-'; tempfile.mktemp()\n",
        [(3, 10, 3, 25)],
        id="utf-7-cookie",
    ),
    pytest.param("import tempfile\ns = 'éé'; tempfile.mktemp()\n".encode(), [(2, 11, 2, 26)], id="two-byte-characters"),
    pytest.param("import tempfile\n変数 = tempfile.mktemp()\n".encode(), [(2, 6, 2, 21)], id="three-byte-identifier"),
    pytest.param("import tempfile\ns = '😀'; tempfile.mktemp()\n".encode(), [(2, 10, 2, 25)], id="astral-character"),
    pytest.param(b"import tempfile\nif 1:\n\tx =\ttempfile.mktemp()\n", [(3, 6, 3, 21)], id="tabs"),
    pytest.param(b"import tempfile\n\x0cx = tempfile.mktemp()\n", [(2, 6, 2, 21)], id="form-feed"),
    pytest.param("import tempfile\nx = '\u2028'; y = tempfile.mktemp()\n".encode(), [(2, 14, 2, 29)], id="unicode-line-separator"),
    pytest.param(
        "import tempfile\nx = 'é'; y = tempfile.mktemp(\n    'é')\n".encode(),
        [(2, 14, 2, 29)],
        id="end-column-on-first-line",
    ),
    pytest.param(
        "import tempfile\ny = tempfile.\\\n    mktemp; z = 'é'\n".encode(),
        [(2, 5, 3, 11)],
        id="end-on-later-line",
    ),
]


@pytest.mark.parametrize(("data", "expected"), POSITIONS)
def test_positions(data, expected):
    assert spans(data) == expected


def test_snippet_without_line_break():
    result = scan_source(b"import tempfile\r\nx = tempfile.mktemp()\r\n", "x.py")

    assert result.findings[0].snippet == "x = tempfile.mktemp()"


def test_bom_not_in_snippet():
    result = scan_source(codecs.BOM_UTF8 + b"import tempfile; tempfile.mktemp()\n", "x.py")

    assert result.findings[0].snippet == "import tempfile; tempfile.mktemp()"


def test_fullwidth_identifier_normalised():
    # CPython reads identifiers in NFKC form, so a fullwidth `ｍ` spells `mktemp`.
    data = "import tempfile\ntempfile.ｍktemp()\n".encode()

    assert scan_source(data, "x.py").status is ScanStatus.ANALYSED
    assert spans(data) == [(2, 1, 2, 16)]


BAD_BYTES = [
    pytest.param(b"import tempfile\nx = '\xff'\ntempfile.mktemp()\n", "invalid utf-8 bytes on line 2", id="utf-8"),
    pytest.param(
        codecs.BOM_UTF8 + b"import tempfile\r\n\xe9\r\ntempfile.mktemp()\r\n",
        "invalid utf-8-sig bytes on line 2",
        id="bom-and-crlf",
    ),
    pytest.param(b"import tempfile\rx = '\xff'\rtempfile.mktemp()\r", "invalid utf-8 bytes on line 2", id="lone-cr"),
    pytest.param(b"# coding: no-such-codec\nimport tempfile\ntempfile.mktemp()\n", "unknown encoding", id="unknown-codec"),
]


@pytest.mark.parametrize(("data", "reason"), BAD_BYTES)
def test_undecodable_scanned_by_fallback(data, reason):
    result = scan_source(data, "x.py")

    assert result.status is ScanStatus.FALLBACK
    assert reason in result.reason
    assert spans(data) == [(3, 1, 3, 16)]


def test_cookie_found_with_lone_cr():
    data = b"# coding: latin-1\rimport tempfile\rs = '\xe9'; tempfile.mktemp()\r"

    assert scan_source(data, "x.py").status is ScanStatus.ANALYSED


def test_decode_rejects_bom_with_other_cookie():
    with pytest.raises(DecodeError):
        decode(codecs.BOM_UTF8 + b"# coding: latin-1\nx = 1\n")


def test_decode_reports_encoding():
    assert decode(b"# coding: latin-1\nx = 1\n").encoding == "iso-8859-1"


@pytest.mark.parametrize(
    ("line", "offset", "column"),
    [
        ("abc", 2, 3),
        ("é = 1", 2, 2),
        ("😀x", 4, 2),
        ("\tx", 1, 2),
    ],
)
def test_utf8_offset_to_column(line, offset, column):
    assert SourceText(line, "utf-8").column(1, offset) == column


def test_source_lines_split_like_cpython():
    source = SourceText("a\r\nb\rc\nd\x0ce\u2028f", "utf-8")

    assert source.lines == ["a", "b", "c", "d\x0ce\u2028f"]
