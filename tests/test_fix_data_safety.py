"""Writing fixed files: a read-only file, a file modified between read and write, and
a CRLF latin-1 file each end in the right state, and a failed write leaves no trace."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from conftest import run_tmpguard
from tmpguard.fixes import files

FIXABLE = "import tempfile\n\n\ndef save(data):\n    path = tempfile.mktemp()\n    with open(path, 'w') as handle:\n        handle.write(data)\n    return path\n"
FIXED_LINE = "    fd, path = tempfile.mkstemp()"


def _leftovers(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir() if path.name.endswith(".tmpguard"))


def test_read_only_file_left_unchanged(tmp_path):
    target = tmp_path / "readonly.py"
    target.write_text(FIXABLE, encoding="utf-8")
    target.chmod(0o444)

    completed = run_tmpguard("scan", str(target), "--fix")
    assert completed.returncode == 1
    assert "readonly.py: not fixed: the file is read-only" in completed.stderr
    assert target.read_text(encoding="utf-8") == FIXABLE
    assert stat.S_IMODE(target.stat().st_mode) == 0o444
    assert _leftovers(tmp_path) == []


def test_read_only_file_still_gets_diff(tmp_path):
    target = tmp_path / "readonly.py"
    target.write_text(FIXABLE, encoding="utf-8")
    target.chmod(0o444)

    completed = run_tmpguard("scan", str(target), "--diff")
    assert "+" + FIXED_LINE in completed.stdout
    assert target.read_text(encoding="utf-8") == FIXABLE


def test_file_modified_between_read_and_write(tmp_path, monkeypatch):
    target = tmp_path / "racing.py"
    target.write_text(FIXABLE, encoding="utf-8")
    concurrent = FIXABLE + "# saved by an editor meanwhile\n"
    rewrite = files.fix_bytes

    def rewrite_then_edit(*arguments, **keywords):
        result = rewrite(*arguments, **keywords)
        target.write_text(concurrent, encoding="utf-8")
        return result

    monkeypatch.setattr(files, "fix_bytes", rewrite_then_edit)
    outcome = files.fix_file(str(target), "racing.py")

    assert outcome.error == "the file changed after it was read; run the fix again"
    assert target.read_text(encoding="utf-8") == concurrent
    assert _leftovers(tmp_path) == []


def test_file_modified_with_same_size_and_time(tmp_path, monkeypatch):
    target = tmp_path / "racing.py"
    target.write_text(FIXABLE, encoding="utf-8")
    original = target.stat()
    concurrent = FIXABLE.replace("data", "DATA")
    rewrite = files.fix_bytes

    def rewrite_then_edit(*arguments, **keywords):
        result = rewrite(*arguments, **keywords)
        target.write_text(concurrent, encoding="utf-8")
        os.utime(target, ns=(original.st_atime_ns, original.st_mtime_ns))
        return result

    monkeypatch.setattr(files, "fix_bytes", rewrite_then_edit)
    outcome = files.fix_file(str(target), "racing.py")

    assert outcome.error is not None
    assert target.read_text(encoding="utf-8") == concurrent


def test_crlf_latin1_file_keeps_encoding_and_line_endings(tmp_path):
    source = (
        "# -*- coding: latin-1 -*-\r\n"
        "import tempfile\r\n"
        "\r\n"
        "LABEL = 'café'\r\n"
        "path = tempfile.mktemp(suffix='.txt')\r\n"
        "with open(path, 'w', encoding='latin-1') as handle:\r\n"
        "    handle.write(LABEL)\r\n"
    )
    target = tmp_path / "legacy.py"
    target.write_bytes(source.encode("latin-1"))
    target.chmod(0o640)

    completed = run_tmpguard("scan", str(target), "--fix")
    data = target.read_bytes()

    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert b"LABEL = 'caf\xe9'\r\n" in data
    assert b"fd, path = tempfile.mkstemp(suffix='.txt')\r\nos.close(fd)\r\n" in data
    assert data.count(b"\n") == data.count(b"\r\n")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    compile(data, str(target), "exec")
    assert _leftovers(tmp_path) == []


def test_byte_order_mark_kept(tmp_path):
    target = tmp_path / "bom.py"
    target.write_bytes(b"\xef\xbb\xbf" + FIXABLE.encode("utf-8"))
    run_tmpguard("scan", str(target), "--fix")
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfimport tempfile\nimport os\n")
    assert FIXED_LINE.encode() in data


def test_failed_write_leaves_original(tmp_path, monkeypatch):
    target = tmp_path / "disk_full.py"
    target.write_text(FIXABLE, encoding="utf-8")

    def fail(descriptor):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", fail)
    outcome = files.fix_file(str(target), "disk_full.py")

    assert outcome.error == "cannot write the file: No space left on device"
    assert target.read_text(encoding="utf-8") == FIXABLE
    assert _leftovers(tmp_path) == []


def test_symbolic_link_stays_link(tmp_path):
    target = tmp_path / "real.py"
    target.write_text(FIXABLE, encoding="utf-8")
    (tmp_path / "link.py").symlink_to("real.py")

    completed = run_tmpguard("scan", str(tmp_path), "--fix")
    assert "Applied 1 fix in 1 file." in completed.stderr
    assert (tmp_path / "link.py").is_symlink()
    assert FIXED_LINE in target.read_text(encoding="utf-8")


def test_hard_linked_file_left_unchanged(tmp_path):
    target = tmp_path / "shared.py"
    target.write_text(FIXABLE, encoding="utf-8")
    os.link(target, tmp_path / "other_name.txt")

    completed = run_tmpguard("scan", str(target), "--fix")
    assert "has 2 hard links" in completed.stderr
    assert target.read_text(encoding="utf-8") == FIXABLE


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to another owner")
def test_owner_kept_when_root_fixes(tmp_path):
    target = tmp_path / "owned.py"
    target.write_text(FIXABLE, encoding="utf-8")
    os.chown(target, 1234, 5678)

    run_tmpguard("scan", str(target), "--fix")
    status = target.stat()
    assert FIXED_LINE in target.read_text(encoding="utf-8")
    assert (status.st_uid, status.st_gid) == (1234, 5678)
