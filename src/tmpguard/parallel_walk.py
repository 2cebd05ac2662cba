"""Walk one large tree in several processes, for runs that the cache mostly serves.

When the cache has results for most files, a run is little more than the walk and
one `stat` per file, and in one process those take most of its time. Here the top of
the tree is cut into subtrees (`discover.split_walk`). This process and forked
workers then take groups of subtrees, one at a time, walk them and annotate each file
they find (the runner stats it and probes the cache).

The result must not depend on the cut. So when some directory is reached twice
(through links or mounts), in one part or in two, or when a worker fails, the walk
gives up and the caller walks the tree in one process. Log records are held back
until the parallel result is accepted, so a warning is never printed twice.

The workers are forked directly, without `multiprocessing`, whose import alone costs a
warm run several percent of its time.
"""

from __future__ import annotations

import logging
import os
import pickle
import signal
import struct
from contextlib import contextmanager
from typing import Callable, Iterator, NamedTuple, TypeVar

from tmpguard.discover import DiscoverySettings, SourcePath, Subtrees, split_walk
from tmpguard.forking import ignore_interrupts, interrupts_deferred

log = logging.getLogger(__name__)

Annotation = TypeVar("Annotation")

SUBTREES_PER_JOB = 16
"""Subtrees to cut per worker: enough that the last ones to finish are small."""

_DISCOVERY_LOGGER = logging.getLogger("tmpguard.discover")


def walk_in_parallel(
    paths: list[str], settings: DiscoverySettings, jobs: int, annotate: Callable[[SourcePath], Annotation]
) -> list[tuple[SourcePath, Annotation | None]] | None:
    """Return the sources under `paths`, each with `annotate(source)`, walked by `jobs` processes.

    `annotate` runs in the worker that finds the file; a source with a problem gets None.
    The order of the list is unspecified. Returns None when the walk cannot be split
    or must run in one process, before anything is logged.
    """
    if len(paths) != 1 or jobs < 2 or not hasattr(os, "fork"):
        return None
    with _held_records() as records:
        subtrees = split_walk(paths[0], settings, SUBTREES_PER_JOB * jobs)
    if subtrees is None or not subtrees.tasks:
        return None
    parts = _walk_parts(subtrees, jobs, annotate)
    if parts is None:
        log.debug("the split walk reached a directory twice or failed; walking again in one process")
        return None

    sources = [(source, None if source.problem else annotate(source)) for source in subtrees.found]
    for part, part_records in parts:
        sources.extend(part)
        records.extend(part_records)
    for record in records:
        _DISCOVERY_LOGGER.handle(record)
    return sources


@contextmanager
def _held_records() -> Iterator[list[logging.LogRecord]]:
    """Keep the discovery logger's records in a list instead of handling them."""
    records: list[logging.LogRecord] = []
    handler = _ListHandler(records)
    propagate = _DISCOVERY_LOGGER.propagate
    _DISCOVERY_LOGGER.addHandler(handler)
    _DISCOVERY_LOGGER.propagate = False
    try:
        yield records
    finally:
        _DISCOVERY_LOGGER.propagate = propagate
        _DISCOVERY_LOGGER.removeHandler(handler)


class _ListHandler(logging.Handler):
    def __init__(self, records: list[logging.LogRecord]) -> None:
        super().__init__()
        self.records = records

    def emit(self, record: logging.LogRecord) -> None:
        # The message is formatted here, so the record crosses a pipe without its arguments.
        record.msg, record.args, record.exc_info = record.getMessage(), None, None
        self.records.append(record)


class _Part(NamedTuple):
    """The files, problem directories and log records one process found in its subtrees."""

    found: list[tuple[SourcePath, object]]
    """The files with their annotations."""
    problems: list[SourcePath]
    """The directories that could not be listed."""
    records: list[logging.LogRecord]
    visited: set[tuple[int, int]]
    """The directories walked, apart from those walked to make the cut."""
    order_dependent: bool


class _Reply(NamedTuple):
    """A worker's part as it crosses the pipe: paths joined into two strings, which pickle fast."""

    paths: str
    display_paths: str
    annotations: list
    problems: list[SourcePath]
    records: list[logging.LogRecord]
    visited: set[tuple[int, int]]
    order_dependent: bool

    @classmethod
    def of(cls, part: _Part) -> _Reply:
        return cls(
            "\0".join(source.path for source, _ in part.found),
            "\0".join(source.display_path for source, _ in part.found),
            [annotation for _, annotation in part.found],
            part.problems,
            part.records,
            part.visited,
            part.order_dependent,
        )

    def part(self) -> _Part:
        """Rebuild the part, with one source per file again."""
        found = []
        if self.paths:
            sources = map(SourcePath, self.paths.split("\0"), self.display_paths.split("\0"))
            found = list(zip(sources, self.annotations))
        return _Part(found, self.problems, self.records, self.visited, self.order_dependent)


def _walk_parts(subtrees: Subtrees, jobs: int, annotate: Callable[[SourcePath], Annotation]):
    """Walk the subtrees in this process and `jobs - 1` forked ones; return each part's sources and records, or None.

    The processes take group numbers from one pipe that contains them all, so one that
    finishes early takes more. Each worker sends its part through a pipe of its own and
    exits.
    """
    groups = _groups(subtrees.tasks)
    numbers_read, numbers_write = os.pipe()
    children: list[tuple[int, int]] = []
    try:
        _write_all(numbers_write, b"".join(_NUMBER.pack(number) for number in range(len(groups))))
        os.close(numbers_write)
        numbers_write = -1
        for _ in range(jobs - 1):
            children.append(_fork_worker(numbers_read, subtrees, groups, annotate))
        own = _walk_subtrees(numbers_read, subtrees, groups, annotate)
        replies = [_reply(result_read) for _, result_read in children]
    except OSError as error:
        log.debug("cannot split the walk: %s", error)
        return None
    finally:
        _end(children, numbers_read, numbers_write)

    if any(reply is None for reply in replies):
        return None
    parts = [own] + [reply.part() for reply in replies]
    if not _disjoint(subtrees, parts):
        return None
    return [(part.found + [(problem, None) for problem in part.problems], part.records) for part in parts]


_NUMBER = struct.Struct("=I")

# The numbers are written before any process reads them, so they must fit in the
# smallest pipe buffer: one page of 4,096 bytes on Linux.
_MAX_GROUPS = 4096 // _NUMBER.size


def _groups(tasks: list) -> list[list]:
    """Deal the subtrees into at most `_MAX_GROUPS` groups, each taken as one piece of work."""
    count = min(len(tasks), _MAX_GROUPS)
    return [tasks[start::count] for start in range(count)]


def _write_all(descriptor: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(descriptor, view) :]


def _fork_worker(numbers_read: int, subtrees: Subtrees, groups: list[list], annotate: Callable[[SourcePath], Annotation]) -> tuple[int, int]:
    """Start a worker process; return its process id and the pipe its part arrives on."""
    result_read, result_write = os.pipe()
    with interrupts_deferred():
        process = os.fork()
        if process == 0:
            ignore_interrupts()
            os.close(result_read)
            _child(numbers_read, result_write, subtrees, groups, annotate)
    os.close(result_write)
    return process, result_read


def _reply(descriptor: int) -> _Reply | None:
    """Read one worker's whole reply, or None when it ended without one."""
    chunks = []
    while chunk := os.read(descriptor, 1 << 20):
        chunks.append(chunk)
    try:
        return pickle.loads(b"".join(chunks))
    except Exception:
        return None


def _end(children: list[tuple[int, int]], numbers_read: int, numbers_write: int) -> None:
    """Close the pipes and reap the workers, killing any still running (after an error or Ctrl-C)."""
    for descriptor in (numbers_read, numbers_write):
        if descriptor >= 0:
            os.close(descriptor)
    for process, result_read in children:
        os.close(result_read)
        try:
            os.kill(process, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(process, 0)


def _disjoint(subtrees: Subtrees, parts: list[_Part]) -> bool:
    """Return whether no part reached a directory twice, and no two parts walked one directory."""
    visited = set(subtrees.walk.visited)
    expected = len(visited)
    for part in parts:
        if part.order_dependent:
            return False
        visited |= part.visited
        expected += len(part.visited)
    return len(visited) == expected


def _child(
    numbers_read: int, result_write: int, subtrees: Subtrees, groups: list[list], annotate: Callable[[SourcePath], Annotation]
) -> None:
    """Run in a forked worker: walk subtrees until none is left, send what was found, and exit."""
    code = 1
    try:
        reply = _Reply.of(_walk_subtrees(numbers_read, subtrees, groups, annotate))
        _write_all(result_write, pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL))
        code = 0
    finally:
        # Leave at once: the parent's cleanup, buffers and exit handlers are not this process's.
        os._exit(code)


def _walk_subtrees(numbers_read: int, subtrees: Subtrees, groups: list[list], annotate: Callable[[SourcePath], Annotation]) -> _Part:
    """Walk groups of subtrees, taking their numbers from the pipe until it is empty or the walk depends on order."""
    walk = subtrees.walker()
    found: list[tuple[SourcePath, Annotation]] = []
    problems: list[SourcePath] = []
    with _held_records() as records:
        while not walk.order_dependent:
            number = os.read(numbers_read, _NUMBER.size)
            if len(number) < _NUMBER.size:
                break
            for task in groups[_NUMBER.unpack(number)[0]]:
                if walk.order_dependent:
                    break
                for source in walk.walk_from(task):
                    if source.problem:
                        problems.append(source)
                    else:
                        found.append((source, annotate(source)))
    return _Part(found, problems, records, walk.visited - subtrees.walk.visited, walk.order_dependent)
