"""A new model goes live without dropping a conversation: the Rasa servers are restarted one at
a time behind nginx.

    results = rolling_restart(cluster, Path("models/new.tar.gz"), say=print)

For each Rasa server in turn:

1. take it out: nginx marks it `down` in both upstreams and reloads; returns once a worker
   with the new file runs, so no new request reaches the server;
2. drain: wait until no connection to its port is open any more (the requests it was handling,
   and those waiting for a conversation's lock, are answered; nginx opens no keepalive
   connections to Rasa, so an open connection is a request in flight), at most DRAIN_TIMEOUT;
3. restart it with the new model (SIGTERM, then `cluster.node` with the new archive), and wait
   until it answers a message sent to it directly, stored with the new model's id;
4. put it back into nginx, then the next server.

The others carry every request meanwhile. A server that does not come up with the new model
is started again with the old one and put back, and the rollout stops there (the cluster keeps
serving, with the remaining servers on the old model): ModelRefused says which and why.
"""
from __future__ import annotations

import json
import tarfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, List, Optional

import requests

from cluster.node import METADATA_FILE, NodeCheckError, _member, check_model

# nginx waits 60 s for a Rasa answer (rasa_read_timeout): a request in flight is over by then
DRAIN_TIMEOUT_SECONDS = 65
DRAIN_POLL_SECONDS = 0.2
PROBE_TEXT = "hei"
PROBE_PREFIX = "deploy-probe-"  # the probe conversations are deleted again
PROBE_TIMEOUT_SECONDS = 60
PROBE_ATTEMPTS = 5
MIN_RASA_SERVERS = 2  # with one, taking it out leaves residents without an answer
TCP_STATES_IN_USE = {"01", "08"}  # ESTABLISHED, CLOSE_WAIT (/proc/net/tcp, include/net/tcp_states.h)


class ModelRefused(RuntimeError):
    """The new model did not come up on a server; it runs the old model again."""


@dataclass
class ServerRestart:
    name: str
    port: int
    take_out_seconds: float = 0.0  # nginx reloaded with the server `down`
    drain_seconds: float = 0.0  # until no request was in flight on it
    left_open: int = 0  # connections still open when the drain timed out (cut by the stop)
    stop_seconds: float = 0.0
    start_seconds: float = 0.0  # until its health check answered (TensorFlow and the model)
    probe_seconds: float = 0.0  # until a message sent to it was answered with the new model
    put_back_seconds: float = 0.0
    total_seconds: float = 0.0
    model_id: str = ""

    def describe(self) -> str:
        cut = f", {self.left_open} connections cut" if self.left_open else ""
        return (f"{self.name} (port {self.port}): {self.total_seconds:.1f} s out of nginx "
                f"(take out {self.take_out_seconds:.1f} s, drain {self.drain_seconds:.1f} s{cut}, "
                f"stop {self.stop_seconds:.1f} s, start {self.start_seconds:.1f} s, "
                f"first answer {self.probe_seconds:.1f} s, put back {self.put_back_seconds:.1f} s)")


@dataclass
class Rollout:
    model: Path
    model_id: str
    servers: List[ServerRestart] = field(default_factory=list)
    seconds: float = 0.0


def model_id(path: Path) -> str:
    """The id Rasa stores with every event the model produces (metadata.json's model_id)."""
    check_model(Path(path))
    with tarfile.open(path, mode="r:gz") as archive:
        return str(json.loads(archive.extractfile(_member(archive, METADATA_FILE)).read())["model_id"])


def open_connections(port: int) -> int:
    """TCP connections to a local port that are in use (a request in flight), IPv4 and IPv6."""
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] in TCP_STATES_IN_USE:
                count += 1
    return count


def drain(port: int, timeout: float = DRAIN_TIMEOUT_SECONDS) -> int:
    """Waits until no connection to `port` is open (twice in a row); returns how many remain."""
    deadline = time.monotonic() + timeout
    quiet = 0
    while True:
        remaining = open_connections(port)
        quiet = quiet + 1 if remaining == 0 else 0
        if quiet >= 2 or time.monotonic() > deadline:
            return remaining
        time.sleep(DRAIN_POLL_SECONDS)


def probe(cluster, name: str, expected_model_id: str) -> None:
    """A message sent to the server itself (not through nginx) is answered, and its events are
    stored with the expected model's id. The probe conversation is deleted afterwards."""
    from sqlalchemy import create_engine

    from storage.conversations import delete_conversation

    sender = f"{PROBE_PREFIX}{name}-{uuid.uuid4().hex[:8]}"
    url = f"http://127.0.0.1:{cluster.rasa_port(name)}/webhooks/rest/webhook"
    engine = create_engine(cluster.postgres.url)
    try:
        for attempt in range(1, PROBE_ATTEMPTS + 1):
            reply = requests.post(url, json={"sender": sender, "message": PROBE_TEXT}, timeout=PROBE_TIMEOUT_SECONDS)
            if reply.status_code == 200 and any(m.get("text") for m in reply.json()):
                break
            if attempt == PROBE_ATTEMPTS:
                raise RuntimeError(f"{name} does not answer a message: HTTP {reply.status_code} {reply.text[:200]}")
            time.sleep(1)
        stored = stored_model_ids(cluster.postgres.url, [sender])
        # the tracker store keeps Rasa's model ids unchanged (rasa_server/stores/masking_tracker_store.py)
        if stored != {expected_model_id}:
            raise RuntimeError(f"{name} answered with model {sorted(map(str, stored))}, not {expected_model_id}")
    finally:
        delete_conversation(engine, sender)
        engine.dispose()


def stored_model_ids(database_url: str, senders: List[str]) -> set:
    """The model ids stored with these conversations' user and bot events."""
    import sqlalchemy as sa

    engine = sa.create_engine(database_url)
    query = sa.text("SELECT DISTINCT data::json->'metadata'->>'model_id' FROM events "
                    "WHERE sender_id = ANY(:senders) AND type_name IN ('user', 'bot')")
    try:
        with engine.connect() as connection:
            return {row[0] for row in connection.execute(query, {"senders": list(senders)})}
    finally:
        engine.dispose()


def rolling_restart(cluster, model: Path, say: Callable[[str], None] = print,
                    drain_timeout: float = DRAIN_TIMEOUT_SECONDS,
                    names: Optional[List[str]] = None) -> Rollout:
    """Restarts every Rasa server of `cluster` (cluster.launcher.Cluster) with `model`, one at a time."""
    model = Path(model).resolve()
    try:
        new_id = model_id(model)
    except NodeCheckError as error:
        raise ModelRefused(str(error)) from None
    names = names or cluster.rasa_names()
    if len(cluster.rasa_names()) < MIN_RASA_SERVERS:
        raise RuntimeError("a rolling restart needs at least two Rasa servers: with one, residents get no answer "
                           "while it restarts")
    if cluster.taken_out():
        raise RuntimeError(f"{', '.join(cluster.taken_out())} is out of nginx already (an interrupted rollout?)")
    rollout = Rollout(model, new_id)
    started = time.monotonic()
    say(f"deploy-model: {model.name} (model id {new_id}) on {', '.join(names)}, one at a time")
    for name in names:
        others = [n for n in cluster.rasa_names() if n != name and cluster.services[n].running]
        if not others:
            raise RuntimeError(f"no other Rasa server runs: {name} cannot be taken out")
        rollout.servers.append(_restart_one(cluster, name, model, new_id, say, drain_timeout))
        say(f"deploy-model: {rollout.servers[-1].describe()}")
    rollout.seconds = time.monotonic() - started
    say(f"deploy-model: done in {rollout.seconds:.1f} s; every Rasa server runs {model.name}")
    return rollout


def _restart_one(cluster, name: str, model: Path, new_id: str, say: Callable[[str], None],
                 drain_timeout: float) -> ServerRestart:
    result = ServerRestart(name, cluster.rasa_port(name), model_id=new_id)
    old_model = cluster.model(name)
    began = clock = time.monotonic()

    def lap() -> float:
        nonlocal clock
        now = time.monotonic()
        seconds, clock = now - clock, now
        return seconds

    cluster.take_out(name)
    result.take_out_seconds = lap()
    say(f"deploy-model: {name} out of nginx; waiting for its requests to finish")
    try:
        result.left_open = drain(result.port, drain_timeout)
        result.drain_seconds = lap()
        cluster.stop(name)
        result.stop_seconds = lap()
        cluster.set_model(name, model)
        say(f"deploy-model: {name} stopped; starting it with {model.name}")
        try:
            cluster.start(name)
            result.start_seconds = lap()
            probe(cluster, name, new_id)
            result.probe_seconds = lap()
        except Exception as error:
            cluster.stop(name, hard=True)
            cluster.set_model(name, old_model)
            say(f"deploy-model: {name} did not come up with {model.name}; starting it with {old_model.name} again")
            cluster.start(name)
            raise ModelRefused(f"{name} did not come up with {model.name} and runs {old_model.name} again; "
                               f"the servers after it were not touched: {error}") from error
    finally:
        # also when it did not start at all: nginx's passive checks then skip it (connection
        # refused is retried on another server), and the next rollout is not blocked
        cluster.put_back(name)
        result.put_back_seconds = lap()
    result.total_seconds = time.monotonic() - began
    return result
