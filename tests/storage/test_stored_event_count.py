"""The tracker store writes each event exactly once, also with its known-count shortcut:
turns read back from the database, copies of a tracker and a new session within a turn.
On SQLite and PostgreSQL (the privacy tests' `database` fixture)."""
import asyncio
import json
from copy import deepcopy

import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered

from rasa_server.stores.tracker_store import ConfiguredSQLTrackerStore
from tests.privacy.conftest import database  # noqa: F401 - the fixture

DOMAIN = Domain.from_dict({"intents": ["greet"], "responses": {"utter_ok": [{"text": "ok"}]}})


def _turn(tracker, text):
    tracker.update(UserUttered(text, {"name": "greet", "confidence": 1.0}))
    tracker.update(ActionExecuted("utter_ok"))
    tracker.update(BotUttered(f"svar på {text}"))
    tracker.update(ActionExecuted("action_listen"))


def _stored_texts(url, sender):
    engine = sa.create_engine(url, future=True)
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT type_name, data FROM events WHERE sender_id = :s ORDER BY id"), {"s": sender}).all()
    engine.dispose()
    return rows


def test_every_event_is_stored_once_across_turns_copies_and_sessions(database):  # noqa: F811
    url, _ = database
    store = ConfiguredSQLTrackerStore(domain=DOMAIN)
    sender = "count-1"
    tracker = asyncio.run(store.get_or_create_tracker(sender))
    _turn(tracker, "en")
    asyncio.run(store.save(tracker))
    asyncio.run(store.save(tracker))  # saving again writes nothing

    for text in ("to", "tre"):  # later turns read back from the database, like Rasa's processor
        tracker = asyncio.run(store.retrieve(sender))
        _turn(tracker, text)
        asyncio.run(store.save(tracker))

    copy = deepcopy(tracker)  # a deep copy carries the mark but must not trust it
    _turn(tracker, "fire")
    asyncio.run(store.save(tracker))
    _turn(copy, "fem")
    # Rasa's COUNT decides for the copy, as without the shortcut: it sees as many stored events
    # as the copy holds and writes nothing (a trusted mark would have written "fem")
    asyncio.run(store.save(copy))

    tracker = asyncio.run(store.retrieve(sender))
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    tracker.update(ActionExecuted("action_listen"))
    _turn(tracker, "seks")
    asyncio.run(store.save(tracker))

    rows = _stored_texts(url, sender)
    users = [json.loads(r.data)["text"] for r in rows if r.type_name == "user"]
    assert users == ["en", "to", "tre", "fire", "seks"]
    assert len(rows) == len(set((r.type_name, r.data) for r in rows))
    assert len(asyncio.run(store.retrieve(sender)).events) == 2 + 4  # the new session only
