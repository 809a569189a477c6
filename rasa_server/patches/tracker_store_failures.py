"""No silent in-memory fallback when the tracker store fails.

Rasa wraps every tracker store in `FailSafeTrackerStore`: when PostgreSQL is unreachable it
logs the error, hands out an EMPTY tracker and saves to memory. Residents then get normal-
looking answers from a conversation without its history (a fault test saw children given the
adults' contact), and 200 for messages that were never stored. Here retrieve and save raise
instead, so the channel answers with the apology and 503 (rasa_server/channels/failures.py), and nothing
is acknowledged that is not in the database.
"""
from __future__ import annotations

import logging
from typing import Optional, Text

from rasa.core.tracker_store import FailSafeTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker

from rasa_server import require_rasa_version

logger = logging.getLogger(__name__)


class TrackerStoreUnavailable(RuntimeError):
    """The tracker store could not read or write a conversation."""


async def retrieve(self: FailSafeTrackerStore, sender_id: Text) -> Optional[DialogueStateTracker]:
    try:
        return await self._tracker_store.retrieve(sender_id)
    except Exception as error:
        raise TrackerStoreUnavailable(f"retrieve failed: {type(error).__name__}") from error


async def retrieve_full_tracker(self: FailSafeTrackerStore, sender_id: Text) -> Optional[DialogueStateTracker]:
    try:
        return await self._tracker_store.retrieve_full_tracker(sender_id)
    except Exception as error:
        raise TrackerStoreUnavailable(f"retrieve failed: {type(error).__name__}") from error


async def save(self: FailSafeTrackerStore, tracker: DialogueStateTracker) -> None:
    try:
        await self._tracker_store.save(tracker)
    except Exception as error:
        raise TrackerStoreUnavailable(f"save failed: {type(error).__name__}") from error


def install() -> None:
    require_rasa_version("rasa_server.patches.tracker_store_failures (FailSafeTrackerStore)")
    FailSafeTrackerStore.retrieve = retrieve
    FailSafeTrackerStore.retrieve_full_tracker = retrieve_full_tracker
    FailSafeTrackerStore.save = save
