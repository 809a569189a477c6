"""Training examples: misunderstood messages given the right intent, exported as Rasa NLU YAML.

The export is a file for the team to review and put under data/nlu/ by hand; the console
never writes into the training data itself. Each example records its message's language
(issue #14) and an export is of one language, its header naming where it belongs: English in
data/nlu/english.yml, bokmål and nynorsk in the Norwegian files (every other data/nlu/*.yml).
"""
from __future__ import annotations

import re
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import sqlalchemy as sa
import yaml
from flask import (Blueprint, Response, abort, current_app, flash, g, redirect, render_template,
                   request, url_for)

from review import audit, db, scope, summary
from review.auth import login_required
from review.events import (FALLBACK_INTENT, LANGUAGE_LABELS, LANGUAGE_SLOT, LANGUAGES, events_table,
                           intent_of, load_data, message_language)
from review.params import row_id

bp = Blueprint("training", __name__, url_prefix="/training")

NLU_FORMAT_VERSION = "3.1"
INTENT_NAME = re.compile(r"^[A-Za-z0-9_]{1,255}$")  # Rasa's snake_case intent names
_domain_cache: Dict[str, Tuple[float, List[str]]] = {}
ENGLISH_NLU_FILE = "data/nlu/english.yml"
# Where each language's examples go in the project (shown on the page and in the file's header)
TARGETS = {
    "nb": f"the Norwegian NLU files, data/nlu/*.yml except {ENGLISH_NLU_FILE}",
    "nn": f"the Norwegian NLU files, data/nlu/*.yml except {ENGLISH_NLU_FILE}",
    "en": ENGLISH_NLU_FILE,
}
LANGUAGE_NAMES = {"nb": "Norwegian bokmål", "nn": "Norwegian nynorsk", "en": "English"}  # in the header
TARGET_LABELS = {"nb": "de norske filene i data/nlu/", "nn": "de norske filene i data/nlu/",
                 "en": ENGLISH_NLU_FILE}
FALLBACK_LANGUAGE = "nb"


def _domain_files(path: Path) -> List[Path]:
    if path.is_dir():  # Rasa also accepts a directory of domain files
        return sorted(p for p in path.rglob("*.yml")) + sorted(path.rglob("*.yaml"))
    return [path] if path.is_file() else []


def domain_intents(path: str) -> List[str]:
    """The intents named in domain.yml (or a domain directory); [] if there is none yet."""
    files = _domain_files(Path(path))
    stamp = sum(f.stat().st_mtime for f in files)
    cached = _domain_cache.get(path)
    if cached and cached[0] == stamp:
        return cached[1]
    names = set()
    for f in files:
        try:
            content = yaml.safe_load(f.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError):
            continue
        for entry in content.get("intents") or [] if isinstance(content, dict) else []:
            if isinstance(entry, str):
                names.add(entry)
            elif isinstance(entry, dict):
                names.update(str(k) for k in entry)
    result = sorted(names)
    _domain_cache[path] = (stamp, result)
    return result


def _default_language(municipality_id: Optional[str]) -> str:
    """A message from before the language slot: its municipality's målform, which is what the
    session would start in now (bokmål for an unknown municipality)."""
    found = scope.catalogue().get(municipality_id) if municipality_id else None
    language = getattr(found, "language", None)
    return language if language in LANGUAGES else FALLBACK_LANGUAGE


def example_language(connection, sender_id: str, event_id: int,
                     municipality_id: Optional[str] = None) -> str:
    """The language of one user message (review.events.message_language): its `language`
    entity, else the conversation's `language` slot at that moment, else the municipality's
    målform (older conversations had no slot)."""
    e = events_table
    rows = connection.execute(
        sa.select(e.c.id, e.c.type_name, e.c.action_name, e.c.data)
        .where(e.c.sender_id == sender_id, e.c.id <= event_id,
               sa.or_(e.c.id == event_id, sa.and_(e.c.type_name == "slot", e.c.action_name == LANGUAGE_SLOT)))
        .order_by(e.c.id)).all()
    return message_language(rows, event_id) or _default_language(
        municipality_id if municipality_id is not None else scope.municipality_of(connection, sender_id))


def fill_languages(engine) -> int:
    """Records the language of examples saved without one (before the column, or by an older
    console process); returns how many. Run at start and before each export."""
    te = db.training_examples
    with engine.connect() as connection:
        missing = connection.execute(
            sa.select(te.c.id, te.c.sender_id, te.c.event_id).where(te.c.language.is_(None))).all()
    if not missing or not sa.inspect(engine).has_table(events_table.name):
        return 0
    with engine.begin() as connection:
        for row in missing:
            connection.execute(te.update().where(te.c.id == row.id, te.c.language.is_(None)).values(
                language=example_language(connection, row.sender_id, row.event_id)))
    return len(missing)


def nlu_header(language: str, exported_at: datetime) -> str:
    stamp = exported_at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return (f"# Exported from the review console {stamp}: training examples in {language}"
            f" ({LANGUAGE_NAMES[language]})\n"
            f"# Target: {TARGETS[language]}\n")


def nlu_yaml(examples: List[Tuple[str, str]], header: str = "") -> str:
    """Rasa 3.1 NLU YAML: one block per intent, each example on one line; `header` (comment
    lines) first."""
    by_intent: Dict[str, List[str]] = {}
    for text, intent in examples:
        line = " ".join(text.split())  # a message's line breaks would break the block
        if line and line not in by_intent.setdefault(intent, []):
            by_intent[intent].append(line)

    class LiteralDumper(yaml.SafeDumper):
        pass

    class Literal(str):
        pass

    LiteralDumper.add_representer(
        Literal, lambda dumper, data: dumper.represent_scalar("tag:yaml.org,2002:str", data, style="|"))
    document = {
        "version": NLU_FORMAT_VERSION,
        "nlu": [
            {"intent": intent, "examples": Literal("".join(f"- {t}\n" for t in texts))}
            for intent, texts in sorted(by_intent.items())
        ],
    }
    return header + yaml.dump(document, Dumper=LiteralDumper, allow_unicode=True, sort_keys=False,
                              width=10_000)


@bp.route("/add", methods=("POST",))
@login_required
def add():
    sender_id = (request.form.get("id") or "").strip()
    if not sender_id or len(sender_id) > 255:
        abort(404)
    municipality = scope.require(db.conn(), sender_id)
    intent = (request.form.get("intent") or "").strip()
    event_id = row_id(request.form.get("event_id")) or -1
    known = domain_intents(current_app.config["DOMAIN_PATH"])
    if (not INTENT_NAME.match(intent) or (known and intent not in known)
            or intent == FALLBACK_INTENT):
        flash("Velg en intensjon fra listen.", "error")
        return redirect(url_for("conversations.view", id=sender_id))
    e = events_table
    te = db.training_examples
    with db.get_engine().begin() as connection:
        row = connection.execute(
            sa.select(e.c.data, e.c.intent_name)
            .where(e.c.id == event_id, e.c.sender_id == sender_id, e.c.type_name == "user")
        ).first()
        if row is None:
            flash("Fant ikke meldingen.", "error")
            return redirect(url_for("conversations.view", id=sender_id))
        data = load_data(row.data)
        predicted, confidence = intent_of(data)
        language = example_language(connection, sender_id, event_id, municipality)
        connection.execute(te.delete().where(te.c.event_id == event_id))
        connection.execute(te.insert().values(
            sender_id=sender_id, event_id=event_id, text=data.get("text") or "", intent=intent,
            predicted_intent=predicted or row.intent_name, predicted_confidence=confidence,
            created_by=g.user.username, created_at=time.time(), language=language))
    flash(f"Meldingen er lagt til som treningseksempel for «{intent}».")
    return redirect(url_for("conversations.view", id=sender_id) + f"#event-{event_id}")


@bp.route("/")
@login_required
def index():
    te, c = db.training_examples, db.conversations
    summary.refresh(db.get_engine(), current_app.config["TIMEZONE"])  # a new conversation's municipality
    with db.get_engine().connect() as connection:
        rows = connection.execute(
            sa.select(te, c.c.municipality).select_from(te.outerjoin(c, c.c.sender_id == te.c.sender_id))
            .where(*scope.sender_conditions(te))
            .order_by(te.c.exported_at.is_not(None), te.c.created_at.desc())).all()
    new = {language: 0 for language in LANGUAGES}
    for row in rows:
        if row.exported_at is None and row.language in new:
            new[row.language] += 1
    return render_template("training/list.html", examples=rows,
                           several_municipalities=len(scope.options()) > 1,
                           languages=LANGUAGES, language_labels=LANGUAGE_LABELS,
                           targets=TARGET_LABELS, new_by_language=new)


@bp.route("/remove", methods=("POST",))
@login_required
def remove():
    te = db.training_examples
    example_id = row_id(request.form.get("example_id")) or -1
    with db.get_engine().begin() as connection:
        sender_id = connection.execute(sa.select(te.c.sender_id).where(te.c.id == example_id)).scalar()
        # another municipality's example is left alone, with the same answer as a missing one
        if sender_id is not None and scope.can_see(connection, sender_id):
            connection.execute(te.delete().where(te.c.id == example_id))
    flash("Treningseksempelet er fjernet.")
    return redirect(url_for("training.index"))


@bp.route("/export", methods=("POST",))
@login_required
def export():
    """Downloads one language's examples as NLU YAML and marks them exported (a POST: it
    changes state). The language (nb, nn, en; form or query string) is required: an English
    example in a Norwegian file, or the other way round, would teach the model wrong."""
    te = db.training_examples
    language = request.values.get("language") or ""
    if language not in LANGUAGES:
        flash("Velg språket du vil eksportere treningseksempler for.", "error")
        return redirect(url_for("training.index"))
    only_new = request.form.get("only_new") == "1"
    query = (sa.select(te.c.id, te.c.text, te.c.intent)
             .where(te.c.language == language, *scope.sender_conditions(te)).order_by(te.c.intent, te.c.id))
    if only_new:
        query = query.where(te.c.exported_at.is_(None))
    engine = db.get_engine()
    summary.refresh(engine, current_app.config["TIMEZONE"])
    fill_languages(engine)
    now = time.time()
    with engine.begin() as connection:
        rows = connection.execute(query).all()
        if rows:
            connection.execute(te.update().where(te.c.id.in_([r.id for r in rows]))
                               .values(exported_at=now))
    audit.record("export_training", detail={"examples": len(rows), "only_new": only_new,
                                            "language": language, **scope.audit_detail()})
    stamp = time.strftime("%Y%m%d-%H%M%S")
    body = nlu_yaml([(r.text, r.intent) for r in rows],
                    header=nlu_header(language, datetime.fromtimestamp(now, timezone.utc)))
    return Response(body, mimetype="application/x-yaml", headers={
        "Content-Disposition": f'attachment; filename="nlu_review_{language}_{stamp}.yml"'})
