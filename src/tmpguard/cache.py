"""Remember each file's result between runs, so a re-run on an unchanged tree rescans nothing.

The cache folder (`.tmpguard_cache` in the working folder by default) contains one cache
file per combination of tmpguard's code, the interpreter version, the working folder and
the scan settings. The file name is a hash of them all, so a result is never trusted
across versions, even by an editable install whose version string did not change.

The file is JSON Lines: a header `{"format": 2}`, then objects of up to 2,000 entries
each, so a load never decodes the text of a large tree at once. An entry maps a file's
display path to one string, `"SIGNATURE SEEN STATUS"`: the file's stat signature (size,
mtime, ctime, inode and device in hexadecimal, joined by colons), the Unix time in
seconds at which a run last stored or used the entry, and the scan status. Most files
have no finding and no reason, and that string is their whole entry. A file with
findings or a reason gets the list `["SIGNATURE SEEN STATUS", reason, [finding, ...]]`,
and its findings are decoded only when the entry is used.

A signature is taken before the file is read. When the file changes during or after the
read, its mtime and ctime move on, so the stored signature no longer matches and the file
is scanned again. A file modified within the last two seconds is not stored, because a
second change within the same timestamp tick would leave its signature unchanged.

An entry that a run uses more than a day after it was last seen is stored again with
the new time. An entry that no run has seen for 30 days is dropped when the file is
next written.

Two runs may share the folder. Each run merges the entries already on disk and writes
through a temporary file and os.replace, so a reader sees either the old file or the new
one. When both write at once, one run's new entries are lost, but the file is never
corrupted.
A cache file that cannot be read or parsed, or that has another format number, is
ignored, and so is an entry that cannot be decoded. The file is read with `json`, never
`pickle`, because a cache folder committed to a scanned repository is untrusted input.
"""
from __future__ import annotations

import dataclasses
import errno
import hashlib
import itertools
import json
import logging
import os
import stat
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from tmpguard import __version__
from tmpguard.findings import FileResult, Finding, Fix, ScanStatus, Suppression

log = logging.getLogger(__name__)

_FORMAT = 2
_RACY_NS = 2_000_000_000
_MAX_UNSEEN_SECONDS = 30 * 24 * 3600
_REFRESH_SECONDS = 24 * 3600
_MAX_HEADER_LENGTH = 100
_ENTRIES_PER_LINE = 2000
_CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by tmpguard.\n"
    "# For information about cache directory tags see https://bford.info/cachedir/\n"
)
_STATUSES = {status.value: status for status in ScanStatus}
# The Finding fields stored under their own names. `suppression` and `fix` are stored as
# lists, and `path` is the entry's key.
_FINDING_FIELDS = tuple(
    field.name for field in dataclasses.fields(Finding) if field.name not in ("path", "suppression", "fix")
)

Signature = str
"""Size, mtime (ns), ctime (ns), inode and device of a file, in hexadecimal, joined by colons."""

Entry = str | list
"""A stored result: `"SIGNATURE SEEN STATUS"`, or that string, the reason and the findings in a list."""


def signature(path: str) -> Signature | None:
    """Return what identifies the file's current contents, or None when it cannot be stat'ed."""
    try:
        status = os.stat(path)
    except OSError:
        return None
    return "%x:%x:%x:%x:%x" % (status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino, status.st_dev)


def _code_digest() -> str:
    """Hash tmpguard's own modules, so changed code never reads an older run's results."""
    digest = hashlib.sha256(__version__.encode())
    package = Path(__file__).parent
    for module in sorted(package.rglob("*.py")):
        digest.update(module.relative_to(package).as_posix().encode())
        digest.update(module.read_bytes())
    return digest.hexdigest()


class ResultCache:
    """The cached results of one working folder under one version and settings.

    `lookup` hands out each entry once and drops it from memory, so on a large tree the
    cache does not keep a second copy of every path while the scan goes on.
    """

    def __init__(self, folder: str, settings: str = "") -> None:
        key = hashlib.sha256(
            "\0".join((_code_digest(), sys.version, os.getcwd(), settings)).encode("utf-8", "surrogatepass")
        ).hexdigest()
        self.folder = Path(folder)
        self.path = self.folder / f"v{__version__}" / f"{key[:32]}.jsonl"
        self.now = int(time.time())
        self.started_ns = time.time_ns()
        self.entries = self._load()
        self.changed: dict[str, tuple[Signature, FileResult]] = {}
        """The results to write, new or used after a day, encoded only when written."""

    def _load(self) -> dict[str, Entry]:
        entries: dict[str, Entry] = {}
        try:
            with open(self.path, encoding="utf-8") as handle:
                # A header longer than this is cut, fails to parse, and the file is ignored.
                header = json.loads(handle.readline(_MAX_HEADER_LENGTH))
                if not isinstance(header, dict) or header.get("format") != _FORMAT:
                    log.info(
                        "ignoring the cache file %s: its header %r does not name format %d", self.path, header, _FORMAT
                    )
                    return {}
                for line in handle:
                    chunk = json.loads(line)
                    if not isinstance(chunk, dict):
                        raise ValueError("a line of entries is not a JSON object")
                    entries.update(chunk)
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as error:
            log.info("ignoring unreadable cache file %s: %s", self.path, error)
            return {}
        return entries

    # The module function, reachable through the cache that the runner already holds.
    signature = staticmethod(signature)

    def __len__(self) -> int:
        """Return the number of stored results not yet looked up."""
        return len(self.entries)

    def probe(self, path: str, display_path: str) -> ScanStatus | Signature | None:
        """Return the file's stored status when `lookup` would return it without findings, else its signature.

        Worker processes call this on their own copy of the cache: it changes nothing,
        so the status of a file without findings crosses a pipe instead of its result.
        """
        current = signature(path)
        entry = self.entries.get(display_path)
        if type(entry) is not str or current is None:
            return current
        try:
            stored, seen, status = _parse_head(entry)
        except (KeyError, ValueError):
            return current
        return status if stored == current and self._fresh(seen) else current

    def _fresh(self, seen: int) -> bool:
        """Return whether an entry last seen at `seen` (seconds) needs no refresh on disk."""
        return 0 <= self.now - seen <= _REFRESH_SECONDS

    def lookup(self, display_path: str, current: Signature | None) -> FileResult | None:
        """Return the stored result for the file when its signature still matches.

        The entry leaves memory either way, so a second lookup of the same path returns None.
        """
        entry = self.entries.pop(display_path, None)
        if entry is None or current is None:
            return None
        try:
            head, reason, findings = (entry, None, None) if type(entry) is str else _split(entry)
            stored, seen, status = _parse_head(head)
            if stored != current:
                return None
            decoded = _decode_findings(display_path, findings) if findings else []
            result = FileResult(display_path, status, decoded, reason)
        except (KeyError, TypeError, ValueError, AttributeError):
            log.info("ignoring a corrupt cache entry for %s", display_path)
            return None

        if not self._fresh(seen):
            self.changed[display_path] = (current, result)
        return result

    def store(self, display_path: str, stored: Signature | None, result: FileResult) -> None:
        """Remember `result` for a file whose signature was `stored` before it was read."""
        if stored is None or result.status is ScanStatus.NOT_SCANNED:
            return
        if int(stored.split(":", 2)[1], 16) >= self.started_ns - _RACY_NS:
            return
        self.changed[display_path] = (stored, result)

    def save(self) -> None:
        """Write this run's entries merged with those on disk, atomically, dropping expired ones."""
        if not self.changed:
            return
        try:
            self._prepare_folder()
            _replace(self.path, self._lines(self._load()))
        except (OSError, TypeError, ValueError) as error:
            log.warning(
                "cannot write the cache file %s: %s; results are not cached (use --cache-dir DIR or --no-cache)",
                self.path,
                getattr(error, "strerror", None) or error,
            )
        else:
            self._remove_stale_files()
        self.changed = {}

    def _lines(self, on_disk: dict[str, Entry]) -> Iterator[str]:
        """Yield the file's lines: the header, then the entries in chunks.

        The entries are those on disk that this run did not replace and that were seen in
        the last 30 days, then this run's, encoded one chunk at a time. Chunks keep the
        text that `_load` decodes at once small, on any number of files.
        """
        unchanged = (
            (path, entry) for path, entry in on_disk.items() if path not in self.changed and self._recently_seen(entry)
        )
        written = (
            (path, _encode(f"{stored} {self.now} {result.status.value}", result))
            for path, (stored, result) in self.changed.items()
        )

        yield json.dumps({"format": _FORMAT}) + "\n"
        chunk: dict[str, Entry] = {}
        for path, entry in itertools.chain(unchanged, written):
            chunk[path] = entry
            if len(chunk) == _ENTRIES_PER_LINE:
                yield json.dumps(chunk, separators=(",", ":")) + "\n"
                chunk = {}
        if chunk:
            yield json.dumps(chunk, separators=(",", ":")) + "\n"

    def _recently_seen(self, entry: object) -> bool:
        try:
            head = _split(entry)[0]
            return self.now - int(head.split(" ")[1]) <= _MAX_UNSEEN_SECONDS
        except (TypeError, ValueError, AttributeError, IndexError):
            return False

    def _prepare_folder(self) -> None:
        """Create the cache folder and its version folder, and mark a cache folder this run created.

        The default folder lies in the scanned tree, which may be someone else's, so a
        symbolic link there could send the writes anywhere: neither folder may be one.
        The marker files go only into a folder this run created, so naming an existing
        folder such as the project itself never hides it from git or from backups.
        """
        created = _make_folder(self.folder)
        _make_folder(self.path.parent)
        if created:
            for name, text in (("CACHEDIR.TAG", _CACHEDIR_TAG), (".gitignore", "# Created by tmpguard.\n*\n")):
                _write_new(self.folder / name, text)

    def _remove_stale_files(self) -> None:
        """Delete this version's cache files that no run has written for 30 days.

        Each working folder and set of settings has its own file, so without this the
        folder would keep one for every combination ever used.
        """
        for path in self.path.parent.glob("*.jsonl"):
            try:
                if self.now - path.lstat().st_mtime > _MAX_UNSEEN_SECONDS:
                    path.unlink()
            except OSError as error:
                log.info("cannot remove the stale cache file %s: %s", path, error.strerror or error)


def _make_folder(folder: Path) -> bool:
    """Create `folder` (and its parents) unless it exists; return whether this call created it.

    Raises OSError when `folder` is a symbolic link or not a directory.
    """
    try:
        folder.mkdir(parents=True)
        return True
    except FileExistsError:
        pass
    status = folder.lstat()
    if stat.S_ISLNK(status.st_mode):
        raise OSError(errno.ELOOP, f"{folder} is a symbolic link; tmpguard writes its cache only into a real folder")
    if not stat.S_ISDIR(status.st_mode):
        raise OSError(errno.ENOTDIR, f"{folder} is not a directory")
    return False


def _write_new(path: Path, text: str) -> None:
    """Create the file `path` with `text`, unless anything (even a dangling link) is there already."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
    except FileExistsError:
        return
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)


def _replace(path: Path, lines: Iterable[str]) -> None:
    """Write `lines` to a new file next to `path`, then rename it over `path`."""
    import tempfile

    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".jsonl")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.writelines(lines)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def _parse_head(head: str) -> tuple[Signature, int, ScanStatus]:
    """Return the signature, the time last seen and the status in an entry's head.

    Raises ValueError or KeyError for a head of another form.
    """
    stored, seen, status = head.split(" ")
    return stored, int(seen), _STATUSES[status]


def _split(entry: object) -> tuple[str, str | None, list]:
    """Return an entry's head string, reason and encoded findings, raising TypeError when it has another shape."""
    if isinstance(entry, str):
        return entry, None, []
    if not isinstance(entry, list) or len(entry) != 3:
        raise TypeError("a cache entry is a string or a list of three items")
    head, reason, findings = entry
    if not isinstance(head, str) or not (reason is None or isinstance(reason, str)) or not isinstance(findings, list):
        raise TypeError("a cache entry list has a string, a reason and a list of findings")
    return head, reason, findings


def _encode(head: str, result: FileResult) -> Entry:
    if not result.findings and result.reason is None:
        return head

    findings = []
    for finding in result.findings:
        fields: dict[str, object] = {name: getattr(finding, name) for name in _FINDING_FIELDS}
        if finding.suppression is not None:
            suppression = finding.suppression
            fields["suppression"] = [suppression.kind, suppression.line, suppression.text]
        # The rewriter's edit plan is not stored: `--fix` scans each file again itself.
        if finding.fix is not None:
            fields["fix"] = [finding.fix.kind, finding.fix.safety, finding.fix.description]
        findings.append(fields)
    return [head, result.reason, findings]


def _decode_findings(display_path: str, findings: list) -> list[Finding]:
    decoded = []
    for stored in findings:
        fields = dict(stored)
        suppression = fields.pop("suppression", None)
        suppression = None if suppression is None else Suppression(*suppression)
        fix = fields.pop("fix", None)
        fix = None if fix is None else Fix(*fix)
        finding = Finding(path=display_path, suppression=suppression, fix=fix, **fields)
        _check_types(finding)
        decoded.append(finding)
    return decoded


def _check_types(finding: Finding) -> None:
    """Raise TypeError unless each field of a decoded finding has the type the scanner gives it."""
    texts = [finding.rule_id, finding.message, finding.severity, finding.snippet, finding.fingerprint]
    numbers = [finding.start_line, finding.start_column, finding.end_line, finding.end_column]
    optional_texts = [finding.no_fix_reason]
    if finding.suppression is not None:
        texts += [finding.suppression.kind, finding.suppression.text]
        if finding.suppression.line is not None:
            numbers.append(finding.suppression.line)
    if finding.fix is not None:
        texts += [finding.fix.kind, finding.fix.safety, finding.fix.description]
        if finding.fix.edit is not None:
            raise TypeError("a cached fix has a fourth item, but the rewriter's edit plan is never stored")

    if not all(isinstance(text, str) for text in texts):
        raise TypeError("a text field of a cached finding is not a string")
    if not all(type(number) is int for number in numbers):
        raise TypeError("a line or column of a cached finding is not an integer")
    if not all(text is None or isinstance(text, str) for text in optional_texts):
        raise TypeError("an optional field of a cached finding is neither null nor a string")
