"""Training examples and their NLU YAML export; the statistics page and its charts."""
from __future__ import annotations

import re

import pytest
import yaml

from review import summary
from review.training import domain_intents, nlu_yaml
from tests.review.conftest import token, user_event


@pytest.fixture(autouse=True)
def no_refresh_throttle(monkeypatch):
    monkeypatch.setattr(summary, "MIN_REFRESH_INTERVAL_SECONDS", 0)


def test_misunderstood_message_becomes_training_example(reviewer, app):
    engine = app.config["TEST_ENGINE"]
    event_id = user_event(engine, "conv-child", "bussbillett")
    html = reviewer.get("/conversations/view?id=conv-child").get_data(as_text=True)
    assert f'id="intent-{event_id}"' in html and '<option value="ask_contact"' in html
    t = token(reviewer)
    # an intent that is not in the domain is refused
    reviewer.post("/training/add", data={"id": "conv-child", "event_id": event_id, "intent": "made_up", "csrf_token": t})
    reviewer.post("/training/add", data={"id": "conv-child", "event_id": event_id, "intent": "ask_contact", "csrf_token": t})
    listing = reviewer.get("/training/").get_data(as_text=True)
    assert "kan jeg få refusjon for bussbillett" in listing and "made_up" not in listing
    response = reviewer.post("/training/export", data={"only_new": "1", "language": "nb", "csrf_token": t})
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment; filename=\"nlu_review_")
    text = response.get_data(as_text=True)
    document = yaml.safe_load(text)
    assert document == {"version": "3.1", "nlu": [
        {"intent": "ask_contact", "examples": "- kan jeg få refusjon for bussbillett\n"}]}
    assert "examples: |" in text
    # exported once: "only new" now gives an empty file
    again = yaml.safe_load(reviewer.post("/training/export", data={"only_new": "1", "language": "nb", "csrf_token": t}).get_data(as_text=True))
    assert again["nlu"] == []


def test_nlu_yaml_is_read_by_rasa():
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

    text = nlu_yaml([("hei der", "greet"), ("hva er #1: «pakkeforløp»?\nnå", "ask_what_is_pathway"),
                     ("hei der", "greet"), ("- starter med strek", "greet")])
    data = RasaYAMLReader().reads(text)
    examples = {(m.get("text"), m.get("intent")) for m in data.intent_examples}
    assert examples == {("hei der", "greet"), ("hva er #1: «pakkeforløp»? nå", "ask_what_is_pathway"),
                        ("- starter med strek", "greet")}


def test_domain_intents_reads_file_and_directory(tmp_path):
    (tmp_path / "domain.yml").write_text("intents:\n  - greet\n  - crisis:\n      use_entities: []\n")
    assert domain_intents(str(tmp_path / "domain.yml")) == ["crisis", "greet"]
    folder = tmp_path / "domain"
    folder.mkdir()
    (folder / "a.yml").write_text("intents: [a]\n")
    (folder / "b.yml").write_text("intents: [b]\nresponses: {}\n")
    assert domain_intents(str(folder)) == ["a", "b"]
    assert domain_intents(str(tmp_path / "missing.yml")) == []


def test_statistics_page_and_charts(reviewer):
    html = reviewer.get("/stats/").get_data(as_text=True)
    figures = dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]+)</dd>", html))
    assert figures["Samtaler"] == "4"  # all four are within the default 30 days
    assert figures["Samtaler med krise"] == "1"
    assert figures["Tilbakemeldinger"] == "1 opp, 1 ned"
    for name in ("per_day", "intents", "fallback", "routes", "feedback"):
        assert f"/stats/chart/{name}.svg" in html
        svg = reviewer.get(f"/stats/chart/{name}.svg")
        assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
        assert b"<svg" in svg.data and b"<script" not in svg.data
    assert "alt=" in html


def test_statistics_period(reviewer):
    html = reviewer.get("/stats/?from=2020-01-01&to=2020-01-31").get_data(as_text=True)
    assert "<dt>Samtaler</dt><dd>0</dd>" in html
    assert "Fra-dato må være før" in reviewer.get("/stats/?from=2021-01-01&to=2020-01-01").get_data(as_text=True)
