"""Synthetic conversations in Rasa's `events` format, for the tests and the benchmark.

The rows look like what rasa.core.tracker_store.SQLTrackerStore writes (type_name, intent_name,
action_name and the event's JSON in `data`), so the console reads them exactly as real ones.
No real resident text: the messages are made up.
"""
from __future__ import annotations

import json
import random
from typing import Any, Dict, Iterator, List, Optional

import sqlalchemy as sa
from sqlalchemy.engine import Engine

# Same columns as rasa's SQLTrackerStore.SQLEvent; only for temporary test and bench databases.
_metadata = sa.MetaData()
events = sa.Table(
    "events",
    _metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("sender_id", sa.String(255), nullable=False, index=True),
    sa.Column("type_name", sa.String(255), nullable=False),
    sa.Column("timestamp", sa.Float),
    sa.Column("intent_name", sa.String(255)),
    sa.Column("action_name", sa.String(255)),
    sa.Column("data", sa.Text),
)

INTENTS = {
    "greet": ["hei", "hallo", "god dag"],
    "ask_what_is_pathway": ["hva er pakkeforløp", "hva betyr pakkeforløp psykisk helse og rus"],
    "ask_coordinator": ["hvem er forløpskoordinator", "trenger jeg en koordinator"],
    "ask_child": ["jeg lurer på noe for sønnen min", "gjelder dette barn under 18"],
    "ask_adult": ["jeg er voksen og sliter med rus", "hvordan starter forløpet for voksne"],
    "ask_contact": ["hvem kan jeg ringe", "telefonnummer til saksbehandler"],
    "goodbye": ["takk for hjelpen", "ha det"],
}
FALLBACK_TEXTS = ["asdf jeg vet ikke", "kan jeg få refusjon for bussbillett", "hva med tannlegen"]
CRISIS_TEXTS = ["jeg vil ikke leve lenger", "jeg har lyst til å ta livet mitt"]


def create_events_table(engine: Engine) -> None:
    _metadata.create_all(engine)


def verdict(level: str, score: Optional[float] = None, pattern: Optional[str] = None,
            softener: Optional[str] = None, question: Optional[str] = None) -> Dict[str, Any]:
    """A crisis verdict as rasa_server/nlu/crisis_safety_net.py stores it in parse_data["crisis_verdict"]."""
    return {"level": level, "score": score, "pattern": pattern, "matched": None,
            "softener": softener, "question": question}


def _user(sender_id: str, ts: float, text: str, intent: str, confidence: float,
          ranking: List[Dict[str, Any]], crisis_verdict: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    parse_data = {"text": text, "intent": {"name": intent, "confidence": confidence},
                  "entities": [], "intent_ranking": ranking}
    if crisis_verdict is not None:  # messages stored before the graded crisis net have none
        parse_data["crisis_verdict"] = crisis_verdict
    data = {
        "event": "user", "timestamp": ts, "text": text, "input_channel": "rest",
        "message_id": f"{sender_id}-{ts}", "parse_data": parse_data, "metadata": {},
    }
    return {"sender_id": sender_id, "type_name": "user", "timestamp": ts, "intent_name": intent,
            "action_name": None, "data": json.dumps(data, ensure_ascii=False)}


def _action(sender_id: str, ts: float, name: str) -> Dict[str, Any]:
    data = {"event": "action", "timestamp": ts, "name": name, "policy": "RulePolicy", "confidence": 1.0}
    return {"sender_id": sender_id, "type_name": "action", "timestamp": ts, "intent_name": None,
            "action_name": name, "data": json.dumps(data)}


def _bot(sender_id: str, ts: float, text: str, utter: str,
         buttons: Optional[List[Dict[str, str]]] = None) -> Dict[str, Any]:
    data = {"event": "bot", "timestamp": ts, "text": text,
            "data": {"elements": None, "quick_replies": None, "buttons": buttons, "attachment": None,
                     "image": None, "custom": None},
            "metadata": {"utter_action": utter}}
    return {"sender_id": sender_id, "type_name": "bot", "timestamp": ts, "intent_name": None,
            "action_name": None, "data": json.dumps(data, ensure_ascii=False)}


def _slot(sender_id: str, ts: float, name: str, value: Any) -> Dict[str, Any]:
    data = {"event": "slot", "timestamp": ts, "name": name, "value": value}
    return {"sender_id": sender_id, "type_name": "slot", "timestamp": ts, "intent_name": None,
            "action_name": name, "data": json.dumps(data)}  # Rasa writes the slot's name there


def conversation(sender_id: str, start: float, turns: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Rows of one conversation; each turn is {text, intent, confidence, [audience], [reply],
    [verdict]}: `verdict` (see verdict()) is stored in the user event's parse_data."""
    ts = start
    rows = [
        _action(sender_id, ts, "action_session_start"),
        {"sender_id": sender_id, "type_name": "session_started", "timestamp": ts, "intent_name": None,
         "action_name": None, "data": json.dumps({"event": "session_started", "timestamp": ts})},
        _action(sender_id, ts, "action_listen"),
    ]
    for turn in turns:
        ts += 20.0
        intent, confidence = turn["intent"], turn["confidence"]
        if intent == "nlu_fallback":
            ranking = [{"name": "nlu_fallback", "confidence": 0.7},
                       {"name": "ask_contact", "confidence": confidence}]
            rows.append(_user(sender_id, ts, turn["text"], intent, 0.7, ranking,
                              turn.get("verdict")))
            rows.append(_action(sender_id, ts + 0.1, "action_default_fallback"))
            rows.append(_bot(sender_id, ts + 0.1, "Beklager, det forstod jeg ikke.", "utter_default"))
        else:
            ranking = [{"name": intent, "confidence": confidence}]
            rows.append(_user(sender_id, ts, turn["text"], intent, confidence, ranking,
                              turn.get("verdict")))
            if intent == "crisis":
                rows.append(_action(sender_id, ts + 0.1, "utter_crisis"))
                rows.append(_bot(sender_id, ts + 0.1, "Ring 113 hvis liv eller helse er i fare.", "utter_crisis"))
            else:
                if turn.get("audience"):
                    rows.append(_action(sender_id, ts + 0.1, "action_route_person"))
                    rows.append(_slot(sender_id, ts + 0.1, "audience", turn["audience"]))
                reply = turn.get("reply", f"utter_{intent}")
                rows.append(_action(sender_id, ts + 0.1, reply))
                rows.append(_bot(sender_id, ts + 0.1, turn.get("reply_text", "Her er svaret."), reply,
                                 buttons=[{"title": "Ja", "payload": "/affirm"}] if turn.get("buttons") else None))
        rows.append(_action(sender_id, ts + 0.2, "action_listen"))
    return rows


def random_turns(rng: random.Random) -> List[Dict[str, Any]]:
    turns = []
    audience = rng.choice(["child", "adult", None, None])
    for n in range(rng.randint(1, 5)):
        roll = rng.random()
        # the verdicts are read off `roll` too, not drawn: a seed gives the same conversations
        # (texts, intents, lengths) as before verdicts were added
        if roll < 0.08:
            turns.append({"text": rng.choice(FALLBACK_TEXTS), "intent": "nlu_fallback",
                          "confidence": round(rng.uniform(0.2, 0.6), 3),
                          "verdict": verdict("none", 0.02)})
        elif roll < 0.1:
            turns.append({"text": rng.choice(CRISIS_TEXTS), "intent": "crisis", "confidence": 0.99,
                          "verdict": verdict("sure", 0.97, r"\b(ta|tar) livet (mitt|av meg)\b")})
        else:
            intent = rng.choice(list(INTENTS))
            turn = {"text": rng.choice(INTENTS[intent]) + f" {rng.randint(1, 999)}",
                    "intent": intent, "confidence": round(rng.uniform(0.45, 1.0), 3),
                    "verdict": verdict("unsure", 0.42) if roll < 0.12 else verdict("none", 0.01)}
            if n == 1 and audience:
                turn["audience"] = audience
            turns.append(turn)
    return turns


def generate(count: int, start: float, seed: int = 1, spacing: float = 60.0) -> Iterator[List[Dict[str, Any]]]:
    """Rows of `count` random conversations, one list per conversation, `spacing` seconds apart."""
    rng = random.Random(seed)
    for n in range(count):
        yield conversation(f"synthetic-{n:07d}", start + n * spacing, random_turns(rng))


def insert(engine: Engine, rows: List[Dict[str, Any]]) -> None:
    with engine.begin() as connection:
        connection.execute(events.insert(), rows)
