"""Fault: Redis (the lock store) restarts while one conversation gets bursts of messages.

Only the lock store keeps two messages of one conversation apart when they reach different
Rasa servers. Bursts of messages for one conversation (six messages without waiting for
answers: three pairs 0.05 s apart, the two of a pair at the same moment, one to each Rasa
server directly; a new conversation every half second) run before, during and after a Redis
restart: stopped for a few seconds, and killed and started again at once (a message may
still hold its lock in the old Redis while the next one asks the new, empty one: the lock
store then refuses new messages for a grace period while the servers write back the tickets
they hold). Afterwards PostgreSQL must show every turn whole: each user event followed by
exactly its own bot replies before the next user event, no answered message missing, none
stored twice. What residents get while Redis is down and in the grace period is printed.

That check alone catches two messages handled at once only when their saves overlap (Rasa
writes a turn's events together at its end; rows of two saves at the same moment interleave).
Two more traces show it. Every burst is a new conversation whose first pair reaches both
servers at the same moment: handled at once, both servers start a session, and
`session_started` is stored twice. And the second of a pair must wait for the first's lock
(Rasa polls it every second): pairs answered both in under LOCK_POLL_SECONDS are counted and
printed (a hint only: the second may also have arrived after the first was done).
"""
from __future__ import annotations

import itertools
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Dict, List, Tuple

import pytest

from evaluation.figures import split_turns
from rasa_server.stores.lock_store import ALIVE_INTERVAL_SECONDS, RESTART_GRACE_SECONDS
from tests.faults.conftest import stored_events
from tests.faults.load import Exchange, Turn, send

# plain answers (no action server involved): one distinct message per slot of a burst
BURST = (
    Turn("hva er et pakkeforløp?", False, "ventetid, utredning"),
    Turn("hva gjør en forløpskoordinator", False, "spesialisthelsetjenesten"),
    Turn("kan pårørende være med", False, "pårørende"),
    Turn("hvordan starter forløpet", True, "hos fastlegen eller en annen henviser"),
    Turn("hvor kan jeg lese mer", False, "helsenorge.no"),
    Turn("samarbeider dere med sykehuset", True, "Vestre Viken"),
)
STAGGER_SECONDS = 0.05  # shorter than a turn takes: the messages overlap and queue on the lock
BURST_EVERY_SECONDS = 0.5  # a new burst (a new conversation) starts this often
CALM_SECONDS = 6  # bursts before the fault and after Redis is back
# Redis comes back empty: the lock store refuses new messages for its grace period, which starts
# when a server notices (its next message, or its alive thread) and lets every server write back
# the tickets it still holds (rasa_server/stores/lock_store.py)
GRACE_SECONDS = RESTART_GRACE_SECONDS + ALIVE_INTERVAL_SECONDS + 0.5
OUTAGES = {"stopped for 4 s": 4.0, "killed and started again at once": 0.0}
LOCK_POLL_SECONDS = 0.9  # Rasa's LockStore.lock waits 1 s between attempts; a little margin


@dataclass
class Burst:
    sender: str
    exchanges: List[Exchange] = field(default_factory=list)

    @property
    def started(self) -> float:
        return min(e.started for e in self.exchanges)

    @property
    def finished(self) -> float:
        return max(e.finished for e in self.exchanges)


def send_burst(urls: List[str], sender: str) -> Burst:
    """All of BURST for one conversation: pairs sent at the same moment, one message of each
    pair to each Rasa server, the pairs STAGGER_SECONDS apart."""
    def one(index: int) -> Exchange:
        time.sleep((index // len(urls)) * STAGGER_SECONDS)
        return send(urls[index % len(urls)], sender, BURST[index])

    with ThreadPoolExecutor(len(BURST)) as pool:
        return Burst(sender, list(pool.map(one, range(len(BURST)))))


def check_turns(stored: List[Tuple[str, str]], exchanges: List[Exchange],
                canonical: Dict[str, List[str]]) -> List[str]:
    """Problems in one conversation's stored events (empty: every turn whole, nothing lost)."""
    segments, orphans = split_turns(stored)
    problems = [f"bot event before any user event: {text[:50]!r}" for text in orphans]
    stored_count = Counter(text for text, _ in segments)
    for text, count in stored_count.items():
        if count > 1:
            problems.append(f"«{text}» stored {count} times")
    for exchange in exchanges:
        if exchange.ok and stored_count[exchange.turn.text] == 0:
            problems.append(f"answered but not stored: {exchange.describe()}")
    received = {e.turn.text: [r.get("text") or "" for r in e.replies] for e in exchanges if e.ok}
    for text, bots in segments:
        expected = received.get(text, canonical.get(text))
        if bots != expected:
            problems.append(f"«{text}» followed by {[b[:30] for b in bots]}, expected {[b[:30] for b in expected or []]}")
    return problems


def session_starts(cluster, senders: List[str]) -> Counter:
    """sender -> how many session_started events PostgreSQL holds for it."""
    import sqlalchemy as sa

    engine = sa.create_engine(cluster.postgres.url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(sa.text(
                "SELECT sender_id, count(*) FROM events WHERE sender_id = ANY(:senders) "
                "AND type_name = 'session_started' GROUP BY sender_id"), {"senders": senders})
            return Counter(dict(rows.fetchall()))
    finally:
        engine.dispose()


def pairs_handled_at_once(burst: Burst) -> int:
    """Pairs sent at the same moment to the two servers and both answered without a lock wait."""
    exchanges = burst.exchanges
    return sum(1 for first, second in zip(exchanges[0::2], exchanges[1::2])
               if first.ok and second.ok and max(first.latency, second.latency) < LOCK_POLL_SECONDS)


def phase_of(burst: Burst, times: Dict[str, float]) -> str:
    if burst.finished < times["stopping"]:
        return "before"
    if burst.started < times["stopped"]:
        return "crossing the stop"
    if burst.finished < times["starting"]:
        return "Redis down"
    if burst.started < times["started"]:
        return "crossing the restart"
    if burst.started < times["started"] + GRACE_SECONDS:
        return "grace period after the restart"
    return "after"


def outcome(exchange: Exchange) -> str:
    if exchange.ok:
        return "answered"
    if exchange.status == 200:
        return "HTTP 200 with an empty reply"
    return f"HTTP {exchange.status}" if exchange.status else f"no answer ({exchange.error})"


@pytest.mark.parametrize("outage", list(OUTAGES))
def test_redis_restart_never_interleaves_a_conversation(cluster, report, prefix, outage):
    urls = [f"http://127.0.0.1:{port}/webhooks/rest/webhook" for port in cluster.rasa_ports]
    bursts: List[Burst] = []
    stop = threading.Event()

    def keep_bursting() -> None:
        with ThreadPoolExecutor(max_workers=16) as pool:
            for number in itertools.count():
                if stop.is_set():
                    break
                pool.submit(lambda n=number: bursts.append(send_burst(urls, f"{prefix}-burst-{n}")))
                stop.wait(BURST_EVERY_SECONDS)

    background = threading.Thread(target=keep_bursting, daemon=True)
    background.start()
    times = {}
    time.sleep(CALM_SECONDS)
    times["stopping"] = time.monotonic()
    cluster.stop("redis", hard=OUTAGES[outage] == 0)
    times["stopped"] = time.monotonic()
    report.line(f"Redis {outage}")
    time.sleep(OUTAGES[outage])
    times["starting"] = time.monotonic()
    cluster.start("redis")
    times["started"] = time.monotonic()
    report.line(f"Redis up again after {times['started'] - times['stopping']:.1f} s (empty: it keeps no data)")
    time.sleep(GRACE_SECONDS + CALM_SECONDS)
    stop.set()
    background.join(timeout=180)

    canonical = {e.turn.text: [r.get("text") or "" for r in e.replies]
                 for burst in bursts for e in burst.exchanges if e.ok}
    stored = stored_events(cluster, [burst.sender for burst in bursts])
    sessions = session_starts(cluster, [burst.sender for burst in bursts])
    problems: List[str] = []
    by_phase: Dict[str, List[Burst]] = {}
    for burst in bursts:
        phase = phase_of(burst, times)
        by_phase.setdefault(phase, []).append(burst)
        problems += [f"{burst.sender} ({phase}): {p}"
                     for p in check_turns(stored[burst.sender], burst.exchanges, canonical)]
        if sessions[burst.sender] > 1:
            problems.append(f"{burst.sender} ({phase}): {sessions[burst.sender]} session starts stored: "
                            "its first two messages were handled at the same time")
    for phase, members in by_phase.items():
        exchanges = [e for burst in members for e in burst.exchanges]
        seen = Counter(outcome(e) for e in exchanges)
        at_once = sum(pairs_handled_at_once(burst) for burst in members)
        report.line(f"{phase}: {len(members)} bursts of {len(BURST)}: {dict(seen)}; "
                    f"slowest {max(e.latency for e in exchanges):.1f} s; pairs answered both without "
                    f"waiting for the other's lock: {at_once} of {len(members) * len(BURST) // 2}")
    report.line(f"problems in PostgreSQL (lost, duplicated, interleaved, handled at once): {len(problems)}")
    for problem in problems:
        report.line(f"  {problem}")

    calm = [e for phase in ("before", "after") for burst in by_phase.get(phase, []) for e in burst.exchanges]
    assert by_phase.get("before") and by_phase.get("after"), "bursts before and after the restart are needed"
    assert all(e.ok for e in calm), "messages failed while Redis was up"
    assert by_phase.get("crossing the stop") or by_phase.get("crossing the restart") or by_phase.get("Redis down"), \
        "no burst met the restart"
    assert not problems, f"{len(problems)} turns lost, duplicated, interleaved or handled at the same time"
