"""Measures masking recall and over-masking on labelled Norwegian messages.

    python -m evaluation.privacy                  # 3000 generated messages, seed 7
    python -m evaluation.privacy -n 10000 --seed 1 --ner off
    python -m evaluation.privacy --set tests/privacy/data/names_dev.yml   # a hand-written set

Positive messages carry one valid piece of personal data (phone numbers that `phonenumbers`
accepts, fødselsnummer and D-nummer with correct check digits, account numbers with a correct
check digit, e-mail addresses, street addresses, names) in sentences residents might write.
Negative messages carry what must stay: ages, dates, times, durations, the municipality's
and the national numbers, ordinary words.

Reported per kind: recall (the secret is gone from the masked text), typed recall (gone and
replaced by the placeholder of its own kind) and collateral (other words of the message were
masked too). Over-masking rate: negative messages that were changed at all.
Names are measured twice: after "jeg heter"-like phrases, and in free text.

A hand-written set (--set) is YAML, each message with the personal data that must disappear and
the parts that must stay:

    messages:
      - text: "hei, jeg heter Amina Yusuf og sønnen min Kevin (14) sliter"
        pii:
          - {kind: name, text: "Amina Yusuf"}
          - {kind: name, text: "Kevin"}
        keep: ["14"]

Kinds: name, address, date_of_birth, phone, email (and national_id, account). A pii item is
masked when every character of it (but white space) is inside masked spans, wherever it occurs
in the message; a keep item is over-masked when any of its characters is (occurrences inside a
pii item do not count). Reported per kind: recall against the targets (name and address at
least 95 %), and the share of keep items over-masked (at most 2 %).
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import phonenumbers
from stdnum.no import fodselsnummer, kontonr

from privacy import masking
from privacy.masking import Masker, placeholder

DEFAULT_COUNT = 3000
DEFAULT_SEED = 7
NAME_IN_FREE_TEXT = "navn (fri tekst)"
# Targets of issue #16 for a hand-written set by an outside author
TARGET_RECALL = {"name": 0.95, "address": 0.95}
TARGET_MAX_OVER_MASKING = 0.02
# The kinds of a hand-written set, and the placeholder each should get
SET_KINDS = {
    "name": masking.NAME, "address": masking.ADDRESS, "date_of_birth": masking.DATE_OF_BIRTH,
    "phone": masking.PHONE, "email": masking.EMAIL, "national_id": masking.NATIONAL_ID,
    "account": masking.ACCOUNT,
}
MIN_TIMED_MASKS = 2000  # a small set is masked again until this many messages are timed


HARD = " (vanskelig)"


@dataclass(frozen=True)
class Sample:
    text: str
    secret: Optional[str]  # None: nothing may be masked
    kind: str  # the row of the report: a masking kind, a hard variant, or a negative category
    expected: Optional[str] = None  # the exact masked text expected
    mask_kind: Optional[str] = None  # the placeholder expected


FIRST_NAMES = (
    "Ola", "Kari", "Emma", "Nora", "Jakob", "Emil", "Sofie", "Ingrid", "Lukas", "Sara", "Aksel",
    "Maja", "Filip", "Thea", "Henrik", "Ida", "Mohammed", "Fatima", "Oskar", "Leah", "Anne-Lise",
    "Per", "Bjørn", "Åse", "Øystein", "Tobias", "Amalie", "Hedda", "Jonas", "Sander", "Marius",
    "Linnea", "Aisha", "Ahmed", "Zofia", "Piotr", "Tiril", "Vilde", "Eirik", "Håkon",
)
SURNAMES = (
    "Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Kristiansen",
    "Jensen", "Karlsen", "Berg", "Haugen", "Hagen", "Bakken", "Solberg", "Nordmann", "Dahl",
    "Lie", "Moen", "Strand", "Ali", "Khan", "Nowak", "Sæther", "Røed", "Aas",
)
STREET_STEMS = (
    "Stor", "Kirke", "Skole", "Lille", "Elve", "Fjell", "Sol", "Bjørke", "Granli", "Furu", "Hage",
    "Lien", "Strand", "Øvre Slott", "Nedre Storgate", "Bakke", "Rådhus", "Ekeberg", "Sandvika",
    "Mjøndal", "Drammens", "Sykehus", "Nygårds", "Kongs", "Stasjons",
)
STREET_SUFFIXES = ("veien", "vegen", "gata", "gate", "vei", "veg", "gaten", "plassen", "stien", "bakken")
SEPARATE_STREETS = ("Karl Johans gate", "Kongens gate", "Olav Kyrres plass", "Dronning Eufemias gate", "Haakon VIIs gate")
PLACES = ("3050 Mjøndalen", "3045 Drammen", "0150 Oslo", "3400 Lier", "5003 Bergen", "7011 Trondheim")
EMAIL_DOMAINS = ("gmail.com", "hotmail.com", "hotmail.no", "online.no", "outlook.com", "icloud.com", "viken.no", "skole.no", "live.no")

PHONE_TEMPLATES = (
    "ring meg på {}", "mobilen min er {}", "nummeret mitt er {}", "kan dere ringe {} etter skolen?",
    "tlf {}", "mitt nr: {}", "du kan nå meg på {} i morgen", "jeg er 16 og mobilen min er {}",
    "sms til {} er best", "mammas nummer er {}", "{} er nummeret", "Hei! Ring {} pls",
)
EMAIL_TEMPLATES = (
    "mailen min er {}", "send det til {}", "e-post: {}", "kan dere skrive til {}?",
    "{} er eposten min", "jeg er 15, mail {}", "svar gjerne på {} takk",
)
NATIONAL_ID_TEMPLATES = (
    "personnummeret mitt er {}", "fnr {}", "fødselsnummer: {}", "her er fødselsnr {}",
    "{} er personnummeret til sønnen min", "d-nummer {}", "trenger dere {}?",
)
ACCOUNT_TEMPLATES = (
    "kontonummeret mitt er {}", "konto {}", "refusjon til kontonr {}", "betal til konto: {}",
    "bankkonto {}", "kan dere sette det inn på kontoen {}",
)
ADDRESS_TEMPLATES = (
    "jeg bor i {}", "adressen er {}", "vi bor på {}", "send brevet til {}", "{} er adressen min",
    "bur i {}", "kan dere komme til {}?",
)
NAME_TRIGGER_TEMPLATES = (
    "jeg heter {}", "Jeg heter {} og er 16", "eg heiter {}", "mitt navn er {}", "navnet mitt er {}",
    "Hei, jeg heter {}, og trenger hjelp", "sønnen min heter {}", "dattera mi heter {} og er 14",
    "mvh {}", "hilsen {}", "jeg heter {} og lurer på pakkeforløp",
)
DATE_OF_BIRTH_TEMPLATES = (
    "født {}", "fødselsdato: {}", "sønnen min er født {}", "f. {}", "jeg er født den {}",
    "dattera mi (født {}) sliter", "fdato {}", "han ble født {} og er nå 15",
)
NAME_FREE_TEXT_TEMPLATES = (
    "{} her, jeg trenger hjelp", "jeg snakket med {} i går", "hei, det er {} som skriver",
    "kan {} ringe meg?", "{} sa at jeg skulle skrive hit", "læreren min {} anbefalte dette",
)
NEGATIVES: Dict[str, Tuple[str, ...]] = {
    "alder": (
        "jeg er {age}", "jeg er {age} år", "sønnen min på {age}", "dattera mi er {age} år gammel",
        "han er {age}", "jeg er {adult} og sønnen min er {age}", "gjelder en gutt på {age}",
        "jeg fyller {age} snart", "eleven min er {age}",
    ),
    "dato og tid": (
        "timen er {day}.{month}.{year}", "jeg var der {day}. mars", "kl {hour}.{minute}",
        "møtet er {day}.{month} kl {hour}:{minute}", "født i {year}", "siden {year}",
        "telefontid kl. 10.00–14.00", "i {age} uker", "for {age} dager siden", "det er {age} måneder siden",
    ),
    "kommunens og nasjonale numre": (
        "ring 901 50 842", "90150842", "+47 901 50 842", "ring 113 hvis det haster",
        "legevakten 116 117", "Mental Helse 116 123", "Kirkens SOS 22 40 00 40",
        "Alarmtelefonen for barn og unge 116 111", "nummeret til Morten Jansson er 901 50 842",
    ),
    "vanlige ord": (
        "hva er pakkeforløp?", "hvor lang er ventetiden", "jeg sliter med angst",
        "hva heter koordinatoren?", "det heter pakkeforløp", "jeg heter ikke det",
        "kan jeg få snakke med forløpskoordinator for barn og unge", "hva gjør fastlegen?",
        "jeg har vært i skogen {age} ganger", "hvor er legekontoret?", "Vestre Viken helseforetak",
        "les mer på helsenorge.no", "takk for hjelpen!", "jeg bor i Mjøndalen", "han går i 9. klasse",
    ),
    # written after the rules, to find their edges (some of these ARE over-masked)
    "vanskelige ord og tall": (
        "organisasjonsnummer 974 626 124", "det koster 1250 kr", "jeg har ventet siden 2021 og 2022",
        "timen var {day}.{month}.{year} kl 0930", "rom 214 i 2. etasje", "Jeg er Redd for å ringe",
        "Det er Onsdag jeg har time", "Det er Fastlegen min som sendte henvisningen", "det er BUP som har saken",
        "Hei, det er Mamma som skriver", "jeg går i 10. klasse på Mjøndalen ungdomsskole", "ring meg etter 15",
        "kl 1000-1400", "uke {age}", "vi har 2 barn på 3 og 5 år", "Det er Oppfølgingstjenesten jeg vil snakke med",
        "saksnummer 24/01234", "jeg tar buss 42 til skolen", "Han er Kristen", "bor på Hokksund",
        "bursdagen min er 0{month}.0{month}", "jeg heter det samme som faren min",
        "pakkeforløp 2.0", "det er 3 uker til 17. mai", "jeg har hatt 12345 tanker", "nummer 116 117 eller 113?",
    ),
}


# --- generators of valid personal data --------------------------------------------------------


def phone(rng: random.Random) -> str:
    while True:
        digits = rng.choice("49") + "".join(rng.choice("0123456789") for _ in range(7))
        if rng.random() < 0.15:
            digits = rng.choice("2357") + digits[1:]  # landlines
        number = phonenumbers.parse(digits, "NO")
        if phonenumbers.is_valid_number(number) and not masking.build_allow_list().allows_number(digits):
            break
    style = rng.randrange(6)
    if style == 0:
        return digits
    if style == 1:
        return f"{digits[:3]} {digits[3:5]} {digits[5:]}"
    if style == 2:
        return " ".join(digits[i:i + 2] for i in range(0, 8, 2))
    if style == 3:
        return f"+47 {digits[:3]} {digits[3:5]} {digits[5:]}"
    if style == 4:
        return f"+47{digits}"
    return f"{digits[:4]} {digits[4:]}"


def national_id(rng: random.Random, d_number: bool = False) -> str:
    while True:
        year = rng.randint(1940, 2024)
        month, day = rng.randint(1, 12), rng.randint(1, 28)
        individual = rng.randint(500, 999) if year >= 2000 else rng.randint(0, 499)
        base = f"{day + (40 if d_number else 0):02d}{month:02d}{year % 100:02d}{individual:03d}"
        with_first = base + fodselsnummer.calc_check_digit1(base)
        number = with_first + fodselsnummer.calc_check_digit2(with_first)
        if len(number) == 11 and fodselsnummer.is_valid(number):
            break
    return number if rng.random() < 0.7 else f"{number[:6]} {number[6:]}"


ACCOUNT_WEIGHTS = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)  # MOD11 of Norwegian account numbers


def account(rng: random.Random) -> str:
    while True:
        base = "".join(rng.choice("0123456789") for _ in range(10))
        check = (11 - sum(w * int(d) for w, d in zip(ACCOUNT_WEIGHTS, base)) % 11) % 11
        number = base + str(check)
        if check != 10 and kontonr.is_valid(number):
            break
    style = rng.randrange(3)
    if style == 0:
        return f"{number[:4]}.{number[4:6]}.{number[6:]}"
    if style == 1:
        return f"{number[:4]} {number[4:6]} {number[6:]}"
    return number


def email(rng: random.Random) -> str:
    first = rng.choice(FIRST_NAMES).lower().replace("ø", "o").replace("å", "a").replace("æ", "ae")
    last = rng.choice(SURNAMES).lower().replace("ø", "o").replace("å", "a").replace("æ", "ae")
    local = rng.choice((f"{first}.{last}", f"{first}{rng.randint(1, 99)}", f"{first}_{last}", first[0] + last))
    return f"{local}@{rng.choice(EMAIL_DOMAINS)}"


def address(rng: random.Random) -> str:
    if rng.random() < 0.2:
        street = rng.choice(SEPARATE_STREETS)
    else:
        stem = rng.choice(STREET_STEMS)
        street = stem + rng.choice(STREET_SUFFIXES)
        if rng.random() < 0.25:
            street = street.lower()
    number = str(rng.randint(1, 140)) + (rng.choice(("", "", "", "B", " b", "A")))
    place = f", {rng.choice(PLACES)}" if rng.random() < 0.3 else ""
    return f"{street} {number}{place}"


MONTH_NAMES = ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober", "november", "desember")


def date_of_birth(rng: random.Random) -> str:
    year, month, day = rng.randint(1960, 2024), rng.randint(1, 12), rng.randint(1, 28)
    return rng.choice((
        f"{day:02d}.{month:02d}.{year}", f"{day}.{month}.{year}", f"{day}. {MONTH_NAMES[month - 1]} {year}",
        f"{year}-{month:02d}-{day:02d}", f"{day}/{month}-{year % 100:02d}", f"{day:02d}.{month:02d}.{year % 100:02d}",
    ))


def name(rng: random.Random) -> str:
    full = rng.choice(FIRST_NAMES)
    if rng.random() < 0.5:
        full += " " + rng.choice(SURNAMES)
    return full.lower() if rng.random() < 0.2 else full


# Formats the rules were not tuned on, some of which they do not cover (measured, not hidden)
def phone_hard(rng: random.Random) -> str:
    digits = phone(rng)
    digits = "".join(ch for ch in digits if ch.isdigit())[-8:]
    return rng.choice((
        f"{digits[:3]}-{digits[3:5]}-{digits[5:]}", f"(+47) {digits}", " ".join(digits),
        f"{digits[:3]} {digits[3:5]} {digits[5]} {digits[6:]}", f"+47-{digits[:3]}-{digits[3:5]}-{digits[5:]}",
        f"{digits[:3]}.{digits[3:5]}.{digits[5:]}", f"{digits[:2]}  {digits[2:4]}  {digits[4:]}", f"+46 70 {digits[2:5]} {digits[5:7]} {digits[7]}5",
    ))


def email_hard(rng: random.Random) -> str:
    local, domain = email(rng).split("@")
    host, tld = domain.rsplit(".", 1)
    return rng.choice((
        f"{local} (at) {domain}", f"{local} at {host} dot {tld}", f"{local} @ {domain}",
        f"{local.title()}@{domain.title()}", f"{local}@{host}", f"{local}@{host}. {tld}",
    ))


def national_id_hard(rng: random.Random) -> str:
    number = national_id(rng).replace(" ", "")
    typo = number[:10] + str((int(number[10]) + 1) % 10)  # a mistyped check digit
    return rng.choice((
        f"{number[:6]}-{number[6:]}", f"{number[:6]}.{number[6:]}", f"{number[:2]}.{number[2:4]}.{number[4:6]} {number[6:]}",
        f"{number[:4]} {number[4:]}", typo,
    ))


def account_hard(rng: random.Random) -> str:
    number = "".join(ch for ch in account(rng) if ch.isdigit())
    return rng.choice((
        f"{number[:4]}-{number[4:6]}-{number[6:]}", f"{number[:4]} {number[4:]}",
        f"{number[:4]} {number[4:6]} {number[6:9]} {number[9:]}", f"{number[:4]}.{number[4:6]}.{number[6:]}",
    ))


def address_hard(rng: random.Random) -> str:
    number = rng.randint(1, 140)
    return rng.choice((
        f"Bygdøy allé {number}", f"Storgt. {number}", f"kirkevn {number}", f"Nedre Storgate {number}",
        f"Hans Nielsen Hauges gate {number}", f"Solbergløkka {number}", f"Torvet {number}",
        f"Kullerød {number}", f"Sandvikveien {number} H0201", f"Granåsen {number}",
    ))


def _positive(
    rng: random.Random, kind: str, templates: Sequence[str], value: Callable[[random.Random], str]
) -> Sample:
    template, secret = rng.choice(templates), value(rng)
    base = kind.replace(HARD, "")
    masked_kind = masking.NAME if base == NAME_IN_FREE_TEXT else base
    return Sample(template.format(secret), secret, kind, template.format(placeholder(masked_kind)), masked_kind)


def _negative(rng: random.Random, category: str) -> Sample:
    template = rng.choice(NEGATIVES[category])
    text = template.format(
        age=rng.randint(1, 17), adult=rng.randint(25, 70), day=rng.randint(1, 28), month=rng.randint(1, 12),
        year=rng.randint(1990, 2026), hour=rng.randint(8, 20), minute=rng.choice(("00", "15", "30", "45")),
    )
    return Sample(text, None, category, text)


POSITIVE_KINDS: Dict[str, Callable[[random.Random], Sample]] = {
    masking.PHONE: lambda rng: _positive(rng, masking.PHONE, PHONE_TEMPLATES, phone),
    masking.EMAIL: lambda rng: _positive(rng, masking.EMAIL, EMAIL_TEMPLATES, email),
    masking.NATIONAL_ID: lambda rng: _positive(
        rng, masking.NATIONAL_ID, NATIONAL_ID_TEMPLATES, lambda r: national_id(r, d_number=r.random() < 0.2)
    ),
    masking.ACCOUNT: lambda rng: _positive(rng, masking.ACCOUNT, ACCOUNT_TEMPLATES, account),
    masking.ADDRESS: lambda rng: _positive(rng, masking.ADDRESS, ADDRESS_TEMPLATES, address),
    masking.DATE_OF_BIRTH: lambda rng: _positive(rng, masking.DATE_OF_BIRTH, DATE_OF_BIRTH_TEMPLATES, date_of_birth),
    masking.NAME: lambda rng: _positive(rng, masking.NAME, NAME_TRIGGER_TEMPLATES, name),
    NAME_IN_FREE_TEXT: lambda rng: _positive(rng, NAME_IN_FREE_TEXT, NAME_FREE_TEXT_TEMPLATES, name),
    masking.PHONE + HARD: lambda rng: _positive(rng, masking.PHONE + HARD, PHONE_TEMPLATES, phone_hard),
    masking.EMAIL + HARD: lambda rng: _positive(rng, masking.EMAIL + HARD, EMAIL_TEMPLATES, email_hard),
    masking.NATIONAL_ID + HARD: lambda rng: _positive(
        rng, masking.NATIONAL_ID + HARD, NATIONAL_ID_TEMPLATES, national_id_hard
    ),
    masking.ACCOUNT + HARD: lambda rng: _positive(rng, masking.ACCOUNT + HARD, ACCOUNT_TEMPLATES, account_hard),
    masking.ADDRESS + HARD: lambda rng: _positive(rng, masking.ADDRESS + HARD, ADDRESS_TEMPLATES, address_hard),
}


def generate(count: int, seed: int) -> List[Sample]:
    """`count` samples: 60 % positive (evenly over kinds), 40 % negative (evenly over categories)."""
    rng = random.Random(seed)
    positives = int(count * 0.6)
    kinds = list(POSITIVE_KINDS)
    samples = [POSITIVE_KINDS[kinds[i % len(kinds)]](rng) for i in range(positives)]
    categories = list(NEGATIVES)
    samples += [_negative(rng, categories[i % len(categories)]) for i in range(count - positives)]
    rng.shuffle(samples)
    return samples


# --- measuring ------------------------------------------------------------------------------


@dataclass
class Tally:
    total: int = 0
    gone: int = 0
    typed: int = 0
    collateral: int = 0
    changed: int = 0


def evaluate(samples: Sequence[Sample], masker: Masker) -> Tuple[Dict[str, Tally], float]:
    tallies: Dict[str, Tally] = defaultdict(Tally)
    masker.mask("warm-up: jeg heter Ola")  # loads the allow-list (and spaCy) before timing
    started = time.perf_counter()
    for sample in samples:
        result = masker.mask(sample.text)
        tally = tallies[sample.kind]
        tally.total += 1
        if sample.secret is None:
            tally.changed += result.text != sample.text
            continue
        if sample.secret not in result.text:
            tally.gone += 1
            tally.typed += placeholder(sample.mask_kind) in result.text
            tally.collateral += result.text != sample.expected
    per_message_ms = (time.perf_counter() - started) * 1000 / max(1, len(samples))
    return tallies, per_message_ms


def report(tallies: Dict[str, Tally], per_message_ms: float, ner: bool) -> str:
    lines = [
        f"spaCy NER: {'on (nb_core_news_sm)' if ner else 'off (no NER model: names only after jeg heter / mitt navn er / ...)'}",
        "",
        f"{'kind':<32}{'n':>6}{'recall':>9}{'typed':>9}{'collateral':>12}",
        f"{'':<32}{'':>6}{'(gone)':>9}{'(right)':>9}{'(too much)':>12}",
    ]
    for kind in list(POSITIVE_KINDS):
        t = tallies.get(kind)
        if not t:
            continue
        lines.append(
            f"{kind:<32}{t.total:>6}{t.gone / t.total:>9.1%}{t.typed / t.total:>9.1%}{t.collateral / t.total:>12.1%}"
        )
    lines += ["", f"{'must stay (negative)':<32}{'n':>6}{'over-masked':>14}"]
    negatives_total = negatives_changed = 0
    for category in NEGATIVES:
        t = tallies.get(category)
        if not t:
            continue
        negatives_total += t.total
        negatives_changed += t.changed
        lines.append(f"{category:<32}{t.total:>6}{t.changed / t.total:>14.1%}")
    if negatives_total:
        lines.append(f"{'over-masking rate (all)':<32}{negatives_total:>6}{negatives_changed / negatives_total:>14.1%}")
    lines += ["", f"mean time per message: {per_message_ms:.2f} ms"]
    return "\n".join(lines)


# --- a hand-written set ---------------------------------------------------------------------


@dataclass(frozen=True)
class LabelledMessage:
    text: str
    pii: Tuple[Tuple[str, str], ...] = ()  # (kind, text)
    keep: Tuple[str, ...] = ()


def load_set(path: Path) -> List[LabelledMessage]:
    """Reads and checks a hand-written set: known kinds, and every piece found in its message."""
    import yaml

    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    messages = []
    for number, item in enumerate(data.get("messages") or [], 1):
        text = str(item["text"])
        pii = tuple((str(p["kind"]), str(p["text"])) for p in item.get("pii") or [])
        keep = tuple(str(k) for k in item.get("keep") or [])
        for kind, piece in pii:
            if kind not in SET_KINDS:
                raise ValueError(f"{path}: message {number}: unknown kind {kind!r} (known: {', '.join(SET_KINDS)})")
        for piece in [p for _, p in pii] + list(keep):
            if not piece or piece not in text:
                raise ValueError(f"{path}: message {number}: {piece!r} is not in {text!r}")
        messages.append(LabelledMessage(text, pii, keep))
    return messages


def _occurrences(text: str, piece: str) -> List[Tuple[int, int]]:
    found, start = [], text.find(piece)
    while start >= 0:
        found.append((start, start + len(piece)))
        start = text.find(piece, start + 1)
    return found


@dataclass
class SetResult:
    pii: Dict[str, List[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0, 0]))  # total, masked, typed
    keep_total: int = 0
    keep_over: int = 0
    clean_total: int = 0  # messages without personal data
    clean_changed: int = 0
    misses: List[str] = field(default_factory=list)
    over_masked: List[str] = field(default_factory=list)
    per_message_ms: float = 0.0

    def recall(self, kind: str) -> float:
        total, masked, _ = self.pii[kind]
        return masked / total if total else 1.0

    @property
    def over_masking(self) -> float:
        return self.keep_over / self.keep_total if self.keep_total else 0.0


def evaluate_set(messages: Sequence[LabelledMessage], masker: Masker) -> SetResult:
    result = SetResult()
    masker.mask("warm-up: jeg heter Ola")  # loads the allow-list, the name lists (and spaCy)
    for message in messages:
        masked = masker.mask(message.text)
        kind_at: Dict[int, str] = {}
        for finding in masked.findings:
            for position in range(finding.start, finding.end):
                kind_at[position] = finding.kind
        pii_spans = []
        for kind, piece in message.pii:
            spans = _occurrences(message.text, piece)
            pii_spans += spans
            positions = [i for start, end in spans for i in range(start, end) if not message.text[i].isspace()]
            tally = result.pii[kind]
            tally[0] += 1
            if all(i in kind_at for i in positions):
                tally[1] += 1
                tally[2] += all(kind_at[i] == SET_KINDS[kind] for i in positions)
            else:
                result.misses.append(f"[{kind}] {piece!r} in {message.text!r} -> {masked.text!r}")
        for piece in message.keep:
            spans = [
                (start, end) for start, end in _occurrences(message.text, piece)
                if not any(start < p_end and p_start < end for p_start, p_end in pii_spans)
            ]
            result.keep_total += 1
            if any(i in kind_at for start, end in spans for i in range(start, end)):
                result.keep_over += 1
                result.over_masked.append(f"[keep] {piece!r} in {message.text!r} -> {masked.text!r}")
        if not message.pii:
            result.clean_total += 1
            result.clean_changed += masked.text != message.text
    repeats = max(1, MIN_TIMED_MASKS // max(1, len(messages)))
    started = time.perf_counter()
    for _ in range(repeats):
        for message in messages:
            masker.mask(message.text)
    result.per_message_ms = (time.perf_counter() - started) * 1000 / max(1, repeats * len(messages))
    return result


def report_set(result: SetResult) -> str:
    lines = [f"{'kind':<16}{'n':>6}{'recall':>9}{'typed':>9}{'target':>10}"]
    for kind in SET_KINDS:
        total, masked, typed = result.pii.get(kind, (0, 0, 0))
        if not total:
            continue
        target = TARGET_RECALL.get(kind)
        verdict = f"≥ {target:.0%} {'ok' if masked / total >= target else 'MISSED'}" if target else ""
        lines.append(f"{kind:<16}{total:>6}{masked / total:>9.1%}{typed / total:>9.1%}  {verdict}")
    verdict = "ok" if result.over_masking <= TARGET_MAX_OVER_MASKING else "MISSED"
    lines += [
        "",
        f"{'keep items':<16}{result.keep_total:>6}  over-masked {result.over_masking:.1%}"
        f"  (target ≤ {TARGET_MAX_OVER_MASKING:.0%} {verdict})",
        f"{'clean messages':<16}{result.clean_total:>6}  changed {result.clean_changed}",
        "",
        f"mean time per message: {result.per_message_ms:.2f} ms",
    ]
    return "\n".join(lines)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evaluation.privacy", description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--count", type=int, default=DEFAULT_COUNT, help="messages to generate")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--ner", choices=("auto", "on", "off"), default="auto", help="spaCy NER for names")
    parser.add_argument("--show-misses", type=int, default=0, metavar="K", help="print K misses per kind")
    parser.add_argument("--set", type=Path, metavar="PATH", help="a hand-written YAML set instead of generated messages")
    args = parser.parse_args(argv)

    use_ner = {"auto": None, "on": True, "off": False}[args.ner]
    if use_ner and not masking.ner_available():
        parser.error("--ner on: nb_core_news_sm is not installed here")
    masker = Masker(use_ner=use_ner)
    if args.set:
        try:
            messages = load_set(args.set)
        except (OSError, ValueError, KeyError, TypeError) as error:
            parser.error(f"--set: {error}")
        result = evaluate_set(messages, masker)
        print(f"{len(messages)} messages of {args.set}")
        print(f"spaCy NER: {'on' if use_ner is not False and masking.ner_available() else 'off'}")
        print(report_set(result))
        if args.show_misses:
            print("\nmisses:")
            print("\n".join(f"  {line}" for line in result.misses[:args.show_misses]))
            print("over-masked:")
            print("\n".join(f"  {line}" for line in result.over_masked[:args.show_misses]))
        return 0
    samples = generate(args.count, args.seed)
    tallies, per_message_ms = evaluate(samples, masker)
    print(f"{len(samples)} generated messages, seed {args.seed}")
    print(report(tallies, per_message_ms, ner=use_ner is not False and masking.ner_available()))
    if args.show_misses:
        shown: Dict[str, int] = defaultdict(int)
        print("\nmisses (synthetic data):")
        for sample in samples:
            result = masker.mask(sample.text)
            wrong = (result.text != sample.expected)
            if wrong and shown[sample.kind] < args.show_misses:
                shown[sample.kind] += 1
                print(f"  [{sample.kind}] {sample.text!r} -> {result.text!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
