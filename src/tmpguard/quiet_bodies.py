"""Decide from its source lines that a function or lambda body cannot affect the result.

Most function bodies in a file that uses `tempfile.mktemp` never touch `tempfile`, so
the analyser skips a deferred body when its lines name none of these identifiers:

- `mktemp` or `tempfile`, which a finding names directly or an import binds;
- `getattr`, `__import__`, `import_module`, `modules`, `vars` or `__dict__`, which every
  constant-string dynamic lookup starts from, because a lookup's chain starts from names;
- `global` or `nonlocal`, the only way a body binds a name in a scope around it;
- a name bound anywhere in the module so far to a qualified name from which a chain
  of attributes, subscripts and lookups can reach `tempfile.mktemp` (`tempfile.*`,
  `sys`, `sys.modules`, `importlib.import_module`, `builtins.getattr` and the like).

Such a body has no match and binds nothing outside itself, and the qualified names it
would record are read only near matches. Identifiers are compared after NFKC
normalisation, as CPython compares them. Constant strings need no normalisation: they
matter only as arguments of a dynamic lookup, whose name the body must contain.
"""

from __future__ import annotations

from tmpguard.word_lines import WordLines, any_between

_WORDS = ("mktemp", "tempfile", "getattr", "__import__", "import_module", "modules", "vars", "__dict__",
          "global", "nonlocal")

# The qualified names outside `tempfile` that lead to `tempfile.mktemp`: `sys.modules`
# and its module, the dynamic-lookup functions, their modules, and those modules'
# `__dict__`, which a constant subscript turns back into a member.
_LEADING_NAMES = frozenset({
    "sys", "sys.modules", "sys.__dict__",
    "importlib", "importlib.import_module", "importlib.__dict__",
    "builtins", "builtins.getattr", "builtins.__import__", "builtins.vars", "builtins.__dict__",
})


def leads_to_target(qualified_name: str) -> bool:
    """Return True when attributes, subscripts or lookups can turn `qualified_name` into the target."""
    return qualified_name.startswith("tempfile") or qualified_name in _LEADING_NAMES


class QuietBodies:
    """The lines of one module that name an identifier a body needs to matter."""

    def __init__(self, words: WordLines) -> None:
        self._words = words
        self._word_lines = sorted({number for word in _WORDS for number in words.lines_with(word)})

    def can_skip(self, start: int, end: int, names: set[str]) -> bool:
        """Return True when lines `start` to `end` name none of the words nor any of `names`.

        `names` are the names bound so far to a qualified name that leads to the target.
        """
        if any_between(self._word_lines, start, end):
            return False
        return not any(self._words.occurs_between(name, start, end) for name in names)
