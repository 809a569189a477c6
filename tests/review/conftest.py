"""Fixtures of the review console tests: an app on a fresh database (SQLite and PostgreSQL),
two staff accounts, and a handful of synthetic conversations with known properties."""
from __future__ import annotations

import json
import os
import re
import time

import pytest
import sqlalchemy as sa

from evaluation import synthetic_conversations as synthetic
from municipalities import catalogue
from review import create_app, db, users
from storage import conversations as storage

PASSWORD = "riktig-hest-batteri-stift"
DOMAIN_YML = """version: "3.1"
intents:
  - greet
  - goodbye
  - ask_contact
  - ask_coordinator
  - crisis
  - ask_child
  - ask_adult
"""
NOW = time.time()

# argon2 at its production cost (64 MiB, 3 passes) takes most of each test's time on a busy
# machine; the tests check the flow, not the cost, so they hash cheaply
from argon2 import PasswordHasher  # noqa: E402

users._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
users._DUMMY_HASH = users._hasher.hash("dummy")
XSS = "<script>document.title='pwned'</script> hei"


# The tests' own municipalities (MUNICIPALITIES_DIR), so they do not follow content/ edits.
# Conversations without a municipality slot are the default's (kommune-a), as in production.
MUNICIPALITIES = {"kommune-a": "Kommune A", "kommune-b": "Kommune B", "kommune-c": "Kommune C"}
DEFAULT_MUNICIPALITY = "kommune-a"


def write_municipalities(folder, names=MUNICIPALITIES) -> None:
    for municipality_id, name in names.items():
        target = folder / municipality_id
        target.mkdir(parents=True, exist_ok=True)
        (target / "municipality.yml").write_text(
            f"name: {name}\nlanguage: nb\nretention_days: 30\npathway_starts_with: [kommunen]\n",
            encoding="utf-8")
        (target / "contacts.yml").write_text("contacts: []\n", encoding="utf-8")


@pytest.fixture(scope="package", autouse=True)  # only tests/review: later folders see content/
def test_municipalities(tmp_path_factory):
    folder = tmp_path_factory.mktemp("municipalities")
    write_municipalities(folder)
    saved = {key: os.environ.get(key) for key in ("MUNICIPALITIES_DIR", "DEFAULT_MUNICIPALITY")}
    os.environ["MUNICIPALITIES_DIR"] = str(folder)
    os.environ["DEFAULT_MUNICIPALITY"] = DEFAULT_MUNICIPALITY
    catalogue.load.cache_clear()
    yield folder
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    catalogue.load.cache_clear()


def _seed(engine) -> None:
    synthetic.create_events_table(engine)
    rows = []
    rows += synthetic.conversation("conv-crisis", NOW - 3600, [
        {"text": "hei", "intent": "greet", "confidence": 0.98},
        {"text": "jeg vil ikke leve lenger", "intent": "crisis", "confidence": 0.99},
    ])
    rows += synthetic.conversation("conv-child", NOW - 7200, [
        {"text": "gjelder dette barn under 18", "intent": "ask_child", "confidence": 0.91, "audience": "child"},
        {"text": "kan jeg få refusjon for bussbillett", "intent": "nlu_fallback", "confidence": 0.31},
    ])
    rows += synthetic.conversation("conv-adult", NOW - 86400 * 3, [
        {"text": "jeg er voksen og sliter med rus", "intent": "ask_adult", "confidence": 0.55, "audience": "adult"},
        {"text": "takk", "intent": "goodbye", "confidence": 0.97, "buttons": True},
    ])
    rows += synthetic.conversation("conv-xss", NOW - 86400 * 10, [
        {"text": XSS, "intent": "greet", "confidence": 0.8},
    ])
    synthetic.insert(engine, rows)
    storage.add_feedback(engine, "conv-adult", "down", "Her er svaret.", None)
    storage.add_feedback(engine, "conv-child", "up", "Her er svaret.", None)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'tracker.db'}"
    server = request.getfixturevalue("postgres_server")
    return server.create_database()


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'tracker.db'}"


def make_app(url, tmp_path, seed=True):
    domain = tmp_path / "domain.yml"
    domain.write_text(DOMAIN_YML)
    app = create_app({
        "TESTING": True,
        "DATABASE_URL": url,
        "SECRET_KEY": "test-secret",
        "SESSION_COOKIE_SECURE": False,
        "DOMAIN_PATH": str(domain),
    })
    engine = db.make_engine(url)
    db.init_db(engine)
    with engine.begin() as connection:
        # rita reviews the default municipality, which every seeded conversation belongs to
        users.create_user(connection, "rita", PASSWORD, "reviewer", [DEFAULT_MUNICIPALITY])
        users.create_user(connection, "ada", PASSWORD, "admin")
    if seed:
        _seed(engine)
    app.config["TEST_ENGINE"] = engine
    return app


@pytest.fixture
def app(database_url, tmp_path):
    app = make_app(database_url, tmp_path)
    yield app
    app.config["TEST_ENGINE"].dispose()
    engine = app.extensions.get("review_engine")
    if engine is not None:
        engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def login(client, username: str, password: str = PASSWORD):
    page = client.get("/login")
    token = csrf_from(page.get_data(as_text=True))
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token})


def token(client, path: str = "/") -> str:
    return csrf_from(client.get(path).get_data(as_text=True))


@pytest.fixture
def reviewer(client):
    assert login(client, "rita").status_code == 302
    return client


@pytest.fixture
def admin(client):
    assert login(client, "ada").status_code == 302
    return client


def count(engine, table: str, sender_id: str) -> int:
    with engine.connect() as connection:
        return connection.execute(
            sa.text(f"SELECT COUNT(*) FROM {table} WHERE sender_id = :s"), {"s": sender_id}
        ).scalar()


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: drives Debian's Chromium with Playwright")


def user_event(engine, sender_id: str, text: str) -> int:
    """The id of the sender's first user message whose text contains `text`."""
    with engine.connect() as connection:
        for row in connection.execute(sa.text(
                "SELECT id, data FROM events WHERE sender_id = :s AND type_name = 'user' ORDER BY id"),
                {"s": sender_id}):
            if text in (json.loads(row.data).get("text") or ""):
                return row.id
    raise AssertionError(text)
