"""Folds the Norwegian people actually type into one comparable form.

Residents write with and without æøå ("forløp", "forlop", "forloep"), in capitals, with
repeated letters and stray punctuation. Pattern lists and messages go through the same
folding so one pattern covers all spellings.
"""
from __future__ import annotations

import re
import unicodedata

_LETTER_FOLDS = (
    ("æ", "ae"), ("ä", "ae"), ("ø", "o"), ("ö", "o"), ("å", "a"),
    ("aa", "a"), ("oe", "o"),
)
_REPEATS = re.compile(r"([a-z])\1{2,}")  # "hjeeeelp" -> "hjeelp"
_NON_WORD = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    """Lowercase and fold æøå and their ASCII spellings; keeps punctuation (for regexes)."""
    text = unicodedata.normalize("NFKC", text).lower()
    for source, target in _LETTER_FOLDS:
        text = text.replace(source, target)
    return _REPEATS.sub(r"\1\1", text)


def normalize(text: str) -> str:
    """fold() plus punctuation to single spaces: the form messages are matched in."""
    return _NON_WORD.sub(" ", fold(text)).strip()
