"""How sure the crisis net is: softening contexts, acute-now words and danger words.

Reads content/crisis_context.yml. A pattern hit in a softening context (told about the past,
hypothetical, negated, a word's meaning, a film or a school task) is answered as *unsure*:
the normal answer plus one line with 113 and 116 117. Words saying it happens now cancel the
softening. Danger words alone give at least the unsure line. Pure: no Rasa imports.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional

import yaml

from nlp.normalize import fold, normalize
from safety.prefilter import PatternSet
from settings import PROJECT_ROOT

CONTEXT_FILE = PROJECT_ROOT / "content" / "crisis_context.yml"


class CrisisContext:
    def __init__(self, softeners: Dict[str, List[str]], acute_now: List[str], danger_words: List[str]) -> None:
        named = [(name, fold(p)) for name, patterns in softeners.items() for p in patterns]
        self._softener_names = [name for name, _ in named]
        self._softeners = PatternSet([p for _, p in named])
        self._acute_now = PatternSet([fold(p) for p in acute_now])
        self._danger_words = PatternSet([fold(p) for p in danger_words])

    @classmethod
    def from_file(cls, path: Path = CONTEXT_FILE) -> "CrisisContext":
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        softeners = data.get("softeners") or {}
        if not isinstance(softeners, dict) or not all(isinstance(v, list) for v in softeners.values()):
            raise ValueError(f"{path}: 'softeners' must map a name to a list of patterns")
        return cls(softeners, data.get("acute_now") or [], data.get("danger_words") or [])

    def softener(self, text: Optional[str]) -> Optional[str]:
        """The name of the first softening context in the text, unless it says it happens now."""
        return self.softener_normalized(normalize(text or ""))

    def has_danger_word(self, text: Optional[str]) -> bool:
        return self.has_danger_word_normalized(normalize(text or ""))

    def softener_normalized(self, message: str) -> Optional[str]:
        if self._acute_now.any(message):
            return None
        found = self._softeners.first(message)
        return self._softener_names[found[0]] if found else None

    def has_danger_word_normalized(self, message: str) -> bool:
        return self._danger_words.any(message)


@lru_cache(maxsize=1)
def default_context() -> CrisisContext:
    return CrisisContext.from_file()
