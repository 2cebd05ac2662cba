"""Which names a function body makes local."""

from __future__ import annotations

import ast
import textwrap

import pytest

from tmpguard.local_names import local_names

FUNCTION = textwrap.dedent(
    """\
    def f(a, /, b, *c, d=(z := 1), **e):
        x = 1
        y, [w, *v] = 2
        o.attr = s[0] = 3
        k += 1
        an: int
        del q
        import os.path, json as j
        from m import *
        from m import n as nn
        global g
        nonlocal h
        g = h = 1
        for i in r:
            pass
        with a as (wa, wb), b:
            pass
        try:
            pass
        except E as ex:
            pass
        match m:
            case [p1, *p2] | {"k": p3, **p4} if (guard := 1):
                pass
        class K:
            inner = 1
        def fn(inner2=1):
            inner3 = 1
        [(walrus := 1) for comp in r]
        lambda lam: (lam2 := 1)
    """
)

STATEMENT_NAMES = {
    "a", "b", "c", "d", "e", "x", "y", "w", "v", "k", "an", "q", "os", "j", "nn",
    "i", "wa", "wb", "ex", "p1", "p2", "p3", "p4", "K", "fn",
}


@pytest.fixture(scope="module")
def function():
    return ast.parse(FUNCTION).body[0]


def test_local_names_without_walrus(function):
    assert local_names(function, walrus=False) == STATEMENT_NAMES


def test_local_names_with_walrus(function):
    assert local_names(function, walrus=True) == STATEMENT_NAMES | {"guard", "walrus"}


def test_lambda_local_names():
    expression = ast.parse("lambda a, *b: (c := a)", mode="eval").body

    assert local_names(expression, walrus=True) == {"a", "b", "c"}
