"""The prefilter is sound: it never drops a file on which the full scan reports a finding."""

from __future__ import annotations

import codecs
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import CASES, run_tmpguard
from tmpguard import engine
from tmpguard.findings import ScanStatus
from tmpguard.prefilter import _NAME_CHARACTERS, _normalisation_adds_name_characters
from tmpguard.prefilter import cannot_contain_target, may_contain_target

# Each source names tempfile.mktemp without the bytes "mktemp" or "tempfile" side by
# side, or only after decoding. The finding is expected at (line, column).
HIDDEN_SPELLINGS = {
    "utf7_cookie": (b"# -*- coding: utf-7 -*-\nimport tempfile\ntempfile.+AG0-ktemp()\n", (3, 1)),
    "unicode_escape_cookie": (b"# coding: unicode_escape\nimport tempfile\ntempfile.\\x6dktemp()\n", (3, 1)),
    "hex_escape": (b'import tempfile\nf = getattr(tempfile, "mk\\x74emp")\n', (2, 5)),
    "upper_hex_escape": (b'import tempfile\nf = getattr(tempfile, "\\x6Dktemp")\n', (2, 5)),
    "unicode_escape": (b'import tempfile\nf = getattr(tempfile, "mkt\\u0065mp")\n', (2, 5)),
    "long_unicode_escape": (b'import tempfile\nf = getattr(tempfile, "mkte\\U0000006dp")\n', (2, 5)),
    "octal_escape": (b'import tempfile\nf = getattr(tempfile, "\\155ktemp")\n', (2, 5)),
    "named_escape": (b'import tempfile\nf = getattr(tempfile, "\\N{latin small letter m}ktemp")\n', (2, 5)),
    "implicit_concatenation": (b'import tempfile\nf = getattr(tempfile, "mk" "temp")\n', (2, 5)),
    "concatenation_over_lines": (
        b'import tempfile\nf = getattr(\n    tempfile,\n    ("mkt"  # split\n     \'\' r"emp"),\n)\n',
        (2, 5),
    ),
    "continuation_in_literal": (b'import tempfile\nf = getattr(tempfile, "mk\\\ntemp")\n', (2, 5)),
    "crlf_continuation": (b'import tempfile\r\nf = getattr(tempfile, "mkte\\\r\nmp")\r\n', (2, 5)),
    "module_name_escaped": (b'f = __import__("temp\\x66ile").mktemp\n', (1, 5)),
    "module_name_concatenated": (b'import importlib\nf = importlib.import_module("temp" "file").mktemp\n', (2, 5)),
    "sys_modules_concatenated": (b'import sys\nf = sys.modules["te" "mpfile"].mktemp\n', (2, 5)),
    "both_names_spelled": (b'f = getattr(__import__("tem\\x70file"), "mk" "temp")\n', (1, 5)),
    "fullwidth_identifier": ("import tempfile\ntempfile.ｍｋｔｅｍｐ()\n".encode("utf-8"), (2, 1)),
    "latin1_cookie": (b"# -*- coding: latin-1 -*-\n# caf\xe9\nimport tempfile\ntempfile.mktemp()\n", (4, 1)),
    "upper_named_escape": (b'import tempfile\nf = getattr(tempfile, "mkte\\N{LATIN SMALL LETTER M}p")\n', (2, 5)),
    "mixed_case_named_escape": (b'import tempfile\nf = getattr(tempfile, "\\N{Latin Small Letter M}ktemp")\n', (2, 5)),
    "octal_escape_module": (b'import sys\nf = sys.modules["tem\\160file"].mktemp\n', (2, 5)),
    "every_letter_escaped": (
        b'import tempfile\nf = getattr(tempfile, "\\x6d\\u006b\\U00000074\\145\\N{LATIN SMALL LETTER M}\\x70")\n',
        (2, 5),
    ),
    "escape_then_adjacent": (b'import tempfile\nf = getattr(tempfile, "mk\\x74" "emp")\n', (2, 5)),
    "continuation_in_triple_quotes": (b'import tempfile\nf = getattr(tempfile, """mkt\\\nemp""")\n', (2, 5)),
    "continuation_between_literals": (b'import tempfile\nf = getattr(tempfile, "mk" \\\n    "temp")\n', (2, 5)),
    "continuation_after_quote": (b'import tempfile\nf = getattr(tempfile, "mk"\\\n"temp")\n', (2, 5)),
    "no_space_between_literals": (b'import tempfile\nf = getattr(tempfile, "mk"\'temp\')\n', (2, 5)),
    "empty_literals_between": (b'import tempfile\nf = getattr(tempfile, "m" "" \'\' "ktemp")\n', (2, 5)),
    "one_letter_literals": (b'import tempfile\nf = getattr(tempfile, "m" "k" "t" "e" "m" "p")\n', (2, 5)),
    "prefixes_between": (b'import tempfile\nf = getattr(tempfile, u"mk" R"te" U\'mp\')\n', (2, 5)),
    "triple_quotes_adjacent": (b'import tempfile\nf = getattr(tempfile, \'\'\'mk\'\'\' """temp""")\n', (2, 5)),
    "comments_between": (
        b'import tempfile\nf = getattr(\n    tempfile,\n    "mk"  # it\'s "quoted" # twice\n'
        b'    # a comment line\n\n    "temp",\n)\n',
        (2, 5),
    ),
    "comment_then_continuation": (b'import tempfile\nf = getattr(tempfile, ("mk"  # one\n  \\\n  "temp"))\n', (2, 5)),
    "comment_with_crlf": (b'import tempfile\r\nf = getattr(tempfile, ("mk"  # one\r\n  "temp"))\r\n', (2, 5)),
    "hash_in_string_before": (b'import tempfile\nx = "#"; f = getattr(tempfile, "mk" "temp")  # "mk" "temp"\n', (2, 14)),
    "word_inside_dotted_name": (b'f = __import__("tempfile.mk" "temp", fromlist=["x"])\n', (1, 5)),
    "keyword_name_spelled": (b'import importlib\nf = importlib.import_module(name="temp\\x66ile").mktemp\n', (2, 5)),
    "fullwidth_lookup": ('import tempfile\nf = ｇｅｔａｔｔｒ(tempfile, "mk" "temp")\n'.encode("utf-8"), (2, 5)),
    "mathematical_identifier": ("import tempfile\ntempfile.𝗆𝗄𝗍𝖾𝗆𝗉()\n".encode("utf-8"), (2, 1)),
    "ligature_identifier": ("import tempﬁle\ntempfile.mktemp()\n".encode("utf-8"), (2, 1)),
    "utf8_bom_non_ascii": (codecs.BOM_UTF8 + "# café\nimport tempfile\ntempfile.mktemp()\n".encode("utf-8"), (3, 1)),
    "cp1252_cookie": (b"# coding: cp1252\n# \x80 caf\xe9\nimport tempfile\nf = getattr(tempfile, 'mk' 'temp')\n", (4, 5)),
}


def _positions(result) -> list[tuple[int, int]]:
    return [(finding.start_line, finding.start_column) for finding in result.findings]


@pytest.mark.parametrize("name", sorted(HIDDEN_SPELLINGS))
def test_hidden_spelling_still_reported(name):
    data, position = HIDDEN_SPELLINGS[name]
    result = engine.scan_source(data, f"{name}.py")
    assert _positions(result) == [position]
    assert not cannot_contain_target(data)


def test_cookie_files_reported_by_cli(tmp_path):
    for name in ("utf7_cookie", "unicode_escape_cookie"):
        (tmp_path / f"{name}.py").write_bytes(HIDDEN_SPELLINGS[name][0])
    completed = run_tmpguard("scan", ".", "--no-cache", cwd=tmp_path)
    assert completed.returncode == 1, completed.stderr
    assert "unicode_escape_cookie.py:3:1: VNX-PY-018" in completed.stdout
    assert "utf7_cookie.py:3:1: VNX-PY-018" in completed.stdout


@pytest.mark.parametrize(
    "source",
    [
        b"import os\nos.path.join('a', 'b')\n",
        b"class Case:\n    def test(self):\n        return self.mktemp()\n",
        b"import tempfile\ntempfile.mkstemp()\n",
        b'x = "a" "b"\ny = "\\x6d" + "k"\n',
        b'import tempfile\ntext = "mk" "temp"  # no dynamic lookup reads it\n',
        b'x = "e"' + b" # #" * 40 + b"\n" + b'getattr(x, "y")\n',
    ],
)
def test_unrelated_source_dropped_from_bytes(source):
    assert cannot_contain_target(source)


# Files without a finding whose bytes match their text: each is dropped from its bytes.
BYTES_MATCH_TEXT = {
    "utf8_cookie": b"# -*- coding: utf-8 -*-\nx = 1\n",
    "ascii_cookie_second_line": b"#!/usr/bin/env python\n# vim: set fileencoding=ascii :\nx = 1\n",
    "utf8_text": "x = 'café'\n".encode("utf-8"),
    "utf8_bom": codecs.BOM_UTF8 + "x = 'café'\n".encode("utf-8"),
    "latin1_cookie": b"# -*- coding: latin-1 -*-\nx = 'caf\xe9 \xb5'\nimport tempfile\n",
    "iso8859_15_cookie": b"# coding: iso-8859-15\nx = '\xa4'\n",
    "cp1251_cookie": b"# coding: cp1251\nx = '\xcf\xf0\xe8\xe2\xe5\xf2'\n",
    "cjk_text": "x = '一時ファイル'\nimport tempfile\n".encode("utf-8"),
    "combining_mark": "x = 'e\u0301'\n".encode("utf-8"),
}


@pytest.mark.parametrize("name", sorted(BYTES_MATCH_TEXT))
def test_bytes_matching_text_dropped(name):
    data = BYTES_MATCH_TEXT[name]
    assert cannot_contain_target(data)
    assert engine.scan_source(data, f"{name}.py").status is ScanStatus.PREFILTERED


# Files without a finding that are decoded first, because NFKC or the codec may make
# a name of bytes that do not spell it. The text test drops each of them.
DECODED_FIRST = {
    "utf7_cookie": b"# coding: utf-7\nx = 1\n",
    "unicode_escape_cookie": b"# coding: unicode_escape\nx = 1\n",
    "koi8_cookie": b"# coding: koi8-r\nx = '\xf0\xd2\xc9'\n",
    "fullwidth_letters": "x = 'ｍｋ'\n".encode("utf-8"),
    "latin1_ordinal_indicator": b"# coding: latin-1\nx = '\xaa'\n",
}


@pytest.mark.parametrize("name", sorted(DECODED_FIRST))
def test_other_files_decoded_first(name):
    data = DECODED_FIRST[name]
    assert not cannot_contain_target(data)
    assert engine.scan_source(data, f"{name}.py").status is ScanStatus.PREFILTERED


# Bytes that do not decode: the engine still reports them as scanned by the fallback.
UNDECODABLE = {
    "utf8": (b"x = 1\n# caf\xe9\n", "invalid utf-8 bytes on line 2"),
    "utf8_bom": (codecs.BOM_UTF8 + b"x = 1\ny = '\xff'\n", "invalid utf-8-sig bytes on line 2"),
    "utf8_first_line": (b"# \xff\nx = 1\n", "invalid or missing encoding declaration"),
    "cp1252_undefined_byte": (b"# coding: cp1252\nx = '\x81'\n", "invalid cp1252 bytes on line 2"),
    "unknown_codec": (b"# coding: no-such-codec\nx = 1\n", "unknown encoding"),
    "bom_and_other_cookie": (codecs.BOM_UTF8 + b"# coding: latin-1\nx = 1\n", "encoding problem"),
}


@pytest.mark.parametrize("name", sorted(UNDECODABLE))
def test_undecodable_reported_as_fallback(name):
    data, reason = UNDECODABLE[name]
    assert not cannot_contain_target(data)

    result = engine.scan_source(data, f"{name}.py")
    assert result.status is ScanStatus.FALLBACK
    assert reason in result.reason
    assert result.findings == []


# Shapes of real files that named a dynamic lookup and escaped or split some letters,
# but cannot spell both words. They used to be parsed.
NEAR_MISSES = {
    "escaped_other_letters": b'import tempfile\nx = "\\x6d\\x6b\\x74\\x65\\x6e\\x70"\ny = getattr(x, "upper")\n',
    "named_escape_of_other_letter": b'x = "\\N{LATIN SMALL LETTER E}\\N{GREEK SMALL LETTER ALPHA}"\ny = vars(x)\n',
    "mktemp_method_only": b"path = self.mktemp()\nhandler = getattr(self, 'x')\n",
    "single_letter_strings": b"import tempfile\nk = Symbol('k')\nm = Symbol('m')\ny = getattr(k, 'p')\n",
    "binary_plus": b'import tempfile\nf = getattr(tempfile, "mk" + "temp")\n',
    "f_string_joined": b'import tempfile\nf = getattr(tempfile, "mk" f"temp")\n',
    "bytes_joined": b'import tempfile\nf = getattr(tempfile, b"mk" b"temp")\n',
    "comment_without_literal_after": b'import tempfile\nf = getattr(tempfile, "mk"  # temp\n)\n',
    "letters_in_separate_arguments": b'import tempfile\nf = getattr(tempfile, "mk", "temp")\n',
}


@pytest.mark.parametrize("name", sorted(NEAR_MISSES))
def test_near_miss_dropped_from_bytes(name, monkeypatch):
    data = NEAR_MISSES[name]
    assert cannot_contain_target(data)
    assert engine.scan_source(data, f"{name}.py").status is ScanStatus.PREFILTERED
    assert _scan_without_prefilter(monkeypatch, data, f"{name}.py").findings == []


def test_text_check_matches_combining_marks():
    # NFKC merges "p" and U+0301 into one letter, but the fallback lexer still matches "mktemp".
    assert may_contain_target("from tempfile import mktemp\u0301\n")


def _scan_without_prefilter(monkeypatch, data: bytes, path: str):
    with monkeypatch.context() as patch:
        patch.setattr(engine, "cannot_contain_target", lambda data: False)
        patch.setattr(engine, "may_contain_target", lambda text: True)
        return engine.scan_source(data, path)


def test_prefilter_changes_no_finding(monkeypatch):
    sources = {path.as_posix(): path.read_bytes() for path in sorted(CASES.rglob("*.py"))}
    sources.update({name: data for name, (data, _) in HIDDEN_SPELLINGS.items()})
    for path, data in sources.items():
        filtered = engine.scan_source(data, path)
        unfiltered = _scan_without_prefilter(monkeypatch, data, path)
        assert filtered.findings == unfiltered.findings, path


def _escape(letter: str, form: int) -> str:
    code = ord(letter)
    name = unicodedata.name(letter)
    return [
        f"\\x{code:02x}", f"\\x{code:02X}", f"\\u{code:04x}", f"\\U{code:08x}", f"\\{code:03o}",
        f"\\N{{{name}}}", f"\\N{{{name.lower()}}}", f"\\N{{{name.title()}}}",
    ][form]


_SEPARATORS = ["", " ", "\n    ", "  # it's a \"comment\" # too\n    ", " \\\n    ", "\r\n  # one\r\n  # two\r\n  "]
_QUOTES = ['"', "'", '"""', "'''"]


@st.composite
def _spelled_constant(draw, word: str) -> str:
    """Draw source text for a `str` constant of adjacent literals whose value is `word`."""
    cuts = sorted(draw(st.sets(st.integers(1, len(word) - 1), max_size=len(word) - 1)))
    pieces = [word[start:end] for start, end in zip([0, *cuts], [*cuts, len(word)])]
    literals = []
    for piece in pieces:
        raw = draw(st.booleans())
        parts = []
        for letter in piece:
            if not raw and draw(st.booleans()):
                parts.append(_escape(letter, draw(st.integers(0, 7))))
            else:
                parts.append(letter)
            if not raw and draw(st.integers(0, 4)) == 0:
                parts.append("\\\n")
        quote = draw(st.sampled_from(_QUOTES))
        prefix = draw(st.sampled_from(["r", "R"] if raw else ["", "u", "U"]))
        literals.append(f"{prefix}{quote}{''.join(parts)}{quote}")
        if draw(st.booleans()):
            literals.append(f" {quote}{quote} ")
    separators = [draw(st.sampled_from(_SEPARATORS)) for _ in literals]
    return "(" + "".join(literal + separator for literal, separator in zip(literals, separators)) + "\n)"


@given(_spelled_constant("mktemp"))
def test_generated_spelling_of_function_kept(constant):
    data = f"import tempfile\nf = getattr(tempfile, {constant})\n".encode("ascii")
    assert not cannot_contain_target(data)
    assert _positions(engine.scan_source(data, "x.py")) == [(2, 5)]


@given(_spelled_constant("tempfile"))
def test_generated_spelling_of_module_kept(constant):
    data = f"f = __import__({constant}).mktemp\n".encode("ascii")
    assert not cannot_contain_target(data)
    assert _positions(engine.scan_source(data, "x.py")) == [(1, 5)]


_TEXT_PIECES = [
    "mk", "temp", "file", "get", "attr", "_", "p", "e", " ", "x", "\u0301", "\u0323", "\u0316", "\u0338",
    "é", "ẹ", "ñ", "ｍ", "ｋ", "ﬁ", "ª", "µ", "²", "…", "\u00a0", "一", "\u1100", "\u1161", "𝗆", "Å", "K",
]


@given(st.lists(st.sampled_from(_TEXT_PIECES), max_size=12).map("".join))
def test_nfkc_adds_names_only_through_flagged_characters(text):
    non_ascii = "".join(character for character in text if not character.isascii())
    if _normalisation_adds_name_characters(non_ascii):
        return
    normalised = unicodedata.normalize("NFKC", text)
    runs = "".join(character if character in _NAME_CHARACTERS else " " for character in normalised).split()
    for run in runs:
        assert run in text
