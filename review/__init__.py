"""Forløpsassistenten's staff review console: a Flask app on the tracker store's database.

Staff read conversations, mark them reviewed, tag them, write notes, turn misunderstood
messages into training examples, mark wrong crisis verdicts and see statistics, each within
their municipalities (review.scope); admins see every municipality and also delete
conversations, manage users and read the audit log. `python -m review` serves it on port 8081.
"""
from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Flask, g, render_template

import settings

DEFAULT_PORT = settings.DEFAULT_REVIEW_PORT
PAGE_SIZE = 50
LOW_CONFIDENCE = settings.DEFAULT_REVIEW_LOW_CONFIDENCE  # FallbackClassifier is at 0.7 or so
SESSION_LIFETIME = timedelta(hours=8)  # one working day
IDLE_TIMEOUT_SECONDS = 30 * 60
MAX_REQUEST_BYTES = 1_000_000

log = logging.getLogger(__name__)


def create_app(test_config=None) -> Flask:
    app = Flask(__name__)
    conf = settings.load()
    console = settings.review()
    secret = console.secret_key
    if not secret:
        # sessions then end when the console restarts, which is safe, only inconvenient
        log.warning("REVIEW_SECRET_KEY is not set: using a random key for this process")
        secret = secrets.token_hex(32)
    app.config.from_mapping(
        SECRET_KEY=secret,
        DATABASE_URL=console.database_url,
        TIMEZONE=conf.timezone,
        SESSION_COOKIE_NAME="review_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=console.cookie_secure,
        PERMANENT_SESSION_LIFETIME=SESSION_LIFETIME,
        IDLE_TIMEOUT_SECONDS=IDLE_TIMEOUT_SECONDS,
        MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
        PAGE_SIZE=PAGE_SIZE,
        LOW_CONFIDENCE=console.low_confidence,
        DOMAIN_PATH=console.domain_path,
        TRUSTED_PROXIES=console.trusted_proxies,
    )
    if test_config is not None:
        app.config.from_mapping(test_config)

    if app.config["TRUSTED_PROXIES"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    from review import admin, auth, conversations, crisis_marks, db, scope, security, stats, training
    from review.audit import ACTION_LABELS
    from review.events import LANGUAGE_LABELS, ROUTE_LABELS
    from review.users import ROLE_LABELS
    from review.verdicts import LEVEL_LABELS

    app.register_blueprint(auth.bp)
    app.register_blueprint(conversations.bp)
    app.register_blueprint(training.bp)
    app.register_blueprint(crisis_marks.bp)
    app.register_blueprint(stats.bp)
    app.register_blueprint(admin.bp)

    app.before_request(security.refuse_nul_bytes)
    app.before_request(auth.load_logged_in_user)
    app.before_request(security.check_csrf)
    app.after_request(security.set_security_headers)
    app.teardown_appcontext(db.close_conn)

    zone = ZoneInfo(app.config["TIMEZONE"])

    @app.template_filter("localtime")
    def localtime(timestamp, fmt="%d.%m.%Y %H:%M"):
        if timestamp is None:
            return ""
        return datetime.fromtimestamp(float(timestamp), zone).strftime(fmt)

    @app.template_filter("decimal")
    def decimal(value, places=2):
        """0.934 as "0,93": a Norwegian decimal comma, like the rest of the console's numbers."""
        return "" if value is None else f"{float(value):.{places}f}".replace(".", ",")

    @app.template_filter("percent")
    def percent(value):
        return "" if value is None else f"{float(value) * 100:.0f} %"

    @app.template_filter("municipality_name")
    def municipality_name(municipality_id):
        return scope.name(municipality_id)

    @app.context_processor
    def globals_for_templates():
        user = g.get("user")
        return {
            "my_municipalities": scope.current() if user is not None else (),
            "no_municipality_message": scope.NO_MUNICIPALITY_MESSAGE
            if user is not None and scope.sees_nothing() else None,
            "csrf_token": security.csrf_token,
            "route_labels": ROUTE_LABELS,
            "language_labels": LANGUAGE_LABELS,
            "role_labels": ROLE_LABELS,
            "action_labels": ACTION_LABELS,
            "level_labels": LEVEL_LABELS,
            "current_user": g.get("user"),
        }

    def error_page(status: int, title: str):
        def handler(error):
            message = getattr(error, "description", None)
            if message == getattr(type(error), "description", None):
                message = None  # werkzeug's English default; the title says it in Norwegian
            return render_template("error.html", status=status, title=title, message=message), status
        return handler

    app.register_error_handler(400, error_page(400, "Ugyldig forespørsel"))
    app.register_error_handler(403, error_page(403, "Ingen tilgang"))
    app.register_error_handler(404, error_page(404, "Fant ikke siden"))
    app.register_error_handler(405, error_page(405, "Metoden er ikke tillatt"))
    app.register_error_handler(413, error_page(413, "Forespørselen er for stor"))

    @app.cli.command("init-db")
    def init_db_command():
        """Creates the console's tables."""
        db.init_db(db.make_engine(db.database_url(app)))
        print("Tabellene er klare.")

    return app
