"""Iterate over the child nodes of an `ast` node faster than `ast.iter_child_nodes`.

`ast.iter_child_nodes` runs two generators and tests every field of every node. The
analysis walks large trees several times, so it reads each node class's fields once.
It leaves out the fields that hold only an expression context or an operator
(`Load()`, `Add()`, `Eq()`), because those nodes have no children, position or name.
"""

from __future__ import annotations

import ast

_LEAF_FIELDS = frozenset({"ctx", "op", "ops"})

_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}


def child_fields(kind: type) -> tuple[str, ...]:
    """Return the fields of node class `kind` that can hold child nodes, in field order."""
    found = _CHILD_FIELDS.get(kind)
    if found is None:
        found = _CHILD_FIELDS[kind] = tuple(name for name in kind._fields if name not in _LEAF_FIELDS)
    return found


def child_nodes(node: ast.AST) -> list[ast.AST]:
    """Return the child nodes of `node` in the order `ast.iter_child_nodes` yields them.

    Expression contexts and operators are left out.
    """
    children = []
    for name in child_fields(type(node)):
        value = getattr(node, name, None)
        if type(value) is list:
            children.extend(item for item in value if isinstance(item, ast.AST))
        elif isinstance(value, ast.AST):
            children.append(value)
    return children
