"""Keeps `review_conversations` (one row per conversation) in step with Rasa's `events`.

Incremental: the last processed event id and feedback id are kept in `review_meta`; each
refresh recomputes only the conversations that got new rows. Why a summary table at all:
the list filters (fallback only, low confidence, route, negative feedback) are aggregates over
a whole conversation, and computing them on every page over millions of event rows is too
slow at 100 000 conversations; `python -m evaluation.review_bench` measures it.

A conversation whose events are gone (deleted by the retention job in privacy/) is pruned
from every review_ table on the next prune, so no copy of its text outlives the events.
"""
from __future__ import annotations

import threading
import time
from typing import Dict, Iterable, List, Optional

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from review import db, scope
from review.events import events_table, summarise
from storage.conversations import feedback_table

EVENT_BATCH = 20_000  # event ids read per step of a refresh
SENDER_CHUNK = 400  # sender ids per IN list (SQLite allows 999 bound parameters)
# A PostgreSQL transaction can commit an id lower than one already seen; rereading the last
# ids makes sure such late rows are picked up. Recomputing a conversation twice is harmless.
ID_OVERLAP = 500
MIN_REFRESH_INTERVAL_SECONDS = 5.0  # per process; pages call refresh() on every request
PRUNE_INTERVAL_SECONDS = 300.0

_lock = threading.Lock()
_last_refresh: Dict[str, float] = {}


def _chunks(items: List[str], size: int = SENDER_CHUNK) -> Iterable[List[str]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def has_events_table(engine: Engine) -> bool:
    return sa.inspect(engine).has_table("events")


def _get_meta(connection: Connection, key: str) -> float:
    value = connection.execute(sa.select(db.meta.c.value).where(db.meta.c.key == key)).scalar()
    return float(value) if value is not None else 0.0


def _set_meta(connection: Connection, key: str, value: float) -> None:
    updated = connection.execute(
        db.meta.update().where(db.meta.c.key == key).values(value=value)
    ).rowcount
    if not updated:
        connection.execute(db.meta.insert().values(key=key, value=value))


def recompute(engine: Engine, sender_ids: List[str], timezone: str) -> int:
    """Rebuilds the summary rows of these conversations; returns how many have one now."""
    written = 0
    e = events_table
    default_municipality = scope.default_municipality()
    for chunk in _chunks(sorted(set(sender_ids))):
        with engine.connect() as connection:
            rows = connection.execute(
                sa.select(e.c.id, e.c.sender_id, e.c.type_name, e.c.timestamp,
                          e.c.intent_name, e.c.action_name, e.c.data)
                .where(e.c.sender_id.in_(chunk))
                .order_by(e.c.sender_id, e.c.id)
            ).all()
            feedback = connection.execute(
                sa.select(feedback_table.c.sender_id, feedback_table.c.rating, sa.func.count())
                .where(feedback_table.c.sender_id.in_(chunk))
                .group_by(feedback_table.c.sender_id, feedback_table.c.rating)
            ).all()
        by_sender: Dict[str, list] = {}
        for row in rows:
            by_sender.setdefault(row.sender_id, []).append(row)
        counts: Dict[tuple, int] = {(s, r): n for s, r, n in feedback}
        summaries, intent_rows = [], []
        for sender_id, sender_rows in by_sender.items():
            summary = summarise(sender_id, sender_rows, timezone, default_municipality)
            if summary is None:
                continue
            row = summary.row()
            row["feedback_up"] = counts.get((sender_id, "up"), 0)
            row["feedback_down"] = counts.get((sender_id, "down"), 0)
            summaries.append(row)
            intent_rows.extend(
                {"sender_id": sender_id, "intent": name, "messages": n,
                 "started_at": summary.started_at}
                for name, n in summary.intents.items()
            )
        try:
            with engine.begin() as connection:
                connection.execute(db.conversations.delete().where(db.conversations.c.sender_id.in_(chunk)))
                connection.execute(
                    db.conversation_intents.delete().where(db.conversation_intents.c.sender_id.in_(chunk))
                )
                if summaries:
                    connection.execute(db.conversations.insert(), summaries)
                if intent_rows:
                    connection.execute(db.conversation_intents.insert(), intent_rows)
        except sa.exc.IntegrityError:
            # another console process wrote the same conversations at the same moment;
            # its rows are as good as ours, and the next refresh recomputes them anyway
            continue
        written += len(summaries)
    return written


def _refresh_feedback(engine: Engine) -> None:
    f = feedback_table
    with engine.connect() as connection:
        seen = _get_meta(connection, "feedback_id")
        newest = connection.execute(sa.select(sa.func.max(f.c.id))).scalar() or 0
        if newest == seen:
            return
        start = 0 if newest < seen else max(0, seen - ID_OVERLAP)
        senders = [r[0] for r in connection.execute(
            sa.select(f.c.sender_id).where(f.c.id > start).distinct())]
    for chunk in _chunks(senders):
        with engine.begin() as connection:
            counts = connection.execute(
                sa.select(f.c.sender_id, f.c.rating, sa.func.count())
                .where(f.c.sender_id.in_(chunk)).group_by(f.c.sender_id, f.c.rating)
            ).all()
            by_sender: Dict[str, Dict[str, int]] = {}
            for sender_id, rating, n in counts:
                by_sender.setdefault(sender_id, {})[rating] = n
            for sender_id in chunk:
                got = by_sender.get(sender_id, {})
                connection.execute(
                    db.conversations.update().where(db.conversations.c.sender_id == sender_id)
                    .values(feedback_up=got.get("up", 0), feedback_down=got.get("down", 0))
                )
    with engine.begin() as connection:
        _set_meta(connection, "feedback_id", newest)


def prune(engine: Engine) -> int:
    """Removes console rows of conversations that no longer have any event; returns how many."""
    e = events_table
    with engine.connect() as connection:
        # one anti-join per table over the sender ids the table holds; the intents table is
        # covered by the summary's ids (it never has a sender the summary lacks)
        orphans = set()
        for table in db.PER_CONVERSATION_TABLES:
            if table is db.conversation_intents:
                continue
            ids = sa.select(table.c.sender_id).distinct().subquery()
            orphans.update(r[0] for r in connection.execute(
                sa.select(ids.c.sender_id).where(~sa.exists().where(e.c.sender_id == ids.c.sender_id))))
    with engine.begin() as connection:
        for chunk in _chunks(sorted(orphans)):
            for table in db.PER_CONVERSATION_TABLES:
                connection.execute(table.delete().where(table.c.sender_id.in_(chunk)))
        _set_meta(connection, "pruned_at", time.time())
    return len(orphans)


def refresh(engine: Engine, timezone: str, progress=None, force: bool = False) -> int:
    """Brings the summary up to date; returns the number of conversations recomputed.

    Called by every list and statistics request; does nothing if another thread is already
    refreshing or the last refresh was under MIN_REFRESH_INTERVAL_SECONDS ago.
    """
    key = str(engine.url)
    now = time.monotonic()
    if not force and now - _last_refresh.get(key, -1e9) < MIN_REFRESH_INTERVAL_SECONDS:
        return 0
    if not _lock.acquire(blocking=force):
        return 0
    try:
        if not has_events_table(engine):
            return 0
        e = events_table
        with engine.connect() as connection:
            seen = _get_meta(connection, "events_id")
            newest = connection.execute(sa.select(sa.func.max(e.c.id))).scalar() or 0
            pruned_at = _get_meta(connection, "pruned_at")
        # a database recreated from scratch starts its ids again: rebuild everything
        start = 0 if newest < seen else max(0, seen - ID_OVERLAP)
        recomputed = 0
        while start < newest:
            end = min(start + EVENT_BATCH, newest)
            with engine.connect() as connection:
                senders = [r[0] for r in connection.execute(
                    sa.select(e.c.sender_id).where(e.c.id > start, e.c.id <= end).distinct())]
            recomputed += recompute(engine, senders, timezone)
            start = end
            with engine.begin() as connection:
                _set_meta(connection, "events_id", end)
            if progress:
                progress(end, newest)
        _refresh_feedback(engine)
        if force or time.time() - pruned_at > PRUNE_INTERVAL_SECONDS:
            prune(engine)
        _last_refresh[key] = time.monotonic()
        return recomputed
    finally:
        _lock.release()


def forget(connection: Connection, sender_id: str) -> None:
    """Deletes every console row of one conversation (the audit log excepted)."""
    for table in db.PER_CONVERSATION_TABLES:
        connection.execute(table.delete().where(table.c.sender_id == sender_id))


def summary_of(connection: Connection, sender_id: str) -> Optional[sa.engine.Row]:
    return connection.execute(
        sa.select(db.conversations).where(db.conversations.c.sender_id == sender_id)
    ).first()
