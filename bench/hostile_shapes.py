"""Time `tmpguard scan` on generated inputs that stress size and per-finding costs.

Each input is written to a scratch folder and scanned in a fresh process, and the
script prints one row per input: wall time, peak memory of that process, exit code and
how the file was reported. It is a measurement, not a test; docs/robustness.md records
a run.

    python bench/hostile_shapes.py [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

COUNT = 20_000
MIB = 1024 * 1024


def _repeat_to_size(line: str, size: int) -> str:
    return line * (size // len(line))


def shapes() -> dict[str, str]:
    """Return file name -> source text for every input the script measures."""
    data_line = 'VALUES = ("abcdefghijklmnopqrstuvwxyz", 12345, [1, 2, 3], {"k": None})\n'
    return {
        "fifty_mib_with_target.py": "import tempfile\n" + _repeat_to_size(data_line, 50 * MIB) + "p = tempfile.mktemp()\n",
        "fifty_mib_without_target.py": _repeat_to_size(data_line, 50 * MIB),
        "ten_mib_with_target.py": "import tempfile\n" + _repeat_to_size(data_line, 10 * MIB - 100) + "p = tempfile.mktemp()\n",
        "one_mib_line.py": "import tempfile\nx = [" + "1, " * 350_000 + "]; y = tempfile.mktemp()\n",
        "hundred_thousand_terms.py": "import tempfile\nx = " + "+".join(["1"] * 100_000) + "\ny = tempfile.mktemp()\n",
        "findings_on_one_line.py": "from tempfile import mktemp as m\nx = [" + "m, " * 100_000 + "]\n",
        "findings_on_non_ascii_line.py": "from tempfile import mktemp as m\nx = ['é', " + "m, " * COUNT + "]\n",
        "findings_in_one_statement.py": "from tempfile import mktemp as m\nx = [\n" + "  m,\n" * COUNT + "]\n",
        "nosec_on_every_line.py": "import tempfile\nx = (\n" + "  tempfile.mktemp  # nosec\n, " * COUNT + ")\n",
        "many_functions.py": "import tempfile\n"
        + "".join(f"def f{index}():\n    return tempfile.mktemp()\n" for index in range(COUNT)),
        "python2_file.py": "import tempfile\n" + "".join(f"print 'x{index}', tempfile.mktemp()\n" for index in range(COUNT)),
        "assignments_in_one_scope.py": "import tempfile\n"
        + "".join(f"name{index} = tempfile.mktemp()\n" for index in range(COUNT)),
    }


# The child reports its own peak resident set size (VmHWM, Linux only) at exit.
# The parent's rusage is no use here: a spawned child inherits the parent's
# high-water mark, which includes the generated inputs.
_CHILD = """
import atexit, sys
from tmpguard import cli

def report_peak():
    with open("/proc/self/status") as status:
        sys.stderr.write(next(line for line in status if line.startswith("VmHWM:")))

atexit.register(report_peak)
sys.exit(cli.main(["scan", sys.argv[1], "--format", "json", "--output", sys.argv[2], "-q"]))
"""


def measure(path: str) -> tuple[float, float, int, str]:
    """Scan `path` in a child process; return seconds, peak MiB, exit code and its status."""
    report = path + ".json"
    started = time.monotonic()
    completed = subprocess.run([sys.executable, "-c", _CHILD, path, report], capture_output=True, text=True)
    elapsed = time.monotonic() - started
    peak_kib = int(completed.stderr.rsplit("VmHWM:", 1)[1].split()[0])

    with open(report, encoding="utf-8") as handle:
        summary = json.load(handle)
    os.unlink(report)
    if summary["not_scanned"]:
        outcome = "not scanned"
    elif summary["fallback_files"]:
        outcome = "fallback"
    else:
        outcome = "scanned"
    outcome += f", findings: {summary['summary']['findings'] + summary['summary']['suppressed']}"
    return elapsed, peak_kib / 1024, completed.returncode, outcome


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", metavar="DIR", help="write the inputs to DIR and keep them")
    parser.add_argument("--only", metavar="NAME", action="append", help="measure only this input; repeatable")
    arguments = parser.parse_args()

    folder = arguments.keep or tempfile.mkdtemp(prefix="tmpguard-shapes-")
    os.makedirs(folder, exist_ok=True)
    print("| input | size | wall time | peak memory | exit | outcome |")
    print("| --- | ---: | ---: | ---: | ---: | --- |")
    for name, text in shapes().items():
        if arguments.only and name not in arguments.only:
            continue
        path = os.path.join(folder, name)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
        seconds, peak, code, outcome = measure(path)
        size = os.path.getsize(path) / MIB
        print(f"| `{name}` | {size:.1f} MiB | {seconds:.2f} s | {peak:.0f} MiB | {code} | {outcome} |", flush=True)
        if not arguments.keep:
            os.unlink(path)
    if not arguments.keep:
        os.rmdir(folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
