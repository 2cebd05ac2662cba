"""The SARIF 2.1.0 report, in the shape GitHub code scanning reads."""

from __future__ import annotations

import json

from tmpguard import __version__, rule
from tmpguard.escape import printable
from tmpguard.findings import FileResult, Finding, ScanResult, ScanStatus
from tmpguard.report.uri import SourceRoot

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/tmpguard/"
ROOT_ID = "%SRCROOT%"


def rule_descriptor() -> dict:
    """Return the SARIF reportingDescriptor for the rule."""
    return {
        "id": rule.RULE_ID,
        "name": rule.NAME,
        "shortDescription": {"text": rule.SHORT_DESCRIPTION},
        "fullDescription": {"text": rule.FULL_DESCRIPTION},
        "help": {"text": rule.DOCUMENTATION, "markdown": rule.DOCUMENTATION},
        "helpUri": rule.HELP_URI,
        "defaultConfiguration": {"level": rule.SARIF_LEVEL},
        "properties": {
            "tags": list(rule.TAGS),
            "precision": rule.PRECISION,
            "problem.severity": rule.SARIF_LEVEL,
            "security-severity": rule.SECURITY_SEVERITY,
        },
    }


def _location(path: str, root: SourceRoot) -> dict:
    return {"artifactLocation": {"uri": root.uri(path), "uriBaseId": ROOT_ID}}


def _result(finding: Finding, root: SourceRoot) -> dict:
    location = _location(finding.path, root)
    location["region"] = {
        "startLine": finding.start_line,
        "startColumn": finding.start_column,
        "endLine": finding.end_line,
        "endColumn": finding.end_column,
        "snippet": {"text": finding.snippet},
    }
    result = {
        "ruleId": finding.rule_id,
        "ruleIndex": 0,
        "level": rule.level_for(finding.severity),
        "message": {"text": finding.message},
        "locations": [{"physicalLocation": location}],
        "partialFingerprints": {"primaryLocationLineHash": finding.fingerprint},
        "properties": {"severity": finding.severity, **_fix_properties(finding)},
    }
    if finding.suppression is not None:
        result["suppressions"] = [{"kind": finding.suppression.kind, "justification": finding.suppression.text}]
    return result


def _fix_properties(finding: Finding) -> dict:
    """Return whether a fix is available and how safe it is, for the result's property bag."""
    if finding.fix is None:
        return {"fixAvailable": False, "noFixReason": finding.no_fix_reason or ""}
    return {
        "fixAvailable": True,
        "fixSafety": finding.fix.safety,
        "fixKind": finding.fix.kind,
        "fixDescription": finding.fix.description,
    }


def _notification(item: FileResult, root: SourceRoot) -> dict:
    scanned = item.status is ScanStatus.FALLBACK
    text = f"scanned by the fallback scanner: {item.reason}" if scanned else f"not scanned: {item.reason}"
    return {
        "level": "note" if scanned else "error",
        "message": {"text": f"{printable(item.path)}: {text}"},
        "locations": [{"physicalLocation": _location(item.path, root)}],
        "descriptor": {"id": "fallback-scan" if scanned else "file-not-scanned"},
    }


def render(result: ScanResult) -> str:
    root = SourceRoot(item.path for item in result.files)
    notices = result.files_with(ScanStatus.FALLBACK) + result.files_with(ScanStatus.NOT_SCANNED)
    run = {
        "tool": {
            "driver": {
                "name": "tmpguard",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFORMATION_URI,
                "rules": [rule_descriptor()],
            }
        },
        "originalUriBaseIds": {ROOT_ID: {"uri": root.folder_uri}},
        "columnKind": "unicodeCodePoints",
        "invocations": [
            {
                "executionSuccessful": not result.files_with(ScanStatus.NOT_SCANNED),
                "toolExecutionNotifications": [_notification(item, root) for item in notices],
            }
        ],
        "results": [_result(finding, root) for finding in result.findings],
    }
    report = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"
