"""Two questions in one message, found so that each gets its own answer.

«hva er et pakkeforløp, og hvem ringer jeg for sønnen min på 15?» asks two things; the NLU
gives one intent per message, so the channel hands such a message on as two, in order
(rasa_server/channels/questions.py). Only clear cases are split: each part starts with a
question word (or the first ends with «?») and has at least MIN_WORDS words, so context that
belongs to a question («sønnen min er 14. hvem ringer jeg?») stays with it. Pure: no Rasa.
"""
from __future__ import annotations

import re
from typing import List

from nlp.normalize import fold

MIN_WORDS = 3
# bokmål, nynorsk and dialect question words, after nlp.normalize.fold (no æøå)
QUESTION_WORDS = ("hva", "hvem", "hvor", "hvordan", "hvorfor", "hvilke", "hvilken", "hvilket", "nar",
                  "kva", "kven", "kor", "korleis", "kvifor", "kva for", "ka", "kem", "kordan", "kan", "far",
                  "er det", "finnes", "fins", "har dere", "har de")
_STARTS_WITH_QUESTION = re.compile(r"^\W*(?:" + "|".join(QUESTION_WORDS) + r")\b")
# where a second question can begin: after «?», or after «, og» / «. » before a question word
_RAW_QUESTION_WORDS = QUESTION_WORDS + ("når", "får")  # the split runs on the text as written
_SPLIT = re.compile(r"(?<=\?)\s+|,?\s+og\s+(?=(?:" + "|".join(_RAW_QUESTION_WORDS) + r")\b)|(?<=[.!])\s+",
                    re.IGNORECASE)


def _is_question(part: str) -> bool:
    return bool(_STARTS_WITH_QUESTION.search(fold(part).lower())) or part.rstrip().endswith("?")


def split_questions(text: str) -> List[str]:
    """The questions of a message, in order; the message itself when it is not clearly two."""
    parts = [p.strip(" ,") for p in _SPLIT.split(text or "") if p and p.strip(" ,")]
    if len(parts) < 2 or len(parts) > 3:
        return [text]
    if all(_is_question(p) and len(p.split()) >= MIN_WORDS for p in parts):
        return parts
    return [text]
