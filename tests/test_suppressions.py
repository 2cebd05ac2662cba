"""Suppression comments: which markers silence the rule, and on which lines."""

from __future__ import annotations

import pytest

from conftest import positions, scan_text
from tmpguard.engine import scan_source
from tmpguard.suppressions import comments, parse_markers

MARKERS = [
    ("# nosec", True),
    ("# noqa", True),
    ("#nosec", True),
    ("# NOSEC", True),
    ("# NoQA", True),
    ("# nosec B306", True),
    ("# nosec: VNX-PY-018", True),
    ("# nosec vnx-py-018", True),
    ("# noqa: S306", True),
    ("# noqa:S306", True),
    ("# noqa: S306, E501", True),
    ("# noqa:E501,S306", True),
    ("# noqa : b306", True),
    ("# nosec VNX018", True),
    ("# nosec B101,B306", True),
    ("# nosec - the folder is private", True),
    ("# nosec B306 - the folder is private", True),
    ("# explained elsewhere # nosec", True),
    ("# type: ignore # noqa: S306", True),
    ("# nosec B101", False),
    ("# noqa: S3060", False),
    ("# noqa: E501", False),
    ("# nosec: B3061", False),
    ("# noqa: VNX-PY-0180", False),
]


@pytest.mark.parametrize(("comment", "applies"), MARKERS)
def test_marker_applies_to_rule(comment, applies):
    markers = parse_markers(comment, 1)

    assert len(markers) == 1
    assert markers[0].applies_to_rule() is applies


@pytest.mark.parametrize("comment", ["# nosec-free", "# noqa123", "# nosecurity", "# not nosec", "# see noqa docs"])
def test_not_a_marker(comment):
    assert parse_markers(comment, 1) == []


def test_marker_codes_upper_case():
    (marker,) = parse_markers("# noqa: s306, e501", 7)

    assert marker.kind == "noqa"
    assert marker.line == 7
    assert marker.codes == frozenset({"S306", "E501"})


def test_comments_skip_strings():
    found = comments('x = "# nosec"  # real\ny = """\n# nosec\n"""\n')

    assert found == [(1, "# real")]


def test_comments_of_unparseable_source():
    found = comments('print "# nosec"  # real\ns = """\n')

    assert found == [(1, "# real")]


SUPPRESSED = [
    pytest.param(
        """\
        import tempfile
        a = tempfile.mktemp()  # nosec
        b = tempfile.mktemp()  # noqa: S306
        c = tempfile.mktemp()  # nosec B101
        d = tempfile.mktemp()  # noqa: S3060
        """,
        [(2, 5), (3, 5)],
        [(4, 5), (5, 5)],
        id="codes",
    ),
    pytest.param(
        """\
        import tempfile
        a = tempfile.mktemp(); s = "# nosec"
        b = tempfile.mktemp(\"\"\"
        # nosec
        \"\"\")
        """,
        [],
        [(2, 5), (3, 5)],
        id="marker-in-string",
    ),
    pytest.param(
        """\
        import tempfile
        path = tempfile.mktemp(
            suffix=".txt",
        )  # nosec
        other = tempfile.mktemp(  # noqa
            suffix=".txt",
        )
        """,
        [(2, 8), (5, 9)],
        [],
        id="multi-line-call",
    ),
    pytest.param(
        """\
        import tempfile
        # nosec
        a = tempfile.mktemp()
        b = tempfile.mktemp()
        # nosec
        """,
        [],
        [(3, 5), (4, 5)],
        id="marker-on-neighbouring-line",
    ),
    pytest.param(
        """\
        import tempfile
        with open(
            tempfile.mktemp()
        ):  # nosec
            tempfile.mktemp()
        """,
        [(3, 5)],
        [(5, 5)],
        id="with-header",
    ),
    pytest.param(
        """\
        import tempfile
        if tempfile.mktemp():
            # nosec
            pass
        if tempfile.mktemp():

            # nosec
            pass  # nosec
        """,
        [],
        [(2, 4), (5, 4)],
        id="comment-between-header-and-body",
    ),
    pytest.param(
        """\
        import tempfile
        if flag:
            pass
        elif tempfile.mktemp():  # nosec
            pass
        """,
        [(4, 6)],
        [],
        id="elif-header",
    ),
    pytest.param(
        """\
        import tempfile
        @decorate(tempfile.mktemp())
        def f(a=tempfile.mktemp(),
              b=1):  # nosec
            return tempfile.mktemp()
        """,
        [(2, 11), (3, 9)],
        [(5, 12)],
        id="decorated-def-header",
    ),
    pytest.param(
        """\
        import tempfile
        class C(tempfile.mktemp()):
            @decorate  # nosec
            def f(self):
                pass
        """,
        [],
        [(2, 9)],
        id="body-decorator-not-in-header",
    ),
    pytest.param(
        """\
        import tempfile
        try:
            pass
        except tempfile.mktemp():  # nosec
            pass
        try:  # nosec
            pass
        except tempfile.mktemp():
            pass
        """,
        [(4, 8)],
        [(8, 8)],
        id="except-clause-header",
    ),
    pytest.param(
        """\
        import tempfile
        match value:
            case _ if tempfile.mktemp():  # nosec
                pass
        match tempfile.mktemp():  # nosec
            # nosec
            case _:
                pass
        """,
        [(3, 15), (5, 7)],
        [],
        id="match-and-case-headers",
    ),
    pytest.param(
        """\
        import tempfile
        handlers = register(
            lambda: tempfile.mktemp(),
        )  # nosec
        """,
        [(3, 13)],
        [],
        id="lambda-in-multi-line-call",
    ),
]


@pytest.mark.parametrize(("source", "suppressed", "active"), SUPPRESSED)
def test_suppressed_positions(source, suppressed, active):
    result = scan_text(source)

    assert positions(result, suppressed=True) == suppressed
    assert positions(result) == active


def test_first_line_nosec_covers_file():
    result = scan_text("# nosec\nimport tempfile\ntempfile.mktemp()\n\ntempfile.mktemp()\n")

    assert positions(result, suppressed=True) == [(3, 1), (5, 1)]
    assert positions(result) == []


@pytest.mark.parametrize(
    "first_line",
    [
        pytest.param("# noqa", id="noqa"),
        pytest.param("# nosec B101", id="other-code"),
        pytest.param("import tempfile  # nosec", id="after-code"),
        pytest.param("", id="blank-line-before-marker"),
    ],
)
def test_first_line_marker_not_file_wide(first_line):
    result = scan_text(f"{first_line}\n# nosec\nimport tempfile\ntempfile.mktemp()\n")

    assert positions(result, suppressed=True) == []
    assert positions(result) == [(4, 1)]


@pytest.mark.parametrize("line_break", ["\n", "\r\n", "\r"])
def test_marker_line_with_any_line_break(line_break):
    source = line_break.join(["import tempfile", "x = 1", "y = tempfile.mktemp()  # nosec", "tempfile.mktemp()", ""])
    result = scan_source(source.encode("utf-8"), "x.py")

    assert positions(result, suppressed=True) == [(3, 5)]
    assert positions(result) == [(4, 1)]


def test_suppression_record():
    result = scan_text("import tempfile\nx = tempfile.mktemp()  # why # noqa: S306\n")
    suppression = result.findings[0].suppression

    assert suppression.kind == "inSource"
    assert suppression.line == 2
    assert suppression.text == "# why # noqa: S306"


def test_marker_elsewhere_skips_tokenizing(monkeypatch):
    """A marker on no line of the finding's statement cannot apply, so the file is not tokenized."""
    from tmpguard import suppressions

    def reject_tokenizing(text):
        raise AssertionError("tokenized a file whose markers cannot apply")

    monkeypatch.setattr(suppressions, "comments", reject_tokenizing)
    source = 'import tempfile\n\nx = 1  # noqa: E501\n\npath = tempfile.mktemp(\n    suffix=".txt",\n)\n'
    result = scan_source(source.encode(), "elsewhere.py")
    assert positions(result) == [(5, 8)]
    assert result.findings[0].suppression is None


def test_marker_inside_multiline_statement_applies():
    source = 'import tempfile\n\npath = tempfile.mktemp(\n    suffix=".txt",  # nosec\n)\n'
    result = scan_source(source.encode(), "multiline.py")
    assert positions(result, suppressed=True) == [(3, 8)]
    assert result.findings[0].suppression.line == 4


def test_crlf_continuation_keeps_marker_line():
    """A backslash before CRLF inside a string continues it on the next line in the fallback's lexer too."""
    source = b"import tempfile\r\nx = 'a\\\r\nb'\r\ntempfile.mktemp()  # nosec\r\ny = (\r\n"
    result = scan_source(source, "crlf.py")
    assert result.status.value == "fallback"
    assert positions(result, suppressed=True) == [(4, 1)]
    assert positions(result) == []
