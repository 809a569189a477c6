"""Fuzzing the real channels: one real Rasa server (+ action server) per test module.

The figures (inputs tried per target) are printed in pytest's terminal summary, so they show
whatever the capture mode. Set FUZZ_EXPLORE=1 for a run ten times longer with fresh random
inputs (see FUZZ_SETTINGS).
"""
from __future__ import annotations

import os
import re
import sqlite3
from collections import Counter
from pathlib import Path

import pytest
import requests
from hypothesis import HealthCheck, settings

from cluster.local_assistant import running_assistant

ALLOWED_ORIGIN = "http://fuzz.test"
EXPLORE = os.environ.get("FUZZ_EXPLORE") == "1"
EXPLORE_FACTOR = 10

# derandomize: CI tries the same inputs on every run, so a red build is reproducible from its
# log and never flaky; fresh inputs cost nothing to find but a lot to chase on a shared 2-core
# runner. Exploring with new random inputs is a deliberate act: FUZZ_EXPLORE=1 (and a failure
# found that way becomes an @example or a regression test). No example database: CI starts
# from a clean checkout, and replaying old failures would make local runs differ from CI.
FUZZ_SETTINGS = dict(
    derandomize=not EXPLORE,
    database=None,
    deadline=None,  # a live server on a busy machine: latency is not what is tested here
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.function_scoped_fixture],
    print_blob=True,
)


def fuzz_settings(max_examples: int) -> settings:
    return settings(max_examples=max_examples * (EXPLORE_FACTOR if EXPLORE else 1), **FUZZ_SETTINGS)


# Lines in rasa.log that show an input broke something: a traceback, an exception Rasa caught
# and logged as structured JSON ("exc_type"), or the REST channel's "message lost" event
FAILURE_MARKERS = re.compile(r"Traceback|Exception|exc_type|message\.received\.failure")


def failures_in_log(log: Path) -> list[str]:
    lines = log.read_text(errors="replace").splitlines()
    return [line[:400] for line in lines if FAILURE_MARKERS.search(line)]


_tried: Counter = Counter()


@pytest.fixture(scope="session")
def tally() -> Counter:
    """Counts the inputs tried per target (hypothesis' own examples plus the @example cases)."""
    return _tried


def pytest_terminal_summary(terminalreporter):
    """The figures, after the test results. Not a print to sys.__stdout__ from a fixture:
    pytest's default capture works on file descriptor 1, so such a print only showed up as
    "Captured stdout teardown" of a failing test."""
    if not _tried:
        return
    write = terminalreporter.write_line
    write("")
    write("Fuzzing: inputs tried per target" + (" (FUZZ_EXPLORE)" if EXPLORE else ""))
    for target, count in sorted(_tried.items()):
        write(f"  {target:<55} {count:>6}")
    write(f"  {'total':<55} {sum(_tried.values()):>6}")


@pytest.fixture(scope="module")
def assistant(tmp_path_factory, tally):
    """The real Rasa server and action server for this module, with a fresh SQLite tracker."""
    workdir = tmp_path_factory.mktemp("fuzz")
    env = {
        "ALLOWED_ORIGINS": ALLOWED_ORIGIN,
        # Sanic waits up to 15 s at shutdown for open connections; the fuzzed sockets leave
        # long-polls behind, and their fate after the last test is not what is tested here
        "SANIC_GRACEFUL_SHUTDOWN_TIMEOUT": "2",
    }
    with running_assistant(workdir, env_overrides=env) as bot:
        yield bot


def assert_still_answering(bot, sender: str = "fuzz-health-check") -> None:
    """The server process is alive and answers an ordinary message with a real reply."""
    rasa_pid = bot.pids["rasa"]
    assert Path(f"/proc/{rasa_pid}").exists(), "the Rasa server process is gone"
    reply = requests.post(bot.rest_url, json={"sender": sender, "message": "hva er et pakkeforløp?"}, timeout=30)
    assert reply.status_code == 200
    assert reply.json() and reply.json()[0].get("text"), reply.text


def user_events(bot, sender: str) -> list[str]:
    """The stored text of every user message of a conversation, from the tracker database."""
    import json

    try:
        sender.encode("utf-8")
    except UnicodeEncodeError:
        return []  # SQLite cannot hold it, so no message can be stored under it
    with sqlite3.connect(f"file:{bot.workdir / 'tracker.db'}?mode=ro", uri=True) as connection:
        rows = connection.execute(
            "SELECT data FROM events WHERE sender_id = ? AND type_name = 'user' ORDER BY id", (sender,)
        ).fetchall()
    return [json.loads(row[0]).get("text") for row in rows]
