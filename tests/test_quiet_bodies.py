"""Skipping function bodies that cannot matter changes no finding.

Every case is analysed twice, with the skip and without it, and both runs must report
the same matches at the same places.
"""

from __future__ import annotations

import ast
import textwrap
import warnings
from pathlib import Path

import pytest

import test_resolution
from tmpguard.analyzer import analyse
from tmpguard.source import DecodeError, decode

CASES = Path(__file__).parent / "cases"


def both_ways(source: str) -> list[tuple[int, int]]:
    """Analyse `source` with and without the skip; assert they agree and return (line, column) pairs."""
    text = textwrap.dedent(source)
    tree = ast.parse(text)
    lines = text.split("\n")
    skipped = analyse(tree, lines, skip_quiet_bodies=True).matches
    full = analyse(tree, lines, skip_quiet_bodies=False).matches
    assert skipped == full
    return [(match.line, match.column + 1) for match in skipped]


RESOLUTION_CASES = [
    case
    for group in ("ALIASES", "SHADOWING", "REBINDING", "CONDITIONAL", "IMPORTS", "DYNAMIC", "SCOPES", "NOT_THE_FUNCTION")
    for case in getattr(test_resolution, group)
]


@pytest.mark.parametrize(("source", "expected"), RESOLUTION_CASES)
def test_resolution_cases_agree(source, expected):
    assert both_ways(source) == expected


def labelled_files() -> list[Path]:
    return sorted(path for path in CASES.rglob("*.py"))


@pytest.mark.parametrize("path", labelled_files(), ids=lambda path: str(path.relative_to(CASES)))
def test_labelled_cases_agree(path):
    try:
        source = decode(path.read_bytes())
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(source.text)
    except (DecodeError, SyntaxError, RecursionError):
        pytest.skip("does not decode or parse, so the fallback scans it")
    skipped = analyse(tree, source.lines, skip_quiet_bodies=True).matches
    full = analyse(tree, source.lines, skip_quiet_bodies=False).matches
    assert skipped == full


TARGETED = [
    pytest.param(
        """\
        import tempfile as t
        def f():
            return t.mktemp()
        """,
        [(3, 12)],
        id="module-alias-in-function",
    ),
    pytest.param(
        """\
        from tempfile import mktemp as make
        def f():
            return make()
        """,
        [(3, 12)],
        id="renamed-function-in-function",
    ),
    pytest.param(
        """\
        import tempfile
        folder = vars(tempfile)
        def f():
            return folder["mktemp"]()
        """,
        [(4, 12)],
        id="module-dict-alias-in-function",
    ),
    pytest.param(
        """\
        import sys
        loaded = sys.modules
        def f():
            return loaded["tempfile"].mktemp()
        """,
        [(4, 12)],
        id="sys-modules-alias-in-function",
    ),
    pytest.param(
        """\
        import tempfile
        lookup = getattr
        def f():
            return lookup(tempfile, "mk" "temp")
        """,
        [(4, 12)],
        id="getattr-alias-in-function",
    ),
    pytest.param(
        """\
        from importlib import import_module as load
        def f():
            return load("tempfile").mktemp()
        """,
        [(3, 12)],
        id="import-module-alias-in-function",
    ),
    pytest.param(
        """\
        def outer():
            import tempfile as t
            def inner():
                return lambda: t.mktemp()
            return inner
        """,
        [(4, 24)],
        id="enclosing-function-alias-in-nested-lambda",
    ),
    pytest.param(
        """\
        def outer():
            def inner():
                return t.mktemp()
            import tempfile as t
            return inner
        """,
        [(3, 16)],
        id="enclosing-alias-bound-after-nested-def",
    ),
    pytest.param(
        """\
        def use():
            return t.mktemp()
        def setup():
            global t
            import tempfile as t
        """,
        [(2, 12)],
        id="global-binding-in-later-function",
    ),
    pytest.param(
        """\
        def outer():
            t = None
            def setup():
                nonlocal t
                import tempfile as t
            def use():
                return t.mktemp()
            return setup, use
        """,
        [(7, 16)],
        id="nonlocal-binding-in-sibling",
    ),
    pytest.param(
        """\
        import tempfile as t
        handlers = [lambda: 1, lambda: t.mktemp()]
        def unrelated(x):
            return [y * 2 for y in x]
        """,
        [(2, 32)],
        id="lambdas-and-unrelated-function",
    ),
    pytest.param(
        """\
        import tempfile as t
        def f():
            return t.ｍｋｔｅｍｐ()
        """,
        [(3, 12)],
        id="fullwidth-identifier",
    ),
    pytest.param(
        """\
        import sys
        def f():
            return sys.modules["temp\\x66ile"].mktemp()
        """,
        [(3, 12)],
        id="escaped-module-name",
    ),
    pytest.param(
        """\
        import tempfile
        def f(tempfile):
            return tempfile.mktemp()
        def g():
            return len([])
        """,
        [],
        id="parameter-shadows-module",
    ),
]


@pytest.mark.parametrize(("source", "expected"), TARGETED)
def test_targeted_cases_agree(source, expected):
    assert both_ways(source) == expected


def test_quiet_body_is_skipped():
    source = textwrap.dedent(
        """\
        import os
        import tempfile
        def f():
            return os.path.join("a", "b")
        name = tempfile.mktemp()
        """
    )
    tree = ast.parse(source)
    join = tree.body[2].body[0].value.func
    lines = source.split("\n")

    skipped = analyse(tree, lines, skip_quiet_bodies=True)
    full = analyse(tree, lines, skip_quiet_bodies=False)

    assert join not in skipped.qualified_names
    assert full.qualified_names[join] == frozenset({"os.path.join"})
    assert skipped.matches == full.matches
