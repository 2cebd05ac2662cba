"""Turn display paths into artifact URIs relative to one source root."""

from __future__ import annotations

import os
import pathlib
from collections.abc import Iterable
from urllib.parse import quote


class SourceRoot:
    """The folder that report URIs are relative to.

    It is the working folder when every scanned file lies inside it. Otherwise it is
    the deepest folder that contains every scanned file, so URIs stay relative and
    SARIF's `%SRCROOT%` names that folder.
    """

    def __init__(self, display_paths: Iterable[str]) -> None:
        self.working_folder = os.getcwd()
        paths = list(display_paths)
        if not _any_absolute(paths):
            self.folder = self.working_folder
            return
        common = os.path.commonpath([self._absolute(path) for path in paths])
        self.folder = common if os.path.isdir(common) else os.path.dirname(common)

    def _absolute(self, display_path: str) -> str:
        return display_path if os.path.isabs(display_path) else os.path.join(self.working_folder, display_path)

    def uri(self, display_path: str) -> str:
        """Return the relative URI of a display path, keeping bytes that are not UTF-8."""
        relative = os.path.relpath(self._absolute(display_path), self.folder).replace(os.sep, "/")
        return quote(os.fsencode(relative), safe="/")

    @property
    def folder_uri(self) -> str:
        """The folder's file URI, with the trailing slash SARIF requires."""
        return pathlib.Path(self.folder).as_uri().rstrip("/") + "/"


def _any_absolute(paths: list[str]) -> bool:
    # On POSIX a path is absolute when it starts with "/". The string test takes less than
    # half the time of os.path.isabs, which counts on a report of many thousand files.
    if os.sep == "/" and os.altsep is None:
        return any(path.startswith("/") for path in paths)
    return any(map(os.path.isabs, paths))
