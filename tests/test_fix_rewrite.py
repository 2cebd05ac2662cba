"""Exact output of the LibCST rewrites: comments and layout survive, imports are added
once, aliases the file uses are kept."""

from __future__ import annotations

import textwrap

import pytest

from tmpguard.fixes.files import fix_bytes

REWRITES = {
    "alias_kept": (
        """
        import tempfile as tf
        p = tf.mktemp()
        open(p, "w").close()
        """,
        """
        import tempfile as tf
        import os

        fd, p = tf.mkstemp()
        os.close(fd)
        open(p, "w").close()
        """,
    ),
    "os_alias_kept": (
        """
        import os as operating_system
        import tempfile
        p = tempfile.mktemp()
        open(p, "w").close()
        """,
        """
        import os as operating_system
        import tempfile
        fd, p = tempfile.mkstemp()
        operating_system.close(fd)
        open(p, "w").close()
        """,
    ),
    "import_added_once": (
        """
        import tempfile
        a = tempfile.mktemp()
        open(a, "w").close()
        b = tempfile.mktemp()
        open(b, "w").close()
        """,
        """
        import tempfile
        import os

        fd, a = tempfile.mkstemp()
        os.close(fd)
        open(a, "w").close()
        fd, b = tempfile.mkstemp()
        os.close(fd)
        open(b, "w").close()
        """,
    ),
    "fresh_descriptor_name": (
        """
        import tempfile
        fd = 3
        p = tempfile.mktemp()
        open(p, "w").close()
        """,
        """
        import tempfile
        import os

        fd = 3
        fd_2, p = tempfile.mkstemp()
        os.close(fd_2)
        open(p, "w").close()
        """,
    ),
    "statements_on_one_line": (
        """
        import os, tempfile
        def f(flag):
            if flag: p = tempfile.mktemp(); open(p, "w").close()
            x = 1; q = tempfile.mktemp(); os.mkdir(q); y = 2
            return x, y
        """,
        """
        import os, tempfile
        def f(flag):
            if flag: fd, p = tempfile.mkstemp(); os.close(fd); open(p, "w").close()
            x = 1; q = tempfile.mkdtemp(); y = 2
            return x, y
        """,
    ),
    "comments_of_removed_statement_kept": (
        """
        import os, tempfile
        def f():
            r = tempfile.mktemp(
                # why this suffix
                suffix=".d",
            )
            # create it
            os.mkdir(r)  # made here
        """,
        """
        import os, tempfile
        def f():
            r = tempfile.mkdtemp(
                # why this suffix
                suffix=".d",
            )
            # create it
            # made here
        """,
    ),
    "multiline_open_layout": (
        """
        import tempfile
        with open(
            tempfile.mktemp(suffix=".log"),  # the log
            "w",
            encoding="utf-8",
            errors="strict",
        ) as log:
            log.write("x")
        """,
        """
        import tempfile
        with tempfile.NamedTemporaryFile(
            "w",  # the log
            encoding="utf-8",
            errors="strict",
            suffix=".log",
            delete=False,
        ) as log:
            log.write("x")
        """,
    ),
    "open_positional_arguments_mapped": (
        """
        import tempfile
        with open(tempfile.mktemp(), "w", -1, "utf-8", "strict", "\\\\n") as d:
            pass
        with open(file=tempfile.mktemp(".x", "p"), mode="a") as e:
            pass
        """,
        """
        import tempfile
        with tempfile.NamedTemporaryFile("w", -1, "utf-8", errors="strict", newline="\\\\n", delete=False) as d:
            pass
        with tempfile.NamedTemporaryFile(mode="a", suffix=".x", prefix="p", delete=False) as e:
            pass
        """,
    ),
    "star_import_used": (
        """
        from tempfile import *
        p = mktemp()
        open(p, "w").close()
        """,
        """
        from tempfile import *
        import os

        fd, p = mkstemp()
        os.close(fd)
        open(p, "w").close()
        """,
    ),
    "local_import_replaced": (
        """
        def f():
            from tempfile import mktemp
            p = mktemp(".py")
            open(p, "w").close()
        """,
        """
        import os
        from tempfile import mkstemp

        def f():
            fd, p = mkstemp(".py")
            os.close(fd)
            open(p, "w").close()
        """,
    ),
}


@pytest.mark.parametrize("name", sorted(REWRITES))
def test_rewrite_output(name):
    source, expected = (textwrap.dedent(text).lstrip() for text in REWRITES[name])
    fixed, outcome = fix_bytes(source.encode("utf-8"), "rewrite.py")
    assert outcome.error is None
    assert outcome.skipped == []
    assert fixed.decode("utf-8") == expected


def test_fstring_literal_uses_other_quote():
    source = 'import os, tempfile\nmessage = f"to {tempfile.mktemp(suffix=\'.x\')}"\n'
    fixed, _ = fix_bytes(source.encode("utf-8"), "rewrite.py", ("safe", "unsafe"))
    assert fixed.decode("utf-8") == (
        'import os, tempfile\nmessage = f"to {os.path.join(tempfile.mkdtemp(suffix=\'.x\'), \'tmp.x\')}"\n'
    )
