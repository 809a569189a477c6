"""rasa_server/channels/admission.py: at most N messages in progress, the rest served strictly in arrival
order, no place lost to errors or cancellation; both channels enter through the gate."""
from __future__ import annotations

import asyncio

import pytest

import rasa_server.channels.rest
import rasa_server.channels.socketio
from rasa_server.channels import admission
from rasa_server.channels.admission import FairGate, admitted


def test_never_more_than_the_limit_in_progress():
    async def scenario():
        gate, inside, most = FairGate(3), [0], [0]

        async def message(delay):
            async with gate:
                inside[0] += 1
                most[0] = max(most[0], inside[0])
                await asyncio.sleep(delay)
                inside[0] -= 1

        await asyncio.gather(*(message(0.001 * (i % 4)) for i in range(40)))
        return gate, most[0]

    gate, most = asyncio.run(scenario())
    assert most == 3
    assert gate._free == 3 and gate.waiting == 0


def test_waiters_get_in_in_arrival_order_and_a_newcomer_does_not_jump_the_queue():
    async def scenario():
        gate, order = FairGate(1), []
        holder_may_leave = asyncio.Event()

        async def holder():
            async with gate:
                order.append("holder")
                await holder_may_leave.wait()

        async def message(name):
            async with gate:
                order.append(name)
                await asyncio.sleep(0)

        first = asyncio.create_task(holder())
        await asyncio.sleep(0)
        waiters = [asyncio.create_task(message(f"waiter-{i}")) for i in range(5)]
        await asyncio.sleep(0)
        assert gate.waiting == 5
        holder_may_leave.set()
        await first  # the place is handed to waiter-0 now; a newcomer arrives at this moment
        newcomer = asyncio.create_task(message("newcomer"))
        await asyncio.gather(*waiters, newcomer)
        return order

    assert asyncio.run(scenario()) == ["holder"] + [f"waiter-{i}" for i in range(5)] + ["newcomer"]


def test_a_cancelled_waiter_loses_no_place():
    async def scenario():
        gate = FairGate(1)
        release = asyncio.Event()

        async def holder():
            async with gate:
                await release.wait()

        async def message():
            async with gate:
                return "in"

        first = asyncio.create_task(holder())
        await asyncio.sleep(0)
        cancelled = asyncio.create_task(message())
        later = asyncio.create_task(message())
        await asyncio.sleep(0)
        cancelled.cancel()
        release.set()
        await first
        result = await later
        with pytest.raises(asyncio.CancelledError):
            await cancelled
        return gate, result

    gate, result = asyncio.run(scenario())
    assert result == "in"
    assert gate._free == 1 and gate.waiting == 0


def test_a_waiter_cancelled_just_after_being_handed_the_place_passes_it_on():
    async def scenario():
        gate = FairGate(1)
        await gate.__aenter__()
        handed = asyncio.create_task(gate.__aenter__())
        after = asyncio.create_task(gate.__aenter__())
        await asyncio.sleep(0)
        await gate.__aexit__(None, None, None)  # hands the place to `handed`...
        handed.cancel()  # ...which is cancelled before it runs
        with pytest.raises(asyncio.CancelledError):
            await handed
        await asyncio.wait_for(after, 1)  # got the place passed on
        await gate.__aexit__(None, None, None)
        return gate

    gate = asyncio.run(scenario())
    assert gate._free == 1 and gate.waiting == 0


def test_a_failing_message_frees_its_place(monkeypatch):
    monkeypatch.setattr(admission, "_gate", FairGate(1))

    async def failing(message):
        raise RuntimeError("database down")

    async def scenario():
        for _ in range(3):
            with pytest.raises(RuntimeError):
                await admitted(failing)("hei")

    asyncio.run(scenario())
    assert admission._gate._free == 1


@pytest.mark.parametrize("value, expected", [(None, admission.DEFAULT_MESSAGES_IN_PROGRESS), ("2", 2),
                                             ("0", admission.DEFAULT_MESSAGES_IN_PROGRESS),
                                             ("many", admission.DEFAULT_MESSAGES_IN_PROGRESS)])
def test_the_limit_comes_from_the_environment(monkeypatch, value, expected):
    if value is None:
        monkeypatch.delenv("MESSAGES_IN_PROGRESS", raising=False)
    else:
        monkeypatch.setenv("MESSAGES_IN_PROGRESS", value)
    monkeypatch.setattr(admission, "_gate", None)
    assert admission.gate().limit == expected


def test_the_rest_channel_enters_through_the_gate(monkeypatch):
    wrapped = []
    monkeypatch.setattr(rasa_server.channels.rest, "admitted", lambda handler: wrapped.append(handler) or handler)

    async def on_new_message(message):
        return None

    rasa_server.channels.rest.GuardedRestInput().blueprint(on_new_message)
    assert wrapped == [on_new_message]


def test_the_socketio_channel_enters_through_the_gate(monkeypatch):
    """A socket.io message reaches on_new_message only from inside the gate."""
    monkeypatch.setattr(admission, "_gate", FairGate(1))
    seen = []

    class FakeServer:
        async def emit(self, *args, **kwargs):
            return None

    async def on_new_message(message):
        seen.append((message.text, admission._gate._free))  # 0: holding the only place

    channel = rasa_server.channels.socketio.RestrictedSocketIOInput(session_persistence=False)
    asyncio.run(channel.on_user_message(FakeServer(), "sid-1", {"message": "hei"}, on_new_message))
    assert seen == [("hei", 0)]
    assert admission._gate._free == 1


def _user_message(text, level=None):
    from rasa.core.channels.channel import UserMessage

    from rasa_server.channels.crisis_first import with_verdict
    from safety.verdict import CrisisVerdict

    metadata = with_verdict({}, CrisisVerdict(level)) if level else {}
    return UserMessage(text, sender_id=text, metadata=metadata)


def test_a_sure_crisis_is_served_before_everyone_waiting(monkeypatch):
    monkeypatch.setattr(admission, "_gate", FairGate(1))

    async def scenario():
        order, release = [], asyncio.Event()

        async def handle(message):
            order.append(message.text)
            if message.text == "holder":
                await release.wait()

        handler = admitted(handle)
        holder = asyncio.create_task(handler(_user_message("holder")))
        await asyncio.sleep(0)
        waiting = [asyncio.create_task(handler(_user_message(f"waiter-{i}", "unsure" if i else None)))
                   for i in range(3)]
        await asyncio.sleep(0)
        crisis = asyncio.create_task(handler(_user_message("crisis", "sure")))
        await asyncio.sleep(0)
        release.set()
        await asyncio.gather(holder, crisis, *waiting)
        return order

    assert asyncio.run(scenario()) == ["holder", "crisis", "waiter-0", "waiter-1", "waiter-2"]
