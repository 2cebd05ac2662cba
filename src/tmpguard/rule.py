"""Rule VNX-PY-018: its metadata, documentation and examples in one place.

The `explain` command, the JSON report and the SARIF rule descriptor all read this
module, so the rule's text exists once.
"""

from __future__ import annotations

from dataclasses import dataclass

RULE_ID = "VNX-PY-018"
RULE_ALIASES = frozenset({"VNX-PY-018", "B306", "S306", "VNX018"})
NAME = "insecure-temporary-file-mktemp"
TITLE = "Insecure temporary file creation via tempfile.mktemp()"
SEVERITY = "medium"
SARIF_LEVEL = "warning"
# A name picked inside a folder the same function created with mkdtemp() or
# TemporaryDirectory(): no other user can create files there.
SEVERITY_IN_PRIVATE_FOLDER = "low"
SARIF_LEVELS = {SEVERITY: SARIF_LEVEL, SEVERITY_IN_PRIVATE_FOLDER: "note"}
# GitHub code scanning maps security-severity 4.0 to 6.9 to "medium".
SECURITY_SEVERITY = "5.5"
PRECISION = "very-high"
CWE = "CWE-377"
CAPEC = "CAPEC-29"
ATTACK = "T1574"
TAGS = ("security", "external/cwe/cwe-377", "external/capec/capec-29")
HELP_URI = "https://cwe.mitre.org/data/definitions/377.html"
REFERENCES = (
    ("Python docs: tempfile.mktemp", "https://docs.python.org/3/library/tempfile.html#tempfile.mktemp"),
    ("CWE-377: Insecure Temporary File", "https://cwe.mitre.org/data/definitions/377.html"),
    ("CAPEC-29: Leveraging Time-of-Check and Time-of-Use (TOCTOU) Race Conditions",
     "https://capec.mitre.org/data/definitions/29.html"),
    ("MITRE ATT&CK T1574: Hijack Execution Flow", "https://attack.mitre.org/techniques/T1574/"),
)

SHORT_DESCRIPTION = "tempfile.mktemp() returns a file name that another process can claim first."

MESSAGE = (
    "{name} returns a name that is free now but created later, so another process can "
    "plant a file or symlink there first; use `NamedTemporaryFile()`, `mkstemp()` or `mkdtemp()`"
)

PRIVATE_FOLDER_MESSAGE = (
    "{name} picks a name inside `{folder}`, a folder this function created with "
    "`{factory}`, so no other user can plant a file there (severity low); "
    "`mkstemp()` or `NamedTemporaryFile()` still create the file in one step"
)

FULL_DESCRIPTION = (
    "tempfile.mktemp() only picks a file name that does not exist at the moment of the "
    "call. The caller creates the file later, and in between another local user or "
    "process can create a file, or a symbolic link to a file it wants overwritten, at "
    "that name in a shared folder such as /tmp (a time-of-check to time-of-use race). "
    "The program then writes into the attacker's file or follows the link."
)


@dataclass(frozen=True)
class Example:
    """A source snippet that documents the rule and doubles as a test case.

    `flagged` lists the (line, column) of every finding the rule must report.
    `fixed` is the source after `--fix` (None when no safe fix applies), `fix_kind`
    the kind of fix offered for the first finding (None when no fix is offered), and
    `unsafe_fixed` the source after `--fix --unsafe-fixes` when that differs.
    """

    title: str
    source: str
    flagged: tuple[tuple[int, int], ...]
    fixed: str | None = None
    fix_kind: str | None = None
    unsafe_fixed: str | None = None


EXAMPLES = (
    Example(
        "A plain call",
        "import tempfile\n\npath = tempfile.mktemp(suffix='.csv')\nopen(path, 'w').write('data')\n",
        ((3, 8),),
        fixed=(
            "import tempfile\n"
            "import os\n"
            "\n"
            "fd, path = tempfile.mkstemp(suffix='.csv')\n"
            "os.close(fd)\n"
            "open(path, 'w').write('data')\n"
        ),
        fix_kind="mkstemp",
    ),
    Example(
        "A file opened right away",
        (
            "import tempfile as tf\n"
            "\n"
            "with open(tf.mktemp('.log'), 'a') as log:  # keep this comment\n"
            "    log.write('start')\n"
        ),
        ((3, 11),),
        fixed=(
            "import tempfile as tf\n"
            "\n"
            "with tf.NamedTemporaryFile('a', suffix='.log', delete=False) as log:  # keep this comment\n"
            "    log.write('start')\n"
        ),
        fix_kind="named-temporary-file",
    ),
    Example(
        "A name used for a directory",
        (
            "import os\n"
            "from tempfile import mktemp\n"
            "\n"
            "\n"
            "def workspace():\n"
            "    path = mktemp(prefix='ws-')\n"
            "    # the folder must exist before the data goes in\n"
            "    os.mkdir(path)\n"
            "    return os.path.join(path, 'data')\n"
        ),
        ((6, 12),),
        fixed=(
            "import os\n"
            "from tempfile import mkdtemp\n"
            "\n"
            "\n"
            "def workspace():\n"
            "    path = mkdtemp(prefix='ws-')\n"
            "    # the folder must exist before the data goes in\n"
            "    return os.path.join(path, 'data')\n"
        ),
        fix_kind="mkdtemp",
    ),
    Example(
        "A name handed to code that creates it later",
        (
            "import os\n"
            "import tempfile\n"
            "\n"
            "\n"
            "def make_fifo():\n"
            "    name = tempfile.mktemp(suffix='.fifo')\n"
            "    os.mkfifo(name)\n"
            "    return name\n"
        ),
        ((6, 12),),
        fixed=None,
        fix_kind="private-folder",
        unsafe_fixed=(
            "import os\n"
            "import tempfile\n"
            "\n"
            "\n"
            "def make_fifo():\n"
            "    name = os.path.join(tempfile.mkdtemp(suffix='.fifo'), 'tmp.fifo')\n"
            "    os.mkfifo(name)\n"
            "    return name\n"
        ),
    ),
    Example(
        "An imported alias",
        "from tempfile import mktemp as fresh_name\n\nname = fresh_name()\n",
        ((3, 8),),
        fixed=None,
        fix_kind="private-folder",
        unsafe_fixed="from tempfile import mkdtemp\nimport os\n\nname = os.path.join(mkdtemp(), \"tmp\")\n",
    ),
    Example(
        "A reference passed as a factory",
        "import collections\nimport tempfile\n\nnames = collections.defaultdict(tempfile.mktemp)\n",
        ((4, 33),),
    ),
    Example(
        "A module imported under another name",
        "import tempfile as tf\n\nname = tf.mktemp()\n",
        ((3, 8),),
        fixed=None,
        fix_kind="private-folder",
        unsafe_fixed='import tempfile as tf\nimport os\n\nname = os.path.join(tf.mkdtemp(), "tmp")\n',
    ),
    Example(
        "A constant-string lookup",
        "import tempfile\n\nmake_name = getattr(tempfile, 'mktemp')\n",
        ((3, 13),),
    ),
    Example(
        "A use inside a lambda in a class body",
        "from tempfile import mktemp\n\nclass Job:\n    name = staticmethod(lambda: mktemp())\n",
        ((4, 33),),
        fixed=None,
        fix_kind="private-folder",
        unsafe_fixed=(
            "from tempfile import mkdtemp\nimport os\n\n"
            "class Job:\n    name = staticmethod(lambda: os.path.join(mkdtemp(), \"tmp\"))\n"
        ),
    ),
    Example(
        "A file created atomically",
        "import os\nimport tempfile\n\nfd, path = tempfile.mkstemp(suffix='.csv')\nos.close(fd)\n",
        (),
    ),
    Example(
        "Another object's mktemp method",
        "def build(tmp_path_factory):\n    return tmp_path_factory.mktemp('data')\n",
        (),
    ),
    Example(
        "A parameter that shadows the module",
        "def build(tempfile):\n    return tempfile.mktemp()\n",
        (),
    ),
    Example(
        "A local function of the same name",
        "from tempfile import mktemp\n\ndef job():\n    def mktemp():\n        return 'job.tmp'\n    return mktemp()\n",
        (),
    ),
    Example(
        "Text in a comment or a string",
        "# tempfile.mktemp() is banned here\nWARNING = 'do not call tempfile.mktemp()'\n",
        (),
    ),
)

DOCUMENTATION = f"""\
# {RULE_ID}: {TITLE}

Severity: {SEVERITY} (SARIF level `{SARIF_LEVEL}`). Weakness: {CWE}, {CAPEC}, ATT&CK {ATTACK}.
Aliases accepted in suppression comments: B306 (Bandit), S306 (Ruff), VNX018 (flake8).

## What it does

Reports every expression that evaluates to the standard library's
`tempfile.mktemp`, called or not: `tempfile.mktemp()`, `from tempfile import mktemp`
under any alias, `import tempfile as t`, star imports, imports inside functions,
references such as `defaultdict(tempfile.mktemp)`, and constant-string lookups such
as `getattr(tempfile, "mktemp")` or `importlib.import_module("tempfile").mktemp`.

## Why is this bad?

{FULL_DESCRIPTION}

Python has documented `mktemp()` as deprecated and unsafe since version 2.3.

## Example

```python
import tempfile

path = tempfile.mktemp(suffix=".csv")
with open(path, "w") as handle:   # another process may own this path by now
    handle.write(data)
```

## Use instead

```python
import os
import tempfile

# A path: mkstemp() creates the file with O_EXCL and returns (fd, path).
fd, path = tempfile.mkstemp(suffix=".csv")
with os.fdopen(fd, "w") as handle:
    handle.write(data)

# A file object: NamedTemporaryFile() creates and opens the file in one step.
with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as handle:
    handle.write(data)

# A private working folder for names that must not exist yet (sockets, FIFOs).
folder = tempfile.mkdtemp()
socket_path = os.path.join(folder, "control.sock")
```

Never build paths in `/tmp` by hand: they race in the same way.

## Fixes

`tmpguard scan --fix` rewrites a call when the rewrite keeps what the program does:

- the name is first opened for writing or appending: `mkstemp()` creates the file and
  its descriptor is closed (`fd, path = tempfile.mkstemp(...)`, `os.close(fd)`), or
  `open(mktemp(), "w")` becomes `NamedTemporaryFile("w", delete=False)`;
- the name is first used to create a directory: `mkdtemp()` creates it and the
  `os.mkdir()` call goes.

`--fix --unsafe-fixes` also puts any other name inside a new private folder from
`mkdtemp()`, which keeps "the path does not exist yet" but leaves the folder behind.
`--diff` prints the changes as a unified diff and writes nothing.

## Severity in context

When `dir=` is a folder that the same function created with `mkdtemp()` or
`TemporaryDirectory()`, no other user can create files in it, and the finding is
reported at severity low (SARIF level `note`).

## Suppression

`# nosec`, `# noqa`, or a code list such as `# nosec B306` or `# noqa: S306` on any
line of the statement that contains the finding.

## References

""" + "".join(f"- {title}: {url}\n" for title, url in REFERENCES)


def level_for(severity: str) -> str:
    """Return the SARIF level of a finding with `severity`."""
    return SARIF_LEVELS.get(severity, SARIF_LEVEL)


def private_folder_message(expression: str, folder: str, factory: str) -> str:
    """Build the message for a call that picks its name inside a private folder."""
    name = "`tempfile.mktemp`" if expression == "tempfile.mktemp" else f"`{expression}` (`tempfile.mktemp`)"
    return PRIVATE_FOLDER_MESSAGE.format(name=name, folder=folder, factory=factory)


def message_for(expression: str) -> str:
    """Build the finding message for the source text of the flagged expression."""
    if expression == "tempfile.mktemp":
        return MESSAGE.format(name="`tempfile.mktemp`")
    return MESSAGE.format(name=f"`{expression}` (`tempfile.mktemp`)")
