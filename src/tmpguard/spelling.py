"""Decide whether a string constant can spell a word that the source never writes out.

A `str` constant can contain `mktemp` although those six characters never stand side by
side in the source. Three constructs, which combine freely, make that possible:

- An escape yields a letter: `\\x6d`, `\\u006d`, `\\U0000006d`, octal `\\155` or
  `\\N{LATIN SMALL LETTER M}`, whose name CPython matches in any case.
- A backslash-newline inside a literal yields nothing.
- Adjacent literals are concatenated (`"mk" "temp"`). White space, newlines, line
  continuations, comments and an `r` or `u` prefix may stand between them. An `f` or
  `b` prefix makes an f-string or bytes, never a `str` constant.

The searches do not lex the source. They also look inside comments, raw strings and
bytes, so they find spellings that Python would not build, and never miss one that it
would. Each search takes time linear in the length of the text, because the byte test
in `prefilter` runs without a time limit.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import AnyStr, Generic

# Characters that may stand between two adjacent literals or inside one without adding
# to its value: quotes, white space, newlines, backslash-newlines, and a prefix letter
# right before a quote. A run of them contains no letter of the words searched for
# (`_check_word` enforces that), so a possessive match of a run stops at the next letter.
_RUN = r"""(?:[ \t\f\r\n"']|\\(?:\r\n|\r|\n)|[rRuU](?=["']))*+"""

# The position after a quote or a backslash-newline: where a literal's value goes on.
_AFTER_QUOTE_OR_CONTINUATION = r"""(?:(?<=["'])|(?<=\\[\r\n])|(?<=\\\r\n))"""

# The separator between two letters of the word in a spelling without comments: a
# closing quote or a backslash-newline, then a run that ends where a literal's value
# goes on.
_SEPARATOR = rf"""(?:\\(?:\r\n|\r|\n)|["']){_RUN}{_AFTER_QUOTE_OR_CONTINUATION}"""


def _hex_code(letter: str) -> str:
    """Return a pattern for the two hex digits of `letter`, the second in either case."""
    code = ord(letter)
    return f"{code >> 4:x}[{code & 15:x}{code & 15:X}]"


def _escape_pattern(letters: str) -> str:
    """Return a pattern for the escapes, after the backslash, that yield one of `letters`.

    The groups hold the hex digits, the octal digits or the character's name.
    """
    codes = "|".join(_hex_code(letter) for letter in letters)
    octal = "|".join(f"{ord(letter):03o}" for letter in letters)
    name = f"(?i:latin small letter [{letters}])"
    return rf"(?:x|u00|U000000)(?P<hex>{codes})|(?P<octal>{octal})|N\{{(?P<name>{name})\}}"


def _escape_endings(letter: str) -> str:
    """Return the characters that end an escape yielding `letter`."""
    code = ord(letter)
    return f"{code & 15:x}{code & 15:X}{code & 7}}}"


def _character_class(characters: str) -> str:
    return "[" + "".join(re.escape(character) for character in sorted(set(characters))) + "]"


def _check_word(word: str, anchor: int) -> None:
    if set(word) & set("rRuU\"'\\#"):
        raise ValueError(f"{word!r} contains a character that may stand between literals")
    if not 0 < anchor < len(word) - 1 or word.count(word[anchor]) != 1:
        raise ValueError(f"the anchor {word[anchor]!r} must occur once in {word!r}, not at either end")


def _gate_patterns(word: str, anchor: int) -> tuple[str, str]:
    """Return patterns whose absence proves that `word` is neither written nor spelled.

    In any spelling, the anchor letter occurs once, and either an escape yields it or it
    is written. A written anchor follows its neighbour in the word, an escape of that
    neighbour, or the quote or backslash-newline that starts a literal. It precedes its
    other neighbour, a backslash, or the quote that ends a literal. The written word is
    one case.
    """
    letter, before, after = word[anchor], word[anchor - 1], word[anchor + 1]
    preceding = _character_class(before + _escape_endings(before) + "\"'\r\n")
    following = _character_class(after + "\"'\\")
    written = rf"{letter}(?<={preceding}{letter})(?={following})"
    escaped = rf"\\(?:{_escape_pattern(letter)})"
    return written, escaped


def _path_pattern(word: str) -> str:
    """Return a pattern for `word` with a separator allowed between any two letters."""
    return f"(?:{_SEPARATOR})?".join(word)


def _comment_patterns(word: str) -> tuple[str, str]:
    """Return the patterns that find a comment between two literals that may spell `word`.

    The first runs over the reversed text, from a `#` back over a run to a letter of the
    word that ends a literal. The second runs from the end of a comment's line over a
    run to either the next comment or a letter of the word that starts a literal.
    """
    letters = _character_class(word)
    reversed_run = r"""(?:[ \t\f\r\n"']|(?<=["'])[rRuU]|(?<=[\r\n])\\)*+"""
    before_comment = rf"""\#{reversed_run}(?<=["'\\]){letters}"""
    after_comment = rf"{_RUN}(?:(\#)|{_AFTER_QUOTE_OR_CONTINUATION}{letters})"
    return before_comment, after_comment


@dataclass(frozen=True)
class Spelling(Generic[AnyStr]):
    """The compiled searches for one word, over `str` or over `bytes` text."""

    word: AnyStr
    backslash: AnyStr
    hash_sign: AnyStr
    written: re.Pattern[AnyStr]
    escaped: re.Pattern[AnyStr]
    escapes: re.Pattern[AnyStr]
    path: re.Pattern[AnyStr]
    before_comment: re.Pattern[AnyStr]
    after_comment: re.Pattern[AnyStr]
    line_end: re.Pattern[AnyStr]

    def may_occur(self, text: AnyStr) -> bool:
        """Return False only when `text` neither contains nor can spell the word."""
        if self.written.search(text):
            return True
        return self.backslash in text and self.escaped.search(text) is not None

    def is_spelled(self, text: AnyStr) -> bool:
        """Return False only when no constant in `text` can contain the word.

        A True result may be wrong when a comment is between two literals that end and
        start with letters of the word, because such cases are not followed to the end.
        """
        if self.backslash in text:
            text = self.escapes.sub(self._letter_of_escape, text)
        if self.path.search(text):
            return True
        return self.hash_sign in text and self._has_comment_between_letters(text)

    def _letter_of_escape(self, match: re.Match[AnyStr]) -> AnyStr:
        """Return the letter that an escape yields, or the escape when CPython rejects its name."""
        if match["hex"]:
            letter = chr(int(match["hex"], 16))
        elif match["octal"]:
            letter = chr(int(match["octal"], 8))
        else:
            # A `str` pattern ignores case beyond ASCII, so it also accepts names that
            # `unicodedata` (and so CPython) rejects, such as one spelled with a Kelvin sign.
            name = match["name"]
            try:
                letter = unicodedata.lookup(name.decode("ascii") if isinstance(name, bytes) else name)
            except KeyError:
                return match.group()
        return letter.encode("ascii") if isinstance(match.group(), bytes) else letter

    def _has_comment_between_letters(self, text: AnyStr) -> bool:
        """Return whether a comment may stand between two literals that hold letters of the word.

        From each comment that follows a literal ending in one of the letters, follow the
        runs and comment lines after it. Candidates arrive from the end of the text, and
        each line is scanned for its ends and followed once, so this takes linear time.
        """
        reversed_text = text[::-1]
        outcomes: dict[int, bool] = {}
        line_start = len(text) + 1
        line_end = None
        for match in self.before_comment.finditer(reversed_text):
            comment = len(text) - 1 - match.start()
            if comment < line_start:
                following = self.line_end.search(text, comment)
                line_end = following.start() if following else None
                preceding = self.line_end.search(reversed_text, match.start())
                line_start = len(text) - preceding.start() if preceding else 0
            if line_end is not None and self._reaches_letter(text, line_end, outcomes):
                return True
        return False

    def _reaches_letter(self, text: AnyStr, line_end: int, outcomes: dict[int, bool]) -> bool:
        """Follow runs and comment lines from a comment's line end to a letter that starts a literal.

        `outcomes` stores the result for every line end already followed.
        """
        visited = []
        outcome = False
        position: int | None = line_end
        while position is not None and position not in outcomes:
            visited.append(position)
            after = self.after_comment.match(text, position)
            if after is None:
                break
            if after.group(1) is None:
                outcome = True
                break
            following = self.line_end.search(text, after.start(1))
            position = following.start() if following else None
        if position is not None and position in outcomes:
            outcome = outcomes[position]
        for position in visited:
            outcomes[position] = outcome
        return outcome


def compile_spelling(word: str, anchor: int, kind: type[AnyStr]) -> Spelling[AnyStr]:
    """Compile the searches for `word`, gated on its letter at index `anchor`.

    The anchor should be a letter that is rare in source code, because every occurrence
    of it is a candidate for the cheap gate.
    """
    _check_word(word, anchor)
    letters = "".join(sorted(set(word)))
    written, escaped = _gate_patterns(word, anchor)
    before_comment, after_comment = _comment_patterns(word)
    patterns = {
        "written": written,
        "escaped": escaped,
        "escapes": rf"\\(?:{_escape_pattern(letters)})",
        "path": _path_pattern(word),
        "before_comment": before_comment,
        "after_comment": after_comment,
        "line_end": r"[\r\n]",
    }

    def convert(text: str) -> AnyStr:
        return text.encode("ascii") if kind is bytes else text

    compiled = {name: re.compile(convert(pattern)) for name, pattern in patterns.items()}
    return Spelling(
        word=convert(word),
        backslash=convert("\\"),
        hash_sign=convert("#"),
        **compiled,
    )
