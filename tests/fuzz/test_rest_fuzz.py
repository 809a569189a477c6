"""Fuzzing the REST channel (POST /webhooks/rest/webhook) of the real Rasa server.

Properties, for every input: never a 5xx; a 200 is a JSON list of bot messages, anything else
a 4xx with a Norwegian JSON error; a message the channel accepts is in the tracker database
(nothing lost); an oversized crisis still gets the crisis answer. After each batch the server
process is alive and answers an ordinary question, and at the end its log holds no traceback.
"""
from __future__ import annotations

import itertools
import json
import time
from pathlib import Path

import pytest
import requests
import yaml
from hypothesis import example, given
from hypothesis import strategies as st

from cluster.local_assistant import ROOT
from rasa_server.channels.guard import (
    BAD_METADATA,
    BAD_SENDER,
    EMPTY,
    MAX_MESSAGE_CHARS,
    MAX_SCANNED_CHARS,
    NOT_TEXT,
    TOO_LONG,
)
from rasa_server.texts import crisis_text
from tests.fuzz.conftest import assert_still_answering, failures_in_log, fuzz_settings, user_events
from tests.fuzz.strategies import CONTENT_TYPES, deep, hostile_text, raw_bodies, rest_bodies

TIMEOUT_SECONDS = 30
# Every error the channel may answer with; anything else (Sanic's English pages) is a failure
KNOWN_ERRORS = {
    NOT_TEXT, EMPTY, BAD_SENDER, TOO_LONG, BAD_METADATA,
    "Forespørselen må være JSON.",
    'Forespørselen må være et JSON-objekt: {"sender": "...", "message": "..."}',
}
_senders = itertools.count()


def _crisis_examples() -> list[str]:
    """Crisis messages from the labelled set that the net is sure of on their own (an oversized
    message goes on to the assistant only when the net is sure)."""
    from safety.verdict import assess

    labelled = yaml.safe_load((ROOT / "tests" / "data" / "crisis_labelled.yml").read_text(encoding="utf-8"))
    return [text for text in labelled["crisis"] if assess(text).sure]


CRISIS_EXAMPLES = _crisis_examples()
FILLER = "jeg lurer på hvordan dette fungerer og hva som skjer videre med saken min. "


def post(bot, body=None, raw: bytes | None = None, content_type: str = "application/json"):
    if raw is None:
        raw = json.dumps(body).encode()  # ASCII: lone surrogates travel as \ud800 escapes
    return requests.post(bot.rest_url, data=raw, headers={"Content-Type": content_type},
                         timeout=TIMEOUT_SECONDS)


def check_contract(response) -> None:
    """200 with a list of bot messages, or a 4xx with one of the channel's own errors."""
    status = response.status_code
    assert status < 500, f"{status}: {response.text[:300]}"
    if status == 200:
        messages = response.json()
        assert isinstance(messages, list), response.text[:300]
        assert all(isinstance(m, dict) and "recipient_id" in m for m in messages), response.text[:300]
        return
    assert 400 <= status < 500
    assert response.headers.get("Content-Type", "").startswith("application/json"), response.text[:300]
    assert response.json().get("error") in KNOWN_ERRORS, response.text[:300]


def stored_sender(body) -> str | None:
    """The conversation an accepted body is stored under (Rasa's default is "default")."""
    sender = body.get("sender", "default") if isinstance(body, dict) else None
    if isinstance(sender, bool):
        return None
    if isinstance(sender, int):
        return str(sender)
    return sender.strip() if isinstance(sender, str) else None


@given(body=rest_bodies)
@example(body=[{"sender": "a", "message": "hei"}])  # Rasa's own channel answered 500
@example(body={"sender": "fuzz\ud800", "message": "hei"})  # killed the server (sys.exit)
@example(body={"sender": "fuzz-meta", "message": "hei", "metadata": "tekst"})  # was lost
@example(body={"sender": "fuzz-meta", "message": "hei", "metadata": deep(60)})  # was lost
@example(body={"sender": 10**200, "message": "hei"})
@fuzz_settings(max_examples=160)
def test_json_bodies_of_any_shape(assistant, tally, body):
    tally["REST: JSON bodies of any shape"] += 1
    sender = stored_sender(body)
    before = len(user_events(assistant, sender)) if sender else 0
    response = post(assistant, body)
    check_contract(response)
    if response.status_code == 200 and sender:
        assert len(user_events(assistant, sender)) == before + 1, "an accepted message was not stored"


@given(text=hostile_text)
@example(text="hei \ud800 der")  # spaCy's tokenizer failed on a lone surrogate: no answer, lost
@example(text="\u202e\u200b\u200d hei 😀 👨‍👩‍👧‍👦")
@example(text="<script>alert(1)</script> {{7*7}} ' OR '1'='1")
@example(text="\x00\x01\x02")
@fuzz_settings(max_examples=150)
def test_any_text_is_answered_and_stored(assistant, tally, text):
    tally["REST: unicode and injection text"] += 1
    sender = f"fuzz-text-{next(_senders)}"
    response = post(assistant, {"sender": sender, "message": text})
    check_contract(response)
    if response.status_code == 400:
        assert response.json()["error"] == EMPTY
        assert not any(ch.isalnum() for ch in text), "a message with letters was called empty"
        return
    assert response.status_code == 200
    stored = user_events(assistant, sender)
    assert len(stored) == 1 and stored[0], "the accepted message is not in the tracker"
    assert "\x00" not in stored[0]
    if not text.strip().startswith("/"):  # "/restart" and friends are Rasa commands, not questions
        assert response.json(), "the resident got no answer"


@given(raw=raw_bodies, content_type=st.one_of(st.sampled_from(CONTENT_TYPES), st.text(
    st.characters(min_codepoint=0x21, max_codepoint=0x7e), max_size=30)))  # requests refuses a leading space
@example(raw=b"[" * 100_000, content_type="application/json")
@example(raw=b'{"sender": "raw", "message": "hei \xed\xa0\x80"}', content_type="application/json")
@example(raw=b'{"sender": "raw\xed\xa0\x80", "message": "hei"}', content_type="text/plain")
@fuzz_settings(max_examples=120)
def test_raw_bytes_and_content_types(assistant, tally, raw, content_type):
    tally["REST: raw bytes, invalid UTF-8, content types"] += 1
    check_contract(post(assistant, raw=raw, content_type=content_type))


@given(length=st.integers(MAX_MESSAGE_CHARS + 1, 3 * MAX_SCANNED_CHARS),
       crisis=st.one_of(st.none(), st.sampled_from(CRISIS_EXAMPLES)),
       where=st.floats(0, 1), emoji=st.booleans())
@example(length=MAX_MESSAGE_CHARS + 1, crisis=None, where=0, emoji=False)
@example(length=MAX_MESSAGE_CHARS + 1, crisis="jeg vil ikke leve lenger, alt er meningsløst", where=1, emoji=False)
@example(length=MAX_SCANNED_CHARS, crisis="jeg vil dø nå", where=0.5, emoji=True)
@fuzz_settings(max_examples=30)
def test_oversized_messages(assistant, tally, length, crisis, where, emoji):
    tally["REST: oversized messages (with and without crisis)"] += 1
    filler = (("😀 " if emoji else "") + FILLER) * (length // len(FILLER) + 1)
    text = filler[:length]
    if crisis:
        cut = int(where * len(text))
        text = (text[:cut] + " " + crisis + " " + text[cut:])[:max(length, len(crisis) + 2)]
        if crisis not in text:
            text = crisis + " " + text[len(crisis) + 1:]
    started = time.monotonic()
    response = post(assistant, {"sender": f"fuzz-long-{next(_senders)}", "message": text})
    check_contract(response)
    assert time.monotonic() - started < 5, "an oversized message held the server up"
    if crisis and len(text) <= MAX_SCANNED_CHARS:
        assert response.status_code == 200  # answered and stored, crisis text first
        assert response.json()[0]["text"] == crisis_text()
    else:
        assert response.status_code == 413
        assert response.json()["error"] == TOO_LONG and "113" in TOO_LONG


def test_server_still_answers_after_the_fuzzing(assistant):
    assert_still_answering(assistant)


# --- regressions found by the fuzzing (each one failed before its fix) ----------------------

@pytest.mark.parametrize("body,status,error", [
    ({"sender": "reg-\ud800", "message": "hei"}, 400, BAD_SENDER),  # was: the server exited
    ({"sender": "reg-meta-list", "message": "hei", "metadata": [1, 2]}, 400, BAD_METADATA),  # was: 200 [], lost
    ({"sender": "reg-meta-str", "message": "hei", "metadata": "x"}, 400, BAD_METADATA),  # was: 200 [], lost
    ({"sender": "reg-meta-deep", "message": "hei", "metadata": deep(500)}, 400, BAD_METADATA),  # RecursionError
    ({"sender": "reg-huge", "message": "hei " * 100_000}, 413, TOO_LONG),  # was: 2 s of crisis scanning
])
def test_refused_regressions(assistant, body, status, error):
    started = time.monotonic()
    response = post(assistant, body)
    assert (response.status_code, response.json()) == (status, {"error": error})
    assert time.monotonic() - started < 5
    assert_still_answering(assistant)


def test_a_lone_surrogate_in_a_message_is_answered_and_stored(assistant):
    """Was: spaCy failed on the surrogate, the resident got [] and the message was lost."""
    response = post(assistant, {"sender": "reg-surrogate", "message": "hva er et pakkeforløp \ud800"})
    assert response.status_code == 200 and response.json()
    assert user_events(assistant, "reg-surrogate") == ["hva er et pakkeforløp \ufffd"]


def test_a_client_cannot_choose_the_stored_input_channel(assistant):
    """Was: stored as given, and rasa_server.stores.masking_tracker_store keeps input_channel unmasked."""
    import sqlite3

    response = post(assistant, {"sender": "reg-channel", "message": "hei", "input_channel": "Ola Nordmann 91234567"})
    assert response.status_code == 200
    with sqlite3.connect(f"file:{Path(assistant.workdir) / 'tracker.db'}?mode=ro", uri=True) as connection:
        (data,) = connection.execute(
            "SELECT data FROM events WHERE sender_id = 'reg-channel' AND type_name = 'user'").fetchone()
    assert json.loads(data)["input_channel"] == "rest"


def test_the_logs_hold_no_traceback(assistant):
    """Every bad input above was refused or answered; none of them got as far as an error."""
    for log in ("rasa.log", "actions.log"):
        failures = failures_in_log(Path(assistant.workdir) / log)
        assert not failures, f"{log}:\n" + "\n".join(failures[:20])
