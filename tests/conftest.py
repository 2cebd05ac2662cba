"""Shared fixtures: paths to the labelled cases and the SARIF schema, and a CLI runner."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from tmpguard.engine import scan_source
from tmpguard.findings import FileResult

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
    *arguments: str,
    cwd: Path | None = None,
    stdin: str | None = None,
    env: dict[str, str] | None = None,
    preexec_fn=None,
) -> subprocess.CompletedProcess:
    """Run `python -m tmpguard` as a user would, capturing its output as text.

    `env` adds variables to the current environment. `preexec_fn` runs in the child
    before tmpguard starts, for example to drop a capability.
    """
    return subprocess.run(
        [sys.executable, "-m", "tmpguard", *arguments],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env=None if env is None else {**os.environ, **env},
        preexec_fn=preexec_fn,
    )


# Keep the user's and the system's git configuration out of test repositories, and
# stop git from finding a repository above a test's temporary folder.
def git_environment(tmp_path: Path) -> dict[str, str]:
    return {
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CEILING_DIRECTORIES": str(tmp_path.parent),
    }


def git(repository: Path, *arguments: str) -> str:
    """Run git in `repository` with an isolated configuration and return its output."""
    completed = subprocess.run(
        ["git", "-C", str(repository), *arguments],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **git_environment(repository)},
        check=True,
    )
    return completed.stdout


def init_repository(repository: Path) -> Path:
    """Create an empty git repository with a local identity, for tests that commit."""
    repository.mkdir(parents=True, exist_ok=True)
    git(repository, "init", "--quiet", "--initial-branch=main")
    git(repository, "config", "user.name", "tmpguard tests")
    git(repository, "config", "user.email", "tests@tmpguard.invalid")
    git(repository, "config", "commit.gpgsign", "false")
    return repository


def commit_all(repository: Path, message: str) -> None:
    git(repository, "add", "--all")
    git(repository, "commit", "--quiet", "-m", message)


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


@pytest.fixture(autouse=True)
def private_cache_folder(tmp_path_factory, monkeypatch):
    """Give each test its own result cache, so no test reads another's cached results."""
    monkeypatch.setenv("TMPGUARD_CACHE_DIR", str(tmp_path_factory.mktemp("tmpguard-cache")))
