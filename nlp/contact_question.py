"""Does a message ask whom to contact? «Kven kan eg ringje?», «who do I talk to», «hvem kontakter vi».

A question about a neighbouring topic (pårørende, getting a coordinator, how to start, the
hospital, the follow-up service) often ends with one: «Eg er mor til ei jente på åtte år ... Kven
kan eg ringje?» (routing set 11). The topic's answer then comes first and the contact second
(data/rules.yml). «Who can help» is left out: «hvem kan hjelpe pårørende?» asks about support,
not whom to call. Pure: no Rasa.
"""
from __future__ import annotations

import re

from nlp.normalize import fold

# written plainly and folded like the messages (fold: æ->ae, ø->o, å->a, oe->o); the verb within
# a few words of the question word (no \W: fold lowercases it)
_NORWEGIAN = re.compile(fold(
    r"\b(?:hvem|kven|kem|kaem|hvor|kor|kvar|hvilken|hvilke|kva for|ka for)\b(?:[ ,']+[a-z0-9]+){0,5}?[ ,']+"
    r"(?:ringe|ringer|ringje|ringa|ringj|ring|kontakte|kontakta|kontakter|kontakt|snakke|snakka|snakk|prate|prata|"
    r"ringjer|ringar|kontaktar|vende|vender|venda|henvende|henvender|ifra|ifrå|si fra|seie frå|melde|ta kontakt|"
    r"spørre|spørja|følge|følgje|fylgje)\b"))  # «kven skal følgje han opp»
_ENGLISH = re.compile(
    r"\b(?:who|whom|where|which)\b(?:\W+\w+){0,5}?\W+"
    r"(?:call|phone|ring|contact|talk|speak|turn|refer|referred|reach|follow)\b"
    r"|\b(?:need|want|have) (?:someone|somebody|a person) to (?:talk|speak) (?:to|with)\b")
_SOMEONE_TO_TALK_TO = re.compile(fold(
    r"\b(?:trenger|treng|trenge|ønsker|ynskjer|vil ha) (?:noen|nokon|nokre|en|ein) (?:å )?(?:snakke|snakka|prate|prata) med\b"))


def asks_whom_to_contact(text: str | None) -> bool:
    folded = fold(text or "")
    return bool(_NORWEGIAN.search(folded) or _ENGLISH.search(folded) or _SOMEONE_TO_TALK_TO.search(folded))
