"""Run the per-file scan over many files: cache look-ups, serial or parallel, progress.

The per-file function is given by the caller (the engine), so this module decides only
where and when each file is scanned, never how.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterable, Iterator

from tmpguard.discover import SourcePath
from tmpguard.findings import FileResult, ScanStatus
from tmpguard.progress import Progress

if TYPE_CHECKING:
    from tmpguard.cache import ResultCache, Signature

log = logging.getLogger(__name__)

ScanFunction = Callable[[str, str], FileResult]
# The cache's probe of a file in a worker: its stored status, or its signature.
Probe = "ScanStatus | Signature | None"
ParallelWalk = Callable[[int, Callable[[SourcePath], Probe]], "list[tuple[SourcePath, Probe]] | None"]
"""Walks the tree in `jobs` processes, probing the cache for each file, or returns None."""

PARALLEL_WALK_MIN_FILES = 5000
"""Cached results from which a run tries a parallel walk. On smaller trees the walk takes
less time than starting the worker processes saves."""

BATCH_SIZE = 64
"""Files per task for a worker: enough to make a pipe round trip cheap, few enough to balance the tail."""

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
    prepare_workers: Callable[[], object] | None = None
    """Called once before worker processes start, so that what it loads is shared with them."""


def scan_sources(
    sources: Iterable[SourcePath],
    scan: ScanFunction,
    options: RunOptions,
    parallel_walk: ParallelWalk | None = None,
) -> list[FileResult]:
    """Return one result per source, in the order they are walked, using and filling the cache.

    `sources` may be a generator that is still walking the tree: files are scanned as
    they arrive. When the cache contains many results, `parallel_walk`, if given, is tried
    first: it walks the same tree in worker processes and returns the sources with their
    cache probes, or None to fall back on `sources`. A source with a problem (a directory
    that could not be listed) is reported as not scanned without a call to `scan`.
    """
    cache = None
    if options.cache_dir is not None:
        from tmpguard.cache import ResultCache

        cache = ResultCache(options.cache_dir, options.cache_settings)

    signed = _walked_in_parallel(parallel_walk, cache, options.jobs)
    progress = Progress(None, enabled=options.progress)
    results: list[FileResult | None] = []
    signatures: dict[int, Signature | None] = {}
    try:
        with _Scheduler(scan, options, progress) as scheduler:
            for source, current in signed if signed is not None else _signed(sources, cache):
                progress.total += 1
                index = len(results)
                known = _known_result(source, cache, current)
                results.append(known)
                if known is not None:
                    progress.advance()
                    continue
                # Only a file that is scanned needs its signature later, to store its result.
                signatures[index] = current
                scheduler.submit(index, source.path, source.display_path)
            progress.found_all()
            scanned = scheduler.finish()
    finally:
        progress.finish()

    for index, result in scanned:
        results[index] = result
    if cache is not None:
        log.info("cache: %d of %d files unchanged", len(results) - len(scanned), len(results))
        for index, result in scanned:
            cache.store(result.path, signatures[index], result)
        cache.save()
    return results


def _walked_in_parallel(parallel_walk: ParallelWalk | None, cache: ResultCache | None, jobs: int):
    """Return the sources and their cache probes from a parallel walk, when one is worth trying and succeeds."""
    if parallel_walk is None or cache is None or jobs < 2 or len(cache) < PARALLEL_WALK_MIN_FILES:
        return None
    return parallel_walk(jobs, lambda source: cache.probe(source.path, source.display_path))


def _signed(sources: Iterable[SourcePath], cache: ResultCache | None) -> Iterator[tuple[SourcePath, Signature | None]]:
    """Pair each source with its signature, or with None without a cache."""
    for source in sources:
        yield source, cache.signature(source.path) if cache is not None and not source.problem else None


def _known_result(source: SourcePath, cache: ResultCache | None, probe: Probe) -> FileResult | None:
    """Return a source's result when it needs no scan, else None.

    An unlisted directory and a cache hit need no scan. `probe` is the file's signature,
    or the status a worker found stored for it.
    """
    if source.problem:
        return FileResult(source.display_path, ScanStatus.NOT_SCANNED, reason=source.problem)
    if isinstance(probe, ScanStatus):
        return FileResult(source.display_path, probe)
    if cache is None:
        return None
    return cache.lookup(source.display_path, probe)


class _Scheduler:
    """Scan submitted files in this process, or in worker processes once there are enough.

    The pool starts when one batch of files is waiting, or at the end when fewer files
    than that were found, and a pool that cannot start falls back to this process.
    """

    def __init__(self, scan: ScanFunction, options: RunOptions, progress: Progress) -> None:
        self.scan = scan
        self.jobs = options.jobs
        self.prepare_workers = options.prepare_workers
        self.progress = progress
        self.waiting: list[tuple[int, str, str]] = []
        self.done: list[tuple[int, FileResult]] = []
        self.pool = None

    def __enter__(self) -> _Scheduler:
        return self

    def __exit__(self, *exception) -> None:
        if self.pool is not None:
            self.pool.close()

    def submit(self, index: int, path: str, display_path: str) -> None:
        if self.jobs == 1:
            self._scan_here(index, path, display_path)
            return
        self.waiting.append((index, path, display_path))
        if len(self.waiting) >= BATCH_SIZE:
            self._hand_over()

    def finish(self) -> list[tuple[int, FileResult]]:
        """Scan what is still waiting and return every (index, result) pair."""
        # Fewer files than one batch still go to workers, so that a crash in one of them
        # costs only that file.
        if self.pool is None and self.jobs > 1 and len(self.waiting) > 1:
            self._hand_over()
        if self.pool is None:
            for task in self.waiting:
                self._scan_here(*task)
        else:
            if self.waiting:
                self.pool.submit(self.waiting)
            self.done.extend(self.pool.drain())
        self.waiting = []
        return self.done

    def _scan_here(self, index: int, path: str, display_path: str) -> None:
        self.done.append((index, self.scan(path, display_path)))
        self.progress.advance()

    def _hand_over(self) -> None:
        if self.pool is None:
            from tmpguard.parallel import Pool

            if self.prepare_workers is not None:
                self.prepare_workers()
            try:
                self.pool = Pool(self.scan, self.jobs, self.progress.advance)
            except OSError as error:
                log.warning("cannot start worker processes (%s); scanning in this process", error)
                self.jobs = 1
                return
        self.pool.submit(self.waiting)
        self.waiting = []
