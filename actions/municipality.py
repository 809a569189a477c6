"""Which municipality a conversation belongs to, and its language, as the action server sees it.

The Rasa server stores it as the `municipality` slot at session start
(rasa_server/patches/session_start.py) from the id the channel resolved into the metadata.
A conversation from before that change has no slot: then the latest message's metadata, then
the configured default.
"""
from __future__ import annotations

from rasa_sdk import Tracker

from municipalities import catalogue
from municipalities.catalogue import Municipality

SLOT = "municipality"


def municipality_of(tracker: Tracker) -> Municipality:
    known = catalogue.load()
    metadata = tracker.latest_message.get("metadata") or {}
    for candidate in (tracker.get_slot(SLOT), metadata.get(SLOT) if isinstance(metadata, dict) else None):
        found = known.get(candidate) if isinstance(candidate, str) else None
        if found is not None:
            return found
    return known.default


def language_of(tracker: Tracker) -> str:
    """The `language` slot (nb, nn or en); else the municipality's målform."""
    value = tracker.get_slot("language")
    return value if value in ("nb", "nn", "en") else municipality_of(tracker).language
