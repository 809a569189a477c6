"""Rasa's Redis lock store with every change of a lock made atomically in Redis, tickets of dead
servers dropped, and a clear refusal while Redis is down.

Rasa 3.6's RedisLockStore changes a conversation's lock by reading it, changing it in Python
and writing it back. Two Rasa servers doing that for the same conversation at the same moment
(a resident sends two messages quickly, round robin gives them to different servers) can both
read "no ticket", both issue ticket 0, and both handle their message at once: the tracker
then gets interleaved or duplicated events. A removal can likewise erase a ticket issued in
between, and the waiting message fails with a LockError. Rasa 3.7 fixed this differently
(ConcurrentRedisLockStore, `concurrent_mode`); 3.6 has no fix. Here each read-change-write
runs in a Redis transaction (WATCH / MULTI / EXEC) and is retried when another server changed
the lock in between, so ticket numbers are unique and tickets are never lost.

A server that dies while it holds tickets (killed, machine gone) would block the conversation
until the tickets expire (TICKET_LOCK_LIFETIME, 60 s: as long as nginx waits for an answer).
So every ticket records which server holds it, each server keeps a short-lived "alive" key
fresh from a background thread, and a message waiting for the lock drops tickets of servers
whose key has expired: the conversation goes on a few seconds after its server died.

When Redis cannot be reached, Rasa's store raises, and Rasa would answer the resident with
nothing at all. Here the store raises too (when_redis_down: refuse, the default), and the
channel answers with the crisis answer when the message is a crisis and the apology with the
phone number, status 503 (channels/failures.py): no conversation is ever handled on two
servers at once. `when_redis_down: local_lock` handles the message under this server's own
lock instead: answers go on, but two messages of one conversation reaching two servers at the
same moment during the outage can overlap (the fault test shows it; cluster/README.md).

Configured in endpoints like `type: redis`:

    lock_store:
      type: cluster.lock_store.AtomicRedisLockStore
      url: 127.0.0.1
      port: 6379
      key_prefix: forlop
      when_redis_down: refuse      # or local_lock
"""
from __future__ import annotations

import json
import logging
import threading
import uuid
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, AsyncGenerator, Callable, Dict, Optional, Text

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, InMemoryLockStore, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)

# A server is taken for dead when its alive key was not renewed for this long. Renewed every
# ALIVE_INTERVAL_SECONDS by a thread, which Python runs within milliseconds even while the
# event loop is busy; the margin covers a slow Redis call (socket timeout 2 s).
ALIVE_TTL_SECONDS = 6.0
ALIVE_INTERVAL_SECONDS = 1.5


@dataclass
class LockState:
    """One conversation's lock as stored in Redis: the tickets, and which server holds each."""

    lock: Optional[TicketLock]
    owners: Dict[str, str] = field(default_factory=dict)  # ticket number -> server id


# While Redis is unreachable: REFUSE the message (default: no conversation is ever handled on two
# servers at once; the resident gets 113 for a crisis and the apology with the phone number), or
# handle it under this server's LOCAL_LOCK (answers go on, but two messages of one conversation
# reaching two servers at the same moment can be handled at once). endpoints: when_redis_down.
REFUSE = "refuse"
LOCAL_LOCK = "local_lock"

# returns (the state to store, or a state without lock to delete it; the result; write at all?)
Change = Callable[[LockState], "tuple[LockState, Any, bool]"]


class AtomicRedisLockStore(RedisLockStore):
    def __init__(self, endpoint_config: Optional[EndpointConfig] = None,
                 alive_ttl_seconds: float = ALIVE_TTL_SECONDS,
                 alive_interval_seconds: float = ALIVE_INTERVAL_SECONDS,
                 when_redis_down: str = REFUSE, **kwargs: Any) -> None:
        if endpoint_config is not None:
            kwargs = {**endpoint_config.kwargs, **kwargs}
            kwargs.setdefault("host", endpoint_config.url or "localhost")
        super().__init__(**kwargs)
        self.server_id = uuid.uuid4().hex
        self._alive_ttl_ms = int(alive_ttl_seconds * 1000)
        self._alive_interval = alive_interval_seconds
        self._alive_thread: Optional[threading.Thread] = None
        self._alive_stop = threading.Event()
        if when_redis_down not in (REFUSE, LOCAL_LOCK):
            raise ValueError(f"when_redis_down must be {REFUSE!r} or {LOCAL_LOCK!r}, not {when_redis_down!r}")
        self.when_redis_down = when_redis_down
        self._local = InMemoryLockStore()  # used only while Redis cannot be reached, if chosen

    # -- keys -------------------------------------------------------------------------------

    def _owners_key(self, conversation_id: Text) -> str:
        return f"{self.key_prefix}{conversation_id}:owners"

    def _alive_key(self, server_id: str) -> str:
        return f"{self.key_prefix}alive:{server_id}"

    # -- this server is alive ---------------------------------------------------------------

    def _keep_alive(self) -> None:
        """Starts the thread renewing this server's alive key (once, on first use)."""
        if self._alive_thread is None:
            self._alive_thread = threading.Thread(target=self._renew_alive, name="lock-store-alive", daemon=True)
            self._alive_thread.start()

    def _renew_alive(self) -> None:
        while not self._alive_stop.is_set():
            try:
                self.red.set(self._alive_key(self.server_id), "1", px=self._alive_ttl_ms)
            except Exception:  # noqa: BLE001 - Redis down: the lock falls back, see lock()
                pass
            self._alive_stop.wait(self._alive_interval)

    def stop_keeping_alive(self) -> None:
        """Stops renewing (tests: a server that died)."""
        self._alive_stop.set()

    # -- the lock, with Redis down --------------------------------------------------------------

    @asynccontextmanager
    async def lock(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME,
                   wait_time_in_seconds: float = 1) -> AsyncGenerator[TicketLock, None]:
        import redis

        try:
            ticket = self.issue_ticket(conversation_id, lock_lifetime)
        except LockError as error:
            if not _redis_unreachable(error):
                raise
            async with self._local_lock(conversation_id, lock_lifetime, wait_time_in_seconds, error) as local:
                yield local
            return
        try:
            try:
                acquired = await self._acquire_lock(conversation_id, ticket, wait_time_in_seconds)
            except redis.RedisError as error:  # Redis went away while we waited
                if not _redis_unreachable(error):
                    raise
                acquired = None
                async with self._local_lock(conversation_id, lock_lifetime, wait_time_in_seconds, error) as local:
                    yield local
            if acquired is not None:
                yield acquired
        finally:
            # also when the request was cancelled while waiting: a ticket left behind would
            # block the conversation until it expires
            try:
                self.cleanup(conversation_id, ticket)
            except redis.RedisError as error:  # Redis went away meanwhile; it restarts empty
                logger.error("Redis lock store unreachable while releasing a lock (%s)", _cause(error))

    def _local_lock(self, conversation_id: Text, lock_lifetime: float, wait_time_in_seconds: float,
                    error: BaseException):
        if self.when_redis_down == REFUSE:
            # the channel answers with 113 (crisis) and the apology, status 503 (channels/failures.py)
            logger.error("Redis lock store unreachable (%s): message refused", _cause(error))
            raise LockError("Redis lock store unreachable") from error
        logger.error("Redis lock store unreachable (%s): this server handles the message under "
                     "its own lock until Redis is back", _cause(error))
        return self._local.lock(conversation_id, lock_lifetime, wait_time_in_seconds)

    # -- atomic changes -------------------------------------------------------------------

    def _change(self, conversation_id: Text, change: Change) -> Any:
        import redis

        key, owners_key = self.key_prefix + conversation_id, self._owners_key(conversation_id)
        with self.red.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(key, owners_key)
                    raw = pipe.get(key)
                    state = LockState(
                        TicketLock.from_dict(json.loads(raw)) if raw else None,
                        {k.decode(): v.decode() for k, v in pipe.hgetall(owners_key).items()},
                    )
                    new, result, write = change(state)
                    if not write:
                        pipe.unwatch()
                        return result
                    pipe.multi()
                    if new.lock is None:
                        pipe.delete(key, owners_key)
                    else:
                        pipe.set(key, new.lock.dumps())
                        pipe.delete(owners_key)
                        if new.owners:
                            pipe.hset(owners_key, mapping=new.owners)
                    pipe.execute()
                    return result
                except redis.WatchError:
                    continue  # another server changed this lock in between: read it again

    def _dead_servers(self, owners: Dict[str, str]) -> set:
        others = {server for server in owners.values() if server != self.server_id}
        return {server for server in others if not self.red.exists(self._alive_key(server))}

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        self._keep_alive()

        def issue(state: LockState):
            lock = state.lock or self.create_lock(conversation_id)
            number = lock.issue_ticket(lock_lifetime)
            owners = _live_owners(lock, state.owners)
            owners[str(number)] = self.server_id
            return LockState(lock, owners), number, True

        try:
            # our own alive key must exist before a waiting server looks at our ticket
            self.red.set(self._alive_key(self.server_id), "1", px=self._alive_ttl_ms)
            return self._change(conversation_id, issue)
        except Exception as error:
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    def update_lock(self, conversation_id: Text) -> None:
        """Called by a message waiting for the lock: drops expired tickets and dead servers' ones."""

        def drop_stale(state: LockState):
            if state.lock is None:
                return state, None, False
            state.lock.remove_expired_tickets()
            dead = self._dead_servers(state.owners)
            for number, server in state.owners.items():
                if server in dead:
                    logger.warning("dropped a lock ticket of a Rasa server that stopped renewing "
                                   "its alive key (died or hangs)")
                    state.lock.remove_ticket_for(int(number))
            return LockState(state.lock, _live_owners(state.lock, state.owners)), None, True

        self._change(conversation_id, drop_stale)

    def finish_serving(self, conversation_id: Text, ticket_number: int) -> None:
        def finish(state: LockState):
            if state.lock is None:
                return state, None, False
            state.lock.remove_ticket_for(ticket_number)
            return LockState(state.lock, _live_owners(state.lock, state.owners)), None, True

        self._change(conversation_id, finish)

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        """Removes our ticket, and the lock with it when nobody else holds a ticket."""

        def finish_and_delete_if_unused(state: LockState):
            if state.lock is None:
                return state, None, False
            state.lock.remove_ticket_for(ticket_number)
            if not state.lock.is_someone_waiting():
                return LockState(None), None, True
            return LockState(state.lock, _live_owners(state.lock, state.owners)), None, True

        self._change(conversation_id, finish_and_delete_if_unused)


def _live_owners(lock: TicketLock, owners: Dict[str, str]) -> Dict[str, str]:
    """The owners of the tickets the lock still holds."""
    numbers = {str(ticket.number) for ticket in lock.tickets}
    return {number: server for number, server in owners.items() if number in numbers}


def _cause(error: BaseException) -> BaseException:
    return error.__cause__ or error


def _redis_unreachable(error: BaseException) -> bool:
    import redis

    return isinstance(_cause(error), (redis.ConnectionError, redis.TimeoutError))
