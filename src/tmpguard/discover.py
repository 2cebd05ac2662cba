"""Decide which files to scan: walk the given paths, apply excludes and .gitignore.

Symbolic links are followed only when their target stays inside the tree that was
given, and each real directory is walked once, so links can neither loop nor lead
out of the tree.
"""

from __future__ import annotations

import collections
import dataclasses
import logging
import operator
import os
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable, Iterator, NamedTuple

from tmpguard.reader import ReadError, read_bytes

if TYPE_CHECKING:
    import pathspec

log = logging.getLogger(__name__)

# The folders Ruff excludes by default, plus Python's byte-code cache and ours.
DEFAULT_EXCLUDES = (
    ".bzr", ".direnv", ".eggs", ".git", ".git-rewrite", ".hg", ".ipynb_checkpoints",
    ".mypy_cache", ".nox", ".pants.d", ".pyenv", ".pytest_cache", ".pytype",
    ".ruff_cache", ".svn", ".tmpguard_cache", ".tox", ".venv", ".vscode",
    "__pycache__", "__pypackages__", "_build", "buck-out", "build", "dist",
    "node_modules", "site-packages", "venv",
)

SOURCE_SUFFIX = ".py"

# A typical .gitignore file has a few kilobytes, so one larger than this is not applied.
_MAX_GITIGNORE_SIZE = 1024 * 1024
# A gitignore pattern without wildcards, slashes (but a trailing one) or negation matches
# a file or folder by its name alone, so it is checked with a set lookup, not a regex.
_PLAIN_NAME = re.compile(r"[^/*?\[\]\\!#\s]+/?")


class DiscoveryError(Exception):
    """Raised when a path given on the command line does not exist."""


@dataclass(frozen=True)
class DiscoverySettings:
    """Settings that select the files a scan covers."""

    exclude: tuple[str, ...] = DEFAULT_EXCLUDES
    extend_exclude: tuple[str, ...] = ()
    respect_gitignore: bool = True
    force_exclude: bool = False


class SourcePath(NamedTuple):
    """A file to scan: where it is, and the path reports show for it.

    `problem` is set, with a one-line reason, for a directory that could not be
    listed. Such a directory is reported as not scanned instead of being read.
    """

    path: str
    display_path: str
    problem: str | None = None


@dataclass(frozen=True)
class _Excludes:
    """Exclude patterns split into plain names (set lookups) and the rest (pathspec)."""

    names: frozenset[str]
    folder_names: frozenset[str]
    spec: pathspec.PathSpec | None
    directory_names: frozenset[str] = field(init=False)
    """The plain names that exclude a directory: both kinds above."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "directory_names", self.names | self.folder_names)

    @classmethod
    def of(cls, settings: DiscoverySettings) -> _Excludes:
        return cls.compile(settings.exclude + settings.extend_exclude)

    @classmethod
    def compile(cls, patterns: tuple[str, ...]) -> _Excludes:
        # A negation depends on the order of the patterns, so then pathspec decides alone.
        if any(pattern.lstrip().startswith("!") for pattern in patterns):
            return cls(frozenset(), frozenset(), _gitignore_spec(patterns))
        plain = [pattern for pattern in patterns if _PLAIN_NAME.fullmatch(pattern)]
        rest = [pattern for pattern in patterns if not _PLAIN_NAME.fullmatch(pattern)]
        return cls(
            frozenset(pattern for pattern in plain if not pattern.endswith("/")),
            frozenset(pattern.rstrip("/") for pattern in plain if pattern.endswith("/")),
            _gitignore_spec(rest) if rest else None,
        )

    def match(self, name: str, relative: str, is_directory: bool) -> bool:
        """Match an entry by its name and by its path below the folder being walked.

        A plain name also matches deeper paths through a parent folder of that name,
        but the walk never enters an excluded folder, so the name alone decides.
        """
        if name in self.names or (is_directory and name in self.folder_names):
            return True
        if self.spec is None:
            return False
        suffix = "/" if is_directory else ""
        return self.spec.match_file(name + suffix) or self.spec.match_file(relative + suffix)


# An ignore file's patterns and where they apply: a path below the walked folder,
# `relative`, is matched as `lead + relative[cut:]`, its path below the ignore file's folder.
_Ignore = tuple[int, str, "pathspec.PathSpec"]

# A directory to walk: its path, the ignore files that apply in it, and its path below
# the walked folder.
_Task = tuple[str, list[_Ignore], str]


@dataclass
class _Walk:
    root: str
    excludes: _Excludes
    respect_gitignore: bool
    base_prefix: str | None
    """The display path of the base folder followed by "/", or "" for the working folder.

    It is None when the working folder is below the base folder but not the base
    itself: display paths then depend on whether an entry is inside the working folder.
    """
    visited: set[tuple[int, int]] = field(default_factory=set)
    pending: list[_Task] = field(default_factory=list)
    split: bool = False
    """True when the walk is split: a directory reached a second time, which a single walk
    skips, then makes the walk `order_dependent`."""
    order_dependent: bool = False

    @classmethod
    def below(cls, given: str, excludes: _Excludes, respect_gitignore: bool) -> _Walk:
        return cls(os.path.realpath(given), excludes, respect_gitignore, _base_prefix(given))

    def start(self, given: str) -> None:
        """Put the folder `given`, the base of this walk, on the stack."""
        self.pending.append((given, _ancestor_ignores(given) if self.respect_gitignore else [], ""))

    def walk_from(self, task: _Task) -> list[SourcePath]:
        """Walk one directory and all below it."""
        self.pending.append(task)
        return list(self.run())

    def run(self) -> Iterator[SourcePath]:
        """Walk the directories on the stack and all below them, yielding the files to scan."""
        # An explicit stack instead of recursion: a tree may be nested deeper than
        # Python's recursion limit. A split walk that depends on order is given up.
        while self.pending and not self.order_dependent:
            yield from _walk_directory(self, *self.pending.pop())

    def display_prefix(self, prefix: str) -> str | None:
        """Return the text before the name in the display path of an entry `prefix` + name below the base folder.

        It is None when only `display_path` can tell.
        """
        return None if self.base_prefix is None else self.base_prefix + prefix

    def display(self, path: str, relative: str) -> str:
        """Return the display path of `path`, which is `relative` below the base folder.

        Most often it is the base's display path joined with `relative`, without a call
        to os.path.relpath for every entry.
        """
        prefix = self.display_prefix("")
        return display_path(path) if prefix is None else prefix + relative


def _base_prefix(given: str) -> str | None:
    """Return what the display path of each entry below the folder `given` starts with.

    Below a folder inside the working folder, display paths are relative, and below
    one outside it they are absolute. Either way they extend the folder's own display
    path, because entry names are never "." or "..".
    """
    base_display = display_path(given)
    if base_display == ".":
        return ""
    if not base_display.startswith("/"):
        return base_display + "/"
    if _inside(os.getcwd(), os.path.abspath(given)):
        return None
    return base_display.rstrip("/") + "/"


def display_path(path: str, base: str | None = None) -> str:
    """Return `path` relative to `base` (default: the working folder), '/'-separated.

    A path outside `base` stays absolute.
    """
    base = base or os.getcwd()
    relative = os.path.relpath(path, base)
    if relative == ".." or relative.startswith(".." + os.sep):
        relative = os.path.abspath(path)
    return relative.replace(os.sep, "/")


def discover(paths: list[str], settings: DiscoverySettings) -> list[SourcePath]:
    """Return the `.py` files under `paths`, sorted by display path.

    See `iter_sources` for what is selected. Raises DiscoveryError for a path that does
    not exist.
    """
    return sorted(iter_sources(paths, settings), key=lambda source: source.display_path)


def iter_sources(paths: list[str], settings: DiscoverySettings) -> Iterator[SourcePath]:
    """Yield the `.py` files under `paths` as the walk finds them, each display path once.

    A file named explicitly is scanned even when an exclude pattern matches it, as
    Ruff and Bandit do, unless `settings.force_exclude` is set. Yielding while walking
    lets the scan of the first files overlap the walk of the rest. Raises
    DiscoveryError for a path that does not exist, before anything is yielded.
    """
    for given in paths:
        if not os.path.lexists(given):
            hint = "; to scan standard input, use --stdin-filename NAME" if given == "-" else ""
            raise DiscoveryError(f"{given}: no such file or directory{hint}")

    excludes = _Excludes.of(settings)
    if len(paths) == 1:
        # One walk never yields a display path twice: each is its path below the folder.
        yield from _sources_under(paths[0], excludes, settings)
        return
    seen: set[str] = set()
    for given in paths:
        for source in _sources_under(given, excludes, settings):
            if source.display_path not in seen:
                seen.add(source.display_path)
                yield source


def _sources_under(given: str, excludes: _Excludes, settings: DiscoverySettings) -> Iterator[SourcePath]:
    if not os.path.isdir(given):
        if settings.force_exclude and _excluded_by_path(given, excludes):
            log.debug("%s: excluded", display_path(given))
        elif os.path.basename(given).endswith(SOURCE_SUFFIX) or not os.path.isfile(given):
            yield SourcePath(given, display_path(given))
        return

    walk = _Walk.below(given, excludes, settings.respect_gitignore)
    walk.start(given)
    yield from walk.run()


@dataclass
class Subtrees:
    """A walk cut into subtrees that can be walked apart, in any order and in any process.

    The cut is valid only where no directory is reached twice, through links or mounts:
    only then does the result not depend on which way a directory is reached first.
    Each part reports a directory it reaches twice in `order_dependent`, and the caller
    checks that no two parts visited one directory. Otherwise it walks the tree again
    with `iter_sources`.
    """

    walk: _Walk
    found: list[SourcePath]
    """The files of the directories walked to make the cut."""
    tasks: list[_Task]

    def walker(self) -> _Walk:
        """Return a walk for some of the subtrees, which records the directories it visits apart.

        It starts knowing the directories walked to make the cut, so a link back to one
        of them ends the walk at once.
        """
        return dataclasses.replace(self.walk, visited=set(self.walk.visited), pending=[])


def split_walk(given: str, settings: DiscoverySettings, count: int) -> Subtrees | None:
    """Walk the top of the folder `given`, breadth first, until `count` subtrees are left.

    Returns None when `given` is not a folder or when its top already reaches a
    directory twice.
    """
    if not os.path.isdir(given):
        return None
    walk = _Walk.below(given, _Excludes.of(settings), settings.respect_gitignore)
    walk.split = True
    walk.start(given)
    tasks: collections.deque[_Task] = collections.deque(walk.pending)
    walk.pending.clear()
    found = []
    while tasks and len(tasks) < count:
        found.extend(_walk_directory(walk, *tasks.popleft()))
        tasks.extend(walk.pending)
        walk.pending.clear()
    return None if walk.order_dependent else Subtrees(walk, found, list(tasks))


def _excluded_by_path(given: str, excludes: _Excludes) -> bool:
    """Return whether an exclude pattern matches the file `given` or a folder on its path.

    The path is taken relative to the working folder, as pre-commit and editors pass it.
    """
    parts = display_path(given).split("/")
    for depth in range(1, len(parts) + 1):
        if excludes.match(parts[depth - 1], "/".join(parts[:depth]), depth < len(parts)):
            return True
    return False


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _load_gitignore(directory: str) -> pathspec.PathSpec | None:
    location = os.path.join(directory, ".gitignore")
    if not os.path.lexists(location):
        return None
    try:
        data = read_bytes(location, _MAX_GITIGNORE_SIZE)
    except ReadError as error:
        log.warning("%s: not applied: %s", display_path(location), error)
        return None
    # NOTE: pathspec matches with backtracking regular expressions, so a crafted
    # pattern such as `**/a/**/a/**/b` makes each match of a deep path take seconds.
    # `--no-respect-gitignore` avoids it.
    lines = data.decode("utf-8", errors="replace").splitlines()
    return _gitignore_spec(lines)


def _gitignore_spec(lines: Iterable[str]) -> pathspec.PathSpec:
    """Compile gitignore patterns. pathspec is imported only for a tree that has some."""
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines(lines)


def _ancestor_ignores(given: str) -> list[_Ignore]:
    """Load the .gitignore files above `given`, up to the top of its git work tree.

    A folder named on the command line is scanned even when those files ignore it,
    as an explicitly named file is. In that case none of them applies below it
    either, so this returns an empty list.
    """
    ancestors = []
    directory = os.path.dirname(os.path.abspath(given))
    while True:
        ancestors.append(directory)
        if os.path.exists(os.path.join(directory, ".git")):
            break
        parent = os.path.dirname(directory)
        if parent == directory:
            return []
        directory = parent

    target = os.path.abspath(given)
    ignores = []
    for ancestor in reversed(ancestors):
        spec = _load_gitignore(ancestor)
        if spec is not None:
            lead = os.path.relpath(target, ancestor).replace(os.sep, "/")
            ignores.append((0, "" if lead == "." else lead + "/", spec))
    if any(spec.match_file(lead) for _, lead, spec in ignores):
        log.info("%s: ignored by .gitignore but named explicitly, so scanned", display_path(given))
        return []
    return ignores


def _ignored(relative: str, is_directory: bool, ignores: list[_Ignore]) -> bool:
    suffix = "/" if is_directory else ""
    return any(spec.match_file(lead + relative[cut:] + suffix) for cut, lead, spec in ignores)


def _unlisted(directory: str, error: OSError) -> SourcePath:
    shown = display_path(directory)
    reason = f"cannot list the directory: {error.strerror or error}"
    log.warning("%s: not scanned: %s", shown, reason)
    return SourcePath(directory, shown, problem=reason)


def _walk_directory(walk: _Walk, directory: str, ignores: list[_Ignore], relative: str) -> list[SourcePath]:
    """List one directory: return its files to scan and push its subdirectories."""
    try:
        identity = os.stat(directory)
    except OSError as error:
        return [_unlisted(directory, error)]
    key = (identity.st_dev, identity.st_ino)
    if key in walk.visited:
        if walk.split:
            walk.order_dependent = True
            return []
        log.info("%s: directory already scanned through another link", display_path(directory))
        return []
    walk.visited.add(key)

    try:
        with os.scandir(directory) as iterator:
            files, subdirectories, has_gitignore = _split_listing(iterator)
    except OSError as error:
        return [_unlisted(directory, error)]

    # Opening .gitignore only where the listing shows one saves a failed open per folder.
    if walk.respect_gitignore and has_gitignore:
        own = _load_gitignore(directory)
        if own is not None:
            ignores = ignores + [(len(relative) + 1 if relative else 0, "", own)]

    prefix = f"{relative}/" if relative else ""
    display_prefix = walk.display_prefix(prefix)
    # Without .gitignore files or exclude patterns beyond plain names, an entry that is
    # neither a link nor named by an exclude is admitted without the full check.
    plain = not ignores and walk.excludes.spec is None
    found = []
    for entry in files:
        name = entry.name
        quick = plain and name not in walk.excludes.names and not entry.is_symlink()
        if quick or _admitted(walk, entry, ignores, prefix + name, False):
            shown = display_prefix + name if display_prefix is not None else display_path(entry.path)
            found.append(SourcePath(entry.path, shown))

    # Subdirectories are walked in name order, so which of two links to one folder is
    # followed never depends on the order the file system lists them in. Pushed in
    # reverse, the stack pops them in name order.
    subdirectories.sort(key=_entry_name, reverse=True)
    for entry in subdirectories:
        name = entry.name
        quick = plain and name not in walk.excludes.directory_names and not entry.is_symlink()
        if quick or _admitted(walk, entry, ignores, prefix + name, True):
            walk.pending.append((entry.path, ignores, prefix + name))
    return found


_entry_name = operator.attrgetter("name")


def _split_listing(entries: Iterator[os.DirEntry]) -> tuple[list[os.DirEntry], list[os.DirEntry], bool]:
    """Split a directory listing into `.py` files and subdirectories; tell whether it has a .gitignore."""
    files = []
    subdirectories = []
    has_gitignore = False
    for entry in entries:
        name = entry.name
        try:
            is_directory = entry.is_dir()
        except OSError:
            is_directory = False
        if is_directory:
            subdirectories.append(entry)
        elif name.endswith(SOURCE_SUFFIX):
            files.append(entry)
        elif name == ".gitignore":
            has_gitignore = True
    return files, subdirectories, has_gitignore


def _admitted(walk: _Walk, entry: os.DirEntry, ignores: list[_Ignore], relative: str, is_directory: bool) -> bool:
    """Return whether no exclude, .gitignore or out-of-tree link rules out `entry`."""
    # Exclude patterns match the name or the path below the given folder, never the
    # folders above it: scanning a tree inside `.venv` on purpose still works.
    if walk.excludes.match(entry.name, relative, is_directory):
        log.debug("%s: excluded", walk.display(entry.path, relative))
        return False
    if ignores and _ignored(relative, is_directory, ignores):
        log.debug("%s: ignored by .gitignore", walk.display(entry.path, relative))
        return False

    if not entry.is_symlink():
        return True
    if not _inside(os.path.realpath(entry.path), walk.root):
        shown = walk.display(entry.path, relative)
        log.warning("%s: not followed: symbolic link to a path outside the scanned tree", shown)
        return False
    return True
