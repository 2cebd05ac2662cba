"""Parse `# nosec` and `# noqa` comments and match them to findings.

Comments come from a tokenizer, never from a text search, so a marker inside a
string literal is not a comment and suppresses nothing.
"""

from __future__ import annotations

import bisect
import io
import re
import tokenize
from dataclasses import dataclass
from typing import Iterable, Sequence

from tmpguard.findings import Suppression
from tmpguard.lexer import tokens as lenient_tokens
from tmpguard.rule import RULE_ALIASES

# A marker opens a comment segment: `nosec` or `noqa`, then the end of the segment,
# white space or a colon. `nosec-free` or `noqa123` are not markers.
_MARKER = re.compile(r"(nosec|noqa)(?=$|[\s:])\s*:?\s*(.*)", re.IGNORECASE | re.DOTALL)
_CODE = re.compile(r"[A-Za-z][A-Za-z0-9_-]*[0-9]")
_CODE_SEPARATOR = re.compile(r"[\s,]+")


@dataclass(frozen=True)
class Marker:
    """A suppression marker on one line. `codes` is None when it names no code."""

    kind: str
    line: int
    comment: str
    codes: frozenset[str] | None

    def applies_to_rule(self) -> bool:
        return self.codes is None or not self.codes.isdisjoint(RULE_ALIASES)


def parse_markers(comment: str, line: int) -> list[Marker]:
    """Return the markers in `comment` (text starting with '#'), one per '#' segment."""
    markers = []
    for segment in comment.split("#")[1:]:
        match = _MARKER.match(segment.strip())
        if match:
            markers.append(Marker(match.group(1).lower(), line, comment.strip(), _parse_codes(match.group(2))))
    return markers


def _parse_codes(text: str) -> frozenset[str] | None:
    codes = []
    for word in _CODE_SEPARATOR.split(text.strip()):
        if not _CODE.fullmatch(word):
            break
        codes.append(word.upper())
    return frozenset(codes) if codes else None


def comments(text: str) -> list[tuple[int, str]]:
    """Return (line, comment text) for every comment in `text`.

    `tokenize` is used for files it accepts, and the lenient lexer covers the rest.
    Reading with `newline=None` ends lines at CR and CRLF as well as LF, as CPython does.
    """
    try:
        return [
            (token.start[0], token.string)
            for token in tokenize.generate_tokens(io.StringIO(text, newline=None).readline)
            if token.type == tokenize.COMMENT
        ]
    except (tokenize.TokenError, SyntaxError, ValueError):
        return [(token.line, token.text) for token in lenient_tokens(text) if token.kind == "comment"]


_MARKER_WORD = re.compile("nosec|noqa", re.IGNORECASE)
# Past this many lines of findings' statements, tokenizing the file is the cheaper test.
_MAX_LINES_SEARCHED = 10_000


class SuppressionIndex:
    """The suppression markers of one file, looked up by line range."""

    def __init__(self, text: str) -> None:
        self.by_line: dict[int, list[Marker]] = {}
        self.file_markers: list[Marker] = []
        self._applying: dict[int, Marker] = {}
        self._applying_lines: list[int] = []
        # Tokenizing a large file costs more than analysing it, and most files have no marker.
        if not _MARKER_WORD.search(text):
            return
        first_line = text.lstrip("\ufeff").split("\n", 1)[0].lstrip()

        for line, comment in comments(text):
            markers = parse_markers(comment, line)
            self.by_line.setdefault(line, []).extend(markers)
            # The VNX convention: `# nosec` on a comment-only first line covers the file.
            if line == 1 and first_line.startswith("#"):
                self.file_markers = [marker for marker in markers if marker.kind == "nosec"]

        # Only markers that apply to the rule can match, so a lookup is one bisection
        # even when a statement spans thousands of lines.
        for line, markers in self.by_line.items():
            applying = [marker for marker in markers if marker.applies_to_rule()]
            if applying:
                self._applying[line] = applying[0]
        self._applying_lines = sorted(self._applying)

    @classmethod
    def for_statements(cls, text: str, lines: Sequence[str], spans: Iterable[tuple[int, int]]) -> SuppressionIndex:
        """Return the index that serves findings whose statements span `spans` (first, last line).

        Only a marker on one of those lines, or on the first line, can suppress them,
        so when none of these lines has a marker word the file is not tokenized.
        """
        if _MARKER_WORD.search(text) and _marker_word_on(lines, spans):
            return cls(text)
        return cls("")

    def match(self, first_line: int, last_line: int) -> Suppression | None:
        """Return the suppression for a finding whose statement spans these lines."""
        index = bisect.bisect_left(self._applying_lines, first_line)
        if index < len(self._applying_lines) and self._applying_lines[index] <= last_line:
            marker = self._applying[self._applying_lines[index]]
            return Suppression("inSource", marker.line, marker.comment)
        for marker in self.file_markers:
            if marker.applies_to_rule():
                return Suppression("inSource", marker.line, marker.comment)
        return None


def _marker_word_on(lines: Sequence[str], spans: Iterable[tuple[int, int]]) -> bool:
    """Return whether a marker word is on the first line or on a line of one of `spans`."""
    numbers = {1}
    for first, last in spans:
        numbers.update(range(first, last + 1))
        if len(numbers) > _MAX_LINES_SEARCHED:
            return True
    return any(_MARKER_WORD.search(lines[number - 1]) for number in numbers if 1 <= number <= len(lines))
