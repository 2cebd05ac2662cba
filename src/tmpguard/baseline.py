"""Baselines: record today's findings so that later scans report only new ones.

A baseline entry is keyed by the hash part of a finding's fingerprint: the rule, the
file and the source line with white space folded. The key has no line number, so
entries keep matching when lines are inserted or removed elsewhere in the file. Entries
form a multiset: an entry with count 1 hides one finding, and a second identical call
added later is still reported.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import re
import tempfile
from collections import Counter
from dataclasses import dataclass

from tmpguard import __version__
from tmpguard.errors import BaselineError
from tmpguard.findings import Finding, ScanResult, Suppression

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
_KEY = re.compile(r"[0-9a-f]+")


def fingerprint_hash(finding: Finding) -> str:
    """Return the part of the fingerprint without the occurrence counter.

    NOTE: the hash covers the display path, which is relative to the working folder, so
    a baseline written in one folder does not match a scan run from another.
    """
    return finding.fingerprint.rsplit(":", 1)[0]


@dataclass
class Baseline:
    """Accepted findings, counted per fingerprint hash."""

    counts: Counter[str]
    details: dict[str, dict] = dataclasses.field(default_factory=dict)

    @classmethod
    def from_result(cls, result: ScanResult) -> Baseline:
        """Build a baseline that accepts every unsuppressed finding of `result`."""
        counts: Counter[str] = Counter()
        details = {}
        for finding in result.active_findings:
            key = fingerprint_hash(finding)
            counts[key] += 1
            details[key] = {"rule_id": finding.rule_id, "path": finding.path, "snippet": finding.snippet.strip()}
        return cls(counts, details)

    def to_json(self) -> str:
        entries = {key: {**self.details.get(key, {}), "count": self.counts[key]} for key in sorted(self.counts)}
        document = {"version": FORMAT_VERSION, "tool": {"name": "tmpguard", "version": __version__}, "entries": entries}
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"

    def filter(self, result: ScanResult) -> tuple[ScanResult, int]:
        """Return `result` with the findings this baseline accepts suppressed, and how many.

        Accepted findings stay in the result, suppressed with kind "external", so a
        SARIF consumer shows them as suppressed rather than fixed. Findings are matched
        in file order, so when a file has more identical calls than the baseline
        accepts, the last ones are reported. Suppressed findings neither use up nor
        need an entry.
        """
        remaining = Counter(self.counts)
        accepted = 0
        suppression = Suppression("external", None, "accepted by the baseline")
        files = []
        for item in result.files:
            findings = []
            for finding in item.findings:
                key = fingerprint_hash(finding)
                if not finding.suppressed and remaining[key] > 0:
                    remaining[key] -= 1
                    accepted += 1
                    finding = dataclasses.replace(finding, suppression=suppression)
                findings.append(finding)
            files.append(dataclasses.replace(item, findings=findings) if findings != item.findings else item)

        stale = sum(remaining.values())
        if stale:
            log.info("%d baseline entries match no finding any more; rewrite the baseline to drop them", stale)
        return ScanResult(files), accepted


def load(path: str) -> Baseline:
    """Read and validate the baseline at `path`, raising BaselineError naming the problem."""
    try:
        with open(path, encoding="utf-8") as handle:
            document = json.load(handle)
    except OSError as error:
        raise BaselineError(f"cannot read baseline {path}: {error.strerror}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise BaselineError(f"invalid baseline {path}: not valid JSON: {error}") from None
    return _parse(document, path)


def _parse(document: object, path: str) -> Baseline:
    if not isinstance(document, dict):
        raise BaselineError(f"invalid baseline {path}: expected a JSON object at the top level")
    if document.get("version") != FORMAT_VERSION:
        raise BaselineError(
            f"invalid baseline {path}: unsupported version {document.get('version')!r}; expected {FORMAT_VERSION}"
        )

    entries = document.get("entries")
    if not isinstance(entries, dict):
        raise BaselineError(f"invalid baseline {path}: 'entries' must be an object keyed by fingerprint")

    counts: Counter[str] = Counter()
    details = {}
    for key, entry in entries.items():
        count = entry.get("count") if isinstance(entry, dict) else None
        if not _KEY.fullmatch(key):
            raise BaselineError(f"invalid baseline {path}: entry {key!r} is not a fingerprint hash")
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise BaselineError(f"invalid baseline {path}: entry {key!r} needs a 'count' that is a positive integer")
        counts[key] = count
        details[key] = {name: value for name, value in entry.items() if name != "count"}
    return Baseline(counts, details)


def write(path: str, baseline: Baseline) -> None:
    """Write `baseline` to `path` through an atomic replace, so a reader never sees half a file.

    Raises BaselineError naming the file when it cannot be written.
    """
    try:
        _replace(path, baseline.to_json())
    except OSError as error:
        raise BaselineError(f"cannot write baseline {path}: {error.strerror or error}") from None


def _replace(path: str, text: str) -> None:
    folder = os.path.dirname(os.path.abspath(path))
    try:
        mode = os.stat(path).st_mode & 0o777
    except FileNotFoundError:
        mode = 0o644

    descriptor, temporary = tempfile.mkstemp(prefix=".tmpguard-baseline-", suffix=".json", dir=folder)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise
