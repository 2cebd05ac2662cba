"""The Python API: scan paths or one file's bytes and get a ScanResult back.

`tmpguard.scan` and `tmpguard.scan_bytes` are these functions. The command line calls
them too, so a script gets exactly the findings that `tmpguard scan` reports.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from tmpguard.discover import DEFAULT_EXCLUDES, SOURCE_SUFFIX, DiscoverySettings
from tmpguard.engine import scan_paths, scan_source
from tmpguard.findings import ScanResult
from tmpguard.ignores import PerFileIgnores
from tmpguard.isolation import ScanLimits
from tmpguard.runner import RunOptions

if TYPE_CHECKING:
    from tmpguard.baseline import Baseline

log = logging.getLogger(__name__)

PathArgument = str | os.PathLike


def scan(
    paths: PathArgument | Iterable[PathArgument] = ".",
    *,
    exclude: Iterable[str] | None = None,
    extend_exclude: Iterable[str] = (),
    respect_gitignore: bool = True,
    force_exclude: bool = False,
    per_file_ignores: Mapping[str, Iterable[str]] | None = None,
    project_root: PathArgument | None = None,
    changed_since: str | None = None,
    baseline: PathArgument | None = None,
    limits: ScanLimits | None = None,
    run: RunOptions | None = None,
) -> ScanResult:
    """Scan the `.py` files under `paths` and return every file's findings and status.

    - `exclude` replaces the default excluded folders (`.git`, `.venv`, `build`, ...)
      and `extend_exclude` adds gitignore-style patterns to them.
    - `respect_gitignore` skips files that `.gitignore` files ignore.
    - `force_exclude` applies the exclude patterns to files named in `paths` too.
    - `per_file_ignores` maps a glob, relative to `project_root` (default: the working
      folder), to rule codes whose findings are kept but marked suppressed.
    - `changed_since` keeps only the files changed against that git ref, plus
      untracked ones.
    - `baseline` names a baseline file whose findings are left out of the result.
    - `limits` sets the per-file time limit and the largest file that is parsed
      (default: 30 seconds and 10 MiB).
    - `run` sets worker processes and the result cache (default: serial, no cache).

    Findings are in `result.findings` (suppressed ones have `suppressed` set) and files
    that could not be read or decoded in `result.not_scanned`. Raises
    `DiscoveryError` for a path that does not exist, `GitError` when the changed files
    cannot be listed, `BaselineError` for an unreadable or invalid baseline and
    `InvalidIgnoreError` for a per-file ignore that names another rule's code.
    """
    path_list = [os.fspath(paths)] if isinstance(paths, (str, os.PathLike)) else [os.fspath(path) for path in paths]
    settings = DiscoverySettings(
        exclude=DEFAULT_EXCLUDES if exclude is None else tuple(exclude),
        extend_exclude=tuple(extend_exclude),
        respect_gitignore=respect_gitignore,
        force_exclude=force_exclude,
    )
    ignores = PerFileIgnores(per_file_ignores or {}, os.fspath(project_root) if project_root else None)
    accepted = _load_baseline(baseline)

    if changed_since is not None:
        from tmpguard.changed import changed_sources

        path_list = [source.path for source in changed_sources(path_list, changed_since, settings)]
    result = scan_paths(path_list, settings, limits or ScanLimits(), run) if path_list else ScanResult([])
    return _finish(result, ignores, accepted)


def scan_bytes(
    data: bytes,
    filename: str,
    *,
    per_file_ignores: Mapping[str, Iterable[str]] | None = None,
    project_root: PathArgument | None = None,
    baseline: PathArgument | None = None,
) -> ScanResult:
    """Scan one file's contents, reported as `filename`, as the command line does for standard input.

    Like a file named on the command line, a `filename` that does not end in `.py`
    is not scanned and the result has no files. The keyword arguments are those of
    `scan`.
    """
    ignores = PerFileIgnores(per_file_ignores or {}, os.fspath(project_root) if project_root else None)
    accepted = _load_baseline(baseline)
    if not filename.endswith(SOURCE_SUFFIX):
        log.info("%s: not scanned: only files whose name ends in %s are scanned", filename, SOURCE_SUFFIX)
        return ScanResult([])
    return _finish(ScanResult([scan_source(data, filename)]), ignores, accepted)


def _load_baseline(path: PathArgument | None) -> Baseline | None:
    if path is None:
        return None
    from tmpguard import baseline

    return baseline.load(os.fspath(path))


def _finish(result: ScanResult, ignores: PerFileIgnores, accepted: Baseline | None) -> ScanResult:
    result = ignores.apply(result)
    if accepted is None:
        return result

    result, hidden = accepted.filter(result)
    log.info("%d findings left out because the baseline accepts them", hidden)
    return result
