"""Reading events rows as Rasa 3.6 really writes them (a recorded fixture, made-up messages)."""
from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from review.events import summarise, transcript

FIXTURE = Path(__file__).parent / "data" / "rasa_events.json"


def _rows(sender_id):
    events = json.loads(FIXTURE.read_text(encoding="utf-8"))["events"]
    return [SimpleNamespace(**e) for e in events if e["sender_id"] == sender_id]


@pytest.mark.parametrize("sender_id,route,crisis,turns,first", [
    ("real-child", "child", False, 3, "hei"),
    ("real-adult", "adult", False, 2, "jeg er 40 år og sliter med rus"),
    ("real-crisis", "crisis", True, 1, "jeg vil ikke leve lenger"),
    ("real-gibberish", "none", False, 2, "qwerty blåbærsyltetøy fotball"),
])
def test_summary_of_real_rasa_events(sender_id, route, crisis, turns, first):
    summary = summarise(sender_id, _rows(sender_id), "Europe/Oslo")
    assert (summary.route, summary.crisis, summary.turns, summary.first_message) == (route, crisis, turns, first)
    assert summary.fallbacks == 0
    assert 0 < summary.min_confidence <= 1


def test_transcript_of_real_rasa_events_hides_bookkeeping():
    items = transcript(_rows("real-crisis"), low_confidence=0.6)
    kinds = [(i.kind, i.name or i.intent) for i in items]
    assert ("user", "crisis") in kinds and ("bot", "utter_crisis") in kinds
    assert all(name not in ("action_listen", "user_featurization") for _, name in kinds)
    assert next(i for i in items if i.kind == "bot").text.startswith("Er liv eller helse i fare: ring 113")


def test_fallback_counts_once_per_turn():
    from evaluation.synthetic_conversations import conversation

    rows = [SimpleNamespace(id=n, **r) for n, r in enumerate(conversation("s", 1_700_000_000, [
        {"text": "asdf", "intent": "nlu_fallback", "confidence": 0.2},
        {"text": "hei", "intent": "greet", "confidence": 0.9},
        {"text": "qwer", "intent": "nlu_fallback", "confidence": 0.4},
    ]))]
    summary = summarise("s", rows, "Europe/Oslo")
    # nlu_fallback followed by action_default_fallback is one misunderstood message, not two
    assert summary.fallbacks == 2
    # the best real intent's confidence, not the fallback threshold
    assert summary.min_confidence == 0.2
