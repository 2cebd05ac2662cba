"""Reporters: each turns a ScanResult into the text of one output format.

Reporters read findings only and never open the scanned files again.
"""

from __future__ import annotations

from tmpguard.findings import ScanResult
from tmpguard.report import github, gitlab, json_report, junit, sarif, text

FORMATS = ("text", "json", "sarif", "github", "gitlab", "junit")


def render(result: ScanResult, output_format: str, color: bool = False) -> str:
    """Return `result` as a report in `output_format`."""
    if output_format == "json":
        return json_report.render(result)
    if output_format == "sarif":
        return sarif.render(result)
    if output_format == "text":
        return text.render(result, color=color)
    if output_format == "github":
        return github.render(result)
    if output_format == "gitlab":
        return gitlab.render(result)
    if output_format == "junit":
        return junit.render(result)
    raise ValueError(f"unknown report format: {output_format}")
