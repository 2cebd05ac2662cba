"""Which fix the planner offers, from what the code does with the name, and why it
offers only the unsafe fix or none when the data flow is not clear."""

from __future__ import annotations

import json
import textwrap

import jsonschema
import pytest

from conftest import run_tmpguard
from tmpguard.engine import scan_source

# name: (source, expected kind, expected safety, words the reason or description contains)
PLANS = {
    "open_write": ("""
        import tempfile
        def f():
            p = tempfile.mktemp()
            with open(p, "w") as h:
                h.write("x")
    """, "mkstemp", "safe", "mkstemp"),
    "open_keyword_mode_append": ("""
        import tempfile
        def f():
            p = tempfile.mktemp()
            open(file=p, mode="ab").close()
    """, "mkstemp", "safe", "mkstemp"),
    "simple_statement_between": ("""
        import tempfile
        def f(data):
            p = tempfile.mktemp()
            text = data.upper()
            open(p, "w").write(text)
    """, "mkstemp", "safe", "mkstemp"),
    "path_open_write": ("""
        import tempfile
        from pathlib import Path
        def f():
            p = tempfile.mktemp()
            with Path(p).open("w") as h:
                h.write("x")
    """, "mkstemp", "safe", "mkstemp"),
    "open_at_start_of_try": ("""
        import os, tempfile
        def f():
            p = tempfile.mktemp()
            try:
                with open(p, "wb") as h:
                    h.write(b"x")
            finally:
                os.remove(p)
    """, "mkstemp", "safe", "mkstemp"),
    "open_after_compound_in_try": ("""
        import tempfile
        def f(flag):
            p = tempfile.mktemp()
            try:
                if flag:
                    return
                open(p, "w").close()
            finally:
                pass
    """, "private-folder", "unsafe", "leave the block"),
    "open_in_except_handler": ("""
        import tempfile
        def f():
            p = tempfile.mktemp()
            try:
                pass
            except OSError:
                open(p, "w").close()
    """, "private-folder", "unsafe", "nested block"),
    "inline_open": ("""
        import tempfile
        with open(tempfile.mktemp(suffix=".x"), "wb") as h:
            h.write(b"x")
    """, "named-temporary-file", "safe", "NamedTemporaryFile"),
    "makedirs_without_dir": ("""
        import os, tempfile
        def f():
            p = tempfile.mktemp()
            os.makedirs(p)
    """, "mkdtemp", "safe", "mkdtemp"),
    "makedirs_with_dir": ("""
        import os, tempfile
        def f(base):
            p = tempfile.mktemp(dir=base)
            os.makedirs(p)
    """, "private-folder", "unsafe", "parent folders"),
    "mkdir_with_mode": ("""
        import os, tempfile
        def f():
            p = tempfile.mktemp()
            os.mkdir(p, 0o755)
    """, "private-folder", "unsafe", "`os.mkdir` with more arguments (a mode)"),
    "exclusive_open": ("""
        import tempfile
        def f():
            p = tempfile.mktemp()
            open(p, "x").close()
    """, "private-folder", "unsafe", "mode"),
    "read_mode": ("""
        import tempfile
        def f():
            p = tempfile.mktemp()
            open(p).close()
    """, "private-folder", "unsafe", "mode"),
    "mode_not_constant": ("""
        import tempfile
        def f(mode):
            p = tempfile.mktemp()
            open(p, mode).close()
    """, "private-folder", "unsafe", "not a constant"),
    "exists_check_first": ("""
        import os, tempfile
        def f():
            p = tempfile.mktemp()
            if not os.path.exists(p):
                open(p, "w").close()
    """, "private-folder", "unsafe", "os.path.exists"),
    "open_in_branch": ("""
        import tempfile
        def f(flag):
            p = tempfile.mktemp()
            if flag:
                open(p, "w").close()
    """, "private-folder", "unsafe", "nested block"),
    "return_between": ("""
        import tempfile
        def f(flag):
            p = tempfile.mktemp()
            if flag:
                return None
            open(p, "w").close()
    """, "private-folder", "unsafe", "leave the block"),
    "open_in_conditional_expression": ("""
        import tempfile
        def f(flag):
            p = tempfile.mktemp()
            handle = open(p, "w") if flag else None
    """, "private-folder", "unsafe", "may not run"),
    "reassigned": ("""
        import tempfile
        def f():
            p = tempfile.mktemp()
            p = p + ".txt"
            open(p, "w").close()
    """, "private-folder", "unsafe", "bound more than once"),
    "escapes_into_closure": ("""
        import tempfile
        def f():
            p = tempfile.mktemp()
            def g():
                return p
            open(p, "w").close()
            return g
    """, "private-folder", "unsafe", "nested function"),
    "returned_first": ("""
        import tempfile
        def f():
            p = tempfile.mktemp()
            return p
    """, "private-folder", "unsafe", "return value"),
    "handed_to_program": ("""
        import subprocess, tempfile
        def f():
            p = tempfile.mktemp()
            subprocess.run(["sort", "-o", p, "in.txt"])
    """, "private-folder", "unsafe", "first used in a list"),
    "class_attribute": ("""
        import tempfile
        class C:
            p = tempfile.mktemp()
            open(p, "w").close()
    """, "private-folder", "unsafe", "class attribute"),
    "used_in_loop_before": ("""
        import tempfile
        def f():
            for _ in range(2):
                if _:
                    open(p, "w").close()
                p = tempfile.mktemp()
    """, "private-folder", "unsafe", "before this assignment"),
    "never_used": ("""
        import tempfile
        def f():
            p = tempfile.mktemp()
    """, "private-folder", "unsafe", "never used"),
    "closefd_argument": ("""
        import tempfile
        with open(tempfile.mktemp(), "w", closefd=True) as h:
            pass
    """, "private-folder", "unsafe", "not stored"),
}

NO_FIX = {
    "starred_arguments": ("""
        import tempfile
        def f(args):
            p = tempfile.mktemp(*args)
            open(p, "w").close()
    """, "* or **"),
    "reference": ("""
        import tempfile
        factory = tempfile.mktemp
    """, "not called"),
    "dynamic_lookup": ("""
        import tempfile
        p = getattr(tempfile, "mktemp")()
    """, "dynamically"),
    "computed_suffix_unclear_use": ("""
        import tempfile
        def f(kind):
            return tempfile.mktemp(suffix=kind.lower())
    """, "evaluate twice"),
    "fallback_file": ("""
        import tempfile
        print "python 2"
        p = tempfile.mktemp()
    """, "fallback"),
}


def _findings(source: str):
    return scan_source(textwrap.dedent(source).lstrip().encode("utf-8"), "plan.py").findings


@pytest.mark.parametrize("name", sorted(PLANS))
def test_planned_fix(name):
    source, kind, safety, words = PLANS[name]
    findings = _findings(source)
    assert len(findings) == 1
    fix = findings[0].fix
    assert fix is not None, findings[0].no_fix_reason
    assert (fix.kind, fix.safety) == (kind, safety), fix.description
    assert words in fix.description


@pytest.mark.parametrize("name", sorted(NO_FIX))
def test_no_fix_with_reason(name):
    source, words = NO_FIX[name]
    findings = _findings(source)
    assert len(findings) == 1
    assert findings[0].fix is None
    assert words in findings[0].no_fix_reason


def test_fix_fields_in_json(tmp_path):
    program = tmp_path / "plan.py"
    program.write_text(textwrap.dedent(PLANS["open_write"][0] + NO_FIX["reference"][0]), encoding="utf-8")
    findings = json.loads(run_tmpguard("scan", str(program), "--format", "json").stdout)["findings"]

    assert [(item["fix_available"], item["fix_safety"]) for item in findings] == [(True, "safe"), (False, None)]
    assert findings[0]["fix"]["kind"] == "mkstemp"
    assert "not called" in findings[1]["no_fix_reason"]


def test_fix_fields_in_sarif(tmp_path, sarif_schema):
    program = tmp_path / "plan.py"
    source = PLANS["open_write"][0] + PLANS["exists_check_first"][0] + NO_FIX["reference"][0]
    program.write_text(textwrap.dedent(source), encoding="utf-8")
    report = json.loads(run_tmpguard("scan", str(program), "--format", "sarif").stdout)
    jsonschema.validate(report, sarif_schema)

    properties = [result["properties"] for result in report["runs"][0]["results"]]
    assert [item["fixAvailable"] for item in properties] == [True, True, False]
    assert [item.get("fixSafety") for item in properties] == ["safe", "unsafe", None]
    assert "not called" in properties[2]["noFixReason"]


def test_fix_line_in_text_report(tmp_path):
    program = tmp_path / "plan.py"
    program.write_text(textwrap.dedent(PLANS["open_write"][0] + NO_FIX["reference"][0]), encoding="utf-8")
    output = run_tmpguard("scan", str(program)).stdout
    assert "    safe fix (--fix): Create the file with `tempfile.mkstemp()`" in output
    assert "    no fix available: mktemp is referenced here, not called" in output


def test_scan_does_not_import_libcst():
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from tmpguard.engine import scan_source\n"
        "findings = scan_source(b'import tempfile\\np = tempfile.mktemp()\\nopen(p, \"w\")\\n', 'x.py').findings\n"
        "print(findings[0].fix.kind, 'libcst' in sys.modules)\n"
    )
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert completed.stdout.strip() == "mkstemp False", completed.stderr
