"""safety.prefilter gives what running every pattern in order gives, only faster."""
from __future__ import annotations

import re

import pytest
import yaml

from evaluation.crisis import crisis_sets
from nlp.normalize import fold, normalize
from safety.context import CONTEXT_FILE
from safety.corpus import training_examples
from safety.patterns import PATTERNS_FILE
from safety.prefilter import PatternSet, needles


# sre's parser moves a common prefix out of an alternation («(drepe|drap)» is «dr(epe|ap)»),
# so the needles are what any match must contain, not always whole words
@pytest.mark.parametrize("pattern, expected", [
    (r"\bta livet\b", {"ta livet"}),
    (r"\b(ta|tok|tatt) livet", {" livet"}),
    (r"(drepe|drap)", {"dr"}),
    (r"(kutte|skjære?) meg", {"kutte", "skjær"}),
    (r"(ta|tok)? ?livet", {"livet"}),
    (r"[0-9]+ piller", {" piller"}),
    (r"(selvmord|suicid)", {"elvmord", "uicid"}),
    (r"\bhopp(e|er)?\b", {"hopp"}),
    (r"(a|b)?c*", None),
    (r"(?i)livet", None),
    (r"^(?=.*(pillene|tablettene))(?=.* i natt)(?!.*jakt)", {"pillene", "tablettene"}),
])
def test_needles_of_a_pattern(pattern, expected):
    found = needles(pattern)
    assert (set(found) if found is not None else None) == expected


def _every_pattern_list():
    crisis = yaml.safe_load(PATTERNS_FILE.read_text(encoding="utf-8"))
    context = yaml.safe_load(CONTEXT_FILE.read_text(encoding="utf-8"))
    lists = {key: crisis.get(key) or [] for key in ("patterns", "clear_patterns", "exclusions")}
    lists["softeners"] = [p for group in context["softeners"].values() for p in group]
    lists.update({key: context.get(key) or [] for key in ("acute_now", "danger_words")})
    return {key: [fold(p) for p in value] for key, value in lists.items()}


def _messages():
    texts = [t for crisis, near in crisis_sets().values() for t in crisis + near]
    texts += [e.text for e in training_examples()]
    return sorted({normalize(t) for t in texts})


MESSAGES = _messages()


@pytest.mark.parametrize("name, sources", sorted(_every_pattern_list().items()))
def test_the_first_match_and_every_removal_are_those_of_running_every_pattern(name, sources):
    assert sources and len(MESSAGES) > 4000
    patterns = PatternSet(sources)
    compiled = [re.compile(s) for s in sources]
    for message in MESSAGES:
        expected = next(((i, m.group(0)) for i, p in enumerate(compiled) for m in [p.search(message)] if m), None)
        found = patterns.first(message)
        assert (found and (found[0], found[1].group(0))) == expected, message
        removed = message
        for pattern in compiled:
            removed = pattern.sub(" ", removed)
        assert patterns.remove_all(message) == removed, message


def test_most_patterns_have_needles():
    sources = _every_pattern_list()["patterns"]
    assert sum(needles(s) is not None for s in sources) >= 0.9 * len(sources)
