"""The fallback scanner for files the running interpreter cannot parse.

Every source here contains a Python 2 statement or another syntax error, so the
engine must use the token scan. The first assert of the table test checks that.
"""

from __future__ import annotations

import pytest

from conftest import positions, scan_text
from tmpguard.findings import ScanStatus
from tmpguard.lexer import string_value, tokens

CASES = [
    pytest.param(
        """\
        import tempfile
        print "py2"
        name = f"{tempfile.mktemp()}"
        text = f"{{tempfile.mktemp()}}"
        long = rf'''a
        { tempfile.mktemp() }'''
        spec = f"{d['k']:{tempfile.mktemp()}}"
        """,
        [(3, 11), (6, 3), (7, 19)],
        id="f-string-fields",
    ),
    pytest.param(
        """\
        import tempfile
        print "hello"
        tempfile.mktemp()
        print >>log, tempfile.mktemp()
        """,
        [(3, 1), (4, 14)],
        id="python2-print",
    ),
    pytest.param(
        """\
        import tempfile
        x = (
        tempfile.mktemp()
        def
        """,
        [(3, 1)],
        id="unclosed-bracket",
    ),
    pytest.param(
        """\
        import tempfile
        exec "tempfile.mktemp()"
        # tempfile.mktemp()
        s = 'tempfile.mktemp()'  # tempfile.mktemp()
        b = b"tempfile.mktemp()"
        """,
        [],
        id="strings-and-comments",
    ),
    pytest.param(
        """\
        import tempfile
        print "x"
        s = '''
        tempfile.mktemp()
        '''; tempfile.mktemp()
        """,
        [(5, 6)],
        id="triple-quoted-string-spanning-lines",
    ),
    pytest.param(
        """\
        import tempfile
        s = 'unterminated
        tempfile.mktemp()
        """,
        [(3, 1)],
        id="unterminated-string-ends-at-line-end",
    ),
    pytest.param(
        """\
        import tempfile
        s = \"\"\"unterminated
        tempfile.mktemp()
        """,
        [],
        id="unterminated-triple-quoted-string-runs-to-end",
    ),
    pytest.param(
        """\
        import os, tempfile as t
        from tempfile import (mktemp as mk,
            mkstemp)
        print "x"
        t.mktemp()
        mk()
        mkstemp()
        """,
        [(5, 1), (6, 1)],
        id="aliases",
    ),
    pytest.param(
        """\
        from tempfile import *
        print "x"
        mktemp()
        """,
        [(3, 1)],
        id="star-import",
    ),
    pytest.param(
        """\
        import tempfile
        print "x"
        getattr(tempfile, "mktemp")()
        getattr(tempfile, 'mkstemp')()
        __import__("tempfile").mktemp()
        importlib.import_module("tempfile").mktemp
        import_module('tempfile').mktemp
        """,
        [(3, 1), (5, 1), (6, 1), (7, 1)],
        id="dynamic-lookups",
    ),
    pytest.param(
        """\
        import tempfile
        print "x"
        tempfile.mktemp = fake
        tempfile.mktemp == fake
        """,
        [(4, 1)],
        id="monkeypatch-assignment",
    ),
    pytest.param(
        """\
        from tempfile import mktemp
        print "x"
        call(mktemp=1)
        mktemp = None
        """,
        [],
        id="keyword-argument-and-rebinding",
    ),
    pytest.param(
        """\
        import tempfile
        print "x"
        obj.mktemp()
        obj.tempfile.mktemp()
        def mktemp():
            pass
        """,
        [],
        id="attributes-and-definitions",
    ),
    pytest.param(
        """\
        print "x"
        tempfile.mktemp()
        mktemp()
        """,
        [],
        id="without-import",
    ),
    pytest.param(
        """\
        import tempfile
        s = 'é😀'; print "x"; tempfile.mktemp()
        """,
        [(2, 22)],
        id="code-point-columns",
    ),
    pytest.param(
        """\
        import tempfile
        print "x"
        a = getattr(tempfile, "mk" "temp")()
        b = getattr(tempfile, "mk\\x74emp")()
        c = getattr(tempfile, "mk"  # split
            'te' r"mp")()
        d = __import__("temp" "file").mktemp()
        e = getattr(tempfile, b"mktemp")
        f = getattr(
            tempfile,
            "mktemp",
        )()
        """,
        [(3, 5), (4, 5), (5, 5), (7, 5), (9, 5)],
        id="spelled-constants",
    ),
    pytest.param(
        """\
        print "x"
        broken = (1,
        import tempfile
        tempfile.mktemp()
        """,
        [(4, 1)],
        id="import-after-open-bracket",
    ),
    pytest.param(
        """\
        import tempfile
        print "x"
        tempfile.\uff4d\uff4b\uff54\uff45\uff4d\uff50()
        \U0001d42d\U0001d41e\U0001d426\U0001d429\U0001d41f\U0001d422\U0001d425\U0001d41e.mktemp()
        """,
        [(3, 1), (4, 1)],
        id="nfkc-identifiers",
    ),
]


@pytest.mark.parametrize(("source", "expected"), CASES)
def test_fallback_findings(source, expected):
    result = scan_text(source)

    assert result.status is ScanStatus.FALLBACK
    assert positions(result) == expected


def test_fallback_reason_names_line():
    result = scan_text('import tempfile\nprint "x"\ntempfile.mktemp()\n')

    assert result.reason.startswith("syntax error on line 2: ")


def test_nul_byte_reason_has_no_line():
    result = scan_text("import tempfile\x00\ntempfile.mktemp()\n")

    assert result.status is ScanStatus.FALLBACK
    assert positions(result) == [(2, 1)]
    assert "None" not in result.reason


def test_fallback_end_position():
    result = scan_text('import tempfile\nprint "x"\ntempfile.\\\nmktemp()\n')

    spans = [(f.start_line, f.start_column, f.end_line, f.end_column) for f in result.findings]
    assert spans == [(3, 1, 4, 7)]


def test_fallback_suppression_after_bracket():
    result = scan_text(
        """\
        import tempfile
        print "x"
        tempfile.mktemp(
            suffix=".txt",
        )  # nosec
        tempfile.mktemp()
        """
    )

    assert positions(result, suppressed=True) == [(3, 1)]
    assert positions(result) == [(6, 1)]


def test_lexer_kinds_and_positions():
    lexed = [(token.kind, token.text, token.line, token.column) for token in tokens("x = 'a' # c\r\ny\n")]

    assert lexed == [
        ("name", "x", 1, 1),
        ("op", "=", 1, 3),
        ("string", "'a'", 1, 5),
        ("comment", "# c", 1, 9),
        ("newline", "\r\n", 1, 12),
        ("name", "y", 2, 1),
        ("newline", "\n", 2, 2),
    ]


@pytest.mark.parametrize(
    ("literal", "value"),
    [
        ('"mktemp"', "mktemp"),
        ("'''mktemp'''", "mktemp"),
        ("r'mktemp'", "mktemp"),
        ("b'mktemp'", None),
        ("f'mktemp'", None),
        ("'mk\\x74emp'", "mktemp"),
        ("'mk\\N{LATIN SMALL LETTER T}emp'", "mktemp"),
        ("ur'mktemp'", None),
        ("'unterminated", None),
    ],
)
def test_string_value(literal, value):
    assert string_value(literal) == value
