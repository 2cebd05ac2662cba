"""The command line: exit codes of `scan`, and `explain`."""

from __future__ import annotations

import os

import pytest

from conftest import run_tmpguard
from tmpguard import rule

FINDING = "import tempfile\nx = tempfile.mktemp()\n"
CLEAN = "import os\nx = os.getcwd()\n"


@pytest.fixture
def tree(tmp_path):
    """A folder with one clean file, to which a test adds what it needs."""
    (tmp_path / "clean.py").write_text(CLEAN, encoding="utf-8")
    return tmp_path


def test_exit_0_clean(tree):
    completed = run_tmpguard("scan", str(tree))

    assert completed.returncode == 0, completed.stderr
    assert completed.stdout == "Found 0 findings (plus 0 suppressed) in 1 file scanned.\n"


def test_exit_0_only_suppressed(tree):
    (tree / "a.py").write_text("import tempfile\nx = tempfile.mktemp()  # nosec\n", encoding="utf-8")

    assert run_tmpguard("scan", str(tree)).returncode == 0


def test_exit_0_undecodable_without_finding(tree):
    (tree / "latin.py").write_bytes(b"x = '\xe9'\n# mktemp\n")
    completed = run_tmpguard("scan", str(tree), "--format", "json")

    assert completed.returncode == 0, completed.stderr
    assert '"files_fallback": 1' in completed.stdout


def test_exit_1_finding(tree):
    (tree / "a.py").write_text(FINDING, encoding="utf-8")

    assert run_tmpguard("scan", str(tree)).returncode == 1


def test_exit_1_finding_and_unreadable(tree):
    (tree / "a.py").write_text(FINDING, encoding="utf-8")
    os.mkfifo(tree / "pipe.py")

    assert run_tmpguard("scan", str(tree)).returncode == 1


def test_exit_2_missing_path(tree):
    completed = run_tmpguard("scan", str(tree / "missing"))

    assert completed.returncode == 2
    assert "missing: no such file or directory" in completed.stderr
    assert completed.stdout == ""


@pytest.mark.parametrize(
    "arguments",
    [
        pytest.param(["scan", "--bogus"], id="unknown-option"),
        pytest.param(["scan", "--format", "xml"], id="unknown-format"),
        pytest.param(["scan", "--color", "sometimes"], id="unknown-colour-choice"),
        pytest.param([], id="no-command"),
        pytest.param(["explain"], id="explain-without-rule"),
    ],
)
def test_exit_2_usage(arguments, tree):
    completed = run_tmpguard(*arguments, cwd=tree)

    assert completed.returncode == 2
    assert "usage: tmpguard" in completed.stderr


def test_exit_2_unwritable_output(tree):
    completed = run_tmpguard("scan", str(tree), "--output", str(tree / "missing" / "report.txt"))

    assert completed.returncode == 2
    assert "cannot write the report to" in completed.stderr


def test_exit_3_fifo(tree):
    os.mkfifo(tree / "pipe.py")
    completed = run_tmpguard("scan", str(tree))

    assert completed.returncode == 3
    assert "pipe.py: error: not scanned: a FIFO, not a regular file" in completed.stdout


def test_exit_3_fifo_named_explicitly(tree):
    os.mkfifo(tree / "pipe.py")

    assert run_tmpguard("scan", str(tree / "pipe.py")).returncode == 3


def test_exit_3_dangling_symlink(tree):
    (tree / "gone.py").symlink_to(tree / "deleted.py")
    completed = run_tmpguard("scan", str(tree))

    assert completed.returncode == 3
    assert "gone.py: error: not scanned: broken symbolic link: its target does not exist" in completed.stdout


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_exit_3_permission_denied(tree):
    unreadable = tree / "secret.py"
    unreadable.write_text(FINDING, encoding="utf-8")
    unreadable.chmod(0)

    assert run_tmpguard("scan", str(tree)).returncode == 3


def test_output_file_replaces_stdout(tree):
    (tree / "a.py").write_text(FINDING, encoding="utf-8")
    completed = run_tmpguard("scan", str(tree), "--format", "json", "--output", str(tree / "report.json"))

    assert completed.returncode == 1
    assert completed.stdout == ""
    assert '"rule_id": "VNX-PY-018"' in (tree / "report.json").read_text(encoding="utf-8")


def test_scan_defaults_to_current_folder(tree):
    (tree / "a.py").write_text(FINDING, encoding="utf-8")
    completed = run_tmpguard("scan", cwd=tree)

    assert completed.returncode == 1
    assert completed.stdout.startswith("a.py:2:5: VNX-PY-018 ")


@pytest.mark.parametrize("rule_id", ["VNX-PY-018", "vnx-py-018", "B306", "s306", "VNX018"])
def test_explain_rule(rule_id):
    completed = run_tmpguard("explain", rule_id)

    assert completed.returncode == 0
    assert completed.stdout == rule.DOCUMENTATION


@pytest.mark.parametrize(
    "text",
    [
        "## What it does",
        "## Why is this bad?",
        "## Example",
        "## Use instead",
        "## References",
        "symbolic link",
        "/tmp",
        "NamedTemporaryFile(",
        "mkstemp(",
        "mkdtemp(",
        "CWE-377",
        "CAPEC-29",
        "https://cwe.mitre.org/data/definitions/377.html",
        "https://capec.mitre.org/data/definitions/29.html",
    ],
)
def test_explain_contents(text):
    assert text in rule.DOCUMENTATION


def test_explain_unknown_rule():
    completed = run_tmpguard("explain", "B101")

    assert completed.returncode == 2
    assert completed.stdout == ""
    assert "unknown rule 'B101'" in completed.stderr


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_exit_130_on_interrupt(tmp_path, jobs):
    """Ctrl-C ends the scan with the shell's code for SIGINT and one line, not a traceback."""
    import signal
    import subprocess
    import sys
    import time

    body = "import tempfile\n" + "".join(f"def f{index}():\n    return tempfile.mktemp()\n" for index in range(200))
    for index in range(400):
        (tmp_path / f"module{index:03}.py").write_text(body, encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "tmpguard", "scan", ".", "--no-cache", "--jobs", jobs],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(1.5)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)

    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert "scan interrupted" in stderr
    assert stdout == ""
