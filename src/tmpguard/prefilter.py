"""A cheap, sound test that proves most files cannot contain a finding, before parsing.

The guarantee: a file is dropped only when the full scan (analyser or fallback scanner)
would report nothing for it. It rests on what every finding needs. The analyser flags an
expression whose qualified name is `tempfile.mktemp`, so the file must name both the
module `tempfile` and the function `mktemp`. A name reaches the analyser in one of two
ways:

1. as an identifier (`import tempfile`, `tempfile.mktemp`, `from tempfile import
   mktemp`), which CPython compares after NFKC normalisation, or
2. as the value of a `str` constant (an `ast.Constant`, so one literal or several
   adjacent ones, but no f-string and no `+`) passed to a dynamic lookup: `getattr`,
   `__import__`, `importlib.import_module`, `sys.modules[...]`, `vars(...)` or a
   `__dict__[...]` subscript. Each lookup needs one of those identifiers in the text,
   because the chain that reaches it starts from names, not from constants.

A constant can spell a word without the word's text, through escapes, backslash-newlines
and adjacent literals (see `spelling`). So a file that lacks the word `mktemp` (or
`tempfile`) is still analysed when it names a dynamic lookup and a constant may spell
the word. The fallback scanner needs the literal text `mktemp` and `tempfile`, so case 1
covers it.

`cannot_contain_target` judges a file from its bytes when every search over them finds
at least what it would find in the decoded text. That holds when three things are true:

- The encoding maps each ASCII byte to the same character and no other byte to an ASCII
  character, whatever the bytes around it: UTF-8 (with or without a cookie or BOM),
  ASCII, Latin-1 and the other ISO 8859 and Windows-125x code pages.
- The bytes decode without error. The engine reports a file that does not as scanned by
  the fallback, with the reason.
- NFKC maps no character of the text to one of the ASCII characters of the names
  searched for, so that every name in an identifier is also in the bytes. Most
  non-ASCII text (accents, CJK, symbols) passes, but fullwidth or mathematical letters
  and ligatures such as `ﬁ` do not.

Any other file is decoded by the caller, which calls `may_contain_target` on the text:
CPython runs files with a `utf-7` or `unicode_escape` cookie, in which `mktemp` need not
appear as those bytes.
"""

from __future__ import annotations

import codecs
import functools
import unicodedata
from dataclasses import dataclass
from typing import AnyStr, Generic

from tmpguard.source import DecodeError, detect_encoding
from tmpguard.spelling import Spelling, compile_spelling

# Each word with the index of its letter that gates the search: one that is rare in
# source code and occurs once in the word. The word most files lack comes first.
_WORDS = (("mktemp", 1), ("tempfile", 3))
_DYNAMIC_LOOKUPS = ("getattr", "__import__", "import_module", "modules", "vars", "__dict__")

# Encodings, by their `codecs` name, that decode each ASCII byte to the same character
# and every other byte to a character outside ASCII, whatever the bytes around it.
_ASCII_TRANSPARENT = frozenset(
    ["ascii", "utf-8", "utf-8-sig"]
    + [f"iso8859-{part}" for part in range(1, 17) if part != 12]
    + [f"cp125{part}" for part in range(9)]
)

_COOKIE_WORD = b"coding"
_ASCII_BYTES = bytes(range(128))

# Every character of the words and lookup names, all of them ASCII.
_NAME_CHARACTERS = frozenset("".join(word for word, _ in _WORDS) + "".join(_DYNAMIC_LOOKUPS))


@dataclass(frozen=True)
class _Searches(Generic[AnyStr]):
    spellings: tuple[Spelling[AnyStr], ...]
    lookups: tuple[AnyStr, ...]


@functools.cache
def compiled_searches(kind: type[AnyStr]) -> _Searches[AnyStr]:
    """Return the searches over `str` or `bytes`, compiled on first use.

    A run served from the cache judges no file, so it never compiles them.
    """
    if kind is str:
        return _Searches(tuple(compile_spelling(word, anchor, str) for word, anchor in _WORDS), _DYNAMIC_LOOKUPS)
    return _Searches(
        tuple(compile_spelling(word, anchor, bytes) for word, anchor in _WORDS),
        tuple(name.encode("ascii") for name in _DYNAMIC_LOOKUPS),
    )


def cannot_contain_target(data: bytes) -> bool:
    """Return True when the raw bytes of a source file prove it has no finding.

    For a file whose bytes may not match its text (see the module's documentation),
    this returns False, and the caller decodes it and calls `may_contain_target`.
    """
    return _judged_from_bytes(data) and not _may_contain(data, None, compiled_searches(bytes))


def may_contain_target(text: str) -> bool:
    """Return False only when decoded source `text` cannot produce a finding."""
    normalised = None
    if not text.isascii():
        non_ascii = text.encode("utf-8", "surrogatepass").translate(None, _ASCII_BYTES)
        if _normalisation_adds_name_characters(non_ascii.decode("utf-8", "surrogatepass")):
            normalised = unicodedata.normalize("NFKC", text)
    return _may_contain(text, normalised, compiled_searches(str))


def _may_contain(code: AnyStr, normalised: AnyStr | None, searches: _Searches[AnyStr]) -> bool:
    """Return False only when source `code` cannot produce a finding.

    `normalised` is the NFKC form of `code`, or None when normalising adds no character
    of the names searched for, so that every name in it is also in `code`. The analyser
    compares identifiers after NFKC, but the fallback's lexer does not, and normalising
    can merge a letter with a combining mark that follows it, so a word counts as
    written when either text contains it.
    """
    # The cheap gates come first, for every word: most files fail one of them.
    for spelling in searches.spellings:
        if not spelling.may_occur(code) and (normalised is None or spelling.word not in normalised):
            return False

    names = code if normalised is None else normalised
    spelled = [
        spelling
        for spelling in searches.spellings
        if spelling.word not in code and (normalised is None or spelling.word not in normalised)
    ]
    if not spelled:
        return True

    # Only a dynamic lookup reads a name from a constant.
    if not any(name in names for name in searches.lookups):
        return False
    return all(spelling.is_spelled(code) for spelling in spelled)


class StreamJudge:
    """Judge a file too large to hold in memory from consecutive pieces of its text.

    Evidence is gathered over the whole file, so names in different pieces still count
    together (`import tempfile as t` early on, `t.mktemp()` much later). Each piece
    should start with the last `OVERLAP` characters of the one before, so that a name
    or an escape cut by the boundary is seen whole. A spelling is not followed across
    pieces, and dynamic lookups are not looked for: where a piece may spell a word, the
    word counts as present.
    """

    OVERLAP = 64

    def __init__(self) -> None:
        self.present = {spelling.word: False for spelling in compiled_searches(str).spellings}

    def feed(self, text: str) -> None:
        """Add the evidence in the next piece of the file's decoded text."""
        normalised = unicodedata.normalize("NFKC", text) if not text.isascii() else text
        for spelling in compiled_searches(str).spellings:
            if spelling.may_occur(text) or spelling.word in normalised:
                self.present[spelling.word] = True

    def may_contain_target(self) -> bool:
        """Return False only when the pieces fed so far, as one file, cannot produce a finding."""
        return all(self.present.values())


def _judged_from_bytes(data: bytes) -> bool:
    """Return whether the searches over `data` find at least what they would find in its text."""
    if data.isascii() and _COOKIE_WORD not in _first_two_lines(data):
        return True
    try:
        encoding = detect_encoding(_first_two_lines(data))
    except DecodeError:
        return False
    if codecs.lookup(encoding).name not in _ASCII_TRANSPARENT:
        return False
    if data.isascii():
        return True

    # The engine reports a file that does not decode as scanned by the fallback, with
    # the reason, so it must take the slow path even when it has no finding.
    try:
        data.decode(encoding)
    except UnicodeError:
        return False

    # Deleting the ASCII bytes leaves whole characters in these encodings.
    non_ascii = data.translate(None, _ASCII_BYTES).decode(encoding)
    return not _normalisation_adds_name_characters(non_ascii)


def _normalisation_adds_name_characters(non_ascii: str) -> bool:
    """Return whether NFKC may turn one of the characters in `non_ascii` into a name's character.

    When it cannot, every name in the NFKC form of a text is also in the text. NFKC maps
    each character on its own, and composing with the marks around it only yields
    characters outside ASCII.
    """
    return any(_adds_name_characters(character) for character in set(non_ascii))


@functools.cache
def _adds_name_characters(character: str) -> bool:
    return not _NAME_CHARACTERS.isdisjoint(unicodedata.normalize("NFKC", character))


def _first_two_lines(data: bytes) -> bytes:
    """Return a prefix of `data` that contains every line a PEP 263 cookie may be on."""
    first = data.find(b"\n")
    if first < 0:
        return data
    second = data.find(b"\n", first + 1)
    return data if second < 0 else data[:second]
