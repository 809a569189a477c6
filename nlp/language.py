"""Is a message written in English? For answering a resident in the language they write.

Two steps, measured in docs/languages.md:
1. Function words that only one of the two languages uses vote («what», «my», «want» against
   «jeg», «kva», «ikkje», «er»): Norwegian wins with one more vote, English with two (a
   single «help» or «thanks» in Norwegian chat does not switch the answers to English). Short chat is mostly
   function words, and this is where a statistical detector is weakest («i want to kill
   myself» came out Danish, «vi sees» English).
2. A tie (no such word, or as many of each) goes to lingua (`lingua-language-detector`,
   offline, no dependencies) in its low-accuracy mode, restricted to English and the
   Scandinavian languages (0.04 ms and 18 MB per process; high-accuracy mode costs 107–204 MB),
   and only a clear answer counts.
Short greetings («hey», «ok», «hmm») say nothing: the caller keeps the language it had.

Only English against Norwegian is decided here: bokmål or nynorsk is the municipality's målform,
or the resident's own choice in the widget, not a guess from the text.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Optional

ENGLISH = "en"
NORWEGIAN = "no"
MIN_CONFIDENCE = 0.9  # lingua alone decides only when it is this sure
ENGLISH_MARGIN = 2  # English words more than Norwegian ones before the answer switches to English
MIN_LETTERS = 6  # «hmm», «ok»: too short to tell
MIN_WORDS_FOR_LINGUA = 3  # one English word and no Norwegian one: lingua decides from three words on
# Words only Norwegian (bokmål, nynorsk, dialect, without æøå) uses; none is an English word.
# Domain nouns residents use in English too («pakkeforløp», «fastlege») are left out.
NORWEGIAN_WORDS = frozenset("""
jeg eg e æ meg deg seg ikke ikkje ikkj itte og er det dette den hva kva ka hvem kven kem hvor kor
hvordan korleis koss kordan hvorfor kvifor korfor min mi mitt mine din di ditt dine sin si sitt
hans hennar hennes dere dykk dokker dåkker vi oss har kan skal vil må ma på pa med til fra frå
av om så sa når nar som eller også ogsa bare berre noen nokon noko noe ingen inga hei takk tusen
jo nei ja kanskje veldig litt mye mykje mange sønnen sonen dattera dotter mor far mamma pappa
barnet ungen gutten jenta kona mannen samboer kjæresten kjaresten hjelp hjelpe treng trenger
trenge sliter slit lurer lurar vært vore blitt bli blir ble gjør gjer gjøre gjere får fekk fikk hos hjå mellom etter utan uten
""".split())
# Words only English uses; «i», «a», «to», «for», «me», «do», «man» are Norwegian words too
ENGLISH_WORDS = frozenset("""
you your yours my mine myself yourself he she his her him they them their we our us im i'm
is are am was were be been being the an this that these those there here what who whom whose
which how when where why can could would should will shall do does did done don't doesn't
want wants need needs have has had having with without about from into of and or but not no
please thanks thank goodbye someone somebody anyone anybody nobody
it its it's get got go going call phone number email mail talk speak help helps son daughter
wife husband mother father mum mom dad brother sister friend boyfriend girlfriend kid kids
child children teen teenager old years year kill myself hurt die dying alive pills drunk
weed drugs hospital doctor nurse appointment referral waiting wait long time read more
whats hows wheres whos cant can't dont wont won't isnt weather some any very much should
bye now talking texting in she's he's they're we're you're grade hello hi
grandmother grandfather grandma grandpa granny grandson granddaughter grandchild grandkid aunt uncle
nephew niece cousin stepson stepdaughter stepmother stepfather stepdad stepmum stepmom neighbour
neighbor colleague teacher
i'll i've i'd you'll we'll take care off log entitled coordinator coworker
one two three four five six seven eight nine eleven twelve thirteen fourteen fifteen sixteen
seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety
lot really helped helpful great awesome cheers good morning evening afternoon night exactly needed
""".split())
# Norwegian words English-writing residents use too: «tusen takk, that was exactly what I needed»,
# «hei hei, good morning» (behaviour set 12). They do not hold a message back from English.
BORROWED = frozenset("hei takk tusen".split())
# English words that alone make a short message English («howdy», «ttyl»): nobody writes them in
# Norwegian chat, unlike «help», «thanks» or «ok»
ENGLISH_ON_THEIR_OWN = frozenset("""
howdy hiya ttyl cya goodbye grandmother grandfather grandma grandpa granny
myself yourself coworker entitled i'll i've friend husband wife daughter brother sister mother
father boyfriend girlfriend colleague neighbour neighbor nephew niece cousin uncle aunt stepson stepdaughter
he's she's it's i'm they're we're you're
""".split())
WORD = re.compile(r"[a-zæøåäö']+")


@lru_cache(maxsize=1)
def _detector():
    from lingua import Language, LanguageDetectorBuilder

    languages = (Language.ENGLISH, Language.BOKMAL, Language.NYNORSK, Language.DANISH, Language.SWEDISH)
    return LanguageDetectorBuilder.from_languages(*languages).with_low_accuracy_mode().build()


def detect(text: str) -> Optional[str]:
    """'en', 'no', or None when the message is too short or unclear to tell."""
    words = WORD.findall((text or "").lower())
    english = len(set(words) & ENGLISH_WORDS)  # distinct: «bye bye» is one English word
    norwegian = sum(word in NORWEGIAN_WORDS for word in words)
    not_borrowed = sum(word in NORWEGIAN_WORDS and word not in BORROWED for word in words)
    if english >= not_borrowed + ENGLISH_MARGIN:  # also covers «english >= norwegian + margin»
        return ENGLISH
    if norwegian > english:
        return NORWEGIAN
    if not norwegian and set(words) & ENGLISH_ON_THEIR_OWN:
        return ENGLISH
    if english > norwegian and (norwegian or len(words) < MIN_WORDS_FOR_LINGUA):
        return None  # one English word in Norwegian chat («help», «thanks») does not switch
    if sum(len(word) for word in words) < MIN_LETTERS:
        return None
    from lingua import Language

    best = _detector().compute_language_confidence_values(text)[0]
    if best.value < MIN_CONFIDENCE:
        return None
    return ENGLISH if best.language == Language.ENGLISH else NORWEGIAN
