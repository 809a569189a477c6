"""Builds the name lists the masker reads (privacy/data/names.tsv.gz): a setup step.

    python -m privacy.build_names            # once, by scripts/setup.sh; skips an up-to-date file
    python -m privacy.build_names --force    # rebuild anyway

names-dataset (a 55 MB wheel of first and last names per country, with ranks) is read here
and only here: the Rasa server never loads it. This extracts the names of Norway and of the
countries Norway's largest immigrant groups come from (with neighbouring countries standing in
for those the dataset has no list for: Djibouti and Ethiopia for Somalia and Eritrea, India
and Bangladesh for Pakistan, Russia, Moldova and Kazakhstan for Ukraine), adds
privacy/data/names_extra.txt, and marks each name with what the masker needs to know:

    f  a first name            l  a last name
    w  also an ordinary word (a Norwegian dictionary form unless the name is very common,
       a common English word, a stop word, the [name-words] of not_names.txt): a name only
       in a name position ("Liv er vanskelig")
    p  prominent (high in a Norwegian, Nordic or immigrant-country list)
    g  also a place or other proper noun (a country or county, a capitalised entry of the
       Norwegian dictionary that is no prominent name): never a name on its own

Words of not_names.txt's other sections (services, places, calendar, words) are left out.
The file is generated, not committed (.gitignore): the inputs are pinned in requirements.txt.
"""
from __future__ import annotations

import argparse
import gettext
import gzip
import hashlib
import json
import logging
import os
import re
import sys
import time
import unicodedata
from importlib import metadata
from pathlib import Path
from typing import Dict, Iterable, Mapping, Optional, Sequence, Set, Tuple

from privacy.names import fold

logger = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent / "data"
OUTPUT = DATA_DIR / "names.tsv.gz"
NOT_NAMES_FILE = DATA_DIR / "not_names.txt"
EXTRA_NAMES_FILE = DATA_DIR / "names_extra.txt"
FORMAT_VERSION = 1  # bump when the meaning of the flags changes

# Norway, its largest immigrant groups' countries, and stand-ins for those the dataset lacks
NORDIC = ("NO", "SE", "DK")
FOCUS_COUNTRIES = NORDIC + (
    "FI", "IS", "PL", "LT", "EE", "DE", "NL", "GB", "SY", "IQ", "IR", "TR", "AF", "PH", "RU",
    "SA", "EG", "SD", "MA", "AL", "RS", "HR",
    "DJ", "ET",  # Somalia, Eritrea
    "IN", "BD",  # Pakistan
    "MD", "KZ",  # Ukraine
    "MY", "SG", "MO",  # Vietnamese names are frequent in these lists
)
FOCUS_MAX_RANK = 3000  # a name ranked at most this in a focus country is kept
WORLD_MAX_RANK = 1000  # ... or in any country (names of every origin live in Norway)
# Below these ranks the dataset's Nordic lists turn to noise ("Skredder", "Privat")
NORDIC_MAX_RANK_FIRST = 6000
NORDIC_MAX_RANK_LAST = 12000
# Prominent: the name is masked even where it is also a word, when capitalised mid-sentence
PROMINENT_NORDIC_RANK = 1000
PROMINENT_FOCUS_RANK = 300
# Names this high are names first: the Norwegian dictionary's rare homographs ("trine",
# "sindre", "amina") do not make them words; the common ones are listed in not_names.txt
NAME_FIRST_RANK = {"f": 500, "l": 1000}
NAME_FIRST_FOCUS_RANK = 100
# English words: log probability (spaCy's en lexeme table) above which a lowercase word that is
# more frequent than its capitalised form counts as ordinary ("will", "mark", "grace"); a very
# common name is a word only above the second ("will", "may", "hope"; not "martin", "christian")
ENGLISH_COMMON_LOGPROB = -12.5
ENGLISH_VERY_COMMON_LOGPROB = -10.5
MIN_NAME_LENGTH = 2
# Sections of not_names.txt that hold names (the other sections are left out of the lists)
NAME_SECTIONS = ("name-words", "first-name-words")

_NAME_SHAPE = re.compile(r"^[^\W\d_]+(?:['’-][^\W\d_]+)*$")


def _is_latin(text: str) -> bool:
    return all(ch in "'’-" or "LATIN" in unicodedata.name(ch, "") for ch in text)


# --- inputs ---------------------------------------------------------------------------------


def read_sections(path: Path) -> Dict[str, Set[str]]:
    """A word file of privacy/data/: {section: words} (lowercase, '#' starts a comment)."""
    sections: Dict[str, Set[str]] = {}
    current = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1]
            continue
        sections.setdefault(current, set()).update(w.lower() for w in line.split())
    return sections


def _lookups_table(name: str):
    import spacy_lookups_data

    path = Path(spacy_lookups_data.__file__).parent / "data" / f"{name}.json.gz"
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return json.load(handle)


def norwegian_words_and_proper_nouns() -> Tuple[Set[str], Set[str]]:
    """Every lowercase word form of the Norwegian dictionary (spacy-lookups-data's bokmål
    exception tables, from Norsk ordbank), and its capitalised entries (places and names)."""
    words: Set[str] = set()
    proper: Set[str] = set()
    for table in _lookups_table("nb_lemma_exc").values():
        for form, lemmas in table.items():
            for entry in (form, *lemmas):
                if entry.islower():
                    words.add(entry)
                elif entry[:1].isupper() and entry[1:].islower():
                    proper.add(entry.lower())
    return words, proper


def english_words(min_logprob: float = ENGLISH_COMMON_LOGPROB) -> Set[str]:
    probs: Mapping[str, float] = _lookups_table("en_lexeme_prob")
    common = set()
    for word, prob in probs.items():
        if prob >= min_logprob and word.isalpha() and word.islower():
            if prob > probs.get(word.capitalize(), -100.0):
                common.add(word)
    return common


def stop_words() -> Set[str]:
    from spacy.lang.en.stop_words import STOP_WORDS as english
    from spacy.lang.nb.stop_words import STOP_WORDS as norwegian

    return {w.lower() for w in (*norwegian, *english)}


def country_names() -> Set[str]:
    """Countries of one word in English and bokmål ("jordan", "tsjad"), and Norway's counties.

    Words of longer names are left out: "Saint Martin" and "Saint Helena" make no place of
    "Martin" and "Helena"."""
    import pycountry

    try:
        norwegian = gettext.translation(
            "iso3166-1", os.path.join(os.path.dirname(pycountry.__file__), "locales"), languages=["nb_NO", "nb"]
        ).gettext
    except OSError:
        norwegian = str
    names: Set[str] = set()
    labels = []
    for country in pycountry.countries:
        labels += [country.name, getattr(country, "common_name", ""), norwegian(country.name)]
    labels += [region.name for region in pycountry.subdivisions.get(country_code="NO") or []]
    for label in labels:
        words = re.findall(r"[^\W\d_]+", label or "")
        if len(words) == 1 and len(words[0]) > 3:
            names.add(words[0].lower())
    return names


# --- extraction -----------------------------------------------------------------------------


def _keep(name: str, ranks: Mapping[str, int], nordic_max: int) -> bool:
    if not ranks:
        return False
    if any(ranks.get(c, nordic_max + 1) <= nordic_max for c in NORDIC):
        return True
    if min(ranks.values()) <= WORLD_MAX_RANK:
        return True
    return any(ranks.get(c, FOCUS_MAX_RANK + 1) <= FOCUS_MAX_RANK for c in FOCUS_COUNTRIES)


def _prominent(ranks: Mapping[str, int]) -> bool:
    return any(ranks.get(c, PROMINENT_NORDIC_RANK + 1) <= PROMINENT_NORDIC_RANK for c in NORDIC) or any(
        ranks.get(c, PROMINENT_FOCUS_RANK + 1) <= PROMINENT_FOCUS_RANK for c in FOCUS_COUNTRIES
    )


def extract(
    first_names: Mapping[str, Mapping],
    last_names: Mapping[str, Mapping],
    extra: Mapping[str, Set[str]],
    not_names: Mapping[str, Set[str]],
    dictionary_words: Set[str],
    common_words: Set[str],
    proper_nouns: Set[str],
    places: Set[str],
    very_common_words: Optional[Set[str]] = None,
) -> Dict[str, str]:
    """{lowercase name: flags}. Pure: every input is passed in (tests give small ones)."""
    excluded = set().union(*(v for k, v in not_names.items() if k not in NAME_SECTIONS))
    excluded |= {fold(w) for w in excluded}
    flags: Dict[str, Set[str]] = {}
    names_first: Set[str] = set()  # so common as names that a rarer homograph does not count
    for kind, table, nordic_max in (("f", first_names, NORDIC_MAX_RANK_FIRST), ("l", last_names, NORDIC_MAX_RANK_LAST)):
        for name, info in table.items():
            ranks = info.get("rank") or {}
            if len(name) < MIN_NAME_LENGTH or not _NAME_SHAPE.match(name) or not _is_latin(name):
                continue
            if not _keep(name, ranks, nordic_max):
                continue
            key = name.lower()
            entry = flags.setdefault(key, set())
            entry.add(kind)
            if _prominent(ranks):
                entry.add("p")
            if any(ranks.get(c, 10**9) <= NAME_FIRST_RANK[kind] for c in NORDIC) or any(
                ranks.get(c, 10**9) <= NAME_FIRST_FOCUS_RANK for c in FOCUS_COUNTRIES
            ):
                names_first.add(key)
    for kind, section in (("f", "first"), ("l", "last")):
        for name in extra.get(section, ()):
            flags.setdefault(name, set()).update((kind, "p"))
    name_words = not_names.get("name-words", set())
    out: Dict[str, str] = {}

    # the spellings of a keyboard without æøå count too: "dode" is "døde", "pa" is "på"
    very_common = (common_words if very_common_words is None else very_common_words) | name_words
    very_common |= {fold(w) for w in very_common}
    dictionary = dictionary_words | common_words
    dictionary |= {fold(w) for w in dictionary}

    def add(key: str, entry: Set[str], name_first: bool) -> None:
        if key in excluded:
            return
        entry = set(entry)
        if key in very_common or (key in dictionary and not name_first):
            entry.add("w")
        if key in places or (key in proper_nouns and "p" not in entry):
            entry.add("g")
        out[key] = "".join(sorted(set(out.get(key, "")) | entry))

    for key, entry in flags.items():
        add(key, entry, key in names_first)
    # names as typed on a keyboard without æøå ("bjorn", "hakon")
    for key, entry in flags.items():
        folded = fold(key)
        if folded != key and folded not in flags:
            add(folded, entry - {"p"}, False)
    return out


def _inputs_digest() -> str:
    digest = hashlib.sha256()
    digest.update(f"format {FORMAT_VERSION}; names-dataset {metadata.version('names-dataset')}".encode())
    for path in (Path(__file__), NOT_NAMES_FILE, EXTRA_NAMES_FILE):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def header_line(digest: str) -> str:
    return f"# privacy.build_names {digest}\n"


def is_up_to_date(path: Path = OUTPUT) -> bool:
    try:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            return handle.readline() == header_line(_inputs_digest())
    except (OSError, EOFError, metadata.PackageNotFoundError):
        return False


def build(output: Path = OUTPUT) -> int:
    """Writes the names file; returns how many names it holds."""
    from names_dataset import NameDataset  # 55 MB of pickles: here only, never in the server

    dataset = NameDataset()
    dictionary_words, proper_nouns = norwegian_words_and_proper_nouns()
    stop = stop_words()
    names = extract(
        dataset.first_names, dataset.last_names, read_sections(EXTRA_NAMES_FILE), read_sections(NOT_NAMES_FILE),
        dictionary_words, english_words() | stop, proper_nouns, country_names(),
        very_common_words=english_words(ENGLISH_VERY_COMMON_LOGPROB) | stop,
    )
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    with gzip.open(partial, "wt", encoding="utf-8", compresslevel=9) as handle:
        handle.write(header_line(_inputs_digest()))
        for name in sorted(names):
            handle.write(f"{name}\t{names[name]}\n")
    partial.replace(output)  # readers never see half a file
    return len(names)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m privacy.build_names", description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--force", action="store_true", help="rebuild even when the file is up to date")
    args = parser.parse_args(argv)
    if not args.force and is_up_to_date(args.output):
        print(f"setup: name lists up to date ({args.output})")
        return 0
    started = time.perf_counter()
    count = build(args.output)
    size_kb = args.output.stat().st_size / 1024
    print(f"setup: wrote {count} names to {args.output} ({size_kb:.0f} kB) in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
