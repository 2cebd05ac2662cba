"""Fixes for the rule: plan them on the `ast` tree, rewrite with LibCST, write atomically.

`plan` runs during every scan and needs only the standard library. `rewrite` and
`files` import LibCST, so only `--fix` and `--diff` pay its import time.
"""
