"""Reporters: each turns a ScanResult into the text of one output format.

Reporters read findings only and never open the scanned files again. Each reporter
module is imported only when its format is requested, so a run pays for one.
"""

from __future__ import annotations

from tmpguard.findings import ScanResult

FORMATS = ("text", "json", "sarif", "github", "gitlab", "junit")


def render(result: ScanResult, output_format: str, color: bool = False) -> str:
    """Return `result` as a report in `output_format`."""
    if output_format == "json":
        from tmpguard.report import json_report

        return json_report.render(result)
    if output_format == "sarif":
        from tmpguard.report import sarif

        return sarif.render(result)
    if output_format == "text":
        from tmpguard.report import text

        return text.render(result, color=color)
    if output_format == "github":
        from tmpguard.report import github

        return github.render(result)
    if output_format == "gitlab":
        from tmpguard.report import gitlab

        return gitlab.render(result)
    if output_format == "junit":
        from tmpguard.report import junit

        return junit.render(result)
    raise ValueError(f"unknown report format: {output_format}")
