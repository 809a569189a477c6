"""Which municipalities a staff member may see, and the checks that keep every page inside them.

A platform admin (role `admin`) sees every municipality. A reviewer sees the conversations of
the municipalities assigned to them (`review_user_municipalities`), and none while none is
assigned. A conversation's municipality is the first value of its `municipality` slot; one
without (from before the deployment served several municipalities) is the default's
(`DEFAULT_MUNICIPALITY`). The summary keeps it in `review_conversations.municipality`.

What lies outside the scope looks exactly like what does not exist: a conversation's pages and
actions answer 404, and lists, searches, filters, counts, statistics and exports leave it out.
"""
from __future__ import annotations

from typing import Any, List, Optional, Sequence, Tuple

import sqlalchemy as sa
from flask import abort, g

from review import db
from review.events import events_table, municipality_slot

NO_MUNICIPALITY_MESSAGE = (
    "Du har ikke tilgang til noen kommune ennå, så du ser ingen samtaler. "
    "Be en administrator om å gi deg tilgang til kommunen din."
)


def catalogue():
    """The deployment's municipalities (content/municipalities/, loaded once per process)."""
    from municipalities import catalogue as loader

    return loader.load()


def known_ids() -> List[str]:
    return catalogue().ids


def default_municipality() -> str:
    return catalogue().default_id


def name(municipality_id: Optional[str]) -> str:
    """The display name («Kommune A»); the id itself for a municipality that has no folder now."""
    found = catalogue().get(municipality_id)
    return found.name if found is not None else (municipality_id or "–")


def unknown_ids(ids: Sequence[str]) -> List[str]:
    known = set(known_ids())
    return [m for m in ids if m not in known]


def assigned(connection, user_id: int) -> List[str]:
    """The municipalities assigned to a user, in the catalogue's order (unknown ids last)."""
    um = db.user_municipalities
    found = {r[0] for r in connection.execute(
        sa.select(um.c.municipality).where(um.c.user_id == user_id))}
    order = known_ids()
    return [m for m in order if m in found] + sorted(found - set(order))


def set_assigned(connection, user_id: int, ids: Sequence[str]) -> None:
    um = db.user_municipalities
    connection.execute(um.delete().where(um.c.user_id == user_id))
    rows = [{"user_id": user_id, "municipality": m} for m in dict.fromkeys(ids)]
    if rows:
        connection.execute(um.insert(), rows)


def current() -> Optional[Tuple[str, ...]]:
    """The logged-in user's municipalities; None for an admin (every municipality)."""
    if "municipalities" not in g:
        user = g.get("user")
        if user is None:
            g.municipalities = ()
        elif user.role == "admin":
            g.municipalities = None
        else:
            with db.get_engine().connect() as connection:
                g.municipalities = tuple(assigned(connection, user.id))
    return g.municipalities


def options() -> List[str]:
    """The municipalities the user can choose between in filters (an admin: every known one)."""
    ids = current()
    return known_ids() if ids is None else list(ids)


def sees_nothing() -> bool:
    """A reviewer with no municipality: pages say why they are empty."""
    ids = current()
    return ids is not None and not ids


def conditions(column=None) -> List[Any]:
    """WHERE conditions on a municipality column (the summary's by default) for the user's scope."""
    column = db.conversations.c.municipality if column is None else column
    ids = current()
    if ids is None:
        return []
    if not ids:
        return [sa.false()]
    return [column.in_(ids)]


def visible_senders():
    """A subquery of the sender ids the user may see, for tables that hold only a sender_id."""
    c = db.conversations
    return sa.select(c.c.sender_id).where(*conditions())


def sender_conditions(table) -> List[Any]:
    """WHERE conditions keeping a table that holds only a sender_id (training examples, crisis
    marks) to the conversations the user may see."""
    return [table.c.sender_id.in_(visible_senders())] if conditions() else []


def municipality_of(connection, sender_id: str) -> Optional[str]:
    """A conversation's municipality, read from its events (the summary may lag by seconds);
    None when it has no events."""
    if not sa.inspect(connection).has_table(events_table.name):
        return None  # a database the bot has not written to yet
    e = events_table
    rows = connection.execute(
        sa.select(e.c.type_name, e.c.action_name, e.c.data)
        .where(e.c.sender_id == sender_id, e.c.type_name == "slot").order_by(e.c.id))
    for row in rows:
        found = municipality_slot(row)
        if found:
            return found
    exists = connection.execute(sa.select(e.c.id).where(e.c.sender_id == sender_id).limit(1)).first()
    return default_municipality() if exists else None


def can_see(connection, sender_id: str) -> bool:
    ids = current()
    return ids is None or (bool(ids) and municipality_of(connection, sender_id) in ids)


def require(connection, sender_id: str) -> Optional[str]:
    """The conversation's municipality; 404 when the user may not see it.

    For a reviewer a conversation that does not exist is refused the same way, so the answer
    never tells whether another municipality's conversation exists. An admin gets None for
    one without events and each page goes on as before.
    """
    municipality = municipality_of(connection, sender_id)
    ids = current()
    if ids is not None and municipality not in ids:
        abort(404)
    return municipality


def audit_detail() -> dict:
    """What the audit log says of a bulk read's scope: the user's municipalities, or all."""
    ids = current()
    return {"municipalities": "alle" if ids is None else list(ids)}
