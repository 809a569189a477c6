"""Logging in and out, the login throttle, and the decorators that guard every other page."""
from __future__ import annotations

import functools
import hashlib
import secrets
import time

import sqlalchemy as sa
from flask import (Blueprint, abort, current_app, flash, g, redirect, render_template,
                   request, session, url_for)

from review import audit, db, users

bp = Blueprint("auth", __name__)

THROTTLE_WINDOW_SECONDS = 15 * 60
MAX_FAILURES_PER_USER_AND_IP = 5
MAX_FAILURES_PER_IP = 20  # someone trying many user names from one address
ATTEMPT_RETENTION_SECONDS = 24 * 3600
LAST_SEEN_WRITE_INTERVAL_SECONDS = 60  # a session's idle clock is exact to within a minute


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def end_sessions(connection, user_id: int) -> None:
    """Logs a user out everywhere (deactivated, new password)."""
    connection.execute(db.sessions.delete().where(db.sessions.c.user_id == user_id))


def _failures(connection, username: str, ip: str, since: float) -> tuple[int, int]:
    a = db.login_attempts
    per_user = connection.execute(
        sa.select(sa.func.count()).select_from(a)
        .where(a.c.username == username, a.c.ip == ip, a.c.at >= since, a.c.success.is_(False))
    ).scalar()
    per_ip = connection.execute(
        sa.select(sa.func.count()).select_from(a)
        .where(a.c.ip == ip, a.c.at >= since, a.c.success.is_(False))
    ).scalar()
    return per_user, per_ip


@bp.route("/login", methods=("GET", "POST"))
def login():
    if request.method == "POST":
        username = request.form.get("username", "").strip()[:64]
        password = request.form.get("password", "")
        ip = request.remote_addr or "-"
        now = time.time()
        engine = db.get_engine()
        with engine.begin() as connection:
            per_user, per_ip = _failures(connection, username, ip, now - THROTTLE_WINDOW_SECONDS)
            throttled = per_user >= MAX_FAILURES_PER_USER_AND_IP or per_ip >= MAX_FAILURES_PER_IP
            user = None if throttled else users.verify(connection, username, password)
            connection.execute(db.login_attempts.insert().values(
                username=username, ip=ip, at=now, success=user is not None))
            connection.execute(db.login_attempts.delete().where(
                db.login_attempts.c.at < now - ATTEMPT_RETENTION_SECONDS))
            token = None
            if user is not None:
                connection.execute(db.users.update().where(db.users.c.id == user.id)
                                   .values(last_login_at=now))
                token = secrets.token_urlsafe(32)
                connection.execute(db.sessions.insert().values(
                    token_hash=_token_hash(token), user_id=user.id, created_at=now, last_seen=now))
                lifetime = current_app.permanent_session_lifetime.total_seconds()
                connection.execute(db.sessions.delete().where(db.sessions.c.created_at < now - lifetime))
        if throttled:
            audit.record("login_throttled", username=username or "-")
            minutes = THROTTLE_WINDOW_SECONDS // 60
            return render_template(
                "auth/login.html",
                error=f"For mange mislykkede forsøk. Vent {minutes} minutter og prøv igjen.",
            ), 429
        if user is None:
            audit.record("login_failed", username=username or "-")
            return render_template("auth/login.html", error="Feil brukernavn eller passord."), 401
        session.clear()  # a fresh session on login: no fixation
        session.permanent = True
        session["sid"] = token
        g.user = user
        audit.record("login")
        target = request.args.get("next", "")
        # only paths on this site, never another host
        if not target.startswith("/") or target.startswith("//") or "\\" in target:
            target = url_for("conversations.index")
        return redirect(target)
    return render_template("auth/login.html", error=None)


@bp.route("/logout", methods=("POST",))
def logout():
    if g.get("user") is not None:
        audit.record("logout")
    token = session.get("sid")
    if token:
        with db.get_engine().begin() as connection:
            connection.execute(db.sessions.delete().where(db.sessions.c.token_hash == _token_hash(token)))
    session.clear()
    flash("Du er logget ut.")
    return redirect(url_for("auth.login"))


def load_logged_in_user() -> None:
    g.user = None
    token = session.get("sid")
    if not token:
        return
    now = time.time()
    key = _token_hash(token)
    config = current_app.config
    with db.get_engine().begin() as connection:
        record = connection.execute(sa.select(db.sessions).where(db.sessions.c.token_hash == key)).first()
        user = users.get_user(connection, record.user_id) if record else None
        expired = record is not None and (
            now - record.last_seen > config["IDLE_TIMEOUT_SECONDS"]
            or now - record.created_at > current_app.permanent_session_lifetime.total_seconds())
        if record is None or expired or user is None or not user.active:
            if record is not None:
                connection.execute(db.sessions.delete().where(db.sessions.c.token_hash == key))
            session.clear()
            return
        if now - record.last_seen > LAST_SEEN_WRITE_INTERVAL_SECONDS:
            connection.execute(db.sessions.update().where(db.sessions.c.token_hash == key)
                               .values(last_seen=now))
    g.user = user


def login_required(view):
    @functools.wraps(view)
    def wrapped(**kwargs):
        if g.user is None:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return view(**kwargs)

    wrapped.login_required = True
    return wrapped


def admin_required(view):
    @functools.wraps(view)
    def wrapped(**kwargs):
        if g.user is None:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        if g.user.role != "admin":
            abort(403)
        return view(**kwargs)

    wrapped.login_required = True
    wrapped.admin_required = True
    return wrapped
