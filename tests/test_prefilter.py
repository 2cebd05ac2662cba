"""The prefilter is sound: it never drops a file on which the full scan reports a finding."""

from __future__ import annotations

import pytest

from conftest import CASES, run_tmpguard
from tmpguard import engine
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


def test_coding_cookie_never_judged_from_bytes():
    assert not cannot_contain_target(b"# -*- coding: utf-8 -*-\nx = 1\n")
    assert not cannot_contain_target(b"#!/usr/bin/env python\n# vim: set fileencoding=ascii :\nx = 1\n")


def test_non_ascii_never_judged_from_bytes():
    assert not cannot_contain_target("x = 'café'\n".encode("utf-8"))


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
