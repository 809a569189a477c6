"""The crisis verdict stored with each user message, as the console reads and shows it.

The channel and the NLU component (safety/verdict.py, rasa_server/nlu/crisis_safety_net.py) write
`parse_data["crisis_verdict"]` = {level, score, pattern, softener, question}. Conversations stored
before that have no verdict: their messages are read as "sure" when the intent is `crisis` and
"none" otherwise, which is what the assistant answered them with at the time. Pure functions,
no Flask, so the summary, the transcript and the marks share one reading.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Iterable, Optional

VERDICT_KEY = "crisis_verdict"
SURE, UNSURE, NONE = "sure", "unsure", "none"
LEVELS = (NONE, UNSURE, SURE)  # in rising order: a conversation has its highest message's level
LEVEL_LABELS = {SURE: "sikker krise", UNSURE: "usikker krise", NONE: "ingen krise"}
# The softening contexts of content/crisis_context.yml; an unknown name is shown as it is
SOFTENER_LABELS = {
    "past": "fortid", "hypothetical": "hypotetisk", "negated": "nektet",
    "meaning": "spør om hva et ord betyr", "fiction": "film, spill, skole eller jobb",
}
CRISIS_INTENT = "crisis"


@dataclass(frozen=True)
class Verdict:
    level: str
    score: Optional[float] = None
    pattern: Optional[str] = None
    softener: Optional[str] = None
    question: Optional[str] = None
    stored: bool = True  # False: no verdict in the message, derived from its intent

    @property
    def flagged(self) -> bool:
        """The resident was shown 113 (crisis text first, or the unsure line)."""
        return self.level != NONE

    @property
    def label(self) -> str:
        return LEVEL_LABELS[self.level]

    @property
    def softener_label(self) -> Optional[str]:
        return SOFTENER_LABELS.get(self.softener, self.softener) if self.softener else None


def _name(value: Any) -> Optional[str]:
    # a pattern is the rule's regular expression, so it can be long: shown whole
    return value if isinstance(value, str) and value else None


def _score(value: Any) -> Optional[float]:
    # bool is an int in Python; NaN and infinity are not probabilities
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    value = float(value)
    return value if 0.0 <= value <= 1.0 else None


def verdict_of(data: Dict[str, Any], intent: Optional[str]) -> Verdict:
    """The verdict of a user event (its JSON `data`); derived from the intent when none is stored."""
    parse = data.get("parse_data") or {}
    stored = parse.get(VERDICT_KEY) if isinstance(parse, dict) else None
    if isinstance(stored, dict) and stored.get("level") in LEVELS:
        return Verdict(level=stored["level"], score=_score(stored.get("score")),
                       pattern=_name(stored.get("pattern")), softener=_name(stored.get("softener")),
                       question=_name(stored.get("question")))
    return Verdict(level=SURE if intent == CRISIS_INTENT else NONE, stored=False)


def highest(levels: Iterable[str]) -> str:
    """The highest of these levels (sure > unsure > none); none for no levels at all."""
    return max(levels, key=LEVELS.index, default=NONE)
