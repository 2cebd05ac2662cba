"""A forgiving Python lexer for source that `ast` cannot parse.

It never raises: Python 2 code, syntax newer than the interpreter, unbalanced
brackets, bad indentation and NUL bytes all lex. It distinguishes comments and
string literals from code, which is all the fallback scanner and the suppression
parser need. Positions are 1-based lines and code-point columns.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import Iterator

_STRING_BODY = r"""
    '''(?:\\.|[^\\])*?(?:'''|\Z)
  | \"\"\"(?:\\.|[^\\])*?(?:\"\"\"|\Z)
  | '(?:\\(?:\r\n|.)|[^\\'\r\n])*(?:'|(?=[\r\n])|\Z)
  | "(?:\\(?:\r\n|.)|[^\\"\r\n])*(?:"|(?=[\r\n])|\Z)
"""

_TOKEN = re.compile(
    rf"""
    (?P<comment>\#[^\r\n]*)
  | (?P<string>(?:[rRbBuUfF]{{1,2}})?(?:{_STRING_BODY}))
  | (?P<name>[^\W\d]\w*)
  | (?P<number>\d[\w.]*)
  | (?P<newline>\r\n|\r|\n)
  | (?P<space>[ \t\f\v]+|\\(?:\r\n|\r|\n))
  | (?P<op>.)
    """,
    re.VERBOSE | re.DOTALL,
)

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class Token:
    """One lexeme: kind is comment, string, name, number, newline or op."""

    kind: str
    text: str
    line: int
    column: int
    end_line: int
    end_column: int


def tokens(text: str) -> Iterator[Token]:
    """Yield the tokens of `text`, skipping white space and line continuations."""
    line = 1
    line_start = 0
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        start, end = match.span()
        value = match.group()
        breaks = list(_LINE_BREAK.finditer(value)) if kind in ("string", "space", "newline") else []

        if kind != "space":
            end_line = line + len(breaks)
            end_column = (end - breaks[-1].end() if breaks else end - line_start) + 1
            yield Token(kind, value, line, start - line_start + 1, end_line, end_column)

        if breaks:
            line += len(breaks)
            line_start = start + breaks[-1].end()


def string_value(literal: str) -> str | None:
    """Return the value of a `str` literal, escapes decoded, or None for bytes, f-strings and malformed literals."""
    prefix_length = len(literal) - len(literal.lstrip("rRbBuUfF"))
    prefix = literal[:prefix_length].lower()
    if "b" in prefix or "f" in prefix:
        return None
    try:
        # A single literal, so nothing is evaluated but the literal itself.
        value = ast.literal_eval(literal)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None
    return value if isinstance(value, str) else None


def replacement_field_tokens(token: Token) -> list[Token]:
    """Return the code tokens inside the replacement fields of an f-string token.

    Positions are the file's. A field ends at the `}` that closes it by bracket depth.
    A `}` inside a string literal within a field therefore ends the field early, and
    the field is lexed only up to that point. Line breaks inside a field are dropped,
    because a field is part of one logical line. Nested f-strings are expanded too.
    """
    prefix_length = len(token.text) - len(token.text.lstrip("rRbBuUfF"))
    if "f" not in token.text[:prefix_length].lower():
        return []

    found: list[Token] = []
    text = token.text
    index = prefix_length
    while index < len(text):
        if text.startswith("{{", index):
            index += 2
        elif text[index] == "{":
            end = _field_end(text, index + 1)
            for inner in tokens(text[index + 1 : end]):
                if inner.kind in ("comment", "newline"):
                    continue
                shifted = _shift(inner, token, text, index + 1)
                found.append(shifted)
                if shifted.kind == "string":
                    found.extend(replacement_field_tokens(shifted))
            index = end + 1
        else:
            index += 1
    return found


def _field_end(text: str, start: int) -> int:
    depth = 0
    for index in range(start, len(text)):
        character = text[index]
        if character in "([{":
            depth += 1
        elif character in ")]}":
            if depth == 0:
                return index
            depth -= 1
    return len(text)


def _shift(inner: Token, outer: Token, outer_text: str, offset: int) -> Token:
    """Move `inner`, lexed from `outer_text[offset:]`, to its position in the file."""
    breaks = list(_LINE_BREAK.finditer(outer_text, 0, offset))
    base_line = outer.line + len(breaks)
    base_column = outer.column + offset if not breaks else offset - breaks[-1].end() + 1

    def place(line: int, column: int) -> tuple[int, int]:
        return base_line + line - 1, (base_column + column - 1 if line == 1 else column)

    line, column = place(inner.line, inner.column)
    end_line, end_column = place(inner.end_line, inner.end_column)
    return Token(inner.kind, inner.text, line, column, end_line, end_column)
