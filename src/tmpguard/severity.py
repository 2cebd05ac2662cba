"""Severity levels of findings, ordered so a threshold can be compared by rank."""

from __future__ import annotations

SEVERITIES = ("low", "medium", "high", "critical")
DEFAULT_FAIL_ON = "low"


def rank(severity: str) -> int:
    """Return the position of `severity` in SEVERITIES, lowest first.

    An unknown severity ranks above every known one, so a threshold never lets a
    finding with an unexpected severity pass a gate.
    """
    try:
        return SEVERITIES.index(severity.lower())
    except ValueError:
        return len(SEVERITIES)


def at_least(severity: str, threshold: str) -> bool:
    """Return whether `severity` is at or above `threshold`."""
    return rank(severity) >= rank(threshold)
