"""The labelled cases: every `must` finding is reported at its exact position, and
nothing outside `must` and `may` is reported."""

from __future__ import annotations

import json

import jsonschema
import pytest

from conftest import CASES, run_tmpguard

EXPECTED = json.loads((CASES / "expected.json").read_text(encoding="utf-8"))["files"]


@pytest.fixture(scope="module")
def sarif_report(tmp_path_factory, sarif_schema) -> dict:
    output = tmp_path_factory.mktemp("report") / "cases.sarif"
    completed = run_tmpguard("scan", str(CASES), "--format", "sarif", "--output", str(output))
    assert completed.returncode == 1, completed.stderr
    report = json.loads(output.read_text(encoding="utf-8"))
    jsonschema.validate(report, sarif_schema)
    return report


def reported_positions(report: dict) -> dict[str, list[tuple[int, int]]]:
    positions: dict[str, list[tuple[int, int]]] = {}
    prefix = str(CASES).replace("\\", "/")
    for result in report["runs"][0]["results"]:
        if result.get("suppressions"):
            continue
        uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        region = result["locations"][0]["physicalLocation"]["region"]
        relative = uri.split("/cases/", 1)[1] if "/cases/" in uri else uri.removeprefix(prefix + "/")
        positions.setdefault(relative, []).append((region["startLine"], region["startColumn"]))
    return positions


@pytest.mark.parametrize("relative", sorted(EXPECTED))
def test_labelled_case(relative, sarif_report):
    reported = sorted(reported_positions(sarif_report).get(relative, []))
    must = sorted(tuple(pair) for pair in EXPECTED[relative]["must"])
    may = {tuple(pair) for pair in EXPECTED[relative]["may"]}

    missing = [pair for pair in must if pair not in reported]
    unexpected = [pair for pair in reported if pair not in must and pair not in may]
    assert missing == [], f"{relative}: not reported"
    assert unexpected == [], f"{relative}: reported but not expected"


def test_every_case_file_is_labelled():
    on_disk = {path.relative_to(CASES).as_posix() for path in CASES.rglob("*") if path.is_file()}
    assert on_disk - {"expected.json"} == set(EXPECTED)
