"""The `tmpguard` command line: `scan` and `explain`."""

from __future__ import annotations

import argparse
import logging
import math
import os
import sys

from tmpguard import __version__, rule
from tmpguard.discover import DEFAULT_EXCLUDES, DiscoveryError, DiscoverySettings
from tmpguard.engine import scan_paths
from tmpguard.escape import EscapingFormatter
from tmpguard.isolation import DEFAULT_MAX_FILE_SIZE, DEFAULT_TIMEOUT, ScanLimits
from tmpguard.large_files import MIB
from tmpguard.findings import ScanResult, ScanStatus
from tmpguard.report import FORMATS, render

log = logging.getLogger("tmpguard")

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_NOT_SCANNED = 3


def _non_negative(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"invalid value {text!r}: expected a number of 0 or more")
    return value


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
    scan.add_argument(
        "--timeout", type=_non_negative, default=DEFAULT_TIMEOUT, metavar="SECONDS",
        help="stop analysing a file after SECONDS and report it as not scanned; 0 for no limit "
        f"(default: {DEFAULT_TIMEOUT:g})",
    )
    scan.add_argument(
        "--max-file-size", type=_non_negative, default=DEFAULT_MAX_FILE_SIZE / MIB, metavar="MIB",
        help="parse files up to MIB mebibytes; a larger file that contains `mktemp` is reported "
        f"as not scanned (default: {DEFAULT_MAX_FILE_SIZE / MIB:g})",
    )
    verbosity = scan.add_mutually_exclusive_group()
    verbosity.add_argument("-v", "--verbose", action="store_true", help="log progress and skipped files")
    verbosity.add_argument("-q", "--quiet", action="store_true", help="log errors only")

    explain = commands.add_parser("explain", help="print a rule's documentation")
    explain.add_argument("rule_id", metavar="RULE", help="VNX-PY-018, or one of its aliases B306, S306")
    return parser


def _configure_logging(arguments: argparse.Namespace) -> None:
    level = logging.WARNING
    if getattr(arguments, "verbose", False):
        level = logging.INFO
    elif getattr(arguments, "quiet", False):
        level = logging.ERROR
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(EscapingFormatter("tmpguard: %(levelname)s: %(message)s"))
    logging.basicConfig(level=level, handlers=[handler])


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
    limits = ScanLimits(timeout=arguments.timeout or None, max_file_size=int(arguments.max_file_size * MIB))
    try:
        result = scan_paths(arguments.paths, settings, limits)
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
