"""Deterministic crisis detection from the curated list in content/crisis_patterns.yml.

Pure logic, no Rasa: used by the NLU component and by the evaluation scripts.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Optional, Sequence

import yaml
from rapidfuzz.distance import DamerauLevenshtein

from nlp.normalize import fold, normalize
from safety.prefilter import PatternSet
from settings import PROJECT_ROOT

PATTERNS_FILE = PROJECT_ROOT / "content" / "crisis_patterns.yml"
MIN_FUZZY_TOKEN_LENGTH = 6  # shorter words collide with everyday words at one typo
LONG_WORD_LENGTH = 10  # from here two typos are still the same word
SHORT_WORD_LENGTH = 2  # «du», «de», «ta», «i»: one typo makes another word


@dataclass(frozen=True)
class CrisisMatch:
    """Why a message was taken as a crisis: the pattern or fuzzy word that fired."""

    rule: str
    matched_text: str
    clear: bool = False  # one of the clear_patterns: sure unless the context softens it


class CrisisDetector:
    def __init__(self, patterns: Sequence[str], exclusions: Sequence[str], fuzzy_words: Sequence[str],
                 fuzzy_phrases: Sequence[str] = (), clear_patterns: Sequence[str] = ()):
        self._clear_sources, self._sources = list(clear_patterns), list(patterns)
        self._clear = PatternSet([fold(p) for p in clear_patterns])
        self._patterns = PatternSet([fold(p) for p in patterns])
        self._exclusions = PatternSet([fold(p) for p in exclusions])
        self._fuzzy_words = [normalize(w) for w in fuzzy_words]
        self._fuzzy_phrases = [normalize(p) for p in fuzzy_phrases]

    @classmethod
    def from_file(cls, path: Path = PATTERNS_FILE) -> "CrisisDetector":
        with open(path, encoding="utf-8") as handle:
            data = yaml.safe_load(handle) or {}
        patterns = data.get("patterns") or []
        if not patterns:
            raise ValueError(f"{path}: 'patterns' must list at least one pattern")
        return cls(patterns, data.get("exclusions") or [], data.get("fuzzy_words") or [],
                   data.get("fuzzy_phrases") or [], data.get("clear_patterns") or [])

    def is_known_harmless(self, text: Optional[str]) -> bool:
        """True when a curated harmless expression ("dødssliten", "dør av latter") is in the text."""
        return self._exclusions.any(normalize(text or ""))

    def detect(self, text: Optional[str]) -> Optional[CrisisMatch]:
        return self.detect_normalized(normalize(text)) if text else None

    def detect_normalized(self, message: str) -> Optional[CrisisMatch]:
        """detect() for a message already through nlp.normalize.normalize."""
        message = self._exclusions.remove_all(message)
        clear = self._clear.first(message)
        if clear:
            return CrisisMatch(rule=self._clear_sources[clear[0]], matched_text=clear[1].group(0), clear=True)
        found = self._patterns.first(message)
        if found:
            return CrisisMatch(rule=self._sources[found[0]], matched_text=found[1].group(0))
        return self._fuzzy(message)

    def _fuzzy(self, message: str) -> Optional[CrisisMatch]:
        tokens = message.split()
        for phrase in self._fuzzy_phrases:
            size = phrase.count(" ") + 1
            allowed = 2 if len(phrase) >= LONG_WORD_LENGTH else 1
            for start in range(len(tokens) - size + 1):
                window = " ".join(tokens[start:start + size])
                if (DamerauLevenshtein.distance(window, phrase, score_cutoff=allowed) <= allowed
                        and _short_words_agree(tokens[start:start + size], phrase.split())):
                    return CrisisMatch(rule=f"fuzzy:{phrase}", matched_text=window)
        for token in tokens:
            if len(token) < MIN_FUZZY_TOKEN_LENGTH:
                continue
            for word in self._fuzzy_words:
                allowed = 2 if len(word) >= LONG_WORD_LENGTH else 1
                if DamerauLevenshtein.distance(token, word, score_cutoff=allowed) <= allowed:
                    return CrisisMatch(rule=f"fuzzy:{word}", matched_text=token)
        return None


def _short_words_agree(window: Sequence[str], phrase: Sequence[str]) -> bool:
    """A typo in a word of one or two letters makes another everyday word («vil dø» and «vil
    du», «ta livet mitt» and «i livet mitt»): such words must be written as in the phrase, or
    with letters added after it («tahh livet mitt»)."""
    return all(w.startswith(p) for w, p in zip(window, phrase) if len(p) <= SHORT_WORD_LENGTH)


@lru_cache(maxsize=1)
def default_detector() -> CrisisDetector:
    return CrisisDetector.from_file()


def is_crisis(text: Optional[str]) -> bool:
    return default_detector().detect(text) is not None

