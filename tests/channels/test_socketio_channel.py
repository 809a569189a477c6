"""The web chat channel over a real socket.io connection (echo bot, no trained model needed).

Starts tests/channels/echo_app.py on a free loopback port with a temporary SQLite tracker
database, then talks to it with python-socketio's client as the widget does.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
import socketio
import sqlalchemy as sa

from cluster.local_assistant import ROOT, free_port

ALLOWED = "http://allowed.test:8080"
FOREIGN = "http://evil.example"
STARTUP_SECONDS = 60
REPLY_SECONDS = 10


@pytest.fixture(scope="module")
def echo_server(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("echo")
    port = free_port()
    env = dict(os.environ)
    env.update(
        TRACKER_DIALECT="sqlite",
        TRACKER_DB=str(workdir / "tracker.db"),
        ALLOWED_ORIGINS=ALLOWED,
        PYTHONPATH=str(ROOT),
    )
    log = workdir / "echo.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.channels.echo_app", "--port", str(port)],
        cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        try:
            if requests.get(f"{url}/webhooks/socketio/", timeout=2).ok:
                break
        except requests.RequestException:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"echo server did not start:\n{log.read_text()[-3000:]}")
        time.sleep(0.3)
    yield {"url": url, "db": workdir / "tracker.db"}
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=20)


def _count(db: Path, table: str, sender_id: str) -> int:
    engine = sa.create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        if not sa.inspect(engine).has_table(table):
            return 0
        return conn.execute(
            sa.text(f"SELECT COUNT(*) FROM {table} WHERE sender_id = :s"), {"s": sender_id}
        ).scalar()


class Widget:
    """A socket.io client that behaves like webchat/src/widget.js."""

    def __init__(self, url: str, origin: str = ALLOWED) -> None:
        self.url, self.origin = url, origin
        self.client = socketio.AsyncClient(reconnection=False)
        self.session_id: str | None = None
        self.bot_messages: asyncio.Queue = asyncio.Queue()
        self.confirmed = asyncio.Event()

        @self.client.on("session_confirm")
        async def confirm(session_id):
            self.session_id = session_id
            self.confirmed.set()

        @self.client.on("bot_uttered")
        async def uttered(message):
            await self.bot_messages.put(message)

    async def open(self, session_id=None):
        # polling: engineio 4.15's websocket client needs aiohttp>=3.10, Rasa pins 3.9 (the
        # browser tests cover the websocket transport)
        await self.client.connect(self.url, headers={"Origin": self.origin}, transports=["polling"])
        self.confirmed.clear()
        await self.client.emit("session_request", {"session_id": session_id})
        await asyncio.wait_for(self.confirmed.wait(), REPLY_SECONDS)
        return self.session_id

    async def say(self, text, session_id=None):
        await self.client.emit("user_uttered", {"message": text, "session_id": session_id or self.session_id})
        return await asyncio.wait_for(self.bot_messages.get(), REPLY_SECONDS)

    async def call(self, event, data):
        return await self.client.call(event, data, timeout=REPLY_SECONDS)

    async def close(self):
        await self.client.disconnect()


def run(coro):
    # in a thread of its own: Playwright's sync API (browser tests in the same session) keeps
    # an event loop running in the main thread, where asyncio.run() refuses to start
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


def test_foreign_origin_gets_http_400(echo_server):
    handshake = f"{echo_server['url']}/socket.io/?EIO=4&transport=polling"
    refused = requests.get(handshake, headers={"Origin": FOREIGN}, timeout=5)
    assert refused.status_code == 400
    assert "Access-Control-Allow-Origin" not in refused.headers
    allowed = requests.get(handshake, headers={"Origin": ALLOWED}, timeout=5)
    assert allowed.status_code == 200
    assert allowed.headers["Access-Control-Allow-Origin"] == ALLOWED


def test_foreign_origin_cannot_open_a_websocket(echo_server):
    async def scenario():
        widget = Widget(echo_server["url"], origin=FOREIGN)
        with pytest.raises(socketio.exceptions.ConnectionError):
            await widget.open()

    run(scenario())


def test_conversation_feedback_and_deletion(echo_server):
    db = echo_server["db"]

    async def scenario():
        widget = Widget(echo_server["url"])
        session_id = await widget.open()
        assert len(session_id) == 32
        reply = await widget.say("hei")
        assert reply["text"] == "Du skrev: hei"
        assert [b["payload"] for b in reply["quick_replies"]] == ["hva er et pakkeforløp", "kontakt"]

        assert await widget.call("feedback", {"session_id": session_id, "rating": "up", "text": reply["text"]}) == {"ok": True}
        assert await widget.call("feedback", {"session_id": session_id, "rating": "meh", "text": reply["text"]}) == {"ok": False, "error": "invalid_rating"}
        invented = {"session_id": session_id, "rating": "down", "text": "Noe boten aldri sa"}
        assert await widget.call("feedback", invented) == {"ok": False, "error": "unknown_answer"}
        assert _count(db, "conversation_feedback", session_id) == 1
        assert _count(db, "events", session_id) > 0

        assert await widget.call("delete_conversation", {"session_id": session_id}) == {"ok": True}
        assert _count(db, "events", session_id) == 0
        assert _count(db, "conversation_feedback", session_id) == 0
        # after deletion the socket is bound to nothing until it asks for a new session
        assert await widget.call("feedback", {"session_id": session_id, "rating": "up", "text": "x"}) == {"ok": False, "error": "unknown_session"}
        await widget.close()


    run(scenario())


def test_a_socket_can_touch_only_its_own_conversation(echo_server):
    db = echo_server["db"]

    async def scenario():
        owner, intruder = Widget(echo_server["url"]), Widget(echo_server["url"])
        victim = await owner.open()
        await owner.say("mitt spørsmål")
        await intruder.open()
        assert await intruder.call("delete_conversation", {"session_id": victim}) == {"ok": False, "error": "unknown_session"}
        assert await intruder.call("feedback", {"session_id": victim, "rating": "down", "text": "Du skrev: mitt spørsmål"}) == {"ok": False, "error": "unknown_session"}
        with pytest.raises(asyncio.TimeoutError):
            await intruder.say("injisert", session_id=victim)
        assert _count(db, "events", victim) > 0
        events = sa.create_engine(f"sqlite:///{db}").connect().execute(
            sa.text("SELECT data FROM events WHERE sender_id = :s"), {"s": victim}
        ).all()
        assert not any("injisert" in row[0] for row in events)
        await owner.close()
        await intruder.close()

    run(scenario())


def test_reconnecting_with_the_session_id_continues_the_conversation(echo_server):
    db = echo_server["db"]

    async def scenario():
        first = Widget(echo_server["url"])
        session_id = await first.open()
        await first.say("første")
        await first.close()
        second = Widget(echo_server["url"])
        assert await second.open(session_id) == session_id
        reply = await second.say("andre")
        assert reply["text"] == "Du skrev: andre"
        await second.close()
        return session_id

    session_id = run(scenario())
    assert _count(db, "events", session_id) >= 4


def test_malformed_requests_get_an_error(echo_server):
    async def scenario():
        widget = Widget(echo_server["url"])
        await widget.open()
        replies = [
            await widget.call("feedback", "not a dict"),
            await widget.call("delete_conversation", ["x"]),
            await widget.call("feedback", {"session_id": widget.session_id, "rating": "up", "text": "x" * 20_001}),
        ]
        await widget.close()
        return replies

    assert run(scenario()) == [
        {"ok": False, "error": "invalid_request"},
        {"ok": False, "error": "invalid_request"},
        {"ok": False, "error": "invalid_text"},
    ]


def test_a_malformed_session_id_gets_a_fresh_one(echo_server):
    async def scenario():
        widget = Widget(echo_server["url"])
        session_id = await widget.open("../../etc/passwd")
        await widget.close()
        return session_id

    session_id = run(scenario())
    assert session_id != "../../etc/passwd" and len(session_id) == 32


def test_extra_arguments_and_bad_messages_get_an_error(echo_server):
    """Found by tests/fuzz: two arguments raised TypeError in python-socketio (no answer at all),
    and a message that was not text, or too long, was ignored or passed on unchecked."""
    from rasa_server.channels.guard import NOT_TEXT, TOO_LONG

    async def scenario():
        widget = Widget(echo_server["url"])
        session_id = await widget.open()
        acks = [
            await widget.call("feedback", ({"session_id": session_id}, "extra")),
            await widget.call("user_uttered", ({"message": "hei", "session_id": session_id}, 2)),
            await widget.call("user_uttered", {"message": ["hei"], "session_id": session_id}),
            await widget.call("user_uttered", {"message": "x" * 3001, "session_id": session_id}),
        ]
        replies = [await asyncio.wait_for(widget.bot_messages.get(), REPLY_SECONDS) for _ in range(2)]
        acks.append(await widget.call("user_uttered", {"message": "hei \ud800", "session_id": session_id}))
        echoed = await asyncio.wait_for(widget.bot_messages.get(), REPLY_SECONDS)
        await widget.close()
        return acks, [r["text"] for r in replies], echoed["text"]

    acks, replies, echoed = run(scenario())
    assert acks == [
        {"ok": False, "error": "invalid_request"},
        {"ok": False, "error": "invalid_request"},
        {"ok": False, "error": "invalid_message"},
        {"ok": False, "error": "message_too_long"},
        {"ok": True},
    ]
    assert replies == [NOT_TEXT, TOO_LONG]
    assert echoed == "Du skrev: hei \ufffd"


def test_download_gives_the_own_conversation_as_text_and_nothing_of_another(echo_server):
    async def scenario():
        owner, intruder = Widget(echo_server["url"]), Widget(echo_server["url"])
        victim = await owner.open()
        await owner.say("mitt første spørsmål")
        own = await owner.call("download_conversation", {"session_id": victim})
        english = await owner.call("download_conversation", {"session_id": victim, "lang": "en"})
        await intruder.open()
        stolen = await intruder.call("download_conversation", {"session_id": victim})
        malformed = await intruder.call("download_conversation", "not a dict")
        await owner.close()
        await intruder.close()
        return own, english, stolen, malformed

    own, english, stolen, malformed = run(scenario())
    assert own["ok"] is True and own["messages"] == 2
    lines = own["text"].splitlines()
    assert lines[0].startswith("Samtale med Forløpsassistenten")
    assert "slik samtalen er lagret" in own["text"]
    assert re.search(r"^\d{4}-\d\d-\d\d \d\d:\d\d Du: mitt første spørsmål$", own["text"], re.MULTILINE)
    assert re.search(r"^\d{4}-\d\d-\d\d \d\d:\d\d Assistenten: Du skrev: mitt første spørsmål$", own["text"], re.MULTILINE)
    assert "You: mitt første spørsmål" in english["text"] and "Assistant: Du skrev:" in english["text"]
    assert stolen == {"ok": False, "error": "unknown_session"}
    assert malformed == {"ok": False, "error": "invalid_request"}


def test_privacy_notice_states_the_municipality_s_retention_days(echo_server):
    from municipalities import catalogue

    async def scenario():
        widget = Widget(echo_server["url"])
        await widget.open()
        replies = [
            await widget.call("privacy_notice", {"municipality": "kommune-a"}),
            await widget.call("privacy_notice", {"municipality": "kommune-b"}),
            await widget.call("privacy_notice", {}),
            await widget.call("privacy_notice", {"municipality": "kommune-x"}),
            await widget.call("privacy_notice", ["x"]),
        ]
        await widget.close()
        return replies

    a, b, default, unknown, malformed = run(scenario())
    municipalities = catalogue.load()
    for reply, municipality in ((a, municipalities.get("kommune-a")), (b, municipalities.get("kommune-b")),
                                (default, municipalities.default)):
        assert reply == {"ok": True, "municipality": municipality.name, "retention_days": municipality.retention_days}
    assert unknown == {"ok": False, "error": "unknown_municipality"}
    assert malformed == {"ok": False, "error": "invalid_request"}
