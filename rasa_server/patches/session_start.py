"""The conversation stores its municipality: `action_session_start` sets the `municipality` slot.

The channel has already resolved the municipality into the message's metadata
(rasa_server/channels/municipality.py), and Rasa has put that metadata into the
`session_started_metadata` slot before it runs `action_session_start`. Rasa's own action only
carries slots over; this adds `SlotSet("municipality", ...)` when the conversation has none
yet, so the first municipality stays the conversation's. Why here and not a custom action in
actions/: that would cost a round trip to the action server before every first answer, and a
conversation would begin with the apology whenever the action server is down.
"""
from __future__ import annotations

from typing import Any, List, Optional

from rasa.core.actions.action import ActionSessionStart
from rasa.shared.core.constants import SESSION_START_METADATA_SLOT
from rasa.shared.core.events import ActionExecuted, Event, SlotSet

from rasa_server import require_rasa_version

MUNICIPALITY_SLOT = "municipality"
_stock_run = ActionSessionStart.run


def _municipality_from(metadata: Any) -> Optional[str]:
    value = metadata.get(MUNICIPALITY_SLOT) if isinstance(metadata, dict) else None
    return value if isinstance(value, str) and value else None


def with_municipality(events: List[Event], tracker: Any) -> List[Event]:
    """`events` with the municipality slot set before the closing action_listen, if it is new."""
    if tracker.get_slot(MUNICIPALITY_SLOT):
        return events  # carried over: a conversation keeps its first municipality
    municipality = _municipality_from(tracker.get_slot(SESSION_START_METADATA_SLOT))
    if municipality is None:
        return events
    position = len(events)
    if events and isinstance(events[-1], ActionExecuted):
        position -= 1
    return events[:position] + [SlotSet(MUNICIPALITY_SLOT, municipality)] + events[position:]


async def run(self: ActionSessionStart, output_channel, nlg, tracker, domain) -> List[Event]:
    events = await _stock_run(self, output_channel, nlg, tracker, domain)
    if not any(slot.name == MUNICIPALITY_SLOT for slot in domain.slots):
        return events  # a domain without the slot (an old model): Rasa's own behaviour
    return with_municipality(events, tracker)


def install() -> None:
    require_rasa_version("rasa_server.patches.session_start (ActionSessionStart.run)")
    ActionSessionStart.run = run
