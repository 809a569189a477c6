"""Crisis marks: staff say a message's crisis verdict was wrong; exported as crisis training data.

"missed" (oversett krise): the message should have been a crisis but was not answered with the
crisis text first (verdict none or unsure). "false_alarm" (falsk alarm): the message was flagged
(sure or unsure) but is harmless. The export is a file in the format of the crisis corpus
(safety/corpus/train/*.yml, read by safety.corpus.read_set) for the team to review and place
there by hand; like the NLU export (review/training.py), the console never writes into the
training data itself. Every mark, undo and export goes into the audit log, without the text.
"""
from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import Dict, Iterable, List, Optional, Tuple

import sqlalchemy as sa
from flask import (Blueprint, Response, abort, current_app, flash, g, redirect, render_template,
                   request, url_for)

from review import audit, db, scope, summary
from review.auth import login_required
from review.events import events_table, intent_of, load_data
from review.params import row_id
from review.verdicts import NONE, SURE, UNSURE, verdict_of

bp = Blueprint("crisis_marks", __name__, url_prefix="/crisis")

LABELS = {"missed": "oversett krise", "false_alarm": "falsk alarm"}
CORPUS_KEYS = {"missed": "crisis", "false_alarm": "not_crisis"}  # the corpus files' list names
# A mark says the verdict was wrong, so each fits only the levels it can correct
MARKABLE_LEVELS = {"missed": (NONE, UNSURE), "false_alarm": (UNSURE, SURE)}
REFUSED = {
    "missed": "«Oversett krise» gjelder meldinger som ikke fikk krisesvaret først; denne fikk det.",
    "false_alarm": "«Falsk alarm» gjelder meldinger som ble flagget som krise; denne ble ikke det.",
}
SENDER_ID_MAX_CHARS = 255


def choices(level: str, current: Optional[str] = None) -> List[Tuple[str, str]]:
    """(label, text) of the marks a message with this verdict level can get, but not its current one."""
    return [(label, text) for label, text in LABELS.items()
            if level in MARKABLE_LEVELS[label] and label != current]


def _to_conversation(sender_id: str, event_id: int):
    return redirect(url_for("conversations.view", id=sender_id) + f"#event-{event_id}")


@bp.route("/")
@login_required
def index():
    m, c = db.crisis_marks, db.conversations
    summary.refresh(db.get_engine(), current_app.config["TIMEZONE"])  # a new conversation's municipality
    with db.get_engine().connect() as connection:
        rows = connection.execute(
            sa.select(m, c.c.municipality).select_from(m.outerjoin(c, c.c.sender_id == m.c.sender_id))
            .where(*scope.sender_conditions(m))
            .order_by(m.c.exported_at.is_not(None), m.c.created_at.desc())).all()
    return render_template("crisis_marks/list.html", marks=rows, labels=LABELS,
                           several_municipalities=len(scope.options()) > 1)


@bp.route("/mark", methods=("POST",))
@login_required
def mark():
    sender_id = request.form.get("id") or ""  # exactly as stored: never strip or normalise
    if not sender_id or len(sender_id) > SENDER_ID_MAX_CHARS:
        abort(404)
    municipality = scope.require(db.conn(), sender_id)
    event_id = row_id(request.form.get("event_id")) or -1
    label = request.form.get("label") or ""
    if label not in LABELS:
        flash("Velg «oversett krise» eller «falsk alarm».", "error")
        return _to_conversation(sender_id, event_id)
    e, m = events_table, db.crisis_marks
    with db.get_engine().begin() as connection:
        row = connection.execute(
            sa.select(e.c.data, e.c.intent_name)
            .where(e.c.id == event_id, e.c.sender_id == sender_id, e.c.type_name == "user")
        ).first()
        if row is None:
            flash("Fant ikke meldingen.", "error")
            return _to_conversation(sender_id, event_id)
        data = load_data(row.data)
        name, _ = intent_of(data)
        verdict = verdict_of(data, name or row.intent_name)
        text = data.get("text") or ""
        if not text.strip():
            flash("Meldingen har ingen tekst å lære av.", "error")
            return _to_conversation(sender_id, event_id)
        if verdict.level not in MARKABLE_LEVELS[label]:
            flash(REFUSED[label], "error")
            return _to_conversation(sender_id, event_id)
        connection.execute(m.delete().where(m.c.event_id == event_id))
        connection.execute(m.insert().values(
            sender_id=sender_id, event_id=event_id, text=text, label=label, level=verdict.level,
            score=verdict.score, created_by=g.user.username, created_at=time.time()))
    audit.record("mark_crisis", sender_id=sender_id,
                 detail={"event_id": event_id, "label": label, "level": verdict.level,
                         "municipality": municipality})
    flash(f"Meldingen er merket som {LABELS[label]}.")
    return _to_conversation(sender_id, event_id)


@bp.route("/unmark", methods=("POST",))
@login_required
def unmark():
    """Undoes a mark; back to the conversation when the form came from there, else the list."""
    event_id = row_id(request.form.get("event_id")) or -1
    sender_id = request.form.get("id")
    if sender_id is not None:  # from the conversation's page: its conversation must be visible
        if not sender_id or len(sender_id) > SENDER_ID_MAX_CHARS:
            abort(404)
        scope.require(db.conn(), sender_id)
    m = db.crisis_marks
    municipality = None
    with db.get_engine().begin() as connection:
        found = connection.execute(
            sa.select(m.c.sender_id, m.c.label).where(m.c.event_id == event_id)).first()
        # another municipality's mark is left alone, with the same answer as a missing one
        if found is not None and not scope.can_see(connection, found.sender_id):
            found = None
        if found is not None:
            municipality = scope.municipality_of(connection, found.sender_id)
            connection.execute(m.delete().where(m.c.event_id == event_id))
    if found is None:
        flash("Fant ingen merking å fjerne.", "error")
    else:
        audit.record("unmark_crisis", sender_id=found.sender_id,
                     detail={"event_id": event_id, "label": found.label, "municipality": municipality})
        flash(f"Merkingen «{LABELS.get(found.label, found.label)}» er fjernet.")
    if sender_id:
        return _to_conversation(sender_id, event_id)
    return redirect(url_for("crisis_marks.index"))


def _quoted(text: str) -> str:
    """A YAML double-quoted scalar that keeps letters and emoji readable.

    yaml.dump escapes every character beyond the BMP (an emoji becomes \\U0001F62D); here only
    what YAML cannot hold literally is escaped: quotes, backslashes, control characters, the
    Unicode line separators (a reader would take them as line breaks) and lone surrogates.
    """
    out = []
    for ch in text:
        code = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif (code < 0x20 or 0x7F <= code <= 0x9F or code in (0x2028, 0x2029, 0xFEFF, 0xFFFE, 0xFFFF)
              or 0xD800 <= code <= 0xDFFF):
            out.append(f"\\u{code:04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def corpus_yaml(marks: Iterable[Tuple[str, str]], exported_at: datetime) -> str:
    """The marks as a crisis corpus file: (text, label) pairs under `crisis` and `not_crisis`."""
    lists: Dict[str, List[str]] = {key: [] for key in CORPUS_KEYS.values()}
    for text, label in marks:
        line = text.strip()  # the corpus reader strips too; an empty entry is refused there
        key = CORPUS_KEYS.get(label)
        if key and line and line not in lists[key]:
            lists[key].append(line)
    stamp = exported_at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    parts = [f"# Exported from the review console {stamp}: staff marks (missed crisis / false alarm)\n"]
    for key, texts in lists.items():
        if texts:
            parts.append(f"{key}:\n" + "".join(f"  - {_quoted(t)}\n" for t in texts))
        else:
            parts.append(f"{key}: []\n")
    return "".join(parts)


@bp.route("/export", methods=("POST",))
@login_required
def export():
    """Downloads the marks as a crisis corpus file and marks them exported (a POST: it changes state)."""
    m = db.crisis_marks
    only_new = request.form.get("only_new") == "1"
    query = sa.select(m.c.id, m.c.text, m.c.label).where(*scope.sender_conditions(m)).order_by(m.c.id)
    if only_new:
        query = query.where(m.c.exported_at.is_(None))
    summary.refresh(db.get_engine(), current_app.config["TIMEZONE"])
    now = time.time()
    with db.get_engine().begin() as connection:
        rows = connection.execute(query).all()
        if rows:
            connection.execute(m.update().where(m.c.id.in_([r.id for r in rows])).values(exported_at=now))
    counts = {key: sum(1 for r in rows if CORPUS_KEYS.get(r.label) == key) for key in CORPUS_KEYS.values()}
    audit.record("export_crisis_marks", detail={"marks": len(rows), "only_new": only_new, **counts,
                                                **scope.audit_detail()})
    stamp = time.strftime("%Y%m%d-%H%M%S")
    body = corpus_yaml([(r.text, r.label) for r in rows], datetime.fromtimestamp(now, timezone.utc))
    return Response(body, mimetype="application/x-yaml",
                    headers={"Content-Disposition": f'attachment; filename="crisis_review_{stamp}.yml"'})
