"""tmpguard: find insecure `tempfile.mktemp()` use in Python code (rule VNX-PY-018)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("tmpguard")
except PackageNotFoundError:
    __version__ = "0.0.0+unknown"
