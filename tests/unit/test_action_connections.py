"""rasa_server/patches/action_connections.py: custom action calls reuse one kept connection, drop it
when idle, survive an action server restart and a connection the server closed, and leave
other endpoints alone."""
from __future__ import annotations

import asyncio
import json

import pytest
from aiohttp import web
from rasa.core.actions.action import RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

import rasa_server
from cluster.local_assistant import free_port
from rasa_server.patches import action_connections

DOMAIN = Domain.from_yaml('version: "3.1"\nactions: [action_route_person]\n')
ANSWER = {"events": [], "responses": [{"text": "For voksne ..."}]}


@pytest.fixture(autouse=True)
def installed(monkeypatch):
    monkeypatch.setenv("ACTION_TIMEOUT_SECONDS", "2")
    rasa_server.install()


class ActionServer:
    """aiohttp action server on a fixed port that records the client port of every call."""

    def __init__(self, port: int) -> None:
        self.port, self.client_ports, self._runner = port, [], None

    async def start(self) -> None:
        async def webhook(request):
            self.client_ports.append(request.transport.get_extra_info("peername")[1])
            return web.json_response(ANSWER)

        app = web.Application()
        app.router.add_post("/webhook", webhook)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        await self._runner.cleanup()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/webhook"


async def _call(endpoint: EndpointConfig):
    action = RemoteAction("action_route_person", endpoint)
    tracker = DialogueStateTracker.from_events("tester", [], slots=DOMAIN.slots)
    return await action.run(CollectingOutputChannel(), TemplatedNaturalLanguageGenerator({}), tracker, DOMAIN)


def _normal(events) -> bool:
    return len(events) == 1 and isinstance(events[0], BotUttered) and events[0].text == "For voksne ..."


async def _close(endpoint: EndpointConfig) -> None:
    sessions = action_connections.kept_sessions(endpoint)
    if sessions is not None:
        await sessions.close()


def test_calls_reuse_one_connection():
    async def scenario():
        server = ActionServer(free_port())
        await server.start()
        endpoint = EndpointConfig(url=server.url)
        try:
            results = [await _call(endpoint) for _ in range(5)]
        finally:
            await _close(endpoint)
            await server.stop()
        return results, server.client_ports

    results, ports = asyncio.run(scenario())
    assert all(_normal(events) for events in results)
    assert len(ports) == 5 and len(set(ports)) == 1


def test_rasas_own_request_opens_a_connection_per_call():
    """The control: without kept connections every call comes from a new client port."""
    async def scenario():
        server = ActionServer(free_port())
        await server.start()
        try:
            for _ in range(3):
                await EndpointConfig(url=server.url).request(json={"next_action": "x"}, method="post")
        finally:
            await server.stop()
        return server.client_ports

    assert len(set(asyncio.run(scenario()))) == 3


def test_an_idle_connection_is_dropped_before_the_server_would(monkeypatch):
    monkeypatch.setattr(action_connections, "KEEPALIVE_SECONDS", 0.2)

    async def scenario():
        server = ActionServer(free_port())
        await server.start()
        endpoint = EndpointConfig(url=server.url)
        try:
            await _call(endpoint)
            await asyncio.sleep(0.6)
            await _call(endpoint)
        finally:
            await _close(endpoint)
            await server.stop()
        return server.client_ports

    ports = asyncio.run(scenario())
    assert len(ports) == 2 and ports[0] != ports[1]


def test_a_restarted_action_server_answers_the_next_call():
    async def scenario():
        port = free_port()
        server = ActionServer(port)
        await server.start()
        endpoint = EndpointConfig(url=server.url)
        try:
            first = await _call(endpoint)
            await server.stop()
            server = ActionServer(port)
            await server.start()
            second = await _call(endpoint)
        finally:
            await _close(endpoint)
            await server.stop()
        return first, second

    first, second = asyncio.run(scenario())
    assert _normal(first) and _normal(second)


def test_a_connection_the_server_closed_is_retried_once_on_a_new_one():
    """A server that answers the first request of a connection and drops the connection at
    the second (as a server does that closes a kept connection just as a request comes)."""
    body = json.dumps(ANSWER).encode()
    connections = []

    async def handle(reader, writer):
        connections.append(writer)
        served = 0
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length"))
            await reader.readexactly(length)
            if served == 1:
                writer.close()  # the kept connection is gone; this request got nothing
                return
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                         + str(len(body)).encode() + b"\r\n\r\n" + body)
            await writer.drain()
            served += 1

    async def scenario():
        port = free_port()
        server = await asyncio.start_server(handle, "127.0.0.1", port)
        endpoint = EndpointConfig(url=f"http://127.0.0.1:{port}/webhook")
        try:
            results = [await _call(endpoint) for _ in range(2)]
        finally:
            await _close(endpoint)
            server.close()
        return results

    results = asyncio.run(scenario())
    assert all(_normal(events) for events in results)
    assert len(connections) == 2  # the second call went out again on a new connection


def test_other_endpoints_are_left_alone():
    async def scenario():
        server = ActionServer(free_port())
        await server.start()
        action_endpoint, other = EndpointConfig(url=server.url), EndpointConfig(url=server.url)
        try:
            await _call(action_endpoint)
        finally:
            await _close(action_endpoint)
            await server.stop()
        return action_endpoint, other

    action_endpoint, other = asyncio.run(scenario())
    assert action_connections.kept_sessions(action_endpoint) is not None
    assert action_connections.kept_sessions(other) is None
    assert "session" not in vars(other) and "request" not in vars(other)
