"""Hostile and broken inputs, built in a temporary folder and scanned with the real CLI.

Each test puts one hostile input next to `good.py`, whose finding is planted at a
known position. It checks the exit code and the notice for the hostile input: scanned,
scanned by the fallback, or not scanned with its reason. It also checks that the
finding in `good.py` is still reported at its exact line and column.

Tests run as root in CI, where `chmod 000` does not stop a read. The permission
tests therefore drop the capabilities that let root bypass file permissions
(CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH) in the child process. Other read errors
come from a broken symbolic link, a symbolic link loop and a file that is deleted
between discovery and reading.
"""

from __future__ import annotations

import ctypes
import json
import os
import re
import sys
from pathlib import Path
from urllib.parse import unquote_to_bytes

import jsonschema
import pytest

from conftest import run_tmpguard
from tmpguard import cli, engine

GOOD_SOURCE = "import tempfile\n\n\npath = tempfile.mktemp()\n"
GOOD_POSITION = ("good.py", 4, 8)

EXIT_CLEAN, EXIT_FINDINGS, EXIT_NOT_SCANNED = 0, 1, 3

# Raw terminal control characters that must never reach the terminal: C0 controls
# other than tab and line feed, DEL, C1 controls and bidirectional controls.
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def plant_good(folder: Path) -> None:
    (folder / "good.py").write_text(GOOD_SOURCE, encoding="utf-8")


def scan_json(folder: Path, *paths: str, options: tuple[str, ...] = (), preexec_fn=None) -> tuple[int, dict, str]:
    """Scan `paths` (default: the folder) from inside `folder`; return exit code, JSON report, stderr."""
    completed = run_tmpguard(
        "scan", *(paths or (".",)), "--format", "json", *options, cwd=folder, preexec_fn=preexec_fn
    )
    assert completed.stdout, completed.stderr
    return completed.returncode, json.loads(completed.stdout), completed.stderr


def positions(report: dict) -> list[tuple[str, int, int]]:
    return sorted(
        (unquote_to_bytes(item["artifact_uri"]).decode("utf-8", "surrogateescape"), item["start_line"], item["start_column"])
        for item in report["findings"]
    )


def notices(report: dict, kind: str) -> dict[str, str]:
    """Map artifact URI to reason for `kind` 'not_scanned' or 'fallback_files'."""
    return {item["artifact_uri"]: item["reason"] for item in report[kind]}


def assert_good_reported(report: dict) -> None:
    assert GOOD_POSITION in positions(report)


# --- files that cannot be read -------------------------------------------------


def test_fifo_not_scanned_without_hanging(tmp_path):
    plant_good(tmp_path)
    os.mkfifo(tmp_path / "x.py")

    code, report, stderr = scan_json(tmp_path)

    assert code == EXIT_FINDINGS
    assert notices(report, "not_scanned") == {"x.py": "a FIFO, not a regular file"}
    assert "x.py: not scanned: a FIFO, not a regular file" in stderr
    assert_good_reported(report)
    assert scan_json(tmp_path, "x.py")[0] == EXIT_NOT_SCANNED


def test_symlink_loop_not_scanned(tmp_path):
    plant_good(tmp_path)
    os.symlink("loop_b.py", tmp_path / "loop_a.py")
    os.symlink("loop_a.py", tmp_path / "loop_b.py")

    code, report, _ = scan_json(tmp_path)

    assert code == EXIT_FINDINGS
    assert notices(report, "not_scanned") == {
        "loop_a.py": "Too many levels of symbolic links",
        "loop_b.py": "Too many levels of symbolic links",
    }
    assert_good_reported(report)
    assert scan_json(tmp_path, "loop_a.py")[0] == EXIT_NOT_SCANNED


def test_symlink_out_of_tree_not_followed(tmp_path):
    tree = tmp_path / "tree"
    outside = tmp_path / "outside"
    tree.mkdir()
    outside.mkdir()
    plant_good(tree)
    (outside / "secret.py").write_text(GOOD_SOURCE, encoding="utf-8")
    os.symlink(outside / "secret.py", tree / "linked.py")
    os.symlink(outside, tree / "linked_folder")

    code, report, stderr = scan_json(tree)

    assert code == EXIT_FINDINGS
    assert positions(report) == [GOOD_POSITION]
    assert report["not_scanned"] == []
    assert report["summary"]["files"] == 1
    assert "linked.py: not followed: symbolic link to a path outside the scanned tree" in stderr
    assert "linked_folder: not followed: symbolic link to a path outside the scanned tree" in stderr


def test_broken_symlink_not_scanned(tmp_path):
    plant_good(tmp_path)
    os.symlink("missing.py", tmp_path / "broken.py")

    code, report, _ = scan_json(tmp_path)

    assert code == EXIT_FINDINGS
    assert notices(report, "not_scanned") == {"broken.py": "broken symbolic link: its target does not exist"}
    assert_good_reported(report)
    assert scan_json(tmp_path, "broken.py")[0] == EXIT_NOT_SCANNED


def _drop_permission_override() -> None:
    """Remove root's power to bypass file permissions from this process and its exec."""
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


def _permission_denial():
    """Return a preexec function under which mode 000 denies access, or skip the test."""
    if os.geteuid() != 0:
        return None
    if not sys.platform.startswith("linux"):
        pytest.skip("dropping capabilities needs Linux")
    probe = run_tmpguard("--version", preexec_fn=_drop_permission_override)
    if probe.returncode != 0:
        pytest.skip(f"cannot drop capabilities here: {probe.stderr.strip()[-200:]}")
    return _drop_permission_override


def test_unreadable_file_not_scanned(tmp_path):
    preexec_fn = _permission_denial()
    plant_good(tmp_path)
    locked = tmp_path / "locked.py"
    locked.write_text(GOOD_SOURCE, encoding="utf-8")
    locked.chmod(0)

    code, report, _ = scan_json(tmp_path, preexec_fn=preexec_fn)

    assert code == EXIT_FINDINGS
    assert notices(report, "not_scanned") == {"locked.py": "Permission denied"}
    assert_good_reported(report)
    assert scan_json(tmp_path, "locked.py", preexec_fn=preexec_fn)[0] == EXIT_NOT_SCANNED


def test_unreadable_directory_not_scanned(tmp_path):
    preexec_fn = _permission_denial()
    plant_good(tmp_path)
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "hidden.py").write_text(GOOD_SOURCE, encoding="utf-8")
    locked.chmod(0)

    try:
        code, report, stderr = scan_json(tmp_path, preexec_fn=preexec_fn)
        alone = scan_json(tmp_path, "locked", preexec_fn=preexec_fn)[0]
    finally:
        locked.chmod(0o755)

    assert code == EXIT_FINDINGS
    assert notices(report, "not_scanned") == {"locked": "cannot list the directory: Permission denied"}
    assert "locked: not scanned: cannot list the directory: Permission denied" in stderr
    assert_good_reported(report)
    assert alone == EXIT_NOT_SCANNED


def test_file_deleted_after_discovery(tmp_path, monkeypatch):
    plant_good(tmp_path)
    doomed = tmp_path / "doomed.py"
    doomed.write_text(GOOD_SOURCE, encoding="utf-8")
    iter_sources = engine.iter_sources

    def discover_then_delete(paths, settings):
        sources = list(iter_sources(paths, settings))
        doomed.unlink()
        return iter(sources)

    monkeypatch.setattr(engine, "iter_sources", discover_then_delete)
    output = tmp_path / "report.json"
    code = cli.main(["scan", str(tmp_path), "--format", "json", "--output", str(output)])
    report = json.loads(output.read_text(encoding="utf-8"))

    assert code == EXIT_FINDINGS
    assert list(notices(report, "not_scanned").values()) == ["No such file or directory"]
    assert [(line, column) for _, line, column in positions(report)] == [GOOD_POSITION[1:]]


def test_directory_named_like_source_is_walked(tmp_path):
    plant_good(tmp_path)
    (tmp_path / "x.py").mkdir()
    (tmp_path / "x.py" / "inner.py").write_text(GOOD_SOURCE, encoding="utf-8")

    code, report, _ = scan_json(tmp_path)

    assert code == EXIT_FINDINGS
    assert positions(report) == [GOOD_POSITION, ("x.py/inner.py", 4, 8)]
    assert report["not_scanned"] == []
    assert scan_json(tmp_path, "x.py")[0] == EXIT_FINDINGS


def test_fifo_gitignore_does_not_hang(tmp_path):
    plant_good(tmp_path)
    os.mkfifo(tmp_path / ".gitignore")

    code, report, stderr = scan_json(tmp_path)

    assert code == EXIT_FINDINGS
    assert_good_reported(report)
    assert ".gitignore: not applied: a FIFO, not a regular file" in stderr


def test_deeply_nested_directories(tmp_path):
    plant_good(tmp_path)
    folders = [str(tmp_path)]
    for _ in range(1200):  # deeper than Python's default recursion limit of 1000
        folders.append(folders[-1] + "/d")
        os.mkdir(folders[-1])
    with open(folders[-1] + "/deep.py", "w", encoding="utf-8") as handle:
        handle.write(GOOD_SOURCE)

    try:
        code, report, _ = scan_json(tmp_path)
    finally:
        # shutil.rmtree, which pytest cleans up with, recurses once per level.
        os.unlink(folders[-1] + "/deep.py")
        for folder in reversed(folders[1:]):
            os.rmdir(folder)

    assert code == EXIT_FINDINGS
    assert positions(report) == [("d/" * 1200 + "deep.py", 4, 8), GOOD_POSITION]


# --- files that are read but do not decode or parse -------------------------------


@pytest.mark.parametrize(
    ("content", "reason", "finding"),
    [
        pytest.param(
            b"import tempfile\x00\nvalue = tempfile.mktemp()\n",
            "syntax error: source code string cannot contain null bytes", (2, 9),
            id="nul-bytes",
        ),
        pytest.param(
            b"import tempfile\n# \xff\xfe\nvalue = tempfile.mktemp()\n",
            "invalid utf-8 bytes on line 2: invalid start byte; scanned with undecodable bytes replaced",
            (3, 9),
            id="undecodable-without-cookie",
        ),
        pytest.param(
            b"# -*- coding: klingon -*-\nimport tempfile\nvalue = tempfile.mktemp()\n",
            "unknown encoding: klingon; scanned with undecodable bytes replaced", (3, 9),
            id="unknown-cookie",
        ),
        pytest.param(
            b"# coding: ascii\nimport tempfile\nvalue = 'caf\xc3\xa9'; other = tempfile.mktemp()\n",
            "invalid ascii bytes on line 3: ordinal not in range(128); scanned with undecodable bytes replaced",
            (3, 26),  # each of the two replaced bytes counts as one column
            id="cookie-contradicts-content",
        ),
        pytest.param(
            b"# coding: rot13\nimport tempfile\nvalue = tempfile.mktemp()\n",
            "encoding problem: rot13 is not an ASCII-compatible text encoding; "
            "scanned with undecodable bytes replaced",
            (3, 9),
            id="non-text-codec-cookie",
        ),
        pytest.param(
            b"# coding: utf-16\nimport tempfile\nvalue = tempfile.mktemp()\n",
            "encoding problem: utf-16 is not an ASCII-compatible text encoding; "
            "scanned with undecodable bytes replaced",
            (3, 9),
            id="utf-16-cookie",
        ),
    ],
)
def test_broken_encoding_or_syntax(tmp_path, content, reason, finding):
    plant_good(tmp_path)
    (tmp_path / "hostile.py").write_bytes(content)

    code, report, _ = scan_json(tmp_path)

    assert code == EXIT_FINDINGS
    assert notices(report, "fallback_files") == {"hostile.py": reason}
    assert report["not_scanned"] == []
    assert positions(report) == [GOOD_POSITION, ("hostile.py", *finding)]


def test_deep_expression_scanned(tmp_path):
    plant_good(tmp_path)
    expression = "+".join(["1"] * 100_000)
    (tmp_path / "deep.py").write_text(f"import tempfile\nx = {expression}\ny = tempfile.mktemp()\n")

    code, report, _ = scan_json(tmp_path)

    assert code == EXIT_FINDINGS
    assert positions(report) == [("deep.py", 3, 5), GOOD_POSITION]
    assert report["not_scanned"] == []
    # CPython 3.11 stops at its recursion limit; a parser that copes analyses it instead.
    assert notices(report, "fallback_files") in ({}, {"deep.py": "too deeply nested for the parser"})


def test_megabyte_single_line(tmp_path):
    plant_good(tmp_path)
    prefix = "value = [" + "0, " * 350_000 + "]; path = "
    (tmp_path / "long.py").write_text(f"import tempfile\n{prefix}tempfile.mktemp()\n")

    code, report, _ = scan_json(tmp_path)

    assert code == EXIT_FINDINGS
    assert positions(report) == [GOOD_POSITION, ("long.py", 2, len(prefix) + 1)]
    assert report["fallback_files"] == []
    long_finding = next(item for item in report["findings"] if item["artifact_uri"] == "long.py")
    assert len(long_finding["snippet"]) <= 400
    assert "tempfile.mktemp()" in long_finding["snippet"]


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b"\xef\xbb\xbf", id="bom-only"),
        pytest.param(b"\xef\xbb\xbfimport tempfile\nvalue = 1\n", id="bom-and-code"),
    ],
)
def test_empty_and_bom_only(tmp_path, content):
    plant_good(tmp_path)
    (tmp_path / "blank.py").write_bytes(content)

    code, report, _ = scan_json(tmp_path)

    assert code == EXIT_FINDINGS
    assert report["not_scanned"] == []
    assert report["fallback_files"] == []
    assert report["summary"]["files_scanned"] == 2
    assert positions(report) == [GOOD_POSITION]
    assert scan_json(tmp_path, "blank.py")[0] == EXIT_CLEAN


# --- large files -------------------------------------------------------------------

FIFTY_MB = 50 * 1024 * 1024


def _write_large(path: Path, tail: bytes) -> None:
    line = b"DATA = 1234567890\n"
    with path.open("wb") as handle:
        handle.write(line * (FIFTY_MB // len(line)))
        handle.write(tail)


def test_fifty_megabytes_with_target_not_scanned(tmp_path):
    plant_good(tmp_path)
    _write_large(tmp_path / "large.py", b"import tempfile\npath = tempfile.mktemp()\n")

    code, report, _ = scan_json(tmp_path)

    assert code == EXIT_FINDINGS
    assert notices(report, "not_scanned") == {
        "large.py": "50.0 MiB, larger than the --max-file-size limit of 10.0 MiB for parsing, and it contains `mktemp`"
    }
    assert_good_reported(report)
    assert scan_json(tmp_path, "large.py")[0] == EXIT_NOT_SCANNED


def test_fifty_megabytes_without_target_scanned(tmp_path):
    plant_good(tmp_path)
    _write_large(tmp_path / "large.py", b"path = 'nothing to see'\n")

    code, report, _ = scan_json(tmp_path)

    assert code == EXIT_FINDINGS
    assert report["not_scanned"] == []
    assert report["summary"]["files_scanned"] == 2
    assert_good_reported(report)
    assert scan_json(tmp_path, "large.py")[0] == EXIT_CLEAN


def test_large_file_names_in_two_chunks(tmp_path):
    """The import is in the first mebibyte and the call in the last, so no single chunk has both names."""
    plant_good(tmp_path)
    filler = b"DATA = 1234567890\n" * (3 * 1024 * 1024 // 18)
    (tmp_path / "split.py").write_bytes(b"import tempfile as t\n" + filler + b"path = t.mktemp()\n")
    options = ("--max-file-size", "1")

    code, report, _ = scan_json(tmp_path, options=options)

    assert code == EXIT_FINDINGS
    assert notices(report, "not_scanned") == {
        "split.py": "3.0 MiB, larger than the --max-file-size limit of 1.0 MiB for parsing, and it contains `mktemp`"
    }
    assert_good_reported(report)
    assert scan_json(tmp_path, "split.py", options=options)[0] == EXIT_NOT_SCANNED


def test_max_file_size_option(tmp_path):
    plant_good(tmp_path)
    options = ("--max-file-size", str(40 / (1024 * 1024)))  # 40 bytes; good.py has 43

    code, report, _ = scan_json(tmp_path, options=options)

    assert code == EXIT_NOT_SCANNED
    assert notices(report, "not_scanned") == {
        "good.py": "43 bytes, larger than the --max-file-size limit of 40 bytes for parsing, "
        "and it contains `mktemp`"
    }
    assert scan_json(tmp_path, options=("--max-file-size", "1"))[0] == EXIT_FINDINGS


# --- file names and source lines that would control a terminal -------------------

HOSTILE_NAMES = {
    "with space.py": "with space.py",
    "nön-ascii.py": "nön-ascii.py",
    "new\nline.py": "new\\nline.py",
    "clear\x1b[2J.py": "clear\\x1b[2J.py",
    "title\x1b]0;pwned\x07.py": "title\\x1b]0;pwned\\x07.py",
    "bidi\u202egnp.py": "bidi\\u202egnp.py",
    "csi\x9b31m.py": "csi\\x9b31m.py",
}


def test_hostile_file_names(tmp_path):
    plant_good(tmp_path)
    for name in HOSTILE_NAMES:
        (tmp_path / name).write_text(GOOD_SOURCE, encoding="utf-8")
    (tmp_path / os.fsdecode(b"bytes\xff.py")).write_text(GOOD_SOURCE, encoding="utf-8")
    os.symlink("missing.py", tmp_path / "broken\x1b[1m.py")

    text = run_tmpguard("scan", ".", cwd=tmp_path)
    code, report, _ = scan_json(tmp_path)

    assert text.returncode == EXIT_FINDINGS
    assert code == EXIT_FINDINGS
    for name, shown in HOSTILE_NAMES.items():
        assert f"{shown}:4:8: VNX-PY-018 " in text.stdout
        assert (name, 4, 8) in positions(report)
    assert "bytes\\xff.py:4:8: VNX-PY-018 " in text.stdout
    assert (os.fsdecode(b"bytes\xff.py"), 4, 8) in positions(report)
    assert "broken\\x1b[1m.py: error: not scanned: broken symbolic link" in text.stdout
    assert "broken\\x1b[1m.py: not scanned: broken symbolic link" in text.stderr
    assert RAW_CONTROL.findall(text.stdout) == []
    assert RAW_CONTROL.findall(text.stderr) == []
    assert_good_reported(report)


def test_hostile_file_names_in_sarif(tmp_path, sarif_schema):
    plant_good(tmp_path)
    (tmp_path / os.fsdecode(b"bytes\xff.py")).write_text(GOOD_SOURCE, encoding="utf-8")
    os.symlink("missing.py", tmp_path / "broken\x1b[1m.py")

    completed = run_tmpguard("scan", ".", "--format", "sarif", cwd=tmp_path)
    report = json.loads(completed.stdout)

    assert completed.returncode == EXIT_FINDINGS
    jsonschema.validate(report, sarif_schema)
    run = report["runs"][0]
    uris = [result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for result in run["results"]]
    assert uris == ["bytes%FF.py", "good.py"]
    notification = run["invocations"][0]["toolExecutionNotifications"][0]
    assert notification["message"]["text"].startswith("broken\\x1b[1m.py: not scanned: broken symbolic link")


def test_escape_sequences_in_source_lines(tmp_path):
    plant_good(tmp_path)
    source = (
        "import tempfile\n"
        'banner = "\x1b[2J\x1b]0;pwned\x07"; path = tempfile.mktemp()\n'
        "other = tempfile.mktemp()  # \u202e evil comment \u202c\n"
        "third = (tempfile  # \x1b[31m\n"
        "    .mktemp)\n"
    )
    (tmp_path / "escapes.py").write_text(source, encoding="utf-8")

    text = run_tmpguard("scan", ".", cwd=tmp_path)
    code, report, _ = scan_json(tmp_path)

    assert text.returncode == EXIT_FINDINGS
    assert code == EXIT_FINDINGS
    assert positions(report) == [("escapes.py", 2, 35), ("escapes.py", 3, 9), ("escapes.py", 4, 10), GOOD_POSITION]
    assert '    banner = "\\x1b[2J\\x1b]0;pwned\\x07"; path = tempfile.mktemp()' in text.stdout
    assert "    other = tempfile.mktemp()  # \\u202e evil comment \\u202c" in text.stdout
    assert RAW_CONTROL.findall(text.stdout) == []
    snippets = [item["snippet"] for item in report["findings"] if item["artifact_uri"] == "escapes.py"]
    assert snippets[0] == 'banner = "\x1b[2J\x1b]0;pwned\x07"; path = tempfile.mktemp()'
