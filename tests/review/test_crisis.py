"""Crisis verdicts in the console: the level filter, the verdict beside each message, staff marks
(missed crisis / false alarm) with their audit rows, and the export as crisis corpus YAML."""
from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
import yaml

from evaluation import synthetic_conversations as synthetic
from review import db, summary
from review.crisis_marks import corpus_yaml
from review.events import summarise
from review.verdicts import verdict_of
from safety.corpus import read_set
from tests.review.conftest import NOW, login, token

SURE_TEXT = "jeg vil ikke leve lenger, når er dere åpne?"
UNSURE_TEXT = "jeg orket ikke mer i fjor, nå går det bra"
MISSED_TEXT = "har skrevet brev til alle og gitt bort katten min"
PATTERN = r"\bvil ikke leve\b"


@pytest.fixture(autouse=True)
def no_refresh_throttle(monkeypatch):
    monkeypatch.setattr(summary, "MIN_REFRESH_INTERVAL_SECONDS", 0)


@pytest.fixture
def crisis_app(app):
    """The shared fixtures (conv-crisis has no stored verdict: an older conversation) plus
    conversations whose messages carry the graded verdict."""
    v = synthetic.verdict
    rows = []
    rows += synthetic.conversation("conv-sure", NOW - 600, [
        {"text": "hei", "intent": "greet", "confidence": 0.98, "verdict": v("none", 0.01)},
        {"text": SURE_TEXT, "intent": "crisis", "confidence": 1.0,
         "verdict": v("sure", 0.934, PATTERN, question="ask_phone_hours")},
    ])
    rows += synthetic.conversation("conv-unsure", NOW - 900, [
        {"text": UNSURE_TEXT, "intent": "ask_adult", "confidence": 0.8,
         "verdict": v("unsure", 0.412, r"\borke(t)? ikke mer\b", softener="past")},
        {"text": "takk", "intent": "goodbye", "confidence": 0.97, "verdict": v("none", 0.0)},
    ])
    rows += synthetic.conversation("conv-both", NOW - 1200, [
        {"text": "hva om noen vil dø", "intent": "ask_contact", "confidence": 0.6,
         "verdict": v("unsure", 0.35, softener="hypothetical")},
        {"text": "jeg tar livet mitt i kveld", "intent": "crisis", "confidence": 1.0,
         "verdict": v("sure", 0.99, r"\btar livet mitt\b")},
    ])
    rows += synthetic.conversation("conv-missed", NOW - 1500, [
        {"text": MISSED_TEXT, "intent": "ask_contact", "confidence": 0.7, "verdict": v("none", 0.12)},
    ])
    synthetic.insert(app.config["TEST_ENGINE"], rows)
    return app


@pytest.fixture
def rita(crisis_app):
    client = crisis_app.test_client()
    assert login(client, "rita").status_code == 302
    return client


def listed(client, query: str = "") -> list[str]:
    html = client.get("/" + query).get_data(as_text=True)
    return re.findall(r'/conversations/view\?id=([\w-]+)', html)


def user_events(app, sender_id: str) -> list[int]:
    with app.config["TEST_ENGINE"].connect() as connection:
        return [r[0] for r in connection.execute(sa.text(
            "SELECT id FROM events WHERE sender_id = :s AND type_name = 'user' ORDER BY id"), {"s": sender_id})]


def marks(app) -> list[tuple]:
    m = db.crisis_marks
    with app.config["TEST_ENGINE"].connect() as connection:
        return [tuple(r) for r in connection.execute(
            sa.select(m.c.sender_id, m.c.event_id, m.c.label, m.c.level, m.c.created_by).order_by(m.c.id))]


def audit_rows(app, action: str) -> list:
    a = db.audit_log
    with app.config["TEST_ENGINE"].connect() as connection:
        return connection.execute(sa.select(a).where(a.c.action == action).order_by(a.c.id)).all()


def mark(client, sender_id, event_id, label, **extra):
    data = {"id": sender_id, "event_id": str(event_id), "label": label, "csrf_token": token(client)}
    data.update(extra)
    return client.post("/crisis/mark", data=data)


def shown(html: str) -> str:
    """The page's text without tags and with single spaces, as a reader sees it."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def turn_of(html: str, event_id: int) -> str:
    """The HTML of one user message in a transcript."""
    start = html.index(f'id="event-{event_id}"')
    return html[start:html.index("</li>", start)]


# --- the summary's crisis level and the list filter ----------------------------------------------

def test_summary_has_the_highest_level_of_each_conversation(rita, crisis_app):
    rita.get("/")  # builds the summary
    c = db.conversations
    with crisis_app.config["TEST_ENGINE"].connect() as connection:
        found = {r.sender_id: (r.crisis_level, r.crisis, r.route)
                 for r in connection.execute(sa.select(c.c.sender_id, c.c.crisis_level, c.c.crisis, c.c.route))}
    assert found == {
        "conv-sure": ("sure", True, "crisis"),
        "conv-unsure": ("unsure", False, "none"),
        "conv-both": ("sure", True, "crisis"),  # sure beats unsure
        "conv-missed": ("none", False, "none"),
        "conv-crisis": ("sure", True, "crisis"),  # stored before verdicts: intent crisis
        "conv-child": ("none", False, "child"),
        "conv-adult": ("none", False, "adult"),
        "conv-xss": ("none", False, "none"),
    }


@pytest.mark.parametrize("query,expected", [
    ("?sure=1", ["conv-sure", "conv-both", "conv-crisis"]),
    ("?unsure=1", ["conv-unsure"]),
    ("?sure=1&unsure=1", ["conv-sure", "conv-unsure", "conv-both", "conv-crisis"]),  # either level
    ("?crisis=1", ["conv-sure", "conv-both", "conv-crisis"]),  # the old flag: a sure crisis
    ("?unsure=1&route=adult", []),
    ("?unsure=1&q=fjor", ["conv-unsure"]),
    ("?sure=0&unsure=nei", ["conv-sure", "conv-unsure", "conv-both", "conv-missed", "conv-crisis",
                            "conv-child", "conv-adult", "conv-xss"]),
])
def test_level_filter(rita, query, expected):
    assert listed(rita, query) == expected


def test_list_page_has_the_level_and_mark_filters_as_labelled_checkboxes(rita):
    html = rita.get("/?unsure=1").get_data(as_text=True)
    for name, label in (("sure", "sikker krise"), ("unsure", "usikker krise"),
                        ("missed", "oversett krise"), ("false_alarm", "falsk alarm")):
        assert re.search(rf'<input type="checkbox" id="flag-{name}" name="{name}" value="1"', html)
        assert f'<label for="flag-{name}">{label}</label>' in html
    assert re.search(r'id="flag-unsure" name="unsure" value="1" checked', html)
    assert not re.search(r'id="flag-sure" name="sure" value="1" checked', html)
    assert "<legend>Krisevurdering, høyeste i samtalen" in html
    assert "<legend>Krisemerking av personalet" in html
    # the level shows in the list, and the old flag's box is now "sikker krise"
    assert "(usikker krise)" in html
    assert re.search(r'id="flag-sure" name="sure" value="1" checked', rita.get("/?crisis=1").get_data(as_text=True))


def test_summary_follows_a_level_that_rises(rita, crisis_app):
    assert listed(rita, "?unsure=1") == ["conv-unsure"]
    synthetic.insert(crisis_app.config["TEST_ENGINE"], [
        dict(r, sender_id="conv-unsure") for r in synthetic.conversation("x", NOW - 800, [
            {"text": "nå står jeg på brua", "intent": "crisis", "confidence": 1.0,
             "verdict": synthetic.verdict("sure", 0.97, r"\bbrua\b")}])])
    assert listed(rita, "?unsure=1") == []
    assert "conv-unsure" in listed(rita, "?sure=1")


# --- reading verdicts -----------------------------------------------------------------------------

def _data(verdict=None):
    parse = {"intent": {"name": "greet", "confidence": 0.9}}
    if verdict is not None:
        parse["crisis_verdict"] = verdict
    return {"text": "x", "parse_data": parse}


def test_verdict_of_reads_the_stored_verdict_and_falls_back_to_the_intent():
    stored = verdict_of(_data({"level": "unsure", "score": 0.3, "pattern": "p", "softener": "past",
                               "question": None}), "crisis")
    assert (stored.level, stored.score, stored.pattern, stored.softener, stored.stored) == \
        ("unsure", 0.3, "p", "past", True)  # the stored verdict wins over the intent
    assert stored.softener_label == "fortid" and stored.label == "usikker krise"
    assert verdict_of(_data(), "crisis").level == "sure"
    assert verdict_of(_data(), "greet").level == "none"
    assert verdict_of(_data(), "crisis").stored is False
    for odd in ({"level": "maybe"}, "sure", ["sure"], {"score": 0.9}):
        assert verdict_of(_data(odd), "greet").level == "none", odd
    for score in ("0.9", True, 1.5, -0.1, float("nan"), None):
        assert verdict_of(_data({"level": "sure", "score": score}), "crisis").score is None, score
    assert verdict_of(_data({"level": "none", "score": 0, "pattern": 5}), "greet").pattern is None


def test_summarise_takes_the_highest_level():
    def rows(turns):
        return [SimpleNamespace(id=n, **r) for n, r in enumerate(synthetic.conversation("s", 1_700_000_000, turns))]

    v = synthetic.verdict
    unsure = {"text": "a", "intent": "greet", "confidence": 0.9, "verdict": v("unsure", 0.4)}
    none = {"text": "b", "intent": "greet", "confidence": 0.9, "verdict": v("none", 0.0)}
    sure = {"text": "c", "intent": "crisis", "confidence": 1.0, "verdict": v("sure", 0.9)}
    old_crisis = {"text": "d", "intent": "crisis", "confidence": 0.99}
    for turns, level in (([none], "none"), ([none, unsure, none], "unsure"), ([unsure, sure], "sure"),
                         ([old_crisis], "sure"), ([none, old_crisis], "sure")):
        result = summarise("s", rows(turns), "Europe/Oslo")
        assert (result.crisis_level, result.crisis) == (level, level == "sure"), turns


# --- the verdict beside each message --------------------------------------------------------------

def test_transcript_shows_each_messages_verdict(rita, crisis_app):
    greet, crisis = user_events(crisis_app, "conv-sure")
    rita.get("/")  # builds the summary the facts above the transcript come from
    html = rita.get("/conversations/view?id=conv-sure").get_data(as_text=True)
    assert "<dt>Krisevurdering</dt><dd>sikker krise" in html
    sure = shown(turn_of(html, crisis))
    assert "Krisevurdering: sikker krise · mønster \\bvil ikke leve\\b · klassifisereren: 0,93" in sure
    assert "besvarte spørsmålet ask_phone_hours etter kriseteksten" in sure
    assert 'class="verdict sure"' in turn_of(html, crisis)
    assert "Krisevurdering: ingen krise · klassifisereren: 0,01" in shown(turn_of(html, greet))

    (unsure, _) = user_events(crisis_app, "conv-unsure")
    html = rita.get("/conversations/view?id=conv-unsure").get_data(as_text=True)
    text = shown(turn_of(html, unsure))
    assert "Krisevurdering: usikker krise · mønster \\borke(t)? ikke mer\\b · klassifisereren: 0,41" in text
    assert "dempet av sammenhengen «fortid» ( past )" in text

    # a conversation stored before verdicts: derived from the intent, and said so
    (_, old) = user_events(crisis_app, "conv-crisis")
    text = shown(turn_of(rita.get("/conversations/view?id=conv-crisis").get_data(as_text=True), old))
    assert "Krisevurdering: sikker krise (ingen lagret vurdering: utledet av intensjonen)" in text


def test_each_message_offers_the_marks_that_fit_its_verdict(rita, crisis_app):
    def buttons(sender_id, event_id):
        html = rita.get(f"/conversations/view?id={sender_id}").get_data(as_text=True)
        return re.findall(r'<button type="submit" name="label" value="(\w+)"[^>]*aria-describedby="text-(\d+)"',
                          turn_of(html, event_id))

    (none_event,) = user_events(crisis_app, "conv-missed")
    _, sure_event = user_events(crisis_app, "conv-sure")
    unsure_event, _ = user_events(crisis_app, "conv-unsure")
    assert buttons("conv-missed", none_event) == [("missed", str(none_event))]
    assert buttons("conv-sure", sure_event) == [("false_alarm", str(sure_event))]
    assert buttons("conv-unsure", unsure_event) == [("missed", str(unsure_event)), ("false_alarm", str(unsure_event))]


# --- marking, changing and undoing ----------------------------------------------------------------

def test_mark_change_and_undo_are_stored_shown_filtered_and_audited(rita, crisis_app):
    unsure_event, _ = user_events(crisis_app, "conv-unsure")
    response = mark(rita, "conv-unsure", unsure_event, "false_alarm")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/conversations/view?id=conv-unsure#event-{unsure_event}")
    assert marks(crisis_app) == [("conv-unsure", unsure_event, "false_alarm", "unsure", "rita")]
    html = rita.get("/conversations/view?id=conv-unsure").get_data(as_text=True)
    assert "Meldingen er merket som falsk alarm." in html
    turn = shown(turn_of(html, unsure_event))
    assert "Merket som falsk alarm av rita" in turn and "Angre merkingen" in turn
    assert "Endre til Merk som oversett krise" in turn  # the other mark, not the same one again
    assert listed(rita, "?false_alarm=1") == ["conv-unsure"]
    assert listed(rita, "?missed=1") == []
    assert listed(rita, "?missed=1&false_alarm=1") == ["conv-unsure"]
    assert "falsk alarm" in shown(rita.get("/crisis/").get_data(as_text=True))

    # a second mark replaces the first
    mark(rita, "conv-unsure", unsure_event, "missed")
    assert marks(crisis_app) == [("conv-unsure", unsure_event, "missed", "unsure", "rita")]
    assert listed(rita, "?missed=1") == ["conv-unsure"] and listed(rita, "?false_alarm=1") == []

    response = rita.post("/crisis/unmark", data={"id": "conv-unsure", "event_id": unsure_event,
                                                 "csrf_token": token(rita)})
    assert response.headers["Location"].endswith(f"#event-{unsure_event}")
    assert "Merkingen «oversett krise» er fjernet." in rita.get("/conversations/view?id=conv-unsure").get_data(as_text=True)
    assert marks(crisis_app) == []
    assert listed(rita, "?missed=1") == [] and listed(rita, "?false_alarm=1") == []

    marked = [(r.username, r.sender_id, json.loads(r.detail)) for r in audit_rows(crisis_app, "mark_crisis")]
    assert marked == [
        ("rita", "conv-unsure", {"event_id": unsure_event, "label": "false_alarm", "level": "unsure",
                                 "municipality": "kommune-a"}),
        ("rita", "conv-unsure", {"event_id": unsure_event, "label": "missed", "level": "unsure",
                                 "municipality": "kommune-a"}),
    ]
    undone = [(r.username, r.sender_id, json.loads(r.detail)) for r in audit_rows(crisis_app, "unmark_crisis")]
    assert undone == [("rita", "conv-unsure", {"event_id": unsure_event, "label": "missed",
                                               "municipality": "kommune-a"})]
    # the audit log holds no message text
    assert not any(UNSURE_TEXT in (r.detail or "") for r in audit_rows(crisis_app, "mark_crisis"))


def test_undo_from_the_marks_page_goes_back_there(rita, crisis_app):
    (event_id,) = user_events(crisis_app, "conv-missed")
    mark(rita, "conv-missed", event_id, "missed")
    assert MISSED_TEXT in rita.get("/crisis/").get_data(as_text=True)
    response = rita.post("/crisis/unmark", data={"event_id": event_id, "csrf_token": token(rita, "/crisis/")})
    assert response.headers["Location"].endswith("/crisis/")
    assert marks(crisis_app) == []
    assert "Ingen merkede meldinger ennå" in rita.get("/crisis/").get_data(as_text=True)
    # nothing left to undo: said so, and not audited twice
    rita.post("/crisis/unmark", data={"event_id": event_id, "csrf_token": token(rita, "/crisis/")})
    assert "Fant ingen merking å fjerne." in rita.get("/crisis/").get_data(as_text=True)
    assert len(audit_rows(crisis_app, "unmark_crisis")) == 1


def test_marks_that_do_not_fit_are_refused(rita, crisis_app):
    _, sure_event = user_events(crisis_app, "conv-sure")
    (none_event,) = user_events(crisis_app, "conv-missed")
    child_event = user_events(crisis_app, "conv-child")[0]
    with crisis_app.config["TEST_ENGINE"].connect() as connection:
        bot_event = connection.execute(sa.text(
            "SELECT MIN(id) FROM events WHERE sender_id = 'conv-missed' AND type_name = 'bot'")).scalar()
    cases = [
        ("conv-sure", sure_event, "missed", "gjelder meldinger som ikke fikk krisesvaret først"),
        ("conv-missed", none_event, "false_alarm", "gjelder meldinger som ble flagget som krise"),
        ("conv-missed", none_event, "crisis", "Velg «oversett krise» eller «falsk alarm»."),
        ("conv-missed", child_event, "missed", "Fant ikke meldingen."),  # another conversation's message
        ("conv-missed", bot_event, "missed", "Fant ikke meldingen."),  # not a user message
        ("conv-missed", "abc", "missed", "Fant ikke meldingen."),
    ]
    for sender_id, event_id, label, message in cases:
        response = mark(rita, sender_id, event_id, label)
        assert response.status_code == 302
        assert message in rita.get(response.headers["Location"].split("#")[0]).get_data(as_text=True), label
    assert marks(crisis_app) == []
    assert audit_rows(crisis_app, "mark_crisis") == []


# --- the export -----------------------------------------------------------------------------------

def test_export_is_crisis_corpus_yaml_with_the_marked_texts(rita, crisis_app, tmp_path):
    (missed_event,) = user_events(crisis_app, "conv-missed")
    unsure_event, _ = user_events(crisis_app, "conv-unsure")
    _, sure_event = user_events(crisis_app, "conv-sure")
    mark(rita, "conv-missed", missed_event, "missed")
    mark(rita, "conv-unsure", unsure_event, "false_alarm")
    mark(rita, "conv-sure", sure_event, "false_alarm")

    response = rita.post("/crisis/export", data={"only_new": "1", "csrf_token": token(rita, "/crisis/")})
    assert response.status_code == 200
    assert response.mimetype == "application/x-yaml"
    assert re.fullmatch(r'attachment; filename="crisis_review_\d{8}-\d{6}\.yml"',
                        response.headers["Content-Disposition"])
    text = response.get_data(as_text=True)
    assert re.match(r"# Exported from the review console \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ: "
                    r"staff marks \(missed crisis / false alarm\)\n", text)
    assert yaml.safe_load(text) == {"crisis": [MISSED_TEXT], "not_crisis": [UNSURE_TEXT, SURE_TEXT]}
    assert f'  - "{MISSED_TEXT}"' in text  # the corpus files' layout
    # the corpus reader takes it as it is
    target = tmp_path / "review_export.yml"
    target.write_text(text, encoding="utf-8")
    assert [(e.text, e.crisis) for e in read_set(target)] == [
        (MISSED_TEXT, True), (UNSURE_TEXT, False), (SURE_TEXT, False)]

    (row,) = audit_rows(crisis_app, "export_crisis_marks")
    assert row.username == "rita" and row.sender_id is None
    assert json.loads(row.detail) == {"marks": 3, "crisis": 1, "not_crisis": 2, "only_new": True,
                                      "municipalities": ["kommune-a"]}
    assert "Nei" not in shown(rita.get("/crisis/").get_data(as_text=True)).split("Handlinger")[1]

    # exported once: "only new" now gives empty lists; without it, everything again
    again = rita.post("/crisis/export", data={"only_new": "1", "csrf_token": token(rita, "/crisis/")})
    assert yaml.safe_load(again.get_data(as_text=True)) == {"crisis": [], "not_crisis": []}
    every = rita.post("/crisis/export", data={"csrf_token": token(rita, "/crisis/")})
    assert yaml.safe_load(every.get_data(as_text=True))["crisis"] == [MISSED_TEXT]
    assert len(audit_rows(crisis_app, "export_crisis_marks")) == 3


def test_corpus_yaml_round_trips_any_text(tmp_path):
    texts = ['sitat "x" og \\ strek', "to\nlinjer", "- starter med strek", "# ikke en kommentar",
             "kolon: og {klammer} [liste] & * ! | > '", "emoji 😭 blir stående", "skjult\u2028skille\u0085",
             "kontroll\x07tegn\ttab", "  mellomrom rundt  ", "nei", "null", "113"]
    exported = corpus_yaml([(t, "missed") for t in texts] + [("", "missed"), ("   ", "false_alarm"),
                                                            ("nei", "false_alarm"), ("113", "missed")],
                           datetime(2026, 12, 4, 10, 0, tzinfo=timezone.utc))
    assert exported.startswith("# Exported from the review console 2026-12-04T10:00:00Z: ")
    document = yaml.safe_load(exported)
    assert document == {"crisis": [t.strip() for t in texts], "not_crisis": ["nei"]}
    assert "😭" in exported  # readable, not \U0001F62D
    target = tmp_path / "x.yml"
    target.write_text(exported, encoding="utf-8")
    assert len(read_set(target)) == len(texts) + 1


# --- access and CSRF ------------------------------------------------------------------------------

def test_a_visitor_who_is_not_logged_in_gets_nothing(rita, crisis_app):
    (event_id,) = user_events(crisis_app, "conv-missed")
    mark(rita, "conv-missed", event_id, "missed")
    before = marks(crisis_app)
    anonymous = crisis_app.test_client()
    csrf = token(anonymous, "/login")
    for method, path, data in (
            ("GET", "/crisis/", None),
            ("POST", "/crisis/export", {"csrf_token": csrf}),
            ("POST", "/crisis/mark", {"id": "conv-unsure", "event_id": user_events(crisis_app, "conv-unsure")[0],
                                      "label": "false_alarm", "csrf_token": csrf}),
            ("POST", "/crisis/unmark", {"event_id": event_id, "csrf_token": csrf})):
        response = anonymous.open(path, method=method, data=data)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login"), path
        assert MISSED_TEXT not in response.get_data(as_text=True)
    assert marks(crisis_app) == before
    assert audit_rows(crisis_app, "export_crisis_marks") == []


def test_csrf_token_is_required(rita, crisis_app):
    (event_id,) = user_events(crisis_app, "conv-missed")
    for extra in ({}, {"csrf_token": "forfalsket"}):
        response = rita.post("/crisis/mark", data={"id": "conv-missed", "event_id": event_id, "label": "missed", **extra})
        assert response.status_code == 400
    assert marks(crisis_app) == []
    mark(rita, "conv-missed", event_id, "missed")
    for path, data in (("/crisis/unmark", {"event_id": event_id}), ("/crisis/export", {"only_new": "1"})):
        response = rita.post(path, data=dict(data, csrf_token="forfalsket"))
        assert response.status_code == 400
        assert MISSED_TEXT not in response.get_data(as_text=True)
    assert len(marks(crisis_app)) == 1
    assert audit_rows(crisis_app, "export_crisis_marks") == [] and audit_rows(crisis_app, "unmark_crisis") == []
    # a token from another session is refused too
    other = crisis_app.test_client()
    login(other, "ada")
    response = rita.post("/crisis/export", data={"csrf_token": token(other)})
    assert response.status_code == 400


def test_deleting_a_conversation_removes_its_marks(crisis_app):
    admin = crisis_app.test_client()
    login(admin, "ada")
    (event_id,) = user_events(crisis_app, "conv-missed")
    mark(admin, "conv-missed", event_id, "missed")
    admin.post("/conversations/delete", data={"id": "conv-missed", "csrf_token": token(admin)})
    assert marks(crisis_app) == []


# --- a database made before crisis levels ---------------------------------------------------------

def test_an_older_summary_table_gets_the_column_and_is_rebuilt(database_url):
    engine = db.make_engine(database_url)
    try:
        synthetic.create_events_table(engine)
        synthetic.insert(engine, synthetic.conversation("conv-old", NOW - 60, [
            {"text": UNSURE_TEXT, "intent": "ask_adult", "confidence": 0.8,
             "verdict": synthetic.verdict("unsure", 0.4)}]))
        old = sa.MetaData()  # review_conversations as it was before crisis_level (and municipality)
        sa.Table(db.conversations.name, old, *[
            sa.Column(c.name, c.type, primary_key=c.primary_key, nullable=c.nullable)
            for c in db.conversations.columns if c.name not in ("crisis_level", "municipality")])
        db.meta.to_metadata(old)
        old.create_all(engine)
        with engine.begin() as connection:
            newest = connection.execute(sa.text("SELECT MAX(id) FROM events")).scalar()
            connection.execute(sa.text(
                f"INSERT INTO {db.conversations.name} (sender_id, started_at, last_at, started_day, turns, "
                "route, crisis, fallbacks, feedback_up, feedback_down) "
                "VALUES ('conv-old', 1, 1, '2026-01-01', 1, 'none', false, 0, 0, 0)"))
            connection.execute(db.meta.insert().values(key="events_id", value=newest))

        db.init_db(engine)
        db.init_db(engine)  # a second start finds nothing to add
        columns = {c["name"] for c in sa.inspect(engine).get_columns(db.conversations.name)}
        assert "crisis_level" in columns
        c = db.conversations
        with engine.connect() as connection:
            assert connection.execute(sa.select(c.c.crisis_level)).scalar() == "none"  # until the refresh
        summary.refresh(engine, "Europe/Oslo", force=True)
        with engine.connect() as connection:
            assert connection.execute(sa.select(c.c.crisis_level)).scalar() == "unsure"
    finally:
        engine.dispose()
