"""The text report: one `path:line:col: rule message` line per finding, then a summary."""

from __future__ import annotations

from tmpguard import rule
from tmpguard.escape import printable
from tmpguard.findings import Finding, ScanResult, ScanStatus

_BOLD = "\x1b[1m"
_YELLOW = "\x1b[33m"
_RED = "\x1b[31m"
_RESET = "\x1b[0m"


def _paint(text: str, style: str, color: bool) -> str:
    return f"{style}{text}{_RESET}" if color else text


def plural(count: int, noun: str, plural_noun: str | None = None) -> str:
    """Return "1 file" or "3 files"; `plural_noun` is for nouns that do not just add an s."""
    return f"{count} {noun}" if count == 1 else f"{count} {plural_noun or noun + 's'}"


def fix_note(finding: Finding) -> str:
    """Return the line that states whether a fix is available, how safe it is, and what it does."""
    if finding.fix is None:
        return f"no fix available: {finding.no_fix_reason}"
    option = "--fix" if finding.fix.safety == "safe" else "--fix --unsafe-fixes"
    return f"{finding.fix.safety} fix ({option}): {finding.fix.description}"


def render(result: ScanResult, color: bool = False) -> str:
    lines = []
    for finding in result.active_findings:
        where = printable(f"{finding.path}:{finding.start_line}:{finding.start_column}:")
        lines.append(f"{_paint(where, _BOLD, color)} {_paint(rule.RULE_ID, _YELLOW, color)} {printable(finding.message)}")
        lines.append(f"    {printable(finding.snippet.strip())}")
        lines.append(f"    {fix_note(finding)}")

    for item in result.files_with(ScanStatus.FALLBACK):
        lines.append(f"{printable(item.path)}: note: scanned by the fallback scanner: {printable(item.reason or '')}")
    for item in result.files_with(ScanStatus.NOT_SCANNED):
        notice = f"{printable(item.path)}: error: not scanned: {printable(item.reason or '')}"
        lines.append(_paint(notice, _RED, color))

    fallback = len(result.files_with(ScanStatus.FALLBACK))
    not_scanned = len(result.files_with(ScanStatus.NOT_SCANNED))
    summary = (
        f"Found {plural(len(result.active_findings), 'finding')} "
        f"(plus {len(result.suppressed_findings)} suppressed) in {plural(result.scanned_count, 'file')} scanned"
    )
    if fallback:
        summary += f", {fallback} by the fallback scanner"
    if not_scanned:
        summary += f"; {plural(not_scanned, 'file')} not scanned"
    lines.append(summary + ".")
    return "\n".join(lines) + "\n"
