"""CSRF protection for every state-changing request, and the security headers of every response."""
from __future__ import annotations

import hmac
import secrets

from flask import abort, current_app, request, session

CSRF_FIELD = "csrf_token"
CSRF_SESSION_KEY = "_csrf"
UNSAFE_METHODS = ("POST", "PUT", "PATCH", "DELETE")

# No inline script or style anywhere; the console runs no JavaScript at all.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'none'; style-src 'self'; img-src 'self'; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'"
)
# Charts are matplotlib SVG files shown with <img>: their own styling is inline, nothing runs.
SVG_CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'"
HSTS_MAX_AGE_SECONDS = 31_536_000


def csrf_token() -> str:
    token = session.get(CSRF_SESSION_KEY)
    if not token:
        token = secrets.token_urlsafe(32)
        session[CSRF_SESSION_KEY] = token
    return token


def check_csrf() -> None:
    if request.method not in UNSAFE_METHODS:
        return
    expected = session.get(CSRF_SESSION_KEY)
    sent = request.form.get(CSRF_FIELD) or request.headers.get("X-CSRF-Token")
    if not expected or not sent or not hmac.compare_digest(expected, sent):
        abort(400, description="Skjemaet er utløpt eller mangler sikkerhetsnøkkel. Last siden på nytt og prøv igjen.")


def refuse_nul_bytes() -> None:
    """No form or query value may hold NUL: PostgreSQL refuses it in text, and no browser
    sends it from a form, so only a crafted request has one."""
    for source in (request.args, request.form):
        for key, values in source.lists():
            if "\x00" in key or any("\x00" in v for v in values):
                abort(400, description="Forespørselen inneholder ugyldige tegn.")


def set_security_headers(response):
    headers = response.headers
    if response.mimetype == "image/svg+xml":
        headers["Content-Security-Policy"] = SVG_CONTENT_SECURITY_POLICY
    else:
        headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"
    headers["Referrer-Policy"] = "no-referrer"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Cross-Origin-Resource-Policy"] = "same-origin"
    headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()"
    if not request.path.startswith("/static/"):
        # conversations are health data: never kept in a browser or proxy cache
        headers["Cache-Control"] = "no-store"
    if current_app.config["SESSION_COOKIE_SECURE"]:
        headers["Strict-Transport-Security"] = f"max-age={HSTS_MAX_AGE_SECONDS}"
    return response
