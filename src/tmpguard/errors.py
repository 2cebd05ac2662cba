"""Errors that end `tmpguard scan` with exit code 2, defined apart from the code that raises them.

The command line catches them on every run, while the baseline and git code that raise
them load only when an option needs them.
"""


class BaselineError(Exception):
    """Raised when a baseline file cannot be read or is not a valid baseline."""


class GitError(Exception):
    """Raised when the changed files cannot be listed: no git, no work tree, or an unknown ref."""
