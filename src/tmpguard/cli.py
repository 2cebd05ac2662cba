"""The `tmpguard` command line: `scan` and `explain`."""

from __future__ import annotations

import argparse
import logging
import math
import os
import sys

from tmpguard import __version__, command, rule
from tmpguard.config import ConfigError, Options, resolve
from tmpguard.discover import DEFAULT_EXCLUDES, SOURCE_SUFFIX, DiscoveryError, DiscoverySettings
from tmpguard.errors import BaselineError, GitError
from tmpguard.escape import EscapingFormatter
from tmpguard.isolation import DEFAULT_MAX_FILE_SIZE, DEFAULT_TIMEOUT, ScanLimits
from tmpguard.large_files import MIB
from tmpguard.runner import CACHE_DIR_ENV, DEFAULT_CACHE_DIR
from tmpguard.findings import ScanResult, ScanStatus
from tmpguard.report import FORMATS, render
from tmpguard.severity import DEFAULT_FAIL_ON, SEVERITIES, at_least

log = logging.getLogger("tmpguard")

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_NOT_SCANNED = 3
EXIT_INTERRUPTED = 130


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
        "1 findings at or above --fail-on, 2 usage or configuration error, 3 no finding but some file not scanned.",
    )
    scan.add_argument("paths", nargs="*", default=["."], metavar="PATH", help="files or folders (default: .)")
    scan.add_argument("--format", choices=FORMATS, help="report format (default: text)")
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
        "--respect-gitignore", action=argparse.BooleanOptionalAction,
        help="skip files that .gitignore files ignore (default: on)",
    )
    scan.add_argument(
        "--force-exclude", action=argparse.BooleanOptionalAction,
        help="apply the exclude patterns to files named on the command line too, as pre-commit "
        "and editors name them (default: off)",
    )
    _add_workflow_options(scan)
    scan.add_argument(
        "--color", choices=("auto", "always", "never"), default="auto",
        help="colour the text report: auto colours only on a terminal (default: auto)",
    )
    scan.add_argument("--fix", action="store_true", help="apply safe fixes to the files, then report what remains")
    scan.add_argument(
        "--unsafe-fixes", action="store_true",
        help="with --fix or --diff, also apply fixes that change behaviour in a documented way",
    )
    scan.add_argument(
        "--diff", action="store_true",
        help="print the fixes as a unified diff (apply with patch -p1) and write nothing",
    )
    scan.add_argument(
        "--timeout", type=_non_negative, default=DEFAULT_TIMEOUT, metavar="SECONDS",
        help="stop analysing a file after SECONDS and report it as not scanned; 0 for no limit "
        f"(default: {DEFAULT_TIMEOUT:g})",
    )
    scan.add_argument(
        "--max-file-size", type=_non_negative, default=DEFAULT_MAX_FILE_SIZE / MIB, metavar="MIB",
        help="parse files up to MIB mebibytes; a larger file that contains `mktemp` is reported "
        f"as not scanned; 0 for no limit (default: {DEFAULT_MAX_FILE_SIZE / MIB:g})",
    )
    _add_run_options(scan)
    verbosity = scan.add_mutually_exclusive_group()
    verbosity.add_argument("-v", "--verbose", action="store_true", help="log progress and skipped files")
    verbosity.add_argument("-q", "--quiet", action="store_true", help="log errors only")

    explain = commands.add_parser("explain", help="print a rule's documentation")
    explain.add_argument("rule_id", metavar="RULE", help="VNX-PY-018, or one of its aliases B306, S306")
    return parser


def _add_workflow_options(scan: argparse.ArgumentParser) -> None:
    scan.add_argument(
        "--fail-on", choices=SEVERITIES,
        help="exit 1 only for findings of this severity or higher (default: low, any finding)",
    )
    scan.add_argument(
        "--per-file-ignores", action="append", default=[], metavar="GLOB:CODES",
        help="ignore the rule in files matching GLOB, e.g. 'tests/*.py:S306'; replaces the configured table; "
        "repeatable",
    )
    source = scan.add_mutually_exclusive_group()
    source.add_argument(
        "--changed-since", metavar="REF", help="scan only files changed against git REF, plus untracked ones",
    )
    source.add_argument(
        "--stdin-filename", metavar="NAME", help="scan source read from standard input, reported as NAME",
    )

    config = scan.add_mutually_exclusive_group()
    config.add_argument(
        "--config", metavar="FILE", help="read [tool.tmpguard] from FILE instead of the nearest pyproject.toml",
    )
    config.add_argument("--isolated", action="store_true", help="ignore all configuration files")

    accepted = scan.add_mutually_exclusive_group()
    accepted.add_argument(
        "--baseline", metavar="FILE", help="report only findings that the baseline FILE does not list",
    )
    accepted.add_argument(
        "--write-baseline", metavar="FILE", help="record the current findings in FILE and accept them, as --baseline FILE would",
    )


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


def exit_code(result: ScanResult, fail_on: str = DEFAULT_FAIL_ON) -> int:
    """Map a scan result to its exit code. Findings below `fail_on` severity do not fail."""
    if any(at_least(finding.severity, fail_on) for finding in result.active_findings):
        return EXIT_FINDINGS
    if result.files_with(ScanStatus.NOT_SCANNED):
        return EXIT_NOT_SCANNED
    return EXIT_CLEAN


def _check_output(output: str | None) -> None:
    """Reject a report path that would overwrite Python source, such as a scanned file, or a link to one."""
    if output is None:
        return
    for path in (output, os.path.realpath(output)):
        if path.endswith(SOURCE_SUFFIX) and os.path.lexists(path):
            raise ConfigError(f"--output {output}: refusing to overwrite an existing Python source file with the report")


def _write(report: str, output: str | None) -> None:
    """Write the report to standard output or to the file `output`."""
    if output is None:
        sys.stdout.write(report)
        sys.stdout.flush()
        return

    from tmpguard.output_file import write_report

    write_report(report, output)


def _run_fixes(arguments: argparse.Namespace, options: Options) -> None:
    if arguments.stdin_filename is not None:
        raise ConfigError("--fix and --diff rewrite files and cannot be used with --stdin-filename")
    from tmpguard.fixes.command import run_fixes

    settings = DiscoverySettings(
        exclude=options.exclude,
        extend_exclude=options.extend_exclude,
        respect_gitignore=options.respect_gitignore,
        force_exclude=options.force_exclude,
    )
    run_fixes(arguments, settings)


def run_scan(arguments: argparse.Namespace) -> int:
    try:
        options = resolve(arguments)
        _check_output(arguments.output)
        if arguments.fix or arguments.diff:
            _run_fixes(arguments, options)
        elif arguments.unsafe_fixes:
            log.warning("--unsafe-fixes has no effect without --fix or --diff")
        result = command.scan(arguments, options)
    except (ConfigError, DiscoveryError, GitError, BaselineError) as error:
        log.error("%s", error)
        return EXIT_USAGE

    not_scanned = result.files_with(ScanStatus.NOT_SCANNED)
    if not_scanned:
        from tmpguard.report.text import plural

        log.warning("%s could not be scanned; the report lists the reasons", plural(len(not_scanned), "path"))
    if not result.files:
        log.warning("no Python files found under the given paths; only files whose name ends in .py are scanned")

    if arguments.diff and arguments.output is None:
        return exit_code(result, options.fail_on)
    report = render(result, options.format, color=_use_color(arguments.color, arguments.output))
    try:
        _write(report, arguments.output)
    except OSError as error:
        log.error("cannot write the report to %s: %s", arguments.output, error.strerror)
        return EXIT_USAGE
    return exit_code(result, options.fail_on)


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
        try:
            return run_scan(arguments)
        except KeyboardInterrupt:
            # The shell convention for a command stopped by SIGINT.
            log.error("scan interrupted")
            return EXIT_INTERRUPTED
    if arguments.command == "explain":
        return run_explain(arguments)
    parser.print_help(sys.stderr)
    return EXIT_USAGE
