"""The cluster's lock store (rasa_server/stores/lock_store.py) against a real Redis, with the race that
breaks Rasa 3.6's RedisLockStore made deterministic: while server A is between reading a lock
and writing it back, server B issues a ticket for the same conversation."""
from __future__ import annotations

from typing import Iterator

import pytest
from rasa.core.lock_store import LockError, RedisLockStore

from cluster.ports import free_port
from cluster.redis import RedisInstance, RedisUnavailable, find_redis_server
from rasa_server.stores.lock_store import AtomicRedisLockStore, RedisRestarted


@pytest.fixture(scope="module")
def redis_port(tmp_path_factory) -> Iterator[int]:
    try:
        find_redis_server()
    except RedisUnavailable as reason:
        pytest.skip(str(reason))
    directory = tmp_path_factory.mktemp("redis")
    instance = RedisInstance(directory, free_port())
    service = instance.service(directory / "redis.log")
    service.start()
    yield instance.port
    service.stop()


class _InterruptedAfterRead:
    """Wraps a Redis client (or pipeline): right after the first GET or MGET, runs `meanwhile`."""

    def __init__(self, target, meanwhile) -> None:
        self._target, self._meanwhile, self._fired = target, meanwhile, False

    def __getattr__(self, name):
        return getattr(self._target, name)

    def __enter__(self):
        self._target.__enter__()
        return self

    def __exit__(self, *exc):
        return self._target.__exit__(*exc)

    def get(self, key):
        return self._after_first_read(self._target.get(key))

    def mget(self, *keys):
        return self._after_first_read(self._target.mget(*keys))

    def _after_first_read(self, value):
        if not self._fired:
            self._fired = True
            self._meanwhile()
        return value


def _race(store_class, port: int, conversation: str):
    a = store_class(host="127.0.0.1", port=port, key_prefix="test")
    b = store_class(host="127.0.0.1", port=port, key_prefix="test")
    tickets = {}
    meanwhile = lambda: tickets.setdefault("b", b.issue_ticket(conversation))  # noqa: E731
    if store_class is AtomicRedisLockStore:
        pipeline = a.red.pipeline
        a.red.pipeline = lambda *args, **kwargs: _InterruptedAfterRead(pipeline(*args, **kwargs), meanwhile)
    else:
        a.red = _InterruptedAfterRead(a.red, meanwhile)
    tickets["a"] = a.issue_ticket(conversation)
    return tickets, b.get_lock(conversation)


def test_rasas_own_redis_lock_store_hands_out_the_same_ticket_twice(redis_port):
    tickets, lock = _race(RedisLockStore, redis_port, "stock")
    assert tickets["a"] == tickets["b"] == 0
    assert not lock.is_locked(tickets["a"]) and not lock.is_locked(tickets["b"])  # both would run at once


def test_the_atomic_lock_store_hands_out_distinct_tickets_in_order(redis_port):
    tickets, lock = _race(AtomicRedisLockStore, redis_port, "atomic")
    assert (tickets["b"], tickets["a"]) == (0, 1)
    assert not lock.is_locked(0) and lock.is_locked(1)  # the second waits for the first


def test_cleanup_keeps_a_ticket_issued_meanwhile(redis_port):
    a = AtomicRedisLockStore(host="127.0.0.1", port=redis_port, key_prefix="test")
    b = AtomicRedisLockStore(host="127.0.0.1", port=redis_port, key_prefix="test")
    first = a.issue_ticket("cleanup")
    pipeline = a.red.pipeline
    waiting = {}
    a.red.pipeline = lambda *args, **kwargs: _InterruptedAfterRead(
        pipeline(*args, **kwargs), lambda: waiting.setdefault("b", b.issue_ticket("cleanup")))
    a.cleanup("cleanup", first)
    lock = b.get_lock("cleanup")
    assert lock is not None, "the lock was deleted although B holds a ticket"
    assert not lock.is_locked(waiting["b"])


def test_configured_from_endpoints_like_rasas_redis_type(redis_port):
    from rasa.core.lock_store import LockStore
    from rasa.utils.endpoints import EndpointConfig

    config = EndpointConfig.from_dict({"type": "rasa_server.stores.lock_store.AtomicRedisLockStore", "url": "127.0.0.1",
                                       "port": redis_port, "db": 0, "key_prefix": "forlop"})
    store = LockStore.create(config)
    assert isinstance(store, AtomicRedisLockStore)
    assert store.key_prefix == "forlop:lock:"
    ticket = store.issue_ticket("configured")
    store.cleanup("configured", ticket)
    assert store.get_lock("configured") is None


def test_without_redis_a_message_is_refused_by_default(caplog):
    import asyncio

    store = AtomicRedisLockStore(host="127.0.0.1", port=free_port(), key_prefix="test", socket_timeout=1)

    async def handle() -> None:
        async with store.lock("offline", wait_time_in_seconds=0.05):
            raise AssertionError("handled without the shared lock")

    try:
        with pytest.raises(LockError):
            asyncio.run(handle())
    finally:
        store.stop_keeping_alive()
    assert "message refused" in caplog.text


def test_without_redis_messages_can_be_handled_under_a_local_lock_when_chosen(caplog):
    import asyncio

    store = AtomicRedisLockStore(host="127.0.0.1", port=free_port(), key_prefix="test", socket_timeout=1,
                                 when_redis_down="local_lock")
    order = []

    async def handle(name: str) -> None:
        async with store.lock("offline", wait_time_in_seconds=0.05):
            order.append(f"{name} in")
            await asyncio.sleep(0.05)
            order.append(f"{name} out")

    async def both() -> None:
        await asyncio.gather(handle("a"), handle("b"))

    try:
        asyncio.run(both())
    finally:
        store.stop_keeping_alive()
    assert order in (["a in", "a out", "b in", "b out"], ["b in", "b out", "a in", "a out"])
    assert "Redis lock store unreachable" in caplog.text


def _store(port: int, **kwargs) -> AtomicRedisLockStore:
    return AtomicRedisLockStore(host="127.0.0.1", port=port, key_prefix="test", **kwargs)


def test_tickets_of_a_server_that_died_are_dropped_within_seconds(redis_port):
    import asyncio
    import time

    dying = _store(redis_port, alive_ttl_seconds=0.6, alive_interval_seconds=0.2)
    waiting = _store(redis_port)
    dying.issue_ticket("dead-holder")  # a message being handled when its server died
    dying.stop_keeping_alive()

    async def next_message() -> float:
        started = time.monotonic()
        async with waiting.lock("dead-holder", wait_time_in_seconds=0.1):
            return time.monotonic() - started

    try:
        waited = asyncio.run(next_message())
    finally:
        waiting.stop_keeping_alive()
    assert waited < 5, f"waited {waited:.1f} s (the ticket lifetime is 60 s)"


def test_a_live_servers_ticket_is_waited_for(redis_port):
    import asyncio

    holder = _store(redis_port, alive_ttl_seconds=0.6, alive_interval_seconds=0.2)
    waiting = _store(redis_port)
    ticket = holder.issue_ticket("live-holder")

    async def try_for(seconds: float) -> bool:
        try:
            async with waiting.lock("live-holder", wait_time_in_seconds=0.1):
                return True
        except Exception:
            raise

    async def scenario():
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(try_for(2), 2.0)  # well past the holder's alive-key lifetime
        holder.cleanup("live-holder", ticket)
        return await asyncio.wait_for(try_for(2), 5.0)

    try:
        assert asyncio.run(scenario())
    finally:
        holder.stop_keeping_alive()
        waiting.stop_keeping_alive()


# -- Redis killed and started again, empty (it keeps no data) -----------------------------------

@pytest.fixture()
def restartable_redis(tmp_path):
    try:
        find_redis_server()
    except RedisUnavailable as reason:
        pytest.skip(str(reason))
    instance = RedisInstance(tmp_path, free_port())
    service = instance.service(tmp_path / "redis.log")
    service.start()
    yield instance.port, service
    service.stop()


def _kill_and_restart(service) -> None:
    service.stop(hard=True)
    service.start()


def test_a_fresh_redis_without_epoch_serves_at_once(restartable_redis):
    port, _ = restartable_redis
    store = _store(port)
    try:
        ticket = store.issue_ticket("first-ever")  # a new cluster: no grace period
        assert ticket == 0
    finally:
        store.stop_keeping_alive()


def test_after_redis_came_back_empty_no_ticket_is_issued_until_held_ones_are_written_back(restartable_redis):
    import time

    port, service = restartable_redis
    holder = _store(port, alive_interval_seconds=0.2, restart_grace_seconds=1.5)
    other = _store(port, alive_interval_seconds=0.2, restart_grace_seconds=1.5)
    try:
        held = holder.issue_ticket("restart-held")  # a message being handled on server A
        other.cleanup("warm-up", other.issue_ticket("warm-up"))  # B has seen this Redis too
        _kill_and_restart(service)

        # the conversation's next message reaches B at once: refused, not started beside A's
        # (were the epoch still there, Redis would have kept its data and B would queue)
        with pytest.raises(RedisRestarted):
            other.issue_ticket("restart-held")
        deadline = time.monotonic() + 1.2  # A's alive thread writes its ticket back meanwhile
        while holder.get_lock("restart-held") is None and time.monotonic() < deadline:
            time.sleep(0.05)
        lock = holder.get_lock("restart-held")
        assert lock is not None and lock.now_serving == held, "A's ticket was not written back"

        time.sleep(1.6)  # the grace period is over: B's message queues behind A's
        queued = other.issue_ticket("restart-held")
        assert queued == held + 1
        assert other.get_lock("restart-held").is_locked(queued)
        holder.cleanup("restart-held", held)
        assert not other.get_lock("restart-held").is_locked(queued)
    finally:
        holder.stop_keeping_alive()
        other.stop_keeping_alive()


def test_a_waiting_message_is_not_served_before_the_holder_wrote_its_ticket_back(restartable_redis):
    import asyncio

    port, service = restartable_redis
    # A notices the restart late (alive thread every 1 s); the waiter B polls every 0.05 s
    holder = _store(port, alive_interval_seconds=1.0, restart_grace_seconds=2.5)
    waiter = _store(port, alive_interval_seconds=0.2, restart_grace_seconds=2.5)
    events = []

    async def scenario() -> None:
        held = holder.issue_ticket("restart-queue")

        async def second_message() -> None:
            async with waiter.lock("restart-queue", wait_time_in_seconds=0.05):
                events.append("B served")

        waiting = asyncio.create_task(second_message())
        await asyncio.sleep(0.3)  # B holds ticket 1 and waits for A's ticket 0
        _kill_and_restart(service)
        await asyncio.sleep(3.0)  # past the grace period: A's ticket is back, B still waits
        events.append("A done")
        holder.cleanup("restart-queue", held)
        await asyncio.wait_for(waiting, 5)

    try:
        asyncio.run(scenario())
    finally:
        holder.stop_keeping_alive()
        waiter.stop_keeping_alive()
    assert events == ["A done", "B served"]


@pytest.mark.parametrize("keys, down, checked", [
    ({}, "refuse", True),
    ({"when_redis_down": "local_lock"}, "local_lock", True),
    ({"when_redis_down": "refuse", "ssl_check_hostname": False}, "refuse", False),
])
def test_its_own_endpoints_keys_are_not_handed_to_rasa(keys, down, checked):
    """Rasa's RedisLockStore takes neither key (TypeError); with TLS the certificate's name is
    checked unless the endpoints say otherwise. Nothing connects here."""
    from rasa.utils.endpoints import EndpointConfig

    store = AtomicRedisLockStore(endpoint_config=EndpointConfig(
        url="redis.forlop.test", type="rasa_server.stores.lock_store.AtomicRedisLockStore", use_ssl=True, **keys))
    assert store.when_redis_down == down
    assert store.red.connection_pool.connection_kwargs["ssl_check_hostname"] is checked
    assert store.red.connection_pool.connection_kwargs["host"] == "redis.forlop.test"


def test_an_unknown_when_redis_down_is_refused():
    with pytest.raises(ValueError, match="when_redis_down"):
        AtomicRedisLockStore(host="127.0.0.1", when_redis_down="ignore")
