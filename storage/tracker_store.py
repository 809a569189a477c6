"""Rasa's SQLTrackerStore configured from settings.py (SQLite by default, PostgreSQL by env).

endpoints.yml names this class, so the database is chosen by environment / .env without
editing YAML.
"""
from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any, Iterator, Optional

import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import event

import settings


def _fast_sqlite_commits(dbapi_connection: Any, _record: Any) -> None:
    """WAL with synchronous=NORMAL: a commit no longer waits for fsync (1.25 ms -> 0.03 ms here),
    which matters because Rasa commits on its event loop and every resident waits for it.
    A crash of the process loses nothing; a power cut can lose the last commits, never corrupt
    the file. PostgreSQL is the store for deployments that need more (README)."""
    dbapi_connection.execute("PRAGMA journal_mode=WAL")
    dbapi_connection.execute("PRAGMA synchronous=NORMAL")


class ConfiguredSQLTrackerStore(SQLTrackerStore):
    def __init__(
        self,
        domain: Optional[Domain] = None,
        event_broker: Optional[EventBroker] = None,
        **kwargs: Any,
    ) -> None:
        conf = settings.load()
        if conf.tracker_dialect == "sqlite":
            Path(conf.tracker_db).parent.mkdir(parents=True, exist_ok=True)
        super().__init__(
            domain=domain,
            dialect=conf.tracker_dialect,
            host=conf.tracker_host,
            port=conf.tracker_port,
            db=conf.tracker_db,
            username=conf.tracker_user,
            password=conf.tracker_password,
            event_broker=event_broker,
            **{k: v for k, v in kwargs.items() if k in ("login_db", "query")},
        )
        # After a PostgreSQL restart every pooled connection is dead; Rasa creates the engine
        # without pool_pre_ping, so the first read would fail (tests/faults/test_tracker_store_reconnect.py)
        self.engine.pool._pre_ping = True  # what create_engine(pool_pre_ping=True) sets (SQLAlchemy 1.4)
        if conf.tracker_dialect == "sqlite":
            self._use_pooled_sqlite_connections()

    def _use_pooled_sqlite_connections(self) -> None:
        """SQLAlchemy 1.4 opens and closes a new SQLite connection for every session of a file
        database (NullPool); closing them cost 5 % of the server's time in a profile. Rasa runs
        the store on one event-loop thread, so a small pool of kept connections is safe."""
        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(
            url, poolclass=sa.pool.QueuePool, pool_size=2, max_overflow=8,
            connect_args={"check_same_thread": False},
        )
        event.listen(self.engine, "connect", _fast_sqlite_commits)
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    # Which events are new? Rasa asks the database on every save: a COUNT over the latest session
    # (8 % of the server's time in a profile). The turn's tracker was read from the database
    # just before, under the conversation's lock, so the number of stored events is known: it
    # is kept on the tracker object and the COUNT runs only for trackers not read here.
    async def retrieve(self, sender_id: str) -> Optional[DialogueStateTracker]:
        tracker = await super().retrieve(sender_id)
        _remember_stored(tracker)
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        await super().save(tracker)
        _remember_stored(tracker)

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator:
        stored = getattr(tracker, STORED_EVENTS_ATTRIBUTE, None)
        if stored is None or stored[0] != id(tracker):
            return super()._additional_events(session, tracker)
        return itertools.islice(tracker.events, stored[1], len(tracker.events))


STORED_EVENTS_ATTRIBUTE = "_forlop_stored_events"


def _remember_stored(tracker: Optional[DialogueStateTracker]) -> None:
    """Marks every event the tracker holds now as stored (it was just read or written). The
    object's id is kept too: a copy (tracker.copy() deep-copies the mark) falls back to COUNT."""
    if tracker is not None and tracker.events.maxlen is None:
        setattr(tracker, STORED_EVENTS_ATTRIBUTE, (id(tracker), len(tracker.events)))
