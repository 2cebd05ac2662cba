"""The result cache file: what a hit returns, what is ignored, merging, refresh and expiry."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from tmpguard import cache as cache_module
from tmpguard.engine import scan_file
from tmpguard.findings import FileResult, ScanStatus

FLAGGED = (
    "import tempfile\n"
    "\n"
    "def job():\n"
    "    path = tempfile.mktemp(suffix='.csv')  # nosec B306\n"
    "    open(path, 'w').write('data')\n"
    "    other = tempfile.mktemp()\n"
    "    return other\n"
)
# Unparseable, so the fallback scans it and the result has a reason.
BROKEN = "import tempfile\npath = tempfile.mktemp(\n"
CLEAN = "import os\nprint(os.sep)\n"
AN_HOUR_AGO_NS = 3600 * 10**9
# A stored finding with every field valid; the corrupt-entry cases change one field each.
FINDING = {
    "rule_id": "VNX-PY-018",
    "message": "message",
    "severity": "medium",
    "start_line": 4,
    "start_column": 12,
    "end_line": 4,
    "end_column": 27,
    "snippet": "    path = tempfile.mktemp()",
    "fingerprint": "0123456789abcdef0123:1",
    "no_fix_reason": None,
}
DAY = 24 * 3600


def _write_aged(path: Path, text: str) -> None:
    """Write `text` with an mtime an hour back, out of the window in which results are not stored."""
    path.write_text(text, encoding="utf-8")
    mtime = path.stat().st_mtime_ns - AN_HOUR_AGO_NS
    os.utime(path, ns=(mtime, mtime))


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    """A working folder with a flagged, an unparseable and a clean file."""
    folder = tmp_path / "project"
    folder.mkdir()
    for name, text in (("flagged.py", FLAGGED), ("broken.py", BROKEN), ("clean.py", CLEAN)):
        _write_aged(folder / name, text)
    monkeypatch.chdir(folder)
    return folder


def _cache(project: Path) -> cache_module.ResultCache:
    return cache_module.ResultCache(str(project.parent / "cache"), "settings")


def _fill(project: Path, names: tuple[str, ...]) -> dict[str, FileResult]:
    """Scan, store and save each file, and return the scan's results."""
    cache = _cache(project)
    results = {}
    for name in names:
        results[name] = scan_file(name, name)
        cache.store(name, cache_module.signature(name), results[name])
    cache.save()
    return results


def _write_entries(cache: cache_module.ResultCache, entries: dict, header: str = '{"format": 2}') -> None:
    cache.path.parent.mkdir(parents=True, exist_ok=True)
    cache.path.write_text(f"{header}\n{json.dumps(entries)}\n", encoding="utf-8")


def _read_entries(cache: cache_module.ResultCache) -> dict:
    header, *lines = cache.path.read_text(encoding="utf-8").splitlines()
    assert json.loads(header) == {"format": 2}
    entries = {}
    for line in lines:
        entries.update(json.loads(line))
    return entries


def test_hit_returns_identical_findings(project):
    scanned = _fill(project, ("flagged.py", "broken.py", "clean.py"))
    cache = _cache(project)

    for name, original in scanned.items():
        cached = cache.lookup(name, cache_module.signature(name))
        assert cached == original, name

    flagged = scanned["flagged.py"]
    assert flagged.status is ScanStatus.ANALYSED
    assert [finding.suppressed for finding in flagged.findings] == [True, False]
    assert scanned["broken.py"].status is ScanStatus.FALLBACK
    assert scanned["broken.py"].reason


def test_hit_keeps_every_finding_field(project):
    (original,) = _fill(project, ("flagged.py",)).values()
    cached = _cache(project).lookup("flagged.py", cache_module.signature("flagged.py"))

    assert cached is not None
    assert len(cached.findings) == len(original.findings) == 2
    for before, after in zip(original.findings, cached.findings):
        assert after.path == "flagged.py"
        assert (after.start_line, after.start_column, after.end_line, after.end_column) == (
            before.start_line, before.start_column, before.end_line, before.end_column
        )
        assert after.fingerprint == before.fingerprint
        assert after.message == before.message
        assert after.severity == before.severity
        assert after.snippet == before.snippet
        assert after.suppression == before.suppression
        assert after.no_fix_reason == before.no_fix_reason
        assert (after.fix is None) == (before.fix is None)
        if before.fix is not None:
            assert (after.fix.kind, after.fix.safety, after.fix.description) == (
                before.fix.kind, before.fix.safety, before.fix.description
            )
    assert cached.findings[0].suppression.kind == "inSource"
    assert cached.findings[0].suppression.line == 4
    assert cached.findings[1].fix is not None


def test_clean_file_stored_as_one_string(project):
    _fill(project, ("clean.py", "flagged.py"))
    entries = _read_entries(_cache(project))

    signature = cache_module.signature("clean.py")
    stored_signature, seen, status = entries["clean.py"].split(" ")
    assert stored_signature == signature
    assert status == "prefiltered"
    assert abs(int(seen) - time.time()) < 60
    assert isinstance(entries["flagged.py"], list)


def test_changed_file_misses(project):
    _fill(project, ("clean.py",))
    _write_aged(project / "clean.py", CLEAN + "# edited\n")
    assert _cache(project).lookup("clean.py", cache_module.signature("clean.py")) is None


def test_lookup_drops_entry(project):
    _fill(project, ("clean.py",))
    cache = _cache(project)
    signature = cache_module.signature("clean.py")

    assert cache.lookup("clean.py", signature) is not None
    assert cache.lookup("clean.py", signature) is None


def test_valid_finding_entry_used(project):
    signature = cache_module.signature("clean.py")
    stored = {**FINDING, "suppression": ["inSource", 4, "# nosec"], "fix": ["mkstemp", "safe", "text"]}
    _write_entries(_cache(project), {"clean.py": [f"{signature} {int(time.time())} analysed", None, [stored]]})

    result = _cache(project).lookup("clean.py", signature)
    assert result is not None
    (finding,) = result.findings
    assert (finding.path, finding.start_line, finding.start_column) == ("clean.py", 4, 12)
    assert (finding.suppression.kind, finding.suppression.line) == ("inSource", 4)
    assert (finding.fix.kind, finding.fix.safety) == ("mkstemp", "safe")


@pytest.mark.parametrize(
    "entry",
    [
        42,
        None,
        [],
        ["SIGNATURE 1 prefiltered", None],
        [7, None, []],
        ["SIGNATURE 1 analysed", 7, []],
        ["SIGNATURE 1 analysed", None, "not a list"],
        ["SIGNATURE 1 analysed", None, [{"unknown_field": 1}]],
        ["SIGNATURE 1 analysed", None, [["a", "list"]]],
        ["SIGNATURE 1 analysed", None, ["text"]],
        ["SIGNATURE 1 analysed", None, [{**FINDING, "start_line": "4"}]],
        ["SIGNATURE 1 analysed", None, [{**FINDING, "start_column": True}]],
        ["SIGNATURE 1 analysed", None, [{**FINDING, "message": None}]],
        ["SIGNATURE 1 analysed", None, [{**FINDING, "no_fix_reason": 3}]],
        ["SIGNATURE 1 analysed", None, [{**FINDING, "suppression": ["inSource", "4", "# nosec"]}]],
        ["SIGNATURE 1 analysed", None, [{**FINDING, "suppression": ["inSource", 4]}]],
        ["SIGNATURE 1 analysed", None, [{**FINDING, "fix": ["mkstemp", "safe", "text", "edit"]}]],
        ["SIGNATURE 1 analysed", None, [{**FINDING, "fix": ["mkstemp", "safe", 5]}]],
        "SIGNATURE",
        "SIGNATURE 1",
        "SIGNATURE 1 prefiltered extra",
        "SIGNATURE not-a-time prefiltered",
        "SIGNATURE 1 no-such-status",
        {"signature": "SIGNATURE"},
    ],
)
def test_corrupt_entry_ignored(project, entry):
    signature = cache_module.signature("clean.py")
    if isinstance(entry, str):
        entry = entry.replace("SIGNATURE", signature)
    elif isinstance(entry, list) and entry and isinstance(entry[0], str):
        entry = [entry[0].replace("SIGNATURE", signature), *entry[1:]]
    now = int(time.time())
    _write_entries(_cache(project), {"clean.py": entry, "other.py": f"{signature} {now} prefiltered"})

    cache = _cache(project)
    assert cache.lookup("clean.py", signature) is None
    assert cache.lookup("other.py", signature) == FileResult("other.py", ScanStatus.PREFILTERED)


@pytest.mark.parametrize(
    "text",
    [
        b"\x00not json{",
        b"",
        b"\xff\xfe\n",
        b'{"format": 2}\n["a list"]\n',
        b'{"format": 2}\n{"other.py": "x"}\n{"truncated',
        b'["format", 2]\n{}\n',
        b'{"format": 3}\n{}\n',
        b'{"format": "2"}\n{}\n',
    ],
)
def test_corrupt_file_ignored(project, text):
    _fill(project, ("clean.py",))
    cache = _cache(project)
    cache.path.write_bytes(text)

    assert _cache(project).lookup("clean.py", cache_module.signature("clean.py")) is None


def test_old_format_file_ignored(project):
    signature = cache_module.signature("clean.py")
    old_signature = [int(field, 16) for field in signature.split(":")]
    entry = [old_signature, time.time(), ["prefiltered", None, []]]
    document = {"format": 1, "entries": {"clean.py": entry}}
    cache = _cache(project)
    cache.path.parent.mkdir(parents=True)
    cache.path.write_text(json.dumps(document), encoding="utf-8")

    assert _cache(project).lookup("clean.py", signature) is None


def test_corrupt_file_replaced_on_save(project):
    cache = _cache(project)
    cache.path.parent.mkdir(parents=True)
    cache.path.write_bytes(b"\x00not json{")

    _fill(project, ("clean.py",))
    assert list(_read_entries(_cache(project))) == ["clean.py"]


def test_two_writers_merge(project):
    first, second = _cache(project), _cache(project)
    clean, flagged = scan_file("clean.py", "clean.py"), scan_file("flagged.py", "flagged.py")
    first.store("clean.py", cache_module.signature("clean.py"), clean)
    second.store("flagged.py", cache_module.signature("flagged.py"), flagged)
    first.save()
    second.save()

    reloaded = _cache(project)
    assert reloaded.lookup("clean.py", cache_module.signature("clean.py")) == clean
    assert reloaded.lookup("flagged.py", cache_module.signature("flagged.py")) == flagged


def test_writer_keeps_entries_it_did_not_use(project):
    _fill(project, ("clean.py", "flagged.py"))
    cache = _cache(project)
    broken = scan_file("broken.py", "broken.py")
    cache.store("broken.py", cache_module.signature("broken.py"), broken)
    cache.save()

    assert sorted(_read_entries(_cache(project))) == ["broken.py", "clean.py", "flagged.py"]


def test_save_without_change_writes_nothing(project):
    _fill(project, ("clean.py",))
    cache = _cache(project)
    before = cache.path.stat()
    assert cache.lookup("clean.py", cache_module.signature("clean.py")) is not None
    cache.save()

    after = cache.path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_recently_modified_file_not_stored(project):
    (project / "clean.py").write_text(CLEAN, encoding="utf-8")
    cache = _cache(project)
    cache.store("clean.py", cache_module.signature("clean.py"), scan_file("clean.py", "clean.py"))
    cache.save()
    assert not cache.path.exists()


def test_old_entry_refreshed_when_used(project):
    signature = cache_module.signature("clean.py")
    now = int(time.time())
    two_days_ago = now - 2 * DAY
    _write_entries(_cache(project), {"clean.py": f"{signature} {two_days_ago} prefiltered"})

    cache = _cache(project)
    assert cache.lookup("clean.py", signature) == FileResult("clean.py", ScanStatus.PREFILTERED)
    cache.save()

    stored_signature, seen, status = _read_entries(_cache(project))["clean.py"].split(" ")
    assert (stored_signature, status) == (signature, "prefiltered")
    assert int(seen) >= now


def test_refresh_keeps_findings(project):
    (original,) = _fill(project, ("flagged.py",)).values()
    cache = _cache(project)
    entries = _read_entries(cache)
    signature, _, status = entries["flagged.py"][0].split(" ")
    entries["flagged.py"][0] = f"{signature} {int(time.time()) - 2 * DAY} {status}"
    _write_entries(cache, entries)

    refreshing = _cache(project)
    assert refreshing.lookup("flagged.py", signature) == original
    refreshing.save()

    assert _cache(project).lookup("flagged.py", signature) == original


def test_unseen_entry_expires_after_30_days(project):
    signature = cache_module.signature("clean.py")
    now = int(time.time())
    _write_entries(
        _cache(project),
        {
            "expired.py": f"{signature} {now - 31 * DAY} prefiltered",
            "kept.py": f"{signature} {now - 10 * DAY} prefiltered",
        },
    )

    cache = _cache(project)
    cache.store("clean.py", signature, scan_file("clean.py", "clean.py"))
    cache.save()

    assert sorted(_read_entries(_cache(project))) == ["clean.py", "kept.py"]


def test_entries_written_in_chunks(project, monkeypatch):
    monkeypatch.setattr(cache_module, "_ENTRIES_PER_LINE", 2)
    signature = cache_module.signature("clean.py")
    cache = _cache(project)
    for number in range(5):
        cache.store(f"file{number}.py", signature, FileResult(f"file{number}.py", ScanStatus.PREFILTERED))
    cache.save()

    lines = cache.path.read_text(encoding="utf-8").splitlines()
    assert [len(json.loads(line)) for line in lines[1:]] == [2, 2, 1]
    reloaded = _cache(project)
    for number in range(5):
        assert reloaded.lookup(f"file{number}.py", signature) is not None
