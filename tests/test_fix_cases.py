"""`--fix` and `--diff` over a copy of the labelled cases and the rule's examples:
what remains has no safe fix, fixed files compile, a second run changes nothing, and
the diff applies with `patch -p1` to give the same files as `--fix`."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import CASES, run_tmpguard
from tmpguard import rule

FOLDERS = ("cases", "examples")


def _make_tree(root: Path) -> Path:
    shutil.copytree(CASES, root / "cases")
    examples = root / "examples"
    examples.mkdir()
    for number, example in enumerate(rule.EXAMPLES):
        (examples / f"example_{number}.py").write_text(example.source, encoding="utf-8")
    (examples / "no_final_newline.py").write_bytes(b"import tempfile\np = tempfile.mktemp()\nopen(p, 'w').close()")
    return root


def _snapshot(root: Path) -> dict[str, bytes]:
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


def _compiles(data: bytes) -> bool:
    try:
        compile(data, "<fixed>", "exec")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def _tmpguard_bytes(root: Path, *arguments: str) -> subprocess.CompletedProcess:
    """Run tmpguard keeping stdout as bytes: a diff carries each file's own encoding."""
    return subprocess.run(
        [sys.executable, "-m", "tmpguard", "scan", "--no-cache", *FOLDERS, *arguments],
        cwd=root, capture_output=True, timeout=120,
    )


def _json_findings(output: str) -> list[dict]:
    return [item for item in json.loads(output)["findings"] if not item["suppressed"]]


@dataclass
class Run:
    """One tree before and after `--fix`, and the same tree patched with `--diff` output."""

    options: tuple[str, ...]
    before: dict[str, bytes]
    offered: list[dict]
    diff: subprocess.CompletedProcess
    after_diff: dict[str, bytes]
    fix: subprocess.CompletedProcess
    fixed: dict[str, bytes]
    rescanned: list[dict]
    patch: subprocess.CompletedProcess
    patched: dict[str, bytes]
    second_fix: subprocess.CompletedProcess
    fixed_twice: dict[str, bytes]


@pytest.fixture(scope="module", params=[(), ("--unsafe-fixes",)], ids=["safe", "unsafe"])
def run(request, tmp_path_factory) -> Run:
    options = request.param
    base = tmp_path_factory.mktemp("fix-cases")
    work = _make_tree(base / "work")
    patched = _make_tree(base / "patched")

    before = _snapshot(work)
    offered = _json_findings(run_tmpguard("scan", "--no-cache", *FOLDERS, "--format", "json", cwd=work).stdout)
    diff = _tmpguard_bytes(work, "--diff", *options)
    after_diff = _snapshot(work)
    fix = run_tmpguard("scan", "--no-cache", *FOLDERS, "--fix", *options, "--format", "json", cwd=work)
    fixed = _snapshot(work)
    rescanned = _json_findings(run_tmpguard("scan", "--no-cache", *FOLDERS, "--format", "json", cwd=work).stdout)
    applied = subprocess.run(["patch", "-p1", "--batch"], cwd=patched, input=diff.stdout, capture_output=True, timeout=60)
    second_fix = run_tmpguard("scan", "--no-cache", *FOLDERS, "--fix", *options, cwd=work)
    return Run(options, before, offered, diff, after_diff, fix, fixed, rescanned, applied,
               _snapshot(patched), second_fix, _snapshot(work))


def test_fix_leaves_only_findings_without_fix(run):
    remaining = _json_findings(run.fix.stdout)
    allowed = {None} if run.options else {None, "unsafe"}

    assert run.fix.returncode == 1, run.fix.stderr
    assert remaining, "the cases include findings that no fix can handle"
    assert {item["fix_safety"] for item in remaining} <= allowed
    assert remaining == run.rescanned


def test_fix_applies_every_offered_fix(run):
    applied_safeties = {"safe", "unsafe"} if run.options else {"safe"}
    expected = sum(1 for item in run.offered if item["fix_safety"] in applied_safeties)

    assert expected > 5
    assert f"Applied {expected} fix" in run.fix.stderr
    assert len(run.rescanned) == len(run.offered) - expected


def test_fixed_files_compile(run):
    changed = [name for name, data in run.fixed.items() if data != run.before[name]]
    assert changed
    for name in changed:
        if _compiles(run.before[name]):
            assert _compiles(run.fixed[name]), name


def test_second_fix_changes_nothing(run):
    assert run.fixed_twice == run.fixed
    assert "Applied 0 fixes in 0 files." in run.second_fix.stderr


def test_diff_writes_nothing(run):
    assert run.diff.returncode == 1
    assert run.diff.stdout.startswith(b"--- a/")
    assert run.after_diff == run.before


def test_diff_applies_with_patch_like_fix(run):
    assert b"+++ b/cases/flagged/plain_call.py" in run.diff.stdout
    assert run.patch.returncode == 0, run.patch.stdout + run.patch.stderr
    patched = {name: data for name, data in run.patched.items() if not name.endswith(".orig")}
    assert patched == run.fixed


def test_crlf_and_latin1_cases_keep_their_bytes(run):
    names = ("cases/flagged/crlf_and_bom.py", "cases/flagged/latin1_cookie.py")
    if not run.options:
        # Their only finding has an unsafe fix, so --fix alone leaves them as they were.
        assert [run.fixed[name] for name in names] == [run.before[name] for name in names]
        return
    crlf = run.fixed["cases/flagged/crlf_and_bom.py"]
    latin1 = run.fixed["cases/flagged/latin1_cookie.py"]

    assert crlf != run.before["cases/flagged/crlf_and_bom.py"]
    assert crlf.startswith(b"\xef\xbb\xbf")
    assert crlf.count(b"\n") == crlf.count(b"\r\n")
    assert b'label = "caf\xe9"' in latin1
