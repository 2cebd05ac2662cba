"""The scanning step of `tmpguard scan`: paths or standard input, then the baseline."""

from __future__ import annotations

import argparse
import logging
import sys

from tmpguard import api
from tmpguard.config import Options
from tmpguard.findings import ScanResult
from tmpguard.isolation import ScanLimits
from tmpguard.large_files import MIB
from tmpguard.runner import RunOptions, default_cache_folder, usable_cpu_count

log = logging.getLogger(__name__)


def scan(arguments: argparse.Namespace, options: Options) -> ScanResult:
    """Scan the paths or the standard input given on the command line, with `options`.

    With `--write-baseline`, the current findings are written to that baseline and then
    left out of the result, as if the new baseline had been given with `--baseline`.
    """
    ignores = {"per_file_ignores": options.per_file_ignores, "project_root": options.project_root}
    # 0 means no limit for both, as for --timeout in other linters.
    limits = ScanLimits(timeout=arguments.timeout or None, max_file_size=int(arguments.max_file_size * MIB) or None)
    run = RunOptions(
        jobs=arguments.jobs or usable_cpu_count(),
        cache_dir=None if arguments.no_cache else (arguments.cache_dir or default_cache_folder()),
        progress=False if arguments.quiet else None,
        # A file over the size limit gets a different result, so the limit keys the cache.
        cache_settings=f"max-file-size={limits.max_file_size}",
    )
    accepted = None if arguments.write_baseline else arguments.baseline

    if arguments.stdin_filename is not None:
        data = sys.stdin.buffer.read()
        result = api.scan_bytes(data, arguments.stdin_filename, **ignores, baseline=accepted)
    else:
        result = api.scan(
            arguments.paths, exclude=options.exclude, extend_exclude=options.extend_exclude,
            respect_gitignore=options.respect_gitignore, force_exclude=options.force_exclude,
            changed_since=arguments.changed_since,
            **ignores, baseline=accepted, limits=limits, run=run,
        )

    if arguments.write_baseline:
        from tmpguard import baseline
        from tmpguard.report.text import plural

        recorded = baseline.Baseline.from_result(result)
        baseline.write(arguments.write_baseline, recorded)
        count = plural(len(result.active_findings), "finding")
        sys.stderr.write(f"Recorded {count} in {arguments.write_baseline}.\n")
        result, _ = recorded.filter(result)
    return result
