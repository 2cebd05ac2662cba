"""Start-up: a plain scan imports only the modules it needs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

AN_HOUR_AGO_NS = 3600 * 10**9

# Modules that a plain scan must not import: the baseline, git, fix and configuration
# code, the other reporters and the libraries only they use.
LAZY_MODULES = (
    "tmpguard.baseline",
    "tmpguard.changed",
    "tmpguard.fixes.command",
    "tmpguard.fixes.files",
    "tmpguard.fixes.rewrite",
    "libcst",
    "tomllib",
    "difflib",
    "datetime",
    "xml.etree.ElementTree",
    "tmpguard.report.json_report",
    "tmpguard.report.sarif",
    "tmpguard.report.github",
    "tmpguard.report.gitlab",
    "tmpguard.report.junit",
)
# A warm run with nothing to write does not need these either.
WARM_LAZY_MODULES = ("tempfile", "subprocess", "multiprocessing")

LIST_MODULES = """
import json, sys
from tmpguard.cli import main
code = main(["scan", ".", "--verbose"])
sys.stderr.write(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def _scan_modules(folder: Path) -> tuple[set[str], str]:
    """Scan `folder` in a new interpreter and return the modules it imported and its log."""
    completed = subprocess.run(
        [sys.executable, "-c", LIST_MODULES], cwd=folder, capture_output=True, text=True, timeout=120
    )
    *log, last = completed.stderr.splitlines()
    report = json.loads(last)
    assert report["code"] == 0, completed.stderr
    return set(report["modules"]), "\n".join(log)


def test_plain_scan_skips_lazy_modules(tmp_path):
    for name, text in (("one.py", "import os\nprint(os.sep)\n"), ("two.py", "x = 1\n")):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        # An hour back, so the cold run stores the results and the warm run uses them.
        mtime = path.stat().st_mtime_ns - AN_HOUR_AGO_NS
        os.utime(path, ns=(mtime, mtime))

    cold, _ = _scan_modules(tmp_path)
    warm, warm_log = _scan_modules(tmp_path)

    assert "cache: 2 of 2 files unchanged" in warm_log
    assert "tmpguard.report.text" in cold
    assert "tmpguard.cache" in warm
    assert sorted(cold & set(LAZY_MODULES)) == []
    assert sorted(warm & set(LAZY_MODULES + WARM_LAZY_MODULES)) == []
