"""Reads who needs help, and how old they are, from what people write.

Pure logic, no Rasa; it runs on every message, so every pattern is compiled at import.
The evidence decides in this order (tests/unit/test_age.py has a table row for each rule):

1. A stated age or age range, the latest one winning, so a correction re-routes ("nei, han
   er 19", "17 ikke 71", "mente 16"): "jeg er 17", "æ e femten", "sønnen min på 14", "16 år",
   "en 15-åring", "snart 18" (17), "fyller 18 neste uke" (17), "har fylt 16", "over 18",
   "under 18", "mellom 16 og 20" (straddles 18: asks). Numbers may be words in bokmål,
   nynorsk or dialect ("søtten", "tjuge", "to og tjue"). Numbers that are not ages are
   skipped: phone numbers, times, dates, years, "2 barn", "3 uker", "i 5 år", above 120.
2. School: "8. klasse", "ungdomsskolen", "barnehagen", "VG1", "VG2" are under 18; "VG3",
   "videregående" and "student" may be 18 or more, so they ask.
3. A past age that still tells the route: "siden hun var 19" is an adult now.
4. Words: "tenåring", "eleven min", "barn og unge" -> child; "mannen min", "pensjonist",
   "bestemor" -> adult; "sønnen min" and "barnet mitt" alone ask (a son or a child can be 40;
   two blind authors asked). Two people either side of 18 ("tvillingene er 16 og 19") ask. "Tenåring" counts as a
   child, as before, though a 19-year-old is one too. "Småbarnsmor" describes the writer, an
   adult; a child named beside it ("småbarnsmor, barnet mitt sliter") is who the help is for.
   "Jeg har 2 barn" says the writer is a parent, not that the help is for a child: it asks.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from nlp.language import ENGLISH, detect
from nlp.normalize import fold, normalize


def _compile(pattern: str) -> re.Pattern[str]:
    """Patterns are folded like messages (æ->ae, ø->o, å->a ...), so write them in plain Norwegian."""
    return re.compile(fold(pattern))


def _words(text: str) -> frozenset[str]:
    """A word list folded like messages, so lists are written in plain Norwegian too."""
    return frozenset(fold(text).split())


ADULT_AGE = 18  # 17 is a child, 18 an adult
MAX_PLAUSIBLE_AGE = 120

CHILD = "child"
ADULT = "adult"

Span = tuple[int, int]  # youngest and oldest age the text allows

# --- Numbers written as words -------------------------------------------------------------
# Every spelling a value goes by: bokmål, nynorsk, dialect ("søtten", "tjuge", "attn").
_ONES = {0: "null", 1: "en ei ein ett eitt", 2: "to tvo", 3: "tre", 4: "fire", 5: "fem",
         6: "seks", 7: "sju syv", 8: "åtte otte", 9: "ni"}
_TEENS = {10: "ti", 11: "elleve elve ellve elva", 12: "tolv", 13: "tretten trettan trettn",
          14: "fjorten fjortan fjortn", 15: "femten femtan femtn", 16: "seksten sekstan sekstn",
          17: "sytten søtten syttan søttan syttn søttn", 18: "atten attan attn",
          19: "nitten nittan nittn"}
_TENS = {20: "tjue tjuge tyve tju", 30: "tretti tredve", 40: "førti", 50: "femti",
         60: "seksti", 70: "sytti søtti", 80: "åtti", 90: "nitti"}
_HUNDREDS = "hundre hundra"


def _values(groups: dict[int, str]) -> dict[str, int]:
    return {word: value for value, words in groups.items() for word in _words(words)}


_ONE_VALUES, _TEEN_VALUES, _TEN_VALUES = _values(_ONES), _values(_TEENS), _values(_TENS)
_COMPOUND_ONES = {word: value for word, value in _ONE_VALUES.items() if value}  # never "tjuenull"
_ARTICLES = _words("en ei ein")  # "en gutt" is an article; "one" only inside "tjueen", "en og tjue"


def _alternatives(words) -> str:
    return "|".join(sorted(words, key=len, reverse=True))


# One word, spaces removed: "femten", "tjuefem", "femogtjue" (old counting), "hundreogti"
_NUMBER_WORD = re.compile(
    rf"(?:(?P<hundred>{_alternatives(_words(_HUNDREDS))})(?:og(?=.))?)?"
    rf"(?:(?P<tens>{_alternatives(_TEN_VALUES)})(?P<tens_ones>{_alternatives(_COMPOUND_ONES)})?"
    rf"|(?P<ones_og>{_alternatives(_COMPOUND_ONES)})og(?P<og_tens>{_alternatives(_TEN_VALUES)})"
    rf"|(?P<teen>{_alternatives(_TEEN_VALUES)})"
    rf"|(?P<ones>{_alternatives(_ONE_VALUES)}))?"
)


def number_value(words: str) -> int | None:
    """The number a normalised word or word sequence names, else None.

    "17" -> 17, "femten" -> 15, "søtten" -> 17, "tjuefem" / "tjue fem" / "fem og tjue" -> 25,
    "hundre og ti" -> 110. "og" alone, "tenåring" or "to tre" name no number.
    """
    text = words.strip()
    if text.isdigit():
        return int(text)
    return _folded_number(fold(text).replace(" ", ""))


@lru_cache(maxsize=4096)  # messages repeat their words; this runs for every word of every message
def _folded_number(key: str) -> int | None:
    match = _NUMBER_WORD.fullmatch(key) if key.isalpha() else None
    if not match:
        return None
    part = match.groupdict()
    value = 100 if part["hundred"] else 0
    if part["tens"]:
        value += _TEN_VALUES[part["tens"]] + _COMPOUND_ONES.get(part["tens_ones"] or "", 0)
    elif part["ones_og"]:
        value += _COMPOUND_ONES[part["ones_og"]] + _TEN_VALUES[part["og_tens"]]
    elif part["teen"]:
        value += _TEEN_VALUES[part["teen"]]
    elif part["ones"]:
        value += _ONE_VALUES[part["ones"]]
    return value


# --- From message to tokens ----------------------------------------------------------------
# Where a clause ends, marked as a token before folding (a capital after "." ends a sentence),
# so "det er meg, 52 år" starts afresh at 52; "17,5", "kl. 14" and "8. klasse" end nothing.
_SEP = "qsep"
_CLAUSE_END = re.compile(r"(?<!\d),|,(?!\d)|[;!?]|\s[–—-]\s|\.(?=\s+[A-ZÆØÅ]|\s*$)")
# Then, on the folded text while punctuation still tells "14.00" from "14 00":
_MASK = " qnum "  # a token no rule knows: the number is gone, the gap stays
_BEFORE_NORMALIZE = [
    (re.compile(r"(?<!\d)\+?\d(?:[ .\-]?\d){7,}(?!\d)"), _MASK),    # phone, "17.05.2008": 8+ digits
    (re.compile(r"\b(\d{1,3})[.,]\d(?= ?ar\b)"), r"\1"),              # "15,5 år" is 15
    (re.compile(r"\b\d+,\d+\b"), _MASK),                                  # "1,80 høy"
    (re.compile(r"\b\d{1,2}[.:/]\d{1,2}(?:[./]\d{2,4})?\b"), _MASK),  # "14.00", "8:30", "1/5"
    (re.compile(r"\d+ ?%"), _MASK),                                    # "100%"
    (re.compile(r"\(\s*(\d{1,3})\s*(?:ar)?\s*\)"), r" alder \1 "),    # "sønnen min (15)"
    (re.compile(r"\b(\d{1,3}) ?\+"), r" \1 eller eldre "),            # "18+"
    (re.compile(r"\b(\d{1,3}) ?[-–] ?(\d{1,3})\b"), r" \1 til \2 "),   # "16-20 år"
]
_DIGITS_THEN_LETTERS = re.compile(r"(\d+)([a-z]+)")                   # "16år", "15åringen", "8ende"
_ORDINAL_ENDINGS = _words("e de nde ende ste te dje ande")
_AGE_COMPOUND = re.compile(fold(r"([a-z]+?)(åring\w*|årig\w*|årsalder\w*|årene|åra|årane)"))  # "femtenåringen", "førtiåra"


def _split(token: str) -> list[str]:
    match = _DIGITS_THEN_LETTERS.fullmatch(token)
    if match:
        return [match.group(1)] if match.group(2) in _ORDINAL_ENDINGS else list(match.groups())
    match = _AGE_COMPOUND.fullmatch(token)
    if match and _folded_number(match.group(1)) is not None:  # "tenåring" stays a word
        return list(match.groups())
    return [token]


def _numbers_as_digits(tokens: list[str]) -> list[str]:
    """Number words become digits; "to og tjue" and "tjue to" are one number (22)."""
    out, i = [], 0
    while i < len(tokens):
        word, size = tokens[i], 1
        value = None if word in _ARTICLES else _folded_number(word)  # "en gutt" is no 1
        if _folded_number(word) is not None:
            for longer in (4, 3, 2):  # the longest sequence that names one number
                window = tokens[i:i + longer]
                if (len(window) == longer and window[-1] != "og"
                        and all(w == "og" or _folded_number(w) is not None for w in window)
                        and _folded_number("".join(window)) is not None):
                    value, size = _folded_number("".join(window)), longer
                    break
        out.append(word if value is None else str(value))
        i += size
    return out


# «vår» (our) folds to «var» (was): after a person noun it is the possessive, said here before
# folding hides it («ungen vår i barnehagen» is no past «ungen var i barnehagen»)
_OUR_AFTER_A_WORD = re.compile(r"(?i)\b(\w+)(\s+)vår\b")


def _our_as_possessive(match: re.Match) -> str:
    return match.group(1) + match.group(2) + ("mi" if _is_person(fold(match.group(1))) else match.group(0)[-3:])


def _tokens(text: str) -> list[str]:
    text = _OUR_AFTER_A_WORD.sub(_our_as_possessive, text)
    folded = fold(_CLAUSE_END.sub(f" {_SEP} ", text))
    for pattern, replacement in _BEFORE_NORMALIZE:
        folded = pattern.sub(replacement, folded)
    split = [part for token in normalize(folded).split() for part in _split(token)]
    return _numbers_as_digits(split)


# --- Stated ages -----------------------------------------------------------------------------
_SELF = _words("jeg eg je jei jæ æ e i")
_SELF_AFTER_VERB = _words("jeg eg je jei jæ")  # "er jeg 17"; not "i", "e", "æ" ("er i 5 år")
_PRONOUNS = _words("han hun ho hu hen vedkommende")
_NEUTRAL_SUBJECTS = _words("som alder alderen")  # "en gutt som er 15", "alderen er 15"
_POSSESSIVES = _words("min mi mitt mine vår vårt våre din di ditt dine hans hennes sin si sitt "
                      "deres dykkar")
_PERSON_NOUNS = _words(
    "barn barnet barna borna onga ongen ungen gutungen guttungen jentungen gutt gutten guten gut guttn gutn "
    "jente jenta jenten jinta sønn sønnen son sonen datter datteren dattera dattra dotter dottera "
    "dotra dotteren elev eleven ungdom ungdommen baby babyen bebis bebisen vesla veslegutten "
    "minsten mann mannen kvinne kvinna kvinnen dame dama damen kona kone mora moren faren mamma "
    "pappa bror broren søster søstera søsteren syster systera venn vennen venninne venninna "
    "kjæreste kjæresten samboer samboeren sambuar sambuaren ektemann ektemannen niese niesa niesen nevø nevøen "
    "tantebarn tantebarnet onkelbarn onkelbarnet oldebarn oldebarnet barnebarna fosterbarn "
    "bestemora bestemoren bestefaren mormor morfar farmor farfar oldemor oldefar tvillingane tvillingar "
    "kamerat kameraten kompis kompisen onkel onkelen tante tanta tanten svoger svogeren svigerinne "
    "svigerinna svigerfar svigerfaren svigermor svigermora svigermoren svigersønn svigersønnen "
    "barnebarn barnebarnet pasient pasienten person personen klient klienten bestemor bestefar "
    "ungene ungane unge ungdommer ungdomma ungdommane ungdommene elever elevene elevane "
    "tvillingen tvillingene folk personer voksne "  # "elevene mine på 14", "unge under 18"
    "pappaen mammaen yngste eldste jentene guttene gutta kar karen fyr fyren"  # "min yngste er 9"
    " venen venene veninne veninna søstra systra besta bestamor bestaen"  # «venen min på 21», «besta mi er 85»
    " student studenten vesleguten veslegut veslejenta veslebror veslesøster veslesøstera sambo sambon"
    " kjærast kjærasten kjæraste partner partneren ektefelle ektefellen"  # «kjærasten min er 25»
    " kusine kusina kusinen fetter fetteren stefar stefaren stemor stemora stemoren mellomste mellomstemann"
    " gravid gravide bruker brukeren brukar brukaren"  # «en gravid på 26», «en bruker på 64» (home care)
)
_NOUNS_WITH_POSSESSIVE = _words("far mor")  # "far min er 50"; bare "far" is also "får"
# "tenåringssønnen", "lillesøstera", "storebroren", "stesønnen", "bonusdattera"
_PERSON_COMPOUND = re.compile(fold(
    r"(?:tenåring|småbarn)\w*|(?:lille|vesle|store|halv|ste|bonus|foster|yngste|eldste)"
    r"(?:bror|søster|søstr|syster|systr|sønn|son|datter|dotter|dattera|gutt|gut|jent|barn)\w*"
    r"|beste(?:venn|ven|kompis|kamerat)\w*"))  # «bestevenninna mi er 14»

_NOW, _DONE, _SOON, _PAST = "now", "done", "soon", "past"
_VERBS = {
    **dict.fromkeys(_words("er e æ ær ir"), _NOW),  # dialect "er": "æ e 15", "ho ir 15"
    **dict.fromkeys(_words("fylt fylte fylde fyllte blitt ble blei vart vorte vorti"), _DONE),
    **dict.fromkeys(_words("fyller fyll fyllar fylle blir bli vert"), _SOON),  # birthday ahead
    **dict.fromkeys(_words("var va"), _PAST),
}
_PARTICIPLES = _words("fylt blitt vorte vorti")
_AUXILIARIES = _words("har ha hev er e æ ær ir")  # "har fylt 16", "er blitt 18"
_WHEN = _words("da siden sia sidan fra etter")     # "da hun ble 18": an event in the past
_IF = _words("når hvis dersom viss")                # "når han fyller 18": nothing about now

_ABOVE, _BELOW, _ABOUT, _NOT, _BETWEEN, _NEUTRAL = "above", "below", "about", "not", "between", "-"
_QUALIFIERS = {
    **dict.fromkeys(_words("snart nesten straks nærmere"), _SOON),
    **dict.fromkeys(_words("over minst eldre mer"), _ABOVE),
    **dict.fromkeys(_words("under yngre mindre"), _BELOW),
    **dict.fromkeys(_words("ca cirka sirka rundt omtrent omkring kanskje kanskj trolig antakelig "
                           "antakeleg sannsynligvis visstnok"), _ABOUT),  # «ho er kanskje 10-11 år»
    **dict.fromkeys(_words("ikke ikkje itj ike"), _NOT),
    "mellom": _BETWEEN,
    **dict.fromkeys(_words("bare berre kun akkurat allerede alt nettopp nett nyss nylig nyleg hele godt litt jo vel nå no "
                           "faktisk egentlig også visst enn altså fortsatt fremdeles sikkert nok"),
                    _NEUTRAL),
}
_OLDER, _YOUNGER = _words("eldre mer over oppover"), _words("yngre mindre under")  # "18 eller eldre"
_YEARS = _words("år")
_AGE_NOUN = re.compile(fold(r"åring\w*|årsalder\w*"))  # "15-åringen", "i 15-årsalderen": always an age
_AGE_ADJECTIVE = re.compile(fold(r"årig\w*"))          # "15-årig gutt", but "treårig avtale"
_OLD = _words("gammel gamle gamal gamalt gammelt")
_NOT_AGE_AFTER = _words(
    "uker uke veker veke dager dag døgn måneder måned mnd timer time min minutter sekunder kg kilo "
    "gram cm meter km kr kroner nok prosent pst ganger gang gonger barn born unger ungar gutter "
    "jenter sønner døtre døtrer søsken personer folk stk stykker tabletter piller pils øl glass "
    "flasker enheter poeng grader klasse klassen kl trinn trinnet klassetrinn tiden sider liter dl "
    "mg promille nummer nr etasje plass av"  # "nok" after a number is kroner, before it "enough"
)
_BABY_UNITS = _words("uker uke veker veke dager måneder måned mnd")  # "3 måneder gammel": age 0
_AFTER_YEARS_NOT_AGE = _words("siden sia sidan tilbake til igjen fram frem framover fremover "
                              "senere seinere med")
_STARTERS = _words("nei ja jo unnskyld sorry beklager oi oops ops hei hallo ok okei altså men meg mæ") | {_SEP}  # «meg. 13»
_AFTER_SUBJECT = _words("og men")  # "jeg heter Ola og er 16": the subject was said before
_CORRECTIONS = _words("mente meinte mener meiner meinar rettelse feil skrivefeil tastefeil vent venta "
                      "beklager orsak sorry unnskyld "
                      "feilskrevet")  # "mente 16", "skrev feil: 17", "61 - skrivefeil, 16"
_AFTER_START = _words("ikke ikkje og men snart eller nå enda ennå enno ennu ende ja jo nei tror trur tipper vel kanskje") | {_SEP}  # «rundt 13 tror jeg»
_STILL = _words("enda ennå enno ennu ende")  # "ikke 18 ennå"
_TOMORROW = _words("morgen morra mora")
_A_FEW = _words("en ei et eitt noen nokre få par")  # "om en uke"; but "om det er viktig" is "if"
_DECADE = _words("årene årane åra")  # "i 30-årene", "midt i førtiåra"
_SINCE = _words("siden sia sidan")
_MODALS = _words("skal ska vil kommer")  # "hun skal fylle 18"
# Words before a bare "N år" that make it an age: "hei, 16 år", "en 15 år gammel", "jeg 16 år"
_YEARS_AFTER = _STARTERS | _words("og en ei ein jeg eg je æ") | _POSSESSIVES
_ON = fold("på")  # "sønnen min på 14"


@dataclass(frozen=True)
class _Claim:
    pos: int  # token index: the latest claim wins
    low: int
    high: int
    who: str | None  # "self", "other" or None (unknown)
    past: bool = False  # "da hun var 19": says only that she is at least 19 now

    @property
    def age(self) -> int | None:
        return self.low if self.low == self.high else None


def _at(tokens: list[str], index: int) -> str:
    return tokens[index] if 0 <= index < len(tokens) else ""


def _is_person(word: str, with_possessive: bool = False) -> bool:
    return (word in _PERSON_NOUNS or bool(_PERSON_COMPOUND.fullmatch(word))
            or (with_possessive and word in _NOUNS_WITH_POSSESSIVE))


def _subject_at(tokens: list[str], j: int, after_verb: bool = False) -> tuple[str | None, int] | None:
    """(who, first index) of a subject ending at j: "jeg", "han", "sønnen min", "min sønn"."""
    if j < 0:
        return None
    word = tokens[j]
    if word in (_SELF_AFTER_VERB if after_verb else _SELF):
        return "self", j
    if word in _PRONOUNS:
        return "other", j
    if word in _NEUTRAL_SUBJECTS and not after_verb:
        return None, j
    if word in _POSSESSIVES and _is_person(_at(tokens, j - 1), with_possessive=True):
        return "other", j - 1
    if _is_person(word):
        return "other", j - 1 if _at(tokens, j - 1) in _POSSESSIVES else j
    return None


def _left(tokens: list[str], i: int) -> tuple[list[str], str | None, int]:
    """Qualifiers and verb left of the number at i, and the index where they stop.

    "han har nettopp fylt 16" -> (["nettopp"], done, index of "han").
    """
    qualifiers: list[str] = []
    kind, auxiliary_allowed, j = None, False, i - 1
    while j >= 0:
        word = tokens[j]
        if word in _QUALIFIERS:
            qualifiers.append(word)
        elif kind is None and word in _VERBS:
            kind, auxiliary_allowed = _VERBS[word], word in _PARTICIPLES
        elif auxiliary_allowed and word in _AUXILIARIES:
            auxiliary_allowed = False
        else:
            break
        j -= 1
    return qualifiers, kind, j


def _span(n: int, top: int, qualifiers: list[str], kind: str | None, after: list[str]) -> Span | None:
    """The ages "n" allows, given the words around it. None: it denies an age ("ikke 71")."""
    said = {_QUALIFIERS[word] for word in qualifiers}
    first, second = _at(after, 0), _at(after, 1)
    if _NOT in said:
        if kind == _DONE or first in _STILL:  # "ikke fylt 18", "ikke 18 ennå"
            return 0, n - 1
        if _ABOVE in said:
            return 0, n
        if _BELOW in said:
            return n, MAX_PLAUSIBLE_AGE
        return None
    if top != n:  # "mellom 16 og 20", "16-20 år"
        return min(n, top), max(n, top)
    if _ABOVE in said or (first in ("eller", "og") and second in _OLDER):
        return n, MAX_PLAUSIBLE_AGE  # "over 18", "18 år eller eldre": 18 or more
    if _BELOW in said:
        return 0, n - 1  # "under 18"
    if first == "eller" and second in _YOUNGER:
        return 0, n
    if _ABOUT in said or first == "ish":
        return n - 1, n + 1
    today = first == "idag" or (first, second) == ("i", "dag")
    if _later(first, second):
        kind = _SOON  # "han er 18 om to uker", "er 18 i morgen": 17 today
    soon_after = _QUALIFIERS.get(first) == _SOON and not second.isdigit()  # "18 snart", not "17 snart 18"
    if (kind == _SOON or _SOON in said or soon_after) and not today:
        return n - 1, n - 1  # "fyller 18 neste uke", "snart 18": 17 today
    if kind == _DONE and (first == "ifjor" or (first, second) == ("i", "fjor")):
        return n, n + 1
    return n, n


def _later(first: str, second: str) -> bool:
    """A time ahead follows the number: "om to uker", "neste uke", "til sommeren", "i morgen"."""
    if first in ("neste", "imorgen", "imorra"):
        return True
    if first == "om":
        return second.isdigit() or second in _A_FEW
    if first == "til":
        return bool(second) and not second.isdigit()  # not "16 til 17"
    return first == "i" and second in _TOMORROW


def _claim_at(tokens: list[str], i: int, claims: dict[int, _Claim]) -> _Claim | None:
    """What the number at tokens[i] says about someone's age, if it is an age at all."""
    n = int(tokens[i])
    if not 0 < n <= MAX_PLAUSIBLE_AGE:  # "jeg er 0" is a slip, "2019" a year
        return None
    following = _at(tokens, i + 1)
    qualifiers, kind, j = _left(tokens, i)
    before = _at(tokens, j)

    if _AGE_NOUN.fullmatch(following) or (
            _AGE_ADJECTIVE.fullmatch(following) and _is_person(_at(tokens, i + 2))):
        span = _span(n, n, qualifiers, None, tokens[i + 2:])  # "en 15-åring", "15-årig gutt"
        return _Claim(i, *span, None) if span else None

    # A span read as one: "mellom 16 og 20", "16 til 20 år", "15 eller 16 år"
    end = i
    if _at(tokens, i + 2).isdigit() and (
            (following in ("og", "til") and _BETWEEN in {_QUALIFIERS[q] for q in qualifiers})
            or (following in ("til", "eller") and _at(tokens, i + 3) in _YEARS)
            or (following in ("eller", "elr") and kind is not None)):  # "han er 17 eller 18"
        end = i + 2
    after = tokens[end + 1:]
    years = _at(after, 0) in _YEARS
    after = after[1:] if years else after
    old = _at(after, 0) in _OLD
    after = after[1:] if old else after

    if years and _at(after, 0) in _SINCE:
        return None  # "5 år siden"
    if following in _DECADE and before == "i" and n >= 20:
        return _Claim(i, n, n + 9, None)  # "hun er i 30-årene"
    if following in _NOT_AGE_AFTER:
        baby = following in _BABY_UNITS and (
            _at(tokens, i + 2) in _OLD or (before == _ON and _person_before(tokens, j)))
        return _Claim(i, 0, 0, "other") if baby else None  # "babyen på 3 måneder" is 0

    who: str | None = None
    accepted = False
    if kind is not None:
        subject = _subject_at(tokens, j - 1 if before in _MODALS else j)
        if subject:  # "jeg er 17", "sønnen min fyller 18", "hun skal fylle 18"
            who, start = subject
            accepted = True
            if _at(tokens, start - 1) in _WHEN and kind in (_DONE, _PAST):
                kind = _PAST  # "siden hun ble 18"
            if _at(tokens, start - 1) in _IF and kind == _SOON:
                return None  # "når han fyller 18" is no statement about today
        elif j < 0 or before in _STARTERS | _CORRECTIONS | _AFTER_SUBJECT:
            accepted = True  # "er 17", "nei, er 17", "han veier 60 kg og er 16"
    else:
        subject = _subject_at(tokens, j, after_verb=True)
        verb = _at(tokens, subject[1] - 1) if subject else ""
        if subject and verb in _VERBS:  # "er jeg 17", "nå er sønnen min 15"
            who, kind, accepted = subject[0], _VERBS[verb], True
        elif before in (_ON, "p") and _person_before(tokens, j):  # "sønnen min på 14", "en gutt på 15", «p 13»
            who, accepted = _person_before(tokens, j), True
        elif before in ("alder", "alderen") or before in _CORRECTIONS or (
                before == _SEP and _at(tokens, j - 1) in _CORRECTIONS):
            accepted = True  # "alder: 15", "(15)", "mente 16", "beklager, 16 skulle det stå"
        elif before in ("og", "eller") and j - 1 in claims:
            who, accepted = claims[j - 1].who, True  # "barn på 3 og 5"
        elif subject and subject[0] == "other" and before not in _PRONOUNS:
            who, accepted = "other", True  # "sønnen min 15 sliter"
        elif (j < 0 or before in _STARTERS) and (not after or after[0] in _AFTER_START):
            accepted = True  # a short answer: "17", "over 18", "unnskyld, 17 ikke 71"
    if not accepted and years and _at(after, 0) not in _AFTER_YEARS_NOT_AGE:
        # "16 år", "13 år gammel", "Ola er 15 år"; not "i 5 år", "ventet 3 år", "15 år med rus"
        accepted = old or kind == _NOW or j < 0 or before in _YEARS_AFTER or _is_person(before)
    if not accepted:
        return None
    span = _span(n, int(tokens[end]), qualifiers, kind, after)
    if span is None:
        return None
    if kind == _PAST:
        return _Claim(end, span[0], MAX_PLAUSIBLE_AGE, who, past=True)
    return _Claim(end, span[0], span[1], who)


def _person_before(tokens: list[str], j: int) -> str | None:
    """Who "på N" is about: "sønnen min på 14" (other), "jeg er en gutt på 15" (self)."""
    window = tokens[max(0, j - 4):j]
    if not any(_is_person(word, with_possessive=True) for word in window):
        return None
    return "self" if any(word in _SELF_AFTER_VERB for word in window) else "other"


def _age_claims(tokens: list[str]) -> list[_Claim]:
    claims: dict[int, _Claim] = {}
    i = 0
    while i < len(tokens):
        if tokens[i].isdigit():
            claim = _claim_at(tokens, i, claims)
            if claim:
                claims[claim.pos] = claim
                i = claim.pos  # a span "16 til 20" is read once
        i += 1
    return list(claims.values())


# --- School ------------------------------------------------------------------------------------
# Where someone works, in folded Norwegian and lowercased English: «har jobbet i barnehage i ti
# år», «I work at a kindergarten». A workplace says the writer is grown up, not that a child is meant.
AT_WORK = (r"\b(?:jobber|jobbar|jobbe|jobba|jobbet|arbeider|arbeidar|work|works|working|worked)"
           r" (?:i|på|pa|in|at)(?: (?:a|an|en|ein))?")
WORKPLACE = re.compile(rf"(?:{AT_WORK}|\b(?:ansatt|tilsett) (?:i|på|pa))" + r" (?:barnehage|barnehagen|bhg|kindergarten|nursery|preschool|pre-school|daycare)\b",
                       re.IGNORECASE)
_VGS = r"(?:vgs|videregående|vidaregåande)"


def _vg_year(number: int, ordinals: str) -> re.Pattern[str]:
    """A year of videregående: "VG2", "vg 2", "andre året på vgs", "2. klasse på videregående"."""
    return _compile(rf"\bvg ?{number}\b|\b(?:{ordinals}|{number}) (?:året|klasse|trinn) (?:på|i|ved) {_VGS}\b")


_SCHOOL = [  # (pattern, ages): "VG3", "videregående" and "student" straddle 18, so they ask
    # the issue and routing set 6's author: VG1-VG3 are under 18 only when the text says so
    (_vg_year(1, "første|fyrste"), (15, 18)),
    (_vg_year(2, "andre"), (16, 18)),
    (_vg_year(3, "tredje"), (17, 19)),
    (_compile(rf"\b{_VGS}\b"), (15, 19)),
    (_compile(r"\b(?:barnehage|barnehagen|bhg)\b"), (0, 6)),  # not the workplace: WORKPLACE is read out first
    (_compile(r"\b(?:sfo|sfoen|aks|aksen)\b"), (5, 10)),  # skolefritidsordning: 1.-4. klasse
    # a moped licence and driving practice come at 16-17 (routing set 12)
    (_compile(r"\b(?:mopedlapp\w*|moppedlapp\w*|mopedsertifikat\w*|øvelseskjøring\w*|øvingskøyring\w*|øvelseskjører)\b"), (15, 17)),
    (_compile(r"\b(?:begynte|begynt|byrja|byrjar|starta|startet|begynner) på (?:skolen|skulen)\b"), (5, 7)),  # first year
    (_compile(r"\b[jgu] ?(?:1[0-6]|[6-9])(?: laget|laget)?\b"), (6, 16)),  # a youth team: «J13-laget», «G14», «U12»
    (_compile(r"\b(?:barneskole|barneskolen|barneskule|barneskulen|barnetrinnet)\b"), (6, 13)),
    (_compile(r"\b(?:ungdomsskole|ungdomsskolen|ungdomsskule|ungdomsskulen|ungdomstrinnet|u skolen)\b"), (12, 16)),
    # university and college are 18 or older: three blind authors of routing sets 4 and 5 said adult
    (_compile(r"\b(?:studerer|universitet|universitetet|uni|høgskole|høgskolen|"
              r"høyskole|høyskolen|høgskule|høgskulen)\b"), (ADULT_AGE, MAX_PLAUSIBLE_AGE)),
    (_compile(r"\b(?:student|studenten)\b"), (17, MAX_PLAUSIBLE_AGE)),  # in English a pupil too: asks
    (_compile(r"\b(?:lærling|lærlingen)\b"), (15, MAX_PLAUSIBLE_AGE)),
    # konfirmasjon is the year one turns 15 (a year either side: «konfirmert i fjor»)
    (_compile(r"\b(?:konfirmant\w*|konfirmert\w*|konfirmere\w*|konfirmera\w*|konfirmasjon\w*)\b"), (13, 16)),
]
_ORDINALS = _values({1: "første fyrste", 2: "andre", 3: "tredje", 4: "fjerde", 5: "femte",
                     6: "sjette", 7: "sjuende syvende sjuande", 8: "åttende åttande",
                     9: "niende niande", 10: "tiende tiande"})
_GRADE = _compile(
    rf"\b(10|[1-9]|{_alternatives(_ORDINALS)}) (?:klasse|klassen|trinn|trinnet|klassetrinn|kl)\b"
    rf"(?! (?:på|i|ved) {_VGS})"  # "3. klasse på vgs" is VG3
    rf"|\b(?:går|gjeng|er|elev|eleven|elevar|elever|elevane|elevene) (?:i|på) ({_alternatives(_ORDINALS)})\b(?! (?:året|år))"  # "han går i tiende", "ein elev i sjuande"
    rf"|\b(?:går|gjeng|e|æ) (?:i|på) (10|[1-9])(?= qsep| og|$)"  # "han e i 9ende" (the ending is folded away)
    rf"|\b(10|[1-9]) klassing\w*|\b({_alternatives(_ORDINALS)})klassing\w*"  # «en 7.-klassing», «tiendeklassingen»
)
_PAST_SCHOOL = _words("gikk gjekk gjorde var va vart da ferdig fullført fullførte sluttet slutta "
                      "droppet droppa tidligere forrige siden sidan sia")  # "gikk på ungdomsskolen", «siden 7. klasse» say little now


def _says_past(words: list[str]) -> bool:
    """A past-tense word among the last words before a school level. «vår», «vårt» (our) fold to
    «var», «vart» (was, became): after a person noun («sønnen vår går i 7. klasse») it is the possessive."""
    def possessive(i: int) -> bool:  # «sønnen vår går i», not «sønnen var i»
        return (words[i] in ("var", "va", "vart") and i > 0 and _is_person(words[i - 1])
                and _at(words, i + 1) not in ("i", "pa", "ved", "paa"))

    return any(word in _PAST_SCHOOL and not possessive(i)
               for i, word in enumerate(words) if i > 0 or len(words) < 5)


def _school_span(norm: str) -> Span | None:
    """Ages all current school levels allow together; when they disagree, the latest."""
    norm = WORKPLACE.sub(" ", norm)
    found: list[tuple[int, int, int]] = []
    for pattern, (low, high) in _SCHOOL:
        found += [(m.start(), low, high) for m in pattern.finditer(norm)]
    for m in _GRADE.finditer(norm):
        word = next(group for group in m.groups() if group)
        grade = _ORDINALS.get(word) or int(word)
        found.append((m.start(), grade + 5, grade + 6))  # 1. klasse at 6, 10. klasse at 15-16
    found = [f for f in found if not _says_past(norm[:f[0]].split()[-5:])]
    if not found:
        return None
    low, high = max(f[1] for f in found), min(f[2] for f in found)
    return (low, high) if low <= high else max(found)[1:]


# --- Words ---------------------------------------------------------------------------------------
_CHILD_WORDS = _compile(
    r"\b(?:barn(?! (?:mitt|mine|vårt|vårt|vart|våre))|borna|barna(?! (?:mine|våre))|ungane|ungene|ungar|unger|ongan|"
    r"ungdom|ungdommen|ungdommer|skoleelev\w*|"
    r"gutten min|guten min|gutten vår|jenta mi|jenta mitt|jenta vår|jenten min|jinta mi|gutungen|"
    r"guttungen|jentungen|veslejenta|veslegutten|vesla|småen|minsten|baby|babyen|bebis|bebisen|"
    r"spedbarn\w*|mindreårig\w*|umyndig|ikke myndig|ikkje myndig|ungdomsskoleelev\w*|"
    r"småbarn(?!s(?:mor|far|mamma|pappa|forelder|foreldre|familie))\w*)\b"
)
_ADULT_WORDS = _compile(
    r"\b(?:voksen|vaksen|voksne|vaksne|voksent|(?<!ikke )(?<!ikkje )myndig|mannen min|kona mi|"
    r"kona|kone|kjerringa|gubben|ektemann\w*|ektefelle\w*|samboer\w*|sambuar\w*|mora mi|moren min|"
    r"mor mi|faren min|far min|pappa|mamma|foreldre|foreldra|besteforeldre|besteforelder|bestemor\w*|"
    r"bestefar\w*|besta|bestaen|mormor|morfar|farmor|farfar|oldemor\w*|oldefar\w*|onkel\w*|tante|tanta|tanten|"
    r"svoger\w*|sviger(?:far|mor|foreldre|inne|sønn|son|datter|dotter)\w*|gamle mor|gamle mora|gamle far|gamle faren|gamlemor|gamlefar|"
    r"pensjonist\w*|kollega|kollegaen|småbarns(?:mor|far|mamma|pappa|forelder|foreldre|familie)\w*|"
    r"eksen|eksmannen|ekskona|eksmann|ekskone)\b"
)
# Words that make an adult of whoever they describe, a son or a daughter too: "datteren min er myndig"
_ADULT_WHOEVER = _compile(
    r"\b(?:(?<!ikke )(?<!ikkje )myndig|pensjonist\w*|pensjonert|eldre (?:kar|mann|dame|kvinne)|veteran\w*|"
    # a master's degree, a doctorate and military service come after 18
    r"masterstudent\w*|masteroppgave\w*|masteroppgåve\w*|(?:tar|tek|ta|skriver|skriv|holder på med) (?:en |ein )?master\w*|"
    r"doktorgrad\w*|stipendiat\w*|førstegangstjeneste\w*|førstegongstenest\w*|førstegangstenest\w*|"
    r"verneplikt\w*|i militæret|i forsvaret|ferdig med militæret|etter militæret|dimittert|dimma|dimmet|"
    # «student» is one at a university or college in Norwegian (a pupil is an «elev»)
    # (bare «student», or «a student in upper secondary», stays open)
    r"(?:er|e|som) student|studerer|studere ved|studere på|universitetet|høgskolen|høgskulen|høyskolen|"
    # a disability pension is for adults; so is retiring, a driving licence and a home of one's own
    # (routing set 11, behaviour set 12: «gått av med pensjon», «tatt lappen og flytta for seg selv»)
    r"uføretrygd\w*|uføretrygda|uførepensjon\w*|uføre|ufør|(?:gått|gikk|gjekk|går|gar) av med pensjon|"
    r"(?:tatt|tok|teke|fått|fikk|fekk|har) (?:lappen|førerkortet|førarkortet|sertifikatet)|førerkort\w*|førarkort\w*|"
    r"(?:bor|bur|flyttet|flytta|flytte|flytt|flyttar|flytter) (?:ut )?for seg (?:selv|sjølv|sjøl)|"
    r"(?<!ikke )(?<!ikkje )(?<!snart )(?:er|e) (?:voksen|vaksen)|studenter|studentar|studentane|studentene|"
    # a profession that takes years of training: «søsteren min jobber som sykepleier»
    r"(?:jobber|jobbar|arbeider|arbeidar|er|e) som (?:sykepleier|sjukepleiar|lærer|lærar|lege|psykolog|advokat|ingeniør|"
    r"politi|politibetjent|sosionom|vernepleier|vernepleiar|fysioterapeut|tannlege|prest|journalist|økonom|revisor|"
    r"barnehagelærer|barnehagelærar|helsefagarbeider|helsefagarbeidar|elektriker|snekker|rørlegger|sjåfør|bussjåfør)|"
    # children of their own: «datteren min, hun har to barn selv»
    r"har (?:to |tre |fire |\d )?(?:barn|born|unger|ungar) (?:selv|sjølv|sjøl)|har egne barn|har eigne born)\b")
# "jeg har 2 barn" tells that the writer is a parent, not that the help is for a child
_COUNTED_CHILDREN = _compile(r"\b(?:[2-9]|\d\d+) (?:barn|born|unger|ungar|ungane|ungene)\b")  # not "ett barn"
# Someone whose age the words leave open ("sønnen min" may be 40): ask
_FAMILY_OTHER = _compile(
    r"\b(?:sønn|sønnen|son|sonen|datter|datteren|dattera|dattra|dotter|dottera|dotra|dotteren|bror|"
    r"broren|søster|søstera|søsteren|syster|systera|niese|nevø|nevøen|barnebarn\w*|venn|vennen|"
    r"venninne\w*|kjæreste\w*|kjærast\w*|kusine\w*|kusina|fetter\w*|gutt|gutten|jente|jenta|pasient|pasienten|klient|klienten|"
    r"barnet|barn mitt|ungen|onga|ongen|barna mine|barna våre|venen|søstra|systra|beste(?:venn|ven|kompis)\w*|"
    # a teenager or a pupil may be 13 or 19, a pupil at vgs 18: six blind authors of four sets asked
    r"tenåring\w*|tenårene|tenårane|elev|eleven|elevane|elevene|elever)\b"
)
# «har slitt siden 7. klasse»: at least 12 now, whatever «gutten vår» says
_SINCE_SCHOOL = _compile(r"\b(?:siden|sidan|sia) (?:han |hun |ho |hu )?(?:gikk i |gjekk i |gikk på |gjekk på )?(?:\d+\.? ?(?:klasse|trinn)|ungdomsskolen|ungdomsskulen|barneskolen|barneskulen)")
# «Det er eldstemann som ...», «den yngste slit»: which of the children named with ages is meant
_ELDEST = _compile(r"\b(?:eldstemann|eldste|eldst|den eldre|oldest|eldest)\b")
_YOUNGEST = _compile(r"\b(?:yngstemann|minstemann|yngste|yngst|den minste|youngest)\b")
# Explicitly about the writer; "jeg trenger hjelp" alone is not (a 15-year-old writes that too)
_SELF_WORDS = _compile(r"\b(?:gjelder meg|gjeld meg|meg selv|meg sjøl|meg sjølv|det er meg|til meg selv)\b")
# Someone else is named: their age, not the writer's, decides ("jeg er 45 og sønnen min er 15")
_OTHER_PERSON = _compile(
    r"\b(?:sønn|sønnen|son|sonen|datter|datteren|dattera|dattra|dotter|dottera|dotra|barnet|barn|"
    r"gutten|gutt|gut|guten|jenta|jente|eleven|ungen|onga|ongen|gutungen|jentungen|tenåring\w*|han|hun|ho|hu|hen)\b"
)


@dataclass(frozen=True)
class Person:
    age: int | None
    audience: str | None  # CHILD, ADULT or None when the text does not say
    about_self: bool

    @property
    def known(self) -> bool:
        return self.audience is not None


def audience_for_age(age: int) -> str:
    return CHILD if age < ADULT_AGE else ADULT


def audience_for_span(low: int, high: int) -> str | None:
    """CHILD or ADULT when every age in the span is on one side of 18; None (ask) otherwise."""
    if high < ADULT_AGE:
        return CHILD
    if low >= ADULT_AGE:
        return ADULT
    return None


def _latest(claims: list[_Claim], norm: str, about_self: bool) -> _Claim:
    if about_self:  # "det gjelder meg, jeg er 30"
        claims = [c for c in claims if c.who != "other"] or claims
    elif len(claims) > 1 and (_OTHER_PERSON.search(norm) or any(c.who == "other" for c in claims)):
        # the writer tells about someone: "jeg er 45 og sønnen min er 15", in either order
        claims = [c for c in claims if c.who != "self"] or claims
    return max(claims, key=lambda c: c.pos)


_CORRECTING = _CORRECTIONS | _words("nei nope")


def _two_people_either_side(claims: list[_Claim], tokens: list[str], about_self: bool) -> bool:
    """Two people named with ages on both sides of 18 and joined by «og», with no correction
    between them: who the help is for stays open."""
    others = [c for c in claims if c.who != "self"] if not about_self else []
    for first, second in zip(others, others[1:]):
        between = set(tokens[first.pos + 1:second.pos])
        either_side = {audience_for_span(first.low, first.high), audience_for_span(second.low, second.high)}
        if either_side == {CHILD, ADULT} and between & _words("og and") and not between & _CORRECTING:
            return True
    return False


# «mamma sier jeg må få hjelp»: a parent speaks; the writer, of any age, needs the help
_PARENT_SAYS = _compile(r"\b(?:mamma|pappa|mor|far|foreldrene mine|foreldra mine|foreldre mine) (?:sier|seier|synes|syns|meiner|mener|vil) (?:at )?(?:jeg|eg|je|æ)\b")


def _word_audience(norm: str) -> str | None:
    norm = _PARENT_SAYS.sub(" ", norm)
    if _CHILD_WORDS.search(_COUNTED_CHILDREN.sub(" ", norm)):
        return CHILD  # "mamma til en tenåring": the child is who the help is for
    if (_ADULT_WORDS.search(norm) and not _FAMILY_OTHER.search(norm)) or _ADULT_WHOEVER.search(norm):
        return ADULT  # "bestemor" alone, "sonen min er pensjonist"; "bestemor, barnebarnet mitt sliter" asks
    return None



# «født i 2012», «født 1987»: the age today, from the year (one year's uncertainty: the birthday)
_BORN_IN = _compile(r"\b(?:født|fødd|fodt|fodd|born)(?: i| in)? ((?:19|20)\d\d)\b")


def _birth_year_span(text: str, today: date) -> Span | None:
    years = [int(m.group(1)) for m in _BORN_IN.finditer(fold(text))]
    if not years or not 1900 < years[-1] <= today.year:
        return None
    return today.year - years[-1] - 1, today.year - years[-1]


# The writer says they are the parent of several children: «mamma til tre barn i barneskolen»,
# «vi har to barn på 10 og 12», «I work as a nurse and have two kids». The children are context:
# the help may be for the writer or their partner (routing set 4, three authors).
_COUNT = r"(?:to|tvo|tre|fire|fem|seks|two|three|four|five|six|[2-9])"
_PARENT_OF_SEVERAL = re.compile(
    rf"\b(?:(?:mamma|mor|pappa|far|forelder|alenemor|alenemamma|alenefar|alenepappa) (?:til|åt|aat|at) {_COUNT}"
    rf"(?: (?:små )?(?:barn|born|unger|ungar|onger|tenåringer|tenåringar|tenåringa|tenåringene)| små)?(?: her)?(?: \([^)]*\))?"
    rf"|(?:to|tre|fire|fem|seks)barns(?:mor|far|mamma|pappa)"
    rf"|(?:jeg|eg|je|æ|vi|me) (?:har|hev|ha) (?:selv |sjølv |sjøl |sjæl )?{_COUNT} (?:små )?(?:barn|born|unger|ungar|unga|onger|ongan|tenåringer|tenåringar)(?: (?:selv|sjølv|sjøl|sjæl))?"
    rf"|(?:hjemmeværende|heimeverande|alene|aleine|åleine) med {_COUNT} (?:små )?(?:barn|born|unger|ungar|onger)"
    rf"|(?:mum|mom|mother|dad|father|parent) of {_COUNT}(?: (?:kids|children|boys|girls|teenagers|teens))?(?: here)?(?: \([^)]*\))?"
    rf"|(?:have|have got|'ve got|got) {_COUNT} (?:small |little |young )?(?:kids|children|little ones))"
    rf"(?: (?:på|pa|paa|i|mellom|aged|age|in) (?:\d+(?:,? (?:og|and|&) \d+|, \d+)*(?: år| ar| aar)?"
    rf"|barneskolen|barneskulen|barnehagen|barnehage|barneskolealder|barneskulealder|skolealder|skulealder|skolen|skulen|primary school|school))?"
    # «..., youngest in kindergarten», «den yngste går i barnehagen»: still the children
    rf"(?:[,.]? (?:the |den |han |ho )?(?:youngest|oldest|yngste|eldste)(?: (?:one|is|er|e|går|goes))? (?:(?:in|i|på|pa|at) \w+|\d+))?",
    re.IGNORECASE)
# The writer's own trouble, said after they said they are a parent: «sliter selv», «hjelpe meg»
_OWN_TROUBLE = re.compile(
    r"\b(?:selv|sjølv|sjøl|meg selv|hjelpe meg|hjelpa meg|hjelp meg|jeg sliter|eg slit|jeg har fått|eg har fått|"
    r"eg har hatt|jeg har hatt|and struggling|but struggling|"
    r"jeg er så|eg er så|jeg klarer ikke|eg klarer ikkje|help me|i'm so|i am so|im so|i'm struggling|"
    r"i am struggling|i've been|i can barely|i can't cope|myself|det er meg|det er eg|meg det gjelder|"
    r"meg det gjeld|it's me|it is me|it's actually me|me who needs|jeg trenger hjelp|eg treng hjelp|i need help|"
    r"det er jeg som|det er eg som|det e æ som|det e eg som|det er æ som|i'm the one|i am the one|"
    r"klarer ikke mer|klarar ikkje meir|sliten hele tiden|utslitt|utbrent|utbrend|i'm exhausted|i am exhausted)\b", re.IGNORECASE)
# The writer says what only an adult is: a profession, a full-time job, a flat of their own. It
# decides only for the writer's own trouble with nobody else named («jeg er lærer og bekymret for
# en elev» is about the pupil)
_WRITER_ADULT = re.compile(
    r"\b(?:(?:jobber|jobbar|jobbe)(?: selv| sjøl| sjølv)? som|i work as|working as|jobber fulltid|jobbar fulltid|"
    r"full[- ]time job|work full[- ]time|egen leilighet|eigen leilegheit|own (?:flat|apartment|place)|"
    # years of work: «har jobba som bussjåfør i 25 år»
    r"(?:jobba|jobbet|jobbar|jobber|arbeidd|arbeidet|arbeider|worked|been working) (?:\w+ ){0,4}(?:i|in|for) (?:[3-9]|[1-9]\d|tre|fire|fem|seks|sju|syv|åtte|ni|ti|elleve|tolv|femten|tjue|tretti|"
    r"three|four|five|six|seven|eight|nine|ten|twelve|fifteen|twenty|thirty) (?:år|ar|years)|"
    r"(?:jeg|eg) (?:kjører|køyrer|kjorer|koyrer) (?:buss|taxi|drosje|lastebil|trikk|tog)|"
    r"moved (?:here|to norway)(?: \w+){0,3} for (?:work|a job|my job)|"
    rf"{AT_WORK} (?:barnehage|barnehagen|sykehjem\w*|sjukeheim\w*|kommunen)|"
    r"fast jobb|fast stilling|(?:etter|ferdig med) (?:studiene|studiane|studia|utdanninga|utdanningen)|"
    r"sykmeldt|sykemeldt|sjukmeld\w*|sick leave|fikk baby|fått baby|fekk baby|had a baby|just had a baby|nybakt mor|nybakt far)\b",
    re.IGNORECASE)


# A young writer asks help for a parent: «Eg er 14 og mamma er deprimert ... Kven kan hjelpe ho?»,
# «I'm 15 and my mom drinks every day. Who can help her?» (routing set 6): the parent is meant
_PARENT = (r"mamma|pappa|mor|far|mora|faren|moren|stefar|stefaren|stemor|stemora|stemoren|mum|mom|mother|dad|father|"
           r"bestemor|bestemora|bestemoren|bestefar|bestefaren|mormor|morfar|farmor|farfar|besta|grandma|grandpa|"
           r"stepdad|stepmom|stepmum|stepfather|stepmother")
_HELP_FOR_A_PARENT = re.compile(
    rf"(?<!\b(?:er|am|'m|im) )\b(?:my )?(?:{_PARENT})\b(?! (?:til|åt|aat|of)\b)"
    rf".*\b(?:hjelpe|hjelpa|help|hjelp|hjelp til|snakke med|snakka med|talk to) (?:ham|han|henne|ho|hu|her|him|{_PARENT})\b",
    re.IGNORECASE | re.DOTALL)
# A parent of one child with their own trouble: «Eg er mor til ein tenåring og har sjølv slite med
# depresjon» (routing set 6); the child is context
_PARENT_OF_ONE = re.compile(rf"\b(?:{_PARENT}) (?:til|åt|aat|of) (?:en|ein|ei|eitt|ett|a|one) (?:\d+[ -]years?[ -]old|[\w-]+)", re.IGNORECASE)
# «Eg er 27 og har ein son på to år. Eg har hatt ein tung fødselsdepresjon», «im 22, have a 3 year
# old daughter and struggling» (routing set 12): the writer's child is context
_OWN_CHILD = re.compile(r"\b(?:har|hev|have|got) (?:en|ein|ei|eit|a|one) (?:(?:\d+|two|three|four|five)[ -]years?[ -]old |liten |lita |little |small )?"
                        r"(?:sønn|son|datter|dotter|daughter|baby|gutt|gut|jente|unge|toddler|kid|child)"
                        r"(?: (?:på|of) (?:\d+|to|tre|fire|fem|two|three|four|five)(?: år| ar| mnd| måneder| månader| years?)?)?", re.IGNORECASE)
# stricter than _OWN_TROUBLE: with one child named, only «selv» says the trouble is the writer's
_OWN = re.compile(r"\b(?:selv|sjølv|sjøl|myself|about me|om meg|me who needs|it's actually me|it is actually me)\b", re.IGNORECASE)


# A writer who gives their own age and asks help for a brother, sister or cousin: «jeg er 16 og
# storesøstera mi drikker ... hvem kan hjelpe henne?», «lillebror min e 11 ... eg e 19 sjøl»
_WRITER_AGE = re.compile(r"\b(?:(?:jeg|eg|je|jæ|æ|i) (?:er|e|æ|ær|am) |i'm |im )(\d{1,2})(?: ?(?:år|ar|years?)(?: old)?)?(?: (?:selv|sjøl|sjølv|myself))?\b",
                         re.IGNORECASE)
_HELP_FOR_THEM = re.compile(r"\b(?:hjelpe|hjelpa|hjælpe|hjælpa|hjølpe|hjelp|help|snakke med|snakka med|talk to|support) (?:ham|han|henne|ho|hu|her|him|them|dem|dei)\b",
                            re.IGNORECASE)
# «hvem kan jeg si ifra til?», «who can i contact for her?»: the writer asks on someone's behalf
_ASKS_WHOM = re.compile(r"\b(?:si ifra|si fra|seie frå|melde fra|contact for (?:her|him)|call for (?:her|him)|hjelp til (?:henne|ham|han|ho)|"
                        r"(?:who|whom) (?:can|could|should|do) (?:he|she|they) (?:talk|speak) (?:to|with)|"
                        r"(?:hvem|kven|kem) (?:kan|skal|bør) (?:han|hun|ho|hu) (?:snakke|snakka|prate|prata) med)\b",
                        re.IGNORECASE)
_SIBLING = re.compile(r"\b(?:(?P<younger>lille|vesle|yngre |little |younger |baby )|(?P<older>store|eldre |big |older ))?"
                      r"(?:bror|søster|søstr|syster|systr|brother|sister)\w*|\b(?:kusine|fetter|cousin)\w*", re.IGNORECASE)


# «Det er mannen min som trenger hjelp», «det e mellomste på 16 som slit»: who is named decides
_THE_ONE_WHO = re.compile(r"\bdet (?:er|e|æ) ((?:[\w-]+ ){1,4}?)som (?:trenger|treng|trenge|sliter|slit|har det|har problem|drikker|drikk|ruser)",
                          re.IGNORECASE)


_ABOUT_WHOM = re.compile(r"\b(?:this|it) (?:is|'s) (?:actually |really )?about (my [\w-]+(?: [\w-]+)?)", re.IGNORECASE)


def _the_one_named(text: str) -> Person | None:
    about = _ABOUT_WHOM.search(text)
    if about:  # «... a son in 10th grade, but this is about my wife»
        person = _read_person(about.group(1))
        if person.known:
            return person
    found = _THE_ONE_WHO.search(text)
    if not found or re.fullmatch(r"(?i)(?:jeg|eg|æ|je) ", found.group(1)):
        return None
    person = _read_person(found.group(1))
    return person if person.known else None


# Someone the writer names is the one in trouble: «Jeg er 45 og har en datter som har det vanskelig»,
# «I'm 30 and my cousin has started seeing things» (routing set 12): the writer's age is not theirs
_OTHER_IN_TROUBLE = _compile(
    r"\b(?:lille|vesle|store|ste|halv|bonus|foster|beste)?(?:sønn|sønnen|son|sonen|datter|datteren|dattera|dotter|dottera|bror|broren|søster|søstera|søsteren|"
    r"syster|systera|venn|vennen|venen|venninne\w*|veninne\w*|kjæreste\w*|kjærast\w*|kusine\w*|fetter\w*|"
    r"kompis\w*|kamerat\w*|nevø\w*|niese\w*|barnebarn\w*|daughter|brother|sister|cousin|friend|boyfriend|"
    r"girlfriend|flatmate|roommate|nephew|niece|grandchild|grandson|granddaughter|mate|buddy|classmate)\b"
    r"(?: [\w']+){0,2}? (?:som |who )?(?:har det (?:\w+ )?(?:vondt|vanskelig|vanskeleg|tungt|dårlig|dårleg|ille|kjipt|tøft|trasig)|"
    r"sliter|slit|sleit|drikker|drikk|ruser|rusar|har begynt|har byrja|har slutta|har sluttet|er deprimert|har fått|"
    r"hører stemmer|høyrer stemmer|is struggling|struggles|has been struggling|has started|drinks|is drinking|"
    r"is depressed|has stopped|is using|hears voices|is not eating|isn't eating|won't eat|self-harms|self harms|"
    r"har blitt|har vorte|har vorti|har (?:store )?problem\w*|har angst|has become|has (?:big |serious )?problems|has anxiety)\b"
    # or the writer asks about them: «Jeg er 45 og lurer på hvem jeg kan kontakte om sønnen min» (routing set 13)
    r"|\b(?:om|about|for|til) (?:sønnen|sonen|datteren|dattera|dottera|son|sønn) (?:min|mi)\b|\b(?:about|for) my (?:son|daughter)\b")


def _for_someone_else(text: str) -> Person | None:
    """The route of a sibling or someone else in trouble when a writer with an age asks help for
    them; None when this is no such message."""
    writer = _WRITER_AGE.search(text)
    if not writer or _OWN_TROUBLE.search(text):
        return None
    sibling = _SIBLING.search(text)
    asks_for_a_sibling = sibling and (_HELP_FOR_THEM.search(text) or _ASKS_WHOM.search(text))
    if not (asks_for_a_sibling or _OTHER_IN_TROUBLE.search(fold(text))):
        return None
    person = _read_person(_without(text, writer))
    if person.known:
        return Person(person.age, person.audience, False)  # «lillebror min e 11»
    writer_age = int(writer.group(1))
    if sibling and sibling.group("younger") and writer_age < ADULT_AGE:
        return Person(None, CHILD, False)  # younger than a child
    if sibling and sibling.group("older") and writer_age >= ADULT_AGE:
        return Person(None, ADULT, False)  # older than an adult
    return Person(None, None, False)  # a 16-year-old's big sister may be 17 or 20: ask


def read_person(text: str | None) -> Person:
    """Who the message is about. audience is None when it stays unclear (ask, don't guess).

    A parent of several children is read without the children: what is left decides, and the
    writer's own trouble is an adult's. Otherwise the whole text is read (_read_person)."""
    if not text:
        return Person(None, None, False)
    named = _the_one_named(text) or _for_someone_else(text)  # «det er mannen min som ...», a sibling
    if named is not None:
        return named
    own_child = _OWN_CHILD.search(text)
    if own_child and _WRITER_AGE.search(text) and _OWN_TROUBLE.search(text):
        rest = _without(text, own_child)  # «Eg er 27 og har ein son på to år ... eg har hatt ein fødselsdepresjon»
        person = _read_person(rest)
        if person.known:
            return Person(person.age, person.audience, True)
    one = _PARENT_OF_ONE.search(text)
    if one:
        rest = _without(text, one)
        if _OWN.search(rest) and not _names_someone_of_open_age(rest):
            return Person(None, ADULT, True)
    declared = _PARENT_OF_SEVERAL.search(text)
    if declared:
        rest = _without(text, declared)
        person = _read_person(rest)
        if person.known:
            return person  # «min kone drikker ... vi har to barn på 10 og 12»: the wife
        if _OWN_TROUBLE.search(rest) and not _names_someone_of_open_age(rest):
            return Person(None, ADULT, True)
    person = _read_person(text)
    if (person.audience == CHILD and _HELP_FOR_A_PARENT.search(text) and not _names_someone_of_open_age(text)
            and not _SIBLING.search(text)):
        return Person(None, ADULT, False)  # the writer's own age or class was what said «child»
    if not person.known and _WRITER_ADULT.search(text) and not _names_someone_of_open_age(text):
        return Person(None, ADULT, True)  # «jeg jobber som sykepleier og har selv begynt å ...»
    return person


def _without(text: str, match: re.Match) -> str:
    """The text with what the match found left out: the children a parent named, say."""
    return text[:match.start()] + " " + text[match.end():]


def _names_someone_of_open_age(text: str) -> bool:
    """«sønnen min», «eleven»: someone else the help may be for (_FAMILY_OTHER on raw text)."""
    return _FAMILY_OTHER.search(fold(text).lower()) is not None


def _read_person(text: str | None) -> Person:
    """A message in English is read as English first (actions/age_en.py): in «talk to now» the
    Norwegian reading would find «to» (two). Otherwise a message the Norwegian reading leaves
    open is read again as English."""
    from actions.age_en import read_person_en  # here: age_en imports this module

    if text and detect(text) == ENGLISH:
        english = read_person_en(text)
        born = _birth_year_span(text, date.today()) if english.age is None else None
        born_audience = audience_for_span(*born) if born else None
        if born_audience is not None:
            return Person(None, born_audience, english.about_self)  # «born in 2010 ... my mom»
        if english.audience is not None or english.age is not None or english.about_self:
            return english
        text = re.sub(r"(?i)\bto\b", " ", text)  # «the right person to contact»: no «to» (two)
    person = _read_person_nb(text)
    born = _birth_year_span(text, date.today()) if text and person.age is None else None
    if born and (person.audience is None or audience_for_span(*born) is not None):
        return Person(None, audience_for_span(*born), person.about_self)
    if person.audience is None and person.age is None and text:
        english = read_person_en(text)
        if english.audience is not None or english.about_self:
            return english
    return person


def _read_person_nb(text: str | None) -> Person:
    if not text:
        return Person(None, None, False)
    tokens = _tokens(text)
    norm = " ".join(tokens)
    about_self = bool(_SELF_WORDS.search(norm))
    claims = _age_claims(tokens)
    words = _word_audience(norm)
    age, audience = None, None
    present = [c for c in claims if not c.past]
    school = _school_span(norm)
    past = [c for c in claims if c.past]
    eldest, youngest = _ELDEST.search(norm), _YOUNGEST.search(norm)
    if len(present) > 1 and bool(eldest) != bool(youngest):
        # «tre barn på 8, 13 og 20. Det er eldstemann ...»: the eldest or the youngest is meant
        claim = (max if eldest else min)(present, key=lambda c: c.low)
        age, audience = claim.age, audience_for_span(claim.low, claim.high)
    elif present and _two_people_either_side(present, tokens, about_self):
        pass  # "tvillingene er 16 og 19", "sønnen på 18 og datteren på 15": ask
    elif (present and school and all(c.who == "self" and c.low >= ADULT_AGE for c in present)
          and audience_for_span(*school) == CHILD and (_FAMILY_OTHER.search(norm) or _OTHER_PERSON.search(norm))):
        audience = CHILD  # «Eg er 25 og storebror til ein gut i 4. klasse»: the boy's class
    elif present:
        claim = _latest(present, norm, about_self)
        age, audience = claim.age, audience_for_span(claim.low, claim.high)
    elif school:
        audience = audience_for_span(*school)
        if audience is None and words == ADULT and school[1] >= ADULT_AGE:
            audience = ADULT  # "mannen min er student"
    if audience is None and not present and past:
        claim = _latest(past, norm, about_self)
        audience = audience_for_span(claim.low, claim.high)  # "siden hun var 19": adult
    if audience is None and not present and not school and not past and not _SINCE_SCHOOL.search(norm):
        audience = words  # not after «siden han var 14»: at least 14 now, whatever «gutten min» says
    if audience is None and _FAMILY_OTHER.search(norm):
        about_self = False  # "sønnen min sliter": not the writer, whatever else it says
    return Person(age, audience, about_self)
