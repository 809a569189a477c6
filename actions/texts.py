"""The action server's texts in bokmål, nynorsk and English (actions/texts.yml).

`say("nn", "contact_child", who=...)` fills a text's {placeholders}; a language without the text
falls back to bokmål (a missing translation is caught by tests/unit/test_languages.py, not
by residents). Names of Norwegian services and roles stay Norwegian: in English they get the
short gloss from the glossary, «Barne- og familietjenesten (the child and family service)».
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional

import yaml

TEXTS_FILE = Path(__file__).with_name("texts.yml")
LANGUAGES = ("nb", "nn", "en")
DEFAULT = "nb"


@lru_cache(maxsize=1)
def catalogue() -> Dict[str, Dict[str, str]]:
    data = yaml.safe_load(TEXTS_FILE.read_text(encoding="utf-8"))
    return {key: value for key, value in data.items() if key != "glossary"}


@lru_cache(maxsize=1)
def glossary() -> Dict[str, str]:
    return dict(yaml.safe_load(TEXTS_FILE.read_text(encoding="utf-8")).get("glossary") or {})


def language(value: Optional[str]) -> str:
    return value if value in LANGUAGES else DEFAULT


def text(lang: Optional[str], key: str) -> str:
    variants = catalogue()[key]
    return variants.get(language(lang)) or variants[DEFAULT]


def say(lang: Optional[str], key: str, **values: str) -> str:
    return text(lang, key).format(**values)


def words(lang: Optional[str], key: str) -> List[str]:
    """A comma-separated list text (weekdays, months) as a list."""
    return [word.strip() for word in text(lang, key).split(",")]


def name(lang: Optional[str], norwegian: str) -> str:
    """A Norwegian service or role name, with its English gloss in English when there is one."""
    if language(lang) != "en":
        return norwegian
    gloss = glossary().get(norwegian) or glossary().get(norwegian[:1].upper() + norwegian[1:])
    return f"{norwegian} ({gloss})" if gloss else norwegian
