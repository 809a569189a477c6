"""Finds the stored bot answer a resident rated with thumbs up / down in the web chat.

The widget sends the text it showed; the feedback row stores the text of the real `bot` events
in the tracker store instead, so a client cannot write arbitrary text into the database. One
answer in the widget is the run of consecutive bot messages after a user message; the socket
channel splits each bot event's text at blank lines, so the widget's text contains every event
text of the run. The tracker store masks personal data in stored events (privacy/), so a stored
text may hold placeholders such as «navn» where the widget showed the original words; a
placeholder matches any words, and the masked text is what the feedback row keeps.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Iterable, List, Optional, Tuple

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from privacy.masking import PLACEHOLDER_PATTERN
from storage.conversations import EVENTS_TABLE

RECENT_EVENTS_SEARCHED = 200  # an answer older than this many events cannot be rated
_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class RatedAnswer:
    text: str
    timestamp: Optional[float]


def _normalize(text: str) -> str:
    return _WHITESPACE.sub(" ", text).strip()


def _occurs_in(stored: str, shown: str) -> bool:
    """Whether a stored (possibly masked) bot text occurs in the text the widget showed."""
    pieces = PLACEHOLDER_PATTERN.split(stored)
    if len(pieces) == 1:
        return stored in shown
    return re.search(".+?".join(re.escape(piece) for piece in pieces), shown) is not None


def _recent_events(engine: Engine, sender_id: str) -> List[Tuple[str, dict]]:
    """(type_name, event dict) of the newest events of one conversation, newest first."""
    if not sa.inspect(engine).has_table(EVENTS_TABLE):
        return []
    events = sa.Table(EVENTS_TABLE, sa.MetaData(), autoload_with=engine)
    query = (
        sa.select(events.c.type_name, events.c.data)
        .where(events.c.sender_id == sender_id)
        .order_by(events.c.id.desc())
        .limit(RECENT_EVENTS_SEARCHED)
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    parsed = []
    for type_name, data in rows:
        try:
            parsed.append((type_name, json.loads(data) if data else {}))
        except (TypeError, ValueError):
            continue
    return parsed


def match_answer(events_newest_first: Iterable[Tuple[str, dict]], shown_text: str) -> Optional[RatedAnswer]:
    """The newest run of bot events whose texts all occur in `shown_text`, or None."""
    shown = _normalize(shown_text)
    if not shown:
        return None
    collected: List[dict] = []
    for type_name, event in events_newest_first:
        if type_name == "user":
            if collected:
                break
            continue
        if type_name != "bot":
            continue  # actions, slots and other bookkeeping between the bot's messages
        text = _normalize(event.get("text") or "")
        if text and _occurs_in(text, shown):
            collected.append(event)
        elif collected:
            break
    if not collected:
        return None
    collected.reverse()
    return RatedAnswer(
        text="\n\n".join(event["text"].strip() for event in collected),
        timestamp=collected[-1].get("timestamp"),
    )


def find_rated_answer(engine: Engine, sender_id: str, shown_text: str) -> Optional[RatedAnswer]:
    return match_answer(_recent_events(engine, sender_id), shown_text)
