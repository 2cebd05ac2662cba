"""Turn display paths into artifact URIs."""

from __future__ import annotations

import os
import pathlib
from urllib.parse import quote


def artifact_uri(display_path: str) -> str:
    """Return a relative URI for a relative path, or a file URI for an absolute one.

    A file name that is not valid UTF-8 keeps its bytes, percent-encoded.
    """
    if os.path.isabs(display_path):
        return pathlib.Path(display_path).as_uri()
    return quote(os.fsencode(display_path), safe="/")


def root_uri() -> str:
    """Return the file URI of the working folder, with the trailing slash SARIF requires."""
    return pathlib.Path(os.getcwd()).as_uri().rstrip("/") + "/"
