"""GitLab Code Quality report: a JSON array of issues in the Code Climate format.

GitLab reads `description`, `check_name`, `fingerprint`, `severity` and
`location.path` with `location.lines.begin`. Severities use GitLab's vocabulary
(info, minor, major, critical, blocker).
"""

from __future__ import annotations

import hashlib
import json

from tmpguard.findings import FileResult, Finding, ScanResult

# tmpguard severity -> GitLab Code Quality severity.
SEVERITIES = {"low": "minor", "medium": "major", "high": "critical", "critical": "blocker"}


def issue(finding: Finding) -> dict:
    """Return the Code Quality issue for one finding."""
    # GitLab compares fingerprints between pipelines to tell new issues from old, so
    # it must stay stable across line moves, as the finding's fingerprint does.
    fingerprint = hashlib.sha256(finding.fingerprint.encode("utf-8")).hexdigest()[:32]
    return {
        "type": "issue",
        "check_name": finding.rule_id,
        "description": finding.message,
        "categories": ["Security"],
        "severity": SEVERITIES.get(finding.severity, "major"),
        "fingerprint": fingerprint,
        "location": {
            "path": finding.path,
            "lines": {"begin": finding.start_line, "end": finding.end_line},
        },
    }


def not_scanned_issue(item: FileResult) -> dict:
    """Return a Code Quality issue for a file that could not be scanned at all.

    Code Quality has no notion of a tool error, so the file is listed as an issue next to
    the findings instead of passing unnoticed.
    """
    return {
        "type": "issue",
        "check_name": "tmpguard/not-scanned",
        "description": f"tmpguard could not scan this file: {item.reason}",
        "categories": ["Bug Risk"],
        "severity": "info",
        "fingerprint": hashlib.sha256(f"not-scanned\0{item.path}".encode("utf-8", "surrogatepass")).hexdigest()[:32],
        "location": {"path": item.path, "lines": {"begin": 1}},
    }


def render(result: ScanResult) -> str:
    issues = [issue(finding) for finding in result.active_findings]
    issues += [not_scanned_issue(item) for item in result.not_scanned]
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"
