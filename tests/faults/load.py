"""Background load of realistic multi-turn conversations through nginx, recording every exchange.

    with Load(cluster.rest_url, prefix="rasa-kill") as load:
        ...  # cause the fault while conversations run
    load.exchanges  # every request: sender, text, status, replies, latency

A new conversation starts every 1/rate seconds and plays one of SCRIPTS turn by turn, with a
pause between turns as a resident would. Every turn knows whether a custom action answers it
(so it needs the action server) and a piece of text its normal answer contains.

nginx limits requests per client address, as for real residents; each simulated resident
therefore connects from a loopback address of its own (127.20.x.y: Linux routes all of
127.0.0.0/8 to loopback), so the limit is met exactly as one resident would meet it.
"""
from __future__ import annotations

import ipaddress
import itertools
import threading
import time
from dataclasses import dataclass, field
from typing import List, Optional, Sequence

import requests
from requests.adapters import HTTPAdapter

from actions.replies import TECHNICAL_APOLOGY

CONVERSATIONS_PER_SECOND = 1.5  # with ~5 turns each: ~7 messages/s, well below saturation
THINK_SECONDS = 0.4  # pause between a reply and the resident's next message
REQUEST_TIMEOUT_SECONDS = 90  # above nginx's and Rasa's own timeouts, so we see theirs
STOP_TIMEOUT_SECONDS = 120

FIRST_CLIENT_ADDRESS = ipaddress.IPv4Address("127.20.0.1")
# The adults' phone number (content/municipalities/kommune-a/contacts.yml): in normal adult answers, and in the apology
# the Rasa server gives when the action server fails (rasa_server/patches/remote_actions.py)
MUNICIPALITY_PHONE = "901 50 842"
ADULT_MARK = "Morten Jansson"
CHILD_MARK = "forløpskoordinator for barn og unge"
ASK_MARK = "under 18 år, eller en voksen"


@dataclass(frozen=True)
class Turn:
    text: str
    custom: bool  # answered by a custom action (action server), not by a response in domain.yml
    expect: str  # a piece of the normal answer


# Conversations residents have: topics first, then the contact for whoever needs help.
SCRIPTS: Sequence[Sequence[Turn]] = (
    (
        Turn("hei", False, "Forløpsassistenten"),
        Turn("hva er et pakkeforløp?", False, "ventetid, utredning"),
        Turn("hvem kan jeg kontakte?", True, ASK_MARK),
        Turn("jeg er 30 år", True, ADULT_MARK),
        Turn("når kan jeg ringe", True, ADULT_MARK),
        Turn("takk", False, "Bare hyggelig"),
    ),
    (
        Turn("sønnen min på 14 sliter", True, CHILD_MARK),
        Turn("hva gjør en forløpskoordinator", False, "spesialisthelsetjenesten"),
        Turn("har dere epost", True, CHILD_MARK),
        Turn("ha det", False, "Ha det bra"),
    ),
    (
        Turn("hvem er kontaktpersonen for voksne?", True, ADULT_MARK),
        Turn("kan pårørende være med", False, "pårørende"),
        Turn("har dere epost", True, ADULT_MARK),
        Turn("hvordan starter forløpet", True, "hos fastlegen eller en annen henviser"),
    ),
)


@dataclass
class Exchange:
    """One request and what came back (status None: no HTTP answer at all)."""

    sender: str
    turn: Turn
    started: float  # time.monotonic()
    finished: float = 0.0
    status: Optional[int] = None
    replies: Optional[list] = None
    error: Optional[str] = None

    @property
    def latency(self) -> float:
        return self.finished - self.started

    @property
    def text(self) -> str:
        return "\n".join(r.get("text") or "" for r in self.replies or [] if isinstance(r, dict))

    @property
    def ok(self) -> bool:
        """Answered with a non-empty reply."""
        return self.status == 200 and bool(self.text.strip())

    @property
    def normal(self) -> bool:
        """Answered as when nothing is wrong."""
        return self.ok and self.turn.expect in self.text and not self.apology

    @property
    def apology(self) -> bool:
        """Rasa's apology with the phone number, given when the action server fails."""
        return self.status == 200 and MUNICIPALITY_PHONE in self.text and TECHNICAL_APOLOGY in self.text

    def describe(self) -> str:
        if self.status is None:
            what = f"no answer ({self.error})"
        elif self.status != 200:
            what = f"HTTP {self.status} {self.error or ''}".strip()
        elif not self.text.strip():
            what = f"HTTP 200 with an empty reply {self.replies!r}"
        else:
            what = "HTTP 200 " + repr(self.text[:90])
        return f"{self.sender} «{self.turn.text}» -> {what} in {self.latency:.2f} s"


class _FromAddress(HTTPAdapter):
    """Connects from the given local address (one per simulated resident)."""

    def __init__(self, address: str) -> None:
        self._address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs) -> None:
        kwargs["source_address"] = (self._address, 0)
        super().init_poolmanager(*args, **kwargs)


def resident_session(number: int) -> requests.Session:
    session = requests.Session()
    session.mount("http://", _FromAddress(str(FIRST_CLIENT_ADDRESS + number)))
    return session


def send(url: str, sender: str, turn: Turn, timeout: float = REQUEST_TIMEOUT_SECONDS,
         session: Optional[requests.Session] = None) -> Exchange:
    exchange = Exchange(sender, turn, time.monotonic())
    try:
        reply = (session or requests).post(url, json={"sender": sender, "message": turn.text}, timeout=timeout)
        exchange.status = reply.status_code
        try:
            body = reply.json()
        except ValueError:
            body = None
        if isinstance(body, list):
            exchange.replies = body
        else:
            exchange.error = reply.text[:200].replace("\n", " ")
    except requests.RequestException as error:
        exchange.error = type(error).__name__
    exchange.finished = time.monotonic()
    return exchange


@dataclass
class Load:
    url: str
    prefix: str
    rate: float = CONVERSATIONS_PER_SECOND
    think: float = THINK_SECONDS
    scripts: Sequence[Sequence[Turn]] = SCRIPTS
    exchanges: List[Exchange] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads: List[threading.Thread] = []
        self._spawner = threading.Thread(target=self._spawn, daemon=True)

    def __enter__(self) -> "Load":
        self._spawner.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def _spawn(self) -> None:
        for number in itertools.count():
            if self._stop.is_set():
                return
            script = self.scripts[number % len(self.scripts)]
            thread = threading.Thread(
                target=self._converse, args=(number, script), daemon=True
            )
            thread.start()
            with self._lock:
                self._threads.append(thread)
            self._stop.wait(1 / self.rate)

    def _converse(self, number: int, script: Sequence[Turn]) -> None:
        sender = f"{self.prefix}-{number}"
        with resident_session(number) as session:
            for turn in script:
                if self._stop.is_set():
                    return
                exchange = send(self.url, sender, turn, session=session)
                with self._lock:
                    self.exchanges.append(exchange)
                self._stop.wait(self.think)

    def stop(self) -> None:
        """No new messages; waits for the ones in flight (bounded by the request timeout)."""
        self._stop.set()
        self._spawner.join(STOP_TIMEOUT_SECONDS)
        deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    def snapshot(self) -> List[Exchange]:
        with self._lock:
            return list(self.exchanges)

    def between(self, start: float, end: float) -> List[Exchange]:
        """Exchanges sent in [start, end) (time.monotonic())."""
        return [e for e in self.snapshot() if start <= e.started < end]


def latency_summary(exchanges: Sequence[Exchange]) -> str:
    if not exchanges:
        return "no requests"
    latencies = sorted(e.latency for e in exchanges)

    def pick(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))]

    return (f"{len(latencies)} requests, latency p50 {pick(0.5) * 1000:.0f} ms, "
            f"p95 {pick(0.95) * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms")
