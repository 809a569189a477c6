"""How the Rasa server calls the action server: fast schema check, a deadline, an apology.

Rasa 3.6's `RemoteAction` has three problems for a public service, so `install()` patches it:

* `_validate_action_result` calls `jsonschema.validate`, which re-checks Rasa's large event
  schema itself on every call and then tries all 23 event types on every event, the largest item of
  the server's profile (docs/performance.md). Here the schema is checked once and each event only
  against its own type (same verdict; see ActionResultValidator).
* The request to the action server may take up to 5 minutes (`DEFAULT_REQUEST_TIMEOUT`).
  A resident must not wait that long: every call gets ACTION_TIMEOUT_SECONDS (default 1.5 s).
* When the action server is down, slow or answers with an error, Rasa logs the exception and
  sends nothing: a silent failure. Here the resident gets a short apology with the phone number
  from content/contacts.yml and 113 instead, stored in the tracker like any bot message, and the
  conversation goes on (the next message tries the action server again).

An action that only adds to an answer when the message asks for it (`action_route_if_asked`, the
contact after a neighbouring topic) is skipped here when the message does not ask: a plain topic
answer never waits for, or depends on, the action server.

An `ActionExecutionRejection` (the action server's deliberate 400) is left to Rasa as before.
The connections to the action server are kept between calls (rasa_server/patches/action_connections.py).
"""
from __future__ import annotations

import asyncio
import logging
from functools import lru_cache
from typing import Any, Dict, List, Optional, Text

from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.shared.core.events import BotUttered, Event

import settings
from nlp.contact_question import asks_whom_to_contact
from rasa_server import require_rasa_version
from rasa_server.patches.action_connections import keep_connections
from rasa_server.texts import apology_text

logger = logging.getLogger(__name__)

DEFAULT_ACTION_TIMEOUT_SECONDS = settings.DEFAULT_ACTION_TIMEOUT_SECONDS
APOLOGY_ACTION = "forlop_action_server_unavailable"  # marks the apology in stored events

_original_run = RemoteAction.run

# action -> whether the latest message needs it (data/rules.yml runs it after a topic's answer)
OPTIONAL_ACTIONS = {"action_route_if_asked": asks_whom_to_contact}


action_timeout_seconds = settings.action_timeout_seconds


class ActionResultValidator:
    """Rasa's action-response schema, checked event by event.

    The schema's events are a `oneOf` over 23 event types, each fixed by a distinct `event`
    constant, so jsonschema tries all 23 for every event. Picking the one sub-schema by the
    event's name first gives the same verdict (the other 22 fail on the constant anyway) at a
    fraction of the cost; tests compare it with `jsonschema.validate` on valid and broken answers.
    """

    def __init__(self, schema: Dict[Text, Any]) -> None:
        from jsonschema.validators import validator_for

        events = schema["properties"]["events"]
        item = events["items"]
        common = {key: value for key, value in item.items() if key != "oneOf"}
        outer = {**schema, "properties": {**schema["properties"], "events": {"type": events["type"]}}}
        self._outer = self._compile(validator_for, outer)
        self._by_event = {
            sub["properties"]["event"]["const"]: self._compile(validator_for, {"allOf": [common, sub]})
            for sub in item["oneOf"]
        }
        self._unknown = self._compile(validator_for, item)  # gives jsonschema's own error text

    @staticmethod
    def _compile(validator_for: Any, schema: Dict[Text, Any]) -> Any:
        validator_class = validator_for(schema)
        validator_class.check_schema(schema)  # once, instead of on every call
        return validator_class(schema)

    def validate(self, result: Any) -> None:
        self._outer.validate(result)
        for event in result.get("events") or []:
            name = event.get("event") if isinstance(event, dict) else None
            validator = self._by_event.get(name) if isinstance(name, str) else None
            (validator or self._unknown).validate(event)


@lru_cache(maxsize=1)
def _response_validator() -> ActionResultValidator:
    return ActionResultValidator(RemoteAction.action_response_format_spec())


def _validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
    from jsonschema import ValidationError

    try:
        _response_validator().validate(result)
    except ValidationError as error:
        error.message += ". Failed to validate Action server response from API."
        raise
    return True


async def _run_with_deadline(self: RemoteAction, output_channel, nlg, tracker, domain) -> List[Event]:
    needed = OPTIONAL_ACTIONS.get(self.name())
    if needed is not None and not needed(tracker.latest_message.text if tracker.latest_message else None):
        return []
    timeout = action_timeout_seconds()
    keep_connections(self.action_endpoint)  # rasa_server/patches/action_connections.py
    try:
        return await asyncio.wait_for(_original_run(self, output_channel, nlg, tracker, domain), timeout)
    except ActionExecutionRejection:
        raise
    except asyncio.TimeoutError:
        logger.error("Custom action '%s' got no answer within %.1f s; sent the apology.", self.name(), timeout)
    except Exception as error:  # noqa: BLE001 - any failure must reach the resident as the apology
        logger.error("Custom action '%s' failed (%s); sent the apology.", self.name(), error)
    text = apology_text(tracker.get_slot("municipality") or _metadata_municipality(tracker), tracker.get_slot("language"))
    return [BotUttered(text=text, metadata={"utter_action": APOLOGY_ACTION})]


def _metadata_municipality(tracker) -> Optional[str]:
    """The first message of a conversation may fail before the slot is set."""
    metadata = (tracker.latest_message.metadata if tracker.latest_message else None) or {}
    value = metadata.get("municipality")
    return value if isinstance(value, str) else None


def install() -> None:
    """Patches RemoteAction once per process (importing twice is harmless)."""
    require_rasa_version("rasa_server.patches.remote_actions (RemoteAction.run and its result check)")
    if getattr(RemoteAction, "_forlop_installed", False):
        return
    apology_text()  # read the directory at start-up, not in a resident's turn
    RemoteAction._validate_action_result = _validate_action_result
    RemoteAction.run = _run_with_deadline
    RemoteAction._forlop_installed = True
