"""Configuration in `[tool.tmpguard]`: discovery, every key, command-line overrides and errors."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from conftest import run_tmpguard

CALL = "import tempfile\n\npath = tempfile.mktemp()\n"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def reported(*arguments: str, cwd: Path) -> tuple[int, list[tuple[str, int, int]], str]:
    """Scan with a JSON report; return the exit code, (path, line, column) of unsuppressed findings, stderr."""
    completed = run_tmpguard("scan", *arguments, "--format", "json", cwd=cwd)
    assert completed.returncode in (0, 1, 3), completed.stderr
    report = json.loads(completed.stdout)
    findings = [
        (finding["artifact_uri"], finding["start_line"], finding["start_column"])
        for finding in report["findings"]
        if not finding["suppressed"]
    ]
    return completed.returncode, sorted(findings), completed.stderr


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project with calls in src/, tests/, generated/, vendor/ and .venv/."""
    for name in ("src/app.py", "tests/test_app.py", "generated/api.py", "vendor/lib.py", ".venv/site.py", "ignored.py"):
        write(tmp_path / name, CALL)
    write(tmp_path / ".gitignore", "ignored.py\n")
    return tmp_path


def configure(project: Path, body: str, folder: str = ".") -> Path:
    return write(project / folder / "pyproject.toml", f"[project]\nname = 'demo'\n\n[tool.tmpguard]\n{body}\n")


ALL_DEFAULT = [
    ("generated/api.py", 3, 8), ("src/app.py", 3, 8), ("tests/test_app.py", 3, 8), ("vendor/lib.py", 3, 8),
]


def test_no_configuration_uses_defaults(project):
    code, findings, _ = reported(".", cwd=project)
    assert code == 1
    assert findings == ALL_DEFAULT


def test_extend_exclude_key(project):
    configure(project, 'extend-exclude = ["generated", "vendor/"]')
    _, findings, _ = reported(".", cwd=project)
    assert findings == [("src/app.py", 3, 8), ("tests/test_app.py", 3, 8)]


def test_extend_exclude_option_adds_to_key(project):
    configure(project, 'extend-exclude = ["generated"]')
    _, findings, _ = reported(".", "--extend-exclude", "vendor", cwd=project)
    assert findings == [("src/app.py", 3, 8), ("tests/test_app.py", 3, 8)]


def test_exclude_key_replaces_defaults(project):
    configure(project, 'exclude = ["vendor", "generated"]')
    _, findings, _ = reported(".", cwd=project)
    assert findings == [(".venv/site.py", 3, 8), ("src/app.py", 3, 8), ("tests/test_app.py", 3, 8)]


def test_exclude_option_overrides_key(project):
    configure(project, 'exclude = ["vendor", "generated"]')
    _, findings, _ = reported(".", "--exclude", "tests", "--exclude", ".venv", cwd=project)
    assert findings == [("generated/api.py", 3, 8), ("src/app.py", 3, 8), ("vendor/lib.py", 3, 8)]


def test_respect_gitignore_key(project):
    configure(project, "respect-gitignore = false")
    _, findings, _ = reported(".", cwd=project)
    assert ("ignored.py", 3, 8) in findings


def test_respect_gitignore_option_overrides_key(project):
    configure(project, "respect-gitignore = false")
    _, findings, _ = reported(".", "--respect-gitignore", cwd=project)
    assert ("ignored.py", 3, 8) not in findings
    assert ("src/app.py", 3, 8) in findings


def test_force_exclude_key(project):
    configure(project, 'extend-exclude = ["generated"]\nforce-exclude = true')
    _, findings, _ = reported("generated/api.py", "src/app.py", cwd=project)
    assert findings == [("src/app.py", 3, 8)]


def test_force_exclude_option_overrides_key(project):
    configure(project, 'extend-exclude = ["generated"]\nforce-exclude = true')
    _, findings, _ = reported("generated/api.py", "--no-force-exclude", cwd=project)
    assert findings == [("generated/api.py", 3, 8)]


def test_fail_on_key(project):
    configure(project, 'fail-on = "high"')
    code, findings, _ = reported("src", cwd=project)
    assert findings == [("src/app.py", 3, 8)]
    assert code == 0


def test_fail_on_option_overrides_key(project):
    configure(project, 'fail-on = "high"')
    code, _, _ = reported("src", "--fail-on", "medium", cwd=project)
    assert code == 1


def test_format_key(project):
    configure(project, 'format = "gitlab"')
    completed = run_tmpguard("scan", "src", cwd=project)
    assert completed.returncode == 1
    issues = json.loads(completed.stdout)
    assert [issue["location"]["path"] for issue in issues] == ["src/app.py"]


def test_format_option_overrides_key(project):
    configure(project, 'format = "gitlab"')
    completed = run_tmpguard("scan", "src", "--format", "text", cwd=project)
    assert completed.stdout.startswith("src/app.py:3:8: VNX-PY-018 ")


def test_per_file_ignores_key(project, sarif_schema):
    configure(project, '[tool.tmpguard.per-file-ignores]\n"tests/*.py" = ["S306"]\n"generated/**" = ["vnx-py-018"]')
    code, findings, _ = reported(".", cwd=project)
    assert code == 1
    assert findings == [("src/app.py", 3, 8), ("vendor/lib.py", 3, 8)]

    completed = run_tmpguard("scan", "tests", "--format", "sarif", cwd=project)
    report = json.loads(completed.stdout)
    jsonschema.validate(report, sarif_schema)
    assert completed.returncode == 0
    suppressions = report["runs"][0]["results"][0]["suppressions"]
    assert suppressions == [{"kind": "external", "justification": "per-file-ignores: tests/*.py"}]


def test_per_file_ignores_relative_to_config_folder(project, tmp_path_factory):
    configure(project, '[tool.tmpguard.per-file-ignores]\n"tests/*.py" = ["B306"]')
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    code, findings, _ = reported(str(project / "tests"), cwd=elsewhere)
    assert findings == []
    assert code == 0


def test_per_file_ignores_option_replaces_key(project):
    configure(project, '[tool.tmpguard.per-file-ignores]\n"tests/*.py" = ["S306"]')
    _, findings, _ = reported(".", "--per-file-ignores", "src/*.py:VNX018,S306", cwd=project)
    assert findings == [("generated/api.py", 3, 8), ("tests/test_app.py", 3, 8), ("vendor/lib.py", 3, 8)]


def test_config_found_from_scanned_path(project, tmp_path_factory):
    configure(project, 'extend-exclude = ["vendor", "generated", "tests"]')
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    _, findings, _ = reported(str(project), cwd=elsewhere)
    assert [Path(path).name for path, _, _ in findings] == ["app.py"]


def test_pyproject_without_table_is_skipped(project):
    configure(project, 'extend-exclude = ["app.py"]')
    write(project / "src" / "pyproject.toml", "[project]\nname = 'inner'\n")
    _, findings, _ = reported("src", cwd=project)
    assert findings == []


def test_nearest_table_wins(project):
    configure(project, 'extend-exclude = ["app.py"]')
    configure(project, 'fail-on = "critical"', folder="src")
    code, findings, _ = reported("src", cwd=project)
    assert findings == [("src/app.py", 3, 8)]
    assert code == 0


def test_config_option_names_file(project):
    configure(project, 'fail-on = "critical"')
    body = '[tool.tmpguard]\nextend-exclude = ["tests", "vendor", "generated"]\n'
    custom = write(project / "ci" / "tmpguard.toml", body)
    code, findings, _ = reported(".", "--config", str(custom), cwd=project)
    assert findings == [("src/app.py", 3, 8)]
    assert code == 1


def test_isolated_ignores_configuration(project):
    configure(project, 'fail-on = "critical"\nextend-exclude = ["src"]')
    code, findings, _ = reported(".", "--isolated", cwd=project)
    assert findings == ALL_DEFAULT
    assert code == 1


# Each case: the [tool.tmpguard] body, then fragments the error message must contain.
INVALID_VALUES = [
    ('exclude = "vendor"', ["'exclude'", "expected an array of strings", "got string 'vendor'"]),
    ('extend-exclude = ["a", 1]', ["'extend-exclude'", "expected an array of strings", "got array ['a', 1]"]),
    ('respect-gitignore = "no"', ["'respect-gitignore'", "expected a boolean (true or false)", "got string 'no'"]),
    ('fail-on = "urgent"', ["'fail-on'", "expected a string, one of: low, medium, high, critical", "got string"]),
    ("fail-on = 3", ["'fail-on'", "one of: low, medium, high, critical", "got integer 3"]),
    ('format = "xml"', ["'format'", "one of: text, json, sarif, github, gitlab, junit", "got string 'xml'"]),
    ('per-file-ignores = ["tests"]', ["'per-file-ignores'", "expected a table of glob = array of rule codes"]),
    ('per-file-ignores = ["tests"]', ["'per-file-ignores'", "got array ['tests']"]),
    ('per-file-ignores = { "tests/*.py" = "S306" }', ["'per-file-ignores'", "got table"]),
    (
        'per-file-ignores = { "tests/*.py" = ["E501"] }',
        ["per-file-ignores for 'tests/*.py'", "unknown rule code 'E501'", "expected one of B306, S306"],
    ),
]


@pytest.mark.parametrize(("body", "fragments"), INVALID_VALUES, ids=[case[0].split(" ")[0] for case in INVALID_VALUES])
def test_invalid_value_exits_2(project, body, fragments):
    config = configure(project, body)
    completed = run_tmpguard("scan", ".", cwd=project)
    assert completed.returncode == 2
    assert completed.stdout == ""
    assert str(config) in completed.stderr
    for fragment in fragments:
        assert fragment in completed.stderr


def test_unknown_key_exits_2(project):
    config = configure(project, "colour = true")
    completed = run_tmpguard("scan", ".", cwd=project)
    assert completed.returncode == 2
    assert f"{config}: unknown key 'colour' in [tool.tmpguard]" in completed.stderr
    valid = "valid keys: exclude, extend-exclude, fail-on, force-exclude, format, per-file-ignores, respect-gitignore"
    assert valid in completed.stderr


def test_unknown_key_suggests_spelling(project):
    configure(project, "respect_gitignore = false")
    completed = run_tmpguard("scan", ".", cwd=project)
    assert completed.returncode == 2
    assert "did you mean 'respect-gitignore'?" in completed.stderr


def test_invalid_toml_exits_2(project):
    config = write(project / "pyproject.toml", "[tool.tmpguard\nformat = 'json'\n")
    completed = run_tmpguard("scan", ".", cwd=project)
    assert completed.returncode == 2
    assert f"{config}: invalid TOML: " in completed.stderr


def test_table_of_wrong_type_exits_2(project):
    config = write(project / "pyproject.toml", "[tool]\ntmpguard = 3\n")
    completed = run_tmpguard("scan", ".", cwd=project)
    assert completed.returncode == 2
    assert f"{config}: 'tool.tmpguard' must be a table, got integer 3" in completed.stderr


def test_missing_config_file_exits_2(project):
    completed = run_tmpguard("scan", ".", "--config", "missing.toml", cwd=project)
    assert completed.returncode == 2
    assert "cannot read configuration file missing.toml: No such file or directory" in completed.stderr


def test_config_file_without_table_exits_2(project):
    write(project / "other.toml", "[tool.ruff]\nline-length = 100\n")
    completed = run_tmpguard("scan", ".", "--config", "other.toml", cwd=project)
    assert completed.returncode == 2
    assert "other.toml: no [tool.tmpguard] table in the configuration file" in completed.stderr


def test_isolated_with_config_exits_2(project):
    completed = run_tmpguard("scan", ".", "--isolated", "--config", "pyproject.toml", cwd=project)
    assert completed.returncode == 2
    assert "argument --config: not allowed with argument --isolated" in completed.stderr


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("tests/*.py", "invalid --per-file-ignores value 'tests/*.py'; expected GLOB:CODE[,CODE...]"),
        ("tests/*.py:", "invalid --per-file-ignores value 'tests/*.py:'; expected GLOB:CODE[,CODE...]"),
        ("tests/*.py:F401", "per-file-ignores for 'tests/*.py': unknown rule code 'F401'"),
    ],
)
def test_invalid_per_file_ignores_option_exits_2(project, value, message):
    completed = run_tmpguard("scan", ".", "--per-file-ignores", value, cwd=project)
    assert completed.returncode == 2
    assert message in completed.stderr
