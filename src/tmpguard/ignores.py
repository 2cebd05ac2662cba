"""Per-file ignores: rule codes switched off for files whose path matches a glob.

Patterns are gitignore-style globs, as in the excludes, matched against the file's
path relative to a project root: the folder of the configuration file, or the working
folder for patterns given on the command line. A pattern without a `/` matches a file
name at any depth. An ignored finding is kept as a suppressed finding of kind
`external`, so SARIF consumers still see it.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from tmpguard import rule
from tmpguard.findings import FileResult, ScanResult, Suppression

if TYPE_CHECKING:
    import pathspec


class InvalidIgnoreError(ValueError):
    """Raised for a per-file ignore that names no code of tmpguard's rule."""


@dataclasses.dataclass(frozen=True)
class PerFileIgnore:
    """One glob and the rule codes it switches off."""

    pattern: str
    codes: frozenset[str]
    spec: pathspec.GitIgnoreSpec = dataclasses.field(compare=False, repr=False)


def parse_codes(pattern: str, codes: Iterable[str]) -> frozenset[str]:
    """Return `codes` upper-cased, raising InvalidIgnoreError for a code that is not the rule's."""
    parsed = frozenset(code.strip().upper() for code in codes)
    unknown = sorted(parsed - rule.RULE_ALIASES)
    if unknown:
        raise InvalidIgnoreError(
            f"per-file-ignores for {pattern!r}: unknown rule code {unknown[0]!r}; "
            f"expected one of {', '.join(sorted(rule.RULE_ALIASES))}"
        )
    return parsed


class PerFileIgnores:
    """The per-file ignores of one scan and the folder their patterns are relative to."""

    def __init__(self, table: Mapping[str, Iterable[str]], root: str | None = None) -> None:
        self.root = os.path.abspath(root or os.getcwd())
        self.entries = [
            PerFileIgnore(pattern, parse_codes(pattern, codes), _compile(pattern)) for pattern, codes in table.items()
        ]

    def match(self, display_path: str) -> PerFileIgnore | None:
        """Return the first entry whose pattern matches the file, or None."""
        relative = os.path.relpath(os.path.abspath(display_path), self.root).replace(os.sep, "/")
        if relative == ".." or relative.startswith("../"):
            return None
        for entry in self.entries:
            if entry.spec.match_file(relative):
                return entry
        return None

    def apply(self, result: ScanResult) -> ScanResult:
        """Return `result` with the matching files' unsuppressed findings suppressed."""
        if not self.entries:
            return result
        return ScanResult([self._apply_to_file(item) for item in result.files])

    def _apply_to_file(self, item: FileResult) -> FileResult:
        entry = self.match(item.path) if item.findings else None
        if entry is None:
            return item

        suppression = Suppression("external", None, f"per-file-ignores: {entry.pattern}")
        findings = [
            finding if finding.suppressed else dataclasses.replace(finding, suppression=suppression)
            for finding in item.findings
        ]
        return dataclasses.replace(item, findings=findings)


def parse_option(value: str) -> tuple[str, list[str]]:
    """Split a command-line `GLOB:CODE[,CODE...]` value into the glob and its codes."""
    pattern, separator, codes = value.rpartition(":")
    if not separator or not pattern or not codes.strip():
        raise InvalidIgnoreError(f"invalid --per-file-ignores value {value!r}; expected GLOB:CODE[,CODE...]")
    return pattern, [code for code in codes.split(",") if code.strip()]


def _compile(pattern: str) -> pathspec.GitIgnoreSpec:
    # Imported on first use, because most runs configure no per-file ignores.
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines([pattern])
