"""The module index's parent links and binding search against full walks of the tree.

Both look only at the parts of the tree whose lines can matter, so each is checked
against a walk of the whole tree on code with every kind of binding.
"""

from __future__ import annotations

import ast
import textwrap
import warnings

import pytest

from tmpguard.fixes.plan import _bound_name
from tmpguard.nameflow import ModuleIndex
from tmpguard.word_lines import WordLines

SOURCE = textwrap.dedent(
    """\
    import os, os.path as osp
    from tempfile import *
    from . import sibling
    global_name = [os for os in range(3)]

    @decorate(lambda os: os)
    def outer(os=None, *items, key: "os" = 1, **options):
        global counter
        counter = (os := 2)
        del os
        try:
            import os
        except OSError as os:
            pass
        for os, (a, *os) in pairs:
            with open(os) as os, opened() as (os, b):
                print(f"{os!r:>{width}}", [0for os in a])
        async def inner():
            nonlocal os
            async for os in stream():
                yield {os: os for os in os}
        class os(Base, metaclass=Meta):
            os = os.attribute
        match command:
            case [os, *os]:
                pass
            case {"key": os, **os}:
                pass
            case Point(x=os) | os:
                pass
        return lambda os=os: os

    os.path.join(os.sep, (os := "x"))
    value = os.environ["HOME"] if os.name else os.getcwd()
    """
)

NAMES = ["os", "osp", "sibling", "global_name", "outer", "counter", "a", "b", "items", "key", "options",
         "inner", "mktemp", "x", "value", "print"]


def module_index() -> tuple[ast.Module, ModuleIndex]:
    with warnings.catch_warnings():
        # `0for` is valid, but Python 3.11 warns about it.
        warnings.simplefilter("ignore", SyntaxWarning)
        tree = ast.parse(SOURCE)
    lines = SOURCE.split("\n")
    return tree, ModuleIndex(tree, lines, WordLines(lines))


def parents_by_walk(tree: ast.Module) -> dict[ast.AST, ast.AST]:
    found = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, (ast.expr_context, ast.operator, ast.boolop, ast.unaryop, ast.cmpop)):
                found[child] = node
    return found


@pytest.mark.parametrize("name", NAMES)
def test_binding_candidates_find_every_binding(name):
    tree, index = module_index()
    everywhere = [node for node in ast.walk(tree) if _bound_name(node) == name]
    candidates = [node for node in index.binding_candidates(name) if _bound_name(node) == name]

    assert {id(node) for node in candidates} == {id(node) for node in everywhere}
    assert len(candidates) == len(everywhere)


@pytest.mark.parametrize("name", NAMES)
def test_binding_candidates_match_nodes_naming(name):
    tree, index = module_index()
    naming = [node for node in index.nodes_naming(name) if _bound_name(node) == name]
    candidates = [node for node in index.binding_candidates(name) if _bound_name(node) == name]

    assert candidates == naming


def test_binding_candidates_skip_reads():
    tree, index = module_index()
    candidates = list(index.binding_candidates("os"))
    reads = [node for node in candidates if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)]

    assert len(candidates) < len(list(index.nodes_naming("os")))
    # The read of `os` on the last line is in no lambda, comprehension or `:=`.
    assert not [node for node in reads if node.lineno == SOURCE.count("\n")]


def test_parent_of_each_node_alone():
    tree, _ = module_index()
    expected = parents_by_walk(tree)
    for node, parent in expected.items():
        index = ModuleIndex(tree, SOURCE.split("\n"))
        assert index.parent(node) is parent, ast.dump(node)


def test_parent_of_every_node_in_one_index():
    tree, index = module_index()
    expected = parents_by_walk(tree)
    for node, parent in expected.items():
        assert index.parent(node) is parent, ast.dump(node)
    assert index.parent(tree) is None


def test_ancestors_reach_module():
    tree, index = module_index()
    target = next(node for node in ast.walk(tree) if isinstance(node, ast.Constant) and node.value == "key")
    ancestors = list(index.ancestors(target))

    assert ancestors[-1] is tree
    assert isinstance(ancestors[0], ast.MatchMapping)
    assert isinstance(index.statement_of(target), ast.Match)


def test_lines_containing_counts_parts_of_words():
    words = WordLines(["x = [0for y in z]", "information = 1", "f(a := 1)", "pass", "lambda_ = 2"])

    assert words.lines_containing("for") == [1, 2]
    assert words.lines_containing(":=") == [3]
    assert words.lines_containing("lambda") == [5]
    assert words.lines_with("for") == []
