"""The conversation's language (issue #14), on SQLite and PostgreSQL (`database_url`).

The `language` slot (nb, nn, en) is set at session start and changes when the resident writes
English or picks another language. The summary keeps the last value (the language the
conversation ended in) in `review_conversations.language`; the list shows and filters it, the
transcript shows it. Each training example records its message's language and the NLU export
is of one language, its header naming the file it belongs in.
"""
from __future__ import annotations

import json
import re
from types import SimpleNamespace
from typing import Dict, List

import pytest
import sqlalchemy as sa
import yaml

from evaluation import synthetic_conversations as synthetic
from review import db, summary
from review.events import conversation_language, message_language, summarise
from tests.review.conftest import NOW
from tests.review.test_municipalities import language_slot

EN_FIRST = "hello, i need help with my son"  # English entity, after a bokmål session start
NB_BEFORE = "kan jeg få refusjon for taxi"  # conv-switch, while it is still in bokmål
EN_AFTER = "what about the dentist"  # conv-switch, after the widget switched to English
NN_TEXT = "kva er eit pakkeforløp"  # conv-nn, a nynorsk municipality's session
OLD_TEXT = "kan jeg få refusjon for bussbillett"  # conv-child: seeded, no language slot at all


@pytest.fixture(autouse=True)
def no_refresh_throttle(monkeypatch):
    monkeypatch.setattr(summary, "MIN_REFRESH_INTERVAL_SECONDS", 0)


def _with_entity(row: dict, value: str) -> dict:
    """A user event whose NLU found the message's language (rasa_server/nlu/language.py)."""
    data = json.loads(row["data"])
    data["parse_data"]["entities"] = [{"entity": "language", "value": value, "extractor": "LanguageDetector"}]
    return dict(row, data=json.dumps(data, ensure_ascii=False))


def _conversation(sender_id: str, start: float, turns: List[dict], start_language=None,
                  after: Dict[str, str] = None, entities: Dict[str, str] = None) -> List[dict]:
    """Rows of a conversation with a language slot at session start (if any), a language slot
    right after the user message of each `after` text, and a language entity on each `entities` text."""
    rows = synthetic.conversation(sender_id, start, turns)
    if start_language:
        rows.insert(2, language_slot(sender_id, start, start_language))
    out = []
    for row in rows:
        text = json.loads(row["data"]).get("text") if row["type_name"] == "user" else None
        if text in (entities or {}):
            row = _with_entity(row, entities[text])
        out.append(row)
        if text in (after or {}):
            out.append(language_slot(sender_id, row["timestamp"], after[text]))
    return out


def _seed_languages(engine) -> None:
    rows = []
    # bokmål at session start; the first message is English, so NLU sets the slot to en
    rows += _conversation("conv-en", NOW - 600, [
        {"text": EN_FIRST, "intent": "nlu_fallback", "confidence": 0.3},
        {"text": "thanks", "intent": "goodbye", "confidence": 0.9}],
        start_language="nb", after={EN_FIRST: "en"}, entities={EN_FIRST: "en"})
    # bokmål, then the widget's choice: nynorsk, then English (the last is the conversation's)
    rows += _conversation("conv-switch", NOW - 900, [
        {"text": NB_BEFORE, "intent": "nlu_fallback", "confidence": 0.3},
        {"text": "hei", "intent": "greet", "confidence": 0.9},
        {"text": EN_AFTER, "intent": "nlu_fallback", "confidence": 0.2}],
        start_language="nb", after={NB_BEFORE: "nn", "hei": "en"})
    rows += _conversation("conv-nn", NOW - 1200, [
        {"text": NN_TEXT, "intent": "nlu_fallback", "confidence": 0.3}], start_language="nn")
    synthetic.insert(engine, rows)


def _user_event(engine, sender_id: str, text: str) -> int:
    with engine.connect() as connection:
        for row in connection.execute(sa.text(
                "SELECT id, data FROM events WHERE sender_id = :s AND type_name = 'user' ORDER BY id"),
                {"s": sender_id}):
            if json.loads(row.data).get("text") == text:
                return row.id
    raise AssertionError(text)


def _languages(engine, table) -> Dict[str, str]:
    key = table.c.sender_id if table is db.conversations else table.c.text
    with engine.connect() as connection:
        return dict(connection.execute(sa.select(key, table.c.language)).all())


def _listed(client, query=None) -> List[str]:
    html = client.get("/", query_string=query or {}).get_data(as_text=True)
    return re.findall(r'/conversations/view\?id=([\w-]+)', html)


@pytest.fixture
def ctx(app):
    engine = app.config["TEST_ENGINE"]
    _seed_languages(engine)
    client = app.test_client()
    from tests.review.conftest import login

    assert login(client, "rita").status_code == 302
    client.get("/")  # builds the summary
    return SimpleNamespace(app=app, engine=engine, rita=client)


# --- the summary ---------------------------------------------------------------------------------

def _rows(rows: List[dict]) -> list:
    return [SimpleNamespace(id=n + 1, **row) for n, row in enumerate(rows)]


def test_summarise_keeps_the_last_language_slot():
    once = _rows(_conversation("s", NOW, [{"text": "hei", "intent": "greet", "confidence": 0.9}],
                               start_language="nn"))
    assert summarise("s", once, "Europe/Oslo", "kommune-a").language == "nn"
    changed = _rows(_conversation("s", NOW, [{"text": "hei", "intent": "greet", "confidence": 0.9},
                                             {"text": "hello", "intent": "greet", "confidence": 0.9}],
                                  start_language="nb", after={"hei": "en", "hello": "nn"}))
    assert summarise("s", changed, "Europe/Oslo", "kommune-a").language == "nn"
    assert conversation_language(changed) == "nn"
    # a reset or a value the domain does not know leaves the language it had
    odd = changed + _rows([language_slot("s", NOW + 99, None), language_slot("s", NOW + 99, "<b>de</b>")])
    assert summarise("s", odd, "Europe/Oslo", "kommune-a").language == "nn"
    # another slot named language only in data (not how Rasa writes it) is not read
    unnamed = [SimpleNamespace(**dict(vars(r), action_name=None)) if r.type_name == "slot" else r for r in once]
    assert summarise("s", unnamed, "Europe/Oslo", "kommune-a").language is None
    none = _rows(synthetic.conversation("s", NOW, [{"text": "hei", "intent": "greet", "confidence": 0.9}]))
    assert summarise("s", none, "Europe/Oslo", "kommune-a").language is None


def test_message_language_is_its_entity_else_the_slot_before_it():
    rows = _rows(_conversation("s", NOW, [
        {"text": EN_FIRST, "intent": "greet", "confidence": 0.9},
        {"text": NB_BEFORE, "intent": "greet", "confidence": 0.9},
        {"text": EN_AFTER, "intent": "greet", "confidence": 0.9}],
        start_language="nb", after={EN_FIRST: "en", NB_BEFORE: "nb"}, entities={EN_FIRST: "en", NB_BEFORE: "nb"}))
    ids = {json.loads(r.data)["text"]: r.id for r in rows if r.type_name == "user"}
    # the entity wins over the bokmål slot before it (the slot it fills comes after the message)
    assert message_language(rows, ids[EN_FIRST]) == "en"
    assert message_language(rows, ids[NB_BEFORE]) == "nb"
    assert message_language(rows, ids[EN_AFTER]) == "nb"  # no entity: the slot before it
    plain = _rows(synthetic.conversation("s", NOW, [{"text": "hei", "intent": "greet", "confidence": 0.9}]))
    assert message_language(plain, [r.id for r in plain if r.type_name == "user"][0]) is None


def test_the_summary_has_each_conversations_last_language(ctx):
    assert _languages(ctx.engine, db.conversations) == {
        "conv-en": "en", "conv-switch": "en", "conv-nn": "nn",
        "conv-crisis": None, "conv-child": None, "conv-adult": None, "conv-xss": None,
    }
    # a language chosen later is picked up by the next refresh
    synthetic.insert(ctx.engine, [language_slot("conv-nn", NOW, "nb")])
    ctx.rita.get("/")
    assert _languages(ctx.engine, db.conversations)["conv-nn"] == "nb"


# --- the list and the transcript ---------------------------------------------------------------

def test_the_list_shows_and_filters_the_language(ctx):
    html = ctx.rita.get("/").get_data(as_text=True)
    assert '<label for="language">Språk</label>' in html and '<th scope="col">Språk</th>' in html
    assert re.findall(r'<select id="language" name="language">(.*?)</select>', html, re.S)
    assert re.search(r'conv-en">[^<]+</a></th>\s*<td>Kommune A</td>\s*<td>Engelsk</td>', html)
    assert re.search(r'conv-nn">[^<]+</a></th>\s*<td>Kommune A</td>\s*<td>Nynorsk</td>', html)
    assert re.search(r'conv-child">[^<]+</a></th>\s*<td>Kommune A</td>\s*<td>–</td>', html)
    assert set(_listed(ctx.rita, {"language": "en"})) == {"conv-en", "conv-switch"}
    assert _listed(ctx.rita, {"language": "nn"}) == ["conv-nn"]
    assert _listed(ctx.rita, {"language": "nb"}) == []
    assert set(_listed(ctx.rita, {"language": "none"})) == {"conv-crisis", "conv-child", "conv-adult", "conv-xss"}
    assert set(_listed(ctx.rita, {"language": "en", "fallback": "1"})) == {"conv-en", "conv-switch"}
    # an unknown value is no filter (as for the route); the chosen one is selected and kept in links
    assert len(_listed(ctx.rita, {"language": "de"})) == 7
    page = ctx.rita.get("/", query_string={"language": "en"}).get_data(as_text=True)
    assert '<option value="en" selected>Engelsk</option>' in page
    assert ctx.rita.get("/", query_string={"language": "' OR '1'='1"}).status_code == 200


def test_the_admins_export_follows_the_language_filter(ctx):
    from tests.review.conftest import login

    admin = ctx.app.test_client()
    login(admin, "ada")
    exported = json.loads(admin.get("/conversations/export.json", query_string={"language": "nn"}).get_data(as_text=True))
    assert [c["sender_id"] for c in exported] == ["conv-nn"]


def test_the_transcript_shows_the_language(ctx):
    html = ctx.rita.get("/conversations/view?id=conv-switch").get_data(as_text=True)
    assert "<dt>Språk</dt><dd>Engelsk (språket samtalen sluttet på)</dd>" in html
    html = ctx.rita.get("/conversations/view?id=conv-child").get_data(as_text=True)
    assert "<dt>Språk</dt><dd>– (ikke registrert)</dd>" in html
