"""Run the per-file scan over many files: cache look-ups, serial or parallel, progress.

The per-file function is given by the caller (the engine), so this module decides only
where and when each file is scanned, never how.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Callable

from tmpguard.discover import SourcePath
from tmpguard.findings import FileResult
from tmpguard.progress import Progress

log = logging.getLogger(__name__)

ScanFunction = Callable[[str, str], FileResult]

CACHE_DIR_ENV = "TMPGUARD_CACHE_DIR"
DEFAULT_CACHE_DIR = ".tmpguard_cache"


def default_cache_folder() -> str:
    """Return the cache folder named by $TMPGUARD_CACHE_DIR, else `.tmpguard_cache`."""
    return os.environ.get(CACHE_DIR_ENV) or DEFAULT_CACHE_DIR


def usable_cpu_count() -> int:
    """Return the number of CPUs this process may run on (its affinity mask, if known)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class RunOptions:
    """Options for running a scan: worker processes, the cache folder (None for no cache) and progress."""

    jobs: int = 1
    cache_dir: str | None = None
    progress: bool | None = False
    """True or False forces the progress line on or off. None shows it when stderr is a terminal."""
    cache_settings: str = ""
    """The settings that change a file's result. Results cached under other settings are not used."""


def scan_sources(sources: list[SourcePath], scan: ScanFunction, options: RunOptions) -> list[FileResult]:
    """Return one result per source, in the order of `sources`, using and filling the cache."""
    results: list[FileResult | None] = [None] * len(sources)
    signatures: list[list[int] | None] = [None] * len(sources)
    cache = None
    if options.cache_dir is not None:
        from tmpguard.cache import ResultCache, signature

        cache = ResultCache(options.cache_dir, options.cache_settings)

    missing = []
    for index, source in enumerate(sources):
        if cache is not None:
            signatures[index] = signature(source.path)
            results[index] = cache.lookup(source.display_path, signatures[index])
        if results[index] is None:
            missing.append(index)
    if cache is not None:
        log.info("cache: %d of %d files unchanged", len(sources) - len(missing), len(sources))

    progress = Progress(len(sources), enabled=options.progress)
    progress.advance(len(sources) - len(missing))
    try:
        scanned = _scan(
            [(sources[index].path, sources[index].display_path) for index in missing], scan, options.jobs, progress
        )
    finally:
        progress.finish()

    for index, result in zip(missing, scanned):
        results[index] = result
        if cache is not None:
            cache.store(sources[index].display_path, signatures[index], result)
    if cache is not None:
        cache.save()
    return results


def _scan(files: list[tuple[str, str]], scan: ScanFunction, jobs: int, progress: Progress) -> list[FileResult]:
    if jobs > 1 and len(files) > 1:
        from tmpguard.parallel import scan_parallel

        try:
            return scan_parallel(files, scan, jobs, progress.advance)
        except OSError as error:
            log.warning("cannot start worker processes (%s); scanning in this process", error)

    results = []
    for path, display_path in files:
        results.append(scan(path, display_path))
        progress.advance()
    return results
