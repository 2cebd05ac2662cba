"""Finding and per-file result records shared by the analysers, the engine and reporters."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class ScanStatus(str, enum.Enum):
    """Outcome of a file's scan: full analysis, prefilter, fallback or not scanned."""

    ANALYSED = "analysed"
    PREFILTERED = "prefiltered"
    FALLBACK = "fallback"
    NOT_SCANNED = "not_scanned"

    @property
    def scanned(self) -> bool:
        return self is not ScanStatus.NOT_SCANNED


@dataclass(frozen=True)
class Suppression:
    """The reason a finding is silenced: an in-source marker (kind `inSource`) or a
    per-file ignore from the configuration (kind `external`, no line)."""

    kind: str
    line: int | None
    text: str


@dataclass(frozen=True)
class Fix:
    """A rewrite that replaces the flagged call with an atomic alternative.

    `safety` is "safe" when the program keeps its observable behaviour, or "unsafe"
    when the rewrite changes it in the way `description` states. `edit` carries what
    the rewriter needs and is not part of any report.
    """

    kind: str
    safety: str
    description: str
    edit: object = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Finding:
    """One occurrence of the rule in one file.

    Lines and columns are 1-based, columns count Unicode code points, and the end
    column points one past the last character, as in SARIF regions.
    """

    rule_id: str
    path: str
    message: str
    severity: str
    start_line: int
    start_column: int
    end_line: int
    end_column: int
    snippet: str
    fingerprint: str
    suppression: Suppression | None = None
    fix: Fix | None = None
    no_fix_reason: str | None = None
    """The reason no fix is offered, when `fix` is None."""

    @property
    def suppressed(self) -> bool:
        return self.suppression is not None


# Slots, because a scan keeps one FileResult per file until the report is written.
@dataclass(slots=True)
class FileResult:
    """The outcome of scanning one file: its findings and how it was examined."""

    path: str
    status: ScanStatus
    findings: list[Finding] = field(default_factory=list)
    reason: str | None = None
    """Reason the file was scanned by the fallback or not scanned at all."""


@dataclass
class ScanResult:
    """Every file's result of one scan, in a deterministic order."""

    files: list[FileResult]

    @property
    def findings(self) -> list[Finding]:
        return [finding for result in self.files for finding in result.findings]

    @property
    def active_findings(self) -> list[Finding]:
        return [finding for finding in self.findings if not finding.suppressed]

    @property
    def suppressed_findings(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.suppressed]

    @property
    def not_scanned(self) -> list[FileResult]:
        """The files that could not be read or decoded at all, each with its reason."""
        return self.files_with(ScanStatus.NOT_SCANNED)

    def files_with(self, status: ScanStatus) -> list[FileResult]:
        return [result for result in self.files if result.status is status]

    @property
    def scanned_count(self) -> int:
        return len(self.files) - len(self.not_scanned)
