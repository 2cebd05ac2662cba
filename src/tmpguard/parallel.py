"""Scan files in a pool of worker processes, surviving a worker that dies.

The parent splits the files into batches and hands one batch at a time to each idle
worker over its own pipe, so a fast worker takes more batches. Before each file a worker
writes the file's position in its batch to a shared slot. When a worker dies (os._exit,
a segmentation fault, the OOM killer), the parent reads that slot, reports that file as
not scanned, queues the rest of the batch again and starts a new worker. Results are
stored by the file's index, so their order never depends on scheduling.

`multiprocessing` is imported only here, and this module only when more than one job
runs, so a serial scan does not pay for it.
"""

from __future__ import annotations

import collections
import logging
import multiprocessing
import multiprocessing.connection
import signal
import sys
from dataclasses import dataclass
from typing import Callable

from tmpguard.findings import FileResult, ScanStatus

log = logging.getLogger(__name__)

ScanFunction = Callable[[str, str], FileResult]
Progress = Callable[[int], None]

_MAX_BATCH = 64
_BATCHES_PER_WORKER = 8
_IDLE = -1


@dataclass
class _Worker:
    process: multiprocessing.Process
    connection: multiprocessing.connection.Connection
    slot: int
    batch: list[int] | None = None


def batch_size(file_count: int, jobs: int) -> int:
    """Return how many files one task carries: several batches per worker, at most 64."""
    return max(1, min(_MAX_BATCH, -(-file_count // (jobs * _BATCHES_PER_WORKER))))


def scan_parallel(
    files: list[tuple[str, str]], scan: ScanFunction, jobs: int, progress: Progress | None = None
) -> list[FileResult]:
    """Scan `files`, (path, display path) pairs, with `jobs` worker processes.

    Returns one result per file, in the order of `files`.
    """
    size = batch_size(len(files), jobs)
    pending = collections.deque(list(range(start, min(start + size, len(files)))) for start in range(0, len(files), size))
    pool = _Pool(files, scan, min(jobs, len(pending)), progress)
    try:
        return pool.run(pending)
    finally:
        pool.close()


class _Pool:
    def __init__(self, files: list[tuple[str, str]], scan: ScanFunction, jobs: int, progress: Progress | None) -> None:
        self.files = files
        self.scan = scan
        self.progress = progress
        self.results: list[FileResult | None] = [None] * len(files)
        self.context = multiprocessing.get_context("fork" if sys.platform == "linux" else None)
        self.slots = self.context.RawArray("q", jobs)
        self.workers = [self._start(index) for index in range(jobs)]

    def _start(self, slot: int) -> _Worker:
        parent_end, child_end = self.context.Pipe()
        process = self.context.Process(
            target=_work, args=(child_end, self.files, self.scan, self.slots, slot), daemon=True
        )
        process.start()
        child_end.close()
        return _Worker(process, parent_end, slot)

    def run(self, pending: collections.deque[list[int]]) -> list[FileResult]:
        for worker in self.workers:
            self._assign(worker, pending)

        while any(worker.batch is not None for worker in self.workers):
            busy = {worker.connection: worker for worker in self.workers if worker.batch is not None}
            for ready in multiprocessing.connection.wait(list(busy)):
                worker = busy[ready]
                try:
                    encoded = worker.connection.recv()
                except (EOFError, OSError):
                    worker = self._replace(worker, pending)
                else:
                    self._store(worker.batch, encoded)
                self._assign(worker, pending)
        return self.results

    def _assign(self, worker: _Worker, pending: collections.deque[list[int]]) -> None:
        worker.batch = pending.popleft() if pending else None
        if worker.batch is not None:
            worker.connection.send(worker.batch)

    def _store(self, batch: list[int], encoded: list[FileResult | None]) -> None:
        for index, result in zip(batch, encoded):
            path = self.files[index][1]
            self.results[index] = result if result is not None else FileResult(path, ScanStatus.PREFILTERED)
        if self.progress:
            self.progress(len(batch))

    def _replace(self, worker: _Worker, pending: collections.deque[list[int]]) -> _Worker:
        """Blame the file a dead worker was scanning, requeue the rest, start a new worker."""
        worker.process.join()
        batch = worker.batch or []
        position = self.slots[worker.slot]
        # NOTE: a worker the OOM killer picks because of memory used elsewhere is blamed on
        # the file it was scanning, and that file is not retried.
        if 0 <= position < len(batch):
            culprit = batch[position]
            display_path = self.files[culprit][1]
            reason = f"the scanning process died ({_describe_exit(worker.process.exitcode)})"
            log.error("%s: not scanned: %s", display_path, reason)
            self.results[culprit] = FileResult(display_path, ScanStatus.NOT_SCANNED, reason=reason)
            if self.progress:
                self.progress(1)
            rest = batch[:position] + batch[position + 1 :]
        else:
            rest = batch
        if rest:
            pending.appendleft(rest)

        worker.connection.close()
        replacement = self._start(worker.slot)
        self.workers[self.workers.index(worker)] = replacement
        return replacement

    def close(self) -> None:
        """Stop the workers. Idle ones get an exit message, and busy ones (after an error) are killed."""
        for worker in self.workers:
            if worker.batch is None:
                try:
                    worker.connection.send(None)
                except OSError:
                    pass
            else:
                worker.process.kill()
            worker.connection.close()
        for worker in self.workers:
            worker.process.join()


def _describe_exit(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit status {code}"


def _work(connection, files, scan: ScanFunction, slots, slot: int) -> None:
    """Run in a worker: scan each batch the parent sends until it sends None."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        try:
            batch = connection.recv()
        except EOFError:
            break
        if batch is None:
            break

        encoded = []
        for position, index in enumerate(batch):
            slots[slot] = position
            path, display_path = files[index]
            result = scan(path, display_path)
            # Most files are prefiltered without findings, so None replaces their result
            # to keep the pipe cheap.
            plain = result.status is ScanStatus.PREFILTERED and not result.findings and result.reason is None
            encoded.append(None if plain else result)
        slots[slot] = _IDLE
        connection.send(encoded)
    connection.close()
