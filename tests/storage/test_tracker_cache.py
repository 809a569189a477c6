"""The tracker store keeps the trackers of active conversations between turns, but only serves
one after the database confirms it is current: another server's turn, a turn never saved and a
deleted conversation all make it read the database again. On SQLite and PostgreSQL."""
import asyncio

import sqlalchemy as sa
from rasa.shared.core.events import ActionExecuted, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker

from rasa_server.stores.tracker_store import ConfiguredSQLTrackerStore, _TrackerCache
from tests.privacy.conftest import database  # noqa: F401 - the fixture
from tests.storage.test_stored_event_count import DOMAIN, _turn
from tests.support.tracker_reads import TrackerReads


def _events(tracker):
    return [event.as_dict() for event in tracker.events]


def _started_conversation(store, sender):
    """A conversation as Rasa's processor leaves it after its first and second message."""
    tracker = asyncio.run(store.get_or_create_tracker(sender))
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    tracker.update(ActionExecuted("action_listen"))
    _turn(tracker, "første")
    asyncio.run(store.save(tracker))
    tracker = asyncio.run(store.retrieve(sender))  # read from the database: kept from now on
    _turn(tracker, "andre")
    asyncio.run(store.save(tracker))
    return tracker


def test_the_next_turn_gets_the_kept_tracker_equal_to_a_fresh_read(database, monkeypatch):  # noqa: F811
    store = ConfiguredSQLTrackerStore(domain=DOMAIN)
    saved = _started_conversation(store, "cache-1")
    rebuilds = TrackerReads(monkeypatch)
    again = asyncio.run(store.retrieve("cache-1"))
    assert again is saved and rebuilds.count == 0
    fresh = asyncio.run(ConfiguredSQLTrackerStore(domain=DOMAIN).retrieve("cache-1"))
    assert rebuilds.count == 1
    assert _events(fresh) == _events(again)
    assert fresh.current_slot_values() == again.current_slot_values()


def test_a_turn_stored_by_another_server_is_read_from_the_database(database):  # noqa: F811
    server_a = ConfiguredSQLTrackerStore(domain=DOMAIN)
    server_b = ConfiguredSQLTrackerStore(domain=DOMAIN)
    _started_conversation(server_a, "cache-2")
    on_b = asyncio.run(server_b.retrieve("cache-2"))
    _turn(on_b, "tredje, på den andre serveren")
    asyncio.run(server_b.save(on_b))
    on_a = asyncio.run(server_a.retrieve("cache-2"))
    assert _events(on_a) == _events(on_b)
    texts = [event.text for event in on_a.events if event.type_name == "user"]
    assert texts == ["første", "andre", "tredje, på den andre serveren"]


def test_a_turn_never_saved_is_not_served(database):  # noqa: F811
    store = ConfiguredSQLTrackerStore(domain=DOMAIN)
    tracker = _started_conversation(store, "cache-3")
    _turn(tracker, "feilet før lagring")  # the turn failed before its save
    again = asyncio.run(store.retrieve("cache-3"))
    assert again is not tracker
    assert [e.text for e in again.events if e.type_name == "user"] == ["første", "andre"]


def test_a_deleted_conversation_is_not_served(database):  # noqa: F811
    url, _ = database
    store = ConfiguredSQLTrackerStore(domain=DOMAIN)
    _started_conversation(store, "cache-4")
    engine = sa.create_engine(url)
    with engine.begin() as connection:  # the retention job or a staff deletion
        connection.execute(sa.text("DELETE FROM events WHERE sender_id = 'cache-4'"))
    engine.dispose()
    assert asyncio.run(store.retrieve("cache-4")) is None


def _tracker(sender):
    tracker = DialogueStateTracker.from_events(sender, [SessionStarted()], DOMAIN.slots)
    return tracker


def test_the_cache_is_bounded_in_size_and_idle_time(monkeypatch):
    import rasa_server.stores.tracker_store as module

    now = [1000.0]
    monkeypatch.setattr(module.time, "monotonic", lambda: now[0])
    cache = _TrackerCache(size=2, idle_seconds=60)
    for number in range(3):
        cache.keep(_tracker(f"s{number}"), last_event_id=number)
    assert len(cache) == 2 and cache.candidate("s0") is None
    assert cache.candidate("s2") is not None
    cache.keep(_tracker("s3"), last_event_id=3)
    now[0] += 61
    assert cache.candidate("s3") is None
    cache.keep(_tracker("s4"), last_event_id=4)
    assert len(cache) == 1, "idle trackers are dropped when another is kept"


def test_a_tracker_with_events_before_its_session_start_is_not_kept():
    cache = _TrackerCache()
    tracker = DialogueStateTracker.from_events(
        "s", [ActionExecuted("action_session_start"), SessionStarted()], DOMAIN.slots)
    cache.keep(tracker, last_event_id=2)
    assert len(cache) == 0
