"""Find the names local to a function: those its body binds anywhere.

Python decides at compile time that a name bound anywhere in a function body is
local to the whole body, unless the body declares it `global` or `nonlocal`. A use
before the binding raises UnboundLocalError instead of reading an enclosing scope.

Only statements can bind names, except assignment expressions (`:=`), so the
expressions of a body are searched only when the caller says the source has one.
"""

from __future__ import annotations

import ast

_NESTED_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
_BODIES = ("body", "orelse", "finalbody", "handlers", "cases")
_TYPE_ALIAS = getattr(ast, "TypeAlias", ())  # the `type X = ...` statement, Python 3.12+


def local_names(function: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda, walrus: bool) -> frozenset[str]:
    """Return the names local to `function`: its parameters and what its body binds.

    Pass `walrus=False` only when the source contains no `:=`, which lets the search
    skip expressions.
    """
    arguments = function.args
    every = arguments.posonlyargs + arguments.args + arguments.kwonlyargs
    every += [argument for argument in (arguments.vararg, arguments.kwarg) if argument]
    bound = {argument.arg for argument in every}
    declared: set[str] = set()

    body = [] if isinstance(function, ast.Lambda) else function.body
    _collect_statements(body, bound, declared)
    if walrus:
        bound |= _assignment_expression_targets(function)
    return frozenset(bound - declared)


def _collect_statements(statements: list[ast.AST], bound: set[str], declared: set[str]) -> None:
    for statement in statements:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(statement.name)
            continue

        if isinstance(statement, (ast.Import, ast.ImportFrom)):
            bound.update(alias.asname or alias.name.split(".")[0] for alias in statement.names if alias.name != "*")
        elif isinstance(statement, (ast.Global, ast.Nonlocal)):
            declared.update(statement.names)
        elif isinstance(statement, (ast.Assign, ast.Delete)):
            for target in statement.targets:
                _collect_target(target, bound)
        elif isinstance(statement, (ast.AugAssign, ast.AnnAssign, ast.For, ast.AsyncFor)):
            _collect_target(statement.target, bound)
        elif isinstance(statement, (ast.With, ast.AsyncWith)):
            for item in statement.items:
                if item.optional_vars is not None:
                    _collect_target(item.optional_vars, bound)
        elif isinstance(statement, ast.ExceptHandler) and statement.name:
            bound.add(statement.name)
        elif isinstance(statement, ast.match_case):
            _collect_pattern(statement.pattern, bound)
        elif isinstance(statement, _TYPE_ALIAS):
            _collect_target(statement.name, bound)

        for field in _BODIES:
            nested = getattr(statement, field, None)
            if nested:
                _collect_statements(nested, bound, declared)


def _collect_target(target: ast.expr, bound: set[str]) -> None:
    """Add the names an assignment target binds. Attributes and subscripts bind none."""
    if isinstance(target, ast.Name):
        bound.add(target.id)
    elif isinstance(target, (ast.Tuple, ast.List)):
        for element in target.elts:
            _collect_target(element, bound)
    elif isinstance(target, ast.Starred):
        _collect_target(target.value, bound)


def _collect_pattern(pattern: ast.pattern, bound: set[str]) -> None:
    for node in ast.walk(pattern):
        if isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            bound.add(node.name)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            bound.add(node.rest)


def _assignment_expression_targets(function: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> set[str]:
    """Return the targets of `:=` in the body of `function`, including its comprehensions.

    Decorators and default values run in the enclosing scope, so they are not searched.
    """
    targets = set()
    pending = [function.body] if isinstance(function, ast.Lambda) else list(function.body)
    while pending:
        node = pending.pop()
        if isinstance(node, _NESTED_SCOPES):
            continue
        if isinstance(node, ast.NamedExpr):
            targets.add(node.target.id)
        pending.extend(ast.iter_child_nodes(node))
    return targets
