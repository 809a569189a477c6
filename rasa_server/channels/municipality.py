"""Which municipality a message is for: the widget's `data-municipality`, REST metadata, or the default.

The channel resolves it once, before anything else reads the message, and writes the id under
MUNICIPALITY_KEY in the metadata (replacing what the client sent, so later code never sees an
unknown or differently spelled id). The action server's `action_session_start` stores it in the
conversation as the `municipality` slot. An unknown id is refused, never answered with another
municipality's facts; a sure crisis is still answered with 113 first (see `unknown_text`).
"""
from __future__ import annotations

from typing import Any, Dict, Optional

from municipalities import catalogue

MUNICIPALITY_KEY = "municipality"


def requested_id(metadata: Any) -> Optional[str]:
    """What the client asked for; None when it named no municipality."""
    value = metadata.get(MUNICIPALITY_KEY) if isinstance(metadata, dict) else None
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return value.strip().lower() if isinstance(value, str) else repr(value)


def resolve(metadata: Any) -> Optional[str]:
    """The municipality's id, the default when none is named; None when the named one is unknown."""
    found = catalogue.load().resolve(requested_id(metadata))
    return found.id if found else None


def with_municipality(metadata: Dict[str, Any], municipality_id: str) -> Dict[str, Any]:
    merged = dict(metadata)
    merged[MUNICIPALITY_KEY] = municipality_id
    return merged


def unknown_text(metadata: Any, crisis: bool, message: Optional[str] = None) -> str:
    """The refusal for an unknown id; a sure crisis gets the crisis answer before it."""
    from rasa_server.texts import crisis_text, message_language

    known = ", ".join(catalogue.load().ids)
    text = (
        f"Ukjent kommune: «{str(requested_id(metadata))[:60]}». Chatten er satt opp feil, så den kan ikke "
        f"svare for denne kommunen (kjente kommuner: {known})."
    )
    return f"{crisis_text(message_language(message, metadata))}\n\n{text}" if crisis else text
