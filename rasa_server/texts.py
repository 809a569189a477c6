"""The texts the Rasa server says itself, outside the dialogue.

The crisis answer and the unsure line are written once, as responses in domain.yml, and read
from there (for an oversized message, a failure, or the unsure line). The apology when the
action server fails names the first phone number of the contact directory, with the action
server's own wording (actions.replies), so both servers say the same.
"""
from __future__ import annotations

import logging
from functools import lru_cache
from typing import Dict

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
