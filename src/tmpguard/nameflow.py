"""Follow one local name through one scope of a parsed module: its bindings and uses.

The context check decides whether `dir=` is a private folder, and the fix planner
decides what the code does with the name. Both need the same facts from the AST: which
scope contains a node, where a name is bound in that scope, and where it is read. The
results are deliberately coarse. A name that also appears in a nested function, class,
lambda or comprehension is reported as escaping, and callers treat that as "data flow
unclear".
"""

from __future__ import annotations

import ast
import bisect
import collections
import functools
from dataclasses import dataclass, field
from typing import Iterator

from tmpguard.ast_children import child_nodes
from tmpguard.word_lines import WordLines, any_between

SCOPES = (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
NESTED_SCOPES = (
    ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda,
    ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp,
)


@dataclass
class NameUses:
    """Every occurrence of one name directly in one scope, in source order.

    `bindings` are the nodes that bind the name (assignment targets, parameters,
    imports, `def`, `with ... as`, `except ... as`, `global`/`nonlocal` declarations).
    `loads` are the reads. `escapes` is true when the name also occurs inside a nested
    scope, where it may read or rebind the same variable.
    """

    bindings: list[ast.AST] = field(default_factory=list)
    loads: list[ast.Name] = field(default_factory=list)
    escapes: bool = False


class ModuleIndex:
    """Parent links for the nodes of a module, and the nodes whose lines name an identifier.

    Parent links are built when a node is first looked up, because most files with a
    finding are large and the callers look up only a few nodes. A node is found by its
    line: first by linking only the nodes on the way down to that line, then, if that
    misses it, its whole top-level statement. A node without a line that no built
    statement contains makes the index link the whole module. Expression contexts and
    operators (`Load()`, `Add()`) are shared by many nodes and get no parent.
    """

    def __init__(self, tree: ast.Module, lines: list[str], words: WordLines | None = None) -> None:
        self.tree = tree
        self.words = words or WordLines(lines)
        self.parents: dict[ast.AST, ast.AST] = {statement: tree for statement in tree.body}
        self._spans = [(_first_line(statement), statement.end_lineno or statement.lineno) for statement in tree.body]
        self._linked = [False] * len(tree.body)
        self._starts = [start for start, _ in self._spans]
        # The nodes whose children are linked to them.
        self._expanded: set[ast.AST] = set()

    def parent(self, node: ast.AST) -> ast.AST | None:
        if node not in self.parents and node is not self.tree:
            self._link_around(node)
        return self.parents.get(node)

    def nodes_naming(self, name: str) -> Iterator[ast.AST]:
        """Yield every node of the module whose lines contain the identifier `name`.

        Any node that binds or reads `name` is among them. A subtree whose lines lack
        the name is not entered, but a node without a line (`arguments`, `withitem`) is.
        """
        return self._walk_naming(name, None)

    def binding_candidates(self, name: str) -> Iterator[ast.AST]:
        """Yield the nodes of `nodes_naming(name)` that can contain a binding of `name`, in the same order.

        Any node that binds `name` is among them. Code reads names far more often than
        it binds them, so this walk also skips expressions that are not assignment
        targets, unless their lines contain `lambda`, `for` or `:=`. Inside such an
        expression, only a lambda's parameters, a comprehension's targets and the
        target of `:=` bind names, and each of those needs its keyword or operator.
        """
        marks = sorted({number for mark in _BINDING_MARKS for number in self.words.lines_containing(mark)})
        return self._walk_naming(name, marks)

    def _walk_naming(self, name: str, binding_marks: list[int] | None) -> Iterator[ast.AST]:
        lines = self.words.lines_with(name)
        pending: list[ast.AST] = [self.tree]
        while pending:
            node = pending.pop()
            if node is not self.tree:
                yield node
            for child in child_nodes(node):
                start = getattr(child, "lineno", None)
                if start is None:
                    pending.append(child)
                    continue
                first, last = _first_line(child), child.end_lineno or start
                if not any_between(lines, first, last):
                    continue
                if binding_marks is not None and _reads_only(child) and not any_between(binding_marks, first, last):
                    continue
                pending.append(child)

    def _link_around(self, node: ast.AST) -> None:
        line = getattr(node, "lineno", None)
        if line is not None:
            # Top-level statements are in line order, so a bisection finds the one
            # whose span contains the line. The statement before it may end there too.
            number = bisect.bisect_right(self._starts, line) - 1
            candidates = [
                candidate for candidate in (number - 1, number)
                if candidate >= 0 and self._spans[candidate][0] <= line <= self._spans[candidate][1]
            ]
            for candidate in candidates:
                self._link_line(self.tree.body[candidate], line)
            if node in self.parents:
                return
            for candidate in candidates:
                self._link(candidate)
        if node not in self.parents:
            for number in range(len(self._spans)):
                self._link(number)

    def _link_line(self, statement: ast.stmt, line: int) -> None:
        """Link the children of `statement` and of every node below it whose lines include `line`.

        A node without a line (`arguments`, `withitem`) is entered too, as in `nodes_naming`.
        """
        pending: list[ast.AST] = [statement]
        while pending:
            node = pending.pop()
            children = child_nodes(node)
            if node not in self._expanded:
                self._expanded.add(node)
                for child in children:
                    self.parents[child] = node
            for child in children:
                start = getattr(child, "lineno", None)
                if start is None or _first_line(child) <= line <= (child.end_lineno or start):
                    pending.append(child)

    def _link(self, number: int) -> None:
        if self._linked[number]:
            return
        self._linked[number] = True
        pending: list[ast.AST] = [self.tree.body[number]]
        while pending:
            node = pending.pop()
            for child in child_nodes(node):
                self.parents[child] = node
                pending.append(child)

    def ancestors(self, node: ast.AST):
        """Yield the parents of `node`, innermost first, up to the module."""
        current = self.parent(node)
        while current is not None:
            yield current
            current = self.parent(current)

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
        parent = self.parent(statement)
        if parent is None:
            return None
        for name in ("body", "orelse", "finalbody", "handlers"):
            block = getattr(parent, name, None)
            if isinstance(block, list) and any(item is statement for item in block):
                return block
        return None


def _first_line(node: ast.AST) -> int:
    """Return the first line of `node`, which for a decorated definition is its first decorator's."""
    decorators = getattr(node, "decorator_list", None)
    if not decorators:
        return node.lineno
    return min([node.lineno] + [decorator.lineno for decorator in decorators])


# The text without which an expression that is not an assignment target binds no name.
# Keywords and operators are ASCII, and `[0for x in y]` is valid (Python 3.11 accepts
# it with a warning), so these are searched as plain text, not as words.
_BINDING_MARKS = ("lambda", "for", ":=")


def _reads_only(node: ast.AST) -> bool:
    """Return True for an expression that is not an assignment or `del` target."""
    return isinstance(node, ast.expr) and isinstance(getattr(node, "ctx", _LOAD), ast.Load)


_LOAD = ast.Load()


def position(node: ast.AST) -> tuple[int, int]:
    return node.lineno, node.col_offset


def name_uses(scope: ast.AST, name: str) -> NameUses:
    """Collect the occurrences of `name` that belong to `scope` itself."""
    found = _scope_names(scope).get(name)
    if found is None:
        return NameUses()
    return NameUses(list(found.bindings), list(found.loads), found.escapes)


# One walk indexes every name of a scope, so a file with many findings in one scope
# costs one walk, not one per finding. Only a few recent scopes are kept, because each
# entry keeps its module's tree alive.
@functools.lru_cache(maxsize=4)
def _scope_names(scope: ast.AST) -> dict[str, NameUses]:
    index: dict[str, NameUses] = collections.defaultdict(NameUses)
    if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        for argument in _parameters(scope.args):
            index[argument.arg].bindings.append(argument)
        children = scope.body if isinstance(scope.body, list) else [scope.body]
    elif isinstance(scope, (ast.Module, ast.ClassDef)):
        children = scope.body
    else:
        children = list(ast.iter_child_nodes(scope))

    pending = list(reversed(children))
    while pending:
        node = pending.pop()
        if isinstance(node, NESTED_SCOPES):
            name = getattr(node, "name", None)
            if name:
                index[name].bindings.append(node)
            for mentioned in _mentioned_names(node):
                index[mentioned].escapes = True
            continue
        _record(node, index)
        pending.extend(reversed(list(ast.iter_child_nodes(node))))

    for uses in index.values():
        uses.loads.sort(key=position)
    return dict(index)


def _record(node: ast.AST, index: dict[str, NameUses]) -> None:
    if isinstance(node, ast.Name):
        uses = index[node.id]
        (uses.loads if isinstance(node.ctx, ast.Load) else uses.bindings).append(node)
    elif isinstance(node, (ast.Global, ast.Nonlocal)):
        for name in node.names:
            index[name].bindings.append(node)
    elif isinstance(node, ast.alias) and node.name != "*":
        index[node.asname or node.name.split(".")[0]].bindings.append(node)
    elif isinstance(node, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)) and node.name:
        index[node.name].bindings.append(node)
    elif isinstance(node, ast.MatchMapping) and node.rest:
        index[node.rest].bindings.append(node)


def _mentioned_names(node: ast.AST) -> set[str]:
    """Return every name that occurs inside `node` as a name, a parameter or a declaration."""
    names = set()
    for inner in ast.walk(node):
        if isinstance(inner, ast.Name):
            names.add(inner.id)
        elif isinstance(inner, ast.arg):
            names.add(inner.arg)
        elif isinstance(inner, (ast.Global, ast.Nonlocal)):
            names.update(inner.names)
    return names


def _parameters(arguments: ast.arguments) -> list[ast.arg]:
    every = arguments.posonlyargs + arguments.args + arguments.kwonlyargs
    return every + [argument for argument in (arguments.vararg, arguments.kwarg) if argument]


def module_declares_global(tree: ast.Module, name: str) -> bool:
    """Return True when any function in `tree` declares `global name`."""
    return any(isinstance(node, ast.Global) and name in node.names for node in ast.walk(tree))
