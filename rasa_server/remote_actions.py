"""How the Rasa server calls the action server: fast schema check, a deadline, an apology.

Rasa 3.6's `RemoteAction` has three problems for a public service, so `install()` patches it:

* `_validate_action_result` calls `jsonschema.validate`, which re-checks Rasa's large event
  schema itself on every call: about 15 % of the server's CPU in a py-spy profile. The schema
  is fixed, so it is compiled once here and only the answer is checked.
* The request to the action server may take up to 5 minutes (`DEFAULT_REQUEST_TIMEOUT`).
  A resident must not wait that long: every call gets ACTION_TIMEOUT_SECONDS (default 1.5 s).
* When the action server is down, slow or answers with an error, Rasa logs the exception and
  sends nothing: a silent failure. Here the resident gets a short apology with the phone number
  from content/contacts.yml and 113 instead, stored in the tracker like any bot message, and the
  conversation goes on (the next message tries the action server again).

An `ActionExecutionRejection` (the action server's deliberate 400) is left to Rasa as before.
"""
from __future__ import annotations

import asyncio
import logging
import os
from functools import lru_cache
from typing import Any, Dict, List, Text

from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.shared.core.events import BotUttered, Event

logger = logging.getLogger(__name__)

DEFAULT_ACTION_TIMEOUT_SECONDS = 1.5
APOLOGY_ACTION = "forlop_action_server_unavailable"  # marks the apology in stored events

_original_run = RemoteAction.run


def action_timeout_seconds() -> float:
    try:
        value = float(os.environ.get("ACTION_TIMEOUT_SECONDS", DEFAULT_ACTION_TIMEOUT_SECONDS))
    except ValueError:
        return DEFAULT_ACTION_TIMEOUT_SECONDS
    return value if value > 0 else DEFAULT_ACTION_TIMEOUT_SECONDS


@lru_cache(maxsize=1)
def _response_validator() -> Any:
    from jsonschema.validators import validator_for

    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)  # once, instead of on every call
    return validator_class(schema)


def _validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
    from jsonschema import ValidationError

    try:
        _response_validator().validate(result)
    except ValidationError as error:
        error.message += ". Failed to validate Action server response from API."
        raise
    return True


@lru_cache(maxsize=1)
def apology_text() -> str:
    """Built once from the contact directory; without a readable directory, only 113."""
    import settings
    from actions.directory import DirectoryError, load_directory
    from actions.replies import apology_reply

    try:
        contacts = load_directory(settings.load().contacts_file)
    except DirectoryError as error:
        logger.error("Apology without a phone number: %s", error)
        contacts = []
    return apology_reply(contacts)


async def _run_with_deadline(self: RemoteAction, output_channel, nlg, tracker, domain) -> List[Event]:
    timeout = action_timeout_seconds()
    try:
        return await asyncio.wait_for(_original_run(self, output_channel, nlg, tracker, domain), timeout)
    except ActionExecutionRejection:
        raise
    except asyncio.TimeoutError:
        logger.error("Custom action '%s' got no answer within %.1f s; sent the apology.", self.name(), timeout)
    except Exception as error:  # noqa: BLE001 - any failure must reach the resident as the apology
        logger.error("Custom action '%s' failed (%s); sent the apology.", self.name(), error)
    return [BotUttered(text=apology_text(), metadata={"utter_action": APOLOGY_ACTION})]


def install() -> None:
    """Patches RemoteAction once per process (importing twice is harmless)."""
    if getattr(RemoteAction, "_forlop_installed", False):
        return
    apology_text()  # read the directory at start-up, not in a resident's turn
    RemoteAction._validate_action_result = _validate_action_result
    RemoteAction.run = _run_with_deadline
    RemoteAction._forlop_installed = True
