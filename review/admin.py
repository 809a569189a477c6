"""Admin pages: staff accounts and the audit log."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from review import audit, db, scope, users
from review.auth import admin_required, end_sessions
from review.params import row_id

bp = Blueprint("admin", __name__, url_prefix="/admin")

AUDIT_PAGE_SIZE = 100


@bp.route("/users")
@admin_required
def user_list():
    with db.get_engine().connect() as connection:
        rows = connection.execute(sa.select(db.users).order_by(db.users.c.username)).all()
        assigned = {row.id: scope.assigned(connection, row.id) for row in rows}
    known = scope.known_ids()
    return render_template("admin/users.html", users=rows, roles=users.ROLES, assigned=assigned,
                           known_municipalities=known + sorted({m for ids in assigned.values() for m in ids} - set(known)))


@bp.route("/users/create", methods=("POST",))
@admin_required
def create_user():
    username = request.form.get("username", "")
    role = request.form.get("role", "")
    municipalities = request.form.getlist("municipality")
    try:
        with db.get_engine().begin() as connection:
            users.create_user(connection, username, request.form.get("password", ""), role, municipalities)
    except users.UserError as error:
        flash(str(error), "error")
        return redirect(url_for("admin.user_list"))
    audit.record("create_user", detail={"username": username.strip(), "role": role,
                                        "municipalities": municipalities})
    flash(f"Brukeren «{username.strip()}» er opprettet.")
    return redirect(url_for("admin.user_list"))


@bp.route("/users/update", methods=("POST",))
@admin_required
def update_user():
    user_id = row_id(request.form.get("user_id"))
    if user_id is None:
        abort(404)
    role = request.form.get("role", "")
    active = request.form.get("active") == "1"
    password = request.form.get("password", "")
    # only a form that shows the municipality boxes sets them (unchecked boxes send nothing)
    municipalities = (request.form.getlist("municipality")
                      if request.form.get("set_municipalities") == "1" else None)
    if role not in users.ROLES:
        flash("Ukjent rolle.", "error")
        return redirect(url_for("admin.user_list"))
    if user_id == g.user.id and (role != "admin" or not active):
        flash("Du kan ikke fjerne din egen administratorrolle eller deaktivere deg selv.", "error")
        return redirect(url_for("admin.user_list"))
    try:
        with db.get_engine().begin() as connection:
            target = users.get_user(connection, user_id)
            if target is None:
                abort(404)
            connection.execute(db.users.update().where(db.users.c.id == user_id)
                               .values(role=role, active=active))
            if municipalities is not None:
                users.set_municipalities(connection, user_id, municipalities)
            if password:
                users.set_password(connection, user_id, password)
            if password or not active:
                end_sessions(connection, user_id)
    except users.UserError as error:
        flash(str(error), "error")
        return redirect(url_for("admin.user_list"))
    detail = {"username": target.username, "role": role, "active": active,
              "password_changed": bool(password)}
    if municipalities is not None:
        detail["municipalities"] = municipalities
    audit.record("update_user", detail=detail)
    flash(f"Brukeren «{target.username}» er oppdatert.")
    return redirect(url_for("admin.user_list"))


@bp.route("/audit")
@admin_required
def audit_log():
    a = db.audit_log
    query = sa.select(a).order_by(a.c.id.desc()).limit(AUDIT_PAGE_SIZE + 1)
    before = row_id(request.args.get("before"))
    if before is not None:
        query = query.where(a.c.id < before)
    username = request.args.get("user", "").strip()
    if username:
        query = query.where(a.c.username == username)
    action = request.args.get("action", "")
    if action in audit.ACTION_LABELS:
        query = query.where(a.c.action == action)
    sender_id = request.args.get("id", "").strip()
    if sender_id:
        query = query.where(a.c.sender_id == sender_id)
    with db.get_engine().connect() as connection:
        rows = connection.execute(query).all()
    more = len(rows) > AUDIT_PAGE_SIZE
    rows = rows[:AUDIT_PAGE_SIZE]
    return render_template("admin/audit.html", rows=rows, next_before=rows[-1].id if more else None,
                           filters={"user": username, "action": action, "id": sender_id})
