"""A small name-resolution model: bindings and a stack of scopes, after pyflakes.

A binding records what a name refers to as a qualified name ("tempfile",
"tempfile.mktemp", "builtins.getattr") when that is known statically, or None for
any other value. A name may have several live bindings when it was bound in a branch
(`if`, `except`, a loop body), so lookups return every binding that may be in effect.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass, field

_BUILTIN_NAMES = frozenset(dir(builtins))


@dataclass(frozen=True)
class Binding:
    """What one assignment, import or definition bound a name to."""

    name: str
    qualified_name: str | None


@dataclass
class Scope:
    """One Python scope: module, class, function, lambda or comprehension."""

    kind: str
    name: str = ""
    bindings: dict[str, tuple[Binding, ...]] = field(default_factory=dict)
    global_names: set[str] = field(default_factory=set)
    nonlocal_names: set[str] = field(default_factory=set)

    def bind(self, binding: Binding, conditional: bool) -> None:
        """Record `binding`; a conditional one joins the bindings already live."""
        previous = self.bindings.get(binding.name, ()) if conditional else ()
        if binding not in previous:
            self.bindings[binding.name] = previous + (binding,)


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

    def bind(self, name: str, qualified_name: str | None, conditional: bool) -> None:
        """Bind `name` where Python would: honouring `global` and `nonlocal`."""
        self._binding_scope(name).bind(Binding(name, qualified_name), conditional)

    def lookup(self, name: str) -> tuple[Binding, ...]:
        """Return the bindings `name` may refer to here, following Python's LEGB rule.

        Class scopes are visible only to code directly in the class body, not to its
        methods, lambdas or comprehensions. An unbound builtin name resolves to
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

        if name in _BUILTIN_NAMES:
            return (Binding(name, f"builtins.{name}"),)
        return ()

    def _lookup_module(self, name: str) -> tuple[Binding, ...]:
        found = self.scopes[0].bindings.get(name)
        if found:
            return found
        if name in _BUILTIN_NAMES:
            return (Binding(name, f"builtins.{name}"),)
        return ()

    def _binding_scope(self, name: str) -> Scope:
        innermost = self.current
        if name in innermost.global_names:
            return self.scopes[0]
        if name in innermost.nonlocal_names:
            for scope in reversed(self.scopes[1:-1]):
                if scope.kind in ("function", "lambda") and name in scope.bindings:
                    return scope
        return innermost
