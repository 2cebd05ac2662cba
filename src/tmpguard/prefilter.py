"""A cheap test that proves most files cannot contain a finding, before any parsing."""

from __future__ import annotations

import unicodedata


def may_contain_target(text: str) -> bool:
    """Return False only when `text` cannot name `tempfile.mktemp`.

    Every finding needs the identifier or the string `mktemp`. CPython normalises
    identifiers with NFKC, so non-ASCII text is normalised before the search.
    """
    if "mktemp" in text:
        return True
    if text.isascii():
        return False
    return "mktemp" in unicodedata.normalize("NFKC", text)
