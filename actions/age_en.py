"""Who an English message is about: «my son is 15», «I'm 40», «my 16 year old», «my husband».

The English counterpart of actions/age.py, much smaller: residents who write English name
ages with digits, number words («fifteen») and a handful of phrasings. Same rules: someone else
named with an age decides over the writer's own age, a relative without an age leaves it open
(ask), a birthday ahead counts one year less («turns 18 in May», «almost 18» are 17), and 17 is
a child, 18 an adult. Pure: no Rasa.
"""
from __future__ import annotations

import re
from typing import List, Optional, Tuple

from actions.age import ADULT, CHILD, MAX_PLAUSIBLE_AGE, WORKPLACE, Person, audience_for_span

# «one» is left out: «I am one of ...», «my son is the one who ...» are no ages
_UNITS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9}
_TEENS = {"ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
          "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
         "eighty": 80, "ninety": 90}
_ONES_AFTER_TENS = {**_UNITS, "one": 1}
_NUMBER_WORD = re.compile(
    rf"\b(?:(?P<tens>{'|'.join(_TENS)})(?:[\s-]?(?P<ones>{'|'.join(_ONES_AFTER_TENS)}))?"
    rf"|(?P<teen>{'|'.join(_TEENS)})|(?P<unit>{'|'.join(_UNITS)}))\b")


def _digits(text: str) -> str:
    def value(m: re.Match) -> str:
        if m.group("tens"):
            return str(_TENS[m.group("tens")] + _ONES_AFTER_TENS.get(m.group("ones") or "", 0))
        return str(_TEENS.get(m.group("teen") or "") or _UNITS[m.group("unit")])
    return _NUMBER_WORD.sub(value, text)


_OTHERS = (r"son|daughter|child|kid|boy|girl|teen|teenager|brother|sister|friend|husband|wife|partner|"
           r"mother|mum|mom|father|dad|grandson|granddaughter|grandchild|grandkid|nephew|niece|"
           r"(?:step|foster)(?:son|daughter|child|kid)|student|pupil|cousin|boyfriend|girlfriend|"
           r"client|patient|tenant|flatmate|roommate|neighbou?r|twins?|mate|buddy|pal|bestie|"
           r"grand-?dad|grandpa|grandma|grandmother|grandfather|granny|nan|nana|aunt|auntie|uncle|"
           r"step(?:dad|mum|mom|father|mother)|colleague|co-?worker|employee|classmate|teammate|"
           r"woman|lady|guy|player|member|resident")  # «a woman about 35» (routing set 12); not «man» (Norwegian «one»)
_AGE = r"(\d{1,3})\b(?!\s*(?:%|kg|km|cm|min|minutes|hours|days|weeks|months|times|pills|tablets|kr|nok))"
# «my son is 15», «a pupil of mine is 14», «my niece, aged 11», «my friend (19)»
_OTHER_WITH_AGE = re.compile(
    rf"\b(?:{_OTHERS})s?\b(?:\s+of\s+(?:mine|ours|hers|his))?"
    rf"(?:\s*\(|,?\s+(?:who\s+is|who's|is|are|was|'s|turned|just\s+turned|has\s+just\s+turned|aged?|of)?)"
    rf"\s*(?:only\s+|just\s+|(?:about|around|roughly|approximately|maybe|probably)\s+(?=(?:1[0-5]|[2-9]\d?)\b))?{_AGE}")  # «about 35»; «about 17» asks
# «my son turns 18 in May», «she is almost 18», «my daughter will be 18 soon»
_OTHER_SOON = re.compile(
    rf"\b(?:{_OTHERS})s?\b(?:\s+of\s+(?:mine|ours))?,?\s+(?:who\s+)?(?:is\s+|'s\s+)?"
    rf"(?:turning|turns|will\s+turn|will\s+be|almost|nearly)\s+{_AGE}")
_AGE_BEFORE_OTHER = re.compile(rf"\b(\d{{1,2}})\s*(?:-|\s)?\s*(?:years?|yrs?|y)\s*(?:-|\s)?\s*old\s+(?:{_OTHERS})\b")
# «my nephew, he's 11», «my twins, they're twelve»: a pronoun after someone was named
_PRONOUN_AGE = re.compile(rf"\b(?:he|she|they)(?:'s|'re|\s+is|\s+are|\s+turned|\s+just\s+turned|\s+has\s+(?:just\s+)?turned)\s+"
                          rf"(?:only\s+|just\s+|(?:around|about|maybe|probably|roughly|like)\s+(?=(?:1[0-5]|[2-9])\b))?{_AGE}")  # «around 10»; «around 17» asks
# «she's 17 – sorry, 19», «I mean 16»: a correction repeats the last claim with a new age
_CORRECTION = re.compile(rf"\b(?:sorry|i\s+mean|i\s+meant|correction|oops|no)\s*[,:]?\s+(?:she's\s+|he's\s+|i'm\s+)?{_AGE}")
_OTHER_YEAR_OLD = re.compile(r"\b(?:my|our|a|the|her|his|their)\s+(\d{1,2})\s*(?:-|\s)?\s*(?:(?:years?|yrs?|y)?\s*(?:-|\s)?\s*old\b"
                             r"|(?:yo|y/o|y\.o\.?)(?=\W|$))")  # «my 15yo's room», «our 8 y/o»
# «The boy living with us is 10»: a few words between the person and the age
_OTHER_LATER = re.compile(rf"\b(?:the|our|my)\s+(?:boy|girl|child|kid|son|daughter|teen|teenager)\b[^.?!,]{{1,30}}?\b(?:is|turned)\s+{_AGE}")
# «my son have 11 years» (a Polish or Ukrainian way to say it)
_OTHER_HAS_YEARS = re.compile(rf"\b(?:{_OTHERS})s?\s+(?:have|has|having)\s+{_AGE}\s*(?:years?|yrs?)\b")
# «a team of 16 year olds», «we're both 14» (a young writer about a friend of the same age)
_GROUP_AGE = re.compile(r"\b(\d{1,2})[\s-]*(?:years?|yrs?)[\s-]*olds\b|\b(?:we're|we\s+are|they're|they\s+are)\s+(?:both\s+|all\s+)?(\d{1,2})\b")  # «they are all 13»
_SELF_AGE = re.compile(rf"(?:\b(?:i\s+am|i'm|im|i\s+m|i\s+turned|i\s+just\s+turned|i\s+have\s+just\s+turned)"
                       rf"|(?:^|[.!?]\s+)(?:just\s+)?turned)\s+"
                       rf"(?:only\s+|just\s+|already\s+|actually\s+|now\s+)?{_AGE}")
_SELF_SOON = re.compile(rf"\b(?:(?:i\s+am|i'm|im|i\s+m)\s+(?:almost|nearly|turning)|i\s+turn|i\s+will\s+turn|"
                        rf"i\s+will\s+be|i'll\s+be)\s+{_AGE}")
# «she just had her 18th birthday», «his 17th birthday is in May» (had: that age now)
_BIRTHDAY_HAD = re.compile(r"\b(?:had|celebrated)\s+(?:her|his|their|my)\s+(\d{1,3})(?:th|st|nd|rd)\s+birthday\b")
_SELF_YEARS = re.compile(r"\bi\b[^.?!]{0,12}\b(\d{1,2})\s*(?:years?|yrs?|y/o|yo)\b")
# «42 here», «Hi, 35F, ...», «16 y/o girl, anxiety»: an age that opens the message or a clause
_AGE_OPENS = re.compile(r"(?:^|^(?:hi|hello|hey)[,!.]?\s+|[.!?]\s+)(\d{1,2})\s*(?:here\b|[mf]\b|y/?o\b|yo\b|years?\s+old\b)")
# «in his fifties», «in her 40s»: an adult; «in her teens» straddles 18 and asks
_DECADE = re.compile(r"\b(?:in\s+(?:his|her|their|my)?\s*(?:early\s+|mid\s+|late\s+)?|(?:early|mid|late)[\s-]*)"
                     r"(?:twenties|thirties|forties|fifties|sixties|seventies|eighties|nineties|[2-9]0s|[2-9]0's)\b")  # «mid-twenties»
# «under 18», and a youth team or age group: «a girls under-14 football team» (routing set 11)
_UNDER_18 = re.compile(r"\b(?:under\s*18|underage|under\s+age|minor|under[\s-]?(?:1[0-7]|[6-9])\b(?!\s*(?:hours|minutes|kg|kilos|kr|nok|percent|%|weeks|days|months)))\b")
_OVER_18 = re.compile(r"\b(?:over\s*18|18\s+or\s+older|18\+|adult|(?:contact|contact person|coordinator|caseworker|saksbehandler) for adults)\b")  # «the contact person for adults»
_CHILD_WORDS = re.compile(r"\b(?:(?<!my )(?<!our )(?<!'s )kid|kids|(?<!my )(?<!our )(?<!'s )child|children|toddler|baby|"
                          r"(?:kindergarten|nursery|preschool|pre-school|daycare|barnehage|barnehagen)|"
                          r"øvelseskjøring|ovelseskjoring|learner'?s permit|moped licen[cs]e|mopedlappen|"  # driving practice: 16-17
                          r"[jgu]-?(?:1[0-6]|[6-9])|"  # a youth team: «a coach for J12»
                          r"(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth)\s+(?:grade|class)|"
                          r"(?:[1-9]|10)(?:th|st|nd|rd)[\s-]+grader|(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth)[\s-]+grader|"
                          r"(?:middle|junior\s+high|(?<!upper )secondary|primary|elementary)\s+school|"
                          r"(?:[1-9]|10)(?:th|st|nd|rd)\s+grade|(?:grade|year)\s+(?:[1-9]|10)\b|"
                          r"(?:[1-9]|10)(?:th|st|nd|rd)\s+class)\b")
# «my parents say I need help»: a parent speaks about the writer, who is the one concerned
_PARENT_SAYS = re.compile(r"\b(?:my\s+)?(?:mum|mom|mother|dad|father|parents)\s+(?:says?|think|thinks|want|wants)\s+(?:that\s+)?(?:i|me)\b")
_ADULT_WORDS = re.compile(r"\b(?:husband|wife|(?:brother|sister|father|mother|son|daughter)-in-law|in-laws|mother|mum|mom|father|dad|parents|grandmother|grandfather|"
                          r"grandma|grandpa|grand-?dad|granny|aunt|auntie|uncle|step(?:dad|mum|mom|father|mother)|retired|pensioner|colleague)\b")
# words that make an adult of whoever they describe: «my neighbour, a retired old man» (as age.py's)
_ADULT_WHOEVER = re.compile(r"\b(?:retired|pensioner|elderly|senior citizen|old (?:man|woman|lady|guy|gentleman|chap)|veteran|"
                            r"master'?s(?: degree| student)?|master student|phd|ph\.d|doctorate|"  # degrees and service after 18
                            r"military service|national service|conscription|førstegangstjeneste|in the army|"
                            r"university|uni|college|uio|uib|ntnu|usn|oslomet|bachelor'?s?(?: degree)?|"
                            r"høgskole\w*|høyskole\w*|hogskole\w*|hoyskole\w*|driver'?s licen[cs]e|driving licen[cs]e|førerkort\w*|"
                            r"(?:his|her|their) own (?:flat|apartment|place)|"
                            r"student housing|lectures)(?!\w)")
# someone whose age is open: a son may be 8 or 38 (adult relatives are _ADULT_WORDS)
_FAMILY_OTHER = re.compile(r"\b(?:son|daughter|brother|sister|friend|boy|girl|cousin|grandson|granddaughter|"
                           r"grandchild|grandkid|nephew|niece|(?:step|foster)(?:son|daughter|child|kid)|student|"
                           r"pupil|client|patient|tenant|flatmate|roommate|neighbou?r|boyfriend|girlfriend|twins|mate|buddy|pal|bestie|"
                           r"teen|teenager|teens|teenagers|"  # 13 to 19: blind authors asked
                           r"partner|"  # a partner may be 17 or 40: the authors of behaviour sets 9 and 11 asked
                           r"(?<=my )(?:kid|child)|(?<=our )(?:kid|child)|(?<='s )(?:kid|child))s?\b")  # «my partner's kid»
_SELF_WORDS = re.compile(r"\b(?:myself|about me|it's me|its me|it is me)\b")  # not «for me»: nynorsk «me» is «we»


def _found(patterns, text: str, less: int) -> List[Tuple[int, int]]:
    return [(m.start(), int(next(g for g in m.groups() if g)) - less)
            for pattern in patterns for m in pattern.finditer(text)]


def _claims(text: str) -> Tuple[List[int], List[int]]:
    """(ages of someone else, the writer's own ages), each in the order they are written."""
    soon_others = _found([_OTHER_SOON], text, 1)  # a birthday ahead: one year younger now
    others = _not_at(_found([_OTHER_WITH_AGE], text, 0), soon_others) + soon_others
    others += _found([_AGE_BEFORE_OTHER, _OTHER_YEAR_OLD, _BIRTHDAY_HAD, _GROUP_AGE, _OTHER_HAS_YEARS], text, 0)
    others += _not_at(_found([_OTHER_LATER], text, 0), others)
    if (_FAMILY_OTHER.search(text) or _ADULT_WORDS.search(text) or _CHILD_WORDS.search(text)
            or re.match(r"\s*(?:she|he|they)\b", text)):  # «She's 17», answering «who is it for?»
        others += _found([_PRONOUN_AGE], text, 0)
    own_soon = _found([_SELF_SOON], text, 1)
    own = own_soon + _not_at(_found([_SELF_AGE, _SELF_YEARS, _AGE_OPENS], text, 0), own_soon)
    for start, age in _found([_CORRECTION], text, 0):  # belongs to whoever was named last
        (others if others and (not own or max(others)[0] > max(own)[0]) else own).append((start, age))
    return _plausible(others), _plausible(own)


def _not_at(claims: List[Tuple[int, int]], taken: List[Tuple[int, int]]) -> List[Tuple[int, int]]:
    """Claims not read already at the same place by another pattern."""
    starts = {start for start, _ in taken}
    return [claim for claim in claims if claim[0] not in starts]


def _plausible(claims: List[Tuple[int, int]]) -> List[int]:
    return [age for _, age in sorted(claims) if 0 < age <= MAX_PLAUSIBLE_AGE]


_TOGETHER_FOR = re.compile(r"\b(partner|wife|husband|girlfriend|boyfriend|spouse|fiancée?|friend|colleague|boss) of \d+ years\b")
# «I've been drinking for 20 years»: fifteen years or more of anything is an adult's
_YEARS_OF_IT = re.compile(r"\bfor (?:1[5-9]|[2-9]\d|fifteen|twenty|thirty|forty) years\b")


def read_person_en(text: Optional[str]) -> Person:
    if not text:
        return Person(None, None, False)
    lowered = _PARENT_SAYS.sub(" ", _digits(text.lower().replace("’", "'")))
    lowered = WORKPLACE.sub(" ", lowered)  # «I work at a kindergarten»: no child
    lowered = re.sub(r"\b(she|he)s (\d)", r"\1's \2", lowered)  # «shes 11»
    lowered = _TOGETHER_FOR.sub(r"\1, an adult,", lowered)  # «my partner of 12 years»: no 12-year-old, and grown up
    about_self = bool(_SELF_WORDS.search(lowered))
    others, own = _claims(lowered)
    if others:  # «I'm 45 and my son is 15»: the son decides
        return Person(others[-1], audience_for_span(others[-1], others[-1]), False)
    decade = _DECADE.search(lowered)
    if own and decade and (_ADULT_WORDS.search(lowered) or _FAMILY_OTHER.search(lowered)):
        return Person(None, ADULT, False)  # «my grandma is in her 80s ... I'm 16»: the grandma
    if own:
        return Person(own[-1], audience_for_span(own[-1], own[-1]), True)
    if decade or _YEARS_OF_IT.search(lowered):
        return Person(None, ADULT, about_self)
    if _UNDER_18.search(lowered):
        return Person(None, CHILD, about_self)
    if _OVER_18.search(lowered):
        return Person(None, ADULT, about_self)
    if _CHILD_WORDS.search(lowered):
        return Person(None, CHILD, False)
    family = _FAMILY_OTHER.search(lowered)
    if (_ADULT_WORDS.search(lowered) and not family) or _ADULT_WHOEVER.search(lowered):  # «my neighbour is retired»
        return Person(None, ADULT, False)
    if family:
        return Person(None, None, False)  # «my son is struggling»: ask
    return Person(None, None, about_self)
