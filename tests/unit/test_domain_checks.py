"""rasa_server/patches/domain_checks.py answers as Rasa's Domain.is_empty, without a new Domain per call."""
from __future__ import annotations

from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain

from rasa_server.patches import domain_checks

ROOT = Path(__file__).resolve().parents[2]
RASAS_IS_EMPTY = Domain.is_empty  # taken before any install() in this process replaces it


@pytest.mark.parametrize("domain", [
    Domain.from_dict({}), Domain.empty(), Domain.load(str(ROOT / "domain.yml")),
    Domain.from_dict({"intents": ["greet"]}), Domain.from_dict({"responses": {"utter_hi": [{"text": "hei"}]}}),
], ids=["from_dict({})", "empty()", "project domain", "one intent", "one response"])
def test_same_answer_as_rasa(domain):
    assert domain_checks.is_empty(domain) == RASAS_IS_EMPTY(domain)


def test_the_empty_domain_is_built_once(monkeypatch):
    project = Domain.load(str(ROOT / "domain.yml"))
    domain_checks.is_empty(project)  # builds and keeps the empty domain's dict
    built = []
    original = Domain.from_dict
    monkeypatch.setattr(Domain, "from_dict", classmethod(lambda cls, data: built.append(data) or original.__func__(cls, data)))
    assert not any(domain_checks.is_empty(project) for _ in range(50))
    assert built == []


def test_install_replaces_rasas_method(monkeypatch):
    monkeypatch.setattr(Domain, "is_empty", RASAS_IS_EMPTY)
    domain_checks.install()
    assert Domain.is_empty is domain_checks.is_empty
