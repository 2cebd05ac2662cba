"""Score tmpguard and its peers on the labelled cases: what each finds and misses.

    python bench/accuracy.py [--cases tests/cases] [--cache DIR]

The cases folder contains Python files and an `expected.json` that lists, per file, the
(line, column) pairs that must be reported and those that may be. Every tool runs on
the same folder, from inside it:

- tmpguard (this interpreter's installation);
- Ruff's S306 and Bandit's B306, at the versions `benchmark.py` pins, installed in the
  same virtual environment inside the cache folder;
- the original VNX rule: a plain search for the text `tempfile.mktemp(` on every line
  of every `.py` file, which flags comments and misses aliases.

A case passes when every required pair is reported at its exact line and column and
nothing outside the required and allowed pairs is reported. Ruff's and Bandit's
columns are compared as they print them, which for Bandit is a UTF-8 byte offset.
A tool that crashes on a file scores every required pair of that file as missed.
Semgrep and CodeQL are not run: their rules come from registries this script does not
download.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import benchmark
import corpus

Positions = dict[str, list[tuple[int, int]]]


def tmpguard_positions(cases: Path) -> Positions:
    completed = subprocess.run(
        [sys.executable, "-m", "tmpguard", "scan", ".", "--format", "json", "--no-cache", "--quiet"],
        cwd=cases, capture_output=True, text=True, check=False,
    )
    positions: Positions = {}
    for finding in json.loads(completed.stdout)["findings"]:
        if not finding["suppressed"]:
            positions.setdefault(finding["artifact_uri"], []).append((finding["start_line"], finding["start_column"]))
    return positions


def ruff_positions(cases: Path, peers: Path) -> tuple[Positions, str]:
    """Run Ruff over the folder, or file by file when one file crashes the whole run."""
    positions = _run_ruff(cases, peers, ["."])
    if positions is not None:
        return positions, ""

    positions, crashed = {}, []
    for path in sorted(cases.rglob("*.py")):
        found = _run_ruff(cases, peers, [path.relative_to(cases).as_posix()])
        if found is None:
            crashed.append(path.relative_to(cases).as_posix())
        else:
            positions.update(found)
    return positions, f"crashed on {len(crashed)} files: {', '.join(crashed)}"


def _run_ruff(cases: Path, peers: Path, targets: list[str]) -> Positions | None:
    completed = subprocess.run(
        [str(peers / "ruff"), "check", "--select", "S306", "--no-cache", "--output-format", "json", *targets],
        cwd=cases, capture_output=True, text=True, check=False,
    )
    if not completed.stdout.strip():
        return None
    positions: Positions = {}
    for item in json.loads(completed.stdout):
        # Ruff also reports syntax errors in this list, with no rule code.
        if item.get("code") != "S306":
            continue
        relative = Path(item["filename"]).resolve().relative_to(cases.resolve()).as_posix()
        positions.setdefault(relative, []).append((item["location"]["row"], item["location"]["column"]))
    return positions


def bandit_positions(cases: Path, peers: Path) -> tuple[Positions, str]:
    completed = subprocess.run(
        [str(peers / "bandit"), "-q", "-r", "-t", "B306", "-f", "json", "."],
        cwd=cases, capture_output=True, text=True, check=False,
    )
    report = json.loads(completed.stdout)
    positions: Positions = {}
    for item in report["results"]:
        relative = Path(item["filename"]).as_posix().removeprefix("./")
        positions.setdefault(relative, []).append((item["line_number"], item["col_offset"] + 1))
    failed = sorted(Path(error["filename"]).as_posix().removeprefix("./") for error in report["errors"])
    return positions, f"could not parse {len(failed)} files: {', '.join(failed)}" if failed else ""


def substring_positions(cases: Path) -> Positions:
    """Apply the original VNX rule: the text `tempfile.mktemp(` anywhere on a line."""
    positions: Positions = {}
    for path in sorted(cases.rglob("*.py")):
        text = path.read_bytes().decode("utf-8", "replace")
        for number, line in enumerate(text.splitlines(), start=1):
            column = line.find("tempfile.mktemp(")
            if column >= 0:
                positions.setdefault(path.relative_to(cases).as_posix(), []).append((number, column + 1))
    return positions


def score(expected: dict, reported: Positions) -> tuple[int, int, list[str]]:
    """Return (passed, failed, problems), counting one point per required pair and per clean file."""
    passed = failed = 0
    problems = []
    for relative in sorted(set(expected) | set(reported)):
        labels = expected.get(relative, {"must": [], "may": []})
        must = [tuple(pair) for pair in labels["must"]]
        may_lines = {pair[0] for pair in labels["may"]}
        found = list(reported.get(relative, []))
        for pair in must:
            if pair in found:
                found.remove(pair)
                passed += 1
            else:
                failed += 1
                problems.append(f"missed     {relative}:{pair[0]}:{pair[1]}")
        for line, column in found:
            if line not in may_lines:
                failed += 1
                problems.append(f"unexpected {relative}:{line}:{column}")
        if not must and not any(line not in may_lines for line, _ in found):
            passed += 1
    return passed, failed, problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=Path, default=Path(__file__).parent.parent / "tests" / "cases")
    parser.add_argument("--cache", help="cache folder for the peers' environment (default: ~/.cache/tmpguard-bench)")
    parser.add_argument("--verbose", action="store_true", help="list every missed and unexpected finding")
    arguments = parser.parse_args()

    cases = arguments.cases.resolve()
    expected = json.loads((cases / "expected.json").read_text(encoding="utf-8"))["files"]
    peers = benchmark.install_peers(corpus.cache_folder(arguments.cache))

    ruff, ruff_note = ruff_positions(cases, peers)
    bandit, bandit_note = bandit_positions(cases, peers)
    tools = (
        ("tmpguard", tmpguard_positions(cases), ""),
        ("ruff S306", ruff, ruff_note),
        ("bandit B306", bandit, bandit_note),
        ("substring tempfile.mktemp(", substring_positions(cases), ""),
    )

    print(f"{'tool':<28} {'passed':>7} {'failed':>7}  note")
    for name, reported, note in tools:
        passed, failed, problems = score(expected, reported)
        print(f"{name:<28} {passed:>7} {failed:>7}  {note}")
        if arguments.verbose:
            for problem in problems:
                print(f"    {problem}")


if __name__ == "__main__":
    main()
