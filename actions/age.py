"""Reads who needs help, and how old they are, from what people write.

Pure logic, no Rasa. "jeg er 17", "sønnen min på 14", "16 år", "dottera mi på 9",
"tenåring", "barnet mitt", "mannen min", "eleven min", "det gjelder meg".
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from nlp.normalize import fold, normalize

def _compile(pattern: str) -> "re.Pattern[str]":
    """Patterns are folded like messages (æ->ae, ø->o, oe->o ...), so write them in plain Norwegian."""
    return re.compile(fold(pattern))


ADULT_AGE = 18  # 17 is a child, 18 an adult
MAX_PLAUSIBLE_AGE = 110

CHILD = "child"
ADULT = "adult"

_NUM = r"(\d{1,3})"
_SELF = r"(?:jeg|eg|je|ae|i|jei|jæ)"
_AGE_PATTERNS = [
    _compile(rf"\b{_SELF} (?:er|e|ar|va|blir|fyller|har fylt|fylte)(?: bare| snart| nesten| akkurat)? {_NUM}\b(?! (?:kg|kilo|cm|min|minutter|timer|dager|uker|mnd|maneder|kr|prosent))"),
    _compile(rf"\b{_NUM} ?(?:ar|aar|arig|aring|arin|arige)\b"),
    _compile(rf"\b(?:pa|paa|paa) {_NUM}\b"),
    _compile(rf"\b(?:alder|alderen|age)(?: er)? {_NUM}\b"),
    _compile(rf"\b(?:han|hun|ho|hu|den|hen|vedkommende|barnet|gutten|jenta|sonnen|dattera|datteren|sonen|sonn|datter|dotter|dottera|eleven)(?: min| mi| mitt| var| vart)? (?:er|e|ar|har blitt|blir) {_NUM}\b"),
]
_RANGE_CHILD = _compile(r"\b(?:under|yngre enn|mindre enn) 18(?: ar)?\b|\bikke fylt 18(?: ar)?\b|\bunder atten\b")
_RANGE_ADULT = _compile(r"\b(?:over|eldre enn|fylt) 18(?: ar)?\b|\b18 (?:ar )?(?:eller|el) (?:eldre|mer|over)\b|\bover atten\b")

_CHILD_WORDS = _compile(
    r"\b(?:barn|barnet|barnet mitt|borna|barna|ungen|ungdom|ungdommen|ungdommer|tenaring\w*|"
    r"elev|eleven|elevane|elevene|elever|gutten min|jenta mi|jenta mitt|"
    r"guten min|jentungen|smabarn|barneskole|ungdomsskole|ungdomsskolen|videregaende|vgs|"
    r"mindrearig|ungdomsskoleelev|skoleelev|baby|bebis|vesla|veslegutten|gutungen)\b"
)
_ADULT_WORDS = _compile(
    r"\b(?:voksen|vaksen|voksne|vaksne|mannen min|kona mi|kona|kone|kjerringa|gubben|ektemann|"
    r"ektefelle|samboer\w*|sambuar\w*|mora mi|moren min|mor mi|faren min|far min|"
    r"pappa|mamma|foreldre|foreldra|besteforelder|bestemor|bestefar|pensjonist|kollega|kollegaen|"
    r"broren min er voksen|voksent)\b"
)
# Family words that say nothing about age on their own ("sønnen min" may be 40)
_FAMILY_OTHER = _compile(r"\b(?:sonn|sonnen|son|sonen|datter|dattera|datteren|dotter|dottera|bror|broren|soster|syster|niese|nevo|barnebarn|venn|venninne|kjaereste)\b")
# Explicitly about the writer; "jeg trenger hjelp" alone is not (a 15-year-old writes that too)
_SELF_WORDS = _compile(r"\b(?:gjelder meg|gjeld meg|meg selv|meg sjol|meg sjolv|det er meg|til meg selv)\b")
# The resident's own age when they talk about someone else ("jeg er 45 og sønnen min er 15")
_OTHER_PERSON = _compile(r"\b(?:sonn|sonnen|son|sonen|datter|dattera|datteren|dotter|dottera|barnet|gutten|jenta|eleven|han|hun|ho)\b")


@dataclass(frozen=True)
class Person:
    age: Optional[int]
    audience: Optional[str]  # CHILD, ADULT or None when the text does not say
    about_self: bool

    @property
    def known(self) -> bool:
        return self.audience is not None


def audience_for_age(age: int) -> str:
    return CHILD if age < ADULT_AGE else ADULT


def _ages(text: str) -> list[tuple[int, int]]:
    """(position, age) of every plausible age mention."""
    found = []
    for pattern in _AGE_PATTERNS:
        for match in pattern.finditer(text):
            age = int(match.group(1))
            if 0 < age <= MAX_PLAUSIBLE_AGE:
                found.append((match.start(), age))
    return sorted(found)


def read_person(text: Optional[str]) -> Person:
    """Who the message is about. audience is None when it stays unclear (ask, don't guess)."""
    if not text:
        return Person(None, None, False)
    norm = normalize(text)
    about_self = bool(_SELF_WORDS.search(norm))
    range_child, range_adult = _RANGE_CHILD.search(norm), _RANGE_ADULT.search(norm)
    # "under 18 år" is a range, not someone who is 18
    ages = _ages(_RANGE_ADULT.sub(" ", _RANGE_CHILD.sub(" ", norm)))
    if ages:
        # "jeg er 45 og sønnen min er 15": the person who needs help is the other one
        if len(ages) > 1 and _OTHER_PERSON.search(norm):
            self_ages = {age for pos, age in ages if re.match(rf"{_SELF} ", norm[pos:])}
            others = [age for _, age in ages if age not in self_ages]
            age = others[-1] if others else ages[-1][1]
        else:
            age = ages[-1][1]  # the latest mention wins ("unnskyld, jeg er 30")
        return Person(age, audience_for_age(age), about_self)
    if range_child:
        return Person(None, CHILD, about_self)
    if range_adult:
        return Person(None, ADULT, about_self)
    child = _CHILD_WORDS.search(norm)
    adult = _ADULT_WORDS.search(norm)
    if child and not adult:
        return Person(None, CHILD, about_self)
    if adult and not child:
        return Person(None, ADULT, about_self)
    if child and adult:
        # "mamma til en tenåring": the child is who the help is for
        return Person(None, CHILD, about_self)
    if _FAMILY_OTHER.search(norm):
        return Person(None, None, False)
    return Person(None, None, about_self)
