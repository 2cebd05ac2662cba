"""Shared fixtures: paths to the labelled cases and the SARIF schema, and a CLI runner."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

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
