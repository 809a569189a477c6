"""The crisis verdict: sure, unsure or none, from the patterns and the classifier together.

- sure: 113 and legevakt 116 117 first, in any state. Needs strong evidence: a clear
  first-person pattern, or another pattern the classifier does not contradict, outside a
  softening context; or a high classifier score.
- unsure: the normal answer, then one line with 113 and 116 117. Anything either detector
  flags at all (a pattern, a middling score, a danger word): a miss needs all of them to miss.
- none: the normal answer.

The verdict is computed once per message (by the channel, before the admission gate) and
travels with the message, so the NLU component and the review console read the same verdict
and its reasons. The thresholds were chosen on the tuning set only (docs/crisis-detection.md).
Pure: no Rasa imports.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Dict, Optional

from nlp.normalize import normalize
from safety.classifier import WINDOW_WORDS

SURE, UNSURE, NONE = "sure", "unsure", "none"
LEVELS = (NONE, UNSURE, SURE)
# Where the verdict travels: the message's metadata (channel -> NLU), then its parse data
# (stored, read by the review console and action_answer_after_crisis)
VERDICT_KEY = "crisis_verdict"



@dataclass(frozen=True)
class Thresholds:
    """Classifier scores that grade the verdict."""

    sure: float  # the classifier alone makes a crisis sure from here
    sure_softened: float  # ... and in a softening context (past, hypothetical, ...) from here
    unsure: float  # the classifier alone adds the 113 line from here
    pattern_veto: float  # a pattern hit the classifier scores below this is only unsure


# Chosen on safety/corpus/tune/ only (`python -m evaluation.crisis --tune`), never on a blind set
THRESHOLDS = Thresholds(sure=0.80, sure_softened=0.95, unsure=0.30, pattern_veto=0.20)


@dataclass(frozen=True)
class CrisisVerdict:
    level: str
    score: Optional[float] = None  # the classifier's crisis probability
    pattern: Optional[str] = None  # the pattern rule that fired
    matched: Optional[str] = None  # the text it matched
    softener: Optional[str] = None  # the softening context that kept a pattern hit unsure
    question: Optional[str] = None  # set by the NLU: the question answered after a sure crisis

    @property
    def sure(self) -> bool:
        return self.level == SURE

    @property
    def flagged(self) -> bool:
        """The resident sees 113 (first, or in the unsure line)."""
        return self.level != NONE

    def as_dict(self) -> Dict[str, Any]:
        """Every field, the score rounded (it is stored with the message)."""
        # by hand: dataclasses.asdict deep-copies, and this runs twice for every message
        return {"level": self.level, "score": None if self.score is None else round(self.score, 4),
                "pattern": self.pattern, "matched": self.matched, "softener": self.softener,
                "question": self.question}

    @classmethod
    def from_dict(cls, data: Any) -> Optional["CrisisVerdict"]:
        """A verdict passed along with a message; None when it is not one."""
        if not isinstance(data, dict) or data.get("level") not in LEVELS:
            return None
        score = data.get("score")
        return cls(level=data["level"], score=float(score) if isinstance(score, (int, float)) else None,
                   pattern=_text(data.get("pattern")), matched=_text(data.get("matched")),
                   softener=_text(data.get("softener")), question=_text(data.get("question")))


def _text(value: Any) -> Optional[str]:
    return value if isinstance(value, str) else None


def combine(pattern: Optional[str], matched: Optional[str], softener: Optional[str], score: float,
            danger_word: bool, thresholds: Thresholds = THRESHOLDS, clear: bool = False) -> CrisisVerdict:
    """The graded verdict from what each layer found (pure; assess() gathers the inputs)."""
    return grade(pattern, matched, score, lambda: softener, lambda: danger_word, thresholds, clear)


def grade(pattern: Optional[str], matched: Optional[str], score: float, softener: Callable[[], Optional[str]],
          danger_word: Callable[[], bool], thresholds: Thresholds = THRESHOLDS, clear: bool = False) -> CrisisVerdict:
    """combine() asking for the context only where it changes the verdict: most messages need
    neither the softening contexts nor the danger words. A clear pattern (a first-person
    statement such as «jeg vil dø») is sure whatever the classifier says, unless softened."""
    found = dict(score=score, pattern=pattern, matched=matched)
    context = softener() if pattern or score >= thresholds.sure else None
    if pattern and not context and (clear or score >= thresholds.pattern_veto):
        return CrisisVerdict(SURE, **found)
    if score >= (thresholds.sure_softened if context else thresholds.sure):
        return CrisisVerdict(SURE, **found, softener=context)
    if pattern or score >= thresholds.unsure or danger_word():
        return CrisisVerdict(UNSURE, **found, softener=context)
    return CrisisVerdict(NONE, **found)


class CrisisAssessor:
    """Runs the three layers on a message: patterns, context and classifier. In a text longer
    than the corpus' messages (WINDOW_WORDS) every pattern counts as clear: the classifier
    never saw such texts, so it may not overrule a pattern there."""

    def __init__(self, detector=None, context=None, classifier=None) -> None:
        from safety.classifier import default_classifier
        from safety.context import default_context
        from safety.patterns import default_detector

        self.detector = detector or default_detector()
        self.context = context or default_context()
        self.classifier = classifier or default_classifier()

    def assess(self, text: Optional[str]) -> CrisisVerdict:
        message = normalize(text or "")
        if not message:
            return CrisisVerdict(NONE, score=0.0)
        match = self.detector.detect_normalized(message)
        return grade(match.rule if match else None, match.matched_text if match else None,
                     self.classifier.score_normalized(message),
                     lambda: self.context.softener_normalized(message),
                     lambda: self.context.has_danger_word_normalized(message),
                     clear=bool(match and (match.clear or len(message.split()) > WINDOW_WORDS)))


_assessor: Optional[CrisisAssessor] = None


def default_assessor() -> CrisisAssessor:
    """The process's assessor, built on first use (loads the trained classifier)."""
    global _assessor
    if _assessor is None:
        _assessor = CrisisAssessor()
    return _assessor


def assess(text: Optional[str]) -> CrisisVerdict:
    return default_assessor().assess(text)
