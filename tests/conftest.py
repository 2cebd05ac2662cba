"""Shared fixtures: paths to the labelled cases and the SARIF schema, and a CLI runner."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

TESTS = Path(__file__).parent
CASES = TESTS / "cases"
SARIF_SCHEMA = TESTS / "schemas" / "sarif-schema-2.1.0.json"

# Few examples and no deadline keep the property tests fast and stable on a busy
# machine; `--hypothesis-profile=thorough` searches longer.
settings.register_profile("tmpguard", max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", parent=settings.get_profile("tmpguard"), max_examples=5000)
settings.load_profile("tmpguard")


@pytest.fixture(scope="session")
def sarif_schema() -> dict:
    return json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))


def run_tmpguard(
    *arguments: str, cwd: Path | None = None, stdin: str | None = None, preexec_fn=None
) -> subprocess.CompletedProcess:
    """Run `python -m tmpguard` as a user would, capturing its output as text.

    `preexec_fn` runs in the child before tmpguard starts, for example to drop a
    capability.
    """
    return subprocess.run(
        [sys.executable, "-m", "tmpguard", *arguments],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=preexec_fn,
    )
