"""Fuzzing the web chat's socket.io channel of the real Rasa server.

Properties: any payload for any event (session_request, user_uttered, delete_conversation,
feedback) gets an acknowledgement of the form {"ok": ...} or none, never a crash; a message the
channel accepts is answered and stored; a socket can never act on another socket's
conversation; only the allowed Origin opens a socket. After each batch a fresh socket still
gets answers, and at the end the server log holds no traceback.
"""
from __future__ import annotations

import json
import queue
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
import socketio
from hypothesis import example, given
from hypothesis import strategies as st

from rasa_server.channels.guard import EMPTY, MAX_MESSAGE_CHARS, NOT_TEXT, TOO_LONG
from rasa_server.texts import crisis_text
from tests.fuzz.conftest import ALLOWED_ORIGIN, assert_still_answering, failures_in_log, fuzz_settings, user_events
from tests.fuzz.strategies import deep, hostile_text, json_values

REPLY_SECONDS = 15
EVENTS = ["session_request", "user_uttered", "delete_conversation", "feedback"]
ERROR_CODES = {"invalid_request", "unknown_session", "invalid_rating", "invalid_text",
               "unknown_answer", "invalid_message", "message_too_long"}


class Socket:
    """A socket.io client that behaves like webchat/src/widget.js (allowed Origin, own session)."""

    def __init__(self, bot, origin: str = ALLOWED_ORIGIN) -> None:
        self.url, self.origin = bot.base_url, origin
        # our own HTTP session, closed with the socket: engineio drops its own without closing
        # it, and the server's graceful shutdown then waits 15 s for the idle keep-alive
        self.http = requests.Session()
        self.client = socketio.Client(reconnection=False, http_session=self.http)
        self.replies: queue.Queue = queue.Queue()
        self.session_id = None
        self._confirmed = threading.Event()
        self.client.on("session_confirm", self._confirm)
        self.client.on("bot_uttered", self.replies.put)

    def _confirm(self, session_id) -> None:
        self.session_id = session_id
        self._confirmed.set()

    def open(self, session_id=None) -> str:
        # polling: engineio's websocket client needs aiohttp>=3.10 and Rasa pins 3.9
        self.client.connect(self.url, headers={"Origin": self.origin}, transports=["polling"],
                            wait_timeout=REPLY_SECONDS)
        return self.bind(session_id)

    def bind(self, session_id=None) -> str:
        self._confirmed.clear()
        self.client.emit("session_request", {"session_id": session_id})
        assert self._confirmed.wait(REPLY_SECONDS), "no session_confirm"
        return self.session_id

    def call(self, event: str, data):
        return self.client.call(event, data, timeout=REPLY_SECONDS)

    def drain(self) -> list:
        found = []
        while not self.replies.empty():
            found.append(self.replies.get_nowait())
        return found

    def close(self) -> None:
        self.client.disconnect()
        self.http.close()


@pytest.fixture(scope="module")
def socket(assistant):
    client = Socket(assistant)
    client.open()
    yield client
    client.close()


def check_ack(ack) -> None:
    """No acknowledgement (session_request), or {"ok": true} / {"ok": false, "error": <code>}."""
    if ack is None:
        return
    assert isinstance(ack, dict) and isinstance(ack.get("ok"), bool), ack
    if not ack["ok"]:
        assert ack.get("error") in ERROR_CODES, ack


def assert_a_fresh_socket_is_answered(bot) -> None:
    fresh = Socket(bot)
    try:
        session_id = fresh.open()
        assert fresh.call("user_uttered", {"message": "hva er et pakkeforløp?", "session_id": session_id}) == {"ok": True}
        reply = fresh.replies.get(timeout=REPLY_SECONDS)
        assert reply.get("text"), reply
    finally:
        fresh.close()


payloads = st.one_of(
    json_values,
    st.fixed_dictionaries({}, optional={"session_id": st.one_of(json_values, st.just("own")),
                                        "message": st.one_of(hostile_text, json_values),
                                        "rating": st.one_of(st.sampled_from(["up", "down"]), json_values),
                                        "text": st.one_of(hostile_text, json_values),
                                        "customData": json_values}),
    st.tuples(json_values, json_values),  # two arguments where the handler takes one
)


@given(event=st.sampled_from(EVENTS), data=payloads)
@example(event="user_uttered", data=("a", "b"))
@example(event="feedback", data={"session_id": "own", "rating": "up", "text": "x" * 30_000})
@example(event="user_uttered", data={"session_id": "own", "message": "hei", "customData": "[" * 5000})
@example(event="user_uttered", data={"session_id": "own", "message": "hei", "customData": deep(40)})
@example(event="session_request", data={"session_id": "../../etc/passwd"})
@fuzz_settings(max_examples=150)
def test_any_payload_for_any_event(assistant, socket, tally, event, data):
    tally["socket.io: any payload for any event"] += 1
    if isinstance(data, dict) and data.get("session_id") == "own":
        data = dict(data, session_id=socket.session_id)
    check_ack(socket.call(event, data))
    socket.drain()
    if socket.session_id is None or event in ("delete_conversation", "session_request"):
        socket.bind()  # the next example starts bound to a conversation again


@given(text=hostile_text)
@example(text="hei \ud800 der")  # a lone surrogate made spaCy fail: no answer, message lost
@example(text="\x00\x01")
@example(text="<script>alert(1)</script> {{7*7}}")
@fuzz_settings(max_examples=80)
def test_messages_are_answered_and_stored(assistant, socket, tally, text):
    tally["socket.io: unicode and injection messages"] += 1
    session_id = socket.session_id
    before = len(user_events(assistant, session_id))
    ack = socket.call("user_uttered", {"message": text, "session_id": session_id})
    replies = socket.drain()
    if ack == {"ok": False, "error": "invalid_message"}:
        assert not any(ch.isalnum() for ch in text), "a message with letters was refused"
        assert [r.get("text") for r in replies] == [EMPTY]
        return
    assert ack == {"ok": True}
    stored = user_events(assistant, session_id)
    assert len(stored) == before + 1 and stored[-1], "the accepted message is not in the tracker"
    assert "\x00" not in stored[-1]
    if not text.strip().startswith("/"):  # "/restart" and friends are Rasa commands
        assert replies, "the resident got no answer"


@given(event=st.sampled_from(["user_uttered", "delete_conversation", "feedback"]),
       target=st.one_of(st.just("victim"), hostile_text, json_values),
       extra=st.fixed_dictionaries({}, optional={"message": hostile_text, "rating": st.sampled_from(["up", "down"]),
                                                 "text": hostile_text}))
@fuzz_settings(max_examples=60)
def test_a_socket_cannot_touch_another_conversation(assistant, tally, event, target, extra, victim_and_intruder):
    tally["socket.io: foreign session ids"] += 1
    victim, intruder = victim_and_intruder
    session_id = victim.session_id if target == "victim" else target
    if session_id == intruder.session_id:
        return  # its own conversation: allowed, and not what this property is about
    before = len(user_events(assistant, victim.session_id))
    ack = intruder.call(event, dict(extra, session_id=session_id))
    check_ack(ack)
    assert ack is not None and ack["ok"] is False, ack
    assert len(user_events(assistant, victim.session_id)) == before, "the intruder changed the victim's conversation"
    intruder.drain()


@pytest.fixture(scope="module")
def victim_and_intruder(assistant):
    victim, intruder = Socket(assistant), Socket(assistant)
    victim.open()
    assert victim.call("user_uttered", {"message": "hei", "session_id": victim.session_id}) == {"ok": True}
    intruder.open()
    yield victim, intruder
    victim.drain()
    assert victim.call("user_uttered", {"message": "takk", "session_id": victim.session_id}) == {"ok": True}
    assert victim.replies.get(timeout=REPLY_SECONDS), "the victim's conversation stopped answering"
    victim.close()
    intruder.close()


def _allowed(origin: str) -> bool:
    """The spec: scheme and host are exactly the configured ones (any letter case) and nothing
    else is in the Origin: no other port, user info, path, query or fragment. A request without
    an Origin does not come from a web page, so there is nothing to check."""
    if not origin.strip():
        return True
    parts = urlsplit(origin.strip())
    return (f"{parts.scheme}://{parts.netloc}".lower() == ALLOWED_ORIGIN
            and parts.path in ("", "/") and not parts.query and not parts.fragment)


@given(origin=st.one_of(
    st.sampled_from([ALLOWED_ORIGIN, ALLOWED_ORIGIN + "/", ALLOWED_ORIGIN.upper(), ALLOWED_ORIGIN + ".evil.example",
                     "http://evil.fuzz.test", "https://fuzz.test", ALLOWED_ORIGIN + ":80", "null", "",
                     ALLOWED_ORIGIN + "/path", ALLOWED_ORIGIN + "@evil.example", "http://fuzz.test\\@evil",
                     "*", "file://", ALLOWED_ORIGIN + "?x", ALLOWED_ORIGIN + "#"]),
    st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7e), max_size=40),
))
@fuzz_settings(max_examples=60)
def test_only_the_allowed_origin_opens_a_socket(assistant, tally, origin):
    tally["socket.io: Origin header"] += 1
    handshake = f"{assistant.base_url}/socket.io/?EIO=4&transport=polling"
    response = requests.get(handshake, headers={"Origin": origin}, timeout=REPLY_SECONDS)
    assert response.status_code < 500
    if _allowed(origin):
        assert response.status_code == 200
        # close the Engine.IO session ("1" is its close packet), or it lingers until the
        # server's ping timeout and holds up the server's shutdown
        sid = json.loads(response.text[1:])["sid"]
        requests.post(f"{handshake}&sid={sid}", data="1", headers={"Origin": origin}, timeout=REPLY_SECONDS)
    else:
        assert response.status_code == 400
        assert "Access-Control-Allow-Origin" not in response.headers


def test_a_fresh_socket_is_answered_after_the_fuzzing(assistant):
    assert_a_fresh_socket_is_answered(assistant)
    assert_still_answering(assistant)


# --- regressions found by the fuzzing (each one failed before its fix) ----------------------

def test_an_oversized_message_gets_the_reason_and_a_crisis_the_crisis_answer(assistant, socket):
    """Was: the socket channel had no size check; any length went to Rasa and into the database.
    An oversized crisis goes on whole: answered with 113 first and stored."""
    session_id = socket.session_id
    before = len(user_events(assistant, session_id))
    assert socket.call("user_uttered", {"message": "x" * (MAX_MESSAGE_CHARS + 1), "session_id": session_id}) \
        == {"ok": False, "error": "message_too_long"}
    assert [r["text"] for r in socket.drain()] == [TOO_LONG]
    assert len(user_events(assistant, session_id)) == before
    crisis = "bla " * MAX_MESSAGE_CHARS + "jeg vil ta livet mitt"
    assert socket.call("user_uttered", {"message": crisis, "session_id": session_id}) == {"ok": True}
    assert socket.drain()[0]["text"] == crisis_text()
    assert len(user_events(assistant, session_id)) == before + 1  # answered and stored


def test_a_message_that_is_not_text_gets_the_reason(assistant, socket):
    """Was: silently ignored; the resident waited for an answer that never came."""
    assert socket.call("user_uttered", {"message": ["hei"], "session_id": socket.session_id}) \
        == {"ok": False, "error": "invalid_message"}
    assert [r["text"] for r in socket.drain()] == [NOT_TEXT]


def test_a_lone_surrogate_is_answered_and_stored(assistant, socket):
    """Was: spaCy failed on the surrogate; no answer, and the message was lost."""
    session_id = socket.session_id
    assert socket.call("user_uttered", {"message": "hva er et pakkeforløp \ud800", "session_id": session_id}) == {"ok": True}
    assert socket.drain()
    assert user_events(assistant, session_id)[-1] == "hva er et pakkeforløp \ufffd"


def test_a_payload_over_the_buffer_limit_does_not_hurt_others(assistant):
    big = Socket(assistant)
    big.open()
    try:
        big.client.emit("user_uttered", {"message": "x" * 2_000_000, "session_id": big.session_id})
    except socketio.exceptions.SocketIOError:
        pass  # the server may close the connection: that is the expected defence
    finally:
        big.close()
    assert_a_fresh_socket_is_answered(assistant)


def test_the_logs_hold_no_traceback(assistant):
    """Every bad input above was refused or answered; none of them got as far as an error."""
    for log in ("rasa.log", "actions.log"):
        failures = failures_in_log(Path(assistant.workdir) / log)
        assert not failures, f"{log}:\n" + "\n".join(failures[:20])
