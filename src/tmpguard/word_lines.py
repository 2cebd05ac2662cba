"""Find the source lines on which an identifier may occur, by searching the text.

Python compares identifiers after NFKC normalisation, so lines with non-ASCII text
are normalised first. A hit inside a string or a comment counts too: callers use the
lines only to rule code out, never to prove a name is there.
"""

from __future__ import annotations

import bisect
import itertools
import unicodedata


class WordLines:
    """Line numbers on which each requested word occurs, computed once per word."""

    def __init__(self, lines: list[str]) -> None:
        text = "\n".join(lines)
        if not text.isascii():
            lines = [line if line.isascii() else unicodedata.normalize("NFKC", line) for line in lines]
            text = "\n".join(lines)
        self._text = text
        self._line_starts = list(itertools.accumulate((len(line) + 1 for line in lines[:-1]), initial=0))
        self._found: dict[str, list[int]] = {}
        self._containing: dict[str, list[int]] = {}

    def lines_with(self, word: str) -> list[int]:
        """Return the 1-based numbers of the lines that contain `word` as a whole word, ascending.

        `str.find` with a check of the characters around each hit is several times
        faster than a regular expression with word boundaries.
        """
        numbers = self._found.get(word)
        if numbers is not None:
            return numbers

        text, numbers = self._text, []
        start = text.find(word)
        while start >= 0:
            end = start + len(word)
            if not (_is_word_character(text, start - 1) or _is_word_character(text, end)):
                number = bisect.bisect_right(self._line_starts, start)
                if not numbers or numbers[-1] != number:
                    numbers.append(number)
            start = text.find(word, end)
        self._found[word] = numbers
        return numbers

    def lines_containing(self, text: str) -> list[int]:
        """Return the 1-based numbers of the lines that contain `text` anywhere, ascending.

        Unlike `lines_with`, a hit inside a longer word counts.
        """
        numbers = self._containing.get(text)
        if numbers is not None:
            return numbers

        numbers = []
        start = self._text.find(text)
        while start >= 0:
            number = bisect.bisect_right(self._line_starts, start)
            if not numbers or numbers[-1] != number:
                numbers.append(number)
            start = self._text.find(text, start + len(text))
        self._containing[text] = numbers
        return numbers

    def occurs_between(self, word: str, start: int, end: int) -> bool:
        """Return True when `word` occurs on a line from `start` to `end`, both included."""
        return any_between(self.lines_with(word), start, end)


def any_between(numbers: list[int], start: int, end: int) -> bool:
    """Return True when the ascending list `numbers` has an element from `start` to `end`."""
    index = bisect.bisect_left(numbers, start)
    return index < len(numbers) and numbers[index] <= end


def _is_word_character(text: str, index: int) -> bool:
    if not 0 <= index < len(text):
        return False
    character = text[index]
    return character == "_" or character.isalnum()
