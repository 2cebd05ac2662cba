"""The rule's documented examples, run Fixit-style: flagged positions, fix kind, fixed
source, and the fixed source compiles and is clean of safe fixes."""

from __future__ import annotations

import pytest

from tmpguard import rule
from tmpguard.engine import scan_source
from tmpguard.findings import ScanStatus
from tmpguard.fixes.files import fix_bytes

EXAMPLES = {example.title: example for example in rule.EXAMPLES}


@pytest.mark.parametrize("title", sorted(EXAMPLES))
def test_example_flagged_positions(title):
    example = EXAMPLES[title]
    result = scan_source(example.source.encode("utf-8"), "example.py")
    assert result.status is not ScanStatus.FALLBACK, result.reason
    assert [(finding.start_line, finding.start_column) for finding in result.findings] == list(example.flagged)


def test_examples_cover_both_outcomes():
    outcomes = {bool(example.flagged) for example in rule.EXAMPLES}
    assert outcomes == {True, False}


@pytest.mark.parametrize("title", sorted(EXAMPLES))
def test_example_fix_kind(title):
    example = EXAMPLES[title]
    findings = scan_source(example.source.encode("utf-8"), "example.py").findings
    kinds = [finding.fix.kind if finding.fix else None for finding in findings]
    assert kinds[:1] == ([example.fix_kind] if example.flagged else [])


@pytest.mark.parametrize("title", sorted(EXAMPLES))
def test_example_safe_fix_output(title):
    example = EXAMPLES[title]
    fixed, outcome = fix_bytes(example.source.encode("utf-8"), "example.py", ("safe",))
    assert outcome.error is None
    expected = example.fixed if example.fixed is not None else example.source
    assert fixed.decode("utf-8") == expected


@pytest.mark.parametrize("title", sorted(EXAMPLES))
def test_example_unsafe_fix_output(title):
    example = EXAMPLES[title]
    fixed, outcome = fix_bytes(example.source.encode("utf-8"), "example.py", ("safe", "unsafe"))
    assert outcome.error is None
    expected = example.unsafe_fixed or example.fixed or example.source
    assert fixed.decode("utf-8") == expected


@pytest.mark.parametrize("title", sorted(EXAMPLES))
def test_example_fixed_source_compiles(title):
    example = EXAMPLES[title]
    for text in (example.fixed, example.unsafe_fixed):
        if text is not None:
            compile(text, f"{title} (fixed)", "exec")


@pytest.mark.parametrize("title", sorted(EXAMPLES))
def test_example_fixed_source_has_no_safe_fix_left(title):
    example = EXAMPLES[title]
    fixed = example.fixed or example.source
    remaining = scan_source(fixed.encode("utf-8"), "example.py").findings
    assert [finding for finding in remaining if finding.fix and finding.fix.safety == "safe"] == []


def test_examples_cover_every_fix_kind():
    kinds = {example.fix_kind for example in rule.EXAMPLES}
    assert {"mkstemp", "named-temporary-file", "mkdtemp", "private-folder"} <= kinds
