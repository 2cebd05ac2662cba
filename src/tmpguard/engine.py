"""Scan files for the rule: the per-file pipeline and the loop over files.

`scan_source` is a pure function of a file's bytes and its display path, so it can run
serially, in a process pool, or anywhere else without change.
"""

from __future__ import annotations

import ast
import hashlib
import logging
import re
import warnings
from collections import Counter

from tmpguard import rule
from tmpguard.analyzer import find_matches
from tmpguard.fallback import scan_tokens
from tmpguard.discover import DiscoverySettings, discover
from tmpguard.findings import FileResult, Finding, ScanResult, ScanStatus
from tmpguard.prefilter import cannot_contain_target, may_contain_target
from tmpguard.reader import ReadError, read_bytes
from tmpguard.runner import RunOptions, scan_sources
from tmpguard.source import DecodeError, SourceText, decode, decode_lossy
from tmpguard.suppressions import SuppressionIndex

log = logging.getLogger(__name__)

_WHITESPACE = re.compile(r"\s+")
_MAX_NAME_LENGTH = 60


def scan_file(path: str, display_path: str) -> FileResult:
    """Read the file at `path` and scan it, reporting it as `display_path`."""
    try:
        data = read_bytes(path)
    except ReadError as error:
        log.warning("%s: not scanned: %s", display_path, error)
        return FileResult(display_path, ScanStatus.NOT_SCANNED, reason=str(error))
    return scan_source(data, display_path)


def scan_source(data: bytes, path: str) -> FileResult:
    """Scan one file's bytes and return its findings and how it was examined."""
    if cannot_contain_target(data):
        return FileResult(path, ScanStatus.PREFILTERED)

    try:
        source = decode(data)
        reason = None
    except DecodeError as error:
        source = decode_lossy(data)
        reason = f"{error}; scanned with undecodable bytes replaced"

    if not may_contain_target(source.text):
        status = ScanStatus.FALLBACK if reason else ScanStatus.PREFILTERED
        return FileResult(path, status, reason=reason)

    matches, parse_problem = _analyse(source) if reason is None else (None, None)
    if matches is None:
        matches = [_from_token_match(match) for match in scan_tokens(source.text)]
        return FileResult(path, ScanStatus.FALLBACK, _findings(source, path, matches), reason or parse_problem)
    return FileResult(path, ScanStatus.ANALYSED, _findings(source, path, matches))


def _analyse(source: SourceText) -> tuple[list[tuple] | None, str | None]:
    """Parse and analyse `source`; on failure return None and why the fallback is used."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(source.text)
        matches = find_matches(tree)
    except SyntaxError as error:
        return None, f"syntax error on line {error.lineno}: {error.msg}"
    except ValueError as error:
        return None, f"cannot parse: {error}"
    except (RecursionError, MemoryError):
        return None, "too deeply nested for the parser"

    return [
        (
            match.line,
            source.column(match.line, match.column),
            match.end_line,
            source.column(match.end_line, match.end_column),
            match.statement_lines,
        )
        for match in matches
    ], None


def _from_token_match(match) -> tuple:
    return (match.line, match.column, match.end_line, match.end_column, match.statement_lines)


def _findings(source: SourceText, path: str, matches: list[tuple]) -> list[Finding]:
    if not matches:
        return []
    suppressions = SuppressionIndex(source.text)
    occurrences: Counter[str] = Counter()
    findings = []
    for line, column, end_line, end_column, (first, last) in matches:
        snippet = source.line(line)
        key = fingerprint_key(path, snippet)
        occurrences[key] += 1
        findings.append(
            Finding(
                rule_id=rule.RULE_ID,
                path=path,
                message=rule.message_for(_name_text(source, line, column, end_line, end_column)),
                severity=rule.SEVERITY,
                start_line=line,
                start_column=column,
                end_line=end_line,
                end_column=end_column,
                snippet=snippet,
                fingerprint=f"{key}:{occurrences[key]}",
                suppression=suppressions.match(first, last),
            )
        )
    return findings


def fingerprint_key(path: str, line_text: str) -> str:
    """Hash what identifies a finding apart from its line number.

    The rule, the file and the source line with white space folded: a finding keeps
    its fingerprint when lines are inserted or removed elsewhere in the file.
    """
    normalised = _WHITESPACE.sub(" ", line_text).strip()
    digest = hashlib.sha256(f"{rule.RULE_ID}\0{path}\0{normalised}".encode("utf-8", "surrogatepass"))
    return digest.hexdigest()[:20]


def _name_text(source: SourceText, line: int, column: int, end_line: int, end_column: int) -> str:
    text = source.segment(line, column, end_line, end_column)
    text = _WHITESPACE.sub("", text) if "\n" in text else text
    if len(text) > _MAX_NAME_LENGTH:
        text = text[: _MAX_NAME_LENGTH - 3] + "..."
    return text


def scan_paths(
    paths: list[str], settings: DiscoverySettings | None = None, options: RunOptions | None = None
) -> ScanResult:
    """Discover the files under `paths` and scan each one; results are in display-path order.

    `options` sets worker processes and the cache; by default the scan runs serially in
    this process without a cache. Raises DiscoveryError when a given path does not exist.
    """
    sources = discover(paths, settings or DiscoverySettings())
    log.info("scanning %d files", len(sources))
    return ScanResult(scan_sources(sources, scan_file, options or RunOptions()))
