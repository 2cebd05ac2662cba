"""The flake8 plugin, run through the real flake8: code VNX018 at tmpguard's positions."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from conftest import run_tmpguard

# flake8's default format: path:row:col: code text
FLAKE8_LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<column>\d+): (?P<code>\w+) (?P<text>.*)$")


def run_flake8(path: Path, *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", "--select", "VNX", *arguments, str(path)],
        capture_output=True, text=True, timeout=120, cwd=path.parent,
    )


def flake8_positions(path: Path) -> list[tuple[int, int, str]]:
    completed = run_flake8(path)
    assert completed.returncode in (0, 1), completed.stderr
    matches = [FLAKE8_LINE.match(line) for line in completed.stdout.splitlines()]
    assert all(matches), completed.stdout
    return [(int(match["line"]), int(match["column"]), match["code"]) for match in matches]


def tmpguard_positions(path: Path) -> list[tuple[int, int, str]]:
    completed = run_tmpguard("scan", str(path), "--isolated", "--format", "json")
    findings = json.loads(completed.stdout)["findings"]
    return [(item["start_line"], item["start_column"], "VNX018") for item in findings if not item["suppressed"]]


def test_plugin_reports_vnx018(tmp_path):
    path = tmp_path / "app.py"
    path.write_text("import tempfile\n\npath = tempfile.mktemp()\n", encoding="utf-8")
    completed = run_flake8(path)
    assert completed.returncode == 1
    assert completed.stdout.startswith(f"{path}:3:8: VNX018 `tempfile.mktemp` returns a name")
    assert len(completed.stdout.splitlines()) == 1


def test_plugin_registered():
    completed = subprocess.run(
        [sys.executable, "-m", "flake8", "--version"], capture_output=True, text=True, timeout=60,
    )
    assert re.search(r"tmpguard: \d", completed.stdout), completed.stdout


def test_plugin_columns_count_code_points(tmp_path):
    source = (
        "import tempfile\n"
        "from tempfile import mktemp as fresh\n"
        "\n"
        "naïve = {'ключ': tempfile.mktemp()}\n"
        "if True:\n"
        "\tvalue = 1 if True else tempfile.mktemp\n"
        "emoji = '🐍🐍'; other = fresh()\n"
        "multi = getattr(\n"
        "    tempfile, 'mktemp')\n"
    )
    path = tmp_path / "columns.py"
    path.write_text(source, encoding="utf-8")

    # Columns count code points: 'ï' and 'ключ' are one column per letter, a tab is
    # one column and '🐍' (outside the Basic Multilingual Plane) is one column too.
    expected = [(4, 18, "VNX018"), (6, 25, "VNX018"), (7, 23, "VNX018"), (8, 9, "VNX018")]
    assert sorted(tmpguard_positions(path)) == sorted(expected)
    assert sorted(flake8_positions(path)) == sorted(tmpguard_positions(path))


def test_plugin_honours_suppressions(tmp_path):
    path = tmp_path / "quiet.py"
    path.write_text(
        "import tempfile\n"
        "a = tempfile.mktemp()  # nosec B306\n"
        "b = tempfile.mktemp()  # noqa: S306\n"
        "c = tempfile.mktemp()  # noqa: VNX018\n"
        "d = tempfile.mktemp()  # nosec B101\n",
        encoding="utf-8",
    )
    assert flake8_positions(path) == [(5, 5, "VNX018")]


def test_plugin_declared_encoding(tmp_path):
    path = tmp_path / "latin.py"
    source = "# -*- coding: latin-1 -*-\nimport tempfile\nnom_é = 'é'; x = tempfile.mktemp()\n"
    path.write_bytes(source.encode("latin-1"))
    assert flake8_positions(path) == [(3, 18, "VNX018")]
    assert tmpguard_positions(path) == [(3, 18, "VNX018")]


def test_plugin_reads_stdin(tmp_path):
    completed = subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", "--select", "VNX", "--stdin-display-name", "buffer.py", "-"],
        input="import tempfile as t\nx = t.mktemp()\n", capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )
    assert completed.returncode == 1
    assert completed.stdout.startswith("buffer.py:2:5: VNX018 ")
