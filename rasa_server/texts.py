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


def _in_language(response: str, lang: Optional[str]) -> str:
    """The response's variation for this language (its condition on the `language` slot), else
    the unconditioned (bokmål) one."""
    default = None
    for variation in _responses()[response]:
        conditions = variation.get("condition") or []
        if not conditions:
            default = default or variation["text"]
        elif any(c.get("name") == "language" and c.get("value") == lang for c in conditions):
            return variation["text"]
    return default


def crisis_text(lang: Optional[str] = None) -> str:
    """utter_crisis: 113 and legevakt first."""
    return _in_language("utter_crisis", lang)


def crisis_hint_text(lang: Optional[str] = None) -> str:
    """utter_crisis_hint: the one line added after a normal answer when the net is unsure."""
    return _in_language("utter_crisis_hint", lang)


def message_language(text: Optional[str], metadata: object) -> str:
    """nb, nn or en for a message the server answers itself (before or outside the dialogue)."""
    from rasa_server.nlu.language import language_of, municipality_language

    return language_of(text, metadata) or municipality_language(metadata)


def apology_text(municipality_id: Optional[str] = None, lang: Optional[str] = None) -> str:
    """The apology of this municipality (the default's when none or an unknown one is named)."""
    from municipalities.catalogue import MunicipalityError, load

    try:
        catalogue = load()
    except MunicipalityError as error:
        logger.error("Apology without a phone number: %s", error)
        return _apology_for(None, _known_language(lang))
    return _apology_for((catalogue.get(municipality_id) or catalogue.default).id, _known_language(lang))


def _known_language(lang: Optional[str]) -> str:
    return lang if lang in ("nb", "nn", "en") else "nb"


@lru_cache(maxsize=None)  # one entry per known municipality and language
def _apology_for(municipality_id: Optional[str], lang: str) -> str:
    from actions.replies import apology_reply
    from municipalities.catalogue import load

    contacts = list(load().municipalities[municipality_id].contacts) if municipality_id else []
    return apology_reply(contacts, lang)
