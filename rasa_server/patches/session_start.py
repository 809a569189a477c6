"""The conversation stores its municipality and starts in its language: `action_session_start`
sets the `municipality` and `language` slots.

The channel has already resolved the municipality into the message's metadata
(rasa_server/channels/municipality.py), and Rasa has put that metadata into the
`session_started_metadata` slot before it runs `action_session_start`. Rasa's own action only
carries slots over; this adds `SlotSet("municipality", ...)` when the conversation has none
yet, so the first municipality stays the conversation's, and `SlotSet("language", ...)` with
the resident's choice in the widget or else the municipality's målform, so even a first «hei»
is answered in nynorsk in a nynorsk municipality (rasa_server/nlu/language.py changes it later). Why here and not a custom action in
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
LANGUAGE_SLOT = "language"
_stock_run = ActionSessionStart.run


def _municipality_from(metadata: Any) -> Optional[str]:
    value = metadata.get(MUNICIPALITY_SLOT) if isinstance(metadata, dict) else None
    return value if isinstance(value, str) and value else None


def _starting_language(metadata: Any, municipality: Optional[str]) -> str:
    from municipalities import catalogue
    from rasa_server.nlu.language import chosen_language

    known = catalogue.load()
    return chosen_language(metadata) or (known.get(municipality) or known.default).language


def with_municipality(events: List[Event], tracker: Any) -> List[Event]:
    """`events` with the municipality and language slots set before the closing action_listen,
    where the conversation has none yet."""
    metadata = tracker.get_slot(SESSION_START_METADATA_SLOT)
    added: List[Event] = []
    municipality = tracker.get_slot(MUNICIPALITY_SLOT)  # carried over: a conversation keeps its first
    if not municipality:
        municipality = _municipality_from(metadata)
        if municipality:
            added.append(SlotSet(MUNICIPALITY_SLOT, municipality))
    if not tracker.get_slot(LANGUAGE_SLOT):
        added.append(SlotSet(LANGUAGE_SLOT, _starting_language(metadata, municipality)))
    if not added:
        return events
    position = len(events)
    if events and isinstance(events[-1], ActionExecuted):
        position -= 1
    return events[:position] + added + events[position:]


async def run(self: ActionSessionStart, output_channel, nlg, tracker, domain) -> List[Event]:
    events = await _stock_run(self, output_channel, nlg, tracker, domain)
    if not {MUNICIPALITY_SLOT, LANGUAGE_SLOT} <= {slot.name for slot in domain.slots}:
        return events  # a domain without the slots (an old model): Rasa's own behaviour
    return with_municipality(events, tracker)


def install() -> None:
    require_rasa_version("rasa_server.patches.session_start (ActionSessionStart.run)")
    ActionSessionStart.run = run
