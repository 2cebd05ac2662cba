"""Download and unpack the pinned corpus that the benchmark and the ecosystem check scan.

The corpus is 15 pinned releases from PyPI plus the running CPython's standard library.
Releases are unpacked from their sdists, except those whose sdist pip can only fetch
by building it. NumPy, SciPy, pandas and matplotlib build through meson-python, which
compiles C and Fortran code just to report metadata, so these come from their CPython
3.11 manylinux wheels, which carry the same Python files.

Everything lands in a cache folder outside the git tree, so that no tool applies this
repository's .gitignore to the corpus: `~/.cache/tmpguard-bench` (or
`$XDG_CACHE_HOME/tmpguard-bench`) by default, or the folder named by `--cache` or the
TMPGUARD_BENCH_CACHE environment variable. Downloads and unpacked trees are reused.

    python bench/corpus.py            # prints the corpus folder and its .py file count
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

DEFAULT_CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "tmpguard-bench"
STDLIB_VERSION = "3.11.7"


@dataclass(frozen=True)
class Release:
    """One pinned release and the kind of archive it is unpacked from."""

    name: str
    version: str
    wheel: bool = False

    @property
    def requirement(self) -> str:
        return f"{self.name}=={self.version}"


RELEASES = (
    Release("Django", "5.1.4"),
    Release("sympy", "1.13.3"),
    Release("SQLAlchemy", "2.0.36"),
    Release("pandas", "2.2.3", wheel=True),
    Release("scipy", "1.14.1", wheel=True),
    Release("numpy", "2.1.3", wheel=True),
    Release("matplotlib", "3.9.3", wheel=True),
    Release("Twisted", "24.11.0"),
    Release("ansible-core", "2.18.1"),
    Release("salt", "3007.1"),
    Release("Sphinx", "8.1.3"),
    Release("setuptools", "75.6.0"),
    Release("pip", "24.3.1"),
    Release("pytest", "8.3.4"),
    Release("networkx", "3.4.2"),
)

# Wheels are fetched for a fixed platform, so every machine unpacks the same files.
_WHEEL_PLATFORM = ("--platform", "manylinux2014_x86_64", "--python-version", "3.11",
                   "--implementation", "cp", "--abi", "cp311")


def cache_folder(given: str | None = None) -> Path:
    """Return the cache folder: `given`, else $TMPGUARD_BENCH_CACHE, else the default."""
    return Path(given or os.environ.get("TMPGUARD_BENCH_CACHE") or DEFAULT_CACHE).resolve()


def _archive(downloads: Path, release: Release) -> Path | None:
    stem = release.name.lower().replace("-", "_")
    for candidate in sorted(downloads.iterdir()):
        name = candidate.name.lower().replace("-", "_")
        if name.startswith(f"{stem}_{release.version}") or name.startswith(f"{stem}_{release.version}".replace("_", "-")):
            if name.endswith(".whl") == release.wheel:
                return candidate
    return None


def download(release: Release, downloads: Path) -> Path:
    """Fetch the release's sdist (or wheel) into `downloads` unless it is already there."""
    downloads.mkdir(parents=True, exist_ok=True)
    found = _archive(downloads, release)
    if found:
        return found

    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "--dest", str(downloads)]
    if release.wheel:
        command += ["--only-binary", ":all:", *_WHEEL_PLATFORM]
    else:
        command += ["--no-binary", ":all:"]
    print(f"downloading {release.requirement}", file=sys.stderr)
    subprocess.run(command + [release.requirement], check=True)

    found = _archive(downloads, release)
    if found is None:
        raise SystemExit(f"pip did not leave an archive of {release.requirement} in {downloads}")
    return found


def unpack(archive: Path, target: Path) -> None:
    """Unpack an sdist or a wheel into `target`, replacing a partial earlier attempt."""
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    if archive.name.endswith(".whl") or archive.name.endswith(".zip"):
        with zipfile.ZipFile(archive) as bundle:
            bundle.extractall(partial)
    else:
        with tarfile.open(archive) as bundle:
            bundle.extractall(partial, filter="data")
    partial.rename(target)


def copy_stdlib(target: Path) -> None:
    """Copy the running interpreter's standard library, without site-packages and caches."""
    version = ".".join(map(str, sys.version_info[:3]))
    if version != STDLIB_VERSION:
        print(f"warning: the corpus pins the CPython {STDLIB_VERSION} standard library; "
              f"this interpreter is {version}", file=sys.stderr)
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    shutil.copytree(
        sysconfig.get_paths()["stdlib"], partial, symlinks=True,
        ignore=shutil.ignore_patterns("site-packages", "__pycache__", "*.pyc"),
    )
    partial.rename(target)


def prepare(cache: Path) -> Path:
    """Download and unpack every release into `cache`/corpus; return that folder."""
    corpus = cache / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    for release in RELEASES:
        target = corpus / f"{release.name}-{release.version}"
        if not target.is_dir():
            unpack(download(release, cache / "downloads"), target)

    stdlib = corpus / f"cpython-{'.'.join(map(str, sys.version_info[:3]))}-stdlib"
    if not stdlib.is_dir():
        copy_stdlib(stdlib)
    return corpus


def count_python_files(folder: Path) -> int:
    return sum(1 for _, _, names in os.walk(folder) for name in names if name.endswith(".py"))


def replicate(corpus: Path, cache: Path, copies: int) -> Path:
    """Return a folder holding `copies` hard-linked copies of `corpus` (1: the corpus itself)."""
    if copies == 1:
        return corpus
    scaled = cache / f"corpus-x{copies}"
    if not scaled.is_dir():
        partial = scaled.with_name(scaled.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir()
        for index in range(copies):
            shutil.copytree(corpus, partial / f"copy{index}", symlinks=True, copy_function=os.link)
        partial.rename(scaled)
    return scaled


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache", help=f"cache folder (default: $TMPGUARD_BENCH_CACHE or {DEFAULT_CACHE})")
    arguments = parser.parse_args()
    corpus = prepare(cache_folder(arguments.cache))
    print(f"{corpus}: {count_python_files(corpus)} .py files")


if __name__ == "__main__":
    main()
