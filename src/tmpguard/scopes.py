"""A small name-resolution model: bindings and a stack of scopes, after pyflakes.

A binding records what a name refers to as a qualified name ("tempfile",
"tempfile.mktemp", "builtins.getattr") when that is known statically, or None for
any other value. A name may have several live bindings when it was bound in a branch
(`if`, `except`, a loop body), so lookups return every binding that may be in effect.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass, field
from typing import Iterable

_BUILTIN_NAMES = frozenset(dir(builtins))
_FUNCTION_KINDS = ("function", "lambda")

Bindings = dict[str, tuple["Binding", ...]]


@dataclass(frozen=True)
class Binding:
    """The qualified name that one assignment, import or definition bound a name to."""

    name: str
    qualified_name: str | None


# Made once, because builtin names are looked up often and bindings are immutable.
_BUILTIN_BINDINGS = {name: (Binding(name, f"builtins.{name}"),) for name in _BUILTIN_NAMES}


@dataclass(eq=False)
class Scope:
    """One Python scope: module, class, function, lambda or comprehension.

    Scopes compare by identity: two scopes with the same bindings are still two.
    """

    kind: str
    name: str = ""
    bindings: Bindings = field(default_factory=dict)
    global_names: set[str] = field(default_factory=set)
    nonlocal_names: set[str] = field(default_factory=set)
    local_names: frozenset[str] = frozenset()
    """Names a function body binds anywhere: they never resolve to an enclosing scope."""

    def bind(self, name: str, qualified_names: Iterable[str], join: bool) -> None:
        """Bind `name` to the values `qualified_names` may denote (none: an unknown value).

        A joined binding adds to the bindings already live instead of replacing them,
        for code that may not run, such as a function body binding a global name.
        """
        ordered = sorted(qualified_names)
        new = tuple(Binding(name, qualified) for qualified in ordered) if ordered else (Binding(name, None),)
        previous = self.bindings.get(name) if join else None
        if previous:
            new = previous + tuple(binding for binding in new if binding not in previous)
        self.bindings[name] = new


# The bindings of some scopes at one point of the analysis.
State = list[tuple[Scope, Bindings]]


class ScopeStack:
    """The scopes enclosing the code being analysed, innermost last."""

    def __init__(self, scopes: list[Scope]) -> None:
        self.scopes = scopes

    @property
    def current(self) -> Scope:
        return self.scopes[-1]

    def push(self, scope: Scope) -> None:
        self.scopes.append(scope)

    def pop(self) -> Scope:
        return self.scopes.pop()

    def snapshot(self) -> list[Scope]:
        """Return the chain of scopes, shared, for code that runs later (function bodies)."""
        return list(self.scopes)

    def bind(self, name: str, qualified_names: Iterable[str], from_comprehension: bool = False) -> Scope:
        """Bind `name` where Python would, honouring `global` and `nonlocal`, and return that scope.

        An assignment expression (`:=`) in a comprehension binds in the nearest
        enclosing scope that is not a comprehension, so it passes `from_comprehension`.
        A binding in any scope but the innermost one is joined, because the code that
        makes it may run zero times (a comprehension) or not at all (a function body).
        """
        scope = self._binding_scope(name, from_comprehension)
        scope.bind(name, qualified_names, join=scope is not self.current)
        return scope

    def bind_declared(self, name: str, qualified_names: Iterable[str], declaration: str) -> None:
        """Join a binding that a nested function makes through `global` or `nonlocal`."""
        scope = self.scopes[0] if declaration == "global" else self._nonlocal_scope(name, len(self.scopes))
        scope.bind(name, qualified_names, join=True)

    def lookup(self, name: str) -> tuple[Binding, ...]:
        """Return the bindings `name` may refer to here, following Python's LEGB rule.

        Class scopes are visible only to code directly in the class body, not to its
        methods, lambdas or comprehensions. A function's local name that is not bound
        yet resolves to nothing. An unbound builtin name resolves to
        "builtins.<name>"; any other unbound name resolves to nothing.
        """
        innermost = self.current
        if name in innermost.global_names:
            return self._lookup_module(name)

        for scope in reversed(self.scopes):
            if scope.kind == "class" and scope is not innermost:
                continue
            found = scope.bindings.get(name)
            if found:
                return found
            if name in scope.local_names:
                return ()

        return _BUILTIN_BINDINGS.get(name, ())

    # Branches: each arm starts from the same state, and the states they end in merge.

    def save(self, like: State | None = None) -> State:
        """Copy the bindings of the scopes that statements here can bind.

        Those are the current scope, the module when the current scope declares a
        name `global`, and enclosing functions when it declares one `nonlocal`. Other
        scopes are left out because copying a large module for every branch would be
        slow. Pass `like` to copy the same scopes as an earlier state.
        """
        scopes = [scope for scope, _ in like] if like is not None else self._bindable_scopes()
        return [(scope, dict(scope.bindings)) for scope in scopes]

    def restore(self, state: State) -> None:
        for scope, bindings in state:
            scope.bindings = dict(bindings)

    def merge(self, states: list[State]) -> None:
        """Make every binding live that is live at the end of any of `states`.

        All of `states` must hold the same scopes, as `save(like=...)` makes them.
        """
        for index, (scope, first) in enumerate(states[0]):
            merged = dict(first)
            for state in states[1:]:
                for name, bindings in state[index][1].items():
                    live = merged.get(name)
                    if live is None:
                        merged[name] = bindings
                    elif live is not bindings:
                        merged[name] = live + tuple(binding for binding in bindings if binding not in live)
            scope.bindings = merged

    def _bindable_scopes(self) -> list[Scope]:
        current = self.current
        scopes = [current]
        if current.global_names and current is not self.scopes[0]:
            scopes.append(self.scopes[0])
        if current.nonlocal_names:
            scopes.extend(scope for scope in self.scopes[1:-1] if scope.kind in _FUNCTION_KINDS)
        return scopes

    def _lookup_module(self, name: str) -> tuple[Binding, ...]:
        found = self.scopes[0].bindings.get(name)
        if found:
            return found
        return _BUILTIN_BINDINGS.get(name, ())

    def _binding_scope(self, name: str, from_comprehension: bool) -> Scope:
        depth = len(self.scopes)
        if from_comprehension:
            while depth > 1 and self.scopes[depth - 1].kind == "comprehension":
                depth -= 1

        owner = self.scopes[depth - 1]
        if name in owner.global_names:
            return self.scopes[0]
        if name in owner.nonlocal_names:
            return self._nonlocal_scope(name, depth - 1)
        return owner

    def _nonlocal_scope(self, name: str, depth: int) -> Scope:
        """Return the function scope below `depth` that a `nonlocal name` refers to.

        That is the nearest enclosing function scope that binds `name`, or, when
        none binds it yet, the nearest enclosing function scope.
        """
        enclosing = [scope for scope in reversed(self.scopes[1:depth]) if scope.kind in _FUNCTION_KINDS]
        for scope in enclosing:
            if name in scope.bindings:
                return scope
        return enclosing[0] if enclosing else self.scopes[depth - 1]
