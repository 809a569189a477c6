"""Finds people's names in a message, for privacy.masking.

Pure text in, character spans out: `NameFinder().find("jeg snakket med Per Olsen")` gives
`[(16, 25)]`. One pass over the words of the message, each looked up once in a dict; no
per-name pattern. What counts as a name:

- after a phrase that introduces one: "jeg heter", "ho heite", "mitt navn er", "my name is"
  (any word but a stop word); "sønnen min", "dotra vår", "kjæresten til", "mamma", "tante",
  "my son", "mvh", "hilsen", "dr.", "X heter" (a capitalised word that is no service or place,
  or a known name in lowercase; a first name that is also a word, "mamma tone", "hilsen liv",
  only before a verb or the end); initials that end the line after "mvh" ("Mvh P-E",
  "hilsen J.K."); and "jeg er", "det er", "this is" (a known name, or a capitalised word that
  is no ordinary word; "Det er Liv igjen", "det er Stein her", "hei det er Rune.");
- a capitalised known first or last name in the middle of a sentence; at the start of a
  sentence only before a surname, a verb, a comma or the end ("Kevin sliter", "Ahmed her");
  a first name before an age ("Sol (9)"); a first name, also a word or a place, that opens
  the message or follows its greeting before "her" that ends the sentence ("Hei, Sol her.");
- a name alone on the last line or after a dash at the end ("- Liv"), or a message that is
  nothing but a name; a lowercase name that opens a message before "her" ("le thi hoa her");
- the words next to a name that look like more of it: "Amina Yusuf", "Nguyen Thi Lan",
  "Mohammed bin Salman", "Joy dela Cruz", "Anne-Lise", "Rami Al-Hassan", "Vu Thi Mai" (any
  capitalised word after a Vietnamese middle name); and a name joined to one by "og" or "&"
  ("hilsen kine og markus", "Kari & Liv").

Never a name: a word after "fra" that follows a verb or noun of origin ("kommer fra Herat",
"kurder fra Erbil"), or right before "skole", "barnehage", "sykehus", "kirke" ("Fjell skole");
a first name that is no word and no place stays a name there ("Har Kevin skole i dag?").

Lowercase words are names only after the phrases above ("jeg heter dmytro", "mvh trine"),
beside a name found, or before "her": in chat, "per", "liv" and "tom" are words. The known
names are privacy/data/names.tsv.gz, built by `python -m privacy.build_names` (a setup step);
without it only the phrases find names, and the masker says so once in the log. Words that are
never names on their own (services, places, days and months, medicines) are
privacy/data/not_names.txt, and so are the first names that are also words.
"""
from __future__ import annotations

import bisect
import functools
import gzip
import logging
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

logger = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent / "data"
NAMES_FILE = DATA_DIR / "names.tsv.gz"
NOT_NAMES_FILE = DATA_DIR / "not_names.txt"
BUILD_COMMAND = "python -m privacy.build_names"

NAME_MAX_TOKENS = 4  # "Mohamed Abdi Farah", "Nguyen Thi Lan Anh"
LAST_LINE_MAX_TOKENS = 3  # a signature on its own line: "Ola Nordmann", "- Kari"
WHOLE_MESSAGE_MAX_TOKENS = 3  # a message that is only a name: the answer to "hva heter du?"
MIN_VERB_LENGTH = 4  # "sliter", "ringte": a lowercase word this long ending like a verb
MIN_LOWERCASE_NAME_LENGTH = 3  # "ida nilsen" is a name in lowercase; "ka ska" is dialect
MIN_GENITIVE_BASE_LENGTH = 4  # "Kevins", "Aminas"; "This" is no genitive of "Thi"
MAX_WORD_NAME_LENGTH = 5  # "Per ringte", "Stein sa" are names; "Familien trenger hjelp" is not

# Flags of a word (the letters of names.tsv.gz, and the sections of not_names.txt)
FIRST, LAST, WORD, PROMINENT, PLACE = 1, 2, 4, 8, 16
NOT_NAME = 32  # a service, place or ordinary word of not_names.txt
CALENDAR = 64  # a day, month or holiday: "Mai", "April" are names only after "jeg heter"
# A common first name that is also a word ("liv", "tone", "stein"): in lowercase a name right
# after a relation word or a signature ("mamma tone har", "hilsen liv"), and capitalised after
# "det er" when "her" or "igjen" follows ("Det er Liv igjen")
WORD_NAME = 128
KNOWN_PLACE = 256  # a place of not_names.txt: a lowercase word after an address may be the town
NAME = FIRST | LAST
_FILE_FLAGS = {"f": FIRST, "l": LAST, "w": WORD, "p": PROMINENT, "g": PLACE}
_SECTION_FLAGS = {
    "services": NOT_NAME, "places": NOT_NAME | KNOWN_PLACE, "words": NOT_NAME, "medicines": NOT_NAME, "calendar": CALENDAR,
    "name-words": NAME | WORD, "first-name-words": FIRST | WORD_NAME,
}

_LETTER = r"[^\W\d_]"
_TOKEN = re.compile(rf"{_LETTER}+(?:['’-]{_LETTER}+)*")
_SENTENCE_END = ".!?\n:;"
_OPENERS = " \t\"'«»“”‘’()[]*-–—/~"


def fold(word: str) -> str:
    """'Bjørn' -> 'bjorn', 'Petrauskaitė' -> 'petrauskaite': the spelling of a keyboard without æøå."""
    word = word.lower().replace("ø", "o").replace("æ", "ae").replace("å", "a")
    return "".join(ch for ch in unicodedata.normalize("NFKD", word) if not unicodedata.combining(ch))


def _loose(phrase: str) -> str:
    """A phrase pattern that also matches the æøå-less spellings residents type."""
    out = []
    for char in phrase:
        if char == "ø":
            out.append("(?:ø|o|oe)")
        elif char == "æ":
            out.append("(?:æ|ae|e)")
        elif char == "å":
            out.append("(?:å|aa|a)")
        elif char == " ":
            out.append(r"\s+")
        else:
            out.append(re.escape(char))
    return "".join(out)


def _trie(phrases: Iterable[str]) -> str:
    """A pattern of the phrases with their common beginnings shared ("sønnen (?:min|vår)"):
    one pass over a message instead of one attempt per phrase at each letter; the longest
    phrase is tried first."""
    root: Dict[str, dict] = {}
    for phrase in phrases:
        node = root
        for char in phrase.lower():
            node = node.setdefault(char, {})
        node[""] = {}

    def pattern(node: Dict[str, dict]) -> str:
        branches = [_loose(char) + pattern(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" in node:
            return "(?:" + body + ")?" if len(branches) > 1 or len(body) > 1 else body + "?"
        return body

    return pattern(root)


def _phrases(
    phrases: Iterable[str], tail: str = r"[\s:,(]+", pairs: Sequence[Tuple[Sequence[str], Sequence[str]]] = (),
) -> re.Pattern:
    """One pattern of the phrases, and of each word of `pairs[i][0]` followed by each of `pairs[i][1]`."""
    everything = set(phrases)
    for lefts, rights in pairs:
        everything.update(f"{left} {right}" for left in lefts for right in rights)
    return re.compile(r"(?<!\w)" + _trie(everything) + tail, re.IGNORECASE)


# --- the phrases that introduce a name ------------------------------------------------------

# People a resident writes about: "sønnen min Kevin", "kona mi olena", "min datter Fatima"
RELATIONS = (
    "sønnen min", "sønnen vår", "sønnen hennes", "sønnen hans", "datteren min", "dattera mi",
    "datteren vår", "dattera vår", "dottera mi", "datteren hennes", "dattera hennes", "gutten min",
    "gutten vår", "jenta mi", "jenta vår", "barnet mitt", "barnet vårt", "ungen min", "eleven min",
    "moren min", "mora mi", "mor mi", "faren min", "far min", "mannen min", "kona mi",
    "konen min", "samboeren min", "samboer", "broren min", "bror min", "søstera mi",
    "søsteren min", "søster mi", "vennen min", "venninna mi", "venninnen min", "kjæresten min",
    "kontaktpersonen min", "kompisen min", "bestevennen min", "bestevenninna mi", "stesønnen min",
    "stedatteren min", "stedattera mi", "bonussønnen min", "bonusdattera mi", "eksen min",
    "eksmannen min", "ekskona mi", "lillebroren min", "storebroren min", "lillesøstera mi",
    "storesøstera mi", "lillesøsteren min", "storesøsteren min", "fostersønnen min",
    "fosterdattera mi", "fosterbarnet mitt", "tvillingbroren min", "tvillingsøstera mi",
    "læreren min", "kontaktlæreren min", "kontaktlæreren", "fastlegen min", "psykologen min",
    "saksbehandleren min", "treneren min", "naboen min", "bestemor", "bestefar", "mormor",
    "morfar", "farmor", "farfar", "min sønn", "min datter", "mitt barn", "min mann", "min kone",
    "min samboer", "min venn", "min venninne", "min kjæreste", "min bror", "min søster", "min mor",
    "min far", "vår sønn", "vår datter", "sønn", "datter", "eleven", "eleven vår", "gutten",
    "jenta", "ein gut", "ei jente", "en gutt", "ei jente", "en jente",
    # "mamma til Emre", "faren til jonas"
    "mamma til", "mammaen til", "mora til", "moren til", "mor til", "mor åt", "pappa til",
    "pappaen til", "faren til", "far til", "far åt", "forelder til", "foreldrene til", "verge til",
    "kontaktlærer til", "læreren til", "venn av", "venninne av", "søster til", "bror til",
    # English
    "my son", "my daughter", "my child", "my kid", "my wife", "my husband", "my partner",
    "my friend", "my girlfriend", "my boyfriend", "my brother", "my sister", "my mother",
    "my father", "my mom", "my mum", "my dad", "mother of", "father of",
    # titles
    "dr", "dr.", "doktor", "fru", "herr", "hr", "hr.", "frk", "frk.", "frøken", "mr", "mr.", "mrs", "mrs.",
    "ms", "ms.",
    "miss", "helsesykepleier", "helsesøster", "lege", "psykolog", "lærer", "rektor",
    # "en gutt som heter Ali" ("noe som heter pasientforløp" is no name)
    "som heter", "som heiter", "som het", "named", "called",
    # a family word alone, as chat has it: "mamma tone", "pappa Geir", "tante kari"
    "mamma", "pappa", "mor", "far", "bror", "søster", "syster", "tante", "onkel", "moster",
    "faster", "morbror", "farbror", "storebror", "lillebror", "storesøster", "lillesøster",
    "stefar", "stemor", "bonusmamma", "bonuspappa", "fetter", "kusine",
)
# A person word and a possessive or "til", in any combination: "dottera vår Liv", "sonen
# hennar Ali", "kjæresten til Even", "sønnene mine Ali og Omar" (nynorsk and dialect forms too)
RELATION_NOUNS = (
    "sønnen", "sonen", "datteren", "dattera", "dottera", "dotra", "gutten", "guten", "jenta",
    "jento", "ungen", "ungdommen", "barnet", "babyen", "eleven", "moren", "mora", "faren", "mannen",
    "kona", "konen", "samboeren", "sambuaren", "broren", "bror", "søstera", "søsteren", "systera",
    "syster", "søster", "vennen", "venninna", "venninnen", "kjæresten", "kjærasten", "kompisen",
    "bestevennen", "bestevenninna", "kontaktpersonen", "stesønnen", "stedatteren", "stedattera",
    "bonussønnen", "bonusdattera", "bonusdatteren", "bonusbarnet", "eksen", "eksmannen", "ekskona",
    "lillebroren", "storebroren", "lillesøstera", "storesøstera", "lillesøsteren",
    "storesøsteren", "fostersønnen", "fosterdattera", "fosterdatteren", "fosterbarnet",
    "tvillingbroren", "tvillingsøstera", "tvillingsøsteren", "læreren", "kontaktlæreren",
    "fastlegen", "psykologen", "saksbehandleren", "treneren", "naboen", "tanta", "tante",
    "onkelen", "onkel", "kusina", "kusinen", "fetteren", "nevøen", "niesen", "mammaen", "pappaen",
    "mamma", "pappa", "mor", "far", "bestemora", "bestemoren", "bestefaren", "stefaren", "stemora",
    "barnebarnet", "vergen",
    # plurals: "sønnene mine Ali og Omar"
    "sønnene", "sønnane", "døtrene", "døtrane", "barna", "borna", "ungene", "ungane", "guttene",
    "gutane", "jentene", "jentane", "brødrene", "brørne", "søstrene", "systrene", "foreldrene",
    "foreldra", "tvillingene",
)
POSSESSIVES = (
    "min", "mi", "mitt", "mine", "vår", "vårt", "våre", "hans", "hennes", "hennar", "deres", "deira",
    "dykkar", "til", "åt",
)

# Signatures: "mvh Trine", "Hilsen Ola Nordmann", "best regards, Kari"
SIGNATURES = (
    "vennlig hilsen", "med vennlig hilsen", "hilsen", "helsing", "hilsing", "mvh", "m.v.h.",
    "vh", "beste hilsen", "venleg helsing", "best regards", "kind regards", "regards",
    "greetings", "sincerely", "hilsen fra", "klem", "klem fra",
)
# "heter" in bokmål, nynorsk and dialects: "ho heite Gerd", "han heiter Sondre", "hu heter Siri"
_NAME_VERBS = ("heter", "heiter", "heite", "heita", "hete", "het", "hette", "hetter", "heitte")
# "jeg heter X": whatever follows is the name, up to a stop word
_NAMED_SUBJECTS = (
    "jeg", "je", "eg", "e", "i", "han", "hun", "ho", "hu", "hen", "sønnen min", "sønnen vår",
    "sønnen", "datteren min", "dattera mi", "datteren vår", "dottera mi", "gutten min", "jenta mi",
    "barnet mitt", "ungen min", "eleven min", "moren min", "mora mi", "mor mi", "faren min",
    "far min", "mannen min", "kona mi", "samboeren min", "broren min", "bror min", "søstera mi",
    "søsteren min", "søster mi", "vennen min", "venninna mi", "venninnen min", "kjæresten min",
    "kontaktpersonen min", "kompisen min", "læreren min", "psykologen min", "fastlegen min",
    "saksbehandleren min", "min sønn", "min datter", "min mann", "min kone", "gutten", "jenta",
    "barnet", "ungen", "eleven",
)
NAMING = (
    "mitt navn er", "mitt namn er", "navnet mitt er", "namnet mitt er", "navnet er", "namnet er",
    "navnet hans er", "navnet hennes er", "navnet til sønnen min er", "navnet til dattera mi er",
    "jeg kalles", "kall meg", "navn:", "fullt navn", "my name is", "my name's",
    "i am called", "i'm called", "call me", "named", "name is", "his name is", "her name is",
)
# "jeg er Ola", "det er Kari som skriver", "this is Amina": the usual continuations are words
# ("jeg er lei", "det er vanskelig"), so only a known name or an unknown capitalised word
INTRODUCTIONS = (
    "jeg er", "eg er", "je er", "det er", "dette er", "her er", "hun er", "han er", "ho er",
    "this is", "i am", "i'm", "im", "it's", "its", "it is",
)

# "jeg heter", "ho heite", "sønnen min heter": each subject with each verb
_NAMING = _phrases(NAMING, pairs=((_NAMED_SUBJECTS, _NAME_VERBS),))
_RELATION = _phrases(RELATIONS, pairs=((RELATION_NOUNS, POSSESSIVES),))
# "Babyen vår heter Sol", "Katten heter Pus": after "heter" of any subject, what a relation word
# takes (a known name, or an unknown capitalised word)
_NAME_VERB = _phrases(_NAME_VERBS)
_SIGNATURE = _phrases(SIGNATURES)
_INTRODUCTION = _phrases(INTRODUCTIONS, tail=r"[\s,]+")

# Words that end a name after "jeg heter" (or show there was none): "jeg heter ikke det"
STOPWORDS = frozenset(fold(w) for w in """
    og er jeg eg je meg men som på pa i fra frå har bor trenger treng trengs lurer vil ville skal
    kan kunne må ma med til for ikke ikkje sliter slit nå na no jo bare berre altså assa
    asså forresten da så sa hei hallo heisann btw jobber går gar født fødd fodd også ogsa fyller
    var blir er e å a det den dette du dere vi oss han hun ho dei de ein en et eit noe noko
    mitt min mi mine hans hennes hva kva hvem kven hvordan korleis hvorfor kvifor hvor kor når
    nar om at the and egentlig eigentleg visst vel kanskje sånn slik litt veldig typ
    liksom takk ok okei ja nei alder år ar gammel gammal snart nesten akkurat
    elev student mamma pappa mor far barn sønn datter is was am and but who i'm not
    back later tomorrow today tonight now please asap soon again when at on if after before
    """.split())


def _is_stopword(lower: str) -> bool:
    """A stop word, also as typed without æøå: "paa", "naa", "gaar" are "på", "nå", "går"."""
    word = fold(lower)
    return word in STOPWORDS or (("aa" in word or "oe" in word) and word.replace("aa", "a").replace("oe", "o") in STOPWORDS)


# Joining words inside a name: "Mohammed bin Salman", "Ludwig van Beethoven", "Nguyen Thi Lan"
PARTICLES = frozenset("""
    bin ibn bint binti al el ul ud abu abd van von der den de da di du dos das del dela della delos
    la le las los ter thi
    """.split())  # "Joy dela Cruz", "Maria de la Cruz", "Ana dos Santos"
MAX_PARTICLES = 2  # "de la"
# Words after which a capitalised word that is also an ordinary word is that word:
# "han er Kristen", "jeg er Redd"
_COPULAS = frozenset(fold(w) for w in """
    er var blir ble vært være veldig så litt ikke helt mer mest en et ei den det min mitt mi
    din ditt di sin sitt si vår vårt is am are was be very the a an
    """.split())
# A capitalised word at the start of a sentence is a name before one of these
_AFTER_NAME = frozenset(fold(w) for w in """
    her sa sier har hadde er var skal vil ville kan kunne må måtte blir ble fikk får gikk går
    og eller sitt sin si sine mener tror synes trenger vet visste lurer sliter spør spurte ringte
    ringer skrev skriver fortalte forteller bor bodde jobber går gikk kom kommer is has was will
    says said here and
    """.split())
_VERB_ENDINGS = ("er", "te", "de", "et", "ar")  # "sliter", "ringte", "hadde", "snakket", "kastar"
# Verbs of people after which a first name that is also a word still starts a sentence as a
# name: "Per ringte", "Liv sa" (not "Liv er vanskelig", "Per i dag", "Liv kan være tungt")
_PERSON_VERBS = frozenset(fold(w) for w in """
    sa sier ringte ringer skrev skriver fortalte forteller mener tror synes trenger lurer sliter
    spurte spør heter svarte sendte snakket snakker gråter gråt sover jobber bor bodde
    """.split())
# After a first name that is also a word, these make it a name: "mamma tone har", "pappa stein sa"
_VERBS_AFTER_NAME = (_AFTER_NAME | _PERSON_VERBS) - frozenset("og eller and sin si sine sitt".split())
# "Det er Liv igjen", "det er Stein her", "Det er Sol som skriver"
_SELF_INTRODUCTION_ENDS = frozenset("her igjen here again".split())
_WRITING_VERBS = frozenset(fold(w) for w in """
    skriver skriv skreiv skrev skrivar har hadde sendte sende ringte ringer spurte spør lurer
    """.split())
_GREETINGS = frozenset("hei hallo heisann hey hi hello halla hallo heia".split())
_AND = frozenset(("og", "and"))
_FAMILY_WORDS = frozenset(fold(w) for w in """
    mamma pappa mor far bror søster tante onkel mormor morfar farmor farfar bestemor bestefar
    """.split())
_AMPERSAND = re.compile(r"\s*&\s*")
_AGE_AFTER = re.compile(r"[ \t]*\([ \t]*\d{1,2}[ \t]*(?:år|ar|years?|y\.?o\.?|mnd)?[ \t]*\)")  # "Sol (9)"
_DASH_BEFORE = re.compile(r"(?:^|\s)[-–—][ \t]*$")  # " - Liv", "\n– Sol"
_SAINTS = frozenset("st sankt saint san santa sta".split())
# Before a place, a capitalised word that is also an ordinary word is no name: "bor på Berg"
_PLACE_PREPOSITIONS = frozenset(fold(w) for w in """
    i på pa ved utenfor innenfor nær rundt mot over under gjennom langs bortenfor
    """.split())
# "det er Rune.", "this is Stein!": the phrases that introduce the writer, after which a known
# first name that is also a word is a name when the sentence ends with it ("Han er Kristen." stays)
_WRITER_INTRODUCTIONS = frozenset(("det er", "dette er", "her er", "this is", "it's", "its", "it is"))
# Vietnamese middle names: the word after one is part of the name, also when it is a word or a
# month ("Vu Thi Mai", "Pham Van Long")
_MIDDLE_NAMES = frozenset(("thi", "thị", "van", "văn"))
# "Mvh P-E", "Hilsen K.", "mvh J.K.": initials after a signature, at the end of the line
_INITIALS = re.compile(r"[A-ZÆØÅ](?:(?:\.[ \t]?|\.?-)[A-ZÆØÅ]){0,2}\.?(?=[ \t]*(?:$|[\n!,]))")
# A capitalised word after "fra" that follows one of these is where someone comes from, not a
# person: "kommer fra Herat", "flyttet fra Aleppo", "kurder fra Erbil", "came from Erbil"
_ORIGIN_VERBS = frozenset(fold(w) for w in """
    kommer kom kjem komme flyttet flytta flytte flyktet flykta flykte rømte rømde reiste reist
    dro er var opprinnelig opphavleg originalt innvandret innvandra
    come comes came moved fled am is are was originally
    """.split())
_PEOPLE_NOUNS = frozenset(fold(w) for w in """
    kurder kurdar kurdere somalier somaliar somaliere syrer syrar syrere afghaner afghanar afghanere
    eritreer eritrear etiopier etiopar iraker irakar irakere iraner iranar iranere palestiner
    palestinar polakk polakker litauer latvier estlender ukrainer ukrainar russer vietnameser
    filippiner filippinar pakistaner pakistanar tamil tamiler tyrker araber hazara pashtuner
    tsjetsjener bosnier albaner kosovoalbaner marokkaner sudaner thailender kineser inder
    rumener bulgarer serber kroat ungarer tysker svenske dansker amerikaner brite
    flyktning flyktningar flyktninger asylsøker asylsøkjar innvandrer innvandrar
    refugee refugees kurd kurds
    """.split())
_FROM = frozenset(("fra", "frå", "from"))
# A capitalised word right before one of these names the place: "Fjell skole", "Bragernes kirke"
_INSTITUTIONS = """
    skole skule ungdomsskole ungdomsskule barneskole barneskule videregående vgs barnehage
    sykehus sjukehus sykehjem sjukeheim kirke kyrkje menighet kyrkjelyd legesenter
    """.split()
_INSTITUTION_SPELLINGS = frozenset(_INSTITUTIONS) | frozenset(fold(w) for w in _INSTITUTIONS)
# After one of these, also a first name before "skole", "sykehus" ... is the place: "på Holm kirke"
_INSTITUTION_PREPOSITIONS = _PLACE_PREPOSITIONS | frozenset(fold(w) for w in "ved til fra frå from at in".split())


# --- the lexicon ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Lexicon:
    """{lowercase word: flags} of names.tsv.gz (which has the æøå-less spellings) and not_names.txt."""

    flags: Mapping[str, int]
    has_names: bool

    def lookup(self, lower: str) -> int:
        return self.flags.get(lower, 0)


def _read_not_names(path: Path) -> Dict[str, int]:
    flags: Dict[str, int] = {}
    section = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
        elif line:
            for word in line.lower().split():
                flags[word] = flags.get(word, 0) | _SECTION_FLAGS.get(section, NOT_NAME)
    return flags


def load_lexicon(names_file: Path = NAMES_FILE, not_names_file: Path = NOT_NAMES_FILE) -> Lexicon:
    flags: Dict[str, int] = {}
    has_names = True
    try:
        with gzip.open(names_file, "rt", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("#"):
                    continue
                word, _, letters = line.rstrip("\n").partition("\t")
                value = 0
                for letter in letters:
                    value |= _FILE_FLAGS.get(letter, 0)
                flags[word] = value
    except (OSError, EOFError) as error:
        has_names = False
        logger.warning(
            "masking: no name lists (%s: %s); names are found only after 'jeg heter'-like phrases. "
            "Run `%s` (part of make setup).", names_file, error, BUILD_COMMAND,
        )
    for word, value in _read_not_names(not_names_file).items():
        for spelling in {word, fold(word)}:  # the file has both spellings of the names (build_names)
            if value & NOT_NAME:
                flags[spelling] = value & (NOT_NAME | KNOWN_PLACE) | (flags.get(spelling, 0) & CALENDAR)
            else:
                flags[spelling] = flags.get(spelling, 0) | value
    return Lexicon(flags, has_names)


@functools.lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    return load_lexicon()


# --- the finder -----------------------------------------------------------------------------


@dataclass
class _Token:
    start: int
    end: int
    text: str
    lower: str
    flags: int
    capitalised: bool
    sentence_start: bool


def _is_capitalised(word: str) -> bool:
    # "KARI" shouted is rare; "BUP", "NAV", "ADHD" are not people
    return word[0].isupper() and not (len(word) > 1 and word.isupper())


class NameFinder:
    """Finds the spans of people's names; `lexicon=None` reads the default files on first use."""

    def __init__(self, lexicon: Optional[Lexicon] = None) -> None:
        self._lexicon = lexicon

    @property
    def lexicon(self) -> Lexicon:
        if self._lexicon is None:
            self._lexicon = default_lexicon()
        return self._lexicon

    def _flags(self, word: str, lower: str) -> int:
        flags = self.lexicon.lookup(lower)
        if not flags and len(lower) > MIN_GENITIVE_BASE_LENGTH and lower[-1] == "s" and "-" not in lower:
            base = self.lexicon.lookup(lower[:-1])  # genitive: "Kevins lærer" (not "This": "Thi")
            if base & FIRST and not base & (WORD | NOT_NAME):
                flags = base
        if "-" in lower and not flags & (NAME | NOT_NAME):
            # "Anne-Lise", "Al-Hassan", "anne-lise"; not "EU-kontroll", "e-post"
            parts = word.split("-")
            same_case = all(_is_capitalised(p) for p in parts) or all(p.islower() for p in parts)
            part_flags = [self.lexicon.lookup(p.lower()) for p in parts]
            if same_case and any(f & NAME for f in part_flags) and all(
                f & NAME or (not f and p[:1].isupper()) for p, f in zip(parts, part_flags)
            ) and not any(f & NOT_NAME for f in part_flags):
                flags = FIRST if any(f & FIRST for f in part_flags) else LAST
        return flags

    def tokens(self, text: str) -> List[_Token]:
        out = []
        for match in _TOKEN.finditer(text):
            word = match.group()
            lower = word.lower()
            position = match.start() - 1
            while position >= 0 and text[position] in _OPENERS:
                position -= 1
            out.append(_Token(
                match.start(), match.end(), word, lower, self._flags(word, lower), _is_capitalised(word),
                position < 0 or text[position] in _SENTENCE_END,
            ))
        return out

    def find(self, text: str) -> List[Tuple[int, int]]:
        if not text:
            return []
        tokens = self.tokens(text)
        if not tokens:
            return []
        starts = [t.start for t in tokens]
        taken = [False] * len(tokens)
        # places that look like names ("kommer fra Herat", "Fjell skole") are never names
        for index, token in enumerate(tokens):
            if token.lower in _FROM and index + 1 < len(tokens) and self._place_not_person(text, tokens, index + 1):
                taken[index + 1] = True
            elif token.lower in _INSTITUTION_SPELLINGS and index > 0 and self._place_not_person(text, tokens, index - 1):
                taken[index - 1] = True
        spans: List[Tuple[int, int]] = []

        def first_token_at(position: int) -> Optional[int]:
            index = bisect.bisect_left(starts, position)
            return index if index < len(tokens) and tokens[index].start == position else None

        claimed: List[Tuple[int, int]] = []  # the token ranges of `spans`

        def claim(first: int, last: int) -> None:
            for i in range(first, last + 1):
                taken[i] = True
            spans.append((tokens[first].start, tokens[last].end))
            claimed.append((first, last))

        # 1. after "jeg heter": anything up to a stop word
        for match in _NAMING.finditer(text):
            index = first_token_at(match.end())
            if index is None or taken[index] or _is_stopword(tokens[index].lower):
                continue
            last = index
            while last + 1 < len(tokens) and last + 1 - index < NAME_MAX_TOKENS and self._adjacent(text, tokens, last):
                following = tokens[last + 1]
                if _is_stopword(following.lower) and following.lower not in PARTICLES:
                    break
                last += 1
            claim(index, self._trim_particles(tokens, index, last))

        # 2. after "sønnen min", "mvh", "dr.", "X heter", and "jeg er", "det er"
        for pattern, introduction in (
            (_RELATION, False), (_SIGNATURE, False), (_NAME_VERB, False), (_INTRODUCTION, True),
        ):
            for match in pattern.finditer(text):
                index = first_token_at(match.end())
                if index is None or taken[index]:
                    continue
                if pattern is _SIGNATURE:
                    initials = self._initials(text, tokens, index, match.end())
                    if initials is not None and not any(taken[index:initials + 1]):
                        claim(index, initials)  # "Mvh P-E", "hilsen K."
                        continue
                writer = introduction and " ".join(match.group().lower().rstrip(" \t\n,").split()) in _WRITER_INTRODUCTIONS
                if self._opens_name(text, tokens, index, introduction, writer):
                    claim(index, self._extend_right(text, tokens, index, taken))

        # 3. known names without a phrase
        for index, token in enumerate(tokens):
            if taken[index] or not token.flags & NAME or token.flags & (NOT_NAME | CALENDAR):
                continue
            if token.capitalised and self._standalone_name(text, tokens, index):
                first = self._extend_left(text, tokens, index, taken)
                claim(first, self._extend_right(text, tokens, index, taken))
            elif not token.capitalised and self._adjacent(text, tokens, index):
                here = self._here_run(text, tokens, index)
                if here is not None:
                    claim(index, here)  # "kari her", "nguyen thi lan her,"
                    continue
                if token.flags & WORD:
                    continue
                following = tokens[index + 1]
                if (
                    token.flags & FIRST and token.flags & PROMINENT and following.flags & LAST
                    and following.flags & PROMINENT and not following.capitalised
                    and not following.flags & (WORD | NOT_NAME | CALENDAR)
                    and min(len(token.lower), len(following.lower)) >= MIN_LOWERCASE_NAME_LENGTH
                    and not _is_stopword(token.lower) and not _is_stopword(following.lower)
                ):
                    claim(index, index + 1)  # "jeg snakket med ida nilsen": a first and a last name

        # 3b. a name before an age: "Sol (9)", "Kevin (14 år)"
        for index, token in enumerate(tokens):
            if not taken[index] and _AGE_AFTER.match(text, token.end) and self._name_before_age(token):
                claim(self._extend_left(text, tokens, index, taken), index)

        # 4. a name alone on the last line, or a message that is only a name, or after a dash
        # at the end ("Takk for hjelpen - Liv")
        self._last_line(text, tokens, taken, claim)
        self._dash_signature(text, tokens, taken, claim)

        # 5. a name joined by "og" or "&" to a name found: "hilsen kine og markus", "Kari & Liv"
        self._coordinated(text, tokens, taken, claimed, claim)
        return sorted(spans)

    # --- rules ----------------------------------------------------------------------------

    @staticmethod
    def _adjacent(text: str, tokens: Sequence[_Token], index: int) -> bool:
        """The next token follows after spaces only (a comma or full stop ends a name)."""
        if index + 1 >= len(tokens):
            return False
        gap = text[tokens[index].end:tokens[index + 1].start]
        return gap != "" and gap.strip(" \t") == ""

    def _ends_name(self, text: str, tokens: Sequence[_Token], index: int) -> bool:
        """What follows tokens[index] ends a name: punctuation, the end, a stop word or a verb."""
        rest = text[tokens[index].end:].lstrip(" \t")
        if not rest or rest[0] in ",.!?\n;:)":
            return True
        if not self._adjacent(text, tokens, index):
            return False
        word = fold(tokens[index + 1].lower)
        return _is_stopword(word) or word in _AFTER_NAME or (
            len(word) >= MIN_VERB_LENGTH and word.endswith(_VERB_ENDINGS) and not tokens[index + 1].flags & NAME
        )

    @staticmethod
    def _trim_particles(tokens: Sequence[_Token], first: int, last: int) -> int:
        while last > first and tokens[last].lower in PARTICLES:
            last -= 1
        return last

    @staticmethod
    def _name_like(token: _Token) -> bool:
        """A capitalised word that may be part of a name: a known name, or unknown and no word."""
        if not token.capitalised or token.flags & (NOT_NAME | CALENDAR) or _is_stopword(token.lower):
            return False  # "Jeg Vil Ikke", "Er Kevin ..."
        return bool(token.flags & NAME) or not token.flags & (WORD | PLACE)

    def _opens_name(self, text: str, tokens: Sequence[_Token], index: int, introduction: bool, writer: bool = False) -> bool:
        token = tokens[index]
        following = tokens[index + 1] if self._adjacent(text, tokens, index) else None
        flags = token.flags
        if _is_stopword(token.lower) or flags & NOT_NAME:
            return False
        if not token.capitalised:
            if flags & WORD and flags & FIRST and following is not None and not following.capitalised:
                # "det er per jensen": a first name that is also a word, before a surname
                if following.flags & LAST and not following.flags & (WORD | NOT_NAME | CALENDAR):
                    return True
            if flags & WORD_NAME and not introduction:
                return self._verb_or_end_follows(text, tokens, index)  # "mamma tone har", "hilsen liv"
            return bool(flags & NAME) and not flags & (WORD | CALENDAR)
        if introduction:  # "Det er Onsdag", "Han er Kristen", "Jeg er Redd" stay
            if not flags & (WORD | CALENDAR | PLACE):
                return True
            if flags & WORD_NAME or (flags & FIRST and not flags & (WORD | CALENDAR)):
                return self._introduces_self(text, tokens, index) or (  # "Det er Liv igjen", "det er Maria her"
                    writer and self._sentence_ends_after(text, tokens, index)  # "hei det er Rune."
                )
            return False
        return bool(flags & NAME) or not flags & (WORD | CALENDAR | PLACE)

    def _verb_or_end_follows(self, text: str, tokens: Sequence[_Token], index: int) -> bool:
        """A verb or the end follows: "mamma tone har", "pappa stein sa", "hilsen liv" (not
        "mamma per telefon", "hilsen glad mamma")."""
        rest = text[tokens[index].end:].lstrip(" \t")
        if not rest or rest[0] in ",.!?\n;:)":
            return True
        if not self._adjacent(text, tokens, index):
            return False
        following = tokens[index + 1]
        word = fold(following.lower)
        if word in _AND and self._adjacent(text, tokens, index + 1):
            # "mamma tone og pappa geir", "hilsen liv og Kari" (not "mamma liv og helse")
            after = tokens[index + 2]
            return fold(after.lower) in _FAMILY_WORDS or (
                bool(after.flags & NAME) and not after.flags & (WORD | NOT_NAME | CALENDAR)
            )
        return word in _VERBS_AFTER_NAME or (
            not following.capitalised and len(word) >= MIN_VERB_LENGTH and word.endswith(_VERB_ENDINGS)
            and not following.flags & NAME
        )

    @staticmethod
    def _initials(text: str, tokens: Sequence[_Token], index: int, position: int) -> Optional[int]:
        """The last token of initials at `position` that end the line ("P-E", "K.", "J.K."), or None."""
        initials = _INITIALS.match(text, position)
        if initials is None:
            return None
        last = index
        while last + 1 < len(tokens) and tokens[last + 1].end <= initials.end():
            last += 1
        return last if tokens[last].end <= initials.end() else None

    @staticmethod
    def _sentence_ends_after(text: str, tokens: Sequence[_Token], index: int) -> bool:
        """A full stop, "!", a line break or the end follows tokens[index] ("det er Rune.")."""
        rest = text[tokens[index].end:].lstrip(" \t")
        return not rest or rest[0] in ".!\n"

    def _place_not_person(self, text: str, tokens: Sequence[_Token], index: int) -> bool:
        """A word that names a place where a name rule would take it for a person: after "fra"
        that follows a verb or noun of origin ("kommer fra Herat", "kurder fra Erbil"), or right
        before "skole", "barnehage", "kirke" ... ("Fjell skole"). A first name that is no word
        and no place stays a name there ("Har Kevin skole i dag?", "er fra Kari Hansen")."""
        token = tokens[index]
        flags = token.flags
        person = flags & FIRST and flags & PROMINENT and not flags & (WORD | PLACE)  # "Kevin", "Holm"
        if self._adjacent(text, tokens, index) and tokens[index + 1].lower in _INSTITUTION_SPELLINGS:
            if not person:
                return True
            # "ligger på Holm sykehus", "Kari, Lund skole"; not "Har Kevin skole i dag?"
            previous = tokens[index - 1] if index > 0 else None
            gap = text[previous.end:token.start] if previous is not None else ""
            return previous is not None and (
                "," in gap or "\n" in gap
                or (fold(previous.lower) in _INSTITUTION_PREPOSITIONS and self._adjacent(text, tokens, index - 1))
            )
        if person:
            return False
        if index < 2 or tokens[index - 1].lower not in _FROM or not self._adjacent(text, tokens, index - 1):
            return False
        if not self._adjacent(text, tokens, index - 2):
            return False
        before = fold(tokens[index - 2].lower)
        if before not in _ORIGIN_VERBS and before not in _PEOPLE_NOUNS:
            return False
        # "er fra Kari Hansen": a full name follows "fra"
        return not (self._adjacent(text, tokens, index) and self._name_like(tokens[index + 1]))

    def _name_before_her(self, text: str, tokens: Sequence[_Token], index: int) -> bool:
        """ "Hei, Sol her.", "Stein her!": a capitalised first name, also one that is a word or a
        place, that opens the message or follows a greeting that does, before "her" that ends
        the sentence ("Hei, Sol her og nå ..." stays)."""
        token = tokens[index]
        if not token.flags & FIRST or not self._adjacent(text, tokens, index) or tokens[index + 1].lower != "her":
            return False
        previous = tokens[index - 1] if index > 0 else None
        opens = previous is None or (
            index == 1 and fold(previous.lower) in _GREETINGS and text[previous.end:token.start].strip(" \t,!.") == ""
        )
        if not opens:
            return False
        rest = text[tokens[index + 1].end:].lstrip(" \t")
        return not rest or rest[0] in ".,!\n"

    def _introduces_self(self, text: str, tokens: Sequence[_Token], index: int) -> bool:
        """ "her", "igjen" or "som skriver" follows: "Det er Liv igjen", "det er Stein her"."""
        if not self._adjacent(text, tokens, index):
            return False
        word = fold(tokens[index + 1].lower)
        if word in _SELF_INTRODUCTION_ENDS:
            return True
        return word == "som" and self._adjacent(text, tokens, index + 1) and fold(tokens[index + 2].lower) in _WRITING_VERBS

    def _standalone_name(self, text: str, tokens: Sequence[_Token], index: int) -> bool:
        token = tokens[index]
        flags = token.flags
        following = tokens[index + 1] if self._adjacent(text, tokens, index) else None
        before_surname = following is not None and following.flags & LAST and not following.flags & (WORD | NOT_NAME)
        if self._name_before_her(text, tokens, index):
            return True  # "Hei, Sol her."
        if flags & PLACE:  # "Jordan Hansen", "Juan del Rosario"
            return bool(flags & FIRST) and bool(before_surname or self._after_particles(text, tokens, index) is not None)
        if _is_stopword(token.lower):
            return False  # "Kan Zahra ...": the verb, not a name
        if flags & WORD:
            if token.sentence_start:  # "Liv er vanskelig" stays; "Liv Haugen", "Per ringte" are names
                if not flags & FIRST:
                    return False
                if before_surname:
                    return True
                return (
                    bool(flags & PROMINENT) and len(token.lower) <= MAX_WORD_NAME_LENGTH
                    and following is not None and fold(following.lower) in _PERSON_VERBS
                )
            previous = tokens[index - 1] if index > 0 else None
            if before_surname or (previous is not None and previous.flags & NAME and self._adjacent(text, tokens, index - 1) and previous.capitalised):
                return True
            return bool(flags & PROMINENT) and not (
                previous is not None and fold(previous.lower) in _COPULAS | _PLACE_PREPOSITIONS
            )
        previous = tokens[index - 1] if index > 0 else None
        if previous is not None and previous.lower in _SAINTS:
            return False  # "St. Hallvard videregående", "Sankt Olav"
        if not token.sentence_start:
            if not flags & FIRST and previous is not None and fold(previous.lower) in _PLACE_PREPOSITIONS:
                return False  # "bur på Voss": a surname after "på" is the place it was named after
            return True
        # the start of a sentence: "Per Olsen", "Kevin sliter", "Ahmed her.", "Kari," ...
        if following is not None and self._name_like(following):
            return True
        if not flags & PROMINENT:
            return False  # dialect and slang start sentences too: "Hade", "Kem ska æ ringe"
        rest = text[token.end:]
        if not rest.strip() or (rest[:1] != "-" and rest.lstrip(" \t")[:1] in (",", "\n", "!", ".", ":", "(", ")")):
            return True
        if following is None:
            return False
        if self._after_particles(text, tokens, index) is not None:
            return True  # "Mohammed bin Salman", "Maria de la Cruz"
        word = fold(following.lower)
        return word in _AFTER_NAME or (
            not following.capitalised and len(word) >= MIN_VERB_LENGTH and word.endswith(_VERB_ENDINGS)
        )

    def _extend_right(self, text: str, tokens: Sequence[_Token], index: int, taken: Sequence[bool]) -> int:
        last = index
        lowercase = not tokens[index].capitalised
        while last + 1 < len(tokens) and last + 1 - index < NAME_MAX_TOKENS and self._adjacent(text, tokens, last):
            following = tokens[last + 1]
            if taken[last + 1]:
                break
            if lowercase:
                if following.capitalised or following.flags & (NOT_NAME | CALENDAR) or _is_stopword(following.lower):
                    break
                if following.flags & NAME and not following.flags & WORD:
                    last += 1
                    continue
                if following.flags & LAST and self._ends_name(text, tokens, last + 1):
                    last += 1  # "hilsen lukas moen", "thea moen som": a surname that is also a word
                    break
                after = self._after_particles(text, tokens, last, lowercase=True)
                if after is not None and after - index < NAME_MAX_TOKENS + MAX_PARTICLES:
                    last = after  # "joy dela cruz"
                    continue
                break
            if self._name_like(following) or (
                last > index and tokens[last].lower in _MIDDLE_NAMES and not following.flags & NOT_NAME
                and following.capitalised and not _is_stopword(following.lower)
            ):
                last += 1  # "Amina Yusuf"; "Vu Thi Mai" (a month after a middle name)
                continue
            after = self._after_particles(text, tokens, last)
            if after is not None and after - index < NAME_MAX_TOKENS + MAX_PARTICLES:
                last = after  # "Joy dela Cruz", "Maria de la Cruz"
                continue
            break
        return last

    def _after_particles(self, text: str, tokens: Sequence[_Token], index: int, lowercase: bool = False) -> Optional[int]:
        """The name after one or two particles that follow tokens[index] ("bin Salman", "de la
        Cruz"), or None."""
        position = index
        for _ in range(MAX_PARTICLES):
            if not self._adjacent(text, tokens, position) or tokens[position + 1].lower not in PARTICLES:
                return None
            position += 1
            if not self._adjacent(text, tokens, position):
                return None
            name = tokens[position + 1]
            if lowercase:
                if not name.capitalised and name.flags & NAME and not name.flags & (WORD | NOT_NAME | CALENDAR):
                    return position + 1
            elif self._name_like(name) and name.lower not in PARTICLES:
                return position + 1
        return None

    def _extend_left(self, text: str, tokens: Sequence[_Token], index: int, taken: Sequence[bool]) -> int:
        first = index
        while first > 0 and index - first + 1 < NAME_MAX_TOKENS and self._adjacent(text, tokens, first - 1):
            previous = tokens[first - 1]
            if previous.lower in PARTICLES and not taken[first - 1]:
                # "... dela Cruz": the name before one or two particles
                before = first - 1
                while before > 0 and first - before < MAX_PARTICLES and tokens[before - 1].lower in PARTICLES and self._adjacent(text, tokens, before - 1):
                    before -= 1
                if before > 0 and self._adjacent(text, tokens, before - 1) and not taken[before - 1] and self._name_like(tokens[before - 1]) and (
                    not tokens[before - 1].sentence_start or tokens[before - 1].flags & FIRST
                ):
                    first = before - 1
                    continue
                break
            if taken[first - 1] or not self._name_like(previous):
                break
            if previous.sentence_start and (not previous.flags & NAME or previous.flags & WORD):
                break  # "Fortell Anne ...", "Er Kevin ...": a sentence's first word, no first name
            first -= 1
        return first

    def _here_run(self, text: str, tokens: Sequence[_Token], index: int) -> Optional[int]:
        """The last token of a lowercase name that opens a message or sentence before "her":
        "kari her", "nguyen thi lan her,", "hei, ida nilsen her"."""
        token = tokens[index]
        previous = tokens[index - 1] if index > 0 else None
        opens = token.sentence_start or (
            previous is not None and previous.sentence_start and fold(previous.lower) in _GREETINGS
            and text[previous.end:token.start].strip(" \t,!") == ""
        )
        if not opens:
            return None
        last, known = index, False
        while True:
            current = tokens[last]
            if current.capitalised or current.flags & (NOT_NAME | CALENDAR):
                return None
            if current.lower in PARTICLES and last > index:
                pass
            elif _is_stopword(current.lower) or not current.flags & (NAME | WORD_NAME):
                return None
            elif current.flags & WORD_NAME or not current.flags & WORD:
                known = True
            elif not (current.flags & PROMINENT if last == index else current.flags & LAST):
                return None  # a word: "le thi hoa her" (Lê), "ida moen her"; not "mange her"
            if not self._adjacent(text, tokens, last) or last - index + 1 > NAME_MAX_TOKENS:
                return None
            if tokens[last + 1].lower == "her":
                return last if known and (last + 2 == len(tokens) or not self._adjacent(text, tokens, last + 1)) else None
            last += 1

    @staticmethod
    def _name_before_age(token: _Token) -> bool:
        flags = token.flags
        if flags & (NOT_NAME | CALENDAR) or _is_stopword(token.lower) or token.lower in PARTICLES:
            return False
        if token.capitalised:
            # "Sol (9)", "Storm (12)"; "Klasse (9)" stays (ordinary words that are no names are
            # not in the lexicon at all)
            return bool(flags & FIRST) and (not flags & WORD or bool(flags & (WORD_NAME | PROMINENT)))
        return bool(flags & WORD_NAME) or (bool(flags & NAME) and not flags & WORD)

    def _dash_signature(self, text: str, tokens: Sequence[_Token], taken: List[bool], claim) -> None:
        """ "Takk for hjelpen - Liv", "ring meg – Sol Haugen.": a name after a dash at the end."""
        if not tokens or text[tokens[-1].end:].strip(" \t\n.!") != "":
            return
        for count in range(1, LAST_LINE_MAX_TOKENS + 1):
            first = len(tokens) - count
            if first < 0 or taken[first]:
                return
            before = text[tokens[first - 1].end if first > 0 else 0:tokens[first].start]
            if not _DASH_BEFORE.search(before):
                if first > 0 and not self._adjacent(text, tokens, first - 1):
                    return
                continue
            opening = tokens[first]
            if opening.capitalised:
                ok = opening.flags & FIRST and not opening.flags & (NOT_NAME | CALENDAR) or self._name_like(opening)
            else:
                ok = opening.flags & WORD_NAME or (opening.flags & NAME and not opening.flags & (WORD | NOT_NAME | CALENDAR))
            rest_ok = all(
                self._name_like(t) if t.capitalised else bool(t.flags & NAME) and not t.flags & (WORD | NOT_NAME | CALENDAR)
                for t in tokens[first + 1:]
            )
            if ok and rest_ok and not _is_stopword(opening.lower) and not any(taken[first:]):
                claim(first, len(tokens) - 1)
            return

    def _coordinated_name(self, token: _Token) -> bool:
        flags = token.flags
        if flags & (NOT_NAME | CALENDAR) or _is_stopword(token.lower) or not flags & (NAME | WORD_NAME):
            return False
        if flags & WORD_NAME:
            return True  # "Kari og Liv", "hilsen kine og per"
        if flags & WORD:
            return False
        return token.capitalised or len(token.lower) >= MIN_LOWERCASE_NAME_LENGTH

    def _coordinated(self, text: str, tokens: Sequence[_Token], taken: List[bool], claimed: List[Tuple[int, int]], claim) -> None:
        done = 0
        while done < len(claimed):
            first, last = claimed[done]
            done += 1
            # to the right: "kine og markus", "Kari & Liv"
            k = None
            if last + 1 < len(tokens) and _AMPERSAND.fullmatch(text[tokens[last].end:tokens[last + 1].start]):
                k = last + 1
            elif last + 2 < len(tokens) and tokens[last + 1].lower in _AND and self._adjacent(text, tokens, last) and self._adjacent(text, tokens, last + 1):
                k = last + 2
            if k is not None and not taken[k] and self._coordinated_name(tokens[k]):
                claim(k, self._extend_right(text, tokens, k, taken))
            # to the left: "markus og Kine", "Liv og Kari"
            k = None
            if first >= 1 and _AMPERSAND.fullmatch(text[tokens[first - 1].end:tokens[first].start]):
                k = first - 1
            elif first >= 2 and tokens[first - 1].lower in _AND and self._adjacent(text, tokens, first - 2) and self._adjacent(text, tokens, first - 1):
                k = first - 2
            if k is not None and not taken[k] and self._coordinated_name(tokens[k]):
                claim(self._extend_left(text, tokens, k, taken) if tokens[k].capitalised else k, k)

    def _last_line(self, text: str, tokens: Sequence[_Token], taken: List[bool], claim) -> None:
        stripped = text.rstrip()
        line_start = stripped.rfind("\n") + 1
        whole_message = line_start == 0
        indices = [i for i, t in enumerate(tokens) if t.start >= line_start]
        limit = WHOLE_MESSAGE_MAX_TOKENS if whole_message else LAST_LINE_MAX_TOKENS
        if not indices or len(indices) > limit or any(taken[i] for i in indices):
            return
        line = stripped[line_start:]
        if any(ch.isdigit() for ch in line) or "?" in line:
            return
        first = tokens[indices[0]]
        if whole_message:
            # a message that is only a name: a prominent one, capitalised ("Amina Yusuf")
            ok = first.capitalised and first.flags & PROMINENT and not first.flags & (WORD | NOT_NAME | CALENDAR | PLACE)
        elif not first.capitalised:
            ok = first.flags & NAME and not first.flags & (WORD | NOT_NAME | CALENDAR | PLACE)
        else:
            ok = self._name_like(first) or (first.flags & NAME and not first.flags & (NOT_NAME | CALENDAR))
        if not ok:
            return
        last = indices[0]
        for i in indices[1:]:
            token = tokens[i]
            if not self._adjacent(text, tokens, last):
                break
            if (token.capitalised and self._name_like(token)) or (
                not token.capitalised and token.flags & NAME and not token.flags & (WORD | NOT_NAME)
            ):
                last = i
            else:
                break
        if last != indices[-1]:
            return  # "Takk for hjelpen" is no signature, "kevin sliter" no name in lowercase
        claim(indices[0], last)
