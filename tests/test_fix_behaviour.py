"""Run each kind of program before and after `tmpguard scan --fix` and compare what it
does: the files and folders it leaves in TMPDIR, their contents, its output and its
exit status. A safe fix changes none of these; the unsafe fix leaves one folder more."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import run_tmpguard

SAFE_PROGRAMS = {
    "mkstemp_open_write": ("mkstemp", """
        import sys
        import tempfile


        def save(data):
            path = tempfile.mktemp(suffix=".txt", prefix="save_")  # a comment to keep
            with open(path, "w") as handle:
                handle.write(data)
            return path


        with open(save("hello"), encoding="utf-8") as handle:
            print(handle.read())
        sys.exit(3)
    """),
    "mkstemp_append_positional": ("mkstemp", """
        import os
        import tempfile

        folder = os.environ["TMPDIR"]
        log = tempfile.mktemp(".log", "run-", folder)
        note = "started"
        open(log, "a").write(note + "\\n")
        open(log, "a").write("stopped\\n")
        print(open(log).read(), end="")
    """),
    "mkstemp_path_write_bytes": ("mkstemp", """
        import pathlib
        from tempfile import mktemp as fresh


        def dump():
            target = fresh(suffix=".bin")
            pathlib.Path(target).write_bytes(b"\\x00\\x01")
            return target


        print(len(open(dump(), "rb").read()))
    """),
    "named_temporary_file_inline": ("named-temporary-file", """
        import tempfile as tf

        with open(tf.mktemp(".csv"), "w", encoding="utf-8") as out:
            out.write("a,b\\n")
            print(out.name.endswith(".csv"))
    """),
    "mkdtemp_os_mkdir": ("mkdtemp", """
        import os
        import tempfile


        def workspace():
            path = tempfile.mktemp(prefix="ws-")
            os.mkdir(path)
            with open(os.path.join(path, "data"), "w") as handle:
                handle.write("x")
            return path


        print(sorted(os.listdir(workspace())))
    """),
    "mkdtemp_path_mkdir": ("mkdtemp", """
        from pathlib import Path
        from tempfile import mktemp


        def build():
            root = mktemp()
            Path(root).mkdir()
            (Path(root) / "out.txt").write_text("built")
            return root


        print((Path(build()) / "out.txt").read_text())
    """),
}

UNSAFE_PROGRAMS = {
    "private_folder_fifo": """
        import os
        import tempfile

        name = tempfile.mktemp(suffix=".fifo")
        os.mkfifo(name)
        print(os.path.exists(name))
        os.unlink(name)
    """,
    "private_folder_exclusive_open": """
        import os
        import tempfile


        def claim():
            name = tempfile.mktemp()
            if not os.path.exists(name):
                with open(name, "x") as handle:
                    handle.write("fresh")
            return name


        print(open(claim()).read())
    """,
}


def _entry_kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "dir"
    if stat.S_ISFIFO(mode):
        return "fifo"
    return "file"


def _what_was_left(folder: Path) -> list[tuple]:
    """Describe every entry under `folder` without its random name: kind, depth, suffix, content."""
    entries = []
    for path in sorted(folder.rglob("*")):
        mode = path.lstat().st_mode
        kind = _entry_kind(mode)
        content = path.read_bytes() if kind == "file" else b""
        depth = len(path.relative_to(folder).parts)
        entries.append((kind, depth, path.suffix, content))
    return sorted(entries)


def _run(program: Path, scratch: Path) -> tuple[subprocess.CompletedProcess, list[tuple]]:
    scratch.mkdir()
    environment = {**os.environ, "TMPDIR": str(scratch)}
    completed = subprocess.run(
        [sys.executable, str(program)], cwd=program.parent, env=environment,
        capture_output=True, text=True, timeout=60,
    )
    return completed, _what_was_left(scratch)


def _fix(program: Path, *options: str) -> subprocess.CompletedProcess:
    completed = run_tmpguard("scan", str(program), "--fix", *options, "--format", "json")
    assert completed.returncode in (0, 1), completed.stderr
    return completed


def _write_program(tmp_path: Path, source: str) -> Path:
    program = tmp_path / "program.py"
    program.write_text(textwrap.dedent(source).lstrip(), encoding="utf-8")
    return program


@dataclass
class Trial:
    """One program run before and after the fix, and fixed a second time."""

    original: bytes
    offered: list[dict]
    before: subprocess.CompletedProcess
    left_before: list[tuple]
    fixed: bytes
    after: subprocess.CompletedProcess
    left_after: list[tuple]
    fixed_twice: bytes


def _trial(tmp_path: Path, source: str, *options: str) -> Trial:
    program = _write_program(tmp_path, source)
    original = program.read_bytes()
    offered = json.loads(run_tmpguard("scan", str(program), "--format", "json").stdout)["findings"]
    before, left_before = _run(program, tmp_path / "before")

    _fix(program, *options)
    fixed = program.read_bytes()
    after, left_after = _run(program, tmp_path / "after")

    _fix(program, *options)
    return Trial(original, offered, before, left_before, fixed, after, left_after, program.read_bytes())


@pytest.fixture(scope="module", params=sorted(SAFE_PROGRAMS))
def safe(request, tmp_path_factory) -> tuple[str, Trial]:
    kind, source = SAFE_PROGRAMS[request.param]
    return kind, _trial(tmp_path_factory.mktemp(request.param), source)


@pytest.fixture(scope="module", params=sorted(UNSAFE_PROGRAMS))
def unsafe(request, tmp_path_factory) -> Trial:
    return _trial(tmp_path_factory.mktemp(request.param), UNSAFE_PROGRAMS[request.param], "--unsafe-fixes")


def test_safe_fix_kind_reported(safe):
    kind, trial = safe
    assert [(item["fix"]["kind"], item["fix_safety"]) for item in trial.offered] == [(kind, "safe")]


def test_safe_fix_keeps_behaviour(safe):
    _, trial = safe
    assert b"mktemp(" not in trial.fixed
    assert trial.before.returncode == trial.after.returncode, trial.after.stderr
    assert trial.before.stdout == trial.after.stdout
    assert trial.left_before == trial.left_after
    assert trial.left_after != []


def test_safe_fixed_program_compiles(safe):
    _, trial = safe
    compile(trial.fixed, "program.py", "exec")


def test_safe_fix_twice_changes_nothing(safe):
    _, trial = safe
    assert trial.fixed_twice == trial.fixed


def test_safe_fix_keeps_comment(tmp_path):
    program = _write_program(tmp_path, SAFE_PROGRAMS["mkstemp_open_write"][1])
    _fix(program)
    assert "tempfile.mkstemp(suffix=\".txt\", prefix=\"save_\")  # a comment to keep" in program.read_text()


@pytest.mark.parametrize("name", sorted(UNSAFE_PROGRAMS))
def test_unsafe_fix_not_applied_by_fix(name, tmp_path):
    program = _write_program(tmp_path, UNSAFE_PROGRAMS[name])
    original = program.read_bytes()
    _fix(program)
    assert program.read_bytes() == original


def test_unsafe_fix_kind_reported(unsafe):
    assert [(item["fix"]["kind"], item["fix_safety"]) for item in unsafe.offered] == [("private-folder", "unsafe")]


def test_unsafe_fix_leaves_folder_behind(unsafe):
    assert unsafe.before.returncode == unsafe.after.returncode == 0, unsafe.after.stderr
    assert unsafe.before.stdout == unsafe.after.stdout
    # The documented difference: the same entries, one level deeper, plus the folder.
    folders = [entry for entry in unsafe.left_after if entry[0] == "dir" and entry[1] == 1]
    assert len(folders) == 1
    deeper = sorted((kind, depth - 1, content) for kind, depth, _, content in unsafe.left_after if depth > 1)
    assert deeper == sorted((kind, depth, content) for kind, depth, _, content in unsafe.left_before)


def test_unsafe_fixed_program_compiles(unsafe):
    assert unsafe.fixed != unsafe.original
    compile(unsafe.fixed, "program.py", "exec")


def test_unsafe_fix_twice_changes_nothing(unsafe):
    assert unsafe.fixed_twice == unsafe.fixed


def test_unsafe_fixes_alone_writes_nothing(tmp_path):
    program = _write_program(tmp_path, SAFE_PROGRAMS["mkstemp_open_write"][1])
    original = program.read_bytes()
    completed = run_tmpguard("scan", str(program), "--unsafe-fixes")

    assert completed.returncode == 1
    assert "--unsafe-fixes has no effect without --fix or --diff" in completed.stderr
    assert program.read_bytes() == original
