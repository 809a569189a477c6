"""Staff scoped to municipalities (issue #13), on SQLite and PostgreSQL (`database_url`).

A reviewer of kommune-a must not reach kommune-b's conversations through any route: its pages
and actions answer 404 exactly as for a conversation that does not exist, and lists, searches,
filter options, counts, statistics and exports leave it out. SCOPE_CHECKS names a check for
every method of every route in `app.url_map`, so a route added without one fails
`test_every_route_has_a_scope_check`.
"""
from __future__ import annotations

import json
import re
from types import SimpleNamespace
from typing import Callable, Dict, List, Tuple

import pytest
import sqlalchemy as sa
import yaml

from evaluation import synthetic_conversations as synthetic
from review import create_app, db, summary, users
from review.events import summarise
from tests.review.conftest import NOW, PASSWORD, login, token, user_event
from tests.review.test_owasp import snapshot as owasp_snapshot

PUBLIC_ENDPOINTS = {"static", "auth.login", "auth.logout"}
B_TEXTS = ("hemmelighet fra kommune b", "enda en samtale fra b")
C_TEXT = "melding fra kommune c"
A_EXAMPLE = "kan jeg få refusjon for bussbillett"  # conv-child, kommune-a (no slot: the default)
A_MARKED = "jeg vil ikke leve lenger"  # conv-crisis
MISSING = "conv-finnes-ikke"
# What must never be on a kommune-a reviewer's page: B's texts, ids, staff notes and tags, name
B_INTENT = "intent_only_b"  # not in the domain: the list's intent filter knows it from B only
B_SIGNS = B_TEXTS + ("conv-b", "b-notat", "b-stikkord", "Kommune B", B_INTENT)
STATE_TABLES = ("review_user_municipalities",)


@pytest.fixture(autouse=True)
def no_refresh_throttle(monkeypatch):
    monkeypatch.setattr(summary, "MIN_REFRESH_INTERVAL_SECONDS", 0)


def municipality_slot(sender_id: str, ts: float, value) -> dict:
    """A `municipality` slot row as Rasa's SQL tracker store writes it (the slot's name in action_name)."""
    data = {"event": "slot", "timestamp": ts, "name": "municipality", "value": value}
    return {"sender_id": sender_id, "type_name": "slot", "timestamp": ts, "intent_name": None,
            "action_name": "municipality", "data": json.dumps(data)}


def language_slot(sender_id: str, ts: float, value) -> dict:
    """A `language` slot row (issue #14) as Rasa's SQL tracker store writes it."""
    data = {"event": "slot", "timestamp": ts, "name": "language", "value": value}
    return {"sender_id": sender_id, "type_name": "slot", "timestamp": ts, "intent_name": None,
            "action_name": "language", "data": json.dumps(data)}


def conversation_in(municipalities: List, sender_id: str, start: float, turns: List[dict],
                    languages: List = ()) -> List[dict]:
    """A synthetic conversation whose municipality slot (then language slot) is set (in this
    order) at session start."""
    rows = synthetic.conversation(sender_id, start, turns)
    return (rows[:2] + [municipality_slot(sender_id, start, m) for m in municipalities]
            + [language_slot(sender_id, start, v) for v in languages] + rows[2:])


def _seed_municipalities(engine) -> None:
    rows = []
    rows += conversation_in(["kommune-b"], "conv-b", NOW - 1800, [
        {"text": B_TEXTS[0], "intent": "ask_coordinator", "confidence": 0.4,
         "verdict": synthetic.verdict("unsure", 0.4)}], languages=["en"])  # B's training example is English
    # the first municipality is the conversation's, whatever a later slot event says
    rows += conversation_in(["kommune-b", "kommune-c"], "conv-b2", NOW - 2400, [
        {"text": B_TEXTS[1], "intent": B_INTENT, "confidence": 0.9}])
    rows += conversation_in(["kommune-c"], "conv-c", NOW - 3000, [
        {"text": C_TEXT, "intent": "greet", "confidence": 0.9}])
    rows += conversation_in([None, "kommune-a"], "conv-a2", NOW - 4000, [
        {"text": "eksplisitt kommune a", "intent": "greet", "confidence": 0.9}])
    synthetic.insert(engine, rows)
    from storage import conversations as storage

    storage.add_feedback(engine, "conv-b", "down", "Her er svaret.", None)


def row_id(engine, table: str, sender_id: str) -> int:
    with engine.connect() as connection:
        return connection.execute(sa.text(f"SELECT id FROM {table} WHERE sender_id = :s"), {"s": sender_id}).scalar()


def exported_at(engine, table: str, sender_id: str):
    with engine.connect() as connection:
        return connection.execute(sa.text(f"SELECT exported_at FROM {table} WHERE sender_id = :s"),
                                  {"s": sender_id}).scalar()


def snapshot(engine) -> dict:
    state = owasp_snapshot(engine)
    with engine.connect() as connection:
        for table in STATE_TABLES:
            state[table] = sorted(tuple(r) for r in connection.execute(sa.text(f"SELECT * FROM {table}")))
    return state


def client_of(app, username: str):
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


@pytest.fixture
def ctx(app):
    """kommune-a (the seeded conversations, conv-a2), kommune-b (conv-b, conv-b2), kommune-c
    (conv-c); rita reviews A, carl A and C, nils nothing; ada (admin) gave conv-b and conv-child
    a tag, a note, a review mark, a training example and a crisis mark."""
    engine = app.config["TEST_ENGINE"]
    _seed_municipalities(engine)
    with engine.begin() as connection:
        users.create_user(connection, "carl", PASSWORD, "reviewer", ["kommune-a", "kommune-c"])
        users.create_user(connection, "nils", PASSWORD, "reviewer")
    admin = client_of(app, "ada")
    admin.get("/")  # builds the summary
    csrf = token(admin)
    b_event = user_event(engine, "conv-b", B_TEXTS[0])
    a_example = user_event(engine, "conv-child", A_EXAMPLE)
    a_marked = user_event(engine, "conv-crisis", A_MARKED)
    for sender_id, event_id, label in (("conv-b", b_event, "false_alarm"), ("conv-crisis", a_marked, "false_alarm")):
        admin.post("/conversations/tags", data={"id": sender_id, "tag": f"{sender_id[5]}-stikkord", "csrf_token": csrf})
        admin.post("/conversations/notes", data={"id": sender_id, "body": f"{sender_id[5]}-notat", "csrf_token": csrf})
        admin.post("/conversations/reviewed", data={"id": sender_id, "reviewed": "1", "csrf_token": csrf})
        assert admin.post("/crisis/mark", data={"id": sender_id, "event_id": event_id, "label": label,
                                                "csrf_token": csrf}).status_code == 302
    for sender_id, event_id in (("conv-b", b_event), ("conv-child", a_example)):
        admin.post("/training/add", data={"id": sender_id, "event_id": event_id, "intent": "greet", "csrf_token": csrf})
    assert row_id(engine, "review_training_examples", "conv-b") and row_id(engine, "review_crisis_marks", "conv-b")
    return SimpleNamespace(
        app=app, engine=engine, admin=admin, rita=client_of(app, "rita"), carl=client_of(app, "carl"),
        nils=client_of(app, "nils"), b_event=b_event, a_example=a_example, a_marked=a_marked,
        b_example=row_id(engine, "review_training_examples", "conv-b"),
    )


def leaks(body: str) -> List[str]:
    return [sign for sign in B_SIGNS if sign in body]


def listed(client, query=None) -> List[str]:
    html = client.get("/", query_string=query or {}).get_data(as_text=True)
    return re.findall(r'/conversations/view\?id=([\w-]+)', html)


def send(client, method: str, path: str, fields: dict):
    if method == "GET":
        return client.get(path, query_string=fields)
    return client.post(path, data=dict(fields, csrf_token=token(client)))


# --- one check per route and method -------------------------------------------------------------

def refused_like_missing(c, method: str, path: str, fields: dict, status: int = 404,
                         own: str = "conv-child") -> List[str]:
    """B's conversation answers `status` exactly as a missing one does, shows nothing of B and
    changes nothing; A's own conversation (the positive control) is not refused."""
    failures = []
    before = snapshot(c.engine)
    for_b = send(c.rita, method, path, dict(fields, id="conv-b"))
    body_b = for_b.get_data(as_text=True)
    for_missing = send(c.rita, method, path, dict(fields, id=MISSING))
    if for_b.status_code != status:
        failures.append(f"{method} {path} for B: {for_b.status_code}, not {status}")
    if (for_b.status_code, body_b) != (for_missing.status_code, for_missing.get_data(as_text=True)):
        failures.append(f"{method} {path}: B's answer differs from a missing conversation's")
    failures += [f"{method} {path} shows {sign!r}" for sign in leaks(body_b)]
    if snapshot(c.engine) != before:
        failures.append(f"{method} {path} for B changed data")
    if status == 404:
        mine = send(c.rita, method, path, dict(fields, id=own))
        if mine.status_code in (403, 404):
            failures.append(f"{method} {path} refuses rita's own conversation: {mine.status_code}")
    return failures


def check_list(c) -> List[str]:
    failures = []
    queries = [{}, {"q": "hemmelighet"}, {"q": "fra"}, {"municipality": "kommune-b"}, {"tag": "b-stikkord"},
               {"intent": "ask_coordinator"}, {"unsure": "1"}, {"false_alarm": "1"}, {"negative": "1"},
               {"route": "none"}, {"after": "9e18~zzz"}, {"before": "0~"}]
    for query in queries:
        response = c.rita.get("/", query_string=query)
        failures += [f"/?{query} shows {sign!r}" for sign in leaks(response.get_data(as_text=True))]
    if "conv-b" not in listed(c.admin, {"q": "hemmelighet"}):
        failures.append("positive control: the admin's search does not find conv-b")
    if set(listed(c.rita)) != {"conv-crisis", "conv-child", "conv-adult", "conv-xss", "conv-a2"}:
        failures.append(f"rita lists {listed(c.rita)}")
    admins = c.admin.get("/").get_data(as_text=True)
    if "b-stikkord" not in admins or B_INTENT not in admins:
        failures.append("positive control: the admin's tag or intent filter lacks B's")
    return failures


def check_view(c):
    return refused_like_missing(c, "GET", "/conversations/view", {})


def check_reviewed(c):
    return refused_like_missing(c, "POST", "/conversations/reviewed", {"reviewed": "0"})


def check_add_tag(c):
    return refused_like_missing(c, "POST", "/conversations/tags", {"tag": "fra-rita"})


def check_remove_tag(c):
    return refused_like_missing(c, "POST", "/conversations/tags/remove", {"tag": "b-stikkord"})


def check_add_note(c):
    return refused_like_missing(c, "POST", "/conversations/notes", {"body": "rita var her"})


def check_delete_get(c):
    return refused_like_missing(c, "GET", "/conversations/delete", {}, status=403)


def check_delete_post(c):
    return refused_like_missing(c, "POST", "/conversations/delete", {}, status=403)


def check_export(c):
    failures = refused_like_missing(c, "GET", "/conversations/export.json", {}, status=403)
    for query in ({}, {"q": "hemmelighet"}, {"municipality": "kommune-b"}):
        if c.rita.get("/conversations/export.csv", query_string=query).status_code != 403:
            failures.append(f"export.csv?{query} is open to a reviewer")
    return failures


def check_training_add(c):
    return refused_like_missing(c, "POST", "/training/add", {"event_id": c.b_event, "intent": "greet"})


def check_training_index(c):
    body = c.rita.get("/training/").get_data(as_text=True)
    failures = [f"/training/ shows {sign!r}" for sign in leaks(body)]
    if A_EXAMPLE not in body:
        failures.append("positive control: rita's own example is not listed")
    return failures


def check_training_remove(c):
    """An example is addressed by its id: B's answers as a missing id does and stays."""
    before = snapshot(c.engine)
    for_b = send(c.rita, "POST", "/training/remove", {"example_id": c.b_example})
    for_missing = send(c.rita, "POST", "/training/remove", {"example_id": 999_999})
    failures = []
    if (for_b.status_code, for_b.headers.get("Location")) != (for_missing.status_code, for_missing.headers.get("Location")):
        failures.append("/training/remove: B's example answers unlike a missing one")
    if snapshot(c.engine) != before:
        failures.append("/training/remove removed B's example")
    mine = row_id(c.engine, "review_training_examples", "conv-child")
    send(c.rita, "POST", "/training/remove", {"example_id": mine})
    if row_id(c.engine, "review_training_examples", "conv-child") is not None:
        failures.append("positive control: rita cannot remove her own example")
    return failures


def check_training_export(c):
    failures = []
    for language in ("en", "nn", "nb"):  # B's example is English (conv-b's language slot)
        response = c.rita.post("/training/export", data={"only_new": "1", "language": language,
                                                         "csrf_token": token(c.rita)})
        body = response.get_data(as_text=True)
        failures += [f"training export ({language}) has {sign!r}" for sign in leaks(body)]
        examples = "".join(i["examples"] for i in yaml.safe_load(body)["nlu"])
        if (A_EXAMPLE in examples) != (language == "nb"):
            failures.append(f"positive control: rita's {language} export and her (bokmål) example")
    if exported_at(c.engine, "review_training_examples", "conv-b") is not None:
        failures.append("rita's export marked B's example exported")
    return failures


def check_crisis_index(c):
    body = c.rita.get("/crisis/").get_data(as_text=True)
    failures = [f"/crisis/ shows {sign!r}" for sign in leaks(body)]
    if A_MARKED not in body:
        failures.append("positive control: rita's own mark is not listed")
    return failures


def check_crisis_mark(c):
    return refused_like_missing(c, "POST", "/crisis/mark", {"event_id": c.b_event, "label": "missed"})


def check_crisis_unmark(c):
    failures = refused_like_missing(c, "POST", "/crisis/unmark", {"event_id": c.b_event})
    # from the marks page the form names no conversation: B's mark answers as a missing one
    before = snapshot(c.engine)
    for_b = send(c.rita, "POST", "/crisis/unmark", {"event_id": c.b_event})
    for_missing = send(c.rita, "POST", "/crisis/unmark", {"event_id": 999_999})
    if (for_b.status_code, for_b.headers.get("Location")) != (for_missing.status_code, for_missing.headers.get("Location")):
        failures.append("/crisis/unmark without id: B's mark answers unlike a missing one")
    if snapshot(c.engine) != before:
        failures.append("/crisis/unmark removed B's mark")
    body = c.rita.get("/crisis/").get_data(as_text=True)
    if "Fant ingen merking å fjerne." not in body:
        failures.append("/crisis/unmark of B's mark does not say 'nothing to undo'")
    return failures


def check_crisis_export(c):
    response = c.rita.post("/crisis/export", data={"csrf_token": token(c.rita)})
    document = yaml.safe_load(response.get_data(as_text=True))
    failures = [f"crisis export has {sign!r}" for sign in leaks(response.get_data(as_text=True))]
    if document != {"crisis": [], "not_crisis": [A_MARKED]}:
        failures.append(f"rita's crisis export is {document}")
    if exported_at(c.engine, "review_crisis_marks", "conv-b") is not None:
        failures.append("rita's export marked B's mark exported")
    return failures


def key_figure(html: str, label: str) -> int:
    match = re.search(rf"<dt>{label}</dt><dd>(\d+)", html)
    assert match, label
    return int(match.group(1))


def check_stats(c):
    failures = []
    for query in ({}, {"municipality": "kommune-b"}):
        html = c.rita.get("/stats/", query_string=query).get_data(as_text=True)
        failures += [f"/stats/?{query} shows {sign!r}" for sign in leaks(html)]
        if key_figure(html, "Samtaler") != 5:
            failures.append(f"/stats/?{query}: rita counts {key_figure(html, 'Samtaler')} conversations, not 5")
        # conv-child's thumbs up and conv-adult's thumbs down; conv-b's thumbs down is B's
        if "<dt>Tilbakemeldinger</dt><dd>1 opp, 1 ned</dd>" not in html:
            failures.append(f"/stats/?{query}: rita's feedback counts B's")
        if "ask_coordinator" in html:  # the intent only B's residents used
            failures.append(f"/stats/?{query}: B's intent is among rita's")
    if key_figure(c.admin.get("/stats/").get_data(as_text=True), "Samtaler") != 8:
        failures.append("positive control: the admin does not count all 8 conversations")
    return failures


def check_chart(c):
    failures = []
    for name in ("intents", "per_day", "feedback"):
        mine = c.rita.get(f"/stats/chart/{name}.svg").get_data()
        only_a = c.admin.get(f"/stats/chart/{name}.svg", query_string={"municipality": "kommune-a"}).get_data()
        everything = c.admin.get(f"/stats/chart/{name}.svg").get_data()
        if mine != only_a:
            failures.append(f"{name} chart: rita's is not kommune-a's")
        if mine == everything:
            failures.append(f"{name} chart: rita's equals the admin's over every municipality")
        if c.rita.get(f"/stats/chart/{name}.svg", query_string={"municipality": "kommune-b"}).get_data() != only_a:
            failures.append(f"{name} chart: ?municipality=kommune-b draws B for rita")
    return failures


def admin_only(method: str, path: str, fields: Callable[[SimpleNamespace], dict] = lambda c: {}):
    def check(c):
        before = snapshot(c.engine)
        response = send(c.rita, method, path, fields(c))
        failures = [] if response.status_code == 403 else [f"{method} {path}: {response.status_code}, not 403"]
        failures += [f"{method} {path} shows {sign!r}" for sign in leaks(response.get_data(as_text=True))]
        if snapshot(c.engine) != before:
            failures.append(f"{method} {path} by a reviewer changed data")
        return failures
    return check


def _rita_id(c) -> int:
    with c.engine.connect() as connection:
        return connection.execute(sa.select(db.users.c.id).where(db.users.c.username == "rita")).scalar()


SCOPE_CHECKS: Dict[Tuple[str, str], Callable] = {
    ("conversations.index", "GET"): check_list,
    ("conversations.view", "GET"): check_view,
    ("conversations.mark_reviewed", "POST"): check_reviewed,
    ("conversations.add_tag", "POST"): check_add_tag,
    ("conversations.remove_tag", "POST"): check_remove_tag,
    ("conversations.add_note", "POST"): check_add_note,
    ("conversations.delete", "GET"): check_delete_get,
    ("conversations.delete", "POST"): check_delete_post,
    ("conversations.export", "GET"): check_export,
    ("training.add", "POST"): check_training_add,
    ("training.index", "GET"): check_training_index,
    ("training.remove", "POST"): check_training_remove,
    ("training.export", "POST"): check_training_export,
    ("crisis_marks.index", "GET"): check_crisis_index,
    ("crisis_marks.mark", "POST"): check_crisis_mark,
    ("crisis_marks.unmark", "POST"): check_crisis_unmark,
    ("crisis_marks.export", "POST"): check_crisis_export,
    ("stats.index", "GET"): check_stats,
    ("stats.chart", "GET"): check_chart,
    ("admin.user_list", "GET"): admin_only("GET", "/admin/users"),
    ("admin.audit_log", "GET"): admin_only("GET", "/admin/audit"),
    ("admin.create_user", "POST"): admin_only("POST", "/admin/users/create", lambda c: {
        "username": "ny-b", "password": PASSWORD, "role": "reviewer", "municipality": "kommune-b"}),
    # a reviewer cannot widen her own scope
    ("admin.update_user", "POST"): admin_only("POST", "/admin/users/update", lambda c: {
        "user_id": _rita_id(c), "role": "reviewer", "active": "1", "set_municipalities": "1",
        "municipality": ["kommune-a", "kommune-b"]}),
}


def test_every_route_has_a_scope_check():
    app = create_app({"DATABASE_URL": "sqlite://", "SECRET_KEY": "x"})
    routes = {(rule.endpoint, method) for rule in app.url_map.iter_rules()
              for method in rule.methods - {"HEAD", "OPTIONS"} if rule.endpoint not in PUBLIC_ENDPOINTS}
    assert routes - set(SCOPE_CHECKS) == set(), "a route without a municipality scope check"
    assert set(SCOPE_CHECKS) - routes == set(), "a scope check of a route that is gone"


@pytest.mark.parametrize("route", list(SCOPE_CHECKS), ids=lambda r: f"{r[1]} {r[0]}")
def test_a_reviewer_reaches_only_her_municipality(ctx, route):
    failures = SCOPE_CHECKS[route](ctx)
    assert not failures, "\n".join(failures)


# --- the summary's municipality -----------------------------------------------------------------

def _summary_municipalities(engine) -> Dict[str, str]:
    with engine.connect() as connection:
        return dict(connection.execute(sa.select(db.conversations.c.sender_id, db.conversations.c.municipality)).all())


def test_the_first_municipality_slot_is_the_conversations_and_none_is_the_default(ctx):
    assert _summary_municipalities(ctx.engine) == {
        "conv-crisis": "kommune-a", "conv-child": "kommune-a", "conv-adult": "kommune-a", "conv-xss": "kommune-a",
        "conv-a2": "kommune-a",  # a None value first, then kommune-a
        "conv-b": "kommune-b", "conv-b2": "kommune-b", "conv-c": "kommune-c",
    }


def test_summarise_reads_the_slot_as_rasa_stores_it():
    rows = [SimpleNamespace(id=n + 1, **row) for n, row in enumerate(
        conversation_in(["kommune-b"], "s", NOW, [{"text": "hei", "intent": "greet", "confidence": 0.9}]))]
    assert summarise("s", rows, "Europe/Oslo", "kommune-a").municipality == "kommune-b"
    without = [r for r in rows if r.action_name != "municipality"]
    assert summarise("s", without, "Europe/Oslo", "kommune-a").municipality == "kommune-a"
    # the slot's name only in data, not in action_name (not how Rasa writes it): not read, as
    # privacy.retention does not read it either (storage.conversations)
    unnamed = [SimpleNamespace(**dict(vars(r), action_name=None)) if r.type_name == "slot" else r for r in rows]
    assert summarise("s", unnamed, "Europe/Oslo", "kommune-a").municipality == "kommune-a"


def test_an_older_summary_table_gets_the_municipality_column_index_and_values(database_url):
    engine = db.make_engine(database_url)
    try:
        synthetic.create_events_table(engine)
        synthetic.insert(engine, conversation_in(["kommune-b"], "conv-old-b", NOW - 60, [
            {"text": "hei", "intent": "greet", "confidence": 0.9}]))
        synthetic.insert(engine, synthetic.conversation("conv-old-a", NOW - 120, [
            {"text": "hallo", "intent": "greet", "confidence": 0.9}]))
        old = sa.MetaData()  # review_conversations as it was before the municipality column
        sa.Table(db.conversations.name, old, *[
            sa.Column(c.name, c.type, primary_key=c.primary_key, nullable=c.nullable)
            for c in db.conversations.columns if c.name != "municipality"])
        db.meta.to_metadata(old)
        old.create_all(engine)
        with engine.begin() as connection:
            newest = connection.execute(sa.text("SELECT MAX(id) FROM events")).scalar()
            for sender_id in ("conv-old-a", "conv-old-b"):
                connection.execute(sa.text(
                    f"INSERT INTO {db.conversations.name} (sender_id, started_at, last_at, started_day, turns, "
                    "route, crisis, crisis_level, fallbacks, feedback_up, feedback_down) "
                    f"VALUES ('{sender_id}', 1, 1, '2026-01-01', 1, 'none', false, 'none', 0, 0, 0)"))
            connection.execute(db.meta.insert().values(key="events_id", value=newest))

        db.init_db(engine)
        db.init_db(engine)  # a second start finds nothing to add
        inspector = sa.inspect(engine)
        assert "municipality" in {c["name"] for c in inspector.get_columns(db.conversations.name)}
        assert "ix_review_conversations_municipality" in {i["name"] for i in inspector.get_indexes(db.conversations.name)}
        assert set(_summary_municipalities(engine).values()) == {""}  # until the refresh: nobody's
        summary.refresh(engine, "Europe/Oslo", force=True)
        assert _summary_municipalities(engine) == {"conv-old-a": "kommune-a", "conv-old-b": "kommune-b"}
    finally:
        engine.dispose()


# --- what each user sees -----------------------------------------------------------------------

def test_a_reviewer_of_two_municipalities_sees_both_and_can_filter(ctx):
    assert set(listed(ctx.carl)) == {"conv-crisis", "conv-child", "conv-adult", "conv-xss", "conv-a2", "conv-c"}
    html = ctx.carl.get("/").get_data(as_text=True)
    options = re.findall(r'<option value="(kommune-[a-z])"', html)
    assert options == ["kommune-a", "kommune-c"] and '<label for="municipality">Kommune</label>' in html
    assert listed(ctx.carl, {"municipality": "kommune-c"}) == ["conv-c"]
    assert "Velg en kommune fra listen." in ctx.carl.get("/?municipality=kommune-b").get_data(as_text=True)
    assert "conv-b" not in listed(ctx.carl, {"municipality": "kommune-b"})
    # each row names its municipality
    assert re.search(r"<td>Kommune C</td>\s*<td>–</td>\s*<td class=\"first-message\">melding fra kommune c", html)
    stats = ctx.carl.get("/stats/").get_data(as_text=True)
    assert "Per kommune" in stats and "Kommune C" in stats and not leaks(stats)
    assert key_figure(ctx.carl.get("/stats/?municipality=kommune-c").get_data(as_text=True), "Samtaler") == 1


def test_a_reviewer_of_one_municipality_gets_no_municipality_filter(ctx):
    html = ctx.rita.get("/").get_data(as_text=True)
    assert 'name="municipality"' not in html and "<td>Kommune A</td>" in html
    assert "Per kommune" not in ctx.rita.get("/stats/").get_data(as_text=True)


def test_the_admin_sees_every_municipality_with_a_filter_and_a_table(ctx):
    html = ctx.admin.get("/").get_data(as_text=True)
    assert re.findall(r'<option value="(kommune-[a-z])"', html) == ["kommune-a", "kommune-b", "kommune-c"]
    assert set(listed(ctx.admin, {"municipality": "kommune-b"})) == {"conv-b", "conv-b2"}
    stats = ctx.admin.get("/stats/").get_data(as_text=True)
    rows = re.findall(r'<tr><th scope="row">(Kommune [ABC])</th><td class="num">(\d+)</td>', stats)
    assert rows == [("Kommune A", "5"), ("Kommune B", "2"), ("Kommune C", "1")]


def test_a_reviewer_without_municipality_sees_nothing_and_is_told_why(ctx):
    for path in ("/", "/training/", "/crisis/", "/stats/"):
        html = ctx.nils.get(path).get_data(as_text=True)
        assert "Du har ikke tilgang til noen kommune ennå" in html, path
        assert not re.findall(r'/conversations/view\?id=', html), path
        assert A_EXAMPLE not in html and A_MARKED not in html and not leaks(html), path
    assert key_figure(ctx.nils.get("/stats/").get_data(as_text=True), "Samtaler") == 0
    assert ctx.nils.get("/conversations/view?id=conv-child").status_code == 404


def test_a_new_conversation_is_scoped_before_the_summary_has_it(ctx, monkeypatch):
    """The transcript checks the events themselves, so a lagging summary opens nothing."""
    monkeypatch.setattr(summary, "MIN_REFRESH_INTERVAL_SECONDS", 3600)
    synthetic.insert(ctx.engine, conversation_in(["kommune-b"], "conv-b-new", NOW, [
        {"text": "helt ny", "intent": "greet", "confidence": 0.9}]))
    assert ctx.rita.get("/conversations/view?id=conv-b-new").status_code == 404
    assert ctx.admin.get("/conversations/view?id=conv-b-new").status_code == 200


def test_the_audit_log_names_the_municipality(ctx):
    ctx.carl.get("/conversations/view?id=conv-c")
    ctx.rita.post("/training/export", data={"language": "nb", "csrf_token": token(ctx.rita)})
    with ctx.engine.connect() as connection:
        rows = connection.execute(sa.select(db.audit_log).order_by(db.audit_log.c.id)).all()
    viewed = [(r.username, r.sender_id, json.loads(r.detail)) for r in rows if r.action == "view_transcript"]
    assert viewed == [("carl", "conv-c", {"municipality": "kommune-c"})]
    exported = [json.loads(r.detail) for r in rows if r.action == "export_training"]
    assert exported[-1]["municipalities"] == ["kommune-a"]


# --- assigning municipalities --------------------------------------------------------------------

def _assigned(engine, username: str) -> List[str]:
    with engine.connect() as connection:
        return sorted(r[0] for r in connection.execute(sa.text(
            "SELECT m.municipality FROM review_user_municipalities m JOIN review_users u ON u.id = m.user_id "
            "WHERE u.username = :u"), {"u": username}))


def test_the_admin_page_sets_a_users_municipalities(ctx):
    admin, engine = ctx.admin, ctx.engine
    page = admin.get("/admin/users").get_data(as_text=True)
    rita = _rita_id(ctx)
    assert f'id="municipality-{rita}-kommune-a" name="municipality" value="kommune-a" checked' in page
    assert f'<label for="municipality-{rita}-kommune-b">Kommune B</label>' in page
    form = {"user_id": rita, "role": "reviewer", "active": "1", "set_municipalities": "1",
            "municipality": ["kommune-b", "kommune-c"], "csrf_token": token(admin)}
    admin.post("/admin/users/update", data=form)
    assert _assigned(engine, "rita") == ["kommune-b", "kommune-c"]
    assert "conv-b" in listed(ctx.rita) and "conv-crisis" not in listed(ctx.rita)  # at once, same session
    # an unknown id is refused, naming the known ones, and nothing changes
    admin.post("/admin/users/update", data=dict(form, municipality=["kommune-x"]))
    assert _assigned(engine, "rita") == ["kommune-b", "kommune-c"]
    assert "Ukjent kommune: kommune-x. Kjente kommuner: kommune-a, kommune-b, kommune-c." in \
        admin.get("/admin/users").get_data(as_text=True)
    # a form without the boxes (an older page, a script) leaves them alone; no box ticked clears them
    admin.post("/admin/users/update", data={"user_id": rita, "role": "reviewer", "active": "1", "csrf_token": token(admin)})
    assert _assigned(engine, "rita") == ["kommune-b", "kommune-c"]
    admin.post("/admin/users/update", data={"user_id": rita, "role": "reviewer", "active": "1",
                                            "set_municipalities": "1", "csrf_token": token(admin)})
    assert _assigned(engine, "rita") == []
    admin.post("/admin/users/create", data={"username": "berit", "password": PASSWORD, "role": "reviewer",
                                            "municipality": "kommune-b", "csrf_token": token(admin)})
    assert _assigned(engine, "berit") == ["kommune-b"]
    with engine.connect() as connection:
        details = [json.loads(r[0]) for r in connection.execute(sa.text(
            "SELECT detail FROM review_audit_log WHERE action IN ('update_user', 'create_user') ORDER BY id"))]
    assert details[0]["municipalities"] == ["kommune-b", "kommune-c"]
    assert "municipalities" not in details[1]  # the form without boxes (the refused one is not logged)
    assert details[-1]["municipalities"] == ["kommune-b"]
