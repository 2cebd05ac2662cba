"""Severity and fix of each finding, derived from the code around its match.

Runs on the `ast` tree after the analyser, once per file that has matches, so every
report can lower the severity of a name picked inside a private folder and state
whether a fix is available.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from tmpguard.analyzer import Analysis
from tmpguard.findings import Fix
from tmpguard.fixes.plan import plan_fixes
from tmpguard.nameflow import ModuleIndex
from tmpguard.private_folder import PrivateFolder, private_folder
from tmpguard.source import SourceText


@dataclass(frozen=True)
class MatchContext:
    """The private folder a match picks its name in, if any, and its fix or why none."""

    private_folder: PrivateFolder | None
    fix: Fix | None
    no_fix_reason: str | None


FALLBACK = MatchContext(None, None, "the file was scanned by the token-level fallback, which plans no fix")


def assess(tree: ast.Module, analysis: Analysis, source: SourceText, data: bytes) -> list[MatchContext]:
    """Return the context of each match in `analysis`, in the same order.

    `data` is the file's bytes: a file whose declared encoding does not reproduce them
    from the decoded text gets no fix, because rewriting it would change other lines.
    """
    if not analysis.matches:
        return []
    index = ModuleIndex(tree, source.lines, analysis.words)
    nodes = [match.node for match in analysis.matches]
    if _round_trips(source, data):
        fixes = plan_fixes(index, analysis.qualified_names, nodes, source)
    else:
        fixes = [(None, f"the file's encoding {source.encoding} does not reproduce its bytes, so it is not rewritten")] * len(nodes)
    return [
        MatchContext(private_folder(index, analysis.qualified_names, node), fix, reason)
        for node, (fix, reason) in zip(nodes, fixes)
    ]


def _round_trips(source: SourceText, data: bytes) -> bool:
    try:
        return source.text.encode(source.encoding) == data
    except UnicodeError:
        return False
