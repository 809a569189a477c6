"""Rasa's Redis lock store with every change of a lock made atomically in Redis.

Rasa 3.6's RedisLockStore changes a conversation's lock by reading it, changing it in Python
and writing it back. Two Rasa servers doing that for the same conversation at the same moment
(a resident sends two messages quickly, round robin gives them to different servers) can both
read "no ticket", both issue ticket 0, and both handle their message at once: the tracker
then gets interleaved or duplicated events. A removal can likewise erase a ticket issued in
between, and the waiting message fails with a LockError. Rasa 3.7 fixed this differently
(ConcurrentRedisLockStore, `concurrent_mode`); 3.6 has no fix.

Here each read-change-write runs in a Redis transaction (WATCH / MULTI / EXEC) and is retried
when another server changed the lock in between, so ticket numbers are unique and tickets are
never lost.

When Redis cannot be reached, Rasa's store raises, and Rasa answers the resident with nothing
at all (the REST channel returns [] and the message is not stored). Here the message is
handled under a lock of this server alone instead, with an error in the log: residents keep
getting answers, and only two messages of one conversation arriving at two servers at the
same moment during the outage could overlap. Configured in endpoints like `type: redis`:

    lock_store:
      type: cluster.lock_store.AtomicRedisLockStore
      url: 127.0.0.1
      port: 6379
      key_prefix: forlop
"""
from __future__ import annotations

import json
import logging
from contextlib import asynccontextmanager
from typing import Any, AsyncGenerator, Callable, Optional, Text, Tuple

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, InMemoryLockStore, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)

# (the lock to store, or None to delete it; the result for the caller; whether to write at all)
Change = Callable[[Optional[TicketLock]], Tuple[Optional[TicketLock], Any, bool]]


class AtomicRedisLockStore(RedisLockStore):
    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, **kwargs: Any) -> None:
        if endpoint_config is not None:
            kwargs = {**endpoint_config.kwargs, **kwargs}
            kwargs.setdefault("host", endpoint_config.url or "localhost")
        super().__init__(**kwargs)
        self._local = InMemoryLockStore()  # used only while Redis cannot be reached

    @asynccontextmanager
    async def lock(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME,
                   wait_time_in_seconds: float = 1) -> AsyncGenerator[TicketLock, None]:
        import redis

        try:
            ticket = self.issue_ticket(conversation_id, lock_lifetime)
            acquired = await self._acquire_lock(conversation_id, ticket, wait_time_in_seconds)
        except (LockError, redis.RedisError) as error:
            if not _redis_unreachable(error):
                raise
            logger.error("Redis lock store unreachable (%s): this server handles the message under "
                         "its own lock until Redis is back", _cause(error))
            async with self._local.lock(conversation_id, lock_lifetime, wait_time_in_seconds) as local:
                yield local
            return
        try:
            yield acquired
        finally:
            try:
                self.cleanup(conversation_id, ticket)
            except redis.RedisError as error:  # Redis went away meanwhile; it restarts empty
                logger.error("Redis lock store unreachable while releasing a lock (%s)", _cause(error))

    def _change(self, conversation_id: Text, change: Change) -> Any:
        import redis

        key = self.key_prefix + conversation_id
        with self.red.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(key)
                    raw = pipe.get(key)
                    lock = TicketLock.from_dict(json.loads(raw)) if raw else None
                    new_lock, result, write = change(lock)
                    if not write:
                        pipe.unwatch()
                        return result
                    pipe.multi()
                    if new_lock is None:
                        pipe.delete(key)
                    else:
                        pipe.set(key, new_lock.dumps())
                    pipe.execute()
                    return result
                except redis.WatchError:
                    continue  # another server changed this lock in between: read it again

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        def issue(lock: Optional[TicketLock]) -> Tuple[Optional[TicketLock], Any, bool]:
            lock = lock or self.create_lock(conversation_id)
            return lock, lock.issue_ticket(lock_lifetime), True

        try:
            return self._change(conversation_id, issue)
        except Exception as error:
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    def update_lock(self, conversation_id: Text) -> None:
        def drop_expired(lock: Optional[TicketLock]) -> Tuple[Optional[TicketLock], Any, bool]:
            if lock is None:
                return None, None, False
            lock.remove_expired_tickets()
            return lock, None, True

        self._change(conversation_id, drop_expired)

    def finish_serving(self, conversation_id: Text, ticket_number: int) -> None:
        def finish(lock: Optional[TicketLock]) -> Tuple[Optional[TicketLock], Any, bool]:
            if lock is None:
                return None, None, False
            lock.remove_ticket_for(ticket_number)
            return lock, None, True

        self._change(conversation_id, finish)

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        """Removes our ticket, and the lock with it when nobody else holds a ticket."""

        def finish_and_delete_if_unused(lock: Optional[TicketLock]) -> Tuple[Optional[TicketLock], Any, bool]:
            if lock is None:
                return None, None, False
            lock.remove_ticket_for(ticket_number)
            return (lock if lock.is_someone_waiting() else None), None, True

        self._change(conversation_id, finish_and_delete_if_unused)


def _cause(error: BaseException) -> BaseException:
    return error.__cause__ or error


def _redis_unreachable(error: BaseException) -> bool:
    import redis

    return isinstance(_cause(error), (redis.ConnectionError, redis.TimeoutError))
