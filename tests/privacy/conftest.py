"""Fixtures of the privacy tests: a masker with a fixed allow-list, and the PostgreSQL server."""
from __future__ import annotations

from pathlib import Path
from typing import Dict, Iterator, Tuple

import pytest

from privacy.masking import Masker, build_allow_list

CONTACTS_FILE = Path(__file__).resolve().parents[2] / "content" / "municipalities" / "kommune-a" / "contacts.yml"


@pytest.fixture(scope="session", autouse=True)
def name_lists() -> Path:
    """privacy/data/names.tsv.gz, built by the setup step itself where it is missing or stale."""
    from privacy import build_names

    if not build_names.is_up_to_date():
        assert build_names.main([]) == 0
    return build_names.OUTPUT


@pytest.fixture(scope="session")
def masker() -> Masker:
    """The masker as the bot runs it, with the real contact file, without spaCy NER.

    NER depends on which spaCy model a machine has; these tables test the rules.
    """
    return Masker(allow_list=build_allow_list(CONTACTS_FILE), use_ner=False)


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path: Path, monkeypatch) -> Iterator[Tuple[str, Dict[str, str]]]:
    """(SQLAlchemy URL, TRACKER_* environment) of an empty tracker database."""
    if request.param == "sqlite":
        env = {"TRACKER_DIALECT": "sqlite", "TRACKER_DB": str(tmp_path / "tracker.db")}
        url = f"sqlite:///{tmp_path / 'tracker.db'}"
    else:
        server = request.getfixturevalue("postgres_server")
        url = server.create_database()
        env = server.env(db=url.rsplit("/", 1)[1])
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    yield url, env
