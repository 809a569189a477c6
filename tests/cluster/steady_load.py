"""A steady stream of residents through nginx while something is done to the cluster (a rolling
restart, a backup), checked afterwards in PostgreSQL like the load test.

    with SteadyLoad(cluster.rest_url, "rolling") as load:
        ...                                  # conversations start every `every` seconds meanwhile
    figures = load.check(cluster.postgres.url)

The conversations are the load test's scripts (evaluation/loadtest.py: 10-11 messages, two of
them sent at the same moment), played with a short pause between turns; each starts from a
loopback address of its own (127.30.x.y), as a resident has one, so nginx's per-address rate
limit meets it as it would meet a resident. The check is the load test's: one stored user
event per message, in the order sent, followed by exactly the replies received.
"""
from __future__ import annotations

import asyncio
import ipaddress
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import List, Optional

from evaluation.loadtest import SCRIPTS, Conversation, Verification, _converse, verify

FIRST_ADDRESS = ipaddress.IPv4Address("127.30.0.1")
EVERY_SECONDS = 1.5  # a new conversation; with ~11 messages each about 7 messages/s
THINK_SECONDS = 0.3
FINISH_TIMEOUT_SECONDS = 180  # for the conversations under way when the load stops


@dataclass
class LoadFigures:
    conversations: int
    messages: int
    statuses: Counter
    errors: Counter  # no HTTP answer: the exception's name
    unexpected: int  # answered, but neither the expected answer nor the apology
    apologies: int
    verification: Verification
    unexpected_examples: List[str] = field(default_factory=list)

    @property
    def server_errors(self) -> int:
        return sum(count for status, count in self.statuses.items() if status >= 500)

    def summary(self) -> str:
        v = self.verification
        statuses = ", ".join(f"{status}: {count}" for status, count in sorted(self.statuses.items()))
        return (f"{self.conversations} conversations, {self.messages} messages sent (HTTP {statuses}; "
                f"no answer {sum(self.errors.values())}); stored user events {v.user_events}: lost {v.lost}, "
                f"duplicated {v.duplicated}, interleaved {v.interleaved}; 5xx {self.server_errors}; "
                f"unexpected answers {self.unexpected}, apologies {self.apologies}")


class SteadyLoad:
    def __init__(self, url: str, tag: str, every: float = EVERY_SECONDS, think: float = THINK_SECONDS) -> None:
        self.url, self.every, self.think = url, every, think
        self.tag = f"{tag}-{uuid.uuid4().hex[:6]}"
        self.conversations: List[Conversation] = []
        self.started: List[float] = []  # time.monotonic() each conversation began
        self._stop = threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._run()), daemon=True)

    def __enter__(self) -> "SteadyLoad":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        """No new conversation; waits for those under way to finish their scripts."""
        self._stop.set()
        self._thread.join(FINISH_TIMEOUT_SECONDS + self.every)

    async def _run(self) -> None:
        names = list(SCRIPTS)
        tasks = []
        number = 0
        while not self._stop.is_set():
            conversation = Conversation(f"steady-{self.tag}-{number}", names[number % len(names)],
                                        str(FIRST_ADDRESS + number))
            self.conversations.append(conversation)
            self.started.append(time.monotonic())
            tasks.append(asyncio.create_task(_converse(self.url, conversation, self.think)))
            number += 1
            await asyncio.sleep(self.every)
        await asyncio.wait_for(asyncio.gather(*tasks), FINISH_TIMEOUT_SECONDS)

    def begun_after(self, moment: float) -> List[Conversation]:
        return [c for c, started in zip(self.conversations, self.started) if started >= moment]

    def check(self, database_url: str, conversations: Optional[List[Conversation]] = None) -> LoadFigures:
        conversations = self.conversations if conversations is None else conversations
        exchanges = [e for c in conversations for e in c.exchanges]
        unexpected = [e for e in exchanges if e.ok and not e.expected and not e.apology]
        return LoadFigures(
            conversations=len(conversations), messages=len(exchanges),
            statuses=Counter(e.status for e in exchanges if e.status is not None),
            errors=Counter(e.error for e in exchanges if e.status is None),
            unexpected=len(unexpected), apologies=sum(1 for e in exchanges if e.apology),
            verification=verify(database_url, conversations),
            unexpected_examples=[f"{e.sender}: {e.turn.text!r} -> {' | '.join(e.replies)[:120]!r}"
                                 for e in unexpected[:10]],
        )
