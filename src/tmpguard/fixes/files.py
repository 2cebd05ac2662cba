"""Fix files on disk: read, rewrite, then replace atomically, or print a unified diff.

A file is written only through a temporary file in the same folder that is fsynced
and renamed over the original with `os.replace`, so a reader sees either the old or
the new content, never a partial file. The file keeps its mode bits, its declared
encoding, its byte order mark and its line endings. A file that changed after it was
read, a read-only file, or a file with several hard links is left unchanged and
reported.
"""

from __future__ import annotations

import contextlib
import difflib
import logging
import os
import stat
import tempfile
from dataclasses import dataclass, field

from tmpguard.discover import DiscoverySettings, discover
from tmpguard.engine import scan_source
from tmpguard.findings import Finding
from tmpguard.fixes.plan import SAFE, UNSAFE
from tmpguard.fixes.rewrite import RewriteError, rewrite
from tmpguard.reader import ReadError, read_bytes
from tmpguard.source import DecodeError, decode

log = logging.getLogger(__name__)

_NO_NEWLINE = b"\n\\ No newline at end of file\n"


class FileChanged(Exception):
    """Raised when a file on disk no longer matches what was read and rewritten."""


@dataclass
class FileFix:
    """The outcome of fixing one file."""

    path: str
    applied: list[Finding] = field(default_factory=list)
    skipped: list[tuple[Finding, str]] = field(default_factory=list)
    error: str | None = None
    """The reason the file was left unchanged although fixes were planned."""
    diff: bytes = b""


@dataclass
class FixSummary:
    """Every file's outcome of one `--fix` or `--diff` run."""

    files: list[FileFix]

    @property
    def applied(self) -> int:
        return sum(len(item.applied) for item in self.files if item.error is None)

    @property
    def changed_files(self) -> int:
        return sum(1 for item in self.files if item.applied and item.error is None)

    @property
    def failed(self) -> list[FileFix]:
        return [item for item in self.files if item.error is not None]


def fix_paths(paths: list[str], settings: DiscoverySettings, unsafe: bool = False, write: bool = True) -> FixSummary:
    """Fix every file under `paths`, or only compute the diffs when `write` is False.

    A file reached through several paths (a symbolic link inside the tree and its
    target) is fixed once, through its real path, so the link stays a link.
    """
    safeties = (SAFE, UNSAFE) if unsafe else (SAFE,)
    seen: set[str] = set()
    outcomes = []
    for source in discover(paths, settings):
        real = os.path.realpath(source.path)
        if real in seen:
            continue
        seen.add(real)
        outcome = fix_file(real, source.display_path, safeties, write)
        if outcome.error:
            log.warning("%s: not fixed: %s", source.display_path, outcome.error)
        for finding, reason in outcome.skipped:
            log.warning("%s:%d:%d: fix not applied: %s", source.display_path, finding.start_line, finding.start_column, reason)
        outcomes.append(outcome)
    return FixSummary(outcomes)


def fix_file(path: str, display_path: str, safeties: tuple[str, ...] = (SAFE,), write: bool = True) -> FileFix:
    """Apply the fixes whose safety is in `safeties` to the file at `path`."""
    try:
        before = os.stat(path)
        data = read_bytes(path)
    except (OSError, ReadError) as error:
        return FileFix(display_path, error=f"cannot read the file: {error}")

    fixed, outcome = fix_bytes(data, display_path, safeties)
    if outcome.error is not None or fixed == data:
        return outcome
    if not write:
        outcome.diff = unified_diff(data, fixed, display_path)
        return outcome

    outcome.error = _refusal(path, before)
    if outcome.error is None:
        outcome.error = _replace_or_explain(path, data, before, fixed)
    return outcome


def fix_bytes(data: bytes, display_path: str, safeties: tuple[str, ...] = (SAFE,)) -> tuple[bytes, FileFix]:
    """Return a file's bytes with the chosen fixes applied, and what was applied.

    The result is encoded as the original was: same declared encoding, byte order
    mark and line endings. On error the original bytes come back, and the outcome's
    `error` gives the reason.
    """
    outcome = FileFix(display_path)
    chosen = [
        finding for finding in scan_source(data, display_path).findings
        if not finding.suppressed and finding.fix is not None and finding.fix.safety in safeties
    ]
    if not chosen:
        return data, outcome

    try:
        source = decode(data)
        if source.text.encode(source.encoding) != data:
            raise UnicodeError(f"the file's encoding {source.encoding} does not reproduce its bytes")
        result = rewrite(source.text, chosen)
        fixed = result.text.encode(source.encoding)
    except (DecodeError, RewriteError, UnicodeError) as error:
        outcome.error = str(error)
        return data, outcome

    outcome.applied = result.applied
    outcome.skipped = result.skipped
    return fixed, outcome


def _refusal(path: str, before: os.stat_result) -> str | None:
    """Return why the file at `path` must not be replaced, or None.

    Permission bits do not stop root, and `os.replace` needs only write access to the
    folder, so a file without any write bit is treated as read-only on purpose.
    """
    if not before.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(path, os.W_OK):
        return "the file is read-only; make it writable to fix it"
    if before.st_nlink > 1:
        return f"the file has {before.st_nlink} hard links, which replacing it would separate"
    return None


def _replace_or_explain(path: str, original: bytes, before: os.stat_result, fixed: bytes) -> str | None:
    try:
        replace_atomically(path, original, before, fixed)
    except FileChanged:
        return "the file changed after it was read; run the fix again"
    except OSError as error:
        return f"cannot write the file: {error.strerror or error}"
    return None


def replace_atomically(path: str, original: bytes, before: os.stat_result, fixed: bytes) -> None:
    """Replace the file at `path` with `fixed` if it still contains `original`.

    Raises FileChanged when the file's bytes or status changed since `before`, and
    OSError when the temporary file cannot be written. In both cases the file at
    `path` is left untouched.
    """
    folder = os.path.dirname(path) or "."
    descriptor, temporary = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmpguard", dir=folder)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(fixed)
            handle.flush()
            os.fchmod(handle.fileno(), stat.S_IMODE(before.st_mode))
            _keep_owner(handle.fileno(), before)
            os.fsync(handle.fileno())
        _check_unchanged(path, original, before)
        # NOTE: a writer that changes the file between this check and the rename
        # loses its change, because POSIX offers no compare-and-swap rename.
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    _fsync_folder(folder)


def _keep_owner(descriptor: int, before: os.stat_result) -> None:
    if (before.st_uid, before.st_gid) == (os.geteuid(), os.getegid()):
        return
    with contextlib.suppress(PermissionError):
        os.fchown(descriptor, before.st_uid, before.st_gid)


def _check_unchanged(path: str, original: bytes, before: os.stat_result) -> None:
    now = os.stat(path)
    identity = (before.st_dev, before.st_ino, before.st_size, before.st_mtime_ns, before.st_mode)
    if (now.st_dev, now.st_ino, now.st_size, now.st_mtime_ns, now.st_mode) != identity:
        raise FileChanged(path)
    try:
        current = read_bytes(path)
    except ReadError:
        raise FileChanged(path) from None
    if current != original:
        raise FileChanged(path)


def _fsync_folder(folder: str) -> None:
    try:
        descriptor = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def unified_diff(original: bytes, fixed: bytes, display_path: str) -> bytes:
    """Return a unified diff from `original` to `fixed` that `patch -p1` applies.

    The diff is built from bytes, so it keeps the file's encoding, byte order mark and
    line endings. A last line without a line break gets patch's marker for that.
    """
    # An absolute display path (a file outside the working folder) loses its leading
    # slash, so that `patch -p1` run from the root folder finds the file.
    name = os.fsencode(display_path.lstrip("/"))
    lines = difflib.diff_bytes(
        difflib.unified_diff,
        _split(original),
        _split(fixed),
        fromfile=b"a/" + name,
        tofile=b"b/" + name,
        lineterm=b"\n",
    )
    output = bytearray()
    for line in lines:
        if line.endswith(b"\n"):
            output += line
        else:
            output += line + _NO_NEWLINE
    return bytes(output)


def _split(data: bytes) -> list[bytes]:
    """Split `data` after each line feed only, as patch does, keeping carriage returns."""
    lines = data.split(b"\n")
    result = [line + b"\n" for line in lines[:-1]]
    if lines[-1]:
        result.append(lines[-1])
    return result
