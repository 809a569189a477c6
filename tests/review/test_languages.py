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
from review.training import fill_languages, nlu_header
from tests.review.conftest import NOW, token, user_event
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


def test_an_older_database_gets_the_language_columns_index_and_values(database_url):
    engine = db.make_engine(database_url)
    try:
        synthetic.create_events_table(engine)
        _seed_languages(engine)
        old = sa.MetaData()  # the summary and the training examples before the language columns
        for table in (db.conversations, db.training_examples):
            sa.Table(table.name, old, *[
                sa.Column(c.name, c.type, primary_key=c.primary_key, nullable=c.nullable)
                for c in table.columns if c.name != "language"])
        db.meta.to_metadata(old)
        old.create_all(engine)
        en_event = user_event(engine, "conv-switch", EN_AFTER)
        nb_event = user_event(engine, "conv-switch", NB_BEFORE)
        with engine.begin() as connection:
            newest = connection.execute(sa.text("SELECT MAX(id) FROM events")).scalar()
            connection.execute(sa.text(
                f"INSERT INTO {db.conversations.name} (sender_id, started_at, last_at, started_day, turns, "
                "route, crisis, crisis_level, fallbacks, feedback_up, feedback_down, municipality) "
                "VALUES ('conv-en', 1, 1, '2026-01-01', 1, 'none', false, 'none', 0, 0, 0, 'kommune-a')"))
            for event_id, text in ((en_event, EN_AFTER), (nb_event, NB_BEFORE)):
                connection.execute(sa.text(
                    f"INSERT INTO {db.training_examples.name} (sender_id, event_id, text, intent, created_by, "
                    f"created_at) VALUES ('conv-switch', {event_id}, :text, 'greet', 'rita', 1)"), {"text": text})
            connection.execute(db.meta.insert().values(key="events_id", value=newest))

        db.init_db(engine)
        db.init_db(engine)  # a second start finds nothing to add
        inspector = sa.inspect(engine)
        for table in (db.conversations, db.training_examples):
            assert "language" in {c["name"] for c in inspector.get_columns(table.name)}
        assert "ix_review_conversations_language" in {i["name"] for i in inspector.get_indexes(db.conversations.name)}
        # the examples saved before the column get their message's language at start
        assert _languages(engine, db.training_examples) == {EN_AFTER: "en", NB_BEFORE: "nb"}
        assert _languages(engine, db.conversations) == {"conv-en": None}  # until the refresh
        summary.refresh(engine, "Europe/Oslo", force=True)
        assert _languages(engine, db.conversations) == {"conv-en": "en", "conv-switch": "en", "conv-nn": "nn"}
        assert fill_languages(engine) == 0
    finally:
        engine.dispose()


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


# --- training examples per language --------------------------------------------------------------

def _add_example(client, engine, sender_id: str, text: str, intent: str = "ask_contact") -> int:
    event_id = user_event(engine, sender_id, text)
    response = client.post("/training/add", data={"id": sender_id, "event_id": event_id, "intent": intent,
                                                   "csrf_token": token(client)})
    assert response.status_code == 302
    return event_id


def _export(client, language, only_new: bool = True, via_query: bool = False):
    form = {"csrf_token": token(client, "/training/")}
    if only_new:
        form["only_new"] = "1"
    if via_query:
        return client.post("/training/export", data=form, query_string={"language": language})
    if language is not None:
        form["language"] = language
    return client.post("/training/export", data=form)


def _examples(response) -> List[str]:
    document = yaml.safe_load(response.get_data(as_text=True))
    return sorted(line[2:] for block in document["nlu"] for line in block["examples"].splitlines())


def test_each_example_records_its_messages_language(ctx):
    for sender_id, text in (("conv-en", EN_FIRST), ("conv-switch", NB_BEFORE), ("conv-switch", EN_AFTER),
                            ("conv-nn", NN_TEXT), ("conv-child", OLD_TEXT)):
        _add_example(ctx.rita, ctx.engine, sender_id, text)
    assert _languages(ctx.engine, db.training_examples) == {
        EN_FIRST: "en",  # its entity, though the slot before it said bokmål
        NB_BEFORE: "nb",  # the slot before it; the switch to nynorsk came after
        EN_AFTER: "en",  # the slot before it (nynorsk, then English)
        NN_TEXT: "nn",
        OLD_TEXT: "nb",  # no language slot: the municipality's målform
    }
    html = ctx.rita.get("/training/").get_data(as_text=True)
    assert re.search(r"what about the dentist</th>\s*<td>Engelsk</td>", html)
    assert '<label for="export-language">Språk</label>' in html
    assert "Engelsk – til data/nlu/english.yml (2 ikke eksportert)" in html
    assert "Bokmål – til de norske filene i data/nlu/ (2 ikke eksportert)" in html
    view = ctx.rita.get("/conversations/view?id=conv-en").get_data(as_text=True)
    assert "(språk: Engelsk)" in view


def test_the_export_is_of_one_language_and_names_its_file(ctx):
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

    for sender_id, text in (("conv-en", EN_FIRST), ("conv-switch", NB_BEFORE), ("conv-switch", EN_AFTER),
                            ("conv-nn", NN_TEXT), ("conv-child", OLD_TEXT)):
        _add_example(ctx.rita, ctx.engine, sender_id, text)

    english = _export(ctx.rita, "en", via_query=True)  # /training/export?language=en
    assert english.status_code == 200 and english.mimetype == "application/x-yaml"
    assert re.fullmatch(r'attachment; filename="nlu_review_en_\d{8}-\d{6}\.yml"',
                        english.headers["Content-Disposition"])
    text = english.get_data(as_text=True)
    assert text.startswith("# Exported from the review console ")
    assert "# Target: data/nlu/english.yml\n" in text.split("version:")[0]
    assert _examples(english) == sorted([EN_AFTER, EN_FIRST])
    assert {m.get("text") for m in RasaYAMLReader().reads(text).intent_examples} == {EN_FIRST, EN_AFTER}

    bokmal = _export(ctx.rita, "nb")
    assert 'filename="nlu_review_nb_' in bokmal.headers["Content-Disposition"]
    header = bokmal.get_data(as_text=True).split("version:")[0]
    assert "Norwegian bokmål" in header and "data/nlu/*.yml except data/nlu/english.yml" in header
    assert _examples(bokmal) == sorted([NB_BEFORE, OLD_TEXT])
    assert _examples(_export(ctx.rita, "nn")) == [NN_TEXT]
    # each export marked only its own language's examples: "only new" is empty for all three now
    assert [_examples(_export(ctx.rita, language)) for language in ("en", "nb", "nn")] == [[], [], []]
    assert _examples(_export(ctx.rita, "en", only_new=False)) == sorted([EN_AFTER, EN_FIRST])

    with ctx.engine.connect() as connection:
        details = [json.loads(r[0]) for r in connection.execute(sa.text(
            "SELECT detail FROM review_audit_log WHERE action = 'export_training' ORDER BY id"))]
    assert [(d["language"], d["examples"]) for d in details[:3]] == [("en", 2), ("nb", 2), ("nn", 1)]
    assert details[0]["municipalities"] == ["kommune-a"]


@pytest.mark.parametrize("language", [None, "", "de", "en' OR '1'='1", "EN"])
def test_an_export_without_a_known_language_is_refused(ctx, language):
    _add_example(ctx.rita, ctx.engine, "conv-en", EN_FIRST)
    response = _export(ctx.rita, language)
    assert response.status_code == 302 and response.headers["Location"].endswith("/training/")
    assert "Velg språket du vil eksportere" in ctx.rita.get("/training/").get_data(as_text=True)
    with ctx.engine.connect() as connection:
        assert connection.execute(sa.text("SELECT exported_at FROM review_training_examples")).scalar() is None


def test_nlu_header_is_a_comment():
    from datetime import datetime, timezone

    header = nlu_header("en", datetime(2026, 12, 5, 10, 0, tzinfo=timezone.utc))
    assert header == ("# Exported from the review console 2026-12-05T10:00:00Z: training examples in en (English)\n"
                      "# Target: data/nlu/english.yml\n")
    assert yaml.safe_load(header + 'version: "3.1"\nnlu: []\n') == {"version": "3.1", "nlu": []}
