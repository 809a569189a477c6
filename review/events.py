"""Reading Rasa's `events` rows: what each row means, and what a conversation adds up to.

Pure functions over rows (id, type_name, timestamp, intent_name, action_name, data), so the
summary, the transcript view and the tests share one reading of Rasa's event format
(rasa.core.tracker_store.SQLTrackerStore.SQLEvent; `data` is the event's JSON).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Dict, Iterable, List, Optional
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from review.verdicts import SURE, Verdict, highest, verdict_of

# A lightweight description of Rasa's table: enough to query it, never used to create it.
events_table = sa.table(
    "events",
    sa.column("id", sa.Integer),
    sa.column("sender_id", sa.String),
    sa.column("type_name", sa.String),
    sa.column("timestamp", sa.Float),
    sa.column("intent_name", sa.String),
    sa.column("action_name", sa.String),
    sa.column("data", sa.Text),
)

FALLBACK_INTENT = "nlu_fallback"
FALLBACK_ACTION = "action_default_fallback"
CRISIS_UTTERANCE = "utter_crisis"
ROUTE_SLOT = "audience"  # set by action_route_person to "child" or "adult"
# set by the Rasa server at session start; Rasa's SQL tracker store puts a slot's name in action_name
MUNICIPALITY_SLOT = "municipality"
MUNICIPALITY_MAX_CHARS = 64  # the summary's column; an id is at most 63 (municipalities.catalogue)
# The language the bot answers in (domain.yml's categorical slot, issue #14): set at session
# start to the municipality's målform, changed by the resident's choice in the widget or a
# message written in English; the NLU component also puts it on a message as a `language` entity
LANGUAGE_SLOT = "language"
LANGUAGE_ENTITY = "language"
LANGUAGES = ("nb", "nn", "en")
LANGUAGE_LABELS = {"nb": "Bokmål", "nn": "Nynorsk", "en": "Engelsk"}
ROUTES = ("child", "adult", "crisis", "none")
ROUTE_LABELS = {"child": "Barn og unge", "adult": "Voksne", "crisis": "Krise", "none": "Ingen"}
HIDDEN_ACTIONS = ("action_listen",)  # after every bot turn; says nothing a reviewer needs
HIDDEN_EVENTS = ("user_featurization",)  # Rasa's bookkeeping after every user message
FIRST_MESSAGE_MAX_CHARS = 200


def load_data(raw: Optional[str]) -> Dict[str, Any]:
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except (TypeError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def intent_of(data: Dict[str, Any]) -> tuple[Optional[str], Optional[float]]:
    """(intent, confidence) of a user event; for nlu_fallback the best real intent's confidence.

    Rasa's FallbackClassifier sets nlu_fallback's confidence to its threshold, which says
    nothing about the message; the confidence of the best real intent does.
    """
    parse = data.get("parse_data") or {}
    intent = parse.get("intent") or {}
    name = intent.get("name")
    confidence = intent.get("confidence")
    if name == FALLBACK_INTENT:
        others = [
            r.get("confidence") for r in parse.get("intent_ranking") or []
            if r.get("name") != FALLBACK_INTENT and isinstance(r.get("confidence"), (int, float))
        ]
        confidence = max(others) if others else confidence
    return name, (float(confidence) if isinstance(confidence, (int, float)) else None)


def municipality_slot(row: Any) -> Optional[str]:
    """The municipality a `municipality` slot row names, or None (another slot, no usable value)."""
    if row.type_name != "slot" or row.action_name != MUNICIPALITY_SLOT:
        return None
    value = load_data(row.data).get("value")
    if not isinstance(value, str) or not value.strip():
        return None
    return value[:MUNICIPALITY_MAX_CHARS]


def language_slot(row: Any) -> Optional[str]:
    """The language a `language` slot row sets (nb, nn or en), or None (another slot, a reset,
    a value the domain does not know)."""
    if row.type_name != "slot" or row.action_name != LANGUAGE_SLOT:
        return None
    value = load_data(row.data).get("value")
    return value if value in LANGUAGES else None


def conversation_language(rows: Iterable[Any]) -> Optional[str]:
    """The language a conversation ended in: its last `language` slot value; None when unset."""
    language = None
    for row in rows:
        language = language_slot(row) or language
    return language


def language_entity(data: Dict[str, Any]) -> Optional[str]:
    """The language a user event's NLU found for the message itself (its `language` entity)."""
    found = None
    for entity in (data.get("parse_data") or {}).get("entities") or []:
        if isinstance(entity, dict) and entity.get("entity") == LANGUAGE_ENTITY \
                and entity.get("value") in LANGUAGES:
            found = entity["value"]
    return found


def message_language(rows: Iterable[Any], event_id: int) -> Optional[str]:
    """The language of the user message `event_id` among a conversation's rows (in id order):
    its own `language` entity, else the last `language` slot value before it (the language the
    conversation was in when the resident wrote it); None when neither says (older messages).

    The slot row an entity fills comes after its user event, so the entity is read first."""
    language = None
    for row in rows:
        if row.id > event_id:
            break
        if row.id == event_id:
            return (language_entity(load_data(row.data)) if row.type_name == "user" else None) or language
        language = language_slot(row) or language
    return language


def local_day(timestamp: float, timezone: str) -> str:
    return datetime.fromtimestamp(timestamp, ZoneInfo(timezone)).date().isoformat()


@dataclass
class Summary:
    sender_id: str
    started_at: float
    last_at: float
    started_day: str
    turns: int
    first_message: Optional[str]
    route: str
    crisis: bool  # a sure crisis: the resident got the crisis text first
    fallbacks: int
    min_confidence: Optional[float]
    search_text: str
    intents: Dict[str, int] = field(default_factory=dict)
    crisis_level: str = "none"  # the highest crisis verdict of its messages (review.verdicts)
    municipality: str = ""  # the first municipality slot value, else the default (review.scope)
    language: Optional[str] = None  # the last language slot value (nb, nn, en); None: never set

    def row(self) -> Dict[str, Any]:
        return {
            "sender_id": self.sender_id, "started_at": self.started_at, "last_at": self.last_at,
            "started_day": self.started_day, "turns": self.turns,
            "first_message": self.first_message, "route": self.route, "crisis": self.crisis,
            "crisis_level": self.crisis_level, "fallbacks": self.fallbacks,
            "min_confidence": self.min_confidence,
            "search_text": self.search_text, "feedback_up": 0, "feedback_down": 0,
            "municipality": self.municipality, "language": self.language,
        }


def summarise(sender_id: str, rows: Iterable[Any], timezone: str,
              default_municipality: str = "") -> Optional[Summary]:
    """The summary of one conversation from its rows in id order; None if it has no user message.

    Its municipality is the first municipality slot's value; a conversation without one (from
    before the deployment served several municipalities) is `default_municipality`'s. Its
    language is the last language slot's value, the language it ended in (None before the slot).
    """
    started = last = None
    turns = fallbacks = 0
    turn_is_fallback = False
    first_message = None
    audience = None
    crisis = False  # the crisis text was sent, whatever the verdicts say
    levels: List[str] = []
    min_confidence = None
    texts: List[str] = []
    intents: Dict[str, int] = {}
    municipality = None
    language = None
    for row in rows:
        ts = row.timestamp
        if ts is not None:
            started = ts if started is None else min(started, ts)
            last = ts if last is None else max(last, ts)
        kind = row.type_name
        if kind == "user":
            data = load_data(row.data)
            if turn_is_fallback:
                fallbacks += 1
            turns += 1
            text = data.get("text") or ""
            if first_message is None:
                first_message = text[:FIRST_MESSAGE_MAX_CHARS]
            texts.append(text.lower())
            name, confidence = intent_of(data)
            name = name or row.intent_name
            if name:
                intents[name] = intents.get(name, 0) + 1
            turn_is_fallback = name == FALLBACK_INTENT
            levels.append(verdict_of(data, name).level)
            if confidence is not None:
                min_confidence = confidence if min_confidence is None else min(min_confidence, confidence)
        elif kind == "action":
            name = row.action_name
            if name == FALLBACK_ACTION and turns:
                turn_is_fallback = True
            crisis = crisis or name == CRISIS_UTTERANCE
        elif kind == "bot":
            data = load_data(row.data)
            crisis = crisis or (data.get("metadata") or {}).get("utter_action") == CRISIS_UTTERANCE
        elif kind == "slot":
            data = load_data(row.data)
            municipality = municipality or municipality_slot(row)
            language = language_slot(row) or language
            if data.get("name") == ROUTE_SLOT:
                value = data.get("value")
                audience = value if value in ("child", "adult") else None
    if turn_is_fallback:
        fallbacks += 1
    if not turns or started is None:
        return None
    crisis_level = highest(levels + ([SURE] if crisis else []))
    crisis = crisis_level == SURE
    route = "crisis" if crisis else (audience or "none")
    return Summary(
        sender_id=sender_id, started_at=started, last_at=last,
        started_day=local_day(started, timezone), turns=turns, first_message=first_message,
        route=route, crisis=crisis, fallbacks=fallbacks, min_confidence=min_confidence,
        search_text="\n".join(texts), intents=intents, crisis_level=crisis_level,
        municipality=municipality or default_municipality, language=language,
    )


@dataclass
class Item:
    """One line of a transcript as the template shows it."""

    kind: str  # user, bot, action, slot, other
    event_id: int
    timestamp: Optional[float]
    text: str = ""
    intent: Optional[str] = None
    confidence: Optional[float] = None
    ranking: List[tuple] = field(default_factory=list)
    entities: List[tuple] = field(default_factory=list)
    buttons: List[str] = field(default_factory=list)
    name: Optional[str] = None
    value: Any = None
    fallback: bool = False
    low_confidence: bool = False
    verdict: Optional[Verdict] = None  # user messages: the crisis verdict and its reasons


RANKING_SHOWN = 3


def transcript(rows: Iterable[Any], low_confidence: float) -> List[Item]:
    """Every row of a conversation as a transcript item, in order."""
    items: List[Item] = []
    for row in rows:
        data = load_data(row.data)
        kind = row.type_name
        if kind == "user":
            name, confidence = intent_of(data)
            parse = data.get("parse_data") or {}
            ranking = [
                (r.get("name"), r.get("confidence"))
                for r in (parse.get("intent_ranking") or [])
                if r.get("name") not in (name,)
            ][:RANKING_SHOWN]
            entities = [
                (e.get("entity"), e.get("value")) for e in (parse.get("entities") or [])
                if isinstance(e, dict)
            ]
            items.append(Item(
                "user", row.id, row.timestamp, text=data.get("text") or "",
                intent=name or row.intent_name, confidence=confidence, ranking=ranking,
                entities=entities, fallback=name == FALLBACK_INTENT,
                low_confidence=confidence is not None and confidence < low_confidence,
                verdict=verdict_of(data, name or row.intent_name),
            ))
        elif kind == "bot":
            extra = data.get("data") or {}
            buttons = [
                str(b.get("title") or b.get("payload") or "")
                for b in (extra.get("buttons") or []) if isinstance(b, dict)
            ]
            utter = (data.get("metadata") or {}).get("utter_action")
            items.append(Item("bot", row.id, row.timestamp, text=data.get("text") or "",
                              buttons=buttons, name=utter))
        elif kind == "action":
            name = row.action_name or data.get("name")
            if name in HIDDEN_ACTIONS:
                continue
            items.append(Item("action", row.id, row.timestamp, name=name,
                              fallback=name == FALLBACK_ACTION))
        elif kind == "slot":
            items.append(Item("slot", row.id, row.timestamp, name=data.get("name"),
                              value=data.get("value")))
        elif kind not in HIDDEN_EVENTS:
            items.append(Item("other", row.id, row.timestamp, name=kind))
    return items
