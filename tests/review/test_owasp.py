"""The review console against the OWASP basics, on SQLite and PostgreSQL (`database_url`).

Authentication on every route, CSRF on every state-changing route, stored XSS on every page
that shows resident text, SQL injection in every filter and search parameter, security headers
on every response, session fixation and logout. Routes are read from `app.url_map`, so a route
added later is checked without editing this file; a route with a new URL argument fails
loudly until SAMPLE_ARGS names a value for it.
"""
from __future__ import annotations

import csv
import io
import json
import re
import time
from html.parser import HTMLParser
from typing import Dict, Iterator, List, Tuple

import pytest
import sqlalchemy as sa
import yaml

from evaluation import synthetic_conversations as synthetic
from review import create_app, db, summary
from storage import conversations as storage
from tests.review.conftest import NOW, PASSWORD, csrf_from, login, token

PUBLIC_ENDPOINTS = {"static", "auth.login", "auth.logout"}
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
SAMPLE_ARGS = {"fmt": "json", "name": "per_day", "filename": "review.css"}
# Plausible form fields for every POST route, so that only the missing login or CSRF token can
# be the reason for a refusal (the positive control in the CSRF test proves it)
FORM = {
    "id": "conv-crisis", "tag": "owasp", "body": "et notat", "reviewed": "1",
    "intent": "greet", "event_id": "1", "example_id": "1", "only_new": "1",
    "username": "ny-bruker", "password": "et-langt-passord-123", "role": "reviewer",
    "user_id": "999", "active": "1",  # no such user: the control must not log anyone out
    "label": "missed", "language": "nb",
}
# Resident text that no response to an anonymous or refused request may contain
SEEDED_TEXTS = ("jeg vil ikke leve lenger", "gjelder dette barn under 18", "sliter med rus")
# Tables whose rows are what staff and residents see as "the data"; audit log, sessions,
# login attempts and the derived summary change on reads by design and are left out
STATE_TABLES = ("events", "conversation_feedback", "review_users", "review_state", "review_tags",
                "review_notes", "review_training_examples", "review_crisis_marks")


@pytest.fixture(autouse=True)
def no_refresh_throttle(monkeypatch):
    monkeypatch.setattr(summary, "MIN_REFRESH_INTERVAL_SECONDS", 0)


def _path(rule) -> str:
    path = rule.rule
    for arg in rule.arguments:
        path = path.replace(f"<{arg}>", SAMPLE_ARGS[arg])
    return path


def routes(app) -> Iterator[Tuple[str, str, str]]:
    """(endpoint, method, path) for every method of every rule except HEAD and OPTIONS."""
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, _path(rule)


def snapshot(engine) -> Dict[str, List[tuple]]:
    state = {}
    with engine.connect() as connection:
        inspector = sa.inspect(connection)
        for table in STATE_TABLES:
            if inspector.has_table(table):
                rows = connection.execute(sa.text(f"SELECT * FROM {table}")).all()
                state[table] = sorted((tuple(r) for r in rows), key=repr)
    return state


def session_csrf(client) -> str:
    """The CSRF token the client's session holds (read from the cookie, not from a page)."""
    with client.session_transaction() as session:
        return session.get("_csrf", "")


def fresh_client(app):
    """A client that holds an anonymous session with a CSRF token (from the login page)."""
    client = app.test_client()
    return client, token(client, "/login")


# --- authentication on every route -----------------------------------------------------------

def test_every_route_refuses_an_anonymous_visitor(app):
    engine = app.config["TEST_ENGINE"]
    before = snapshot(engine)
    failures = []
    checked = 0
    for endpoint, method, path in routes(app):
        if endpoint in PUBLIC_ENDPOINTS:
            continue
        client, csrf = fresh_client(app)
        data = dict(FORM, csrf_token=csrf) if method in UNSAFE_METHODS else None
        response = client.open(path, method=method, data=data, query_string={"id": "conv-crisis"})
        body = response.get_data(as_text=True)
        checked += 1
        refused = (response.status_code == 302 and response.headers["Location"].startswith("/login")) \
            or response.status_code in (401, 403)
        if not refused:
            failures.append(f"{method} {path}: {response.status_code}")
        leaked = [t for t in SEEDED_TEXTS if t in body]
        if leaked:
            failures.append(f"{method} {path} shows resident text {leaked}")
    assert checked >= 15, "the route enumeration found too few routes"
    assert not failures, "\n".join(failures)
    assert snapshot(engine) == before


def test_a_forged_or_garbled_session_cookie_is_anonymous(app):
    for value in ("", "x", "eyJzaWQiOiJhYmMifQ.forged.signature", "a" * 4000, "'; DROP TABLE review_users; --"):
        client = app.test_client()
        client.set_cookie("review_session", value)
        response = client.get("/")
        assert response.status_code == 302 and response.headers["Location"].startswith("/login"), value


def test_a_cookie_signed_with_another_key_is_anonymous(app):
    other = create_app({"DATABASE_URL": app.config["DATABASE_URL"], "SECRET_KEY": "another-secret",
                        "SESSION_COOKIE_SECURE": False, "TESTING": True})
    foreign = other.test_client()
    login(foreign, "rita")
    assert foreign.get("/").status_code == 200  # same database: a real session over there
    stolen = foreign.get_cookie("review_session").value
    client = app.test_client()
    client.set_cookie("review_session", stolen)
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    other.extensions["review_engine"].dispose()


# --- CSRF on every state-changing route ------------------------------------------------------

def _unsafe_routes(app) -> List[Tuple[str, str, str]]:
    # logout last: its positive control ends the session the others need
    found = [r for r in routes(app) if r[1] in UNSAFE_METHODS]
    return sorted(found, key=lambda r: r[0] == "auth.logout")


def test_every_state_changing_route_needs_the_sessions_csrf_token(app):
    engine = app.config["TEST_ENGINE"]
    admin = app.test_client()
    assert login(admin, "ada").status_code == 302
    other = app.test_client()
    assert login(other, "rita").status_code == 302
    someone_elses_token = token(other, "/")
    token(admin, "/")  # the admin's session gets its own token
    unsafe = _unsafe_routes(app)
    assert {"auth.login", "auth.logout", "conversations.add_tag", "admin.create_user"} <= {r[0] for r in unsafe}
    failures = []
    for endpoint, method, path in unsafe:
        for label, extra in (("no token", {}), ("wrong token", {"csrf_token": "forfalsket"}),
                             ("another session's token", {"csrf_token": someone_elses_token}),
                             ("token in the query string", {})):
            before = snapshot(engine)
            query = {"csrf_token": session_csrf(admin)} if label == "token in the query string" else None
            form = dict(FORM, **extra)
            if endpoint == "auth.login":
                form.update(username="ada", password=PASSWORD)
            response = admin.open(path, method=method, data=form, query_string=query)
            if response.status_code != 400:
                failures.append(f"{method} {path} with {label}: {response.status_code}")
            if snapshot(engine) != before:
                failures.append(f"{method} {path} with {label} changed data")
        # positive control: the same request with the right token is not refused for CSRF
        form = dict(FORM, csrf_token=session_csrf(admin))
        if endpoint == "auth.login":
            form.update(username="ada", password=PASSWORD)
        response = admin.open(path, method=method, data=form)
        if response.status_code == 400:
            failures.append(f"{method} {path} refused even with the right token")
    assert not failures, "\n".join(failures)


def test_reading_pages_changes_no_data(app):
    """GET is safe, so SameSite=Lax and the CSRF token are enough: a link cannot change anything."""
    engine = app.config["TEST_ENGINE"]
    admin = app.test_client()
    login(admin, "ada")
    before = snapshot(engine)
    for endpoint, method, path in routes(app):
        if method == "GET":
            admin.get(path, query_string=dict(FORM))
    assert snapshot(engine) == before


# --- stored XSS -------------------------------------------------------------------------------

XSS_PAYLOADS = [
    "<script>alert('xss-script')</script>",
    '"><img src=x onerror=alert("xss-img")>',
    "' autofocus onfocus='alert(1)' x='",
    "</textarea></code></p><svg/onload=alert('xss-svg')>",
    "javascript:alert('xss-href')",
    "<a href=\"javascript:alert('xss-a')\">klikk</a>",
    "{{ 1234*5678 }} {% print 'jinja' %}",  # a template engine must never evaluate stored text
]
JINJA_RESULT = str(1234 * 5678)
XSS_SENDER = '"><script>alert("sender")</script>'
XSS_INTENT = "<b onmouseover=alert(1)>intent</b>"
XSS_USERNAME = "<script>alert('u')</script>"  # typed into the login form by an attacker
XSS_VERDICT = "<img src=x onerror=alert('verdict')>"  # a crisis verdict's pattern and softener


class PageScan(HTMLParser):
    """Every element, attribute and text node of a page, as a browser would parse them."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: List[str] = []
        self.attributes: List[Tuple[str, str, str]] = []
        self.text: List[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes += [(tag, name, value or "") for name, value in attrs]

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        self.text.append(data)

    def problems(self) -> List[str]:
        found = [f"<{t}>" for t in self.tags if t in ("script", "svg", "iframe", "object", "embed")]
        for tag, name, value in self.attributes:
            if name.startswith("on") or name in ("autofocus", "srcdoc", "formaction"):
                found.append(f"<{tag} {name}=...>")
            if name in ("href", "src", "action") and not (value.startswith("/") or value.startswith("#")
                                                         or value == ""):
                found.append(f"<{tag} {name}={value!r}>")
            if tag == "img" and not value.startswith("/stats/chart/") and name == "src":
                found.append(f"<img src={value!r}>")
        return found

    def shows(self, text: str) -> bool:
        """The text is visible on the page, or is the value of a form field."""
        visible = "".join(self.text)
        return text in visible or any(value == text for _, _, value in self.attributes)


def _user_row(sender_id: str, ts: float, text: str, intent: str, entities=None, verdict=None) -> dict:
    data = {
        "event": "user", "timestamp": ts, "text": text, "input_channel": "rest",
        "parse_data": {"text": text, "intent": {"name": intent, "confidence": 0.4},
                       "entities": entities or [],
                       "intent_ranking": [{"name": intent, "confidence": 0.4},
                                          {"name": XSS_INTENT, "confidence": 0.3}]},
        "metadata": {},
    }
    if verdict:
        data["parse_data"]["crisis_verdict"] = verdict
    return {"sender_id": sender_id, "type_name": "user", "timestamp": ts, "intent_name": intent,
            "action_name": None, "data": json.dumps(data, ensure_ascii=False)}


def _xss_rows() -> List[dict]:
    ts = NOW - 60
    rows = [_user_row(XSS_SENDER, ts + n, payload, "greet" if n else XSS_INTENT,
                      entities=[{"entity": payload, "value": payload, "start": 0, "end": 1}],
                      verdict=None if n else synthetic.verdict(
                          "unsure", 0.5, pattern=XSS_VERDICT, softener=XSS_VERDICT, question=XSS_VERDICT))
            for n, payload in enumerate(XSS_PAYLOADS)]
    bot = {"event": "bot", "timestamp": ts + 50, "text": XSS_PAYLOADS[0],
           "data": {"buttons": [{"title": XSS_PAYLOADS[1], "payload": "/greet"}]},
           "metadata": {"utter_action": XSS_PAYLOADS[3]}}
    slot = {"event": "slot", "timestamp": ts + 51, "name": XSS_PAYLOADS[2], "value": XSS_PAYLOADS[0]}
    rows.append({"sender_id": XSS_SENDER, "type_name": "bot", "timestamp": ts + 50, "intent_name": None,
                 "action_name": None, "data": json.dumps(bot, ensure_ascii=False)})
    rows.append({"sender_id": XSS_SENDER, "type_name": "slot", "timestamp": ts + 51, "intent_name": None,
                 "action_name": None, "data": json.dumps(slot, ensure_ascii=False)})
    # a municipality slot no municipality folder has: shown as its id, as text
    municipality = {"event": "slot", "timestamp": ts + 51, "name": "municipality", "value": XSS_PAYLOADS[1]}
    rows.append({"sender_id": XSS_SENDER, "type_name": "slot", "timestamp": ts + 51, "intent_name": None,
                 "action_name": "municipality", "data": json.dumps(municipality, ensure_ascii=False)})
    rows.append({"sender_id": XSS_SENDER, "type_name": "action", "timestamp": ts + 52, "intent_name": None,
                 "action_name": XSS_PAYLOADS[1], "data": json.dumps({"event": "action", "name": XSS_PAYLOADS[1]})})
    rows.append({"sender_id": XSS_SENDER, "type_name": XSS_PAYLOADS[4], "timestamp": ts + 53,
                 "intent_name": None, "action_name": None, "data": "{}"})
    return rows


@pytest.fixture
def stored_payloads(app):
    """A conversation, feedback, note, training example, crisis mark and audit row full of payloads."""
    engine = app.config["TEST_ENGINE"]
    synthetic.insert(engine, _xss_rows())
    storage.add_feedback(engine, XSS_SENDER, "down", XSS_PAYLOADS[5], None)
    attacker = app.test_client()
    login(attacker, XSS_USERNAME, "feil-passord-123")  # lands in the audit log
    admin = app.test_client()
    assert login(admin, "ada").status_code == 302
    admin.get("/")  # builds the summary
    for payload in XSS_PAYLOADS:
        admin.post("/conversations/notes", data={"id": XSS_SENDER, "body": payload,
                                                 "csrf_token": token(admin, "/")})
    with engine.connect() as connection:
        first = connection.execute(sa.text("SELECT MIN(id) FROM events WHERE sender_id = :s AND type_name = 'user'"),
                                   {"s": XSS_SENDER}).scalar()
    admin.post("/training/add", data={"id": XSS_SENDER, "event_id": str(first + 1), "intent": "greet",
                                      "csrf_token": token(admin, "/")})
    admin.post("/crisis/mark", data={"id": XSS_SENDER, "event_id": str(first), "label": "false_alarm",
                                     "csrf_token": token(admin, "/")})
    return admin


def _pages_with_payloads() -> List[Tuple[str, dict, List[str]]]:
    """(path, query, texts the page must show) for every page that shows stored text."""
    return [
        ("/", {}, [XSS_PAYLOADS[0], XSS_PAYLOADS[1]]),  # the newest's first message and municipality
        ("/", {"q": "script"}, ["script"]),
        ("/", {"q": XSS_PAYLOADS[1][:40]}, [XSS_PAYLOADS[1][:40]]),
        ("/", {"intent": XSS_INTENT}, [XSS_INTENT]),
        ("/conversations/view", {"id": XSS_SENDER}, XSS_PAYLOADS + [XSS_SENDER, XSS_INTENT, XSS_VERDICT]),
        ("/conversations/delete", {"id": XSS_SENDER}, [XSS_SENDER]),
        ("/training/", {}, [XSS_PAYLOADS[1]]),
        ("/crisis/", {}, [XSS_PAYLOADS[0]]),
        ("/stats/", {}, [XSS_INTENT, XSS_PAYLOADS[1]]),  # an intent; a municipality in the table
        ("/admin/audit", {}, [XSS_USERNAME, XSS_SENDER]),
        ("/admin/audit", {"user": XSS_USERNAME, "id": XSS_SENDER}, [XSS_USERNAME, XSS_SENDER]),
    ]


def test_stored_payloads_are_shown_as_text_on_every_page(stored_payloads):
    admin = stored_payloads
    failures = []
    for path, query, expected in _pages_with_payloads():
        response = admin.get(path, query_string=query)
        html = response.get_data(as_text=True)
        where = f"{path}?{query}"
        if response.status_code != 200:
            failures.append(f"{where}: {response.status_code}")
            continue
        page = PageScan(html)
        failures += [f"{where}: {p}" for p in page.problems()]
        failures += [f"{where}: does not show {t!r}" for t in expected if not page.shows(t)]
        if JINJA_RESULT in html:
            failures.append(f"{where}: a template expression in stored text was evaluated")
        for raw in XSS_PAYLOADS + [XSS_SENDER, XSS_INTENT, XSS_USERNAME, XSS_VERDICT]:
            if re.search(r"[<>\"']", raw) and raw in html:
                failures.append(f"{where}: {raw!r} is in the HTML unescaped")
    assert not failures, "\n".join(failures)


def test_a_flash_message_echoing_form_input_is_escaped(stored_payloads):
    admin = stored_payloads
    admin.post("/conversations/tags/remove", data={"id": XSS_SENDER, "tag": XSS_PAYLOADS[0],
                                                   "csrf_token": token(admin, "/")})
    html = admin.get("/conversations/view", query_string={"id": XSS_SENDER}).get_data(as_text=True)
    page = PageScan(html)
    assert page.shows(f"Stikkordet «{XSS_PAYLOADS[0]}» er fjernet.")
    assert not page.problems()


def test_exports_are_downloads_with_the_payloads_as_data(stored_payloads):
    admin = stored_payloads
    for fmt, mimetype in (("json", "application/json"), ("csv", "text/csv")):
        response = admin.get(f"/conversations/export.{fmt}", query_string={"id": XSS_SENDER})
        assert response.status_code == 200
        assert response.mimetype == mimetype
        assert response.headers["Content-Disposition"].startswith("attachment;")
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        body = response.get_data(as_text=True)
        if fmt == "json":
            texts = [e.get("text") for c in json.loads(body) for e in c["events"]]
        else:
            texts = [row["text"] for row in csv.DictReader(io.StringIO(body))]
        for payload in XSS_PAYLOADS:
            assert payload in texts
    response = admin.post("/training/export", data={"language": "nb", "csrf_token": token(admin, "/training/")})
    assert response.headers["Content-Disposition"].startswith("attachment;")
    document = yaml.safe_load(response.get_data(as_text=True))
    assert XSS_PAYLOADS[1] in document["nlu"][0]["examples"]
    response = admin.post("/crisis/export", data={"csrf_token": token(admin, "/crisis/")})
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert yaml.safe_load(response.get_data(as_text=True)) == {"crisis": [], "not_crisis": [XSS_PAYLOADS[0]]}


# --- SQL injection ------------------------------------------------------------------------------

SQLI_PAYLOADS = [
    "' OR '1'='1",
    "' OR 1=1 --",
    "'; DROP TABLE events; --",
    "\" OR \"\"=\"",
    "') OR ('a'='a",
    "' UNION SELECT sender_id, data FROM events --",
    "%' OR 1=1 OR '%'='",
    "\\'; SELECT pg_sleep(5); --",
    "1 OR 1=1",
    "admin'--",
    "*/ OR /*",
    "1~' OR '1'='1",  # in a paging cursor, after the separator
]
HARMLESS = "zzz-ingen-treff"
CURSOR_PARAMETERS = ("after", "before")


def _harmless_twin(parameter: str, payload: str) -> str:
    """The harmless value the payload must behave like: a paging cursor keeps its shape."""
    if parameter in CURSOR_PARAMETERS and "~" in payload:
        return payload.split("~", 1)[0] + "~" + HARMLESS
    return HARMLESS


def _signature(response) -> tuple:
    """What a page returned: status, listed conversations and table rows (not the echoed input)."""
    html = response.get_data(as_text=True)
    listed = tuple(re.findall(r'<th scope="row"><a href="/conversations/view\?id=([^"]+)"', html))
    rows = html.count("<tr>")
    figures = tuple(re.findall(r'<td class="num">(\d+)</td>', html))
    return response.status_code, listed, rows, figures


# (path, parameter) for every filter and search parameter of every page; the audit log first,
# before the exports below add rows for the ids they were given
SQLI_TARGETS = [
    ("/admin/audit", "user"), ("/admin/audit", "action"), ("/admin/audit", "id"),
    ("/admin/audit", "before"),
    ("/", "q"), ("/", "intent"), ("/", "route"), ("/", "tag"), ("/", "from"), ("/", "to"),
    ("/", "after"), ("/", "before"), ("/", "fallback"), ("/", "unsure"), ("/", "false_alarm"),
    ("/", "municipality"), ("/", "language"),
    ("/conversations/view", "id"), ("/conversations/delete", "id"),
    ("/conversations/export.json", "q"), ("/conversations/export.json", "intent"),
    ("/conversations/export.json", "id"),
    ("/stats/", "from"), ("/stats/", "to"), ("/stats/", "municipality"), ("/stats/chart/per_day.svg", "from"),
    ("/stats/chart/per_day.svg", "municipality"), ("/conversations/export.json", "municipality"),
    ("/conversations/export.json", "language"),
]


def test_every_filter_treats_sql_as_text(app):
    engine = app.config["TEST_ENGINE"]
    admin = app.test_client()
    login(admin, "ada")
    admin.get("/conversations/view?id=conv-child")  # an audit row to find
    covered = {path.split("?")[0] for path, _ in SQLI_TARGETS}
    for endpoint, method, path in routes(app):
        if method == "GET" and endpoint not in PUBLIC_ENDPOINTS and endpoint not in (
                "training.index", "admin.user_list", "crisis_marks.index"):  # the three take no parameters
            assert path in covered, f"{path} has no SQL injection check"
    before = snapshot(engine)
    failures = []
    for path, parameter in SQLI_TARGETS:
        for payload in SQLI_PAYLOADS:
            expected = _signature(admin.get(path, query_string={parameter: _harmless_twin(parameter, payload)}))
            if expected[0] >= 500:
                failures.append(f"{path}?{parameter}=harmless: {expected[0]}")
            started = time.monotonic()
            got = _signature(admin.get(path, query_string={parameter: payload}))
            if got != expected:
                failures.append(f"{path}?{parameter}={payload!r}: {got} != {expected}")
            if time.monotonic() - started > 3:
                failures.append(f"{path}?{parameter}={payload!r} took {time.monotonic() - started:.1f} s")
    assert not failures, "\n".join(failures)
    assert snapshot(engine) == before


def test_search_for_sql_finds_nothing_but_the_text_itself(app):
    """No extra rows: a payload finds exactly the conversations that contain it as text."""
    engine = app.config["TEST_ENGINE"]
    synthetic.insert(engine, synthetic.conversation("conv-sql", NOW - 60, [
        {"text": "hva betyr ' OR '1'='1 i et skjema", "intent": "greet", "confidence": 0.9}]))
    admin = app.test_client()
    login(admin, "ada")
    html = admin.get("/", query_string={"q": "' OR '1'='1"}).get_data(as_text=True)
    assert re.findall(r'/conversations/view\?id=([\w-]+)', html) == ["conv-sql"]


def test_sql_in_the_login_form_does_not_log_in(app):
    for username, password in (("' OR '1'='1", "' OR '1'='1"), ("ada'--", "x"), ("ada", "' OR '1'='1")):
        client = app.test_client()
        assert login(client, username, password).status_code == 401
        assert client.get("/").status_code == 302


@pytest.mark.parametrize("query", [
    {"before": "²"},  # str.isdigit() is true for it, int() refuses it
    {"before": "9" * 30},  # larger than any database integer
    {"id": "conv\x00child"},  # PostgreSQL refuses NUL in text
    {"user": "a\x00"},
])
def test_audit_filters_survive_odd_numbers_and_bytes(app, query):
    admin = app.test_client()
    login(admin, "ada")
    assert admin.get("/admin/audit", query_string=query).status_code in (200, 400)


@pytest.mark.parametrize("path,query", [
    ("/", {"q": "a\x00b"}), ("/", {"intent": "\x00"}), ("/", {"tag": "\x00"}),
    ("/", {"after": "1~\x00"}), ("/", {"after": "nan~x"}), ("/", {"before": "inf~x"}),
    ("/", {"to": "9999-12-31"}), ("/", {"from": "0001-01-01"}),
    ("/stats/", {"to": "9999-12-31"}), ("/stats/", {"to": "0001-01-05"}),
    ("/stats/chart/per_day.svg", {"to": "0001-01-01"}),
    ("/conversations/view", {"id": "\x00"}), ("/conversations/export.csv", {"id": "\x00"}),
    ("/conversations/export.json", {"q": "\x00"}),
])
def test_filters_survive_extreme_values(app, path, query):
    admin = app.test_client()
    login(admin, "ada")
    assert admin.get(path, query_string=query).status_code in (200, 400, 404)


@pytest.mark.parametrize("path,form", [
    ("/admin/users/update", {"user_id": "9" * 30, "role": "reviewer", "active": "1"}),
    ("/admin/users/update", {"user_id": "²", "role": "reviewer", "active": "1"}),
    ("/training/remove", {"example_id": "9" * 30}),
    ("/training/add", {"id": "conv-child", "event_id": "9" * 30, "intent": "greet"}),
    ("/crisis/mark", {"id": "conv-child", "event_id": "9" * 30, "label": "missed"}),
    ("/crisis/mark", {"id": "c" * 300, "event_id": "1", "label": "missed"}),
    ("/crisis/unmark", {"event_id": "²"}),
    ("/conversations/notes", {"id": "conv-child", "body": "a\x00b"}),
    ("/conversations/tags", {"id": "conv\x00", "tag": "ok"}),
    ("/admin/users/create", {"username": "ny", "password": "a\x00" * 8, "role": "reviewer"}),
])
def test_forms_survive_extreme_values(app, path, form):
    admin = app.test_client()
    login(admin, "ada")
    response = admin.post(path, data=dict(form, csrf_token=token(admin, "/")))
    assert response.status_code in (302, 400, 404)


# --- security headers -------------------------------------------------------------------------

def _responses(app) -> Iterator[Tuple[str, object]]:
    """Every GET page as an admin, the public pages, the error pages and the static files."""
    anonymous = app.test_client()
    yield "login page", anonymous.get("/login")
    yield "failed login", anonymous.post("/login", data={"username": "x", "password": "y",
                                                         "csrf_token": token(anonymous, "/login")})
    yield "redirect to login", anonymous.get("/")
    admin = app.test_client()
    login(admin, "ada")
    for endpoint, method, path in routes(app):
        if method == "GET" and endpoint != "static":
            yield path, admin.get(path, query_string={"id": "conv-child"})
    yield "static file", admin.get("/static/review.css")
    yield "404", admin.get("/finnes-ikke")
    yield "405", admin.get("/logout")
    yield "400 (CSRF)", admin.post("/conversations/tags", data={"id": "conv-child", "tag": "x"})
    yield "403", _reviewer(app).get("/admin/users")
    yield "training export", admin.post("/training/export", data={"language": "nb", "csrf_token": token(admin, "/")})
    yield "crisis export", admin.post("/crisis/export", data={"csrf_token": token(admin, "/")})
    yield "logout", admin.post("/logout", data={"csrf_token": token(admin, "/")})


def _reviewer(app):
    client = app.test_client()
    login(client, "rita")
    return client


def test_every_response_has_the_security_headers(app):
    failures = []
    seen = 0
    for label, response in _responses(app):
        seen += 1
        headers = response.headers
        csp = headers.get("Content-Security-Policy", "")
        expected_frames = "frame-ancestors 'self'" if response.mimetype == "image/svg+xml" else "frame-ancestors 'none'"
        checks = {
            "CSP frame-ancestors": expected_frames in csp,
            "CSP script-src 'none'": "script-src 'none'" in csp or "default-src 'none'" in csp and "script-src" not in csp,
            "X-Content-Type-Options": headers.get("X-Content-Type-Options") == "nosniff",
            "X-Frame-Options": headers.get("X-Frame-Options") == "DENY",
            "Referrer-Policy": headers.get("Referrer-Policy") == "no-referrer",
        }
        if label != "static file":
            checks["Cache-Control: no-store"] = "no-store" in headers.get("Cache-Control", "")
        failures += [f"{label} ({response.status_code}): {name}" for name, ok in checks.items() if not ok]
        if response.mimetype == "text/html" and "unsafe-inline" in csp:
            failures.append(f"{label}: 'unsafe-inline' in an HTML page's CSP")
    assert seen >= 20
    assert not failures, "\n".join(failures)


def test_session_cookie_flags(app):
    app.config["SESSION_COOKIE_SECURE"] = True  # what production runs with (REVIEW_COOKIE_SECURE)
    client = app.test_client()
    page = client.get("https://localhost/login")
    csrf = csrf_from(page.get_data(as_text=True))
    response = client.post("https://localhost/login", data={"username": "rita", "password": PASSWORD,
                                                            "csrf_token": csrf})
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


# --- session fixation and logout --------------------------------------------------------------

def _sessions(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(sa.select(sa.func.count()).select_from(db.sessions)).scalar()


def test_login_gives_a_new_session(app):
    client = app.test_client()
    anonymous_token = token(client, "/login")
    planted = client.get_cookie("review_session").value  # what an attacker could hand a victim
    assert client.post("/login", data={"username": "rita", "password": PASSWORD,
                                       "csrf_token": anonymous_token}).status_code == 302
    logged_in = client.get_cookie("review_session").value
    assert logged_in != planted
    assert token(client, "/") != anonymous_token  # the CSRF token is renewed too
    attacker = app.test_client()
    attacker.set_cookie("review_session", planted)
    response = attacker.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_two_logins_of_one_user_get_different_sessions(app):
    first, second = app.test_client(), app.test_client()
    login(first, "rita")
    login(second, "rita")
    assert first.get_cookie("review_session").value != second.get_cookie("review_session").value
    assert _sessions(app.config["TEST_ENGINE"]) == 2


def test_logout_ends_the_session_on_the_server(app):
    engine = app.config["TEST_ENGINE"]
    client = app.test_client()
    login(client, "ada")
    cookie = client.get_cookie("review_session").value
    old_token = token(client, "/")
    assert _sessions(engine) == 1
    response = client.post("/logout", data={"csrf_token": old_token})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert _sessions(engine) == 0
    assert client.get("/").status_code == 302
    # the copied cookie and its CSRF token open nothing and change nothing
    before = snapshot(engine)
    thief = app.test_client()
    thief.set_cookie("review_session", cookie)
    for path in ("/", "/conversations/view?id=conv-crisis", "/admin/audit", "/conversations/export.json"):
        response = thief.get(path)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login"), path
    response = thief.post("/conversations/delete", data={"id": "conv-crisis", "csrf_token": old_token})
    # the ended session is cleared before the CSRF check, so its token is gone with it
    assert response.status_code == 400
    assert snapshot(engine) == before
