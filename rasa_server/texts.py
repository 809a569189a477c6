"""The texts the Rasa server says itself, outside the dialogue.

The crisis answer and the unsure line are written once, as responses in domain.yml, and read
from there (for an oversized message, a failure, or the unsure line). The apology when the
action server fails names the first phone number of the conversation's municipality's contact
directory, with the action server's own wording (actions.replies), so both servers say the same.
"""
from __future__ import annotations

import logging
from functools import lru_cache
from typing import Dict, Optional

import yaml

from settings import PROJECT_ROOT

DOMAIN_FILE = PROJECT_ROOT / "domain.yml"
logger = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def _responses() -> Dict[str, list]:
    return yaml.safe_load(DOMAIN_FILE.read_text(encoding="utf-8"))["responses"]


def crisis_text() -> str:
    """utter_crisis: 113 and legevakt first."""
    return _responses()["utter_crisis"][0]["text"]


def crisis_hint_text() -> str:
    """utter_crisis_hint: the one line added after a normal answer when the net is unsure."""
    return _responses()["utter_crisis_hint"][0]["text"]


def apology_text(municipality_id: Optional[str] = None) -> str:
    """The apology of this municipality (the default's when none or an unknown one is named)."""
    from municipalities.catalogue import MunicipalityError, load

    try:
        catalogue = load()
    except MunicipalityError as error:
        logger.error("Apology without a phone number: %s", error)
        return _apology_for(None)
    return _apology_for((catalogue.get(municipality_id) or catalogue.default).id)


@lru_cache(maxsize=None)  # one entry per known municipality
def _apology_for(municipality_id: Optional[str]) -> str:
    from actions.replies import apology_reply
    from municipalities.catalogue import load

    contacts = list(load().municipalities[municipality_id].contacts) if municipality_id else []
    return apology_reply(contacts)
