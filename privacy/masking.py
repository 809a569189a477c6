"""Finds personal data in a message and replaces it with typed placeholders.

Pure text in, masked text out: `mask("ring meg på 412 34 567")` gives
`MaskResult(text="ring meg på «telefonnummer»", findings=[Finding("telefonnummer", 12, 22)])`.
The tracker store (rasa_server/stores/masking_tracker_store.py) runs this on every copy of user text before an
event is written, so the conversation logs (health data, often about minors) never hold
phone numbers, e-mail addresses, fødselsnummer, account numbers, street addresses, dates of
birth or names. Names are found by privacy/names.py.

What is kept on purpose: the municipality's own numbers and the national help lines (bot
replies quote them), ages ("jeg er 17", "sønnen min på 14": the bot routes on them), dates
and times that are no date of birth, short numbers, services and places.

Regexes are compiled at import (cheap, pure); the contact allow-list, the name lists and the
spaCy model are loaded on first use and kept.
"""
from __future__ import annotations

import bisect
import functools
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, FrozenSet, Iterable, List, Optional, Sequence, Tuple

import phonenumbers
from stdnum.no import fodselsnummer, kontonr

from privacy import names as _names
from privacy.names import NameFinder

NAME_FLAGS = _names.FIRST | _names.LAST
NOT_A_NAME_FLAGS = _names.WORD | _names.NOT_NAME | _names.CALENDAR

logger = logging.getLogger(__name__)

# Kinds of personal data, each with the placeholder that replaces it.
PHONE = "telefonnummer"
EMAIL = "e-post"
NATIONAL_ID = "fødselsnummer"  # fødselsnummer and D-nummer
ACCOUNT = "kontonummer"
ADDRESS = "adresse"
DATE_OF_BIRTH = "fødselsdato"  # "født 03.04.2009": other dates stay (the bot needs them)
NAME = "navn"
NUMBER = "nummer"  # a long digit run that is none of the above (a mistyped ID, a card number)
KINDS = (PHONE, EMAIL, NATIONAL_ID, ACCOUNT, ADDRESS, DATE_OF_BIRTH, NAME, NUMBER)


def placeholder(kind: str) -> str:
    return f"«{kind}»"


def replace_findings(text: str, findings: Iterable["Finding"]) -> str:
    """`text` with each finding (in order, not overlapping) replaced by its kind's placeholder."""
    pieces, last = [], 0
    for finding in findings:
        pieces.append(text[last:finding.start])
        pieces.append(placeholder(finding.kind))
        last = finding.end
    pieces.append(text[last:])
    return "".join(pieces)


PLACEHOLDER_PATTERN = re.compile("«(?:" + "|".join(re.escape(k) for k in KINDS) + ")»")

# National numbers the bot states (content/CONTENT.md, section 2): never masked.
NATIONAL_NUMBERS = ("113", "116 117", "116 123", "22 40 00 40", "116 111", "110", "112")
PHONE_REGION = "NO"
MIN_LONG_DIGIT_RUN = 9  # 8 digits is a Norwegian phone number; 9+ unexplained digits are masked
ACCOUNT_CONTEXT_CHARS = 40  # how far before an 11-digit number "konto" makes it an account
NER_LABELS = ("PER", "PERSON")
MIN_FUZZY_NAME_LENGTH = 5  # "janson" is the contact Jansson misspelt; shorter words are other names

# Overlapping findings: the higher priority wins, then the longer span.
_PRIORITY = {EMAIL: 60, NATIONAL_ID: 50, ACCOUNT: 50, DATE_OF_BIRTH: 45, ADDRESS: 40, PHONE: 30, NAME: 20, NUMBER: 10}


@dataclass(frozen=True)
class Finding:
    """One piece of personal data: its kind and its span in the ORIGINAL text."""

    kind: str
    start: int
    end: int


@dataclass(frozen=True)
class MaskResult:
    text: str
    findings: Tuple[Finding, ...] = ()

    @property
    def kinds(self) -> List[str]:
        return [f.kind for f in self.findings]

    def map_offset(self, position: int) -> int:
        """Maps a character offset of the original text to the masked text.

        Offsets inside a masked span snap to the start of its placeholder (entity starts) or,
        for `end` offsets, are better mapped with map_end().
        """
        shift = 0
        for finding in self.findings:
            if position < finding.start:
                break
            if position < finding.end:
                return finding.start + shift
            shift += len(placeholder(finding.kind)) - (finding.end - finding.start)
        return position + shift

    def map_end(self, position: int) -> int:
        shift = 0
        for finding in self.findings:
            if position <= finding.start:
                break
            if position <= finding.end:
                return finding.start + shift + len(placeholder(finding.kind))
            shift += len(placeholder(finding.kind)) - (finding.end - finding.start)
        return position + shift


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


# --- patterns -------------------------------------------------------------------------------

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}(?![\w-])")
# "ola.nordmann (at) gmail.com", "ola @ gmail.com", "ola at gmail.com", "ola krøllalfa online.no"
_EMAIL_OBFUSCATED = re.compile(
    r"(?<![\w.+-])[\w.+-]+\s*(?:\(at\)|\[at\]|@|\s(?:at|krøllalfa|krollalfa)\s)\s*[\w-]+(?:\.[\w-]+)*"
    r"(?:\.\s?|\s*\(dot\)\s*|\s+dot\s+|\s+punktum\s+)(?:no|com|net|org|se|dk|nu|io|info)(?![\w-])",
    re.IGNORECASE,
)
# "ola@icloud": an address missing its ending is still someone's address
_EMAIL_NO_DOMAIN_END = re.compile(r"(?<![\w.+-])[\w.+-]+@[^\W_][\w-]+(?![\w.@-])")

# 11 digits: fødselsnummer "010190 12345", "01019012345", "010190-12345";
# account "1234.56.78903", "1234 56 78903"
_ELEVEN_DIGITS = re.compile(
    r"(?<![\d.,])(?:\d{6}[ .-]?\d{5}|\d{2}\.\d{2}\.\d{2}[ .-]?\d{5}"  # fødselsnummer
    r"|\d{4}[ .-]\d{2}[ .-]\d{5}|\d{4}[ .-]\d{7}|\d{4} \d{2} \d{3} \d{2})(?![\d]|[.,]\d)"  # account
)
_ACCOUNT_CONTEXT = re.compile(r"konto|kto\b|account|bank", re.IGNORECASE)
_NATIONAL_ID_CONTEXT = re.compile(r"f(?:ø|o|oe)dsels|personn|\bfnr|\bf\.nr|d-n|\bdnr|\bid\b", re.IGNORECASE)
_ACCOUNT_GROUPING = re.compile(r"\d{4}\D")  # "1234.56.78903": a fødselsnummer is never written so
# "21.11.1999" is a valid landline number to `phonenumbers`, and a date to everyone else
_DATE_LIKE = re.compile(r"\d{1,2}([./-])\d{1,2}\1(?:\d{2}|\d{4})")
_LONG_DIGITS = re.compile(rf"(?<![\d.,])\d{{{MIN_LONG_DIGIT_RUN},}}(?![\d]|[.,]\d)")

# Street addresses: a street name with a Norwegian street suffix, then a house number.
_LETTER = r"[^\W\d_]"
# A capital and a small letter of Norwegian, Sámi and Kven names: «Ávžževuodna 3», «Čáhcegeaidnu 2»
_CAPITAL = "[A-ZÆØÅÁČĐŊŠŦŽÄÖ]"
_SMALL = "[a-zæøåáčđŋšŧžäö]"
# Suffixes safe in lowercase compounds ("storgata 5", "kirkeveien 12b"), with their æøå-less
# spellings ("elvelokka 3", "granaasen 2")
_STREET_SUFFIXES = (
    "veien", "vegen", "vegan", "gata", "gaten", "gate", "vei", "veg", "bakken", "torget",
    "tunet", "svingen", "brygga", "bryggen", "kaia", "kaien", "allé", "alléen", "stien",
    "terrassen", "kroken", "lia", "lien", "åsen", "aasen", "asen", "haugen", "jordet", "løkka",
    "lokka", "loekka", "løkken", "ringen", "plassen", "brekka", "brekke", "gården", "gaarden",
    "garden", "stubben", "vollen", "veita", "smauet", "stredet", "bråten", "braaten", "vangen",
    "kollen", "grenda", "feltet", "myra", "tjernet", "evn", "evn.", "gt.",  # "kirkevn 12", "storgt. 5"
)
# Suffixes too common in ordinary words to trust unless the word is capitalised
_CAPITAL_ONLY_SUFFIXES = (
    "plass", "sti", "alle", "alleen", "parken", "skogen", "berget", "toppen", "marka", "tun",
    "gt.", "gt", "vn.", "vn",  # "Storgt. 5", "Kirkevn 12" ("sagt 3", "navn 2" in lowercase)
    "torvet", "tangen", "hagen", "sletta", "enga", "vika", "dalen", "moen", "moa", "rud",
    "vang", "tveit", "holtet", "lunden", "engen", "bråtan", "skauen", "grend", "haug", "bakke",
    "faret", "engene", "jordene", "løkkene", "brynet", "tråkket", "traakket", "stykket",
    "stranda", "stranden",  # «Lierstranda 98»
)
# "Nedre Storgate 3", "Øvre Slottsgate 2": the prefix word belongs to the street name
_STREET_PREFIX = r"(?:(?i:nedre|øvre|ovre|søndre|sondre|nordre|vestre|østre|ostre|store|lille|gamle|nye|indre|ytre)\s+)?"
# A flat after the house number belongs to the address: "Ekebergsgate 6, leil. 304",
# "Dalsveien 8, leilighet 12", "leilegheit 3", "leil nr 5", "apt 2B", "flat 3", ", H0203", "rom 210"
_FLAT_WORDS = (  # longest first
    "leiligheten", "leilegheita", "leilighet", "leilegheit", "leiligheit", "apartment", "leil", "flat",
    "lgh", "apt",
)
# a room after the house number too; before a postcode alone it is no address ("Rom 214, 3041 Drammen")
_ROOM_WORDS = ("hybel", "room", "rom", "rum", "avdeling", "avd", "brakke")
# Which side of the landing: "3. etg. t.h.", "nr 5 te venstre" (dialect)
_SIDE = r"(?i:t\.[ \t]?h\.?|t\.[ \t]?v\.?|til[ \t]+venstre|til[ \t]+høyre|til[ \t]+hogre|te[ \t]+venstre|te[ \t]+høyre)(?!\w)"
# «3rd floor apartment on the left»
_FLOOR_IN_ENGLISH = r"(?:[ \t]+(?i:apartment|flat))?(?:[ \t]+(?i:on the left|on the right|to the left|to the right))?"
# One flat, floor or entrance: "Haugesgate 61, 2. etasje", "Tomtegata 7 b, 3 etg.", "tredje etasje",
# ", oppgang B", "basement flat" (the period after "etasje" ends the sentence; after "etg" it is the
# abbreviation's)
_FLAT_PART = (
    rf",?[ \t]+(?i:{'|'.join(_FLAT_WORDS + _ROOM_WORDS)})\.?(?:[ \t]*(?i:nr|no)\.?)?[ \t]*(?:[HhUuKkLl]\d{{4}}|\d{{1,4}}{_LETTER}?)(?!\w)"
    rf"|,[ \t]*[HhUuKkLl]\d{{4}}(?!\d)"
    rf"|,?[ \t]+\d{{1,2}}\.?(?:[ \t]+(?i:og)[ \t]+\d{{1,2}}\.?)?[ \t]*(?i:etasje|etasjen|etg\.?|høgda|høgd|høgde)(?:[ \t]+(?:{_SIDE}|(?i:th|tv)(?!\w)\.?))?(?!\w)"
    rf"|[,.]?[ \t]+(?i:første|forste|andre|tredje|fjerde|femte|sjette|øverste|overste|nederste|1st|2nd|3rd|4th|ground|top)"
    rf"[ \t]+(?i:etasje|etg|floor){_FLOOR_IN_ENGLISH}(?!\w)"
    rf"|,?[ \t]+\d{{1,2}}(?i:st|nd|rd|th)?[ \t]+(?i:floor){_FLOOR_IN_ENGLISH}(?!\w)"
    rf"|,?[ \t]+(?i:oppgang|inngang|inng\.?)[ \t]+(?:{_SIDE}|(?i:bak|fra baksiden)(?!\w)|[A-Za-z0-9]{{1,2}}(?!\w))"
    rf"|,?[ \t]+(?:{_SIDE})"
    rf"|,?[ \t]+(?i:u\.[ \t]?etg\.?|u\.?etg\.?|underetasjen|underetasje|sokkelen|sokkelleiligheten|loftsleiligheten)(?!\w)"
    rf"|[ \t]*\((?=[^()\n]{{0,30}}(?i:leil|sokkel|brakke|hybel|etg|etasje|rom|inng|oppgang|kjeller|loft|bolig))[^()\n]{{1,40}}\)"
    rf"|,?[ \t]+(?i:basement|kjeller)(?:[ \t]+(?i:flat|leilighet|leilegheit))?(?!\w)"
)
_FLAT = rf"(?:{_FLAT_PART}){{0,2}}"
# "12", "12b", "12 B", "12 H0201" (bolignummer: floor and flat)
# "nr 12" too; a letter after a space is no house letter when it is a word: "Skolegata 7 i Drammen"
def _house_number(max_digits: int) -> str:
    return (
        rf"(?:(?i:nr|nummer)\.?\s*)?\d{{1,{max_digits}}}(?:-\d{{1,{max_digits}}}(?!\d)(?![.,]\d))?(?:{_LETTER}(?!\w)|\s(?![iIåÅe](?!\w)){_LETTER}(?!\w)(?!\.\s?(?i:etg)))?"
        rf"(?:\s*[HhUuKkLl]\d{{4}}(?!\d))?{_FLAT}"
    )


_HOUSE_NUMBER = _house_number(4)
_PLACE = rf"{_CAPITAL}{_LETTER}+(?:[ -]{_CAPITAL}{_LETTER}+)?"
# Words after a number that make it no house number: "bor i Norge 5 år", "bodde på Hamar i 3 uker"
_NOT_HOUSE_NUMBER = (
    r"(?!\s*(?:år|ar|uker|uke|dager|dag|måneder|mnd|timer|etasje|etg|ganger|kr|%|\.\d"
    r"|min(?:utter)?\b|km\b|meter\b|m\b|sek|stk|klasse|trinn|personer|plasser|kroner))"
)
_MONTHS = (
    "januar", "jan", "februar", "feb", "mars", "mar", "april", "apr", "mai", "juni", "jun", "juli",
    "jul", "august", "aug", "september", "sept", "sep", "oktober", "okt", "november", "nov",
    "desember", "des", "january", "february", "march", "may", "june", "july", "october", "oct",
    "december", "dec",
)
_NOT_PLACE_WORDS = _MONTHS + (
    "mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag", "kl", "klokka", "kr",
    "kroner", "kronar", "nok", "euro", "dollar",
)


def _alternation(words: Iterable[str]) -> str:
    return "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))


# After the postcode of a street address the place may be in lowercase ("Vannverksgata 9, 3018
# drammen"): one word that is no month, weekday, unit or little word ("Storgata 5, 2000 kr")
_NOT_LOWERCASE_PLACE_WORDS = _NOT_PLACE_WORDS + (
    "år", "ar", "uker", "uke", "dager", "dag", "døgn", "måneder", "mnd", "timer", "time", "min",
    "minutter", "sek", "km", "meter", "m", "stk", "ganger", "gang", "personer", "mennesker", "mg",
    "ml", "kg", "og", "i", "på", "pa", "til", "fra", "er", "var", "har", "med", "for", "som", "men",
    "eller", "om", "at", "av", "the", "and", "in", "to",
)
_LOWERCASE_PLACE = (
    rf"(?!(?:{_alternation(_NOT_LOWERCASE_PLACE_WORDS)})(?!{_LETTER})){_SMALL}{_LETTER}+(?:-{_LETTER}+)?(?![\w@])"
)
# The place after a comma belongs to the address too, with or without a postcode: ", 3015 Drammen",
# ", Drammen" (capitalised: ", og" or ", men" are no place)
_POSTCODE_PLACE = (
    rf"(?:[ \t]?[,.]?\s+(?:N-|NO-|(?i:postnr|postnummer)\.?\s*)?\d{{4}}\s+(?:{_PLACE}|{_LOWERCASE_PLACE})"
    rf"|,[ \t]*(?!(?i:{_alternation(_NOT_PLACE_WORDS)})(?!{_LETTER})){_PLACE}(?![ \t]*\d)(?!{_LETTER}))?"
)

# Street endings that are street names on their own («Torget 4»), without their capital letter
_WHOLE_WORD_STREETS = (
    "orget", "orvet", "rygga", "ryggen", "aia", "aien", "unet", "vingen", "økka", "roken", "lassen",
    "tredet", "mauet", "eita", "errassen", "renda", "eltet", "ordet",
)

# Words of a message that are no part of a street name: "bor i", "på", "nær"
_NOT_STREET_NAME_WORDS = frozenset("""
    og i på pa paa til fra med ved nær naer mot over under bak foran mellom hos om av for etter
    bor bur bodde budde flytta flyttet flytter bo er var ligger ligg adresse adressen adressa
    jeg eg vi du han hun ho de dei den det en ei et ein eit min mi mitt vår var hans hennes
    nå no her der som the at on in is a an near
    """.split())
_NOT_A_STREET_WORD = rf"(?!(?i:{_alternation(_NOT_STREET_NAME_WORDS)})(?!{_LETTER}))"

# Homes and institutions people live in, written before their street
_HOMES = (r"sykehjem|sykehjemmet|sjukeheim|sjukeheimen|bofellesskap|bofellesskapet|bufellesskap|bufellesskapet|"
          r"omsorgssenter|omsorgssenteret|omsorgsboliger|omsorgsbolig|omsorgsbustad|hospits|hospitset|studenthus|"
          r"studentheim|studenthjem|ungdomshjem|ungdomsheim|hybelhus|hybelhuset|asylmottak|asylmottaket|gamlehjem|gamlehjemmet|"
          r"avlastningsbolig|avlastningsboligen|institusjon|institusjonen|hyttefelt|hyttefeltet|"
          r"servicesenter|servicesenteret|bustadsenter|bustadsenteret|barnebolig|barneboligen|ungdomsbolig|ungdomsboligen|"
          r"tiltakssenter|tiltakssenteret|studentbolig|studentboligen|studentboliger|omsorgsbustaden|"
          r"behandlingssenter|behandlingssenteret|internat|internatet|studentby|studentbyen|"
          r"skole|skolen|skule|skulen|ungdomsskole|ungdomsskule|barneskole|barneskule|barnehage|barnehagen|"
          r"bibliotek|biblioteket|flyktningmottak|flyktningmottaket|mottak|mottaket|bolig for enslige\w*")
# «Gol vidaregåande skule», «Drammen videregående skole»
_SCHOOL_ADJECTIVE = r"(?:(?i:videregående|videregaende|vidaregåande|vidaregaande|private?)[ \t]+)?"

_ADDRESS_PATTERNS = (
    # one compound word in any case: "Storgata 5", "kirkeveien 12 B", "Elvebakken 3, 3050 Mjøndalen"
    re.compile(
        rf"(?<!{_LETTER}){_STREET_PREFIX}(?i:{_LETTER}{{2,}}?(?:{_alternation(_STREET_SUFFIXES)}))(?:\s+|[,.]\s*(?=(?i:nr|nummer)\.?\s*\d)){_HOUSE_NUMBER}{_POSTCODE_PLACE}(?!\d)"
    ),
    # a capitalised compound with a rarer suffix: "Solplass 4", "Furuparken 2"
    re.compile(
        rf"(?<!{_LETTER}){_STREET_PREFIX}{_CAPITAL}{_LETTER}+?(?:{_alternation(_CAPITAL_ONLY_SUFFIXES)})\s+{_HOUSE_NUMBER}{_POSTCODE_PLACE}(?!\d)"
    ),
    # separate words: "Karl Johans gate 1", "Olav Kyrres plass 3", "Dronning Eufemias gate 16"
    re.compile(
        rf"(?<!{_LETTER})(?:{_CAPITAL}{_LETTER}*\.?\s+){{1,3}}(?i:gate|gata|vei|veg|plass|allé|alle|terrasse|torg)"
        rf"\s+{_HOUSE_NUMBER}{_POSTCODE_PLACE}(?!\d)"
    ),
    # any capitalised name with a house number and a bolignummer: "Grønland 2 H0405", "Bjørnstad 4b U0101"
    re.compile(
        rf"(?<!{_LETTER}){_STREET_PREFIX}(?:{_CAPITAL}{_LETTER}+\.?[ \t]+){{1,3}}\d{{1,4}}{_LETTER}?[ \t]*[HhUuKkLl]\d{{4}}(?!\d){_FLAT}{_POSTCODE_PLACE}(?!\d)"
    ),
    # a name with its direction and a house number: «Øvre Sund 2, rom 14», «Nedre Rud 4» (no «3 år»)
    re.compile(
        rf"(?<!{_LETTER})(?!(?i:vestre viken))(?i:nedre|øvre|ovre|søndre|sondre|nordre|vestre|østre|ostre)[ \t]+{_CAPITAL}{_LETTER}+[ \t]+"
        rf"(?!\d{{1,2}}\.?[ \t]*(?i:{_alternation(_MONTHS)})(?!{_LETTER})){_HOUSE_NUMBER}{_POSTCODE_PLACE}(?!\d)(?![.,]\d){_NOT_HOUSE_NUMBER}"
    ),
    # any capitalised name with a house number and a flat, floor or room: «Grønland 58, room 214»,
    # «Engene 10, 2nd floor», «Bjørkhaug 3, leil. 12»
    re.compile(
        rf"(?<!{_LETTER}){_STREET_PREFIX}(?:{_NOT_A_STREET_WORD}{_CAPITAL}{_LETTER}+[ \t]+){{1,3}}\d{{1,4}}{_LETTER}?(?!\w)(?:{_FLAT_PART})+{_POSTCODE_PLACE}(?!\d)"
    ),
    # a home or institution, then any capitalised name with a number: «Bragernes sykehjem, Grønland 11»
    re.compile(
        rf"(?<!{_LETTER}){_CAPITAL}{_LETTER}+[ \t]+(?i:{_HOMES}),[ \t]*{_STREET_PREFIX}(?:{_NOT_A_STREET_WORD}{_CAPITAL}{_LETTER}+\.?[ \t]+){{1,3}}{_HOUSE_NUMBER}{_POSTCODE_PLACE}(?!\d){_NOT_HOUSE_NUMBER}"
    ),
    # a lowercase «-gt» street with a postcode: «nedre storgt 12, 3013 drammen» («sagt 3» has none)
    re.compile(
        rf"(?<!{_LETTER}){_STREET_PREFIX}(?i:{_LETTER}{{2,}}gt)\.?[ \t]+\d{{1,4}}{_LETTER}?,?[ \t]+\d{{4}}[ \t]+(?:{_PLACE}|{_LOWERCASE_PLACE})"
    ),
    # a rural property with no street: "gnr. 45 bnr. 3", "gårdsnr 12/bruksnr 4"
    re.compile(
        rf"(?<!{_LETTER})(?i:gnr|g\.nr|gardsnr|gårdsnr|gardsnummer|gårdsnummer)\.?[ \t]*\d{{1,4}}[ \t]*(?:,|/|og)?[ \t]*"
        rf"(?i:bnr|b\.nr|bruksnr|bruksnummer)\.?[ \t]*\d{{1,4}}(?!\d)"
    ),
    # "gnr/bnr 87/3", "gårdsnr. 112/4", "bnr 12, gnr 104"
    re.compile(rf"(?<!{_LETTER})(?i:gnr|g\.nr|gardsnr|gårdsnr)\.?[ \t]*(?:/[ \t]*(?i:bnr|b\.nr|bruksnr)\.?[ \t]*)?\d{{1,4}}[ \t]*/[ \t]*\d{{1,4}}(?!\d)"),
    re.compile(rf"(?<!{_LETTER})(?i:bnr|b\.nr|bruksnr)\.?[ \t]*\d{{1,4}}[ \t]*,?[ \t]*(?i:gnr|g\.nr|gardsnr|gårdsnr)\.?[ \t]*\d{{1,4}}(?!\d)"),
    # a street that is only its ending, capitalised: "Torget 4", "Brygga 2", "Tunet 3 b"
    re.compile(rf"(?<!{_LETTER}){_STREET_PREFIX}{_CAPITAL}(?i:{_alternation(_WHOLE_WORD_STREETS)})\s+{_HOUSE_NUMBER}{_POSTCODE_PLACE}(?!\d){_NOT_HOUSE_NUMBER}"),
    # the house number first, in English: "14B Parkveien, 3050 Mjøndalen"
    re.compile(rf"(?<![\w.,/-])\d{{1,3}}[A-Za-z]?[ \t]+{_CAPITAL}{_LETTER}*(?i:veien|vegen|gata|gaten|gate|vei|veg)(?!{_LETTER}){_FLAT}{_POSTCODE_PLACE}"),
    # a plot at a camping site or a cabin field: "Solheim camping, plass 14"
    re.compile(
        rf"(?<!{_LETTER}){_CAPITAL}{_LETTER}+[ \t]+(?i:camping|campingplass|hyttefelt|hyttefeltet),?[ \t]+"
        rf"(?i:plass|tomt|hytte)[ \t]*(?:(?i:nr)\.?[ \t]*)?\d{{1,4}}(?!\d)"
    ),
    # "postboks 12", "Pb. 7, 3001 Drammen"
    re.compile(rf"(?<!{_LETTER})(?i:postboks|postboks nr\.?|pb\.?|p\.o\. box|po box)\s*\d{{1,5}}(?:[ \t]+{_PLACE}(?=,?[ \t]+\d{{4}}))?{_POSTCODE_PLACE}(?!\d)"),
    # a postcode with its place: "3041 Drammen"
    re.compile(
        rf"(?<![\d.,/:-])\d{{4}}\s+(?!(?i:{_alternation(_NOT_PLACE_WORDS)})(?!{_LETTER})){_PLACE}(?!{_LETTER})"
    ),
)
# Any capitalised street name with a house number AND a postcode with its place: "Rundtom 10,
# 3042 Drammen" (no street ending, no "bor på"). The house number has at most three digits and a
# lowercase place needs the comma ("Ring 4548 7056 pls" is a phone number); the words before the
# number are checked in code (_STREET_BEFORE_POSTCODE_NOT_NAMES): "Rom 214, 3041 Drammen" is no street
_STREET_BEFORE_POSTCODE = re.compile(
    rf"(?<!{_LETTER})((?:{_CAPITAL}{_LETTER}+\.?[ \t]+){{1,3}}){_house_number(3)}"
    rf"(?:,[ \t]*\d{{4}}[ \t]+(?:{_PLACE}|{_LOWERCASE_PLACE})|[ \t]+\d{{4}}[ \t]+{_PLACE})(?!\d)"
)
# Separate words in lowercase: "sondre gate 7", "kong oscars gate 3", "bjørnstjerne bjørnsons
# gate 110". The words before the street word are checked in code (_LowercaseStreets)
_STREET_WORDS = (
    "gate", "gata", "gaten", "gt", "gt.", "vei", "veien", "veg", "vegen", "vn", "vn.", "allé", "alle",
    "alléen", "alleen", "plass", "plassen", "torg", "torget", "bakke", "bakken", "terrasse",
    "terrassen", "sti", "stien", "brygge", "bryggen", "kai", "kaia", "park", "parken", "løkke", "tun",
    "v.",  # «Øvre Sund v. 3»
    "stræde", "strede", "stredet",  # «Kongens stræde 4»
)
_SEPARATE_STREET = re.compile(
    rf"(?<!{_LETTER})((?:{_LETTER}+\.?[ \t]+){{1,3}})(?i:{_alternation(_STREET_WORDS)})[ \t]+{_HOUSE_NUMBER}{_POSTCODE_PLACE}"
    rf"(?!\d)(?![.,]\d){_NOT_HOUSE_NUMBER}"
)
# «bor i strømsø allé 7», «adresse Tangen brygge 2»: the words before the street word are its name
_LIVES_AT = re.compile(r"(?<!\w)(?i:bor|bur|adresse|adressen|adressa|adr\.?|address)[ \t]+(?:(?i:i|på|pa|er)[ \t]+)?$")
# The word before the street word: a genitive ("oscars gate"), a known name ("sondre gate"), or
# one of these ("kong", "nedre", "gamle"); an ordinary word is no street ("ledig plass 2")
_STREET_NAME_WORDS = frozenset("""
    nedre øvre ovre søndre sondre nordre vestre østre ostre store lille gamle nye indre ytre midtre
    kong kongen dronning prins prinsesse kronprins kronprinsesse konge biskop sankt st general
    kaptein doktor dr professor fru tordenskiolds
    """.split())
# Words that after "adressen er" say it is not given: "adressen er ikke 12 ..."
_NOT_STREET_WORDS = (
    "ikke", "ikkje", "ca", "cirka", "omtrent", "bare", "berre", "også", "nå", "vel", "kanskje",
    "den", "det", "en", "et", "ei", "fra", "til", "i", "på", "samme", "ny", "gammel",
)
# Words after «bor i» that are no street: "bor i en leilighet", "bor i ca 3 år"
_NOT_LOWERCASE_STREET_WORDS = _NOT_STREET_WORDS + (
    "ett", "ein", "eit", "over", "under", "nesten", "kommunen", "byen", "sentrum", "norge", "noreg",
    "huset", "blokka", "leilighet",
)
# «bor nå på Tangen 7», «bur framleis i ...»: one such word may stand between «bor» and «på»
_WORD_BEFORE_THE_PLACE = r"(?:(?i:nå|no|fortsatt|fremdeles|framleis|alene|aleine|sammen|saman|oppe|nede|ute|borte)\s+)?"
# Any street name in a phrase that says it is one: "bor på Kullerød 12", "adressen er Torvet 3"
_ADDRESS_CONTEXT_PATTERNS = (
    # in lowercase chat, one word and a house number: "vi bor i engene 12", "bor i kobbervikdalen 60"
    re.compile(
        rf"(?<!{_LETTER})(?i:bor|bur|bodde|budde|flytta|flyttet|flytter)\s+{_WORD_BEFORE_THE_PLACE}(?:i|på|pa)\s+"
        rf"((?!(?:{_alternation(_NOT_LOWERCASE_STREET_WORDS)})\s){_SMALL}{_LETTER}{{2,}}\s+{_house_number(3)}{_POSTCODE_PLACE})"
        rf"(?!\d)(?![.,]\d){_NOT_HOUSE_NUMBER}"
    ),
    re.compile(
        rf"(?<!{_LETTER})(?i:bor|bur|bodde|budde|flytta|flyttet|flytter|flytte|bo)\s+{_WORD_BEFORE_THE_PLACE}(?:(?i:i|på|pa|fra|frå|til)\s+)?"
        rf"({_STREET_PREFIX}(?:{_CAPITAL}{_LETTER}+(?:-{_LETTER}+)?\s+){{1,2}}{_HOUSE_NUMBER}{_POSTCODE_PLACE})(?!\d){_NOT_HOUSE_NUMBER}"
    ),
    re.compile(
        rf"(?<!{_LETTER})(?i:bor|bur)\s+({_SMALL}{_LETTER}+(?:{_alternation(_STREET_SUFFIXES + ('vn.', 'vn', 'gt'))})\s+{_house_number(3)}{_POSTCODE_PLACE})"
        rf"(?!\d)(?![.,]\d){_NOT_HOUSE_NUMBER}"
    ),
    # the house number first: "nr 12 i Bjerkestien", "nummer 4 i Lindevangen"
    re.compile(
        rf"(?<!{_LETTER})((?i:nr|nummer)\.?\s*\d{{1,3}}{_LETTER}?\s+(?i:i|på|pa)\s+{_STREET_PREFIX}"
        rf"(?:{_CAPITAL}{_LETTER}*(?i:{_alternation(_STREET_SUFFIXES + _CAPITAL_ONLY_SUFFIXES)})|{_CAPITAL}{_LETTER}+[ \t]+(?i:gate|gata|vei|veg|allé|plass)){_FLAT})(?!{_LETTER})"
    ),
    # «lives with me at Hamborgstrøm 12», «living at Grønland 60»
    re.compile(
        rf"(?<!{_LETTER})(?i:live|lives|living|lived|stay|stays|staying)[ \t]+(?:(?i:with)[ \t]+\w+[ \t]+)?(?i:at|in|on)[ \t]+"
        rf"({_STREET_PREFIX}(?:{_CAPITAL}{_LETTER}+\s+){{1,2}}{_HOUSE_NUMBER}{_POSTCODE_PLACE})(?!\d){_NOT_HOUSE_NUMBER}"
    ),
    # "adressen er kullerød 12", "adresse: torvet 3" (any case, but no "adressen er ikke 12 ...")
    re.compile(
        rf"(?<!{_LETTER})(?i:(?:adressen|adressa|adresse)(?:\s+(?:min|mi|vår|var|hans|hennes|deres|til\s+{_LETTER}+))?\s+er|adressen?\s*:|adr\.?\s*:?|address(?:\s+is|\s*:))\s*:?\s+"
        rf"(?!(?i:{_alternation(_NOT_STREET_WORDS)})\s)((?:{_LETTER}+\.?\s+){{1,3}}{_HOUSE_NUMBER}{_POSTCODE_PLACE})(?!\d){_NOT_HOUSE_NUMBER}"
    ),
    # "ny adresse Kullerød 12": a capitalised street name
    re.compile(
        rf"(?<!{_LETTER})(?i:adressen?)\s+((?:{_CAPITAL}{_LETTER}+\.?\s+){{1,3}}{_HOUSE_NUMBER}{_POSTCODE_PLACE})(?!\d){_NOT_HOUSE_NUMBER}"
    ),
    # "Kullerød 12 er adressen min"
    re.compile(
        rf"(?<!{_LETTER})((?:{_CAPITAL}{_LETTER}+\.?\s+){{1,3}}{_HOUSE_NUMBER}{_POSTCODE_PLACE})(?!\d)"
        rf"\s+(?i:er|e)\s+(?i:adressen|adressa|adresse|address)(?!{_LETTER})"
    ),
)

# A farm with no street after «bor på»: "bor på Bjerke gård i Sande" (the town with it); no digit needed
_FARM_WITHOUT_A_STREET = re.compile(
    rf"(?<!{_LETTER})(?i:bor|bur|bodde|budde)\s+{_WORD_BEFORE_THE_PLACE}(?i:på|pa)\s+"
    rf"({_STREET_PREFIX}{_CAPITAL}{_LETTER}+[ \t]+(?i:gård|gard)(?:[ \t]+(?i:i)[ \t]+{_PLACE})?)(?!{_LETTER})"
)

# A street named with no house number where someone lives: «vi bor i Tollbugata», «for oss i
# Elvegata», «bur i skogvegen» (only the endings no ordinary word has: not «på hjemveien»)
_STREET_WITHOUT_A_NUMBER = re.compile(
    rf"(?<!{_LETTER})(?i:bor|bur|bodde|budde|oss|meg|flytta|flyttet|flytter|live|lives|living)[ \t]+{_WORD_BEFORE_THE_PLACE}(?i:i|på|pa|in|on)[ \t]+"
    rf"({_STREET_PREFIX}(?!(?i:hjem|heim|halv|midt|mot|arbeids|skole|skule|livs)){_LETTER}{{3,}}?(?i:veien|vegen|vei|veg|gata|gaten|gate|stien|allé|alléen|alleen|svingen|terrassen|kroken|smauet|stredet|veita))"
    rf"(?![ \t]*\d)(?!{_LETTER})"
)
# A named home where someone lives, with no street: «bor på Bjørkelia sykehjem i Hokksund»
_NAMED_HOME = re.compile(
    rf"(?<!{_LETTER})(?i:bor|bur|bodde|budde|lives|living)[ \t]+{_WORD_BEFORE_THE_PLACE}(?i:på|pa|i|at|in)[ \t]+"
    rf"({_CAPITAL}{_LETTER}+[ \t]+(?:(?i:bo-[ \t]+og)[ \t]+)?(?i:{_HOMES}))(?!{_LETTER})"
)
# A farm named after «garden», or a farm with its direction after «bor på»: «på garden Haugtun»,
# «garden Nedre Rud (gnr. 88/4)», «vi bur på Vestre Haug»
_NAMED_FARM = re.compile(
    rf"(?<!{_LETTER})(?:(?i:garden|gården|garde|gardsbruket|gårdsbruket|småbruket|smabruket)[ \t]+({_STREET_PREFIX}{_CAPITAL}{_LETTER}+)"
    rf"|(?i:bor|bur|bodde|budde)[ \t]+{_WORD_BEFORE_THE_PLACE}(?i:på|pa)[ \t]+((?i:nedre|øvre|ovre|søndre|sondre|nordre|vestre|østre|ostre)[ \t]+{_CAPITAL}{_LETTER}+))"
    rf"(?:[ \t]*\((?i:gnr|g\.nr|gårdsnr|gardsnr)[^()\n]{{1,20}}\))?(?!{_LETTER})"
)

# Two streets that meet, with no house number: "hjørnet av Kirkegata og Nedre Storgate", "i krysset
# Konnerudgata/Engene", "mellom Kirkeveien og Bekkeveien, nr. 3" (one of the two has a street ending)
_STREET_NAME = rf"{_STREET_PREFIX}(?:{_CAPITAL}{_LETTER}+\.?[ \t]+){{0,2}}(?:{_CAPITAL}{_LETTER}+|(?i:gate|gata|vei|veien|veg|vegen|allé))"
_CROSSING = re.compile(
    rf"(?<!{_LETTER})(?i:hjørnet av|hjørnet mellom|hjornet av|krysset|krysset mellom|mellom)[ \t]+"
    rf"({_STREET_NAME})[ \t]*(?:/|&|[ \t](?i:og)[ \t])[ \t]*({_STREET_NAME}(?:,?[ \t]*(?i:nr|nummer)\.?[ \t]*\d{{1,3}}{_LETTER}?(?!\w))?)"
)
_STREET_ENDING = re.compile(
    rf"(?i:{_alternation(_STREET_SUFFIXES + _CAPITAL_ONLY_SUFFIXES)}|[ \t](?:gate|gata|vei|veg|allé))(?:,?[ \t]*(?i:nr|nummer)\.?[ \t]*\d{{1,3}}{_LETTER}?)?$"
)
# A home or ward named before its street: "Solstua bofellesskap, Solstuveien 10", "Bragernes bo- og
# omsorgssenter, Tordenskiolds gate 40"
_INSTITUTION_BEFORE_THE_STREET = re.compile(
    rf"(?<!{_LETTER})((?:{_CAPITAL}{_LETTER}+[ \t]+{_SCHOOL_ADJECTIVE}(?:(?i:bo-[ \t]+og)[ \t]+)?(?i:{_HOMES})|{_CAPITAL}{_LETTER}*(?:{_HOMES})"
    rf"|(?i:barnehagen|skolen|skulen|bofellesskapet|sykehjemmet|studenthjemmet|studentheimen|internatet|hybelhuset)[ \t]+{_CAPITAL}{_LETTER}+"
    rf"|(?i:villa)[ \t]+{_CAPITAL}{_LETTER}+|(?:{_HOMES})(?<=[et]))"
    rf"(?:[ \t]+(?i:avd|avdeling)\.?[ \t]*\d{{1,3}})?),[ \t]*$"
)
# The dwelling written before the street with «i»: «bofellesskapet i Ringveien 40», «kjellerleiligheten
# i Fagerliveien 19», «sokkelen hos Ola Nordby i Bjørkeveien 31», «leilegheit 3 i Kyrkjevegen 12»
_DWELLING_BEFORE_THE_STREET = re.compile(
    rf"(?<!{_LETTER})((?:{_CAPITAL}{_LETTER}+[ \t]+)?(?i:{_HOMES}|brakka|brakke|kjellerleiligheten|kjellarleilegheita|"
    rf"sokkelen|sokkelleiligheten|loftet|loftsleiligheten|hybelen|leiligheten|leilegheita|leilighet[ \t]+\d{{1,4}}|leilegheit[ \t]+\d{{1,4}}|"
    rf"{_CAPITAL}{_LETTER}*(?:{_HOMES}))(?:[ \t]+(?i:hos)(?:[ \t]+{_CAPITAL}{_LETTER}+){{1,3}})?)[ \t]+(?i:i|på|pa)[ \t]+$"
)
# «c/o Hoa Tran, Kirkegata 3»: the c/o line belongs to the address
_CARE_OF_BEFORE_THE_STREET = re.compile(rf"(?<!{_LETTER})((?i:c/o|co\.|c\.o\.)[ \t]+[^,\n]{{1,40}}),[ \t]*$")

# The same after the postcode and place: "Tollbugata 12, 3044 Drammen, leilighet 303"
_FLAT_AFTER_THE_PLACE = re.compile(rf"(?:{_FLAT_PART})+")
# ... and before the street: "Leilighet 12, Strømsgodsveien 40", "Oppgang B, Ringveien 3"
_FLAT_BEFORE_THE_STREET = re.compile(
    rf"(?<!{_LETTER})(?i:{'|'.join(_FLAT_WORDS)}|oppgang|inngang)\.?[ \t]*(?:(?i:nr)\.?[ \t]*)?[A-Za-z0-9]{{1,4}},[ \t]*$"
)
# A farm or hamlet named before the postcode, after «på», «er» or «gården»: "bur på Nystøl, 3623
# Lampeland", "på garden Nordre Haug, 3360 Geithus", "på Fossum gård, 3358 Nedre Eggedal", and
# "gården Skoglund, Tranbyveien 40"
_FARM_BEFORE = re.compile(
    rf"(?<!{_LETTER})(?i:på|pa|er|fra|frå|gården|garden|gard|gård|bosatt|busett)[ \t]+"
    rf"({_STREET_PREFIX}{_CAPITAL}{_LETTER}+(?:[ \t]+(?i:gård|gard|garden|gården))?),[ \t]*$"
)
_FARM_WORDS_BEFORE_A_STREET = re.compile(
    r"(?i:gården|garden|gard|gård)[ \t]+(?:\S+[ \t]+)?\S+,[ \t]*$|\S[ \t]+(?i:gård|gard|gården|garden),[ \t]*$")
# The place written after the address in the other order or case: "Sundhaugen 2 Hokksund 3300",
# and a lowercase place after a comma that ends the sentence: "bruveien 3a, mjøndalen."
_PLACE_THEN_POSTCODE = re.compile(rf",?[ \t]+{_PLACE}[ \t]+\d{{4}}(?!\d)(?![.,:/-]\d)")
# (a known place only: "Bakkeveien 2, alene" ends with no town)
_LOWERCASE_PLACE_AT_THE_END = re.compile(rf",[ \t]*({_LOWERCASE_PLACE})(?=[ \t]*(?:[.!?]|$))")
_PLACE_AFTER_A_BOLIGNUMMER = re.compile(
    rf"[ \t]+(?!(?i:{_alternation(_NOT_PLACE_WORDS)})(?!{_LETTER})){_PLACE}(?![ \t]*\d)(?!{_LETTER})"
)
_ENDS_WITH_A_BOLIGNUMMER = re.compile(r"[HhUuKkLl]\d{4}$")
# A district or farm named before the street after «bor på»: «bor på Vikersund, Hagaveien 15»,
# «bur på Rud nordre, Hedenstadveien 120»
_DISTRICT_BEFORE_THE_STREET = re.compile(
    rf"(?<!{_LETTER})(?:(?i:bor|bur|bodde|budde)[ \t]+(?:(?i:nå|no|fortsatt|framleis|alene|aleine|åleine|hos oss|hjå oss|hos meg|hjå meg)[ \t]+)?(?i:på|pa)"
    rf"|(?i:adressen|adressa|adresse)(?:[ \t]+(?i:vår|var|min|mi))?[ \t]+(?i:er))[ \t]+"
    rf"((?i:{_STREET_PREFIX}){_PLACE}(?:[ \t]+(?i:nordre|søndre|sondre|øvre|nedre|vestre|østre|gård|gard))?"
    rf"|(?i:nedre|øvre|ovre|søndre|sondre|nordre|vestre|østre|ostre)[ \t]+{_SMALL}{_LETTER}+),[ \t]*$"
)
# The district after «på» right after the house number: "Sagveien 9 på Vestfossen", "bruveien 3 på
# mjøndalen" (lowercase only when it is a known place). The town after «i» stays: sets 1 and 3 keep it
_TOWN_AFTER_THE_NUMBER = re.compile(
    rf"[ \t]+(?i:på|pa)[ \t]+(?:(?!(?i:{_alternation(_NOT_PLACE_WORDS)})(?!{_LETTER})){_PLACE}|({_LOWERCASE_PLACE}))(?![ \t]*\d)(?!{_LETTER})"
)
_ENDS_WITH_A_PLACE = re.compile(rf"\d{{4}}[ \t]+{_LETTER}+$|,[ \t]*{_PLACE}$")


def _is_known_place(word: str) -> bool:
    """A lowercase word that names a town or district («drammen», «mjøndalen»)."""
    return bool(_names.default_lexicon().lookup(word) & _names.KNOWN_PLACE)


def _widen_address(text: str, start: int, end: int) -> Tuple[int, int]:
    """The address span with the flat, floor or farm name written around it."""
    after = _FLAT_AFTER_THE_PLACE.match(text, end)
    if after:
        end = after.end()
    if not _ENDS_WITH_A_PLACE.search(text, start, end):
        place = _PLACE_THEN_POSTCODE.match(text, end)
        if not place and _ENDS_WITH_A_BOLIGNUMMER.search(text, start, end):  # "Hamborggata 18 H0102 Drammen"
            place = _PLACE_AFTER_A_BOLIGNUMMER.match(text, end)
        lowercase = _LOWERCASE_PLACE_AT_THE_END.match(text, end)
        if lowercase and _is_known_place(lowercase.group(1)):
            place = lowercase
        if not place and re.search(r"(?:\d\w?|(?i:etasje|etg\.?|høgda|floor|[hu]\d{4}))$", text[start:end]):
            town = _TOWN_AFTER_THE_NUMBER.match(text, end)
            if town and (town.group(1) is None or _is_known_place(town.group(1))):
                place = town
        if place:
            end = place.end()
    before = _FLAT_BEFORE_THE_STREET.search(text, 0, start)
    if before:
        start = before.start()
    for before_the_street in (_INSTITUTION_BEFORE_THE_STREET, _DWELLING_BEFORE_THE_STREET, _CARE_OF_BEFORE_THE_STREET):
        found = before_the_street.search(text, 0, start)
        if found:
            start = found.start(1)
    farm = _FARM_BEFORE.search(text, 0, start)
    named_a_farm = _FARM_WORDS_BEFORE_A_STREET.search(text, 0, start) is not None
    starts_with_postcode = re.match(r"\d{4}\s|(?i:gnr|gårdsnr|gardsnr|bnr)", text[start:end]) is not None
    # «fra» names a farm only as one: «fra Nordby gård, ...», not «fra Hokksund, 3300 ...»
    from_a_town = farm is not None and farm.group().lower().startswith(("fra", "frå")) and not named_a_farm
    if farm and not from_a_town and (starts_with_postcode or named_a_farm):
        start = farm.start(1)
    else:
        district = _DISTRICT_BEFORE_THE_STREET.search(text, 0, start)
        if district:
            start = district.start(1)
    return start, end


# Dates of birth: a date with its year after "født", "fødselsdato", "f.", "born" ...
_DATE = (
    r"(?:\d{1,2}\s?[./-]\s?\d{1,2}\s?[./-]\s?(?:\d{4}|\d{2})"  # 03.04.2009, 3/4-09
    r"|(?:19|20)\d{2}-\d{1,2}-\d{1,2}"  # 2009-04-03
    rf"|\d{{1,2}}\.?\s*(?i:{_alternation(_MONTHS)})\.?,?\s*(?:\d{{4}}|'?\d{{2}})"  # 3. april 2009
    rf"|(?i:{_alternation(_MONTHS)})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"  # April 3, 2009
    r"|\d{6}|\d{8})"  # 030409, 03042009
)
_BIRTH_CONTEXT = (
    r"f(?:ø|o|oe)(?:dt|dd|de)|f(?:ø|o|oe)dselsdato(?:en)?|f(?:ø|o|oe)dselsdag|f(?:ø|o|oe)dd?ags?dato"
    r"|f\.\s?dato|fdato|f\.d\.|f\.|dob|d\.o\.b\.?|born|date of birth|birth date|birthday"
    r"|bursdag(?:en)?(?:\s+(?:min|mi|hans|hennes|hennar|til\s+\w+))?(?:\s+er)?"
)
_DATE_OF_BIRTH = re.compile(
    rf"(?<!\w)(?i:{_BIRTH_CONTEXT})\s*[:(,]?\s*(?:(?i:den|d\.|on|the|er|var|:)\s+)?({_DATE})(?![\d])(?![.,]\d)"
)


def _fold_word(word: str) -> str:
    return word.lower().replace("ø", "o").replace("æ", "ae").replace("å", "a")


_STREET_NAME_WORDS_FOLDED = frozenset(_fold_word(w) for w in _STREET_NAME_WORDS)
_NOT_STREET_NAME_WORDS_FOLDED = frozenset(_fold_word(w) for w in _NOT_STREET_NAME_WORDS)
# Capitalised words before a number that make it no house number, even with a postcode after it
_STREET_BEFORE_POSTCODE_NOT_NAMES = frozenset(_fold_word(w) for w in _NOT_PLACE_WORDS + (
    "rom", "buss", "bussen", "linje", "klasse", "uke", "side", "kapittel", "tlf", "telefon", "mobil",
    "nummer", "nr", "time", "timen", "alder", "postboks", "pb", "hei", "hallo", "takk", "mvh", "hilsen",
    "ring", "ringer", "sms", "send", "kode", "pin", "kontonummer", "konto",
))


# --- allow-list -----------------------------------------------------------------------------


@dataclass(frozen=True)
class AllowList:
    """What is never masked: the municipality's own contacts and the national numbers."""

    numbers: FrozenSet[str] = frozenset()  # national significant numbers, digits only
    emails: FrozenSet[str] = frozenset()  # lowercase
    names: FrozenSet[str] = frozenset()  # folded lowercase full names and their parts

    def allows_number(self, text: str) -> bool:
        return _national_digits(text) in self.numbers

    def allows_name(self, text: str) -> bool:
        """A contact's name or part of it; a full name also with one letter wrong in one of its
        words ("morten janson" for Morten Jansson)."""
        words = [_fold_word(t) for t in text.split()]
        if " ".join(words) in self.names:
            return True
        if len(words) < 2:
            return False
        unknown = [w for w in words if w not in self.names]
        return len(unknown) == 1 and len(unknown[0]) >= MIN_FUZZY_NAME_LENGTH and any(
            _one_edit_apart(unknown[0], name) for name in self.names if " " not in name
        )


def _one_edit_apart(a: str, b: str) -> bool:
    """One letter added, dropped or changed."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i + (len(a) == len(b)):] == b[i + 1:]


def _national_digits(text: str) -> str:
    """Digits of a number as dialled inside Norway (drops +47 / 0047)."""
    try:
        parsed = phonenumbers.parse(text, PHONE_REGION)
        if parsed.country_code == 47:
            return str(parsed.national_number)
    except phonenumbers.NumberParseException:
        pass
    return _digits(text)


def build_allow_list(contacts_file: Optional[Path] = None) -> AllowList:
    """The national numbers plus every phone, e-mail and name in the contact directories: the one
    file given, or every municipality's content/municipalities/<id>/contacts.yml."""
    numbers = {_national_digits(n) for n in NATIONAL_NUMBERS}
    emails: set = set()
    names: set = set()
    if contacts_file is None:
        import settings  # read on first use, never at import

        files = sorted(Path(settings.load().municipalities_dir).glob("*/contacts.yml"))
    else:
        files = [Path(contacts_file)]
    for path in files:
        try:
            import yaml

            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            for contact in data.get("contacts") or []:
                if contact.get("phone"):
                    numbers.add(_national_digits(str(contact["phone"])))
                if contact.get("email"):
                    emails.add(str(contact["email"]).strip().lower())
                if contact.get("name"):
                    folded = [_fold_word(t) for t in str(contact["name"]).split()]
                    names.add(" ".join(folded))
                    names.update(folded)
        except (OSError, ValueError, AttributeError, TypeError) as error:
            # Masking must go on; the action server is the one that fails loudly on this file.
            logger.warning("masking: cannot read the contact allow-list %s: %s", path, error)
    return AllowList(frozenset(numbers), frozenset(emails), frozenset(names))


# --- spaCy NER ------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _ner_pipeline():
    """nb_core_news_sm with only what NER needs, or None where it is not installed.

    The blank 'nb' fallback of nlp/spacy_model.py has no NER, so there is nothing to load.
    """
    try:
        from nlp import spacy_model

        if not spacy_model.preferred_model_installed():
            logger.info("masking: %s not installed: names only by the 'jeg heter' rule", spacy_model.PREFERRED_MODEL)
            return None
        import spacy

        nlp = spacy.load(spacy_model.PREFERRED_MODEL, exclude=["parser", "lemmatizer", "attribute_ruler", "morphologizer", "senter"])
        if "ner" not in nlp.pipe_names:
            return None
        return nlp
    except Exception as error:  # a broken model must not stop conversations being stored
        logger.warning("masking: spaCy NER unavailable: %s", error)
        return None


def ner_available() -> bool:
    return _ner_pipeline() is not None


# --- the masker -----------------------------------------------------------------------------


@dataclass
class Masker:
    """Finds and replaces personal data. `use_ner=None` uses spaCy NER wherever it exists."""

    allow_list: Optional[AllowList] = None
    use_ner: Optional[bool] = None
    name_finder: Optional[NameFinder] = None  # None: privacy/data's name lists, read on first use
    _detectors: Sequence[Callable[[str], Iterable[Finding]]] = field(init=False, repr=False)
    _name_detectors: Sequence[Callable[[str], Iterable[Finding]]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.name_finder is None:
            self.name_finder = NameFinder()
        self._detectors = (
            self._emails, self._eleven_digit_ids, self._dates_of_birth, self._addresses, self._phones,
            self._names, self._ner_names, self._long_digits,
        )
        self._name_detectors = (self._names, self._ner_names)

    @property
    def allowed(self) -> AllowList:
        if self.allow_list is None:
            self.allow_list = build_allow_list()
        return self.allow_list

    def mask(self, text: str, names: bool = True) -> MaskResult:
        """`names=False` skips the name rules and NER (for the bot's own replies)."""
        if not text or not isinstance(text, str):
            return MaskResult(text)
        candidates: List[Finding] = []
        for detect in self._detectors:
            if names or detect not in self._name_detectors:
                candidates.extend(detect(text))
        if not candidates:
            return MaskResult(text)
        candidates.extend(self._whole_names(text, candidates))
        candidates.extend(_repeated_names(text, candidates))
        findings = _joined_addresses(text, _resolve_overlaps(candidates))
        return MaskResult(replace_findings(text, findings), tuple(findings))

    # detectors: each yields Findings in the original text

    def _emails(self, text: str) -> Iterable[Finding]:
        for pattern in (_EMAIL, _EMAIL_OBFUSCATED, _EMAIL_NO_DOMAIN_END):
            if pattern is not _EMAIL_OBFUSCATED and "@" not in text:
                continue
            for match in pattern.finditer(text):
                if match.group().lower() not in self.allowed.emails:
                    yield Finding(EMAIL, match.start(), match.end())

    def _eleven_digit_ids(self, text: str) -> Iterable[Finding]:
        for match in _ELEVEN_DIGITS.finditer(text):
            digits = _digits(match.group())
            before = text[max(0, match.start() - ACCOUNT_CONTEXT_CHARS):match.start()]
            says_account = bool(_ACCOUNT_CONTEXT.search(before) or _ACCOUNT_GROUPING.match(match.group()))
            says_national_id = bool(_NATIONAL_ID_CONTEXT.search(before))
            if fodselsnummer.is_valid(digits) and (says_national_id or not says_account):
                kind = NATIONAL_ID  # every valid fødselsnummer also passes the account checksum
            elif kontonr.is_valid(digits):
                kind = ACCOUNT
            elif fodselsnummer.is_valid(digits) or says_national_id:
                kind = NATIONAL_ID  # or a mistyped one: still masked as what it was meant to be
            elif says_account:
                kind = ACCOUNT
            else:
                kind = NUMBER
            yield Finding(kind, match.start(), match.end())

    def _addresses(self, text: str) -> Iterable[Finding]:
        for finding in self._address_cores(text):
            yield Finding(ADDRESS, *_widen_address(text, finding.start, finding.end))

    def _address_cores(self, text: str) -> Iterable[Finding]:
        for match in _FARM_WITHOUT_A_STREET.finditer(text):
            yield Finding(ADDRESS, match.start(1), match.end(1))
        for match in _NAMED_HOME.finditer(text):
            yield Finding(ADDRESS, match.start(1), match.end(1))
        for match in _STREET_WITHOUT_A_NUMBER.finditer(text):
            yield Finding(ADDRESS, match.start(1), match.end(1))
        for match in _NAMED_FARM.finditer(text):
            farm = match.group(1) or match.group(2)
            if not _is_known_place(farm.split()[-1].lower()):  # «bor på Nedre Eiker» names a town
                yield Finding(ADDRESS, match.start(1) if match.group(1) else match.start(2), match.end())
        for match in _CROSSING.finditer(text):
            if _STREET_ENDING.search(match.group(1)) or _STREET_ENDING.search(match.group(2)):
                yield Finding(ADDRESS, match.start(1), match.end(1))
                yield Finding(ADDRESS, match.start(2), match.end(2))
        if not any(ch.isdigit() for ch in text):
            return
        for pattern in _ADDRESS_PATTERNS:
            for match in pattern.finditer(text):
                yield Finding(ADDRESS, match.start(), match.end())
        for pattern in _ADDRESS_CONTEXT_PATTERNS:
            for match in pattern.finditer(text):
                yield Finding(ADDRESS, match.start(1), match.end(1))
        for match in _SEPARATE_STREET.finditer(text):
            # a postcode after the house number says it is an address whatever the words before
            # the street word: "øvre eiker vei 7 b, 3320 vestfossen"
            with_postcode = re.search(r"\d[^\d]+\d{4}\s+[^\W\d]", text[match.end(1):match.end()]) is not None
            start = self._street_name_start(match, with_postcode)
            if start is not None:
                yield Finding(ADDRESS, start, match.end())
        for match in _STREET_BEFORE_POSTCODE.finditer(text):
            start = _capitalised_street_start(match)
            if start is not None:
                yield Finding(ADDRESS, start, match.end())

    def _street_name_start(self, match: "re.Match", with_postcode: bool = False) -> Optional[int]:
        """Where the street name of "... sondre gate 7" starts: the words before the street
        word back to one that is no part of a street name; None when it is no street."""
        words = list(re.finditer(rf"{_LETTER}+\.?", match.group(1)))
        kept = []
        for word in reversed(words):
            if _fold_word(word.group().rstrip(".")) in _NOT_STREET_NAME_WORDS_FOLDED:
                break
            kept.append(word)
        if not kept:
            return None
        last = kept[0].group().rstrip(".")
        lexicon = self.name_finder.lexicon
        flags = lexicon.lookup(last.lower())
        said_to_live = _LIVES_AT.search(match.string, 0, match.start(1) + kept[-1].start()) is not None
        if not (
            with_postcode
            or said_to_live
            or _fold_word(last) in _STREET_NAME_WORDS_FOLDED
            or (len(last) > 2 and last.lower().endswith("s") and not last.lower().endswith("ss"))  # "oscars gate"
            or (flags & NAME_FLAGS and not flags & NOT_A_NAME_FLAGS)  # "sondre gate", "Thereses gate"
            or (last[0].isupper() and not flags & NOT_A_NAME_FLAGS)  # "Karl Johan gate"
        ):
            return None
        return match.start(1) + kept[-1].start()

    def _whole_names(self, text: str, candidates: Sequence[Finding]) -> List[Finding]:
        """A found name with the capitalised name right after it («Kari-Anne Sætre»: the surname is a
        place too) or a first name right before it inside a sentence («min, Hans Petter Dahl»)."""
        lexicon = self.name_finder.lexicon
        wider = []
        for found in (f for f in candidates if f.kind == NAME):
            after = _NAME_AFTER.match(text, found.end)
            if after:
                flags = lexicon.lookup(after.group(1).lower())
                if not flags & (_names.WORD | _names.CALENDAR) and not self.allowed.allows_name(after.group(1)):
                    wider.append(Finding(NAME, found.start, after.end()))
            before = _FIRST_NAME_BEFORE.search(text, 0, found.start)
            if before and lexicon.lookup(before.group(1).lower()) & _names.FIRST:
                wider.append(Finding(NAME, before.start(1), found.end))
        return wider

    def _dates_of_birth(self, text: str) -> Iterable[Finding]:
        if not any(ch.isdigit() for ch in text):
            return
        for match in _DATE_OF_BIRTH.finditer(text):
            yield Finding(DATE_OF_BIRTH, match.start(1), match.end(1))

    def _phones(self, text: str) -> Iterable[Finding]:
        if sum(ch.isdigit() for ch in text) < 3:
            return
        for match in phonenumbers.PhoneNumberMatcher(text, PHONE_REGION):
            number = match.number
            national = str(number.national_number) if number.country_code == 47 else _digits(match.raw_string)
            if national in self.allowed.numbers or _DATE_LIKE.fullmatch(match.raw_string):
                continue
            yield Finding(PHONE, match.start, match.end)

    def _long_digits(self, text: str) -> Iterable[Finding]:
        for match in _LONG_DIGITS.finditer(text):
            if match.group() not in self.allowed.numbers:
                yield Finding(NUMBER, match.start(), match.end())

    def _names(self, text: str) -> Iterable[Finding]:
        for start, end in self.name_finder.find(text):
            if not self.allowed.allows_name(text[start:end]):
                yield Finding(NAME, start, end)

    def _ner_names(self, text: str) -> Iterable[Finding]:
        if self.use_ner is False:
            return
        nlp = _ner_pipeline()
        if nlp is None:
            return
        for entity in nlp(text).ents:
            if entity.label_ in NER_LABELS and not PLACEHOLDER_PATTERN.search(entity.text):
                if not self.allowed.allows_name(entity.text):
                    yield Finding(NAME, entity.start_char, entity.end_char)


def _capitalised_street_start(match: "re.Match") -> Optional[int]:
    """Where the street name of "... Rundtom 10, 3042 Drammen" starts: the capitalised words before
    the number back to one that is no part of a street name ("I", "Bor", "Hei"); None when the
    word before the number is a month, a weekday or a word like "Rom", "Buss", "Tlf"."""
    words = list(re.finditer(rf"{_LETTER}+\.?", match.group(1)))
    kept = []
    for word in reversed(words):
        folded = _fold_word(word.group().rstrip("."))
        if folded in _NOT_STREET_NAME_WORDS_FOLDED or folded in _STREET_BEFORE_POSTCODE_NOT_NAMES:
            break
        kept.append(word)
    if not kept:
        return None
    return match.start(1) + kept[-1].start()


_NAME_AFTER = re.compile(rf"[ \t]({_CAPITAL}{_SMALL}+(?:-{_CAPITAL}{_SMALL}+)?)(?!{_LETTER})(?![ \t]*\d)")  # not «GP»
# a capitalised first name inside a sentence (after a comma or a small word), right before a name
_FIRST_NAME_BEFORE = re.compile(rf"(?:,|{_SMALL})[ \t]+({_CAPITAL}{_SMALL}+)[ \t]$")


def _repeated_names(text: str, candidates: Sequence[Finding]) -> List[Finding]:
    """A name found once is a name wherever else it stands in the message, alone or in part:
    «Bestemor til Liv her. Liv er 8» (the second «Liv» starts a sentence, like the word «liv»)."""
    names = {text[f.start:f.end] for f in candidates if f.kind == NAME}
    parts = {part for name in names for part in re.findall(rf"{_CAPITAL}{_LETTER}{{2,}}", name)}
    found = []
    for word in names | parts:
        for match in re.finditer(rf"(?<!{_LETTER}){re.escape(word)}(?!{_LETTER})", text):
            found.append(Finding(NAME, match.start(), match.end()))
    return found


def _resolve_overlaps(candidates: Sequence[Finding]) -> List[Finding]:
    ranked = sorted(candidates, key=lambda f: (-_PRIORITY[f.kind], -(f.end - f.start), f.start))
    chosen: List[Finding] = []
    starts: List[int] = []
    for finding in ranked:
        index = bisect.bisect_left(starts, finding.start)
        overlaps_before = index > 0 and chosen[index - 1].end > finding.start
        overlaps_after = index < len(chosen) and chosen[index].start < finding.end
        if overlaps_before or overlaps_after:
            continue
        chosen.insert(index, finding)
        starts.insert(index, finding.start)
    return chosen


_ONLY_A_COMMA = re.compile(r"[ \t]*[,/]?[ \t]*")  # «Vinkelstykket 4 H0101 / 3040 Drammen»


def _joined_addresses(text: str, findings: List[Finding]) -> List[Finding]:
    """Addresses with only a comma or a space between them are one: «3540 Nesbyen, Rukkedalsvegen 88»."""
    joined: List[Finding] = []
    for finding in findings:
        last = joined[-1] if joined else None
        if (last and last.kind == finding.kind == ADDRESS
                and _ONLY_A_COMMA.fullmatch(text, last.end, finding.start)):
            joined[-1] = Finding(ADDRESS, last.start, finding.end)
        else:
            joined.append(finding)
    return joined


@functools.lru_cache(maxsize=1)
def default_masker() -> Masker:
    return Masker()


def mask(text: str) -> MaskResult:
    """Masks personal data in `text` with the default allow-list (content/contacts.yml)."""
    return default_masker().mask(text)
