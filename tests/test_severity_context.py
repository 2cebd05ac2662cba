"""Severity in context: a name picked inside a folder that the same function created
with mkdtemp() or TemporaryDirectory() is reported at severity low."""

from __future__ import annotations

import json
import textwrap

import jsonschema
import pytest

from conftest import run_tmpguard
from tmpguard.engine import scan_source

LOW = {
    "mkdtemp_keyword": """
        import tempfile

        def run():
            work = tempfile.mkdtemp()
            return tempfile.mktemp(dir=work)
    """,
    "mkdtemp_positional": """
        from tempfile import mkdtemp, mktemp

        def run():
            work = mkdtemp(prefix="job-")
            if work:
                return mktemp(".txt", "out", work)
    """,
    "temporary_directory_with": """
        import tempfile

        def run():
            with tempfile.TemporaryDirectory() as work:
                name = tempfile.mktemp(dir=work)
                return name
    """,
    "module_level_with": """
        import tempfile as tf

        with tf.TemporaryDirectory() as work:
            name = tf.mktemp(dir=work)
    """,
}

MEDIUM = {
    "no_dir": """
        import tempfile

        def run():
            work = tempfile.mkdtemp()
            return tempfile.mktemp()
    """,
    "dir_from_parameter": """
        import tempfile

        def run(work):
            return tempfile.mktemp(dir=work)
    """,
    "dir_from_other_function": """
        import tempfile

        WORK = tempfile.mkdtemp()

        def run():
            return tempfile.mktemp(dir=WORK)
    """,
    "dir_reassigned": """
        import tempfile

        def run():
            work = tempfile.mkdtemp()
            work = "/tmp"
            return tempfile.mktemp(dir=work)
    """,
    "call_after_with_block": """
        import tempfile

        def run():
            with tempfile.TemporaryDirectory() as work:
                pass
            return tempfile.mktemp(dir=work)
    """,
    "mkdtemp_after_call": """
        import tempfile

        def run():
            for _ in range(2):
                name = tempfile.mktemp(dir=work)
                work = tempfile.mkdtemp()
            return name
    """,
    "mkdtemp_inside_branch": """
        import tempfile

        def run(flag):
            if flag:
                work = tempfile.mkdtemp()
            return tempfile.mktemp(dir=work)
    """,
    "folder_removed_first": """
        import shutil
        import tempfile

        def run():
            work = tempfile.mkdtemp()
            shutil.rmtree(work)
            return tempfile.mktemp(dir=work)
    """,
    "folder_opened_to_all": """
        import os
        import tempfile

        def run():
            work = tempfile.mkdtemp()
            os.chmod(work, 0o777)
            return tempfile.mktemp(dir=work)
    """,
    "not_the_stdlib_mkdtemp": """
        import tempfile
        from helpers import mkdtemp

        def run():
            work = mkdtemp()
            return tempfile.mktemp(dir=work)
    """,
    "temporary_directory_object": """
        import tempfile

        def run():
            work = tempfile.TemporaryDirectory()
            return tempfile.mktemp(dir=work)
    """,
}


def _findings(source: str):
    return scan_source(textwrap.dedent(source).lstrip().encode("utf-8"), "context.py").findings


@pytest.mark.parametrize("name", sorted(LOW))
def test_private_folder_lowers_severity(name):
    findings = _findings(LOW[name])
    assert [finding.severity for finding in findings] == ["low"]
    assert "`work`" in findings[0].message
    assert "no other user can plant a file there" in findings[0].message


@pytest.mark.parametrize("name", sorted(MEDIUM))
def test_other_folders_stay_medium(name):
    findings = _findings(MEDIUM[name])
    assert [finding.severity for finding in findings] == ["medium"]
    assert "no other user" not in findings[0].message


def test_message_names_factory():
    assert "`TemporaryDirectory()`" in _findings(LOW["temporary_directory_with"])[0].message
    assert "`mkdtemp()`" in _findings(LOW["mkdtemp_keyword"])[0].message


def test_low_severity_in_reports(tmp_path, sarif_schema):
    program = tmp_path / "context.py"
    program.write_text(textwrap.dedent(LOW["mkdtemp_keyword"]).lstrip(), encoding="utf-8")

    completed = run_tmpguard("scan", str(program), "--format", "json")
    finding = json.loads(completed.stdout)["findings"][0]
    assert completed.returncode == 1
    assert (finding["severity"], finding["level"]) == ("low", "note")

    completed = run_tmpguard("scan", str(program), "--format", "sarif")
    report = json.loads(completed.stdout)
    jsonschema.validate(report, sarif_schema)
    result = report["runs"][0]["results"][0]
    assert result["level"] == "note"
    assert result["properties"]["severity"] == "low"
