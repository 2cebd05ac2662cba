"""Benchmark tmpguard against Ruff (rule S306), Bandit (test B306) and `grep -rl`.

    python bench/benchmark.py [--rounds 5] [--cache DIR]

It prepares the pinned corpus (see corpus.py), installs the pinned peers in their own
virtual environment inside the cache folder, then runs, alternately and `--rounds`
times, from inside the corpus folder:

- tmpguard cold: `--no-cache`, so nothing from an earlier run is used or written,
  as Ruff runs with `--no-cache`;
- tmpguard first run: a fresh, empty cache folder, which the run fills;
- tmpguard warm: the cache folder the first run just filled;
- tmpguard --jobs 1 --no-cache: one process, no cache;
- ruff check --select S306 --no-cache;
- grep -rl --include=*.py mktemp, the floor: reading the bytes and nothing else.

It prints the median wall time, CPU time (user + system, worker processes included)
and peak resident memory of each, and the ratios tmpguard/Ruff and tmpguard/grep.
Then it shows how the cold run and the peers grow over 1, 2 and 4 hard-linked copies
of the corpus.
Bandit takes about 15 minutes on the full corpus, so it runs once on one release
(`--bandit-subset`, default pip), next to tmpguard cold on the same folder.

The script exits non-zero when the tmpguard runs report different findings. tmpguard
runs with this interpreter, which must have tmpguard installed. Its modules are
compiled to byte code first, as `pip install` does: an editable install under
PYTHONDONTWRITEBYTECODE would otherwise compile them again on every run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import corpus
import measure

PEERS = ("ruff==0.8.4", "bandit==1.8.0")


def install_peers(cache: Path) -> Path:
    """Create the peers' virtual environment unless it already has the pinned versions."""
    environment = cache / "peers-venv"
    marker = environment / "pinned.txt"
    if marker.exists() and marker.read_text() == "\n".join(PEERS):
        return environment / "bin"
    shutil.rmtree(environment, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", str(environment)], check=True)
    subprocess.run([str(environment / "bin" / "python"), "-m", "pip", "install", "--quiet", *PEERS], check=True)
    marker.write_text("\n".join(PEERS))
    return environment / "bin"


def tmpguard_command(*options: str, output: str) -> list[str]:
    return [sys.executable, "-m", "tmpguard", "scan", ".", "--format", "json", "--quiet", "--output", output, *options]


def compile_tmpguard() -> None:
    """Compile the installed tmpguard package to byte code, as a regular pip install does."""
    import tmpguard

    subprocess.run([sys.executable, "-m", "compileall", "-q", str(Path(tmpguard.__file__).parent)], check=True)


def report_findings(path: str) -> dict:
    report = json.loads(Path(path).read_text(encoding="utf-8"))
    return {key: report[key] for key in ("findings", "fallback_files", "not_scanned")}


def run_rounds(tree: Path, peers: Path, rounds: int, work: Path, with_variants: bool) -> dict[str, list]:
    """Run every command `rounds` times, alternating; return the samples per command."""
    cache_dir = str(work / "tmpguard-cache")
    outputs = {name: str(work / f"{name}.json") for name in ("cold", "first", "warm", "jobs1")}
    commands = {
        "tmpguard cold": tmpguard_command("--no-cache", output=outputs["cold"]),
        "tmpguard first run": tmpguard_command("--cache-dir", cache_dir, output=outputs["first"]),
        "tmpguard warm": tmpguard_command("--cache-dir", cache_dir, output=outputs["warm"]),
        "tmpguard --jobs 1": tmpguard_command("--jobs", "1", "--no-cache", output=outputs["jobs1"]),
        "ruff S306": [str(peers / "ruff"), "check", "--select", "S306", "--no-cache", "--quiet", "."],
        "grep -rl": ["grep", "-rl", "--include=*.py", "mktemp", "."],
    }
    if not with_variants:
        commands = {name: command for name, command in commands.items() if name in ("tmpguard cold", "ruff S306", "grep -rl")}

    samples: dict[str, list] = {name: [] for name in commands}
    for _ in range(rounds):
        for name, command in commands.items():
            if name == "tmpguard first run":
                shutil.rmtree(cache_dir, ignore_errors=True)
            sample = measure.run(command, str(tree))
            if name.startswith("tmpguard") and sample.exit_code not in (0, 1, 3):
                raise SystemExit(f"{name} failed with exit code {sample.exit_code}")
            samples[name].append(sample)

    if with_variants:
        cold, first, warm, jobs1 = (report_findings(outputs[name]) for name in ("cold", "first", "warm", "jobs1"))
        assert cold == first, "the first run with a cache reported other findings than the cold run"
        assert cold == warm, "the warm run reported other findings than the cold run"
        assert cold == jobs1, "the --jobs 1 run reported other findings than the cold run"
        print(f"cold, first run, warm and --jobs 1 agree: {len(cold['findings'])} findings, "
              f"{len(cold['fallback_files'])} files by the fallback, {len(cold['not_scanned'])} not scanned")
    return samples


def print_table(title: str, samples: dict[str, list]) -> dict[str, dict]:
    print(f"\n{title}")
    print(f"{'command':<20} {'wall s':>8} {'CPU s':>8} {'peak MiB':>9}")
    summary = {}
    for name, runs in samples.items():
        row = {
            "wall": measure.median(runs, "wall"),
            "cpu": measure.median(runs, "cpu"),
            "peak_mib": max(sample.peak_mib for sample in runs),
        }
        summary[name] = row
        print(f"{name:<20} {row['wall']:>8.2f} {row['cpu']:>8.2f} {row['peak_mib']:>9.1f}")

    for name in ("tmpguard cold", "tmpguard first run", "tmpguard warm", "tmpguard --jobs 1"):
        if name in summary:
            ruff = summary[name]["wall"] / summary["ruff S306"]["wall"]
            grep = summary[name]["wall"] / summary["grep -rl"]["wall"]
            print(f"{name}: {ruff:.3f} x Ruff wall time, {grep:.2f} x grep wall time")
    return summary


def run_bandit(tree: Path, peers: Path, work: Path) -> dict[str, dict]:
    """Run Bandit once and tmpguard cold once on one release of the corpus."""
    bandit = measure.run([str(peers / "bandit"), "-q", "-r", "-t", "B306", "-f", "json", "."], str(tree))
    tmpguard = measure.run(tmpguard_command("--no-cache", output=str(work / "subset.json")), str(tree))
    print(f"\nBandit -t B306 on {tree.name} ({corpus.count_python_files(tree)} .py files), one run each")
    for name, sample in (("bandit B306", bandit), ("tmpguard cold", tmpguard)):
        print(f"{name:<20} {sample.wall:>8.2f} {sample.cpu:>8.2f} {sample.peak_mib:>9.1f}")
    return {"bandit B306": vars(bandit), "tmpguard cold": vars(tmpguard)}


def machine() -> dict[str, str]:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"nproc": str(os.cpu_count()), "cpu": model, "python": platform.python_version(), "system": platform.platform()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache", help="cache folder (default: $TMPGUARD_BENCH_CACHE or ~/.cache/tmpguard-bench)")
    parser.add_argument("--rounds", type=int, default=5, help="runs of each command on the full corpus (default: 5)")
    parser.add_argument("--scaling-rounds", type=int, default=3, help="runs of each command per copy count (default: 3)")
    parser.add_argument("--bandit-subset", default="pip-24.3.1", help="corpus folder Bandit runs on (default: pip-24.3.1)")
    arguments = parser.parse_args()

    cache = corpus.cache_folder(arguments.cache)
    compile_tmpguard()
    tree = corpus.prepare(cache)
    peers = install_peers(cache)
    info = machine()
    print(f"machine: {info['nproc']} CPUs, {info['cpu']}, Python {info['python']}, {info['system']}")
    print(f"corpus: {tree} ({corpus.count_python_files(tree)} .py files)")

    results: dict = {"machine": info}
    with tempfile.TemporaryDirectory(prefix="tmpguard-bench-") as work:
        samples = run_rounds(tree, peers, arguments.rounds, Path(work), with_variants=True)
        results["full"] = print_table(f"full corpus, median of {arguments.rounds} alternating runs", samples)

        results["scaling"] = {}
        for copies in (1, 2, 4):
            scaled = corpus.replicate(tree, cache, copies)
            samples = run_rounds(scaled, peers, arguments.scaling_rounds, Path(work), with_variants=False)
            results["scaling"][copies] = print_table(f"{copies}x corpus", samples)

        results["bandit"] = run_bandit(tree / arguments.bandit_subset, peers, Path(work))

    (cache / "results.json").write_text(json.dumps(results, indent=2))
    print(f"\nresults written to {cache / 'results.json'}")


if __name__ == "__main__":
    main()
