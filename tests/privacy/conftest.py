"""Fixtures of the privacy tests: a masker with a fixed allow-list, and the PostgreSQL server."""
from __future__ import annotations

from pathlib import Path

import pytest

from privacy.masking import Masker, build_allow_list

CONTACTS_FILE = Path(__file__).resolve().parents[2] / "content" / "contacts.yml"


@pytest.fixture(scope="session")
def masker() -> Masker:
    """The masker as the bot runs it, with the real contact file, without spaCy NER.

    NER depends on which spaCy model a machine has; these tables test the rules.
    """
    return Masker(allow_list=build_allow_list(CONTACTS_FILE), use_ner=False)
