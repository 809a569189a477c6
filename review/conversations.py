"""The conversation list, the transcript, review marks, tags, notes, exports and deletion.

Crisis marks (a wrong crisis verdict) have their own blueprint: review/crisis_marks.py."""
from __future__ import annotations

import csv
import io
import json
import re
import time
from typing import Any, Dict, Iterator, List

import sqlalchemy as sa
from flask import (Blueprint, Response, abort, current_app, flash, g, redirect,
                   render_template, request, url_for)

from review import audit, db, listing, scope, summary
from review.auth import admin_required, login_required
from review.crisis_marks import LABELS as MARK_LABELS, choices as mark_choices
from review.events import conversation_language, events_table, transcript
from review.training import domain_intents
from storage import conversations as storage

bp = Blueprint("conversations", __name__)

TAG_PATTERN = re.compile(r"^[a-zæøå0-9][a-zæøå0-9 _-]{0,39}$")
NOTE_MAX_CHARS = 4000
EXPORT_MAX_CONVERSATIONS = 10_000  # one export; narrow the filters for more
EXPORT_CHUNK = 200
CSV_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def refresh_summary() -> None:
    summary.refresh(db.get_engine(), current_app.config["TIMEZONE"])


def _sender_id() -> str:
    sender_id = request.values.get("id") or ""  # exactly as stored: never strip or normalise
    if not sender_id or len(sender_id) > 255:
        abort(404)
    return sender_id


@bp.route("/")
@login_required
def index():
    refresh_summary()
    municipalities = scope.options()
    filters = listing.parse_filters(request.args, municipalities)
    config = current_app.config
    within = scope.conditions()
    where = listing.conditions(filters, config["TIMEZONE"], config["LOW_CONFIDENCE"]) + within
    connection = db.conn()
    result = listing.page(connection, where, config["PAGE_SIZE"],
                          after=request.args.get("after"), before=request.args.get("before"))
    intents = sorted(set(domain_intents(config["DOMAIN_PATH"]))
                     | set(listing.known_intents(connection, within, scope.current())))
    return render_template(
        "conversations/list.html",
        page=result,
        filters=filters,
        args=filters.query_args(),
        tags=listing.tags_for(connection, [r.sender_id for r in result.rows]),
        intents=intents,
        known_tags=listing.known_tags(connection, within),
        low_confidence=config["LOW_CONFIDENCE"],
        municipalities=municipalities,
    )


def _events_of(connection, sender_id: str) -> List[Any]:
    e = events_table
    return connection.execute(
        sa.select(e.c.id, e.c.type_name, e.c.timestamp, e.c.intent_name, e.c.action_name, e.c.data)
        .where(e.c.sender_id == sender_id).order_by(e.c.id)
    ).all()


def _feedback_of(connection, sender_id: str) -> List[Any]:
    f = storage.feedback_table
    return connection.execute(
        sa.select(f).where(f.c.sender_id == sender_id).order_by(f.c.created_at)
    ).all()


@bp.route("/conversations/view")
@login_required
def view():
    sender_id = _sender_id()
    connection = db.conn()
    if not summary.has_events_table(db.get_engine()):
        abort(404)
    municipality = scope.require(connection, sender_id)
    rows = _events_of(connection, sender_id)
    if not rows:
        abort(404)
    audit.record("view_transcript", sender_id=sender_id, detail={"municipality": municipality})
    items = transcript(rows, current_app.config["LOW_CONFIDENCE"])
    feedback = _feedback_of(connection, sender_id)
    feedback_by_time = {}
    for f in feedback:
        if f.bot_event_timestamp is not None:
            feedback_by_time.setdefault(f.bot_event_timestamp, []).append(f)
    s = db.review_state
    state = connection.execute(sa.select(s).where(s.c.sender_id == sender_id)).first()
    t, n, te, cm = db.tags, db.notes, db.training_examples, db.crisis_marks
    return render_template(
        "conversations/view.html",
        sender_id=sender_id,
        municipality=municipality,
        language=conversation_language(rows),  # from the events: the summary may lag by seconds
        items=items,
        summary=summary.summary_of(connection, sender_id),
        feedback=feedback,
        feedback_by_time=feedback_by_time,
        state=state,
        tags=[r.tag for r in connection.execute(
            sa.select(t.c.tag).where(t.c.sender_id == sender_id).order_by(t.c.tag))],
        notes=connection.execute(
            sa.select(n).where(n.c.sender_id == sender_id).order_by(n.c.created_at)).all(),
        examples={r.event_id: r for r in connection.execute(
            sa.select(te).where(te.c.sender_id == sender_id))},
        crisis_marks={r.event_id: r for r in connection.execute(
            sa.select(cm).where(cm.c.sender_id == sender_id))},
        mark_labels=MARK_LABELS,
        mark_choices=mark_choices,
        intents=domain_intents(current_app.config["DOMAIN_PATH"])
        or listing.known_intents(connection, scope.conditions(), scope.current()),
    )


def _visible_sender_id() -> str:
    """The form's conversation, or 404 when the user may not see it (see scope.require)."""
    sender_id = _sender_id()
    scope.require(db.conn(), sender_id)
    return sender_id


def _back_to(sender_id: str):
    return redirect(url_for("conversations.view", id=sender_id))


@bp.route("/conversations/reviewed", methods=("POST",))
@login_required
def mark_reviewed():
    sender_id = _visible_sender_id()
    s = db.review_state
    with db.get_engine().begin() as connection:
        connection.execute(s.delete().where(s.c.sender_id == sender_id))
        if request.form.get("reviewed") == "1":
            connection.execute(s.insert().values(
                sender_id=sender_id, reviewed_at=time.time(), reviewed_by=g.user.username))
            flash("Samtalen er merket som gjennomgått.")
        else:
            flash("Merket som gjennomgått er fjernet.")
    return _back_to(sender_id)


@bp.route("/conversations/tags", methods=("POST",))
@login_required
def add_tag():
    sender_id = _visible_sender_id()
    tag = " ".join((request.form.get("tag") or "").lower().split())
    if not TAG_PATTERN.match(tag):
        flash("En stikkord kan ha 1–40 tegn: bokstaver, tall, mellomrom, bindestrek og understrek.", "error")
        return _back_to(sender_id)
    t = db.tags
    with db.get_engine().begin() as connection:
        exists = connection.execute(
            sa.select(t.c.tag).where(t.c.sender_id == sender_id, t.c.tag == tag)).first()
        if not exists:
            connection.execute(t.insert().values(
                sender_id=sender_id, tag=tag, created_by=g.user.username, created_at=time.time()))
    flash(f"Stikkordet «{tag}» er lagt til.")
    return _back_to(sender_id)


@bp.route("/conversations/tags/remove", methods=("POST",))
@login_required
def remove_tag():
    sender_id = _visible_sender_id()
    t = db.tags
    tag = request.form.get("tag", "")
    with db.get_engine().begin() as connection:
        connection.execute(t.delete().where(t.c.sender_id == sender_id, t.c.tag == tag))
    flash(f"Stikkordet «{tag}» er fjernet.")
    return _back_to(sender_id)


@bp.route("/conversations/notes", methods=("POST",))
@login_required
def add_note():
    sender_id = _visible_sender_id()
    body = (request.form.get("body") or "").strip()
    if not body or len(body) > NOTE_MAX_CHARS:
        flash(f"Notatet må ha mellom 1 og {NOTE_MAX_CHARS} tegn.", "error")
        return _back_to(sender_id)
    with db.get_engine().begin() as connection:
        connection.execute(db.notes.insert().values(
            sender_id=sender_id, body=body, created_by=g.user.username, created_at=time.time()))
    flash("Notatet er lagret.")
    return _back_to(sender_id)


@bp.route("/conversations/delete", methods=("GET", "POST"))
@admin_required
def delete():
    sender_id = _sender_id()
    municipality = scope.require(db.conn(), sender_id)
    if request.method == "GET":
        return render_template("conversations/delete.html", sender_id=sender_id, municipality=municipality)
    engine = db.get_engine()
    events_deleted = storage.delete_conversation(engine, sender_id)
    with engine.begin() as connection:
        summary.forget(connection, sender_id)
    audit.record("delete_conversation", sender_id=sender_id,
                 detail={"events": events_deleted, "municipality": municipality})
    flash("Samtalen er slettet.")
    return redirect(url_for("conversations.index"))


# --- exports -------------------------------------------------------------------------------

def _safe_cell(value: Any) -> Any:
    """Stops a spreadsheet from running a cell as a formula (CSV injection)."""
    if isinstance(value, str) and value.startswith(CSV_FORMULA_PREFIXES):
        return "'" + value
    return value


def _export_senders(connection) -> tuple[List[str], Dict[str, str]]:
    if request.args.get("id"):
        sender_id = _sender_id()
        municipality = scope.require(connection, sender_id)
        return [sender_id], {"id": request.args["id"], "municipality": municipality or ""}
    filters = listing.parse_filters(request.args, scope.options())
    config = current_app.config
    where = listing.conditions(filters, config["TIMEZONE"], config["LOW_CONFIDENCE"]) + scope.conditions()
    c = db.conversations
    senders = [r[0] for r in connection.execute(
        sa.select(c.c.sender_id).where(*where)
        .order_by(c.c.started_at.desc(), c.c.sender_id.desc()).limit(EXPORT_MAX_CONVERSATIONS))]
    return senders, filters.query_args()


def _conversations_for_export(senders: List[str]) -> Iterator[Dict[str, Any]]:
    engine = db.get_engine()
    low = current_app.config["LOW_CONFIDENCE"]
    for start in range(0, len(senders), EXPORT_CHUNK):
        chunk = senders[start:start + EXPORT_CHUNK]
        e = events_table
        with engine.connect() as connection:
            rows = connection.execute(
                sa.select(e.c.id, e.c.sender_id, e.c.type_name, e.c.timestamp, e.c.intent_name,
                          e.c.action_name, e.c.data)
                .where(e.c.sender_id.in_(chunk)).order_by(e.c.sender_id, e.c.id)).all()
        by_sender: Dict[str, list] = {}
        for row in rows:
            by_sender.setdefault(row.sender_id, []).append(row)
        for sender_id in chunk:
            messages = []
            for item in transcript(by_sender.get(sender_id, []), low):
                if item.kind == "user":
                    messages.append({"time": item.timestamp, "from": "user", "text": item.text,
                                     "intent": item.intent, "confidence": item.confidence})
                elif item.kind == "bot":
                    messages.append({"time": item.timestamp, "from": "bot", "text": item.text,
                                     "response": item.name})
                elif item.kind == "action":
                    messages.append({"time": item.timestamp, "from": "action", "name": item.name})
                elif item.kind == "slot":
                    messages.append({"time": item.timestamp, "from": "slot", "name": item.name,
                                     "value": item.value})
            yield {"sender_id": sender_id, "events": messages}


@bp.route("/conversations/export.<fmt>")
@admin_required
def export(fmt: str):
    if fmt not in ("csv", "json"):
        abort(404)
    refresh_summary()
    with db.get_engine().connect() as connection:
        senders, described = _export_senders(connection)
    audit.record("export_transcript" if "id" in described else "export_conversations",
                 sender_id=described.get("id"),
                 detail={"format": fmt, "filters": described, "conversations": len(senders)})
    stamp = time.strftime("%Y%m%d-%H%M%S")
    app = current_app._get_current_object()

    def as_json() -> Iterator[str]:
        with app.app_context():
            yield "[\n"
            for n, conversation in enumerate(_conversations_for_export(senders)):
                yield ("" if n == 0 else ",\n") + json.dumps(conversation, ensure_ascii=False)
            yield "\n]\n"

    def as_csv() -> Iterator[str]:
        with app.app_context():
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            writer.writerow(["sender_id", "time", "from", "text", "intent", "confidence", "name", "value"])
            for conversation in _conversations_for_export(senders):
                for m in conversation["events"]:
                    writer.writerow([_safe_cell(v) for v in (
                        conversation["sender_id"], m.get("time"), m.get("from"), m.get("text", ""),
                        m.get("intent", ""), m.get("confidence", ""),
                        m.get("name") or m.get("response") or "",
                        json.dumps(m["value"], ensure_ascii=False) if "value" in m else "")])
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()

    body, mimetype = (as_json(), "application/json") if fmt == "json" else (as_csv(), "text/csv")
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="samtaler-{stamp}.{fmt}"'})
