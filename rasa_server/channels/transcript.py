"""The resident's own copy of a conversation: the stored events as readable text.

The web chat's «Last ned samtalen» asks the socket channel for it (`download_conversation`,
rasa_server/channels/socketio.py), which reads only the conversation the socket is bound to.
The text is made from the rows of Rasa's `events` table, so it is the conversation as stored:
the tracker store masks personal data before it writes a row
(rasa_server/stores/masking_tracker_store.py), and the copy shows the placeholders
(«telefonnummer», «navn», ...) where the resident wrote such data. The header says so.

One line per message: local date and time, «Du:» or «Assistenten:» in the widget's language,
then the text (a message of several lines keeps them). A quick reply is stored as its payload
(`/ask_contact`); the copy shows the button title the resident clicked instead.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Dict, Iterable, List, Optional, Tuple
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from storage.conversations import EVENTS_TABLE, MUNICIPALITY_SLOT

LANGUAGES = ("nb", "nn", "en")
DEFAULT_LANGUAGE = "nb"
MAX_EVENTS = 20_000  # a long conversation has a few hundred; the newest are kept beyond this

LABELS: Dict[str, Dict[str, str]] = {
    "nb": {
        "title": "Samtale med Forløpsassistenten",
        "downloaded": "Lastet ned {when}.",
        "masked": (
            "Teksten er slik samtalen er lagret. Personopplysninger som assistenten kjenner igjen "
            "(telefonnummer, e-post, fødselsnummer, navn og adresser), er skjult før lagring og står "
            "som «telefonnummer», «navn» og lignende."
        ),
        "empty": "Ingen meldinger er lagret i denne samtalen.",
        "truncated": "Bare de siste meldingene er med.",
        "you": "Du",
        "bot": "Assistenten",
    },
    "nn": {
        "title": "Samtale med Forløpsassistenten",
        "downloaded": "Lasta ned {when}.",
        "masked": (
            "Teksten er slik samtalen er lagra. Personopplysningar som assistenten kjenner att "
            "(telefonnummer, e-post, fødselsnummer, namn og adresser), er skjulte før lagring og står "
            "som «telefonnummer», «navn» og liknande."
        ),
        "empty": "Ingen meldingar er lagra i denne samtalen.",
        "truncated": "Berre dei siste meldingane er med.",
        "you": "Du",
        "bot": "Assistenten",
    },
    "en": {
        "title": "Conversation with Forløpsassistenten",
        "downloaded": "Downloaded {when}.",
        "masked": (
            "The text is the conversation as stored. Personal data the assistant recognises "
            "(phone numbers, e-mail addresses, national identity numbers, names and addresses) was "
            "masked before storing and appears as «telefonnummer», «navn» and the like."
        ),
        "empty": "No messages are stored in this conversation.",
        "truncated": "Only the latest messages are included.",
        "you": "You",
        "bot": "Assistant",
    },
}


@dataclass(frozen=True)
class Transcript:
    text: str
    messages: int  # user and bot messages in the text


def language(value: Any) -> str:
    return value if value in LANGUAGES else DEFAULT_LANGUAGE


def stored_events(engine: Engine, sender_id: str, limit: int = MAX_EVENTS) -> Tuple[List[dict], bool]:
    """The conversation's stored events, oldest first, and whether older ones were left out."""
    if not sa.inspect(engine).has_table(EVENTS_TABLE):
        return [], False
    events = sa.Table(EVENTS_TABLE, sa.MetaData(), autoload_with=engine)
    query = (
        sa.select(events.c.data)
        .where(events.c.sender_id == sender_id, events.c.type_name.in_(("user", "bot", "slot")))
        .order_by(events.c.id.desc())
        .limit(limit + 1)
    )
    with engine.connect() as conn:
        rows = conn.execute(query).scalars().all()
    truncated = len(rows) > limit
    parsed = []
    for data in reversed(rows[:limit]):
        try:
            event = json.loads(data) if data else None
        except (TypeError, ValueError):
            continue
        if isinstance(event, dict):
            parsed.append(event)
    return parsed, truncated


def municipality_of(events: Iterable[dict]) -> Optional[str]:
    """The conversation's municipality id: the first value of its municipality slot."""
    for event in events:
        if event.get("event") == "slot" and event.get("name") == MUNICIPALITY_SLOT and isinstance(event.get("value"), str):
            return event["value"]
    return None


def _buttons(event: dict) -> Dict[str, str]:
    """payload -> title of the quick replies a bot message offered."""
    data = event.get("data") if isinstance(event.get("data"), dict) else {}
    found: Dict[str, str] = {}
    for key in ("buttons", "quick_replies"):
        for button in data.get(key) or []:
            if isinstance(button, dict) and isinstance(button.get("title"), str):
                payload = button.get("payload")
                if isinstance(payload, (str, int)):
                    found[str(payload)] = button["title"]
    return found


def _when(timestamp: Any, zone: ZoneInfo) -> str:
    if not isinstance(timestamp, (int, float)) or isinstance(timestamp, bool):
        return ""
    try:
        return datetime.fromtimestamp(timestamp, tz=timezone.utc).astimezone(zone).strftime("%Y-%m-%d %H:%M")
    except (OverflowError, OSError, ValueError):
        return ""


def render(
    events: Iterable[dict],
    lang: str = DEFAULT_LANGUAGE,
    municipality_name: Optional[str] = None,
    zone: str = "Europe/Oslo",
    now: Optional[float] = None,
    truncated: bool = False,
) -> Transcript:
    """The readable text of stored events (dicts as Rasa serialises them), in `lang`."""
    labels = LABELS[language(lang)]
    tz = ZoneInfo(zone)
    moment = now if now is not None else datetime.now(tz=timezone.utc).timestamp()
    title = labels["title"] + (f" – {municipality_name}" if municipality_name else "")
    header = [title, labels["downloaded"].format(when=_when(moment, tz)), labels["masked"]]
    if truncated:
        header.append(labels["truncated"])
    lines: List[str] = []
    offered: Dict[str, str] = {}
    for event in events:
        kind = event.get("event")
        text = event.get("text")
        if kind not in ("user", "bot") or not isinstance(text, str) or not text.strip():
            if kind == "bot":
                offered = _buttons(event) or offered
            continue
        if kind == "user":
            text = offered.get(text.strip(), text)
            offered = {}
            who = labels["you"]
        else:
            offered = _buttons(event) or offered
            who = labels["bot"]
        when = _when(event.get("timestamp"), tz)
        lines.append(f"{when} {who}: {text.strip()}".strip())
    body = "\n\n".join(lines) if lines else labels["empty"]
    return Transcript(text="\n".join(header) + "\n\n" + body + "\n", messages=len(lines))
