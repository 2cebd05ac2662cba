"""tmpguard: find insecure `tempfile.mktemp()` use in Python code (rule VNX-PY-018).

The Python API, loaded on first use so that `import tmpguard` stays cheap:

- `tmpguard.scan(paths, *, exclude=None, extend_exclude=(), respect_gitignore=True,
  per_file_ignores=None, project_root=None, changed_since=None, baseline=None)`
  scans files and folders and returns a `ScanResult`;
- `tmpguard.scan_bytes(data, filename, ...)` scans one file's contents;
- `ScanResult.findings` lists `Finding` records and `ScanResult.not_scanned` the
  files that could not be read or decoded.
"""

# The single source of the version: pyproject.toml reads it from here, and a literal
# spares every run an importlib.metadata look-up.
__version__ = "0.1.0"

# Public name -> module that defines it, imported when the name is first used.
_LAZY = {
    "scan": "tmpguard.api",
    "scan_bytes": "tmpguard.api",
    "ScanResult": "tmpguard.findings",
    "FileResult": "tmpguard.findings",
    "Finding": "tmpguard.findings",
    "ScanStatus": "tmpguard.findings",
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module 'tmpguard' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(_LAZY[name]), name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
