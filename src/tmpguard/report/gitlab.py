"""GitLab Code Quality report: a JSON array of issues in the Code Climate format.

GitLab reads `description`, `check_name`, `fingerprint`, `severity` and
`location.path` with `location.lines.begin`; severities use GitLab's vocabulary
(info, minor, major, critical, blocker).
"""

from __future__ import annotations

import hashlib
import json

from tmpguard.findings import Finding, ScanResult

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


def render(result: ScanResult) -> str:
    return json.dumps([issue(finding) for finding in result.active_findings], indent=2, ensure_ascii=False) + "\n"
