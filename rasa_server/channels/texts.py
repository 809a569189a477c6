"""The texts the Rasa server's channels say themselves, read from domain.yml.

The crisis answer and the unsure line are written once, as responses in domain.yml, and the
channels read them from there (for an oversized message, a failure, or the unsure line).
"""
from __future__ import annotations

from functools import lru_cache
from typing import Dict

import yaml

from settings import PROJECT_ROOT

DOMAIN_FILE = PROJECT_ROOT / "domain.yml"


@lru_cache(maxsize=1)
def _responses() -> Dict[str, list]:
    return yaml.safe_load(DOMAIN_FILE.read_text(encoding="utf-8"))["responses"]


def crisis_text() -> str:
    """utter_crisis: 113 and legevakt first."""
    return _responses()["utter_crisis"][0]["text"]


def crisis_hint_text() -> str:
    """utter_crisis_hint: the one line added after a normal answer when the net is unsure."""
    return _responses()["utter_crisis_hint"][0]["text"]
