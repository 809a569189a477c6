"""Retention and deletion remove every row of a conversation, on SQLite and PostgreSQL."""
from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, Optional

import pytest
import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from privacy import retention
from rasa_server.stores.masking_tracker_store import MaskingSQLTrackerStore
from storage import conversations
from municipalities import catalogue
from tests.support.municipalities import copy_municipalities

ROOT = Path(__file__).resolve().parents[2]
DAY = 86_400
NOW = time.time()



def store_conversation(sender_id: str, age_days: float, municipality: Optional[str] = None) -> None:
    """A conversation whose every event is `age_days` old, stored through the real store."""
    at = NOW - age_days * DAY
    events = [SlotSet("municipality", municipality, timestamp=at)] if municipality else []
    events += [
        ActionExecuted("action_listen", timestamp=at),
        UserUttered("hei, jeg er 17", {"name": "greet", "confidence": 1.0}, timestamp=at),
        ActionExecuted("utter_greet", timestamp=at),
        BotUttered("Hei!", timestamp=at),
        ActionExecuted("action_listen", timestamp=at),
    ]
    tracker = DialogueStateTracker.from_events(sender_id, events)
    asyncio.run(MaskingSQLTrackerStore(domain=Domain.empty()).save(tracker))


def rows(url: str) -> Dict[str, Dict[str, int]]:
    """{table: {sender_id: number of rows}} for events and conversation_feedback."""
    engine = sa.create_engine(url, future=True)
    conversations.ensure_schema(engine)
    counts: Dict[str, Dict[str, int]] = {}
    with engine.connect() as conn:
        for table in ("events", "conversation_feedback"):
            result = conn.execute(sa.text(f"SELECT sender_id, COUNT(*) FROM {table} GROUP BY sender_id"))
            counts[table] = dict(result.all())
    engine.dispose()
    return counts


def test_retention_deletes_whole_old_conversations(database):
    url, _ = database
    store_conversation("old", age_days=45)
    store_conversation("recent", age_days=2)
    engine = sa.create_engine(url, future=True)
    conversations.add_feedback(engine, "old", "up", bot_text="Hei!")
    conversations.add_feedback(engine, "recent", "down", bot_text="Hei!")
    engine.dispose()

    assert retention.main(["--days", "30"]) == 0  # URL from the TRACKER_* settings

    after = rows(url)
    assert after["events"] == {"recent": 5}
    assert after["conversation_feedback"] == {"recent": 1}


def test_a_conversation_with_one_recent_event_is_kept_whole(database):
    url, _ = database
    store_conversation("mixed", age_days=60)
    engine = sa.create_engine(url, future=True)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE events SET timestamp = :t WHERE id = (SELECT MAX(id) FROM events)"), {"t": NOW})
    engine.dispose()
    assert retention.sweep(30, url) == 0
    assert rows(url)["events"] == {"mixed": 5}


@pytest.fixture
def municipalities_with_days(tmp_path, monkeypatch):
    """kommune-a keeps 30 days (its folder), kommune-b sets none (RETENTION_DAYS: 7), kommune-c 3."""
    folder = copy_municipalities(tmp_path)
    b = folder / "kommune-b" / "municipality.yml"
    b.write_text(b.read_text(encoding="utf-8").replace("retention_days: 30\n", ""), encoding="utf-8")
    (folder / "kommune-c").mkdir()
    (folder / "kommune-c" / "municipality.yml").write_text(
        "name: Kommune C\nretention_days: 3\npathway_starts_with: [fastlege]\n", encoding="utf-8")
    (folder / "kommune-c" / "contacts.yml").write_text("contacts: []\n", encoding="utf-8")
    monkeypatch.setenv("MUNICIPALITIES_DIR", str(folder))
    monkeypatch.setenv("RETENTION_DAYS", "7")
    catalogue.load.cache_clear()
    yield
    catalogue.load.cache_clear()


def test_each_municipality_keeps_its_own_days(database, municipalities_with_days):
    url, _ = database
    store_conversation("a-ten-days", age_days=10, municipality="kommune-a")
    store_conversation("b-ten-days", age_days=10, municipality="kommune-b")
    store_conversation("b-five-days", age_days=5, municipality="kommune-b")
    store_conversation("c-four-days", age_days=4, municipality="kommune-c")
    store_conversation("c-two-days", age_days=2, municipality="kommune-c")
    store_conversation("none-ten-days", age_days=10)  # from before municipalities: the default's (A, 30)
    store_conversation("a-forty-days", age_days=40, municipality="kommune-a")
    assert retention.main([]) == 0
    assert set(rows(url)["events"]) == {"a-ten-days", "b-five-days", "c-two-days", "none-ten-days"}
    assert retention.main(["--days", "3"]) == 0  # --days overrides every folder
    assert set(rows(url)["events"]) == {"c-two-days"}


def test_delete_conversation_removes_every_row(database):
    url, _ = database
    store_conversation("resident", age_days=1)
    store_conversation("other", age_days=1)
    engine = sa.create_engine(url, future=True)
    conversations.add_feedback(engine, "resident", "up")
    conversations.add_feedback(engine, "other", "up")
    assert conversations.delete_conversation(engine, "resident") == 5
    engine.dispose()
    after = rows(url)
    assert after["events"] == {"other": 5}
    assert after["conversation_feedback"] == {"other": 1}


def test_orphaned_feedback_goes_when_old(database):
    url, _ = database
    store_conversation("kept", age_days=1)
    engine = sa.create_engine(url, future=True)
    conversations.add_feedback(engine, "gone-long-ago", "down")
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE conversation_feedback SET created_at = :t"), {"t": NOW - 40 * DAY})
    engine.dispose()
    retention.sweep(30, url)
    assert rows(url)["conversation_feedback"] == {}


def test_negative_days_are_refused():
    with pytest.raises(SystemExit):
        retention.main(["--days", "-1"])


def test_loop_mode_sweeps_and_stops_on_sigterm(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    env = dict(os.environ, TRACKER_DIALECT="sqlite", TRACKER_DB=str(tmp_path / "tracker.db"), PYTHONPATH=str(ROOT))
    old = subprocess.run(
        [sys.executable, "-c", "from tests.privacy.test_retention import store_conversation; store_conversation('old', 90)"],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )
    assert old.returncode == 0, old.stderr
    process = subprocess.Popen(
        [sys.executable, "-m", "privacy.retention", "--days", "30", "--every", "60"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and rows(url)["events"]:
            time.sleep(0.2)
        assert rows(url)["events"] == {}
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0
    assert "deleted 1 conversation(s) older than 30 day(s)" in output
    assert "old" not in output.replace("older", "")  # sender ids are never logged


def test_deleted_text_is_gone_from_the_sqlite_file(tmp_path, monkeypatch):
    """Not only the rows: SQLite must not keep the deleted text in its free pages."""
    database = tmp_path / "tracker.db"
    monkeypatch.setenv("TRACKER_DIALECT", "sqlite")
    monkeypatch.setenv("TRACKER_DB", str(database))
    marker = "spiseforstyrrelse-merke"
    for sender_id, age_days in (("to-delete", 1), ("too-old", 90)):
        tracker = DialogueStateTracker.from_events(
            sender_id, [UserUttered(f"jeg sliter med {marker} {sender_id}", timestamp=NOW - age_days * DAY)]
        )
        asyncio.run(MaskingSQLTrackerStore(domain=Domain.empty()).save(tracker))
    # the tracker store writes in WAL mode: the text is in tracker.db or tracker.db-wal
    on_disk = lambda: b"".join(p.read_bytes() for p in tmp_path.glob("tracker.db*"))  # noqa: E731
    assert f"{marker} to-delete".encode() in on_disk()

    engine = sa.create_engine(f"sqlite:///{database}", future=True)
    # as on SQLite builds without SQLITE_SECURE_DELETE (Debian's has it on by default)
    sa.event.listen(engine, "connect", lambda dbapi, _: dbapi.execute("PRAGMA secure_delete = OFF"))
    conversations.delete_conversation(engine, "to-delete")
    conversations.delete_older_than(engine, 30)
    engine.dispose()
    assert marker.encode() not in on_disk()
