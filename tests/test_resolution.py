"""The resolution model: which expressions evaluate to `tempfile.mktemp`.

Each case is a small module and the exact (line, column) of every finding the
analyser must report in it, no more and no fewer.
"""

from __future__ import annotations

from unittest import mock

import pytest

from conftest import positions, scan_text
from tmpguard import engine
from tmpguard.findings import ScanStatus


def check(source: str, expected: list[tuple[int, int]]) -> None:
    """Assert the analyser's findings in `source`, with the prefilter switched off.

    Cases without the word `tempfile` would otherwise never reach the analyser.
    """
    with mock.patch.object(engine, "cannot_contain_target", lambda data: False), \
            mock.patch.object(engine, "may_contain_target", lambda text: True):
        result = scan_text(source)
    assert result.status is ScanStatus.ANALYSED, result.reason
    assert positions(result) == expected


ALIASES = [
    pytest.param(
        """\
        import tempfile as t
        t.mktemp()
        """,
        [(2, 1)],
        id="module-alias",
    ),
    pytest.param(
        """\
        from tempfile import mktemp as x
        x()
        mktemp()
        """,
        [(2, 1)],
        id="function-alias",
    ),
    pytest.param(
        """\
        import os.path, tempfile as tf
        tf.mktemp()
        """,
        [(2, 1)],
        id="alias-among-several-imports",
    ),
    pytest.param(
        """\
        import tempfile
        t = tempfile
        t.mktemp()
        """,
        [(3, 1)],
        id="module-assigned-to-name",
    ),
    pytest.param(
        """\
        import tempfile
        f = tempfile.mktemp
        f()
        """,
        [(2, 5)],
        id="function-assigned-reported-once",
    ),
    pytest.param(
        """\
        import tempfile.x
        tempfile.mktemp()
        """,
        [(2, 1)],
        id="submodule-import-binds-package",
    ),
    pytest.param(
        """\
        import tempfile, os
        m = tempfile if flag else os
        m.mktemp()
        n = m
        n.mktemp()
        """,
        [(3, 1), (5, 1)],
        id="alias-with-two-values",
    ),
    pytest.param(
        """\
        import tempfile
        m = None or tempfile
        m.mktemp()
        """,
        [(3, 1)],
        id="alias-through-boolean-operator",
    ),
]


@pytest.mark.parametrize(("source", "expected"), ALIASES)
def test_aliases(source, expected):
    check(source, expected)


SHADOWING = [
    pytest.param(
        """\
        import tempfile
        def f(tempfile):
            tempfile.mktemp()
        """,
        [],
        id="parameter",
    ),
    pytest.param(
        """\
        import tempfile
        def f(*, tempfile=tempfile):
            tempfile.mktemp()
        """,
        [],
        id="keyword-only-parameter",
    ),
    pytest.param(
        """\
        import tempfile
        def f():
            tempfile = object()
            tempfile.mktemp()
        """,
        [],
        id="local-variable",
    ),
    pytest.param(
        """\
        import tempfile
        def f():
            tempfile.mktemp()
            tempfile = None
        """,
        [],
        id="local-variable-bound-later",
    ),
    pytest.param(
        """\
        import tempfile
        def f():
            tempfile.mktemp()
            [0 for tempfile in range(2)]
            (lambda tempfile: 0)(1)
        """,
        [(3, 5)],
        id="nested-scopes-do-not-make-local",
    ),
    pytest.param(
        """\
        def outer():
            def inner():
                return tempfile.mktemp()
            import tempfile
        """,
        [(3, 16)],
        id="closure-sees-binding-made-later",
    ),
    pytest.param(
        """\
        from tempfile import mktemp
        def f():
            def mktemp():
                pass
            mktemp()
        mktemp()
        """,
        [(6, 1)],
        id="local-def",
    ),
    pytest.param(
        """\
        import tempfile
        class C:
            tempfile = None
            tempfile.mktemp()
            def method(self):
                tempfile.mktemp()
        """,
        [(6, 9)],
        id="class-attribute",
    ),
    pytest.param(
        """\
        from tempfile import mktemp
        class C:
            def mktemp(self):
                pass
            def method(self):
                return mktemp(), self.mktemp()
        """,
        [(6, 16)],
        id="method-named-mktemp",
    ),
    pytest.param(
        """\
        import tempfile
        for tempfile in range(3):
            tempfile.mktemp()
        """,
        [],
        id="loop-target",
    ),
    pytest.param(
        """\
        import tempfile
        with open("x") as tempfile:
            tempfile.mktemp()
        """,
        [],
        id="with-target",
    ),
    pytest.param(
        """\
        import tempfile
        try:
            pass
        except Exception as tempfile:
            tempfile.mktemp()
        """,
        [],
        id="exception-name",
    ),
    pytest.param(
        """\
        import tempfile
        (tempfile, other) = 1, 2
        tempfile.mktemp()
        """,
        [],
        id="tuple-target",
    ),
    pytest.param(
        """\
        import tempfile
        tempfile: int = 5
        tempfile.mktemp()
        """,
        [],
        id="annotated-assignment",
    ),
    pytest.param(
        """\
        def getattr(*arguments):
            pass
        import tempfile
        getattr(tempfile, "mktemp")
        """,
        [],
        id="builtin-shadowed",
    ),
]


@pytest.mark.parametrize(("source", "expected"), SHADOWING)
def test_shadowing(source, expected):
    check(source, expected)


REBINDING = [
    pytest.param(
        """\
        from tempfile import mktemp
        mktemp()
        def mktemp():
            pass
        mktemp()
        """,
        [(2, 1)],
        id="later-def",
    ),
    pytest.param(
        """\
        from tempfile import mktemp
        def f():
            mktemp()
        def mktemp():
            pass
        """,
        [],
        id="function-sees-final-redefinition",
    ),
    pytest.param(
        """\
        mktemp = None
        def f():
            mktemp()
        from tempfile import mktemp
        """,
        [(3, 5)],
        id="function-sees-final-import",
    ),
    pytest.param(
        """\
        import tempfile
        del tempfile
        tempfile.mktemp()
        """,
        [],
        id="deleted-name",
    ),
    pytest.param(
        """\
        import tempfile
        tempfile = None
        tempfile.mktemp()
        import tempfile
        tempfile.mktemp()
        """,
        [(5, 1)],
        id="rebound-then-imported-again",
    ),
]


@pytest.mark.parametrize(("source", "expected"), REBINDING)
def test_rebinding(source, expected):
    check(source, expected)


CONDITIONAL = [
    pytest.param(
        """\
        try:
            from tempfile import mktemp
        except ImportError:
            def mktemp():
                pass
        mktemp()
        """,
        [(6, 1)],
        id="try-except-import-error",
    ),
    pytest.param(
        """\
        try:
            import tempfile
        except ImportError:
            tempfile = None
        else:
            tempfile.mktemp()
        finally:
            tempfile.mktemp()
        """,
        [(6, 5), (8, 5)],
        id="try-else-finally",
    ),
    pytest.param(
        """\
        if flag:
            import tempfile
        else:
            tempfile = None
        tempfile.mktemp()
        """,
        [(5, 1)],
        id="if-else",
    ),
    pytest.param(
        """\
        import tempfile
        if flag:
            tempfile = None
            tempfile.mktemp()
        else:
            tempfile.mktemp()
        tempfile.mktemp()
        """,
        [(6, 5), (7, 1)],
        id="rebound-in-one-arm",
    ),
    pytest.param(
        """\
        import tempfile
        for tempfile in range(3):
            pass
        tempfile.mktemp()
        """,
        [(4, 1)],
        id="after-loop-that-may-not-run",
    ),
    pytest.param(
        """\
        import tempfile
        while flag:
            tempfile = None
        else:
            tempfile.mktemp()
        """,
        [(5, 5)],
        id="while-else",
    ),
    pytest.param(
        """\
        import tempfile
        match value:
            case 1:
                tempfile.mktemp()
            case tempfile:
                tempfile.mktemp()
        tempfile.mktemp()
        """,
        [(4, 9), (7, 1)],
        id="match-capture-pattern",
    ),
]


@pytest.mark.parametrize(("source", "expected"), CONDITIONAL)
def test_conditional_bindings(source, expected):
    check(source, expected)


IMPORTS = [
    pytest.param(
        """\
        from tempfile import *
        mktemp()
        """,
        [(2, 1)],
        id="star-import",
    ),
    pytest.param(
        """\
        from os import *
        mktemp()
        """,
        [],
        id="star-import-of-other-module",
    ),
    pytest.param(
        """\
        from tempfile import *
        def mktemp():
            pass
        mktemp()
        """,
        [],
        id="star-import-then-def",
    ),
    pytest.param(
        """\
        def f():
            import tempfile
            tempfile.mktemp()
        tempfile.mktemp()
        """,
        [(3, 5)],
        id="local-import",
    ),
    pytest.param(
        """\
        class C:
            def method(self):
                from tempfile import mktemp as fresh
                return fresh()
        """,
        [(4, 16)],
        id="local-import-in-method",
    ),
    pytest.param(
        """\
        def use():
            tempfile.mktemp()
        def load():
            global tempfile
            import tempfile
        """,
        [(2, 5)],
        id="global-import-seen-by-earlier-function",
    ),
    pytest.param(
        """\
        def load():
            global t
            import tempfile as t
        load()
        t.mktemp()
        """,
        [(5, 1)],
        id="global-import-seen-by-module",
    ),
    pytest.param(
        """\
        import tempfile
        def reset():
            global tempfile
            tempfile = None
        def use():
            tempfile.mktemp()
        """,
        [(6, 5)],
        id="global-rebinding-may-not-run",
    ),
    pytest.param(
        """\
        import tempfile
        def f():
            global tempfile
            tempfile.mktemp()
        """,
        [(4, 5)],
        id="global-lookup",
    ),
    pytest.param(
        """\
        def outer():
            tempfile = None
            def inner():
                nonlocal tempfile
                import tempfile
            inner()
            tempfile.mktemp()
        """,
        [(7, 5)],
        id="nonlocal-import",
    ),
    pytest.param(
        """\
        def use():
            tempfile.mktemp()
        def load():
            global tempfile
            if flag:
                import tempfile
            else:
                tempfile = None
        """,
        [(2, 5)],
        id="global-import-in-branch",
    ),
    pytest.param(
        """\
        def outer():
            tempfile = None
            def inner():
                nonlocal tempfile
                try:
                    import tempfile
                except ImportError:
                    pass
            inner()
            tempfile.mktemp()
        """,
        [(10, 5)],
        id="nonlocal-import-in-branch",
    ),
    pytest.param(
        """\
        import tempfile
        def outer():
            tempfile = None
            def inner():
                nonlocal tempfile
                tempfile.mktemp()
        """,
        [],
        id="nonlocal-lookup",
    ),
    pytest.param(
        """\
        from . import tempfile
        tempfile.mktemp()
        """,
        [],
        id="relative-import",
    ),
    pytest.param(
        """\
        from .tempfile import mktemp
        mktemp()
        """,
        [],
        id="relative-from-import",
    ),
    pytest.param(
        """\
        from vendored import tempfile
        tempfile.mktemp()
        """,
        [],
        id="vendored-module",
    ),
    pytest.param(
        """\
        import vendored.tempfile
        vendored.tempfile.mktemp()
        from vendored.tempfile import mktemp
        mktemp()
        """,
        [],
        id="vendored-submodule",
    ),
]


@pytest.mark.parametrize(("source", "expected"), IMPORTS)
def test_imports(source, expected):
    check(source, expected)


DYNAMIC = [
    pytest.param(
        """\
        import tempfile
        getattr(tempfile, "mktemp")()
        getattr(tempfile, "mktemp", None)
        """,
        [(2, 1), (3, 1)],
        id="getattr-constant",
    ),
    pytest.param(
        """\
        import tempfile
        getattr(tempfile, "mkstemp")
        name = "mktemp"
        getattr(tempfile, name)
        """,
        [],
        id="getattr-other-or-variable",
    ),
    pytest.param(
        """\
        __import__("tempfile").mktemp()
        __import__("tempfile.sub").mktemp
        __import__("tempfile", fromlist=["mktemp"]).mktemp
        """,
        [(1, 1), (2, 1), (3, 1)],
        id="dunder-import",
    ),
    pytest.param(
        """\
        import importlib
        importlib.import_module("tempfile").mktemp()
        importlib.import_module(".tempfile", "package").mktemp()
        """,
        [(2, 1)],
        id="importlib-import-module",
    ),
    pytest.param(
        """\
        from importlib import import_module
        import_module("tempfile").mktemp
        """,
        [(2, 1)],
        id="import-module-imported-by-name",
    ),
    pytest.param(
        """\
        import sys
        sys.modules["tempfile"].mktemp()
        """,
        [(2, 1)],
        id="sys-modules",
    ),
    pytest.param(
        """\
        import tempfile
        vars(tempfile)["mktemp"]()
        tempfile.__dict__["mktemp"]
        """,
        [(2, 1), (3, 1)],
        id="module-dictionary",
    ),
    pytest.param(
        """\
        getattr(__import__("tempfile"), "mktemp")
        """,
        [(1, 1)],
        id="getattr-of-dunder-import",
    ),
    pytest.param(
        """\
        from importlib import import_module
        import importlib, sys
        import_module(name="tempfile").mktemp
        importlib.__import__("tempfile").mktemp
        sys.modules.get("tempfile").mktemp
        __import__(name="tempfile").mktemp
        """,
        [(3, 1), (4, 1), (5, 1), (6, 1)],
        id="keyword-and-module-level-import-functions",
    ),
    pytest.param(
        """\
        import sys
        sys.modules.get("os").mktemp
        import_module = None
        import_module("tempfile").mktemp
        """,
        [],
        id="lookups-of-other-modules-or-rebound-functions",
    ),
]


@pytest.mark.parametrize(("source", "expected"), DYNAMIC)
def test_dynamic_lookups(source, expected):
    check(source, expected)


SCOPES = [
    pytest.param(
        """\
        class C:
            from tempfile import mktemp
            mktemp()
            def method(self):
                mktemp()
        """,
        [(3, 5)],
        id="method-does-not-see-class-names",
    ),
    pytest.param(
        """\
        import tempfile
        class C:
            t = tempfile
            def method(self):
                t.mktemp()
        """,
        [],
        id="class-alias-not-seen-by-method",
    ),
    pytest.param(
        """\
        from tempfile import mktemp
        class C:
            mktemp = 1
            names = [mktemp for _ in range(2)]
            value = mktemp
        """,
        [(4, 14)],
        id="class-comprehension-sees-module",
    ),
    pytest.param(
        """\
        import tempfile
        class C:
            factory = tempfile.mktemp
        """,
        [(3, 15)],
        id="class-body",
    ),
    pytest.param(
        """\
        import tempfile
        make = lambda: tempfile.mktemp()
        other = lambda tempfile: tempfile.mktemp()
        """,
        [(2, 16)],
        id="lambda",
    ),
    pytest.param(
        """\
        import tempfile
        a = [tempfile.mktemp() for _ in range(2)]
        b = {tempfile.mktemp() for _ in range(2)}
        c = {k: tempfile.mktemp for k in range(2)}
        d = list(tempfile.mktemp() for _ in range(2))
        e = [tempfile.mktemp() for tempfile in range(2)]
        """,
        [(2, 6), (3, 6), (4, 9), (5, 10)],
        id="comprehensions",
    ),
    pytest.param(
        """\
        import tempfile
        @tempfile.mktemp
        def f():
            pass
        @wraps(tempfile.mktemp)
        def g():
            pass
        """,
        [(2, 2), (5, 8)],
        id="decorators",
    ),
    pytest.param(
        """\
        import tempfile
        def f(a=tempfile.mktemp(), *, b=tempfile.mktemp):
            pass
        g = lambda factory=tempfile.mktemp: factory()
        """,
        [(2, 9), (2, 33), (4, 20)],
        id="default-arguments",
    ),
    pytest.param(
        """\
        import tempfile
        s = f"{tempfile.mktemp()} and {tempfile.mktemp!r:>{10}}"
        t = f\"\"\"
          {tempfile.mktemp()}
        \"\"\"
        """,
        [(2, 8), (2, 32), (4, 4)],
        id="f-strings",
    ),
    pytest.param(
        """\
        import tempfile
        match value:
            case tempfile.mktemp:
                pass
            case _ if tempfile.mktemp():
                pass
            case _:
                tempfile.mktemp()
        """,
        [(3, 10), (5, 15), (8, 9)],
        id="match-arms",
    ),
    pytest.param(
        """\
        import tempfile
        if (factory := tempfile.mktemp):
            factory()
        """,
        [(2, 16)],
        id="walrus",
    ),
    pytest.param(
        """\
        import tempfile
        [(t := tempfile) for _ in range(1)]
        t.mktemp()
        def f():
            [(u := tempfile) for _ in range(1)]
            u.mktemp()
        """,
        [(3, 1), (6, 5)],
        id="walrus-in-comprehension-binds-outside",
    ),
    pytest.param(
        """\
        import tempfile
        def outer():
            def inner():
                return tempfile.mktemp()
        """,
        [(4, 16)],
        id="nested-function",
    ),
]


@pytest.mark.parametrize(("source", "expected"), SCOPES)
def test_scopes(source, expected):
    check(source, expected)


NOT_THE_FUNCTION = [
    pytest.param(
        """\
        import tempfile
        tempfile.mktemp = lambda: "x"
        del tempfile.mktemp
        tempfile.mktemp += "y"
        setattr(tempfile, "mktemp", None)
        """,
        [],
        id="monkeypatch-assignment-and-del",
    ),
    pytest.param(
        """\
        def build(tmp_path_factory, self):
            tmp_path_factory.mktemp("data")
            self.mktemp()
        """,
        [],
        id="other-objects-methods",
    ),
    pytest.param(
        """\
        import tempfile
        call(mktemp=1)
        # tempfile.mktemp()
        text = "tempfile.mktemp()"
        """,
        [],
        id="keyword-comment-string",
    ),
]


@pytest.mark.parametrize(("source", "expected"), NOT_THE_FUNCTION)
def test_not_the_function(source, expected):
    check(source, expected)


def test_finding_end_position():
    result = scan_text(
        """\
        import tempfile
        x = tempfile.mktemp(
            suffix=".txt",
        )
        y = tempfile.\\
            mktemp
        """
    )

    spans = [(f.start_line, f.start_column, f.end_line, f.end_column) for f in result.findings]
    assert spans == [(2, 5, 2, 20), (5, 5, 6, 11)]
