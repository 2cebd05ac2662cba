"""A flake8 plugin that reports the rule as `VNX018`, for editors that run flake8.

flake8 loads it from the `flake8.extension` entry point `VNX0`, the code prefix.
Findings come from `engine.scan_source`, so name resolution, `# nosec` / `# noqa`
suppressions and the fallback scanner behave as in `tmpguard scan`. flake8 prints
the column it receives plus one, so the plugin yields the 0-based code-point column
and flake8 shows tmpguard's 1-based one.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from tmpguard import __version__
from tmpguard.engine import scan_source
from tmpguard.source import DecodeError, detect_encoding

CODE = "VNX018"


def source_bytes(lines: list[str]) -> bytes:
    """Encode flake8's decoded lines back to the file's bytes, in its declared encoding.

    Encoding with the declared encoding keeps `scan_source`, which decodes by the
    coding cookie, from reading UTF-8 bytes as another encoding.
    """
    text = "".join(lines)
    utf8 = text.encode("utf-8", "surrogatepass")
    try:
        encoding = detect_encoding(utf8)
        return utf8 if encoding in ("utf-8", "utf-8-sig") else text.encode(encoding)
    except (DecodeError, UnicodeError):
        # NOTE: flake8 decodes a file that fails its declared encoding as Latin-1, but
        # such a file is scanned here as UTF-8, so its columns may differ from those
        # of `tmpguard scan`.
        return utf8


class Flake8Plugin:
    """The flake8 checker: one instance per file."""

    name = "tmpguard"
    version = __version__

    def __init__(self, tree: ast.AST, filename: str, lines: list[str]) -> None:
        # flake8 passes the parsed tree, which the plugin requests so that it runs once
        # per file. scan_source parses again so positions match the command line exactly.
        self.filename = filename
        self.lines = lines

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        result = scan_source(source_bytes(self.lines), self.filename)
        for finding in result.findings:
            if not finding.suppressed:
                yield finding.start_line, finding.start_column - 1, f"{CODE} {finding.message}", type(self)
