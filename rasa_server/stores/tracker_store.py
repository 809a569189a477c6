"""Rasa's SQLTrackerStore configured from settings.py (SQLite by default, PostgreSQL by env).

endpoints.yml names this class, so the database is chosen by environment / .env without
editing YAML.
"""
from __future__ import annotations

import itertools
import json
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, SessionStarted
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


# Trackers kept in memory between the turns of a conversation (see _TrackerCache)
CACHED_CONVERSATIONS = 500
CACHE_IDLE_SECONDS = 15 * 60


@dataclass
class _Cached:
    tracker: DialogueStateTracker
    last_event_id: int  # the id of the conversation's newest row when the tracker was read or saved
    length: int  # len(tracker.events) then: a tracker changed but not saved has more
    used: float


class _TrackerCache:
    """Trackers of active conversations, so the next turn need not rebuild the tracker from
    every stored event (JSON, event objects, replay: the largest item of a profile, docs/performance.md).
    Used only after the database confirms that the conversation's newest row is still the one
    the tracker ends with: another server, a deletion or a new session all change it, and the
    tracker is then read from the database as before. Bounded in size and idle time, because
    it holds conversation text in memory (README "Privacy")."""

    def __init__(self, size: int = CACHED_CONVERSATIONS, idle_seconds: float = CACHE_IDLE_SECONDS) -> None:
        self._entries: "OrderedDict[str, _Cached]" = OrderedDict()
        self._size, self._idle = size, idle_seconds

    def candidate(self, sender_id: str) -> Optional[_Cached]:
        """The kept tracker if it may still be current (the caller checks the database)."""
        entry = self._entries.pop(sender_id, None)
        if entry is None or time.monotonic() - entry.used > self._idle:
            return None
        if len(entry.tracker.events) != entry.length:  # changed by a turn that was never saved
            return None
        return entry

    def keep(self, tracker: DialogueStateTracker, last_event_id: Optional[int]) -> None:
        self._entries.pop(tracker.sender_id, None)
        if last_event_id is None or not _cacheable(tracker):
            return
        self._entries[tracker.sender_id] = _Cached(tracker, last_event_id, len(tracker.events), time.monotonic())
        now = time.monotonic()
        while self._entries and (len(self._entries) > self._size
                                 or now - next(iter(self._entries.values())).used > self._idle):
            self._entries.popitem(last=False)

    def forget(self, sender_id: str) -> None:
        self._entries.pop(sender_id, None)

    def __len__(self) -> int:
        return len(self._entries)


def _cacheable(tracker: DialogueStateTracker) -> bool:
    """Only a tracker that holds exactly what a fresh read would give is kept. Rasa reads the
    latest session from its `session_started` on, so a tracker with events before that (the
    turn that started a session) is read from the database next time, and kept from then on."""
    if tracker.events.maxlen is not None:
        return False
    starts = [index for index, event in enumerate(tracker.events) if isinstance(event, SessionStarted)]
    return starts in ([], [0])


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
        self._cache = _TrackerCache()
        self._last_event_id_statement: Any = None
        self._insert: Any = None

    def _use_pooled_sqlite_connections(self) -> None:
        """SQLAlchemy 1.4 opens and closes a new SQLite connection for every session of a file
        database (NullPool); closing them showed in the profile (docs/performance.md). Rasa runs
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
    # (docs/performance.md). The turn's tracker was read from the database
    # just before, under the conversation's lock, so the number of stored events is known: it
    # is kept on the tracker object and the COUNT runs only for trackers not read here.
    async def retrieve(self, sender_id: str) -> Optional[DialogueStateTracker]:
        cached = self._cache.candidate(sender_id)
        if cached is not None and self._last_event_id(sender_id) == cached.last_event_id:
            self._cache.keep(cached.tracker, cached.last_event_id)  # kept again, as just used
            return cached.tracker
        tracker, last_event_id = self._retrieve_latest_session(sender_id)
        _remember_stored(tracker)
        if tracker is not None:
            self._cache.keep(tracker, last_event_id)
        return tracker

    def _last_event_id(self, sender_id: str, executor: Any = None) -> Optional[int]:
        """The id of the conversation's newest row (None: no rows). The statement is built once:
        building and keying a new one cost 0.45 ms a call, the prepared one 0.08 ms."""
        if self._last_event_id_statement is None:
            table = self.SQLEvent.__table__
            self._last_event_id_statement = sa.select(sa.func.max(table.c.id)).where(
                table.c.sender_id == sa.bindparam("sender_id"))
        if executor is None:
            with self.engine.connect() as connection:
                return connection.execute(self._last_event_id_statement, {"sender_id": sender_id}).scalar()
        return executor.execute(self._last_event_id_statement, {"sender_id": sender_id}).scalar()

    def _retrieve_latest_session(self, sender_id: str) -> "tuple[Optional[DialogueStateTracker], Optional[int]]":
        """Rasa's SQLTrackerStore._retrieve for the latest session, also returning the newest row's id."""
        with self.session_scope() as session:
            rows = self._event_query(session, sender_id, fetch_events_from_all_sessions=False).all()
            if not self.domain or not rows:
                return None, None
            events = [json.loads(row.data) for row in rows]
            return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots), rows[-1].id

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Rasa's SQLTrackerStore.save, with one multi-row INSERT instead of the ORM's unit of
        work (docs/performance.md), keeping the newest row's id for the cache."""
        await self.stream_events(tracker)
        self._cache.forget(tracker.sender_id)
        # kept afterwards only if its stored part is known (read or saved here, not a copy)
        known = _stored_mark_valid(tracker)
        with self.session_scope() as session:
            written = list(self._additional_events(session, tracker))
            if written:
                session.execute(self._insert_statement, [self._row(tracker.sender_id, event) for event in written])
            # under the conversation's lock nobody else adds rows for it in between
            last_event_id = self._last_event_id(tracker.sender_id, session)
            session.commit()
        _remember_stored(tracker)
        kept = self._tracker_to_keep(tracker, written) if known else None
        if kept is not None:
            _remember_stored(kept)
            self._cache.keep(kept, last_event_id)

    def _tracker_to_keep(self, tracker: DialogueStateTracker, written: List[Event]) -> Optional[DialogueStateTracker]:
        """The tracker kept for the conversation's next turn, after `written` (the tracker's last
        events, as stored) were saved: the tracker itself here; the masking store keeps one built
        from what it stored (rasa_server/stores/masking_tracker_store.py)."""
        return tracker

    @property
    def _insert_statement(self) -> Any:
        if self._insert is None:
            self._insert = self.SQLEvent.__table__.insert()
        return self._insert

    @staticmethod
    def _row(sender_id: str, event: Any) -> Dict[str, Any]:
        data = event.as_dict()
        return {
            "sender_id": sender_id,
            "type_name": event.type_name,
            "timestamp": data.get("timestamp"),
            "intent_name": data.get("parse_data", {}).get("intent", {}).get("name"),
            "action_name": data.get("name"),
            "data": json.dumps(data),
        }

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator:
        if not _stored_mark_valid(tracker):
            return super()._additional_events(session, tracker)
        stored = getattr(tracker, STORED_EVENTS_ATTRIBUTE)
        return itertools.islice(tracker.events, stored[1], len(tracker.events))


STORED_EVENTS_ATTRIBUTE = "_forlop_stored_events"


def _remember_stored(tracker: Optional[DialogueStateTracker]) -> None:
    """Marks every event the tracker holds now as stored (it was just read or written). The
    object's id is kept too: a copy (tracker.copy() deep-copies the mark) falls back to COUNT."""
    if tracker is not None and tracker.events.maxlen is None:
        setattr(tracker, STORED_EVENTS_ATTRIBUTE, (id(tracker), len(tracker.events)))


def _stored_mark_valid(tracker: DialogueStateTracker) -> bool:
    stored = getattr(tracker, STORED_EVENTS_ATTRIBUTE, None)
    return stored is not None and stored[0] == id(tracker)
