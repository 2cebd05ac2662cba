"""The JSON report: the VNX finding record plus positions, CWE and fingerprint."""

from __future__ import annotations

import json

from tmpguard import __version__, rule
from tmpguard.findings import Finding, ScanResult, ScanStatus
from tmpguard.report.uri import SourceRoot


def finding_record(finding: Finding, root: SourceRoot) -> dict:
    """Return the JSON object for one finding."""
    suppression = finding.suppression
    return {
        "rule_id": finding.rule_id,
        "message": finding.message,
        "artifact_uri": root.uri(finding.path),
        "severity": finding.severity,
        "level": rule.level_for(finding.severity),
        "start_line": finding.start_line,
        "start_column": finding.start_column,
        "end_line": finding.end_line,
        "end_column": finding.end_column,
        "snippet": finding.snippet,
        "cwe": rule.CWE,
        "fingerprint": finding.fingerprint,
        "suppressed": suppression is not None,
        "suppression": None if suppression is None else {
            "kind": suppression.kind,
            "line": suppression.line,
            "comment": suppression.text,
        },
        "fix_available": finding.fix is not None,
        "fix_safety": finding.fix.safety if finding.fix else None,
        "fix": None if finding.fix is None else {
            "kind": finding.fix.kind,
            "safety": finding.fix.safety,
            "description": finding.fix.description,
        },
        "no_fix_reason": finding.no_fix_reason,
    }


def rule_record() -> dict:
    """Return the JSON object that describes the rule."""
    return {
        "id": rule.RULE_ID,
        "name": rule.NAME,
        "title": rule.TITLE,
        "severity": rule.SEVERITY,
        "level": rule.SARIF_LEVEL,
        "cwe": rule.CWE,
        "capec": rule.CAPEC,
        "attack": rule.ATTACK,
        "description": rule.FULL_DESCRIPTION,
        "help_uri": rule.HELP_URI,
    }


def render(result: ScanResult) -> str:
    root = SourceRoot(item.path for item in result.files)
    findings = result.findings
    suppressed = sum(1 for finding in findings if finding.suppressed)
    fallback = result.files_with(ScanStatus.FALLBACK)
    not_scanned = result.files_with(ScanStatus.NOT_SCANNED)
    report = {
        "tool": {"name": "tmpguard", "version": __version__},
        "rules": [rule_record()],
        "source_root": root.folder_uri,
        "findings": [finding_record(finding, root) for finding in findings],
        "fallback_files": [{"artifact_uri": root.uri(item.path), "reason": item.reason} for item in fallback],
        "not_scanned": [{"artifact_uri": root.uri(item.path), "reason": item.reason} for item in not_scanned],
        "summary": {
            "files": len(result.files),
            "files_scanned": len(result.files) - len(not_scanned),
            "files_fallback": len(fallback),
            "files_not_scanned": len(not_scanned),
            "findings": len(findings) - suppressed,
            "suppressed": suppressed,
        },
    }
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"
