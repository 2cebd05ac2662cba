"""Remember each file's result between runs, so a re-run on an unchanged tree rescans nothing.

The cache folder (`.tmpguard_cache` in the working folder by default) contains one JSON file
per combination of tmpguard's code, the interpreter version, the working folder and the
scan settings. The file name is a hash of them all, so a result is never trusted across
versions, even by an editable install whose version string did not change. Inside, each
entry maps a file's display path to its stat signature (size, mtime, ctime, inode,
device) and its result.

A signature is taken before the file is read. When the file changes during or after the
read, its mtime and ctime move on, so the stored signature no longer matches and the file
is scanned again. A file modified within the last two seconds is not stored, because a
second change within the same timestamp tick would leave its signature unchanged.

Two runs may share the folder. Each run merges the entries already on disk and writes
through a temporary file and os.replace, so a reader sees either the old file or the new
one. When both write at once, one run's new entries are lost, but the file is never
corrupted.
A cache file that cannot be read or parsed is ignored. The JSON format is read with
`json`, never `pickle`, because a cache folder committed to a scanned repository is
untrusted input.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

from tmpguard import __version__
from tmpguard.findings import FileResult, Finding, Fix, ScanStatus, Suppression

log = logging.getLogger(__name__)

_FORMAT = 1
_RACY_NS = 2_000_000_000
_MAX_UNSEEN_SECONDS = 30 * 24 * 3600
_REFRESH_SECONDS = 24 * 3600
_CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by tmpguard.\n"
    "# For information about cache directory tags see https://bford.info/cachedir/\n"
)

Signature = list[int]


def signature(path: str) -> Signature | None:
    """Return what identifies the file's current contents, or None when it cannot be stat'ed."""
    try:
        status = os.stat(path)
    except OSError:
        return None
    return [status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino, status.st_dev]


def _code_digest() -> str:
    """Hash tmpguard's own modules, so changed code never reads an older run's results."""
    digest = hashlib.sha256(__version__.encode())
    package = Path(__file__).parent
    for module in sorted(package.rglob("*.py")):
        digest.update(module.relative_to(package).as_posix().encode())
        digest.update(module.read_bytes())
    return digest.hexdigest()


class ResultCache:
    """The cached results of one working folder under one version and settings."""

    def __init__(self, folder: str, settings: str = "") -> None:
        key = hashlib.sha256(
            "\0".join((_code_digest(), sys.version, os.getcwd(), settings)).encode("utf-8", "surrogatepass")
        ).hexdigest()
        self.folder = Path(folder)
        self.path = self.folder / f"v{__version__}" / f"{key[:32]}.json"
        self.now = time.time()
        self.started_ns = time.time_ns()
        self.entries = self._load()
        self.changed: dict[str, list] = {}

    def _load(self) -> dict[str, list]:
        try:
            with open(self.path, encoding="utf-8") as handle:
                document = json.load(handle)
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as error:
            log.info("ignoring unreadable cache file %s: %s", self.path, error)
            return {}
        if not isinstance(document, dict) or document.get("format") != _FORMAT:
            return {}
        entries = document.get("entries")
        return entries if isinstance(entries, dict) else {}

    def lookup(self, display_path: str, current: Signature | None) -> FileResult | None:
        """Return the stored result for the file when its signature still matches."""
        entry = self.entries.get(display_path)
        if current is None or not isinstance(entry, list) or len(entry) != 3 or entry[0] != current:
            return None
        try:
            result = _decode(display_path, entry[2])
        except (KeyError, TypeError, ValueError, IndexError):
            log.info("ignoring a corrupt cache entry for %s", display_path)
            return None
        if not isinstance(entry[1], (int, float)) or self.now - entry[1] > _REFRESH_SECONDS:
            self.changed[display_path] = [current, self.now, entry[2]]
        return result

    def store(self, display_path: str, stored: Signature | None, result: FileResult) -> None:
        """Remember `result` for a file whose signature was `stored` before it was read."""
        if stored is None or result.status is ScanStatus.NOT_SCANNED:
            return
        if stored[1] >= self.started_ns - _RACY_NS:
            return
        self.changed[display_path] = [stored, self.now, _encode(result)]

    def save(self) -> None:
        """Write the entries of this run merged with those on disk, atomically."""
        if not self.changed:
            return
        merged = {
            path: entry
            for path, entry in self._load().items()
            if isinstance(entry, list) and len(entry) == 3 and isinstance(entry[1], (int, float))
            and self.now - entry[1] <= _MAX_UNSEEN_SECONDS
        }
        merged.update(self.changed)
        try:
            self._prepare_folder()
            descriptor, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".tmp-", suffix=".json")
            try:
                with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                    json.dump({"format": _FORMAT, "entries": merged}, handle, separators=(",", ":"))
                os.replace(temporary, self.path)
            except BaseException:
                os.unlink(temporary)
                raise
        except (OSError, TypeError, ValueError) as error:
            log.warning("cannot write the cache file %s: %s", self.path, getattr(error, "strerror", None) or error)

    def _prepare_folder(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        for name, text in (("CACHEDIR.TAG", _CACHEDIR_TAG), (".gitignore", "# Created by tmpguard.\n*\n")):
            marker = self.folder / name
            if not marker.exists():
                marker.write_text(text, encoding="utf-8")


def _encode(result: FileResult) -> list:
    findings = []
    for finding in result.findings:
        fields = {field.name: getattr(finding, field.name) for field in dataclasses.fields(Finding)}
        del fields["path"]
        if finding.suppression is not None:
            fields["suppression"] = dataclasses.astuple(finding.suppression)
        # The rewriter's edit plan is not stored: `--fix` scans each file again itself.
        if finding.fix is not None:
            fields["fix"] = [finding.fix.kind, finding.fix.safety, finding.fix.description]
        findings.append(fields)
    return [result.status.value, result.reason, findings]


def _decode(display_path: str, encoded: list) -> FileResult:
    status, reason, findings = encoded
    if reason is not None and not isinstance(reason, str):
        raise TypeError("the reason is not a string")
    decoded = []
    for stored in findings:
        fields = dict(stored)
        suppression = fields.pop("suppression", None)
        suppression = None if suppression is None else Suppression(*suppression)
        fix = fields.pop("fix", None)
        fix = None if fix is None else Fix(*fix)
        decoded.append(Finding(path=display_path, suppression=suppression, fix=fix, **fields))
    return FileResult(display_path, ScanStatus(status), decoded, reason)
