"""Finds people's names in a message, for privacy.masking.

Pure text in, character spans out: `NameFinder().find("jeg snakket med Per Olsen")` gives
`[(16, 25)]`. One pass over the words of the message, each looked up once in a dict; no
per-name pattern. What counts as a name:

- after a phrase that introduces one: "jeg heter", "mitt navn er", "my name is" (any word
  but a stop word), "sønnen min", "kona mi", "mamma til", "my son", "mvh", "hilsen", "dr."
  (a capitalised word that is no service or place, or a known name in lowercase), and "jeg er",
  "det er", "this is" (a known name, or a capitalised word that is no ordinary word);
- a capitalised known first or last name in the middle of a sentence; at the start of a
  sentence only before a surname, a verb, a comma or the end ("Kevin sliter", "Ahmed her");
- a name alone on the last line, or a message that is nothing but a name;
- the words next to a name that look like more of it: "Amina Yusuf", "Nguyen Thi Lan",
  "Mohammed bin Salman", "Anne-Lise", "Rami Al-Hassan".

Lowercase words are names only after the phrases above ("jeg heter dmytro", "mvh trine"):
in chat, "per", "liv" and "tom" are words. The known names are privacy/data/names.tsv.gz, built
by `python -m privacy.build_names` (a setup step); without it only the phrases find names, and
the masker says so once in the log. Words that are never names on their own (services,
places, days and months) are privacy/data/not_names.txt.
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
NAME = FIRST | LAST
_FILE_FLAGS = {"f": FIRST, "l": LAST, "w": WORD, "p": PROMINENT, "g": PLACE}
_SECTION_FLAGS = {"services": NOT_NAME, "places": NOT_NAME, "words": NOT_NAME, "calendar": CALENDAR, "name-words": NAME | WORD}

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


def _phrases(phrases: Iterable[str], tail: str = r"[\s:,(]+") -> re.Pattern:
    alternatives = sorted({_loose(p) for p in phrases}, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")" + tail, re.IGNORECASE)


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
)
# Signatures: "mvh Trine", "Hilsen Ola Nordmann", "best regards, Kari"
SIGNATURES = (
    "vennlig hilsen", "med vennlig hilsen", "hilsen", "helsing", "hilsing", "mvh", "m.v.h.",
    "vh", "beste hilsen", "venleg helsing", "best regards", "kind regards", "regards",
    "greetings", "sincerely", "hilsen fra", "klem", "klem fra",
)
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
NAMING = tuple(
    f"{subject} {verb}" for subject in _NAMED_SUBJECTS for verb in ("heter", "heiter", "hete", "het", "hetter")
) + (
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

_NAMING = _phrases(NAMING)
_RELATION = _phrases(RELATIONS)
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
    """.split())
# Joining words inside a name: "Mohammed bin Salman", "Ludwig van Beethoven", "Nguyen Thi Lan"
PARTICLES = frozenset("bin ibn bint binti al el ul ud abu abd van von der den de da di du dos das del la le ter thi".split())
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
_SAINTS = frozenset("st sankt saint san santa sta".split())
# Before a place, a capitalised word that is also an ordinary word is no name: "bor på Berg"
_PLACE_PREPOSITIONS = frozenset(fold(w) for w in """
    i på pa ved utenfor innenfor nær rundt mot over under gjennom langs bortenfor
    """.split())


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
                flags[spelling] = NOT_NAME | (flags.get(spelling, 0) & CALENDAR)
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
        spans: List[Tuple[int, int]] = []

        def first_token_at(position: int) -> Optional[int]:
            index = bisect.bisect_left(starts, position)
            return index if index < len(tokens) and tokens[index].start == position else None

        def claim(first: int, last: int) -> None:
            for i in range(first, last + 1):
                taken[i] = True
            spans.append((tokens[first].start, tokens[last].end))

        # 1. after "jeg heter": anything up to a stop word
        for match in _NAMING.finditer(text):
            index = first_token_at(match.end())
            if index is None or taken[index] or fold(tokens[index].lower) in STOPWORDS:
                continue
            last = index
            while last + 1 < len(tokens) and last + 1 - index < NAME_MAX_TOKENS and self._adjacent(text, tokens, last):
                following = tokens[last + 1]
                if fold(following.lower) in STOPWORDS and following.lower not in PARTICLES:
                    break
                last += 1
            claim(index, self._trim_particles(tokens, index, last))

        # 2. after "sønnen min", "mvh", "dr.", and "jeg er", "det er"
        for pattern, introduction in ((_RELATION, False), (_SIGNATURE, False), (_INTRODUCTION, True)):
            for match in pattern.finditer(text):
                index = first_token_at(match.end())
                if index is None or taken[index]:
                    continue
                following = tokens[index + 1] if self._adjacent(text, tokens, index) else None
                if self._opens_name(tokens[index], introduction, following):
                    claim(index, self._extend_right(text, tokens, index, taken))

        # 3. known names without a phrase
        for index, token in enumerate(tokens):
            if taken[index] or not token.flags & NAME or token.flags & (NOT_NAME | CALENDAR):
                continue
            if token.capitalised and self._standalone_name(text, tokens, index):
                first = self._extend_left(text, tokens, index, taken)
                claim(first, self._extend_right(text, tokens, index, taken))
            elif not token.capitalised and not token.flags & WORD and self._adjacent(text, tokens, index):
                following = tokens[index + 1]
                if index == 0 and following.lower == "her":
                    claim(0, 0)  # "kari her"
                elif (
                    token.flags & FIRST and token.flags & PROMINENT and following.flags & LAST
                    and following.flags & PROMINENT and not following.capitalised
                    and not following.flags & (WORD | NOT_NAME | CALENDAR)
                    and min(len(token.lower), len(following.lower)) >= MIN_LOWERCASE_NAME_LENGTH
                    and fold(token.lower) not in STOPWORDS and fold(following.lower) not in STOPWORDS
                ):
                    claim(index, index + 1)  # "jeg snakket med ida nilsen": a first and a last name

        # 4. a name alone on the last line, or a message that is only a name
        self._last_line(text, tokens, taken, claim)
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
        return word in STOPWORDS or word in _AFTER_NAME or (
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
        if not token.capitalised or token.flags & (NOT_NAME | CALENDAR) or fold(token.lower) in STOPWORDS:
            return False  # "Jeg Vil Ikke", "Er Kevin ..."
        return bool(token.flags & NAME) or not token.flags & (WORD | PLACE)

    def _opens_name(self, token: _Token, introduction: bool, following: Optional[_Token]) -> bool:
        flags = token.flags
        if fold(token.lower) in STOPWORDS or flags & NOT_NAME:
            return False
        if not token.capitalised:
            if flags & WORD and flags & FIRST and following is not None and not following.capitalised:
                # "det er per jensen": a first name that is also a word, before a surname
                return bool(following.flags & LAST) and not following.flags & (WORD | NOT_NAME | CALENDAR)
            return bool(flags & NAME) and not flags & (WORD | CALENDAR)
        if introduction:  # "Det er Onsdag", "Han er Kristen", "Jeg er Redd" stay
            return not flags & (WORD | CALENDAR | PLACE)
        return bool(flags & NAME) or not flags & (WORD | CALENDAR | PLACE)

    def _standalone_name(self, text: str, tokens: Sequence[_Token], index: int) -> bool:
        token = tokens[index]
        flags = token.flags
        following = tokens[index + 1] if self._adjacent(text, tokens, index) else None
        before_surname = following is not None and following.flags & LAST and not following.flags & (WORD | NOT_NAME)
        if flags & PLACE:
            return bool(before_surname) and bool(flags & FIRST)  # "Jordan Hansen"
        if fold(token.lower) in STOPWORDS:
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
        if following.lower in PARTICLES and self._adjacent(text, tokens, index + 1) and self._name_like(tokens[index + 2]):
            return True  # "Mohammed bin Salman"
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
                if following.capitalised or following.flags & (NOT_NAME | CALENDAR) or fold(following.lower) in STOPWORDS:
                    break
                if following.flags & NAME and not following.flags & WORD:
                    last += 1
                    continue
                if following.flags & LAST and self._ends_name(text, tokens, last + 1):
                    last += 1  # "hilsen lukas moen", "thea moen som": a surname that is also a word
                break
            if self._name_like(following):
                last += 1
                continue
            if following.lower in PARTICLES and self._adjacent(text, tokens, last + 1) and self._name_like(tokens[last + 2]):
                last += 2
                continue
            break
        return last

    def _extend_left(self, text: str, tokens: Sequence[_Token], index: int, taken: Sequence[bool]) -> int:
        first = index
        while first > 0 and index - first + 1 < NAME_MAX_TOKENS and self._adjacent(text, tokens, first - 1):
            previous = tokens[first - 1]
            if taken[first - 1] or not self._name_like(previous):
                break
            if previous.sentence_start and (not previous.flags & NAME or previous.flags & WORD):
                break  # "Fortell Anne ...", "Er Kevin ...": a sentence's first word, no first name
            first -= 1
        return first

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
