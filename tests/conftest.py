"""Shared fixtures: paths to the labelled cases and the SARIF schema, and a CLI runner."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tmpguard.engine import scan_source
from tmpguard.findings import FileResult

TESTS = Path(__file__).parent
CASES = TESTS / "cases"
SARIF_SCHEMA = TESTS / "schemas" / "sarif-schema-2.1.0.json"


@pytest.fixture(scope="session")
def sarif_schema() -> dict:
    return json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))


def run_tmpguard(*arguments: str, cwd: Path | None = None, stdin: str | None = None) -> subprocess.CompletedProcess:
    """Run `python -m tmpguard` as a user would, capturing its output as text."""
    return subprocess.run(
        [sys.executable, "-m", "tmpguard", *arguments],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def scan_text(source: str, path: str = "x.py") -> FileResult:
    """Scan `source`, dedented and encoded as UTF-8, as the file `path`."""
    return scan_source(textwrap.dedent(source).encode("utf-8"), path)


def positions(result: FileResult, suppressed: bool = False) -> list[tuple[int, int]]:
    """Return the (line, column) of each finding that is, or is not, suppressed."""
    return [
        (finding.start_line, finding.start_column)
        for finding in result.findings
        if finding.suppressed is suppressed
    ]
