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

Redis keeps no data here (cluster/redis.py), so a Redis killed and started again comes back
empty: the ticket of a message still being handled is gone, and the conversation's next message
would start beside it on another server. So Redis holds an "epoch" key, and each server
remembers the epoch it last saw. A server that finds the epoch gone (on its next message, or
within ALIVE_INTERVAL_SECONDS from its alive thread) marks Redis as "restarted" for
RESTART_GRACE_SECONDS and sets a new epoch; in that window no new ticket is issued (the message
is refused as while Redis is down), and every server that sees the new epoch writes the tickets
it still holds back into Redis, with their numbers and expiry, before the window ends. Messages
after the window wait for those tickets as before the restart.

When Redis cannot be reached, Rasa's store raises, and Rasa would answer the resident with
nothing at all. Here the store raises too (when_redis_down: refuse, the default), and the
channel answers with the crisis answer when the message is a crisis and the apology with the
phone number, status 503 (rasa_server/channels/failures.py): no conversation is ever handled on two
servers at once. `when_redis_down: local_lock` handles the message under this server's own
lock instead: answers go on, but two messages of one conversation reaching two servers at the
same moment during the outage can overlap (the fault test shows it; cluster/README.md).

Configured in endpoints like `type: redis`:

    lock_store:
      type: rasa_server.stores.lock_store.AtomicRedisLockStore
      url: 127.0.0.1
      port: 6379
      key_prefix: forlop
      when_redis_down: refuse      # or local_lock
      use_ssl: true                # then the name in Redis's certificate must be `url`
      ssl_check_hostname: true     # the default; false accepts any certificate of the CA
"""
from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections import deque
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, AsyncGenerator, Callable, Dict, Optional, Text

from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, InMemoryLockStore, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)

# A server is taken for dead when its alive key was not renewed for this long. Renewed every
# ALIVE_INTERVAL_SECONDS by a thread, which Python runs within milliseconds even while the
# event loop is busy; the margin covers a slow Redis call (socket timeout 2 s).
ALIVE_TTL_SECONDS = 6.0
ALIVE_INTERVAL_SECONDS = 0.5
# After Redis came back empty, no ticket is issued for this long: long enough for every live
# server's alive thread (every ALIVE_INTERVAL_SECONDS) to write back the tickets it holds.
RESTART_GRACE_SECONDS = 2 * ALIVE_INTERVAL_SECONDS + 1.0  # 2 s


class RedisRestarted(LockError):
    """Redis came back empty a moment ago; tickets held before are still being written back."""


@dataclass
class LockState:
    """One conversation's lock as stored in Redis: the tickets, and which server holds each."""

    lock: Optional[TicketLock]
    owners: Dict[str, str] = field(default_factory=dict)  # ticket number -> server id
    restarting: bool = False  # inside the grace period after Redis came back empty


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
                 restart_grace_seconds: Optional[float] = None,
                 when_redis_down: Optional[str] = None, **kwargs: Any) -> None:
        if endpoint_config is not None:
            kwargs = {**endpoint_config.kwargs, **kwargs}
            kwargs.setdefault("host", endpoint_config.url or "localhost")
        # this store's own endpoints keys: Rasa's RedisLockStore takes neither (TypeError)
        from_endpoints = kwargs.pop("when_redis_down", None)
        when_redis_down = when_redis_down or from_endpoints or REFUSE
        check_hostname = _as_bool(kwargs.pop("ssl_check_hostname", True))
        super().__init__(**kwargs)
        self._check_hostname(check_hostname)
        self.server_id = uuid.uuid4().hex
        self._alive_ttl_ms = int(alive_ttl_seconds * 1000)
        self._alive_interval = alive_interval_seconds
        self._alive_thread: Optional[threading.Thread] = None
        self._alive_stop = threading.Event()
        grace = restart_grace_seconds if restart_grace_seconds is not None else RESTART_GRACE_SECONDS
        self._restart_grace_ms = int(grace * 1000)
        self._epoch: Optional[str] = None  # the epoch this server last saw in Redis
        # the tickets this server holds: (conversation, number) -> expiry; written back to Redis
        # after it restarted empty. Reentrant: issue_ticket may notice the restart itself.
        self._held: Dict["tuple[str, int]", float] = {}
        self._held_lock = threading.RLock()
        if when_redis_down not in (REFUSE, LOCAL_LOCK):
            raise ValueError(f"when_redis_down must be {REFUSE!r} or {LOCAL_LOCK!r}, not {when_redis_down!r}")
        self.when_redis_down = when_redis_down
        self._local = InMemoryLockStore()  # used only while Redis cannot be reached, if chosen

    def _check_hostname(self, check: bool) -> None:
        """Rasa passes no ssl_check_hostname to redis-py (default False): any certificate of the
        CA would be accepted, whatever name it is for. The pool makes its connections from these
        arguments and has made none yet."""
        import redis

        pool = self.red.connection_pool
        if issubclass(pool.connection_class, redis.SSLConnection):
            if not check:
                logger.warning("Redis lock store: TLS without checking the name in Redis's certificate")
            pool.connection_kwargs["ssl_check_hostname"] = check

    # -- keys -------------------------------------------------------------------------------

    def _owners_key(self, conversation_id: Text) -> str:
        return f"{self.key_prefix}{conversation_id}:owners"

    def _alive_key(self, server_id: str) -> str:
        return f"{self.key_prefix}alive:{server_id}"

    @property
    def _epoch_key(self) -> str:
        return f"{self.key_prefix}epoch"

    @property
    def _restarted_key(self) -> str:
        return f"{self.key_prefix}restarted"

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
                self._notice_restart()
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
            if not (_redis_unreachable(error) or isinstance(error, RedisRestarted)):
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

    async def _acquire_lock(self, conversation_id: Text, ticket: int,
                            wait_time_in_seconds: float) -> TicketLock:
        """Rasa's wait for our ticket's turn, except that nobody's turn comes during the grace
        period after a Redis restart: the ticket served before it may not be written back yet."""
        import asyncio

        while True:
            state = self._change(conversation_id, lambda state: (state, state, False))
            if state.lock is None:  # expired, or lost with Redis and not written back
                raise LockError(f"Could not acquire lock for conversation_id '{conversation_id}'.")
            if not state.restarting and not state.lock.is_locked(ticket):
                return state.lock
            await asyncio.sleep(wait_time_in_seconds)
            self.update_lock(conversation_id)

    def _local_lock(self, conversation_id: Text, lock_lifetime: float, wait_time_in_seconds: float,
                    error: BaseException):
        if self.when_redis_down == REFUSE:
            # the channel answers with 113 (crisis) and the apology, status 503 (rasa_server/channels/failures.py)
            logger.error("Redis lock store unreachable or just restarted (%s): message refused", _cause(error))
            raise LockError("Redis lock store unreachable or just restarted") from error
        logger.error("Redis lock store unreachable (%s): this server handles the message under "
                     "its own lock until Redis is back", _cause(error))
        return self._local.lock(conversation_id, lock_lifetime, wait_time_in_seconds)

    # -- Redis restarted empty ------------------------------------------------------------

    def _notice_restart(self) -> None:
        """Compares Redis's epoch with the one this server saw last; when Redis lost it (came back
        empty), opens the grace period, sets a new epoch and writes back this server's tickets."""
        current = self.red.get(self._epoch_key)
        if current is not None and current.decode() == self._epoch:
            return
        with self._held_lock:  # the alive thread and the event loop may both notice it
            current = self.red.get(self._epoch_key)
            if current is not None and current.decode() == self._epoch:
                return
            if current is None:
                if self._epoch is not None:
                    # the grace period first: no other server may issue under the new epoch before it
                    if self.red.set(self._restarted_key, "1", px=self._restart_grace_ms, nx=True):
                        logger.error("Redis lock store came back empty: no new messages for %.1f s while "
                                     "the servers write back the locks they hold", self._restart_grace_ms / 1000)
                self.red.set(self._epoch_key, uuid.uuid4().hex, nx=True)
                current = self.red.get(self._epoch_key)
            if self._epoch is not None:  # this server saw the Redis before: its tickets are gone
                self._write_back_held_tickets()
            self._epoch = current.decode() if current is not None else None

    def _write_back_held_tickets(self) -> None:
        now = time.time()
        for (conversation_id, number), expires in list(self._held.items()):
            if expires <= now:
                continue

            def restore(state: LockState, number=number, expires=expires):
                lock = state.lock or self.create_lock(conversation_id)
                if state.owners.get(str(number)) == self.server_id:
                    return state, None, False  # written back already
                if any(ticket.number == number for ticket in lock.tickets):
                    # a ticket issued after the grace period took this number: a server hung
                    # longer than the grace period; the overlap cannot be prevented any more
                    logger.error("could not write back a lock ticket after the Redis restart")
                    return state, None, False
                lock.tickets = deque(sorted([*lock.tickets, Ticket(number, expires)], key=lambda t: t.number))
                owners = {**state.owners, str(number): self.server_id}
                return LockState(lock, _live_owners(lock, owners)), None, True

            self._change(conversation_id, restore)

    # -- atomic changes -------------------------------------------------------------------

    def _change(self, conversation_id: Text, change: Change) -> Any:
        import redis

        key, owners_key = self.key_prefix + conversation_id, self._owners_key(conversation_id)
        with self.red.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(key, owners_key, self._restarted_key)
                    raw, restarting = pipe.mget(key, self._restarted_key)
                    state = LockState(
                        TicketLock.from_dict(json.loads(raw)) if raw else None,
                        {k.decode(): v.decode() for k, v in pipe.hgetall(owners_key).items()},
                        restarting is not None,
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
            if state.restarting:
                raise RedisRestarted("Redis lock store restarted a moment ago: locks are being written back")
            lock = state.lock or self.create_lock(conversation_id)
            number = lock.issue_ticket(lock_lifetime)
            owners = _live_owners(lock, state.owners)
            owners[str(number)] = self.server_id
            return LockState(lock, owners), number, True

        try:
            # our own alive key must exist before a waiting server looks at our ticket
            self.red.set(self._alive_key(self.server_id), "1", px=self._alive_ttl_ms)
            with self._held_lock:
                self._notice_restart()
                number = self._change(conversation_id, issue)
                self._held[(conversation_id, number)] = time.time() + lock_lifetime
                return number
        except RedisRestarted:
            raise
        except Exception as error:
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    def update_lock(self, conversation_id: Text) -> None:
        """Called by a message waiting for the lock: drops expired tickets and dead servers' ones."""
        # before Rasa looks for the lock again: a Redis that came back empty has no lock, and
        # Rasa would give up waiting; this server's tickets are written back first
        self._notice_restart()

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
        with self._held_lock:  # not written back after the restart once it is gone here
            self._held.pop((conversation_id, ticket_number), None)
            self._cleanup(conversation_id, ticket_number)

    def _cleanup(self, conversation_id: Text, ticket_number: int) -> None:

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


def _as_bool(value: Any) -> bool:
    """A yes/no from endpoints.yml, also when it came as text (`${...}` or quoted)."""
    if isinstance(value, str):
        return value.strip().lower() not in ("false", "no", "off", "0", "")
    return bool(value)


def _cause(error: BaseException) -> BaseException:
    return error.__cause__ or error


def _redis_unreachable(error: BaseException) -> bool:
    import redis

    return isinstance(_cause(error), (redis.ConnectionError, redis.TimeoutError))
