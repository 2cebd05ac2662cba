"""The rule's documented examples, run through the engine like test cases."""

from __future__ import annotations

import pytest

from tmpguard import rule
from tmpguard.engine import scan_source
from tmpguard.findings import ScanStatus


@pytest.mark.parametrize("example", rule.EXAMPLES, ids=lambda example: example.title)
def test_example(example):
    result = scan_source(example.source.encode("utf-8"), "example.py")

    assert result.status is not ScanStatus.FALLBACK, result.reason
    assert [(f.start_line, f.start_column) for f in result.findings] == list(example.flagged)


def test_examples_cover_both_outcomes():
    outcomes = {bool(example.flagged) for example in rule.EXAMPLES}

    assert outcomes == {True, False}
