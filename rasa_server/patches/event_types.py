"""Looks up Rasa event classes by name from a table instead of a class-tree walk.

`Event.resolve_by_type` walks every subclass of Event (with `inspect.isabstract` on each)
for every event it deserialises: loading a tracker of 60 events walked the tree 60 times,
and it was the largest single item under tracker retrieval and masking in a py-spy profile.
The answer for a name never changes once found, so found classes are remembered; a name not
found yet (a class imported later, an unknown name) still takes Rasa's own path.
"""
from __future__ import annotations

from typing import Dict, Optional, Text, Type

from rasa.shared.core.events import Event

from rasa_server import require_rasa_version

_stock_resolve_by_type = Event.resolve_by_type
_found: Dict[Text, Type[Event]] = {}


def resolve_by_type(type_name: Text, default: Optional[Type[Event]] = None) -> Optional[Type[Event]]:
    cls = _found.get(type_name)
    if cls is not None:
        return cls
    cls = _stock_resolve_by_type(type_name, default)
    if cls is not None and cls is not default:
        _found[type_name] = cls
    return cls


def install() -> None:
    require_rasa_version("rasa_server.patches.event_types (Event.resolve_by_type)")
    Event.resolve_by_type = staticmethod(resolve_by_type)
