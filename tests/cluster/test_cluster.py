"""The cluster end to end: nginx in front of two Rasa servers sharing PostgreSQL and Redis.

Which Rasa server answered a request is read from nginx's access log (upstream=127.0.0.1:PORT).
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import json
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests

from cluster.launcher import ROOT, Cluster
from rasa_server.stores.lock_store import ALIVE_INTERVAL_SECONDS, RESTART_GRACE_SECONDS
from tests.cluster.conftest import AccessLog, texts

REST = "POST /webhooks/rest/webhook"
SOCKET_TIMEOUT_SECONDS = 60
ANSWER_TIMEOUT_SECONDS = 60


def test_every_process_runs_and_listens_on_loopback_only(cluster: Cluster):
    assert cluster.names() == ["postgres", "redis", "actions-1", "actions-2", "rasa-1", "rasa-2",
                               "nginx", "web", "review"]
    for name in cluster.names():
        assert cluster.services[name].running, name
        assert Path(cluster.log(name)).exists(), name
    ours = {cluster.nginx_port, cluster.action_lb_port, cluster.postgres.port, cluster.redis_port,
            cluster.web_port, cluster.review_port, *cluster.rasa_ports, *cluster.action_ports}
    listening = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, port = local.rsplit(":", 1)
            if state == "0A":  # LISTEN
                listening.setdefault(int(port, 16), set()).add(address)
    for port in ours:
        assert listening.get(port) == {"0100007F"}, f"port {port} listens on {listening.get(port)}"


def test_rest_through_nginx_answers_and_reaches_both_rasa_servers(cluster: Cluster, sender):
    log = AccessLog(cluster.nginx_access_log)
    for turn in range(4):
        replies = cluster.say(f"{sender}-{turn}", "hva er et pakkeforløp?")
        assert "pakkeforløp" in texts(replies).lower()
    assert set(log.upstream_ports(REST, at_least=4)) == set(cluster.rasa_ports)


def test_a_conversation_alternating_between_servers_keeps_its_history(cluster: Cluster, sender):
    log = AccessLog(cluster.nginx_access_log)
    # turn 1 routes to the child service (slots), turns 3 and 4 answer from those slots
    for message, expected in [("sønnen min på 14 sliter, hvem kan vi kontakte?", "Barne- og familietjenesten"),
                              ("hva er et pakkeforløp?", "pakkeforløp"),
                              ("når kan jeg ringe?", "Barne- og familietjenesten"),
                              ("har dere epost?", "Barne- og familietjenesten")]:
        answer = texts(cluster.say(sender, message))
        assert expected.lower() in answer.lower(), (message, answer)
    served_by = log.upstream_ports(REST, at_least=4)
    assert len(served_by) == 4
    # a turn that answered from the slots ran on the server that did not set them
    assert any(port != served_by[0] for port in served_by[2:]), served_by


async def _polling_chat(base_url: str, sticky: str, question: str):
    """python-socketio's client on long polling (its websocket transport needs aiohttp >= 3.10)."""
    import socketio

    client = socketio.AsyncClient(reconnection=False)
    confirmed: asyncio.Future = asyncio.get_running_loop().create_future()
    answers: asyncio.Queue = asyncio.Queue()

    @client.on("session_confirm")
    async def on_confirm(session_id):
        if not confirmed.done():
            confirmed.set_result(session_id)

    @client.on("bot_uttered")
    async def on_bot(message):
        await answers.put(message)

    await client.connect(f"{base_url}/?sticky={sticky}", transports=["polling"], socketio_path="/socket.io/",
                         headers={"Origin": base_url}, wait_timeout=SOCKET_TIMEOUT_SECONDS)
    try:
        await client.emit("session_request", {"session_id": None})
        session_id = await asyncio.wait_for(confirmed, SOCKET_TIMEOUT_SECONDS)
        await client.emit("user_uttered", {"message": question, "session_id": session_id})
        first = await asyncio.wait_for(answers.get(), ANSWER_TIMEOUT_SECONDS)
        return session_id, first.get("text", "")
    finally:
        await client.disconnect()


async def _websocket_chat(base_url: str, sticky: str, question: str, upgrade: bool):
    """The socket.io protocol by hand over a websocket: opened directly, or (`upgrade`) the way
    browsers do it, a long-polling handshake first and then an upgrade of that same session,
    which fails unless both requests reach the same Rasa server."""
    import websockets

    query = f"EIO=4&transport=websocket&sticky={sticky}"
    if upgrade:
        handshake = requests.get(f"{base_url}/socket.io/?EIO=4&transport=polling&sticky={sticky}",
                                 headers={"Origin": base_url}, timeout=SOCKET_TIMEOUT_SECONDS)
        assert handshake.status_code == 200 and handshake.text.startswith("0"), handshake.text
        query += "&sid=" + json.loads(handshake.text[1:])["sid"]
    url = base_url.replace("http://", "ws://") + "/socket.io/?" + query
    async with websockets.connect(url, origin=base_url, open_timeout=SOCKET_TIMEOUT_SECONDS) as ws:

        async def receive_event(name: str):
            while True:
                packet = await asyncio.wait_for(ws.recv(), ANSWER_TIMEOUT_SECONDS)
                if packet == "2":  # engine.io ping
                    await ws.send("3")
                elif packet.startswith("42"):
                    event, *args = json.loads(packet[2:])
                    if event == name:
                        return args[0] if args else None

        if upgrade:
            await ws.send("2probe")
            assert await asyncio.wait_for(ws.recv(), SOCKET_TIMEOUT_SECONDS) == "3probe"
            await ws.send("5")  # upgrade done
        else:
            assert (await asyncio.wait_for(ws.recv(), SOCKET_TIMEOUT_SECONDS)).startswith("0")
        await ws.send("40")  # socket.io connect to the default namespace
        while not (await asyncio.wait_for(ws.recv(), SOCKET_TIMEOUT_SECONDS)).startswith("40"):
            pass
        await ws.send("42" + json.dumps(["session_request", {"session_id": None}]))
        session_id = await receive_event("session_confirm")
        await ws.send("42" + json.dumps(["user_uttered", {"message": question, "session_id": session_id}]))
        answer = await receive_event("bot_uttered")
        return session_id, answer.get("text", "")


@pytest.mark.parametrize("transport", ["polling", "websocket", "polling upgraded to websocket"])
def test_socketio_through_nginx_is_sticky_per_browser_tab(cluster: Cluster, transport):
    log = AccessLog(cluster.nginx_access_log)
    sticky = uuid.uuid4().hex[:24]
    question = "hva er et pakkeforløp?"
    if transport == "polling":
        chat = _polling_chat(cluster.base_url, sticky, question)
    else:
        chat = _websocket_chat(cluster.base_url, sticky, question, upgrade=transport != "websocket")
    session_id, answer = asyncio.run(chat)
    assert re.fullmatch(r"[0-9a-f]{32}", session_id)
    assert "pakkeforløp" in answer.lower()
    ports = log.upstream_ports(f"sticky={sticky}")
    assert ports and set(ports) <= set(cluster.rasa_ports)
    assert len(set(ports)) == 1, f"one tab's socket.io requests went to several servers: {ports}"
    if transport != "websocket":
        assert len(ports) >= 2, "every request of the session went to the same server"


def test_socketio_tabs_are_spread_over_both_servers(cluster: Cluster):
    log = AccessLog(cluster.nginx_access_log)
    handshake = f"{cluster.base_url}/socket.io/?EIO=4&transport=polling&sticky="
    stickies = [uuid.uuid4().hex[:24] for _ in range(20)]
    for sticky in stickies + stickies[:5]:  # the first five twice: the same server again
        assert requests.get(handshake + sticky, headers={"Origin": cluster.base_url}, timeout=30).status_code == 200
    by_tab = {sticky: set(log.upstream_ports(f"sticky={sticky}")) for sticky in stickies}
    assert all(len(ports) == 1 for ports in by_tab.values()), by_tab
    assert set().union(*by_tab.values()) == set(cluster.rasa_ports)


def test_the_web_page_is_served_through_nginx_and_may_open_sockets(cluster: Cluster):
    page = requests.get(f"{cluster.base_url}/", timeout=30)
    assert page.status_code == 200
    assert f'data-server-url="{cluster.base_url}"' in page.text
    assert requests.get(f"{cluster.base_url}/forlop-chat.js", timeout=30).status_code == 200
    # the page's origin is allowed to open a socket, a foreign one is not (rasa_server/channels/socketio.py)
    handshake = f"{cluster.base_url}/socket.io/?EIO=4&transport=polling&sticky=origin-check"
    assert requests.get(handshake, headers={"Origin": cluster.base_url}, timeout=30).status_code == 200
    assert requests.get(handshake, headers={"Origin": "https://evil.example"}, timeout=30).status_code == 400


def test_review_console_reads_conversations_made_through_the_cluster(cluster: Cluster, sender):
    cluster.say(sender, "hei")
    cluster.say(sender, "hva er et pakkeforløp?")
    password = "klynge-test-passord-123"
    name = f"kari{uuid.uuid4().hex[:6]}"
    subprocess.run([sys.executable, "-m", "review", "create-user", name, "--role", "reviewer",
                    "--municipality", "kommune-a"],  # a reviewer reads only their municipalities
                   cwd=ROOT, env={**cluster.env, "REVIEW_PASSWORD": password}, check=True,
                   capture_output=True, timeout=120)
    console = requests.Session()
    login_page = console.get(f"{cluster.review_url}/login", timeout=30).text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', login_page).group(1)
    logged_in = console.post(f"{cluster.review_url}/login", timeout=60,
                             data={"username": name, "password": password, "csrf_token": csrf})
    assert logged_in.status_code == 200 and "/login" not in logged_in.url
    listing = console.get(f"{cluster.review_url}/", timeout=60)
    assert f"id={sender}" in listing.text
    transcript = console.get(f"{cluster.review_url}/conversations/view", params={"id": sender}, timeout=60)
    assert transcript.status_code == 200
    assert "hva er et pakkeforløp?" in transcript.text


def _post_from(address: str, url: str, sender: str, text: str) -> requests.Response:
    """A POST from another loopback address (all of 127.0.0.0/8 is this machine)."""
    session = requests.Session()
    adapter = requests.adapters.HTTPAdapter()
    adapter.init_poolmanager(1, 1, source_address=(address, 0))
    session.mount("http://", adapter)
    try:
        return session.post(url, json={"sender": sender, "message": text}, timeout=ANSWER_TIMEOUT_SECONDS)
    finally:
        session.close()


def test_a_flood_from_one_client_gets_429_while_another_client_is_served(cluster: Cluster, sender):
    flood_requests = 200
    with concurrent.futures.ThreadPoolExecutor(max_workers=24) as pool:
        flood = [pool.submit(_post_from, "127.0.0.2", cluster.rest_url, f"{sender}-flood-{i}", "hei")
                 for i in range(flood_requests)]
        time.sleep(0.2)
        # a resident on another address, while the flood is going on
        flood_running = not all(future.done() for future in flood)
        resident_reply = _post_from("127.0.0.3", cluster.rest_url, f"{sender}-resident", "hva er et pakkeforløp?")
        responses = [future.result() for future in flood]
    statuses = [response.status_code for response in responses]
    assert flood_running, "the resident's message was sent during the flood"
    assert statuses.count(429) >= 30, statuses
    assert set(statuses) <= {200, 429}, statuses
    assert resident_reply.status_code == 200
    assert "pakkeforløp" in texts(resident_reply.json()).lower()
    refused = next(response for response in responses if response.status_code == 429)
    assert refused.headers["Content-Type"].startswith("application/json")
    assert "Vent litt" in json.loads(refused.text)["error"]


def test_a_socketio_flood_is_limited_too(cluster: Cluster):
    handshake = f"{cluster.base_url}/socket.io/?EIO=4&transport=polling&sticky=flood"

    def get(_):
        session = requests.Session()
        adapter = requests.adapters.HTTPAdapter()
        adapter.init_poolmanager(1, 1, source_address=("127.0.0.4", 0))
        session.mount("http://", adapter)
        with session:
            return session.get(handshake, headers={"Origin": cluster.base_url}, timeout=30).status_code

    with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(get, range(150)))
    assert statuses.count(429) >= 40, statuses
    assert set(statuses) <= {200, 429}


def test_while_redis_is_down_messages_are_refused_with_113_and_the_apology(cluster: Cluster, sender):
    """No shared lock, no handling (rasa_server/stores/lock_store.py): 503 with the crisis answer for a
    crisis and the apology with the phone number, never a silent [] and never two servers at once."""
    before = cluster.pid("redis")
    cluster.stop("redis", hard=True)
    try:
        crisis = requests.post(cluster.rest_url, json={"sender": sender, "message": "jeg vil ikke leve lenger"},
                               timeout=ANSWER_TIMEOUT_SECONDS)
        plain = requests.post(cluster.rest_url, json={"sender": sender, "message": "hva er et pakkeforløp?"},
                              timeout=ANSWER_TIMEOUT_SECONDS)
    finally:
        cluster.start("redis")
    assert cluster.pid("redis") != before
    assert crisis.status_code == 503 and re.search(r"\b113\b", texts(crisis.json()))
    assert plain.status_code == 503 and "901 50 842" in texts(plain.json())
    # Redis is back empty: refused the same way for the lock store's grace period, then normal
    deadline = time.monotonic() + RESTART_GRACE_SECONDS + ALIVE_INTERVAL_SECONDS + 5
    while True:
        reply = requests.post(cluster.rest_url, json={"sender": sender, "message": "sønnen min på 14 sliter"},
                              timeout=ANSWER_TIMEOUT_SECONDS)
        if reply.status_code == 200 or time.monotonic() > deadline:
            break
        assert reply.status_code == 503 and "901 50 842" in texts(reply.json())
        time.sleep(0.2)
    assert reply.status_code == 200 and "Barne- og familietjenesten" in texts(reply.json())
    assert "message refused" in "".join(cluster.log(n).read_text() for n in ("rasa-1", "rasa-2"))


def test_a_rasa_servers_own_failure_answer_passes_through_nginx(cluster: Cluster, sender):
    """With PostgreSQL down the Rasa server answers 503 with the crisis answer and the apology
    (rasa_server/channels/failures.py); nginx must not replace that body with its own text."""
    cluster.stop("postgres")
    try:
        # more than max_fails (3) per server: a server's own 503 must not count as a failure,
        # or nginx would take both out and answer with its own text
        replies = [requests.post(cluster.rest_url, json={"sender": f"{sender}-{i}", "message": "jeg vil ikke leve lenger"},
                                 timeout=ANSWER_TIMEOUT_SECONDS) for i in range(8)]
    finally:
        cluster.start("postgres")
    for reply in replies:
        assert reply.status_code == 503
        body = reply.json()
        assert isinstance(body, list), body  # Rasa's messages, not nginx's {"error": ...}
        assert re.search(r"\b113\b", texts(body))
    assert "pakkeforløp" in texts(cluster.say(sender, "hva er et pakkeforløp?")).lower()
