"""Reporters: each turns a ScanResult into the text of one output format.

Reporters read findings only; they never open the scanned files again.
"""

from __future__ import annotations

from tmpguard.findings import ScanResult
from tmpguard.report import json_report, sarif, text

FORMATS = ("text", "json", "sarif")


def render(result: ScanResult, output_format: str, color: bool = False) -> str:
    """Return `result` as a report in `output_format`."""
    if output_format == "json":
        return json_report.render(result)
    if output_format == "sarif":
        return sarif.render(result)
    if output_format == "text":
        return text.render(result, color=color)
    raise ValueError(f"unknown report format: {output_format}")
