"""Scan files for the rule: the per-file pipeline and the loop over files.

`scan_source` is a pure function of a file's bytes and its display path, so it can run
serially, in a process pool, or anywhere else without change.

The modules that analyse a file are imported on first use (`_analysis_modules`), so a
run that analyses nothing, such as a re-run served from the cache, never loads them.
"""

from __future__ import annotations

import dataclasses
import gc
import logging
import operator
import re
from collections import Counter
from functools import partial

from tmpguard.discover import DiscoverySettings, iter_sources
from tmpguard.findings import FileResult, Finding, ScanResult, ScanStatus
from tmpguard.isolation import ScanLimits, run_isolated
from tmpguard.prefilter import cannot_contain_target, compiled_searches, may_contain_target
from tmpguard.reader import FileTooLarge, ReadError, read_bytes
from tmpguard.runner import RunOptions, scan_sources

log = logging.getLogger(__name__)

_WHITESPACE = re.compile(r"\s+")
_MAX_NAME_LENGTH = 60
_MAX_SNIPPET_LENGTH = 400
_SNIPPET_CONTEXT = 100


def scan_file(path: str, display_path: str, limits: ScanLimits = ScanLimits()) -> FileResult:
    """Read the file at `path` and scan it, reporting it as `display_path`.

    An error or a time-out while analysing the file makes it "not scanned" instead of
    ending the scan.
    """
    try:
        data = read_bytes(path, limits.max_file_size)
    except FileTooLarge as error:
        from tmpguard.large_files import scan_large_file

        work = partial(scan_large_file, path, display_path, error.size, error.limit)
        return run_isolated(display_path, limits.timeout, work)
    except ReadError as error:
        log.warning("%s: not scanned: %s", display_path, error)
        return FileResult(display_path, ScanStatus.NOT_SCANNED, reason=str(error))

    # Most files end here. The byte test takes time linear in the file's size, so it
    # needs no time limit, and arming one costs more than the test itself.
    if cannot_contain_target(data):
        return FileResult(display_path, ScanStatus.PREFILTERED)
    return run_isolated(display_path, limits.timeout, partial(_scan_candidate, data, display_path))


def scan_source(data: bytes, path: str) -> FileResult:
    """Scan one file's bytes and return its findings and how it was examined."""
    if cannot_contain_target(data):
        return FileResult(path, ScanStatus.PREFILTERED)
    return _scan_candidate(data, path)


def _scan_candidate(data: bytes, path: str) -> FileResult:
    """Scan the bytes of a file that the byte test did not rule out."""
    from tmpguard.source import DecodeError, decode, decode_lossy

    try:
        source = decode(data)
        reason = None
    except DecodeError as error:
        source = decode_lossy(data)
        reason = f"{error}; scanned with undecodable bytes replaced"

    if not may_contain_target(source.text):
        status = ScanStatus.FALLBACK if reason else ScanStatus.PREFILTERED
        return FileResult(path, status, reason=reason)

    matches, parse_problem = _analyse(source, data) if reason is None else (None, None)
    if matches is None:
        from tmpguard.fallback import scan_tokens

        matches = [_from_token_match(match) for match in scan_tokens(source.text)]
        return FileResult(path, ScanStatus.FALLBACK, _findings(source, path, matches), reason or parse_problem)
    return FileResult(path, ScanStatus.ANALYSED, _findings(source, path, matches))


def _analyse(source, data: bytes) -> tuple[list[tuple] | None, str | None]:
    """Parse and analyse `source`, a SourceText. On failure, return None and the reason for using the fallback."""
    # Collections while the syntax tree is alive would walk its many nodes again and
    # again. Cyclic garbage the analysis leaves is collected when the collector next runs.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _parse_and_analyse(source, data)
    finally:
        if collecting:
            gc.enable()


def _parse_and_analyse(source, data: bytes) -> tuple[list[tuple] | None, str | None]:
    ast, warnings, analyse, assess = _analysis_modules()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(source.text)
        analysis = analyse(tree, source.lines)
        contexts = assess(tree, analysis, source, data)
    except SyntaxError as error:
        where = f" on line {error.lineno}" if error.lineno else ""
        return None, f"syntax error{where}: {error.msg}"
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
            context,
        )
        for match, context in zip(analysis.matches, contexts)
    ], None


def _walk_in_parallel(paths: list[str], settings: DiscoverySettings, jobs: int, annotate):
    from tmpguard.parallel_walk import walk_in_parallel

    return walk_in_parallel(paths, settings, jobs, annotate)


def _prepare_workers() -> None:
    """Load what scanning a file needs, so that worker processes forked next share it."""
    _analysis_modules()
    compiled_searches(bytes)
    compiled_searches(str)


def _analysis_modules():
    """Import and return what parsing and analysing a file needs."""
    import ast
    import warnings

    from tmpguard.analyzer import analyse
    from tmpguard.context import assess

    return ast, warnings, analyse, assess


def _from_token_match(match) -> tuple:
    return (match.line, match.column, match.end_line, match.end_column, match.statement_lines)


def _findings(source, path: str, matches: list[tuple]) -> list[Finding]:
    if not matches:
        return []
    from tmpguard import rule
    from tmpguard.context import FALLBACK
    from tmpguard.suppressions import SuppressionIndex

    suppressions = SuppressionIndex.for_statements(source.text, source.lines, (match[4] for match in matches))
    occurrences: Counter[str] = Counter()
    keys: dict[int, str] = {}
    findings = []
    for line, column, end_line, end_column, (first, last), *rest in matches:
        context = rest[0] if rest else FALLBACK
        if line not in keys:
            keys[line] = fingerprint_key(path, source.line(line))
        key = keys[line]
        occurrences[key] += 1
        name = _name_text(source, line, column, end_line, end_column)
        severity, message = rule.SEVERITY, rule.message_for(name)
        if context.private_folder is not None:
            severity = rule.SEVERITY_IN_PRIVATE_FOLDER
            message = rule.private_folder_message(name, context.private_folder.variable, context.private_folder.factory)
        findings.append(
            Finding(
                rule_id=rule.RULE_ID,
                path=path,
                message=message,
                severity=severity,
                start_line=line,
                start_column=column,
                end_line=end_line,
                end_column=end_column,
                snippet=_snippet(source.line(line), column),
                fingerprint=f"{key}:{occurrences[key]}",
                suppression=suppressions.match(first, last),
                fix=context.fix,
                no_fix_reason=context.no_fix_reason,
            )
        )
    return findings


def fingerprint_key(path: str, line_text: str) -> str:
    """Hash what identifies a finding apart from its line number.

    The rule, the file and the source line with white space folded: a finding keeps
    its fingerprint when lines are inserted or removed elsewhere in the file.
    """
    import hashlib

    from tmpguard import rule

    normalised = _WHITESPACE.sub(" ", line_text).strip()
    digest = hashlib.sha256(f"{rule.RULE_ID}\0{path}\0{normalised}".encode("utf-8", "surrogatepass"))
    return digest.hexdigest()[:20]


def _snippet(line_text: str, column: int) -> str:
    """Return the source line, or a window of it around `column` when it is very long.

    A generated file can have thousands of findings on one line of a megabyte. Copying
    the whole line into each finding would make the report grow with their product.
    """
    if len(line_text) <= _MAX_SNIPPET_LENGTH:
        return line_text
    start = max(0, min(column - 1 - _SNIPPET_CONTEXT, len(line_text) - _MAX_SNIPPET_LENGTH))
    return line_text[start : start + _MAX_SNIPPET_LENGTH]


def _name_text(source, line: int, column: int, end_line: int, end_column: int) -> str:
    text = source.segment(line, column, end_line, end_column)
    text = _WHITESPACE.sub("", text) if "\n" in text else text
    if len(text) > _MAX_NAME_LENGTH:
        text = text[: _MAX_NAME_LENGTH - 3] + "..."
    return text


def scan_paths(
    paths: list[str],
    settings: DiscoverySettings | None = None,
    limits: ScanLimits = ScanLimits(),
    options: RunOptions | None = None,
) -> ScanResult:
    """Discover and scan the files under `paths`, returning results in display-path order.

    `limits` bounds each file's analysis. `options` sets worker processes and the
    cache. By default, the scan runs serially in this process without a cache. A
    directory that cannot be listed is reported as not scanned. Raises DiscoveryError
    when a given path does not exist.
    """
    settings = settings or DiscoverySettings()
    sources = iter_sources(paths, settings)
    # Worker processes fork from this one, so loading the analysis modules just before
    # they start loads them once for all workers.
    options = dataclasses.replace(options or RunOptions(), prepare_workers=_prepare_workers)
    results = scan_sources(sources, partial(scan_file, limits=limits), options, partial(_walk_in_parallel, paths, settings))
    log.info("scanned %d files", len(results))
    return ScanResult(sorted(results, key=operator.attrgetter("path")))
