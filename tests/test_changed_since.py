"""`--changed-since REF`: scan only files changed against a git ref, plus untracked ones."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import commit_all, git, git_environment, init_repository, run_tmpguard

CALL = "import tempfile\n\npath = tempfile.mktemp()\n"
CLEAN = "import tempfile\n\nfd, path = tempfile.mkstemp()\n"


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def scanned_paths(repository: Path, *arguments: str, cwd: Path | None = None) -> list[str]:
    completed = run_tmpguard(
        "scan", *arguments, "--isolated", "--format", "json", cwd=cwd or repository, env=git_environment(repository)
    )
    assert completed.returncode in (0, 1), completed.stderr
    return sorted(finding["artifact_uri"] for finding in json.loads(completed.stdout)["findings"])


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    """A repository whose first commit has a call in old.py and gone.py only."""
    repository = init_repository(tmp_path / "repo")
    write(repository / "old.py", CALL)
    write(repository / "gone.py", CALL)
    write(repository / "edited.py", CLEAN)
    write(repository / "pkg" / "inner.py", CLEAN)
    write(repository / ".gitignore", "ignored_*.py\n")
    commit_all(repository, "first")
    return repository


def test_changed_and_untracked_files_scanned(repository):
    write(repository / "edited.py", CALL)
    write(repository / "pkg" / "inner.py", CALL)
    write(repository / "new.py", CALL)
    write(repository / "ignored_local.py", CALL)
    write(repository / "notes.txt", "tempfile.mktemp()\n")
    (repository / "gone.py").unlink()

    assert scanned_paths(repository, ".", "--changed-since", "HEAD") == ["edited.py", "new.py", "pkg/inner.py"]
    assert scanned_paths(repository, ".") == ["edited.py", "new.py", "old.py", "pkg/inner.py"]


def test_staged_changes_scanned(repository):
    write(repository / "edited.py", CALL)
    git(repository, "add", "edited.py")
    assert scanned_paths(repository, ".", "--changed-since", "HEAD") == ["edited.py"]


def test_committed_changes_since_older_ref(repository):
    write(repository / "edited.py", CALL)
    commit_all(repository, "second")
    git(repository, "tag", "second")
    write(repository / "pkg" / "inner.py", CALL)
    commit_all(repository, "third")

    assert scanned_paths(repository, ".", "--changed-since", "HEAD~2") == ["edited.py", "pkg/inner.py"]
    assert scanned_paths(repository, ".", "--changed-since", "second") == ["pkg/inner.py"]
    assert scanned_paths(repository, ".", "--changed-since", "HEAD") == []


def test_changed_files_intersected_with_paths(repository):
    write(repository / "edited.py", CALL)
    write(repository / "pkg" / "inner.py", CALL)
    assert scanned_paths(repository, "pkg", "--changed-since", "HEAD") == ["pkg/inner.py"]
    assert scanned_paths(repository, "pkg/inner.py", "old.py", "--changed-since", "HEAD") == ["pkg/inner.py"]


def test_changed_files_from_subfolder(repository):
    write(repository / "edited.py", CALL)
    write(repository / "pkg" / "inner.py", CALL)
    assert scanned_paths(repository, ".", "--changed-since", "HEAD", cwd=repository / "pkg") == ["inner.py"]


def test_changed_files_respect_excludes(repository):
    write(repository / "edited.py", CALL)
    write(repository / "pkg" / "inner.py", CALL)
    assert scanned_paths(repository, ".", "--changed-since", "HEAD", "--extend-exclude", "pkg") == ["edited.py"]


def test_outside_work_tree_exits_2(tmp_path):
    folder = tmp_path / "plain"
    write(folder / "app.py", CALL)
    completed = run_tmpguard("scan", "--changed-since", "HEAD", cwd=folder, env=git_environment(folder))
    assert completed.returncode == 2
    assert "--changed-since: . is not inside a git work tree" in completed.stderr


def test_unknown_ref_exits_2(repository):
    environment = git_environment(repository)
    completed = run_tmpguard("scan", "--changed-since", "no-such-branch", cwd=repository, env=environment)
    assert completed.returncode == 2
    assert f"--changed-since: unknown git ref 'no-such-branch' in {repository}" in completed.stderr


def test_option_like_ref_rejected(repository):
    completed = run_tmpguard(
        "scan", "--changed-since=--output=stolen", cwd=repository, env=git_environment(repository)
    )
    assert completed.returncode == 2
    assert "--changed-since: unknown git ref '--output=stolen'" in completed.stderr
    assert not (repository / "stolen").exists()


def test_changed_since_with_stdin_exits_2(repository):
    completed = run_tmpguard("scan", "--changed-since", "HEAD", "--stdin-filename", "a.py", cwd=repository, stdin="")
    assert completed.returncode == 2
    assert "argument --stdin-filename: not allowed with argument --changed-since" in completed.stderr
