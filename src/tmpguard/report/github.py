"""GitHub Actions workflow commands: one annotation per finding on the pull request.

Format: `::warning file=PATH,line=L,col=C,endLine=L,endColumn=C,title=TITLE::MESSAGE`.
Escaping follows `escapeData` and `escapeProperty` in GitHub's @actions/core
toolkit: `%`, CR and LF in the message, and additionally `:` and `,` in properties.
"""

from __future__ import annotations

from tmpguard import rule
from tmpguard.findings import Finding, ScanResult, ScanStatus

# Annotation command per finding severity. GitHub supports error, warning and notice.
_COMMANDS = {"critical": "error", "high": "error", "medium": "warning", "low": "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _command(name: str, properties: dict[str, object], message: str) -> str:
    fields = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items())
    return f"::{name} {fields}::{escape_data(message)}"


def annotation(finding: Finding) -> str:
    """Return the workflow command that annotates `finding`."""
    properties = {
        "file": finding.path,
        "line": finding.start_line,
        "col": finding.start_column,
        "endLine": finding.end_line,
        "endColumn": finding.end_column,
        "title": f"{finding.rule_id} {rule.TITLE}",
    }
    return _command(_COMMANDS.get(finding.severity, "warning"), properties, finding.message)


def render(result: ScanResult) -> str:
    lines = [annotation(finding) for finding in result.active_findings]
    for item in result.files_with(ScanStatus.FALLBACK):
        message = f"scanned by the fallback scanner: {item.reason}"
        lines.append(_command("notice", {"file": item.path, "title": "tmpguard"}, message))
    for item in result.files_with(ScanStatus.NOT_SCANNED):
        message = f"not scanned: {item.reason}"
        lines.append(_command("error", {"file": item.path, "title": "tmpguard"}, message))
    return "".join(line + "\n" for line in lines)
