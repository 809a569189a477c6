"""Who an English message is about: «my son is 15», «I'm 40», «my 16 year old», «my husband».

The English counterpart of actions/age.py, much smaller: residents who write English name
ages with digits and a handful of phrasings. Same rules: someone else named with an age
decides over the writer's own age, a relative without an age leaves it open (ask), and 17 is
a child, 18 an adult. Pure: no Rasa.
"""
from __future__ import annotations

import re
from typing import List, Optional, Tuple

from actions.age import ADULT, CHILD, Person, audience_for_span

_OTHERS = (r"son|daughter|child|kid|boy|girl|teen|teenager|brother|sister|friend|husband|wife|partner|"
           r"mother|mum|mom|father|dad|grandson|granddaughter|nephew|niece|stepson|stepdaughter|student|"
           r"pupil|cousin|boyfriend|girlfriend")
_OTHER_WITH_AGE = re.compile(
    rf"\b(?:{_OTHERS})s?\b(?:\s*\(|,?\s+(?:who\s+is|who's|is|was|turned|turning|just\s+turned|aged?|of)?)\s*(\d{{1,2}})\b")
_AGE_BEFORE_OTHER = re.compile(rf"\b(\d{{1,2}})\s*(?:-|\s)?\s*(?:years?|yrs?|y)\s*(?:-|\s)?\s*old\s+(?:{_OTHERS})\b")
_OTHER_YEAR_OLD = re.compile(rf"\b(?:my|our|a|her|his)\s+(\d{{1,2}})\s*(?:-|\s)?\s*(?:years?|yrs?|y)?\s*(?:-|\s)?\s*old\b")
_SELF_AGE = re.compile(r"\b(?:i\s+am|i'm|im|i\s+m|i\s+turned|i\s+just\s+turned)\s+(?:only\s+|just\s+|almost\s+)?(\d{1,2})\b")
_SELF_YEARS = re.compile(r"\bi\b[^.?!]{0,12}\b(\d{1,2})\s*(?:years?|yrs?|y/o|yo)\b")
_UNDER_18 = re.compile(r"\b(?:under\s*18|under\s+eighteen|underage|under\s+age|minor)\b")
_OVER_18 = re.compile(r"\b(?:over\s*18|18\s+or\s+older|18\+|adult)\b")
_CHILD_WORDS = re.compile(r"\b(?:teenager|teenagers|teen|teens|kid|kids|child|children|toddler|baby|"
                          r"(?:middle|high|secondary|primary|elementary)\s+school|\d{1,2}(?:th|st|nd|rd)\s+grade)\b")
_ADULT_WORDS = re.compile(r"\b(?:husband|wife|partner|mother|mum|mom|father|dad|parents|grandmother|grandfather|"
                          r"grandma|grandpa|retired|pensioner|colleague)\b")
# someone whose age is open: a son may be 8 or 38 (adult relatives are _ADULT_WORDS)
_FAMILY_OTHER = re.compile(r"\b(?:son|daughter|brother|sister|friend|boy|girl|cousin|grandson|granddaughter|"
                           r"nephew|niece|stepson|stepdaughter|student|pupil|boyfriend|girlfriend)s?\b")
_SELF_WORDS = re.compile(r"\b(?:myself|about me|it's me|its me|it is me)\b")  # not «for me»: nynorsk «me» is «we»


def _claims(text: str) -> Tuple[List[int], List[int]]:
    """(ages of someone else, the writer's own ages) in the order they are written."""
    others = [int(m.group(1)) for pattern in (_OTHER_WITH_AGE, _AGE_BEFORE_OTHER, _OTHER_YEAR_OLD)
              for m in pattern.finditer(text)]
    own = [int(m.group(1)) for pattern in (_SELF_AGE, _SELF_YEARS) for m in pattern.finditer(text)]
    return others, own


def read_person_en(text: Optional[str]) -> Person:
    if not text:
        return Person(None, None, False)
    lowered = text.lower()
    about_self = bool(_SELF_WORDS.search(lowered))
    others, own = _claims(lowered)
    if others:  # «I'm 45 and my son is 15»: the son decides
        return Person(others[-1], audience_for_span(others[-1], others[-1]), False)
    if own:
        return Person(own[-1], audience_for_span(own[-1], own[-1]), True)
    if _UNDER_18.search(lowered):
        return Person(None, CHILD, about_self)
    if _OVER_18.search(lowered):
        return Person(None, ADULT, about_self)
    if _CHILD_WORDS.search(lowered):
        return Person(None, CHILD, False)
    family = _FAMILY_OTHER.search(lowered)
    if _ADULT_WORDS.search(lowered) and not family:
        return Person(None, ADULT, False)
    if family:
        return Person(None, None, False)  # «my son is struggling»: ask
    return Person(None, None, about_self)
