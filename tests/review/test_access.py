"""Every page needs a login, every admin page the admin role, and forms need their CSRF token."""
from __future__ import annotations

import pytest

from review import create_app
from tests.review.conftest import csrf_from, login, token

_APP = create_app({"DATABASE_URL": "sqlite://", "SECRET_KEY": "x"})
PUBLIC_ENDPOINTS = {"static", "auth.login", "auth.logout"}
# Written out, not derived, so removing a decorator by mistake fails a test
ADMIN_ENDPOINTS = {
    "conversations.delete", "conversations.export", "admin.user_list", "admin.create_user",
    "admin.update_user", "admin.audit_log",
}
SAMPLE_ARGS = {"fmt": "csv", "name": "per_day"}


def _routes():
    for rule in _APP.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        method = "GET" if "GET" in rule.methods else "POST"
        path = rule.rule
        for arg in rule.arguments:
            path = path.replace(f"<{arg}>", SAMPLE_ARGS[arg])
        yield pytest.param(rule.endpoint, method, path + "?id=conv-child", id=f"{method} {rule.rule}")


ROUTES = list(_routes())


def test_admin_list_matches_the_decorators():
    marked = {name for name, view in _APP.view_functions.items() if getattr(view, "admin_required", False)}
    assert marked == ADMIN_ENDPOINTS
    unguarded = {name for name, view in _APP.view_functions.items()
                 if not getattr(view, "login_required", False)} - PUBLIC_ENDPOINTS
    assert not unguarded


@pytest.mark.parametrize("endpoint,method,path", ROUTES)
def test_every_route_requires_login(client, endpoint, method, path):
    data = {"csrf_token": token(client, "/login")} if method == "POST" else None
    response = client.open(path, method=method, data=data)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("endpoint,method,path", [r for r in ROUTES if r.values[0] in ADMIN_ENDPOINTS])
def test_admin_routes_refuse_reviewers(reviewer, endpoint, method, path):
    data = {"csrf_token": token(reviewer, "/")} if method == "POST" else None
    response = reviewer.open(path, method=method, data=data)
    assert response.status_code == 403


@pytest.mark.parametrize("endpoint,method,path", [r for r in ROUTES if r.values[0] in ADMIN_ENDPOINTS and r.values[1] == "GET"])
def test_admin_routes_open_for_admins(admin, endpoint, method, path):
    assert admin.get(path).status_code == 200


def test_post_without_csrf_token_is_refused(reviewer, app):
    response = reviewer.post("/conversations/tags", data={"id": "conv-child", "tag": "uten-token"})
    assert response.status_code == 400
    response = reviewer.post("/conversations/tags",
                             data={"id": "conv-child", "tag": "uten-token", "csrf_token": "forfalsket"})
    assert response.status_code == 400
    page = reviewer.get("/conversations/view?id=conv-child").get_data(as_text=True)
    assert "uten-token" not in page


def test_login_without_csrf_token_is_refused(client):
    response = client.post("/login", data={"username": "rita", "password": "x"})
    assert response.status_code == 400


def test_login_throttle_blocks_after_five_failures(client):
    for _ in range(5):
        assert login(client, "rita", "feil-passord-123").status_code == 401
    # now even the right password is refused from this address
    assert login(client, "rita").status_code == 429
    # another user from the same address is not blocked by rita's failures
    assert login(client, "ada").status_code == 302


def test_login_throttle_is_per_address(app):
    first = app.test_client()
    for _ in range(5):
        login(first, "rita", "feil-passord-123")
    assert login(first, "rita").status_code == 429
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "10.0.0.9"
    assert login(other, "rita").status_code == 302


def test_unknown_user_and_wrong_password_look_the_same(client):
    a = login(client, "finnes-ikke", "feil-passord-123")
    b = login(client, "rita", "feil-passord-123")
    assert a.status_code == b.status_code == 401
    assert "Feil brukernavn eller passord." in a.get_data(as_text=True)


def test_login_redirects_only_to_local_paths(client):
    page = client.get("/login")
    response = client.post("/login?next=//evil.example/x", data={
        "username": "rita", "password": "riktig-hest-batteri-stift",
        "csrf_token": csrf_from(page.get_data(as_text=True))})
    assert response.headers["Location"] == "/"


def test_security_headers_and_cookie_flags(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'none'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_secure_cookie_flag_is_on_by_default(monkeypatch):
    monkeypatch.delenv("REVIEW_COOKIE_SECURE", raising=False)
    assert create_app({"DATABASE_URL": "sqlite://"}).config["SESSION_COOKIE_SECURE"] is True
    monkeypatch.setenv("REVIEW_COOKIE_SECURE", "0")
    assert create_app({"DATABASE_URL": "sqlite://"}).config["SESSION_COOKIE_SECURE"] is False


def test_deactivated_user_is_logged_out(admin, app):
    from review import db

    engine = app.config["TEST_ENGINE"]
    with engine.begin() as connection:
        connection.execute(db.users.update().where(db.users.c.username == "ada").values(active=False))
    response = admin.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_logout_needs_post_and_ends_the_session(reviewer):
    assert reviewer.get("/logout").status_code == 405
    reviewer.post("/logout", data={"csrf_token": token(reviewer, "/")})
    assert reviewer.get("/").status_code == 302


def test_a_copied_cookie_is_useless_after_logout(reviewer, app):
    cookie = reviewer.get_cookie("review_session").value
    reviewer.post("/logout", data={"csrf_token": token(reviewer, "/")})
    thief = app.test_client()
    thief.set_cookie("review_session", cookie)
    response = thief.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_new_password_ends_the_users_other_sessions(app):
    rita = app.test_client()
    login(rita, "rita")
    assert rita.get("/").status_code == 200
    admin = app.test_client()
    login(admin, "ada")
    from review import db
    import sqlalchemy as sa

    with app.config["TEST_ENGINE"].connect() as connection:
        rita_id = connection.execute(sa.select(db.users.c.id).where(db.users.c.username == "rita")).scalar()
    admin.post("/admin/users/update", data={"user_id": rita_id, "role": "reviewer", "active": "1",
                                            "password": "et-helt-nytt-passord", "csrf_token": token(admin, "/admin/users")})
    assert rita.get("/").status_code == 302
    assert login(rita, "rita", "et-helt-nytt-passord").status_code == 302


def test_idle_session_expires(reviewer, app):
    from review import db

    with app.config["TEST_ENGINE"].begin() as connection:
        connection.execute(db.sessions.update().values(last_seen=0))
    assert reviewer.get("/").status_code == 302
