"""The `tmpguard` command line: `scan` and `explain`."""

from __future__ import annotations

import argparse
import logging
import os
import sys

from tmpguard import __version__, rule
from tmpguard.discover import DEFAULT_EXCLUDES, DiscoveryError, DiscoverySettings
from tmpguard.engine import scan_paths
from tmpguard.runner import CACHE_DIR_ENV, DEFAULT_CACHE_DIR, RunOptions, default_cache_folder, usable_cpu_count
from tmpguard.findings import ScanResult, ScanStatus
from tmpguard.report import FORMATS, render

log = logging.getLogger("tmpguard")

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_NOT_SCANNED = 3


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tmpguard",
        description="Find insecure tempfile.mktemp() use in Python code (rule VNX-PY-018, CWE-377).",
    )
    parser.add_argument("--version", action="version", version=f"tmpguard {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    scan = commands.add_parser(
        "scan",
        help="scan files and folders for the rule",
        description="Scan .py files for tempfile.mktemp() use. Exit codes: 0 nothing to report, "
        "1 findings, 2 usage or configuration error, 3 no finding but some file not scanned.",
    )
    scan.add_argument("paths", nargs="*", default=["."], metavar="PATH", help="files or folders (default: .)")
    scan.add_argument("--format", choices=FORMATS, default="text", help="report format (default: text)")
    scan.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE instead of standard output")
    scan.add_argument(
        "--exclude", action="append", metavar="GLOB",
        help="gitignore-style pattern of paths to skip; replaces the default list "
        f"({', '.join(DEFAULT_EXCLUDES[:4])}, ...); repeatable",
    )
    scan.add_argument(
        "--extend-exclude", action="append", default=[], metavar="GLOB",
        help="pattern of paths to skip in addition to the excludes; repeatable",
    )
    scan.add_argument(
        "--respect-gitignore", action=argparse.BooleanOptionalAction, default=True,
        help="skip files that .gitignore files ignore (default: on)",
    )
    scan.add_argument(
        "--color", choices=("auto", "always", "never"), default="auto",
        help="colour the text report: auto colours only on a terminal (default: auto)",
    )
    _add_run_options(scan)
    verbosity = scan.add_mutually_exclusive_group()
    verbosity.add_argument("-v", "--verbose", action="store_true", help="log progress and skipped files")
    verbosity.add_argument("-q", "--quiet", action="store_true", help="log errors only")

    explain = commands.add_parser("explain", help="print a rule's documentation")
    explain.add_argument("rule_id", metavar="RULE", help="VNX-PY-018, or one of its aliases B306, S306")
    return parser


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"invalid job count {text!r}: expected a whole number of 1 or more")
    return value


def _add_run_options(scan: argparse.ArgumentParser) -> None:
    scan.add_argument(
        "--jobs", "-j", type=_positive_int, metavar="N",
        help="worker processes to scan with (default: the number of usable CPUs); 1 scans in this process",
    )
    scan.add_argument(
        "--cache-dir", metavar="DIR",
        help=f"folder for cached results (default: ${CACHE_DIR_ENV} or {DEFAULT_CACHE_DIR} in the working folder)",
    )
    scan.add_argument("--no-cache", action="store_true", help="neither read nor write cached results")


def _run_options(arguments: argparse.Namespace) -> RunOptions:
    return RunOptions(
        jobs=arguments.jobs or usable_cpu_count(),
        cache_dir=None if arguments.no_cache else (arguments.cache_dir or default_cache_folder()),
        progress=False if arguments.quiet else None,
    )


def _configure_logging(arguments: argparse.Namespace) -> None:
    level = logging.WARNING
    if getattr(arguments, "verbose", False):
        level = logging.INFO
    elif getattr(arguments, "quiet", False):
        level = logging.ERROR
    logging.basicConfig(level=level, format="tmpguard: %(levelname)s: %(message)s", stream=sys.stderr)


def _use_color(choice: str, output: str | None) -> bool:
    if choice != "auto":
        return choice == "always"
    if output or os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


def exit_code(result: ScanResult) -> int:
    """Map a scan result to the documented exit code."""
    if result.active_findings:
        return EXIT_FINDINGS
    if result.files_with(ScanStatus.NOT_SCANNED):
        return EXIT_NOT_SCANNED
    return EXIT_CLEAN


def _write(report: str, output: str | None) -> None:
    if output is None:
        sys.stdout.write(report)
        sys.stdout.flush()
        return
    with open(output, "w", encoding="utf-8") as handle:
        handle.write(report)


def run_scan(arguments: argparse.Namespace) -> int:
    settings = DiscoverySettings(
        exclude=tuple(arguments.exclude) if arguments.exclude is not None else DEFAULT_EXCLUDES,
        extend_exclude=tuple(arguments.extend_exclude),
        respect_gitignore=arguments.respect_gitignore,
    )
    try:
        result = scan_paths(arguments.paths, settings, _run_options(arguments))
    except DiscoveryError as error:
        log.error("%s", error)
        return EXIT_USAGE

    not_scanned = result.files_with(ScanStatus.NOT_SCANNED)
    if not_scanned:
        log.warning("%d files could not be scanned; the report lists them with the reason", len(not_scanned))

    report = render(result, arguments.format, color=_use_color(arguments.color, arguments.output))
    try:
        _write(report, arguments.output)
    except OSError as error:
        log.error("cannot write the report to %s: %s", arguments.output, error.strerror)
        return EXIT_USAGE
    return exit_code(result)


def run_explain(arguments: argparse.Namespace) -> int:
    if arguments.rule_id.upper() not in rule.RULE_ALIASES:
        log.error("unknown rule %r; tmpguard has one rule, %s", arguments.rule_id, rule.RULE_ID)
        return EXIT_USAGE
    sys.stdout.write(rule.DOCUMENTATION)
    return EXIT_CLEAN


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    arguments = parser.parse_args(argv)
    _configure_logging(arguments)
    if arguments.command == "scan":
        return run_scan(arguments)
    if arguments.command == "explain":
        return run_explain(arguments)
    parser.print_help(sys.stderr)
    return EXIT_USAGE
