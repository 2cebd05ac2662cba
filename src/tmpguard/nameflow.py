"""Follow one local name through one scope of a parsed module: its bindings and uses.

The context check (is `dir=` a private folder?) and the fix planner (what does the code
do with the name?) both ask the same questions of the AST: which scope contains a node,
where a name is bound in that scope, and where it is read. The answers are
deliberately coarse: a name that also appears in a nested function, class, lambda or
comprehension is reported as escaping, and callers treat that as "data flow unclear".
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

SCOPES = (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
NESTED_SCOPES = (
    ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda,
    ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp,
)


@dataclass
class NameUses:
    """Every occurrence of one name directly in one scope, in source order.

    `bindings` are the nodes that bind the name (assignment targets, parameters,
    imports, `def`, `with ... as`, `except ... as`, `global`/`nonlocal` declarations);
    `loads` are the reads. `escapes` is true when the name also occurs inside a nested
    scope, where it may read or rebind the same variable.
    """

    bindings: list[ast.AST] = field(default_factory=list)
    loads: list[ast.Name] = field(default_factory=list)
    escapes: bool = False


class ModuleIndex:
    """Parent links for every node of a module, built in one walk."""

    def __init__(self, tree: ast.Module) -> None:
        self.tree = tree
        self.parents: dict[ast.AST, ast.AST] = {}
        for node in ast.walk(tree):
            for child in ast.iter_child_nodes(node):
                self.parents[child] = node

    def parent(self, node: ast.AST) -> ast.AST | None:
        return self.parents.get(node)

    def ancestors(self, node: ast.AST):
        """Yield the parents of `node`, innermost first, up to the module."""
        current = self.parents.get(node)
        while current is not None:
            yield current
            current = self.parents.get(current)

    def scope_of(self, node: ast.AST) -> ast.AST:
        """Return the innermost function, class, lambda, comprehension or module around `node`."""
        for ancestor in self.ancestors(node):
            if isinstance(ancestor, SCOPES + NESTED_SCOPES):
                return ancestor
        return self.tree

    def statement_of(self, node: ast.AST) -> ast.stmt | None:
        """Return the innermost statement that contains `node`, or `node` itself if it is one."""
        if isinstance(node, ast.stmt):
            return node
        for ancestor in self.ancestors(node):
            if isinstance(ancestor, ast.stmt):
                return ancestor
        return None

    def body_containing(self, statement: ast.stmt) -> list[ast.stmt] | None:
        """Return the statement list (a body, `orelse`, `finalbody`) that contains `statement`."""
        parent = self.parents.get(statement)
        if parent is None:
            return None
        for name in ("body", "orelse", "finalbody", "handlers"):
            block = getattr(parent, name, None)
            if isinstance(block, list) and any(item is statement for item in block):
                return block
        return None


def position(node: ast.AST) -> tuple[int, int]:
    return node.lineno, node.col_offset


def name_uses(scope: ast.AST, name: str) -> NameUses:
    """Collect the occurrences of `name` that belong to `scope` itself."""
    uses = NameUses()
    if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        uses.bindings.extend(argument for argument in _parameters(scope.args) if argument.arg == name)
        children = scope.body if isinstance(scope.body, list) else [scope.body]
    elif isinstance(scope, (ast.Module, ast.ClassDef)):
        children = scope.body
    else:
        children = list(ast.iter_child_nodes(scope))

    pending = list(reversed(children))
    while pending:
        node = pending.pop()
        if isinstance(node, NESTED_SCOPES):
            if getattr(node, "name", None) == name:
                uses.bindings.append(node)
            if _mentions(node, name):
                uses.escapes = True
            continue
        _record(node, name, uses)
        pending.extend(reversed(list(ast.iter_child_nodes(node))))

    uses.loads.sort(key=position)
    return uses


def _record(node: ast.AST, name: str, uses: NameUses) -> None:
    if isinstance(node, ast.Name) and node.id == name:
        if isinstance(node.ctx, ast.Load):
            uses.loads.append(node)
        else:
            uses.bindings.append(node)
    elif isinstance(node, (ast.Global, ast.Nonlocal)) and name in node.names:
        uses.bindings.append(node)
    elif isinstance(node, ast.alias) and (node.asname or node.name.split(".")[0]) == name:
        uses.bindings.append(node)
    elif isinstance(node, ast.ExceptHandler) and node.name == name:
        uses.bindings.append(node)
    elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name == name:
        uses.bindings.append(node)
    elif isinstance(node, ast.MatchMapping) and node.rest == name:
        uses.bindings.append(node)


def _mentions(node: ast.AST, name: str) -> bool:
    """Return True when `name` occurs anywhere inside `node`, as any kind of occurrence."""
    for inner in ast.walk(node):
        if isinstance(inner, ast.Name) and inner.id == name:
            return True
        if isinstance(inner, ast.arg) and inner.arg == name:
            return True
        if isinstance(inner, (ast.Global, ast.Nonlocal)) and name in inner.names:
            return True
    return False


def _parameters(arguments: ast.arguments) -> list[ast.arg]:
    every = arguments.posonlyargs + arguments.args + arguments.kwonlyargs
    return every + [argument for argument in (arguments.vararg, arguments.kwarg) if argument]


def module_declares_global(tree: ast.Module, name: str) -> bool:
    """Return True when any function in `tree` declares `global name`."""
    return any(isinstance(node, ast.Global) and name in node.names for node in ast.walk(tree))
