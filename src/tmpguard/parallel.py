"""Scan files in a pool of worker processes, surviving a worker that dies.

The parent submits files in batches while it is still finding more, and hands one
batch at a time to each idle worker over its own pipe, so a fast worker takes more
batches. Before each file a worker writes the file's position in its batch to a shared
slot. When a worker dies (os._exit, a segmentation fault, the OOM killer), the parent
reads that slot, reports that file as not scanned, queues the rest of the batch again
and starts a new worker. Results are returned with the file's index, so their order
never depends on scheduling.

`multiprocessing` is imported only here, and this module only when more than one job
runs, so a serial scan does not pay for it.
"""

from __future__ import annotations

import collections
import gc
import logging
import multiprocessing
import multiprocessing.connection
import signal
import sys
from dataclasses import dataclass
from typing import Callable

from tmpguard.findings import FileResult, ScanStatus
from tmpguard.forking import ignore_interrupts, interrupts_deferred

log = logging.getLogger(__name__)

ScanFunction = Callable[[str, str], FileResult]
Progress = Callable[[int], None]

_IDLE = -1

# One file's task: its index in the caller's list, its path and its display path.
Task = tuple[int, str, str]


@dataclass
class _Worker:
    process: multiprocessing.Process
    connection: multiprocessing.connection.Connection
    slot: int
    batch: list[Task] | None = None


class Pool:
    """Worker processes that scan batches of files as they are submitted.

    `submit` hands a batch to an idle worker or queues it, and collects whatever
    results are ready without waiting, so the caller can keep finding files while the
    workers scan. `drain` waits for the rest. Results come back as (index, result)
    pairs, so their order never depends on scheduling.
    """

    def __init__(self, scan: ScanFunction, jobs: int, progress: Progress | None = None) -> None:
        self.scan = scan
        self.progress = progress
        self.pending: collections.deque[list[Task]] = collections.deque()
        self.ready: list[tuple[int, FileResult]] = []
        self.context = multiprocessing.get_context("fork" if sys.platform == "linux" else None)
        self.slots = self.context.RawArray("q", jobs)
        self.workers: list[_Worker] = []
        try:
            for slot in range(jobs):
                self.workers.append(self._start(slot))
        except OSError:
            self.close()
            raise

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, *exception) -> None:
        self.close()

    def _start(self, slot: int) -> _Worker:
        # A new worker has scanned nothing yet, whatever the slot held for the one before.
        self.slots[slot] = _IDLE
        parent_end, child_end = self.context.Pipe()
        process = self.context.Process(target=_work, args=(child_end, self.scan, self.slots, slot), daemon=True)
        with interrupts_deferred():
            process.start()
        child_end.close()
        return _Worker(process, parent_end, slot)

    def submit(self, batch: list[Task]) -> None:
        """Queue `batch` and hand out queued batches to idle workers."""
        self.pending.append(batch)
        self._collect(timeout=0)
        for worker in self.workers:
            if worker.batch is None:
                self._assign(worker)

    def drain(self) -> list[tuple[int, FileResult]]:
        """Wait for every submitted batch; return the results not returned before."""
        while any(worker.batch is not None for worker in self.workers):
            self._collect(timeout=None)
        ready, self.ready = self.ready, []
        return ready

    def _collect(self, timeout: float | None) -> None:
        busy = {worker.connection: worker for worker in self.workers if worker.batch is not None}
        if not busy:
            return
        for connection in multiprocessing.connection.wait(list(busy), timeout):
            worker = busy[connection]
            try:
                encoded = connection.recv()
            except (EOFError, OSError):
                worker = self._replace(worker)
            else:
                self._store(worker.batch, encoded)
            self._assign(worker)

    def _assign(self, worker: _Worker) -> None:
        worker.batch = self.pending.popleft() if self.pending else None
        if worker.batch is None:
            return
        try:
            worker.connection.send(worker.batch)
        except OSError:
            # The worker died while idle, so no file is to blame: the batch goes back to
            # the queue, and a new worker takes it.
            self._assign(self._replace(worker))

    def _store(self, batch: list[Task], encoded: list[FileResult | None]) -> None:
        for (index, _, display_path), result in zip(batch, encoded):
            self.ready.append((index, result if result is not None else FileResult(display_path, ScanStatus.PREFILTERED)))
        if self.progress:
            self.progress(len(batch))

    def _replace(self, worker: _Worker) -> _Worker:
        """Blame the file a dead worker was scanning, requeue the rest, start a new worker."""
        worker.process.join()
        batch = worker.batch or []
        position = self.slots[worker.slot]
        # NOTE: a worker the OOM killer picks because of memory used elsewhere is blamed on
        # the file it was scanning, and that file is not retried.
        if 0 <= position < len(batch):
            index, _, display_path = batch[position]
            reason = f"the scanning process died ({_describe_exit(worker.process.exitcode)})"
            log.error("%s: not scanned: %s", display_path, reason)
            self.ready.append((index, FileResult(display_path, ScanStatus.NOT_SCANNED, reason=reason)))
            if self.progress:
                self.progress(1)
            rest = batch[:position] + batch[position + 1 :]
        else:
            rest = batch
        if rest:
            self.pending.appendleft(rest)

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


def _work(connection, scan: ScanFunction, slots, slot: int) -> None:
    """Run in a worker: scan each batch the parent sends until it sends None."""
    ignore_interrupts()
    # The objects inherited from the parent live as long as the worker, so freezing them
    # keeps the collector from walking them again and again.
    gc.freeze()
    while True:
        try:
            batch = connection.recv()
        except EOFError:
            break
        if batch is None:
            break

        encoded = []
        for position, (_, path, display_path) in enumerate(batch):
            slots[slot] = position
            result = scan(path, display_path)
            # Most files are prefiltered without findings, so None replaces their result
            # to keep the pipe cheap.
            plain = result.status is ScanStatus.PREFILTERED and not result.findings and result.reason is None
            encoded.append(None if plain else result)
        slots[slot] = _IDLE
        connection.send(encoded)
    connection.close()
