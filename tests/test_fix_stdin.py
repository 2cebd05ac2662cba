"""--fix and --diff need files to rewrite, so they reject standard input."""

from __future__ import annotations

import pytest

from conftest import run_tmpguard


@pytest.mark.parametrize("option", ["--fix", "--diff"])
def test_fix_option_rejects_stdin(option):
    completed = run_tmpguard(
        "scan", option, "--stdin-filename", "job.py", stdin="import tempfile\nname = tempfile.mktemp()\n"
    )

    assert completed.returncode == 2
    assert "cannot be used with --stdin-filename" in completed.stderr
    assert completed.stdout == ""
