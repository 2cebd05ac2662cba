"""Select the files changed against a git ref, for `--changed-since`.

The changed files are those `git diff --name-only REF` lists (committed, staged and
unstaged changes between REF and the work tree) plus the untracked files that
`git ls-files --others --exclude-standard` lists. Deleted files are left out.
"""

from __future__ import annotations

import logging
import os
import subprocess

from tmpguard.discover import DiscoverySettings, SourcePath, discover
from tmpguard.errors import GitError

log = logging.getLogger(__name__)

GIT_TIMEOUT_SECONDS = 60


def _git(arguments: list[str], folder: str) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(
            ["git", "-C", folder, *arguments],
            capture_output=True,
            stdin=subprocess.DEVNULL,
            timeout=GIT_TIMEOUT_SECONDS,
            check=False,
        )
    except FileNotFoundError:
        raise GitError("--changed-since needs git, but the git command was not found") from None
    except subprocess.TimeoutExpired:
        raise GitError(f"--changed-since: git {arguments[0]} timed out after {GIT_TIMEOUT_SECONDS} s") from None


def _lines(completed: subprocess.CompletedProcess) -> list[str]:
    return [name for name in os.fsdecode(completed.stdout).split("\0") if name]


def work_tree_root(path: str) -> str:
    """Return the top folder of the git work tree that contains `path`."""
    folder = path if os.path.isdir(path) else os.path.dirname(os.path.abspath(path))
    completed = _git(["rev-parse", "--show-toplevel"], folder)
    if completed.returncode != 0:
        raise GitError(f"--changed-since: {path} is not inside a git work tree")
    return os.fsdecode(completed.stdout).strip()


def changed_files(ref: str, path: str) -> set[str]:
    """Return the absolute real paths of the files changed against `ref` or untracked.

    `path` selects the git work tree. Raises GitError for an unknown ref.
    """
    root = work_tree_root(path)
    verified = _git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"], root)
    if verified.returncode != 0:
        raise GitError(f"--changed-since: unknown git ref {ref!r} in {root}")

    commit = os.fsdecode(verified.stdout).strip()
    diff = _git(["diff", "--name-only", "-z", "--no-renames", "--diff-filter=d", commit, "--"], root)
    untracked = _git(["ls-files", "--others", "--exclude-standard", "-z"], root)
    for completed in (diff, untracked):
        if completed.returncode != 0:
            message = os.fsdecode(completed.stderr).strip()
            raise GitError(f"--changed-since: git failed in {root}: {message}")

    return {os.path.realpath(os.path.join(root, name)) for name in _lines(diff) + _lines(untracked)}


def changed_sources(paths: list[str], ref: str, settings: DiscoverySettings) -> list[SourcePath]:
    """Return the files under `paths` that discovery selects and that changed against `ref`.

    The work tree is the one that contains the first path, and files of other work
    trees are never listed as changed.
    """
    discovered = discover(paths, settings)
    changed = changed_files(ref, paths[0] if paths else ".")
    sources = [source for source in discovered if os.path.realpath(source.path) in changed]
    log.info("%d changed files to scan since %s", len(sources), ref)
    return sources
