"""Messages are handled first come, first served, a few at a time.

Without a limit every arriving message starts at once, and Rasa's handling runs without
yielding except when it calls the action server. A message whose answer needs the action
server then waits, after the reply is back, behind every message that arrived meanwhile: under
50 conversations those messages took twice as long as the rest, and they made the p95. Here at
most MESSAGES_IN_PROGRESS messages are being handled in each server process; the rest wait in
arrival order, and a freed place goes to the longest-waiting message (asyncio's Semaphore in
Python 3.10 lets a newcomer take it). Every message then waits about as long as the others,
except a sure crisis: it goes to the head of the queue (its verdict was computed once by the
channel and travels in the message's metadata, rasa_server/channels/crisis_first.py).
Figures in docs/performance.md.
"""
from __future__ import annotations

import asyncio
from collections import deque
from typing import Any, Awaitable, Callable, Deque, Optional

from rasa.core.channels.channel import UserMessage

import settings

DEFAULT_MESSAGES_IN_PROGRESS = settings.DEFAULT_MESSAGES_IN_PROGRESS
messages_in_progress = settings.messages_in_progress


class FairGate:
    """At most `limit` holders at once; waiters get in strictly in arrival order."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._free = limit
        self._waiters: Deque[asyncio.Future] = deque()

    @property
    def waiting(self) -> int:
        return sum(1 for waiter in self._waiters if not waiter.done())

    def entered(self, first: bool = False) -> "_Place":
        """`async with gate.entered(first=True)`: wait at the head of the queue, not the tail."""
        return _Place(self, first)

    async def __aenter__(self) -> None:
        await self._enter(first=False)

    async def _enter(self, first: bool) -> None:
        if self._free > 0 and not self._waiters:
            self._free -= 1
            return
        waiter = asyncio.get_running_loop().create_future()
        if first:
            self._waiters.appendleft(waiter)
        else:
            self._waiters.append(waiter)
        try:
            await waiter  # resolved by _release: the place is handed over, never taken back
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self._release()  # handed a place just as it was cancelled: pass it on
            else:
                self._waiters.remove(waiter)
            raise

    async def __aexit__(self, *exc_info: Any) -> None:
        self._release()

    def _release(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
        self._free += 1


class _Place:
    def __init__(self, gate: FairGate, first: bool) -> None:
        self._gate, self._first = gate, first

    async def __aenter__(self) -> None:
        await self._gate._enter(self._first)

    async def __aexit__(self, *exc_info: Any) -> None:
        self._gate._release()


_gate: Optional[FairGate] = None


def gate() -> FairGate:
    """The process's gate, shared by the REST and socket.io channels."""
    global _gate
    if _gate is None:
        _gate = FairGate(messages_in_progress())
    return _gate


def admitted(on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Callable[[UserMessage], Awaitable[None]]:
    """on_new_message, entered through the process's gate; a sure crisis enters first."""
    from rasa_server.channels.crisis_first import verdict_of

    async def handle(message: UserMessage) -> None:
        verdict = verdict_of(message)
        async with gate().entered(first=verdict is not None and verdict.sure):
            await on_new_message(message)

    return handle
