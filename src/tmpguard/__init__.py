"""tmpguard: find insecure `tempfile.mktemp()` use in Python code (rule VNX-PY-018)."""

__version__ = "0.1.0"
