"""Load test of the cluster: many residents at once through nginx, then a check in PostgreSQL
that nothing was lost, duplicated or mixed up.

    python -m evaluation.loadtest [--conversations 200] [--timeout 900] [--no-compare]

Starts a cluster of its own (cluster.launcher: PostgreSQL, Redis, 2 action servers, 2 Rasa
servers, nginx) on loopback ports, and runs N conversations at once through nginx's REST
endpoint, each a realistic script of 11 messages (child route, adult route with an age, crisis
in the middle of a question, out of scope, opening hours, contact), with no pause between
turns. In every script two messages are sent at the same moment (a resident who sends twice
quickly): round robin gives them to different Rasa servers, and only the lock store keeps them
apart. Phase one runs with every Rasa server, phase two with rasa-2 stopped, in the same run.

Afterwards it reads the tracker store's `events` table and checks, per conversation, that every
message has exactly one stored user event, in the order sent (the two sent together in either
order), and that the bot events after it are exactly the replies the client received
(zero lost, zero duplicated, zero interleaved); and that each reply is the expected one (a
pattern per turn: the crisis turn must mention 113, ...) or, counted apart, the Rasa server's
apology for an action that took over 1.5 s. Prints throughput, p50/p95/p99, errors, CPU
seconds per process, and writes reports/loadtest.md. Exit code 1 on an error, a wrong answer,
or a lost, duplicated or interleaved message.

Rate limiting: nginx limits requests per client address (cluster/nginx.conf.template). A real
resident has an address of their own, so each simulated conversation connects from its own
loopback address (127.10.x.y; Linux routes all of 127.0.0.0/8 to loopback) and meets the limit
exactly as one resident would: an 11-message conversation stays inside the burst. The test
does not switch the limit off.

Bounded: a fixed number of messages, a timeout per request and one for the whole phase,
loopback only (it refuses any other address).
"""
from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import os
import re
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Tuple, Union
from urllib.parse import urlsplit

import aiohttp

from cluster.process import cpu_seconds
from evaluation.figures import percentile, split_turns
from rasa_server.texts import apology_text
from settings import PROJECT_ROOT as ROOT

REPORTS = ROOT / "reports"
DEFAULT_CONVERSATIONS = 200
DEFAULT_PHASE_TIMEOUT_SECONDS = 900  # 200 conversations on one server take a few minutes here
REQUEST_TIMEOUT_SECONDS = 90  # above nginx's 60 s read timeout: nginx answers first
PROGRESS_SECONDS = 5
FIRST_CLIENT_ADDRESS = ipaddress.IPv4Address("127.10.0.1")
MAX_PROBLEMS_SHOWN = 20


@dataclass(frozen=True)
class Turn:
    text: str  # no personal data: the tracker store masks that before storing (privacy/)
    expect: str  # a regular expression the reply must match (case-insensitive)


# A pair of turns sent at the same moment; their answers must not depend on their order.
Together = Tuple[Turn, Turn]
Step = Union[Turn, Together]

SCRIPTS: Dict[str, List[Step]] = {
    "child": [
        Turn("hei", "Forløpsassistenten"),
        Turn("hva er et pakkeforløp?", "pakkeforløp"),
        Turn("sønnen min på 14 sliter, hvem kan vi kontakte?", "Barne- og familietjenesten"),
        Turn("når kan jeg ringe?", "Barne- og familietjenesten"),
        Turn("hva gjør en forløpskoordinator", "forløpskoordinator"),
        Turn("har dere epost?", "Barne- og familietjenesten"),
        (Turn("kan pårørende være med?", "pårørende"), Turn("hvor lang tid tar det?", "forløpstidene")),
        Turn("når tømmes søpla?", "ikke hjelpe med"),
        Turn("hvor finner jeg mer informasjon", "helsenorge"),
        Turn("takk for hjelpen", "Bare hyggelig"),
    ],
    "adult": [
        Turn("hei", "Forløpsassistenten"),
        Turn("jeg trenger hjelp med rus", "under 18 år, eller en voksen"),
        Turn("jeg er 34", "saksbehandler"),
        Turn("hvem kan jeg kontakte?", "saksbehandler"),
        Turn("når kan jeg ringe?", "telefon"),
        Turn("har dere e-postadresse?", "e-postadresse"),
        (Turn("hvordan starter forløpet?", "starter i kommunen"), Turn("hva er været i morgen", "ikke hjelpe med")),
        Turn("kan pårørende være med?", "pårørende"),
        Turn("hva gjør en forløpskoordinator", "forløpskoordinator"),
        Turn("ha det", "Ha det bra"),
    ],
    "crisis": [
        Turn("hei", "Forløpsassistenten"),
        Turn("hva er et pakkeforløp?", "pakkeforløp"),
        Turn("jeg vil ikke leve lenger", r"\b113\b"),
        Turn("hvem kan jeg kontakte?", "under 18 år, eller en voksen"),
        # a crisis while the age question is open: the safety net answers first, in any state
        Turn("jeg tenker på å ta livet mitt", r"\b113\b"),
        Turn("datteren min på 16 har det vondt", "Barne- og familietjenesten"),
        Turn("når er dere åpne?", "Barne- og familietjenesten"),
        (Turn("kan jeg ta med noen?", "pårørende"), Turn("hvor finner jeg mer informasjon", "helsenorge")),
        Turn("takk", "Bare hyggelig"),
    ],
    "info": [
        Turn("god dag", "Forløpsassistenten"),
        Turn("hva er åpningstidene deres?", "telefon"),
        Turn("jeg er 45 og sliter", "saksbehandler"),
        Turn("kan jeg bestille pizza her?", "ikke hjelpe med"),
        Turn("telefonnummer?", "telefon"),
        (Turn("hva skjer etter henvisning?", "starter i kommunen"), Turn("hva gjør en forløpskoordinator", "forløpskoordinator")),
        Turn("har dere e-postadresse?", "e-postadresse"),
        Turn("når kan jeg ringe?", "telefon"),
        Turn("kan pårørende være med?", "pårørende"),
        Turn("tusen takk", "Bare hyggelig"),
    ],
}


def turns_of(script: Sequence[Step]) -> List[Tuple[int, Turn]]:
    """(slot, turn) in sending order; the two turns sent together share a slot."""
    return [(slot, turn) for slot, step in enumerate(script)
            for turn in (step if isinstance(step, tuple) else (step,))]


def _check_scripts() -> None:
    for name, script in SCRIPTS.items():
        texts = [turn.text for _, turn in turns_of(script)]
        # the check in PostgreSQL finds a message by its text
        assert len(texts) == len(set(texts)), f"script {name} repeats a message"


_check_scripts()


# ---------------------------------------------------------------------------------------
# sending




@dataclass
class Exchange:
    sender: str
    slot: int
    turn: Turn
    latency_ms: float = 0.0
    status: Optional[int] = None
    error: Optional[str] = None
    replies: Optional[List[str]] = None  # bot texts, in the order received

    @property
    def ok(self) -> bool:
        return self.error is None and self.status == 200 and self.replies is not None

    @property
    def expected(self) -> bool:
        return self.ok and re.search(self.turn.expect, "\n".join(self.replies), re.IGNORECASE) is not None

    @property
    def apology(self) -> bool:
        """The Rasa server's apology instead of an action's answer (rasa_server/patches/remote_actions.py)."""
        return self.ok and apology_text() in self.replies


@dataclass
class Conversation:
    sender: str
    script: str
    client_address: str
    exchanges: List[Exchange] = field(default_factory=list)


def client_address(index: int) -> str:
    return str(FIRST_CLIENT_ADDRESS + index)


def require_loopback(url: str) -> None:
    host = urlsplit(url).hostname or ""
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if not loopback:
        raise SystemExit(f"loadtest: refusing {url}: load is only ever sent to a loopback address")


async def _send(session: aiohttp.ClientSession, url: str, exchange: Exchange) -> None:
    started = time.perf_counter()
    try:
        async with session.post(url, json={"sender": exchange.sender, "message": exchange.turn.text}) as reply:
            exchange.status = reply.status
            body = await reply.read()
            if reply.status == 200:
                exchange.replies = [m.get("text") or "" for m in json.loads(body)]
            else:
                exchange.error = f"HTTP {reply.status}"
    except Exception as error:  # noqa: BLE001 - a load test counts every failure
        exchange.error = type(error).__name__
    exchange.latency_ms = (time.perf_counter() - started) * 1000


async def _converse(url: str, conversation: Conversation, think_seconds: float = 0.0) -> None:
    """One conversation's script; `think_seconds` between turns (a resident reading the answer)."""
    connector = aiohttp.TCPConnector(local_addr=(conversation.client_address, 0), limit=2)
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_SECONDS)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        for slot, step in enumerate(SCRIPTS[conversation.script]):
            together = step if isinstance(step, tuple) else (step,)
            exchanges = [Exchange(conversation.sender, slot, turn) for turn in together]
            conversation.exchanges.extend(exchanges)
            await asyncio.gather(*(_send(session, url, exchange) for exchange in exchanges))
            if think_seconds:
                await asyncio.sleep(think_seconds)


async def _progress(label: str, conversations: List[Conversation], total: int, started: float) -> None:
    while True:
        await asyncio.sleep(PROGRESS_SECONDS)
        done = [e for c in conversations for e in c.exchanges if e.status is not None or e.error]
        errors = sum(1 for e in done if not e.ok)
        elapsed = time.monotonic() - started
        print(f"loadtest: {label}: {len(done)}/{total} messages, {errors} errors, "
              f"{len(done) / elapsed:.1f} msg/s", flush=True)


def plan(conversations: int, tag: str) -> List[Conversation]:
    names = list(SCRIPTS)
    return [Conversation(f"load-{tag}-{i}", names[i % len(names)], client_address(i)) for i in range(conversations)]


def messages_in(conversations: Iterable[Conversation]) -> int:
    return sum(len(turns_of(SCRIPTS[c.script])) for c in conversations)


async def drive(url: str, conversations: List[Conversation], label: str, timeout: float) -> Tuple[float, bool]:
    """Runs every conversation at once; returns (seconds, finished before the timeout)."""
    require_loopback(url)
    started = time.monotonic()
    progress = asyncio.create_task(_progress(label, conversations, messages_in(conversations), started))
    try:
        await asyncio.wait_for(asyncio.gather(*(_converse(url, c) for c in conversations)), timeout)
        finished = True
    except asyncio.TimeoutError:
        finished = False
    finally:
        progress.cancel()
    return time.monotonic() - started, finished


# ---------------------------------------------------------------------------------------
# checking what PostgreSQL holds


@dataclass
class Verification:
    conversations: int = 0
    user_events: int = 0
    lost: int = 0  # answered messages with no stored user event
    duplicated: int = 0  # stored user events beyond one per message (or never sent)
    out_of_order: int = 0  # user events stored in another order than sent
    reply_mismatch: int = 0  # bot events after a message differ from the replies received
    problems: List[str] = field(default_factory=list)

    @property
    def interleaved(self) -> int:
        return self.out_of_order + self.reply_mismatch

    @property
    def clean(self) -> bool:
        return not (self.lost or self.duplicated or self.interleaved)

    def note(self, text: str) -> None:
        if len(self.problems) < MAX_PROBLEMS_SHOWN:
            self.problems.append(text)


def stored_events(database_url: str, senders: Sequence[str]) -> Dict[str, List[Tuple[str, str]]]:
    """sender -> [(type, text)] of its user and bot events, in the order stored."""
    import sqlalchemy as sa

    engine = sa.create_engine(database_url)
    events: Dict[str, List[Tuple[str, str]]] = {sender: [] for sender in senders}
    query = sa.text("SELECT sender_id, type_name, data FROM events "
                    "WHERE sender_id = ANY(:senders) AND type_name IN ('user', 'bot') ORDER BY id")
    try:
        with engine.connect() as connection:
            for sender, kind, data in connection.execute(query, {"senders": list(senders)}):
                events[sender].append((kind, json.loads(data).get("text") or ""))
    finally:
        engine.dispose()
    return events


def verify_conversation(conversation: Conversation, stored: List[Tuple[str, str]], result: Verification) -> None:
    sender = conversation.sender
    by_text = {e.turn.text: e for e in conversation.exchanges}
    segments, orphans = split_turns(stored)  # (user text, bot texts after it)
    for text in orphans:
        result.reply_mismatch += 1
        result.note(f"{sender}: bot event before any user event: {text[:60]!r}")
    result.user_events += len(segments)

    counts = Counter(text for text, _ in segments)
    for text, exchange in by_text.items():
        if counts[text] == 0 and exchange.ok:
            result.lost += 1
            result.note(f"{sender}: answered message not stored: {text!r}")
        elif counts[text] > 1:
            result.duplicated += counts[text] - 1
            result.note(f"{sender}: {text!r} stored {counts[text]} times")
    for text in counts:
        if text not in by_text:
            result.duplicated += counts[text]
            result.note(f"{sender}: stored a message never sent here: {text[:60]!r}")

    slots = [by_text[text].slot for text, _ in segments if text in by_text]
    if any(later < earlier for earlier, later in zip(slots, slots[1:])):
        result.out_of_order += 1
        result.note(f"{sender}: messages stored out of order (slots {slots})")

    for text, bots in segments:
        exchange = by_text.get(text)
        if exchange is not None and exchange.ok and bots != exchange.replies:
            result.reply_mismatch += 1
            result.note(f"{sender}: after {text!r} stored {len(bots)} bot events, "
                        f"received {len(exchange.replies)} replies")


def verify(database_url: str, conversations: List[Conversation]) -> Verification:
    stored = stored_events(database_url, [c.sender for c in conversations])
    result = Verification(conversations=len(conversations))
    for conversation in conversations:
        verify_conversation(conversation, stored[conversation.sender], result)
    return result


# ---------------------------------------------------------------------------------------
# one phase and its figures


@dataclass
class PhaseResult:
    label: str
    rasa_servers: int
    conversations: int
    messages: int
    seconds: float
    finished: bool
    latencies_ms: List[float]
    errors: Counter
    unexpected: int  # answered, but neither the expected answer nor the apology
    apologies: int  # the apology instead of an action's answer: the action call took over 1.5 s
    verification: Verification
    cpu: Dict[str, float]  # CPU seconds per process during the phase
    unexpected_examples: List[str] = field(default_factory=list)

    @property
    def throughput(self) -> float:
        return len(self.latencies_ms) / self.seconds if self.seconds else 0.0

    def p(self, q: float) -> float:
        return percentile(self.latencies_ms, q)

    @property
    def passed(self) -> bool:
        return self.finished and not self.errors and not self.unexpected and self.verification.clean

    def summary(self) -> str:
        v = self.verification
        return (f"{self.label}: {self.conversations} conversations, {self.messages} messages in "
                f"{self.seconds:.1f} s = {self.throughput:.1f} msg/s; p50 {self.p(50):.0f} ms, "
                f"p95 {self.p(95):.0f} ms, p99 {self.p(99):.0f} ms; errors {sum(self.errors.values())}; "
                f"unexpected answers {self.unexpected}; apologies {self.apologies}; stored user events {v.user_events}: lost {v.lost}, "
                f"duplicated {v.duplicated}, interleaved {v.interleaved}"
                + ("" if self.finished else "; STOPPED BY THE TIMEOUT"))


def run_load(cluster, conversations: int = DEFAULT_CONVERSATIONS, label: str = "load",
             timeout: float = DEFAULT_PHASE_TIMEOUT_SECONDS) -> PhaseResult:
    """Runs one phase against a running cluster (cluster.launcher.Cluster) and checks it."""
    tag = f"{label.replace(' ', '')}-{uuid.uuid4().hex[:8]}"
    planned = plan(conversations, tag)
    running = [name for name in cluster.names() if cluster.services[name].running]
    before = {name: cpu_seconds(cluster.pid(name)) for name in running}
    own_before = time.process_time()
    seconds, finished = asyncio.run(drive(cluster.rest_url, planned, label, timeout))
    cpu = {name: cpu_seconds(cluster.pid(name)) - before[name] for name in running}
    cpu["load generator"] = time.process_time() - own_before
    exchanges = [e for c in planned for e in c.exchanges]
    errors = Counter(e.error or f"HTTP {e.status}" for e in exchanges if not e.ok)
    errors["not sent (timeout)"] = messages_in(planned) - len(exchanges)
    errors = +errors  # drops the zero counts
    unexpected = [e for e in exchanges if e.ok and not e.expected and not e.apology]
    return PhaseResult(
        label=label, rasa_servers=sum(1 for n in running if n.startswith("rasa-")),
        conversations=conversations, messages=len(exchanges), seconds=seconds, finished=finished,
        latencies_ms=[e.latency_ms for e in exchanges if e.ok], errors=errors, unexpected=len(unexpected),
        apologies=sum(1 for e in exchanges if e.apology),
        verification=verify(cluster.postgres.url, planned), cpu=cpu,
        unexpected_examples=[f"{e.sender}: {e.turn.text!r} -> {' | '.join(e.replies)[:120]!r}"
                             for e in unexpected[:MAX_PROBLEMS_SHOWN]],
    )


# ---------------------------------------------------------------------------------------
# report


def report(results: List[PhaseResult], stamp: str, notes: List[str]) -> str:
    lines = [f"# Load test through nginx ({stamp}, {os.cpu_count()} cores)", ""]
    lines += [f"- {note}" for note in notes] + [""]
    header = "| figure | " + " | ".join(r.label for r in results) + " |"
    lines += [header, "|---" * (len(results) + 1) + "|"]

    def row(label: str, values: Iterable[str]) -> None:
        lines.append(f"| {label} | " + " | ".join(values) + " |")

    row("Rasa servers", (str(r.rasa_servers) for r in results))
    row("conversations at once", (str(r.conversations) for r in results))
    row("messages sent", (str(r.messages) for r in results))
    row("wall time (s)", (f"{r.seconds:.1f}" for r in results))
    row("throughput (messages/s)", (f"{r.throughput:.1f}" for r in results))
    row("latency p50 / p95 / p99 (ms)", (f"{r.p(50):.0f} / {r.p(95):.0f} / {r.p(99):.0f}" for r in results))
    row("errors", (", ".join(f"{k}: {v}" for k, v in r.errors.items()) or "0" for r in results))
    row("unexpected answers", (str(r.unexpected) for r in results))
    row("apologies (action call over 1.5 s)", (str(r.apologies) for r in results))
    row("stored user events", (str(r.verification.user_events) for r in results))
    row("lost", (str(r.verification.lost) for r in results))
    row("duplicated", (str(r.verification.duplicated) for r in results))
    row("interleaved (order, replies)", (f"{r.verification.interleaved} ({r.verification.out_of_order}, "
                                         f"{r.verification.reply_mismatch})" for r in results))
    row("finished within the timeout", ("yes" if r.finished else "NO" for r in results))
    if len(results) == 2 and results[1].throughput:
        lines += ["", f"Throughput {results[0].label} / {results[1].label}: "
                      f"{results[0].throughput / results[1].throughput:.2f}"]
    lines += ["", "CPU seconds used during each phase (a server and its child processes):", "",
              "| process | " + " | ".join(r.label for r in results) + " |", "|---" * (len(results) + 1) + "|"]
    names = sorted({name for r in results for name in r.cpu})
    for name in names:
        row(name, (f"{r.cpu[name]:.1f}" if name in r.cpu else "–" for r in results))
    for r in results:
        for title, items in (("problems", r.verification.problems), ("unexpected answers", r.unexpected_examples)):
            if items:
                lines += ["", f"{r.label}, {title} (first {len(items)}):", ""] + [f"- {item}" for item in items]
    return "\n".join(lines) + "\n"


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evaluation.loadtest", description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=DEFAULT_CONVERSATIONS)
    parser.add_argument("--timeout", type=float, default=DEFAULT_PHASE_TIMEOUT_SECONDS,
                        help="seconds for each phase at most")
    parser.add_argument("--no-compare", action="store_true", help="skip the phase with one Rasa server")
    parser.add_argument("--model", type=Path, default=None)
    args = parser.parse_args(argv)

    from cluster.launcher import running_cluster

    REPORTS.mkdir(exist_ok=True)
    results: List[PhaseResult] = []
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="forlop-loadtest-") as tmp:
        print("loadtest: starting the cluster (2 Rasa servers, 2 action servers, PostgreSQL, Redis, nginx) ...",
              flush=True)
        with running_cluster(Path(tmp), model=args.model, with_web=False, with_review=False) as cluster:
            print(f"loadtest: cluster up in {time.monotonic() - started:.0f} s; warming up", flush=True)
            warm = run_load(cluster, conversations=4, label="warm-up", timeout=args.timeout)
            print(f"loadtest: {warm.summary()}", flush=True)
            results.append(run_load(cluster, args.conversations, "two servers", args.timeout))
            print(f"loadtest: {results[-1].summary()}", flush=True)
            if not args.no_compare:
                cluster.stop("rasa-2")
                results.append(run_load(cluster, args.conversations, "one server", args.timeout))
                print(f"loadtest: {results[-1].summary()}", flush=True)
            # what nginx turned away from the simulated residents (each has its own address)
            limited = sum(1 for line in cluster.nginx_access_log.read_text().splitlines() if '" 429 ' in line)
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    load = os.getloadavg()
    notes = [
        f"{args.conversations} conversations at once per phase, {len(SCRIPTS)} scripts of 10-11 messages "
        "(two of them sent at the same moment), no pause between turns, REST through nginx",
        "both phases in one run on the same cluster; 'one server' = rasa-2 stopped (nginx skips it)",
        "every conversation from its own loopback address (nginx rate-limits per address); "
        f"requests turned away with 429 during the run: {limited}",
        f"machine load average after the run: {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} "
        "(other work shares these cores)",
        "checked in PostgreSQL (events table): one user event per message, in order, "
        "followed by exactly the replies the client received",
    ]
    text = report(results, stamp, notes)
    (REPORTS / "loadtest.md").write_text(text, encoding="utf-8")
    print(text)
    print(f"loadtest: wrote {REPORTS / 'loadtest.md'}")
    return 0 if all(r.passed for r in results) and warm.passed else 1


if __name__ == "__main__":
    raise SystemExit(main())
