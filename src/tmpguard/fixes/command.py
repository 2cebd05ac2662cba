"""The `--fix`, `--unsafe-fixes` and `--diff` options of `tmpguard scan`."""

from __future__ import annotations

import argparse
import logging
import sys

from tmpguard.discover import DiscoverySettings
from tmpguard.fixes.files import fix_paths
from tmpguard.report.text import plural

log = logging.getLogger("tmpguard")


def run_fixes(arguments: argparse.Namespace, settings: DiscoverySettings) -> None:
    """Fix the files, or print the diff of the fixes to standard output with --diff.

    Raises DiscoveryError when a given path does not exist.
    """
    summary = fix_paths(arguments.paths, settings, unsafe=arguments.unsafe_fixes, write=not arguments.diff)
    if arguments.diff:
        for item in summary.files:
            sys.stdout.buffer.write(item.diff)
        sys.stdout.flush()
        changed = sum(1 for item in summary.files if item.diff)
        log.info("%d files would change", changed)
        return

    # A result the user requested, not a warning: it goes to standard error as plain text.
    fixes = plural(summary.applied, "fix", "fixes")
    files = plural(summary.changed_files, "file")
    sys.stderr.write(f"Applied {fixes} in {files}.\n")
    if summary.failed:
        log.warning("%d files were left unchanged; the messages above give the reasons", len(summary.failed))
