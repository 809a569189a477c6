"""The list, its filters and paging, the transcript, review marks, deletion and exports."""
from __future__ import annotations

import csv
import io
import json
import re

import pytest
import sqlalchemy as sa

from evaluation import synthetic_conversations as synthetic
from review import db, summary
from storage import conversations as storage
from tests.review.conftest import NOW, XSS, count, token


@pytest.fixture(autouse=True)
def no_refresh_throttle(monkeypatch):
    monkeypatch.setattr(summary, "MIN_REFRESH_INTERVAL_SECONDS", 0)


def listed(client, query: str = "") -> list[str]:
    html = client.get("/" + query).get_data(as_text=True)
    return re.findall(r'/conversations/view\?id=([\w-]+)', html)


def test_list_shows_every_conversation_newest_first(reviewer):
    assert listed(reviewer) == ["conv-crisis", "conv-child", "conv-adult", "conv-xss"]


def test_list_columns(reviewer):
    html = reviewer.get("/").get_data(as_text=True)
    assert "gjelder dette barn under 18" in html  # first message
    assert "Barn og unge" in html and "Voksne" in html and "Krise" in html
    assert "1 ned" in html and "1 opp" in html


@pytest.mark.parametrize("query,expected", [
    ("?route=crisis", ["conv-crisis"]),
    ("?route=child", ["conv-child"]),
    ("?route=adult", ["conv-adult"]),
    ("?route=none", ["conv-xss"]),
    ("?crisis=1", ["conv-crisis"]),
    ("?fallback=1", ["conv-child"]),
    ("?low=1", ["conv-child", "conv-adult"]),
    ("?negative=1", ["conv-adult"]),
    ("?intent=goodbye", ["conv-adult"]),
    ("?intent=nlu_fallback", ["conv-child"]),
    ("?q=BUSSBILLETT", ["conv-child"]),
    ("?q=100%25", []),  # LIKE wildcards are searched for literally
    ("?q=%3Cscript%3E", ["conv-xss"]),
    ("?route=child&fallback=1&low=1", ["conv-child"]),
    ("?route=bogus", ["conv-crisis", "conv-child", "conv-adult", "conv-xss"]),
])
def test_filters(reviewer, query, expected):
    assert listed(reviewer, query) == expected


def test_date_filter(reviewer):
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    today = datetime.fromtimestamp(NOW - 7200, ZoneInfo("Europe/Oslo")).date()
    week_ago = today - timedelta(days=7)
    assert listed(reviewer, f"?from={week_ago}") == ["conv-crisis", "conv-child", "conv-adult"]
    assert listed(reviewer, f"?to={week_ago}") == ["conv-xss"]
    assert "må være en dato" in reviewer.get("/?from=igår").get_data(as_text=True)


def test_unreviewed_and_tag_filters(reviewer):
    reviewer.post("/conversations/reviewed", data={"id": "conv-child", "reviewed": "1", "csrf_token": token(reviewer)})
    assert "conv-child" not in listed(reviewer, "?unreviewed=1")
    reviewer.post("/conversations/tags", data={"id": "conv-adult", "tag": "Rus ", "csrf_token": token(reviewer)})
    assert listed(reviewer, "?tag=rus") == ["conv-adult"]


def test_keyset_paging_walks_every_conversation_once(reviewer, app):
    engine = app.config["TEST_ENGINE"]
    rows = []
    for conversation in synthetic.generate(23, NOW - 86400 * 5, seed=3):
        rows.extend(conversation)
    synthetic.insert(engine, rows)
    app.config["PAGE_SIZE"] = 5
    seen, query = [], ""
    while True:
        html = reviewer.get("/" + query).get_data(as_text=True)
        seen.extend(re.findall(r'/conversations/view\?id=([\w-]+)', html))
        nxt = re.search(r'href="([^"]*after=[^"]*)" rel="next"', html)
        if not nxt:
            break
        query = "?" + nxt.group(1).split("?", 1)[1].replace("&amp;", "&")
    assert len(seen) == 27 and len(set(seen)) == 27
    # and back again from the last page
    prev = re.search(r'href="([^"]*before=[^"]*)" rel="prev"', html)
    back = reviewer.get("/?" + prev.group(1).split("?", 1)[1].replace("&amp;", "&")).get_data(as_text=True)
    assert re.findall(r'/conversations/view\?id=([\w-]+)', back) == seen[-7:-2]


def test_transcript_shows_messages_intents_actions_slots_feedback(reviewer):
    html = reviewer.get("/conversations/view?id=conv-child").get_data(as_text=True)
    assert "gjelder dette barn under 18" in html
    assert "ask_child" in html and "91 %" in html
    assert "nlu_fallback" in html and "boten forstod ikke" in html
    assert "action_default_fallback" in html
    assert "<code>audience</code> = <code>\"child\"</code>" in html
    assert "Her er svaret." in html
    assert "1 opp" in html


def test_transcript_escapes_user_text(reviewer):
    html = reviewer.get("/conversations/view?id=conv-xss").get_data(as_text=True)
    assert XSS not in html
    assert "&lt;script&gt;" in html


def test_unknown_conversation_is_404(reviewer):
    assert reviewer.get("/conversations/view?id=finnes-ikke").status_code == 404


def test_review_tag_note(reviewer):
    t = token(reviewer)
    reviewer.post("/conversations/reviewed", data={"id": "conv-adult", "reviewed": "1", "csrf_token": t})
    reviewer.post("/conversations/tags", data={"id": "conv-adult", "tag": "feil svar", "csrf_token": t})
    reviewer.post("/conversations/tags", data={"id": "conv-adult", "tag": "<b>", "csrf_token": t})
    reviewer.post("/conversations/notes", data={"id": "conv-adult", "body": "Sjekk <i>svaret</i>", "csrf_token": t})
    html = reviewer.get("/conversations/view?id=conv-adult").get_data(as_text=True)
    assert "Gjennomgått" in html and "av rita" in html
    assert '<span class="tag">feil svar</span>' in html
    assert "<b>" not in html.split("transcript-heading")[0].split("Stikkord")[1]
    assert "Sjekk &lt;i&gt;svaret&lt;/i&gt;" in html
    reviewer.post("/conversations/tags/remove", data={"id": "conv-adult", "tag": "feil svar", "csrf_token": t})
    assert '<span class="tag">feil svar</span>' not in reviewer.get("/conversations/view?id=conv-adult").get_data(as_text=True)


def _audit(engine, action):
    with engine.connect() as connection:
        return connection.execute(sa.select(db.audit_log).where(db.audit_log.c.action == action)).all()


def test_transcript_view_is_audited(reviewer, app):
    reviewer.get("/conversations/view?id=conv-crisis")
    rows = _audit(app.config["TEST_ENGINE"], "view_transcript")
    assert [(r.username, r.sender_id) for r in rows] == [("rita", "conv-crisis")]


def test_delete_removes_every_row_of_the_conversation(admin, app):
    engine = app.config["TEST_ENGINE"]
    t = token(admin)
    admin.get("/")  # builds the summary
    admin.post("/conversations/reviewed", data={"id": "conv-adult", "reviewed": "1", "csrf_token": t})
    admin.post("/conversations/tags", data={"id": "conv-adult", "tag": "slett", "csrf_token": t})
    admin.post("/conversations/notes", data={"id": "conv-adult", "body": "notat", "csrf_token": t})
    event_id = _first_user_event(engine, "conv-adult")
    admin.post("/training/add", data={"id": "conv-adult", "event_id": event_id, "intent": "ask_adult", "csrf_token": t})
    admin.post("/crisis/mark", data={"id": "conv-adult", "event_id": event_id, "label": "missed", "csrf_token": t})
    tables = ["events", "conversation_feedback"] + [table.name for table in db.PER_CONVERSATION_TABLES]
    assert all(count(engine, name, "conv-adult") > 0 for name in tables)
    assert "Slett samtalen" in admin.get("/conversations/delete?id=conv-adult").get_data(as_text=True)
    response = admin.post("/conversations/delete", data={"id": "conv-adult", "csrf_token": t})
    assert response.status_code == 302
    assert {name: count(engine, name, "conv-adult") for name in tables} == {name: 0 for name in tables}
    assert count(engine, "events", "conv-child") > 0  # the others stay
    assert "conv-adult" not in listed(admin)
    rows = _audit(engine, "delete_conversation")
    assert [(r.username, r.sender_id) for r in rows] == [("ada", "conv-adult")]


def _first_user_event(engine, sender_id):
    with engine.connect() as connection:
        return connection.execute(sa.text(
            "SELECT MIN(id) FROM events WHERE sender_id = :s AND type_name = 'user'"), {"s": sender_id}).scalar()


def test_summary_follows_new_and_removed_events(reviewer, app):
    engine = app.config["TEST_ENGINE"]
    assert listed(reviewer, "?route=crisis") == ["conv-crisis"]
    synthetic.insert(engine, synthetic.conversation("conv-late", NOW - 60, [
        {"text": "hva er pakkeforløp", "intent": "ask_what_is_pathway", "confidence": 0.9}]))
    storage.add_feedback(engine, "conv-xss", "down")
    assert listed(reviewer)[0] == "conv-late"
    assert "conv-xss" in listed(reviewer, "?negative=1")
    # deleted outside the console (the retention job): pruned from the summary
    storage.delete_conversation(engine, "conv-crisis")
    summary.refresh(engine, "Europe/Oslo", force=True)
    assert "conv-crisis" not in listed(reviewer)
    assert count(engine, db.conversations.name, "conv-crisis") == 0


def test_export_csv_and_json_are_admin_only_and_audited(admin, app):
    synthetic.insert(app.config["TEST_ENGINE"], synthetic.conversation("conv-formula", NOW - 100, [
        {"text": "=HYPERLINK(\"http://x\")", "intent": "greet", "confidence": 0.9}]))
    response = admin.get("/conversations/export.csv?route=none")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][:4] == ["sender_id", "time", "from", "text"]
    texts = [r[3] for r in rows[1:] if r[2] == "user"]
    assert "'=HYPERLINK(\"http://x\")" in texts and XSS in texts
    assert {r[0] for r in rows[1:]} == {"conv-formula", "conv-xss"}
    data = json.loads(admin.get("/conversations/export.json?id=conv-child").get_data(as_text=True))
    assert [c["sender_id"] for c in data] == ["conv-child"]
    assert data[0]["events"][0]["from"] in ("action", "user")
    actions = {(r.action, r.sender_id) for r in _audit(app.config["TEST_ENGINE"], "export_conversations")}
    actions |= {(r.action, r.sender_id) for r in _audit(app.config["TEST_ENGINE"], "export_transcript")}
    assert actions == {("export_conversations", None), ("export_transcript", "conv-child")}


def test_audit_log_page_shows_views(admin):
    admin.get("/conversations/view?id=conv-child")
    html = admin.get("/admin/audit?action=view_transcript").get_data(as_text=True)
    assert "conv-child" in html and "Så samtale" in html and "ada" in html


def test_admin_manages_users(admin, app):
    t = token(admin, "/admin/users")
    admin.post("/admin/users/create", data={"username": "nina", "password": "kort", "role": "reviewer", "csrf_token": t})
    assert "nina" not in admin.get("/admin/users").get_data(as_text=True).split("Ny bruker")[0]
    admin.post("/admin/users/create", data={"username": "nina", "password": "langt-nok-passord", "role": "reviewer", "csrf_token": t})
    html = admin.get("/admin/users").get_data(as_text=True)
    assert "nina" in html
    with app.config["TEST_ENGINE"].connect() as connection:
        me = connection.execute(sa.select(db.users.c.id).where(db.users.c.username == "ada")).scalar()
    response = admin.post("/admin/users/update", data={"user_id": me, "role": "reviewer", "active": "1", "csrf_token": t})
    assert "egen administratorrolle" in admin.get(response.headers["Location"]).get_data(as_text=True)
