"""Isolation of one file's analysis: an exception or a time-out is reported for that
file, and the scan goes on with every other file's findings intact.

The failures are injected by replacing `tmpguard.engine._analyse` for files that
contain a marker word, and the CLI runs in-process so that the replacement applies.
"""

from __future__ import annotations

import json
import logging
import signal
import threading
import time

import jsonschema
import pytest

from conftest import run_tmpguard
from tmpguard import cli, engine
from tmpguard.findings import FileResult, ScanStatus
from tmpguard.isolation import TimeLimitExceeded, run_isolated, time_limit

GOOD_SOURCE = "import tempfile\n\n\npath = tempfile.mktemp()\n"


@pytest.fixture
def tree(tmp_path):
    """A folder with good.py (finding at 4:8) and bad.py, whose analysis is sabotaged."""
    (tmp_path / "good.py").write_text(GOOD_SOURCE, encoding="utf-8")
    (tmp_path / "bad.py").write_text("import tempfile\nSABOTAGE = tempfile.mktemp()\n", encoding="utf-8")
    return tmp_path


def sabotage(monkeypatch, action) -> None:
    """Run `action` instead of the analysis for files that contain SABOTAGE."""
    analyse = engine._analyse

    def sabotaged(source, data):
        if "SABOTAGE" in source.text:
            return action()
        return analyse(source, data)

    monkeypatch.setattr(engine, "_analyse", sabotaged)


def scan(folder, *options: str, output_format: str = "json") -> tuple[int, dict]:
    output = folder / f"report.{output_format}"
    # One job: the sabotaged analyser and the captured log records live in this process.
    code = cli.main(["scan", str(folder), "--jobs", "1", "--format", output_format, "--output", str(output), *options])
    return code, json.loads(output.read_text(encoding="utf-8"))


def raise_runtime_error():
    raise RuntimeError("injected failure")


def good_positions(report: dict) -> list[tuple[int, int]]:
    return [
        (item["start_line"], item["start_column"])
        for item in report["findings"]
        if item["artifact_uri"].endswith("good.py")
    ]


def test_analyser_exception_reported(tree, monkeypatch, caplog):
    sabotage(monkeypatch, raise_runtime_error)

    code, report = scan(tree)

    assert code == cli.EXIT_FINDINGS
    assert [item["reason"] for item in report["not_scanned"]] == ["internal error: RuntimeError: injected failure"]
    assert report["not_scanned"][0]["artifact_uri"].endswith("bad.py")
    assert good_positions(report) == [(4, 8)]
    errors = [record.getMessage() for record in caplog.records if record.levelno == logging.ERROR]
    assert len(errors) == 1
    assert errors[0].endswith("bad.py: not scanned: internal error: RuntimeError: injected failure")


def test_analyser_exception_alone_exits_3(tree, monkeypatch):
    sabotage(monkeypatch, raise_runtime_error)
    (tree / "good.py").unlink()

    code, report = scan(tree)

    assert code == cli.EXIT_NOT_SCANNED
    assert report["summary"]["files_not_scanned"] == 1


def test_recursion_error_in_analyser_reported(tree, monkeypatch):
    def recurse():
        return recurse()

    sabotage(monkeypatch, recurse)

    code, report = scan(tree)

    assert code == cli.EXIT_FINDINGS
    assert report["not_scanned"][0]["reason"].startswith("internal error: RecursionError: maximum recursion depth")
    assert good_positions(report) == [(4, 8)]


def test_internal_error_in_sarif(tree, monkeypatch, sarif_schema):
    sabotage(monkeypatch, raise_runtime_error)

    code, report = scan(tree, output_format="sarif")

    assert code == cli.EXIT_FINDINGS
    jsonschema.validate(report, sarif_schema)
    invocation = report["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    [notification] = invocation["toolExecutionNotifications"]
    assert notification["message"]["text"].endswith("bad.py: not scanned: internal error: RuntimeError: injected failure")
    assert len(report["runs"][0]["results"]) == 1


def test_slow_analysis_times_out(tree, monkeypatch):
    sabotage(monkeypatch, lambda: time.sleep(30))

    started = time.monotonic()
    code, report = scan(tree, "--timeout", "0.5")
    elapsed = time.monotonic() - started

    assert code == cli.EXIT_FINDINGS
    assert [item["reason"] for item in report["not_scanned"]] == ["timed out after 0.5 s"]
    assert good_positions(report) == [(4, 8)]
    assert elapsed < 20, "the time limit did not stop the sleeping analysis"


def test_busy_loop_times_out(tree, monkeypatch):
    def spin():
        while True:
            pass

    sabotage(monkeypatch, spin)

    code, report = scan(tree, "--timeout", "0.2")

    assert code == cli.EXIT_FINDINGS
    assert [item["reason"] for item in report["not_scanned"]] == ["timed out after 0.2 s"]
    assert good_positions(report) == [(4, 8)]


def test_timeout_zero_means_no_limit(tree, monkeypatch):
    def slow_but_finishes():
        time.sleep(0.3)
        return [], None

    sabotage(monkeypatch, slow_but_finishes)

    code, report = scan(tree, "--timeout", "0")

    assert code == cli.EXIT_FINDINGS
    assert report["not_scanned"] == []
    assert good_positions(report) == [(4, 8)]


def test_time_limit_restores_handler_and_timer():
    def previous_handler(signum, frame):
        pass

    original = signal.signal(signal.SIGALRM, previous_handler)
    try:
        with time_limit(5):
            assert signal.getitimer(signal.ITIMER_REAL)[0] > 0
        assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
        assert signal.getsignal(signal.SIGALRM) is previous_handler

        with pytest.raises(TimeLimitExceeded):
            with time_limit(0.05):
                time.sleep(5)
        assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
        assert signal.getsignal(signal.SIGALRM) is previous_handler
    finally:
        signal.signal(signal.SIGALRM, original)


def test_time_limit_rearms_pending_alarm():
    original = signal.signal(signal.SIGALRM, lambda signum, frame: None)
    try:
        signal.setitimer(signal.ITIMER_REAL, 100, 7)
        with time_limit(5):
            pass
        delay, interval = signal.getitimer(signal.ITIMER_REAL)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, original)

    assert 90 < delay <= 100
    assert interval == 7


def test_time_limit_not_swallowed_by_except_exception():
    def careless():
        try:
            time.sleep(5)
        except Exception:  # the kind of handler an analyser might contain
            return FileResult("careless.py", ScanStatus.ANALYSED)
        return FileResult("careless.py", ScanStatus.ANALYSED)

    result = run_isolated("careless.py", 0.05, careless)

    assert result.status is ScanStatus.NOT_SCANNED
    assert result.reason == "timed out after 0.05 s"


def test_no_time_limit_outside_main_thread(caplog):
    results = []

    def work():
        time.sleep(0.1)
        return FileResult("threaded.py", ScanStatus.ANALYSED)

    caplog.set_level(logging.DEBUG, logger="tmpguard")
    thread = threading.Thread(target=lambda: results.append(run_isolated("threaded.py", 0.01, work)))
    thread.start()
    thread.join()

    assert [result.status for result in results] == [ScanStatus.ANALYSED]
    assert "no time limit: SIGALRM is unavailable in this process or thread" in caplog.messages


def test_long_exception_message_cut_to_one_short_line(tree, monkeypatch):
    def raise_long():
        raise ValueError("x" * 10_000)

    sabotage(monkeypatch, raise_long)

    _, report = scan(tree)

    reason = report["not_scanned"][0]["reason"]
    assert reason.startswith("internal error: ValueError: xxx")
    assert len(reason) == 300


@pytest.mark.parametrize("option", ["--timeout", "--max-file-size"])
@pytest.mark.parametrize("value", ["-1", "nan", "inf", "soon"])
def test_invalid_limit_is_usage_error(tmp_path, option, value):
    completed = run_tmpguard("scan", str(tmp_path), f"{option}={value}")

    assert completed.returncode == cli.EXIT_USAGE
    assert f"argument {option}: invalid value '{value}': expected a number of 0 or more" in completed.stderr
