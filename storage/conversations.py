"""Direct access to stored conversations: feedback, deletion and retention.

Works on the same database as the tracker store (SQLite file or PostgreSQL), reached with
SQLAlchemy Core. Rasa's SQLTrackerStore keeps every event of a conversation as a row of the
`events` table keyed by `sender_id`; resident feedback lives beside it in
`conversation_feedback`, so deleting a conversation removes both.
"""
from __future__ import annotations

import json
import time
from typing import Dict, List, Mapping, Optional

import sqlalchemy as sa
from sqlalchemy.engine import Engine

import settings

EVENTS_TABLE = "events"  # the table name Rasa's SQLTrackerStore uses
SECONDS_PER_DAY = 86_400
VALID_RATINGS = ("up", "down")

metadata = sa.MetaData()

feedback_table = sa.Table(
    "conversation_feedback",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("sender_id", sa.String(255), nullable=False, index=True),
    sa.Column("rating", sa.String(8), nullable=False),
    sa.Column("bot_text", sa.Text, nullable=True),
    # timestamp of the rated BotUttered event when it can be found, else None
    sa.Column("bot_event_timestamp", sa.Float, nullable=True),
    sa.Column("created_at", sa.Float, nullable=False),
)


def engine_from_settings(conf: Optional[settings.Settings] = None) -> Engine:
    conf = conf or settings.load()
    return sa.create_engine(conf.tracker_url, future=True)


def ensure_schema(engine: Engine) -> None:
    metadata.create_all(engine)


def add_feedback(
    engine: Engine,
    sender_id: str,
    rating: str,
    bot_text: Optional[str] = None,
    bot_event_timestamp: Optional[float] = None,
) -> None:
    if rating not in VALID_RATINGS:
        raise ValueError(f"rating must be one of {VALID_RATINGS}, not {rating!r}")
    ensure_schema(engine)
    with engine.begin() as conn:
        conn.execute(
            feedback_table.insert().values(
                sender_id=sender_id,
                rating=rating,
                bot_text=bot_text,
                bot_event_timestamp=bot_event_timestamp,
                created_at=time.time(),
            )
        )


def _erase_on_delete(conn: sa.engine.Connection) -> None:
    """SQLite keeps deleted rows in free pages unless told to overwrite them (some builds do)."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("PRAGMA secure_delete = ON")


def _checkpoint(engine: Engine) -> None:
    """On SQLite in WAL mode (the tracker store's), copy the overwritten pages into the file and
    empty the WAL, so the deleted text does not stay in the -wal file either."""
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def _events(engine: Engine) -> sa.Table:
    return sa.Table(EVENTS_TABLE, sa.MetaData(), autoload_with=engine)


def delete_conversation(engine: Engine, sender_id: str) -> int:
    """Removes every stored row of one conversation; returns the number of event rows."""
    ensure_schema(engine)
    inspector = sa.inspect(engine)
    deleted = 0
    with engine.begin() as conn:
        _erase_on_delete(conn)
        if inspector.has_table(EVENTS_TABLE):
            events = _events(engine)
            deleted = conn.execute(events.delete().where(events.c.sender_id == sender_id)).rowcount
        conn.execute(feedback_table.delete().where(feedback_table.c.sender_id == sender_id))
    _checkpoint(engine)
    return deleted


MUNICIPALITY_SLOT = "municipality"  # the slot the Rasa server stores a conversation's municipality in


def _municipalities_of(conn: sa.engine.Connection, events: sa.Table, sender_ids: List[str]) -> Dict[str, str]:
    """sender_id -> the first value of its municipality slot (conversations without one are left out)."""
    found: Dict[str, str] = {}
    for start in range(0, len(sender_ids), 500):
        rows = conn.execute(
            sa.select(events.c.sender_id, events.c.data)
            .where(events.c.sender_id.in_(sender_ids[start:start + 500]),
                   events.c.type_name == "slot", events.c.action_name == MUNICIPALITY_SLOT)
            .order_by(events.c.id)
        )
        for sender_id, data in rows:
            if sender_id not in found:
                try:
                    value = json.loads(data or "{}").get("value")
                except ValueError:
                    value = None
                if isinstance(value, str):
                    found[sender_id] = value
    return found


def delete_older_than(engine: Engine, days: int, now: Optional[float] = None,
                      municipality_days: Optional[Mapping[str, int]] = None) -> int:
    """Deletes whole conversations whose latest event is older than their retention; returns how many.

    `days` holds for every conversation, except that a conversation whose municipality slot names
    a municipality in `municipality_days` keeps that municipality's days. Feedback rows go with
    their conversation; feedback whose conversation has no events left is deleted once it is
    itself older than `days`.
    """
    municipality_days = dict(municipality_days or {})
    if days < 0 or any(d < 0 for d in municipality_days.values()):
        raise ValueError("days must be zero or more")
    moment = now if now is not None else time.time()
    cutoff = moment - days * SECONDS_PER_DAY
    earliest = moment - min([days, *municipality_days.values()]) * SECONDS_PER_DAY  # no candidate is newer
    ensure_schema(engine)
    has_events = sa.inspect(engine).has_table(EVENTS_TABLE)
    stale: List[str] = []
    with engine.begin() as conn:
        _erase_on_delete(conn)
        if has_events:
            events = _events(engine)
            latest = (
                sa.select(events.c.sender_id, sa.func.max(events.c.timestamp))
                .group_by(events.c.sender_id)
                .having(sa.func.max(events.c.timestamp) < earliest)
            )
            candidates = {row[0]: row[1] for row in conn.execute(latest)}
            owners = _municipalities_of(conn, events, list(candidates)) if municipality_days else {}
            stale = [
                sender for sender, last in candidates.items()
                if last < moment - municipality_days.get(owners.get(sender), days) * SECONDS_PER_DAY
            ]
            # a conversation that got a new event after the select above is kept
            recent = sa.select(events.c.sender_id).where(events.c.timestamp >= earliest)
            for start in range(0, len(stale), 500):  # bounded IN lists for SQLite
                chunk = stale[start:start + 500]
                conn.execute(
                    events.delete().where(events.c.sender_id.in_(chunk), events.c.sender_id.not_in(recent))
                )
                conn.execute(
                    feedback_table.delete().where(
                        feedback_table.c.sender_id.in_(chunk), feedback_table.c.sender_id.not_in(recent)
                    )
                )
            orphan = feedback_table.c.sender_id.not_in(sa.select(events.c.sender_id))
        else:
            orphan = sa.true()
        conn.execute(feedback_table.delete().where(orphan, feedback_table.c.created_at < cutoff))
    _checkpoint(engine)
    return len(stale)
