"""Token-level scan for files that the running interpreter cannot parse.

It recognises the import forms that bind `tempfile` or `mktemp` and the uses of those
names, skipping comments and strings but reading the code inside f-string replacement
fields. It has no scopes, so it is less precise than the analyser: a local
redefinition of an imported name, or a parameter named `tempfile`, is not seen.
"""

from __future__ import annotations

import dataclasses
import unicodedata
from dataclasses import dataclass

from tmpguard.lexer import Token, replacement_field_tokens, string_value, tokens

_OPENING = "([{"
_CLOSING = ")]}"
_DEFINING_KEYWORDS = frozenset({"def", "class", "import", "as", "global", "nonlocal", "del"})


@dataclass(frozen=True)
class TokenMatch:
    """A use of the target found by the fallback scan, in code-point columns."""

    line: int
    column: int
    end_line: int
    end_column: int
    statement_lines: tuple[int, int]


def scan_tokens(text: str) -> list[TokenMatch]:
    """Return the uses of `tempfile.mktemp` in `text`, which need not parse."""
    code = _code_tokens(text)
    statement_lines = _logical_lines(code)
    module_names, function_names, import_positions = _collect_imports(code)

    matches = []
    for index, token in enumerate(code):
        if index in import_positions:
            continue
        end = _match_end(code, index, module_names, function_names)
        if end is not None:
            last = code[end]
            matches.append(
                TokenMatch(token.line, token.column, last.end_line, last.end_column, statement_lines[index])
            )
    return matches


def _code_tokens(text: str) -> list[Token]:
    """Return the tokens outside comments, as the parser would read them.

    Names are NFKC-normalised, as CPython compares identifiers. Adjacent `str` literals
    become one token holding their joined value, as CPython joins them. Each f-string is
    followed by the code of its fields.
    """
    code: list[Token] = []
    depth = 0
    for token in tokens(text):
        if token.kind == "comment" or (token.kind == "newline" and depth > 0 and _continues_inside_brackets(code)):
            continue
        if token.kind == "op" and token.text in _OPENING:
            depth += 1
        elif token.kind == "op" and token.text in _CLOSING:
            depth = max(0, depth - 1)

        if token.kind == "name" and not token.text.isascii():
            token = dataclasses.replace(token, text=unicodedata.normalize("NFKC", token.text))
        if token.kind == "string" and _ends_in_string(code):
            joined = _joined(code[-1], token)
            if joined is not None:
                code[-1] = joined
                continue
        code.append(token)
        if token.kind == "string":
            code.extend(replacement_field_tokens(token))
    return code


def _ends_in_string(code: list[Token]) -> bool:
    return bool(code) and code[-1].kind == "string"


def _continues_inside_brackets(code: list[Token]) -> bool:
    """Return whether a line break inside brackets after the last token is insignificant.

    After a string (which the next literal may extend), an opening bracket or a comma,
    the expression goes on, so the break is dropped and a call's arguments read the same
    on one line or several. Other breaks stay, so that a bracket left open in a broken
    file does not hide the statements after it.
    """
    return bool(code) and (code[-1].kind == "string" or code[-1].text in _OPENING or code[-1].text == ",")


def _joined(first: Token, second: Token) -> Token | None:
    """Return one token for two adjacent `str` literals, or None when either is not a plain `str` literal."""
    values = (string_value(first.text), string_value(second.text))
    if None in values:
        return None
    return Token("string", repr(values[0] + values[1]), first.line, first.column, second.end_line, second.end_column)


def _logical_lines(code: list[Token]) -> list[tuple[int, int]]:
    """Map each token index to the first and last line of its logical line."""
    ranges: list[tuple[int, int]] = []
    depth = 0
    start_index = 0
    for index, token in enumerate(code):
        if token.kind == "op" and token.text in _OPENING:
            depth += 1
        elif token.kind == "op" and token.text in _CLOSING:
            depth = max(0, depth - 1)
        is_last = index == len(code) - 1
        if (token.kind == "newline" and depth == 0) or is_last:
            last_line = token.line if token.kind == "newline" else token.end_line
            span = (code[start_index].line, last_line)
            ranges.extend([span] * (index - start_index + 1))
            start_index = index + 1
    return ranges


def _collect_imports(code: list[Token]) -> tuple[set[str], set[str], set[int]]:
    """Find the names bound to the tempfile module and to its mktemp function."""
    module_names: set[str] = set()
    function_names: set[str] = set()
    positions: set[int] = set()

    index = 0
    while index < len(code):
        token = code[index]
        if token.kind == "name" and token.text in ("import", "from") and _starts_statement(code, index):
            end = _statement_end(code, index)
            positions.update(range(index, end))
            _read_import(code[index:end], module_names, function_names)
            index = end
        else:
            index += 1
    return module_names, function_names, positions


def _starts_statement(code: list[Token], index: int) -> bool:
    # A keyword at the start of a line opens a statement even after a bracket that a
    # broken file left open.
    if index == 0 or code[index].column == 1:
        return True
    previous = code[index - 1]
    return previous.kind == "newline" or previous.text in (";", ":")


def _statement_end(code: list[Token], index: int) -> int:
    depth = 0
    while index < len(code):
        token = code[index]
        if token.text in _OPENING:
            depth += 1
        elif token.text in _CLOSING:
            depth -= 1
        elif (token.kind == "newline" and depth <= 0) or token.text == ";":
            return index
        index += 1
    return index


def _read_import(statement: list[Token], module_names: set[str], function_names: set[str]) -> None:
    words = [token.text for token in statement if token.kind != "newline" and token.text not in "()"]
    if words[0] == "import":
        for clause in " ".join(words[1:]).split(","):
            parts = clause.split()
            if parts and parts[0] == "tempfile":
                module_names.add(parts[2] if len(parts) == 3 and parts[1] == "as" else "tempfile")
        return

    if len(words) < 4 or words[1] != "tempfile" or words[2] != "import":
        return
    for clause in " ".join(words[3:]).split(","):
        parts = clause.split()
        if parts == ["*"]:
            function_names.add("mktemp")
        elif parts and parts[0] == "mktemp":
            function_names.add(parts[2] if len(parts) == 3 and parts[1] == "as" else "mktemp")


def _text(code: list[Token], index: int) -> str:
    return code[index].text if 0 <= index < len(code) else ""


def _match_end(code: list[Token], index: int, modules: set[str], functions: set[str]) -> int | None:
    """Return the index of the last token of a use that starts at `index`, if any."""
    token = code[index]
    if token.kind != "name" or _text(code, index - 1) == ".":
        return None
    if _text(code, index - 1) in _DEFINING_KEYWORDS:
        return None

    end = None
    if token.text in modules and _text(code, index + 1) == "." and _text(code, index + 2) == "mktemp":
        end = index + 2
    elif token.text in functions:
        end = index
    elif token.text == "getattr":
        end = _getattr_end(code, index, modules)
    elif token.text in ("__import__", "import_module", "importlib"):
        end = _import_call_end(code, index)

    if end is None or _is_assignment_target(code, end):
        return None
    return end


def _is_assignment_target(code: list[Token], end: int) -> bool:
    return _text(code, end + 1) == "=" and _text(code, end + 2) != "="


def _getattr_end(code: list[Token], index: int, modules: set[str]) -> int | None:
    if _text(code, index + 1) != "(" or _text(code, index + 2) not in modules:
        return None
    if _text(code, index + 3) != "," or code[min(index + 4, len(code) - 1)].kind != "string":
        return None
    if string_value(_text(code, index + 4)) != "mktemp":
        return None
    close = index + 5 if _text(code, index + 5) == ")" else index + 4
    return close


def _import_call_end(code: list[Token], index: int) -> int | None:
    start = index + 2 if code[index].text == "importlib" else index
    if code[index].text == "importlib" and (
        _text(code, index + 1) != "." or _text(code, index + 2) != "import_module"
    ):
        return None
    if _text(code, start + 1) != "(" or string_value(_text(code, start + 2)) != "tempfile":
        return None
    if _text(code, start + 3) != ")" or _text(code, start + 4) != "." or _text(code, start + 5) != "mktemp":
        return None
    return start + 5
