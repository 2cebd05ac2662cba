"""A cheap, sound test that proves most files cannot contain a finding, before parsing.

The guarantee: a file is dropped only when the full scan (analyser or fallback scanner)
would report nothing for it. It rests on what every finding needs. The analyser flags an
expression whose qualified name is `tempfile.mktemp`, so the file must name both the
module `tempfile` and the function `mktemp`. A name reaches the analyser in one of two
ways:

1. as an identifier (`import tempfile`, `tempfile.mktemp`, `from tempfile import
   mktemp`), which CPython compares after NFKC normalisation, or
2. as a constant string passed to a dynamic lookup: `getattr`, `__import__`,
   `importlib.import_module`, `sys.modules[...]`, `vars(...)` or a `__dict__[...]`
   subscript. Each lookup needs one of those identifiers in the text, because the chain
   that reaches it starts from names, not from constants.

A constant can spell a word without its letters side by side: through an escape
(`"mk\\x74emp"`, `"\\N{...}"`, octal), a backslash-newline inside the literal, or
implicit concatenation of adjacent literals (`"mk" "temp"`). So a file that lacks the
word `mktemp` (or `tempfile`) is still analysed when it names a dynamic lookup and has
one of those constructs in a form that can yield the word. `_spellings` lists patterns
that over-approximate them. The fallback scanner needs the literal text `mktemp` and
`tempfile`, so case 1 covers it.

Most files are ASCII and have no coding cookie. Their bytes are the decoded text, so
`cannot_contain_target` searches them without decoding. A file with a coding cookie or
any non-ASCII byte is decoded first (CPython runs files with a `utf-7` or
`unicode_escape` cookie, in which `mktemp` need not appear as those bytes), and then
`may_contain_target` searches its NFKC-normalised text.
"""

from __future__ import annotations

import re
import unicodedata

_WORDS = ("mktemp", "tempfile")
_DYNAMIC_LOOKUPS = ("getattr", "__import__", "import_module", "modules", "vars", "__dict__")

# Outside escapes, the words and lookups are all ASCII, so a search over ASCII bytes
# matches exactly what a search over the decoded text would.
_COOKIE_WORD = b"coding"


def _spellings(word: str) -> tuple[str, ...]:
    """Return patterns that match wherever a constant may spell `word` without its text.

    - An escape inside such a constant yields one of the word's letters: \\x6d, \\u006d,
      \\U0000006d, octal \\155 or \\N{LATIN SMALL LETTER M} (names match in any case).
    - The last backslash-newline inside it follows one of the word's letters, a quote
      or a line break, and is followed by at most len(word) of its letters and then the
      closing quote or another escape.
    - Without those, the word split over adjacent literals starts with a literal that is
      a proper prefix of it, followed by white space, comments or continuations and the
      next literal's optional prefix and quote.

    Each pattern starts with a literal character, so `re` finds candidates quickly. One
    pattern with alternatives that start at a quote or a backslash is several times slower.
    """
    letters = sorted(set(word))
    codes = "|".join(f"{ord(letter) >> 4:x}[{ord(letter) & 15:x}{ord(letter) & 15:X}]" for letter in letters)
    octal = "|".join(f"{ord(letter):03o}" for letter in letters)
    letter_class = f"[{''.join(letters)}]"
    escape = (
        rf"x(?:{codes})|u00(?:{codes})|U000000(?:{codes})|{octal}"
        rf"|N\{{(?i:latin small letter {letter_class})\}}"
    )
    continuation = rf"""(?<=[{''.join(letters)}"'\r\n]\\)(?:\r\n?|\n){letter_class}{{0,{len(word)}}}["'\\]"""

    prefix = word[len(word) - 2]
    for letter in reversed(word[: len(word) - 2]):
        prefix = f"{letter}(?:{prefix})?"
    next_literal = r"""(?:[ \t\f\r\n\\]|\#[^\r\n]*+)*+[rRuUbBfF]{0,2}["']"""
    return (
        rf"\\(?:{escape}|{continuation})",
        rf'"{prefix}"{next_literal}',
        rf"'{prefix}'{next_literal}",
    )


_TEXT_PATTERNS = {word: tuple(re.compile(pattern) for pattern in _spellings(word)) for word in _WORDS}
_BYTES_PATTERNS = {
    word.encode(): tuple(re.compile(pattern.encode("ascii")) for pattern in _spellings(word)) for word in _WORDS
}
_DYNAMIC_LOOKUPS_BYTES = tuple(name.encode("ascii") for name in _DYNAMIC_LOOKUPS)


def cannot_contain_target(data: bytes) -> bool:
    """Return True when the raw bytes of a source file prove it has no finding.

    Only ASCII files without a coding cookie are judged here. For any other file this
    returns False, and the caller decodes it and calls `may_contain_target`.
    """
    if not data.isascii() or _COOKIE_WORD in _first_two_lines(data):
        return False
    for word, patterns in _BYTES_PATTERNS.items():
        if word in data:
            continue
        spelled = any(pattern.search(data) for pattern in patterns)
        if not (spelled and any(name in data for name in _DYNAMIC_LOOKUPS_BYTES)):
            return True
    return False


def may_contain_target(text: str) -> bool:
    """Return False only when decoded source `text` cannot produce a finding."""
    normalised = text
    if not text.isascii() and not unicodedata.is_normalized("NFKC", text):
        normalised = unicodedata.normalize("NFKC", text)
    for word, patterns in _TEXT_PATTERNS.items():
        # The analyser compares identifiers after NFKC, but the fallback's lexer does
        # not, and normalising can merge a letter with a combining mark that follows it.
        if word in normalised or word in text:
            continue
        spelled = any(pattern.search(text) for pattern in patterns)
        if not (spelled and any(name in normalised for name in _DYNAMIC_LOOKUPS)):
            return False
    return True


def _first_two_lines(data: bytes) -> bytes:
    """Return a prefix of `data` that contains every line a PEP 263 cookie may be on."""
    first = data.find(b"\n")
    if first < 0:
        return data
    second = data.find(b"\n", first + 1)
    return data if second < 0 else data[:second]
