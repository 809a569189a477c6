"""A message that names a contact's role, service or name already says who it is about.

«hva er nummeret til saksbehandleren», «hvem er saksbehandler for psykisk helse og rus» and
«kan jeg ringe Morten?» ask for the adults' contact; «forløpskoordinator for barn og unge» and
«Barne- og familietjenesten» for the children's (the service of a contact is not matched:
«psykisk helse og rus» is every message's topic). Asking «under 18 or adult?» back was a measured
miss. Matched against the municipality's own directory, plus the two roles every municipality's
page uses, so a municipality without contacts still answers for the right group. Pure: no Rasa.
"""
from __future__ import annotations

import re
from typing import Iterable, List, Optional, Tuple

from actions.directory import Contact
from nlp.normalize import normalize

MIN_NAME_LETTERS = 4  # «Ola» alone is too common a word-part to mean the contact
# (phrase, audience) every page uses, whatever its directory holds; folded like the messages
GENERIC_ROLES = (
    ("saksbehandler", "adults"),
    ("saksbehandlar", "adults"),
    ("sakshandsamar", "adults"),  # nynorsk
    ("forlopskoordinator for barn", "children"),
    ("koordinator for barn og unge", "children"),
    ("barne og familietjenesten", "children"),
    ("barne og familietenesta", "children"),
)


def _roles(contact: Contact) -> Iterable[str]:
    # the service is left out: «psykisk helse og rus» is every message's topic, not a contact
    yield normalize(contact.role)


def _names(contact: Contact) -> Iterable[str]:
    if contact.name:
        yield normalize(contact.name)
        yield from (part for part in normalize(contact.name).split() if len(part) >= MIN_NAME_LETTERS)


def _named(text: str, phrase: str, ending: str) -> bool:
    return bool(phrase) and re.search(rf"(?<![0-9a-z]){re.escape(phrase)}{ending}", text) is not None


def named_audience(text: str, contacts: Iterable[Contact]) -> Optional[str]:
    """'children' or 'adults' when the message names a contact, a role or a service; else None.

    Names one group only: a message that names both (comparing them) is left to the other rules.
    """
    folded = normalize(text)
    contacts = list(contacts)
    roles: List[Tuple[str, str]] = [(p, c.audience) for c in contacts for p in _roles(c)] + list(GENERIC_ROLES)
    names = [(p, c.audience) for c in contacts for p in _names(c)]
    # a role may take any ending («saksbehandleren»), a name only the genitive s («Mortens», not «Mortensen»)
    found = {audience for phrase, audience in roles if _named(folded, phrase, "")}
    found |= {audience for phrase, audience in names if _named(folded, phrase, r"s?(?![0-9a-z])")}
    return found.pop() if len(found) == 1 else None
