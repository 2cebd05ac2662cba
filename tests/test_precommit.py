"""The pre-commit hook, run by the real pre-commit in a temporary git repository."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import commit_all, git_environment, init_repository

ROOT = Path(__file__).parent.parent
MANIFEST = ROOT / ".pre-commit-hooks.yaml"
PLANTED = "import tempfile\n\n\ndef scratch():\n    return tempfile.mktemp()\n"
FIXED = "import tempfile\n\n\ndef scratch():\n    return tempfile.mkstemp()[1]\n"


def installed_tmpguard() -> str:
    script = shutil.which("tmpguard", path=str(Path(sys.executable).parent))
    if script is None:
        pytest.fail("the tmpguard console script is not installed next to the test interpreter")
    return script


def run_pre_commit(repository: Path, *arguments: str) -> subprocess.CompletedProcess:
    # PRE_COMMIT_HOME keeps pre-commit's cache inside the test folder; `repo: local`
    # with `language: system` needs no download.
    environment = {**git_environment(repository), "PRE_COMMIT_HOME": str(repository.parent / "pre-commit-home")}
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", *arguments],
        cwd=repository, capture_output=True, text=True, timeout=300,
        env={**os.environ, **environment},
    )


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    """A repository whose pre-commit configuration runs the hook from the manifest locally."""
    [hook] = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    entry = hook["entry"].replace("tmpguard", shlex.quote(installed_tmpguard()), 1)
    local_hook = {**hook, "language": "system", "entry": entry}
    config = {"repos": [{"repo": "local", "hooks": [local_hook]}]}

    repository = init_repository(tmp_path / "repo")
    (repository / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    (repository / "pkg").mkdir()
    (repository / "pkg" / "jobs.py").write_text(PLANTED, encoding="utf-8")
    (repository / "pkg" / "util.py").write_text("import os\n", encoding="utf-8")
    (repository / "README.txt").write_text("tempfile.mktemp() in prose is not Python\n", encoding="utf-8")
    commit_all(repository, "plant a mktemp call")
    return repository


def test_manifest_is_valid():
    completed = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-manifest", str(MANIFEST)],
        capture_output=True, text=True, timeout=120,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_manifest_hook_definition():
    [hook] = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    assert hook["id"] == "tmpguard"
    assert hook["entry"] == "tmpguard scan --force-exclude"
    assert hook["types"] == ["python"]
    assert hook["require_serial"] is False


def test_hook_fails_on_planted_call_then_passes(repository):
    failed = run_pre_commit(repository, "run", "--all-files")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "tmpguard" in failed.stdout
    assert "Failed" in failed.stdout
    assert "pkg/jobs.py:5:12: VNX-PY-018 " in failed.stdout
    assert "README.txt" not in failed.stdout

    (repository / "pkg" / "jobs.py").write_text(FIXED, encoding="utf-8")
    commit_all(repository, "create the file atomically")
    passed = run_pre_commit(repository, "run", "--all-files")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout


def test_hook_honours_configured_excludes(repository):
    (repository / "pkg" / "jobs.py").write_text(FIXED, encoding="utf-8")
    (repository / "generated").mkdir()
    (repository / "generated" / "gen.py").write_text(PLANTED, encoding="utf-8")
    (repository / "pyproject.toml").write_text('[tool.tmpguard]\nextend-exclude = ["generated"]\n', encoding="utf-8")
    commit_all(repository, "add generated code that the configuration excludes")

    completed = run_pre_commit(repository, "run", "--all-files")

    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "generated/gen.py" not in completed.stdout
