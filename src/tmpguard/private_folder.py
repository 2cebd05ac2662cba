"""Recognise `mktemp(dir=d)` calls where `d` is a folder the same function made private.

`mkdtemp()` and `TemporaryDirectory()` create a folder with mode 0700 under a random
name, so no other user can create a file in it. A name that `mktemp()` picks inside
such a folder cannot be claimed by another user first, and the finding is reported
at a lower severity.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from tmpguard.nameflow import ModuleIndex, name_uses, position

FOLDER_FACTORIES = {
    "tempfile.mkdtemp": "mkdtemp()",
    "tempfile.TemporaryDirectory": "TemporaryDirectory()",
}

# Calls that can remove the folder, move it away or change its permissions or owner,
# after which another user could create a folder of that name again.
FOLDER_CHANGES = frozenset({
    "os.chmod", "os.rmdir", "os.removedirs", "os.rename", "os.renames", "os.replace",
    "shutil.rmtree", "shutil.move", "shutil.chown", "os.chown",
})

_FUNCTION_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Module)


@dataclass(frozen=True)
class PrivateFolder:
    """The variable passed as `dir=` and the call that created its folder."""

    variable: str
    factory: str


def flagged_call(index: ModuleIndex, node: ast.expr | None) -> ast.Call | None:
    """Return the call whose function is the flagged expression `node`, if it is called."""
    parent = index.parent(node) if node is not None else None
    if isinstance(parent, ast.Call) and parent.func is node:
        return parent
    return None


def dir_argument(call: ast.Call) -> ast.expr | None:
    """Return the `dir` argument of a `mktemp(suffix, prefix, dir)` call, if given."""
    for keyword in call.keywords:
        if keyword.arg == "dir":
            return keyword.value
    positional = []
    for argument in call.args:
        if isinstance(argument, ast.Starred):
            return None
        positional.append(argument)
    return positional[2] if len(positional) >= 3 else None


def private_folder(index: ModuleIndex, names: dict[ast.expr, frozenset[str]], node: ast.expr | None) -> PrivateFolder | None:
    """Return the private folder that the flagged call `node` picks its name in, if any.

    Only the plain case counts. `dir=` must be a variable bound exactly once in the
    same function (or module body), to `mkdtemp()` before the call or by `with
    TemporaryDirectory() as d:` around it. Before the flagged call, the variable must
    not be passed to a call in `FOLDER_CHANGES`.
    """
    call = flagged_call(index, node)
    folder = dir_argument(call) if call is not None else None
    if not isinstance(folder, ast.Name):
        return None

    scope = index.scope_of(call)
    if not isinstance(scope, _FUNCTION_SCOPES):
        return None
    uses = name_uses(scope, folder.id)
    if uses.escapes or len(uses.bindings) != 1:
        return None

    factory = _created_before(index, names, uses.bindings[0], call)
    # NOTE: only the direct calls in FOLDER_CHANGES count as changing the folder, so a
    # helper function that receives the variable and removes the folder goes unnoticed.
    if factory is None or _changed_before(index, names, uses.loads, call):
        return None
    return PrivateFolder(folder.id, factory)


def _factory(names: dict[ast.expr, frozenset[str]], value: ast.expr) -> str | None:
    if not isinstance(value, ast.Call):
        return None
    resolved = names.get(value.func, frozenset())
    for qualified_name, label in FOLDER_FACTORIES.items():
        if resolved == {qualified_name}:
            return label
    return None


def _created_before(index: ModuleIndex, names, binding: ast.AST, call: ast.Call) -> str | None:
    """Return the factory label when `binding` creates the folder on every path to `call`."""
    parent = index.parent(binding)

    if isinstance(parent, ast.Assign) and parent.targets == [binding]:
        factory = _factory(names, parent.value)
        if factory == "mkdtemp()" and _runs_before(index, parent, call):
            return factory
        return None

    if isinstance(parent, ast.withitem) and parent.optional_vars is binding:
        statement = index.parent(parent)
        factory = _factory(names, parent.context_expr)
        inside = any(ancestor is statement for ancestor in index.ancestors(index.statement_of(call)))
        if factory == "TemporaryDirectory()" and inside:
            return factory
    return None


def _runs_before(index: ModuleIndex, assignment: ast.stmt, call: ast.Call) -> bool:
    """Return True when `assignment` is an earlier statement of a block that encloses `call`."""
    block = index.body_containing(assignment)
    if block is None:
        return False
    start = next(number for number, item in enumerate(block) if item is assignment)
    statement = index.statement_of(call)
    for candidate in [statement, *index.ancestors(statement)]:
        for number, item in enumerate(block):
            if item is candidate:
                return number > start
    return False


def _changed_before(index: ModuleIndex, names, loads: list[ast.Name], call: ast.Call) -> bool:
    for load in loads:
        if position(load) >= position(call):
            break
        parent = index.parent(load)
        if isinstance(parent, ast.keyword):
            parent = index.parent(parent)
        if isinstance(parent, ast.Call) and names.get(parent.func, frozenset()) & FOLDER_CHANGES:
            return True
    return False
