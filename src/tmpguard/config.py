"""Configuration from `[tool.tmpguard]` in `pyproject.toml`, merged with the command line.

The configuration file is the nearest `pyproject.toml` with a `[tool.tmpguard]` table,
found by walking up from the first scanned path (or the `--stdin-filename` name), as
Ruff does. `--config FILE` names one instead, and `--isolated` ignores them all. Keys
mirror the long options, and a command-line option overrides the key it mirrors,
except `extend-exclude`, whose command-line patterns are added to the configured ones.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field

from tmpguard.discover import DEFAULT_EXCLUDES
from tmpguard.ignores import InvalidIgnoreError, parse_codes, parse_option
from tmpguard.report import FORMATS
from tmpguard.severity import DEFAULT_FAIL_ON, SEVERITIES

log = logging.getLogger(__name__)

CONFIG_FILE_NAME = "pyproject.toml"
TABLE = "[tool.tmpguard]"


class ConfigError(Exception):
    """Raised for a configuration file that is missing, unreadable or invalid."""


@dataclass(frozen=True)
class Options:
    """The settings of one scan, after the command line has overridden the configuration.

    `project_root` is the folder per-file-ignores patterns are relative to: the
    configuration file's folder, or the working folder without one.
    """

    exclude: tuple[str, ...] = DEFAULT_EXCLUDES
    extend_exclude: tuple[str, ...] = ()
    respect_gitignore: bool = True
    force_exclude: bool = False
    fail_on: str = DEFAULT_FAIL_ON
    format: str = "text"
    per_file_ignores: dict[str, tuple[str, ...]] = field(default_factory=dict)
    project_root: str = "."
    config_file: str | None = None


def _toml_types() -> tuple[tuple[type, str], ...]:
    """Return TOML value types by the names the TOML specification uses for them."""
    import datetime

    return (
        (bool, "boolean"), (int, "integer"), (float, "float"), (str, "string"), (list, "array"),
        (dict, "table"), (datetime.datetime, "date-time"), (datetime.date, "date"), (datetime.time, "time"),
    )


def _describe(value: object) -> str:
    name = next((name for kind, name in _toml_types() if isinstance(value, kind)), type(value).__name__)
    text = repr(value)
    return f"{name} {text if len(text) <= 60 else text[:57] + '...'}"


def _string_list(value: object) -> tuple[str, ...] | None:
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(value)
    return None


def _boolean(value: object) -> bool | None:
    return value if isinstance(value, bool) else None


def _choice(choices: tuple[str, ...]) -> Callable[[object], str | None]:
    return lambda value: value if isinstance(value, str) and value in choices else None


def _ignore_table(value: object) -> dict[str, tuple[str, ...]] | None:
    if not isinstance(value, dict):
        return None
    table = {pattern: _string_list(codes) for pattern, codes in value.items()}
    return None if any(codes is None for codes in table.values()) else table


# Each key: the Options field it sets, its validator (None for a wrong value) and the
# type it expects, as error messages show it.
_KEYS: dict[str, tuple[str, Callable[[object], object], str]] = {
    "exclude": ("exclude", _string_list, "an array of strings (glob patterns)"),
    "extend-exclude": ("extend_exclude", _string_list, "an array of strings (glob patterns)"),
    "respect-gitignore": ("respect_gitignore", _boolean, "a boolean (true or false)"),
    "force-exclude": ("force_exclude", _boolean, "a boolean (true or false)"),
    "fail-on": ("fail_on", _choice(SEVERITIES), f"a string, one of: {', '.join(SEVERITIES)}"),
    "format": ("format", _choice(FORMATS), f"a string, one of: {', '.join(FORMATS)}"),
    "per-file-ignores": (
        "per_file_ignores", _ignore_table, 'a table of glob = array of rule codes, e.g. {"tests/*.py" = ["S306"]}',
    ),
}


def _unknown_key_message(key: str, path: str) -> str:
    import difflib

    message = f"{path}: unknown key {key!r} in {TABLE}; valid keys: {', '.join(sorted(_KEYS))}"
    close = difflib.get_close_matches(key.replace("_", "-"), _KEYS, n=1)
    return message + (f" (did you mean {close[0]!r}?)" if close else "")


def validate(table: dict, path: str) -> dict[str, object]:
    """Return the Options fields that `table` sets, raising ConfigError for a bad key or value."""
    values: dict[str, object] = {}
    for key, value in table.items():
        if key not in _KEYS:
            raise ConfigError(_unknown_key_message(key, path))

        name, convert, expected = _KEYS[key]
        converted = convert(value)
        if converted is None:
            raise ConfigError(
                f"{path}: invalid value for {key!r} in {TABLE}: expected {expected}, got {_describe(value)}"
            )
        values[name] = converted

    for pattern, codes in values.get("per_file_ignores", {}).items():
        try:
            parse_codes(pattern, codes)
        except InvalidIgnoreError as error:
            raise ConfigError(f"{path}: invalid value in {TABLE}: {error}") from None
    return values


def read_table(path: str) -> dict | None:
    """Return the `[tool.tmpguard]` table of the TOML file at `path`, or None without one."""
    import tomllib

    try:
        with open(path, "rb") as handle:
            document = tomllib.load(handle)
    except OSError as error:
        raise ConfigError(f"cannot read configuration file {path}: {error.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None

    tool = document.get("tool", {})
    table = tool.get("tmpguard") if isinstance(tool, dict) else None
    if table is not None and not isinstance(table, dict):
        raise ConfigError(f"{path}: 'tool.tmpguard' must be a table, got {_describe(table)}")
    return table


def find_config_file(start: str) -> str | None:
    """Return the nearest `pyproject.toml` with a `[tool.tmpguard]` table at or above `start`."""
    folder = os.path.abspath(start)
    if not os.path.isdir(folder):
        folder = os.path.dirname(folder)
    while True:
        candidate = os.path.join(folder, CONFIG_FILE_NAME)
        if os.path.isfile(candidate) and read_table(candidate) is not None:
            return candidate
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def load(path: str) -> Options:
    """Return the Options that the `[tool.tmpguard]` table of the file at `path` sets."""
    table = read_table(path)
    if table is None:
        raise ConfigError(f"{path}: no {TABLE} table in the configuration file")
    log.info("configuration from %s", path)
    return Options(**validate(table, path), project_root=os.path.dirname(os.path.abspath(path)), config_file=path)


def _configured(arguments: argparse.Namespace) -> Options:
    if arguments.isolated:
        return Options(project_root=os.getcwd())
    if arguments.config is not None:
        return load(arguments.config)

    start = arguments.stdin_filename or (arguments.paths[0] if arguments.paths else ".")
    path = find_config_file(start)
    return load(path) if path else Options(project_root=os.getcwd())


def _command_line_ignores(values: list[str]) -> dict[str, tuple[str, ...]]:
    table: dict[str, tuple[str, ...]] = {}
    for value in values:
        try:
            pattern, codes = parse_option(value)
            parse_codes(pattern, codes)
        except InvalidIgnoreError as error:
            raise ConfigError(str(error)) from None
        table[pattern] = table.get(pattern, ()) + tuple(codes)
    return table


def resolve(arguments: argparse.Namespace) -> Options:
    """Return the scan's Options: the configuration file's values, overridden by the command line."""
    options = _configured(arguments)
    # NOTE: configured exclude patterns match paths below each scanned folder, as on the
    # command line, not paths below the configuration file's folder as in Ruff.
    overrides: dict[str, object] = {"extend_exclude": options.extend_exclude + tuple(arguments.extend_exclude)}
    if arguments.exclude is not None:
        overrides["exclude"] = tuple(arguments.exclude)
    if arguments.respect_gitignore is not None:
        overrides["respect_gitignore"] = arguments.respect_gitignore
    if arguments.force_exclude is not None:
        overrides["force_exclude"] = arguments.force_exclude
    if arguments.fail_on is not None:
        overrides["fail_on"] = arguments.fail_on
    if arguments.format is not None:
        overrides["format"] = arguments.format
    if arguments.per_file_ignores:
        overrides["per_file_ignores"] = _command_line_ignores(arguments.per_file_ignores)
        overrides["project_root"] = os.getcwd()

    return dataclasses.replace(options, **overrides)
