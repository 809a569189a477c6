"""The review console's own tables, beside Rasa's `events` table in the tracker database.

Every table here has the `review_` prefix and is created with SQLAlchemy Core; Rasa's own
tables are only read (and rows deleted through storage.conversations), never altered.

`review_conversations` and `review_conversation_intents` are derived data: a per-conversation
summary rebuilt incrementally from `events` (see review.summary). Everything else is the
console's own state (users, audit log, review marks, tags, notes, training examples, crisis
marks).

`create_all` only makes missing tables, so a column added to an existing table is listed in
ADDED_COLUMNS and added by `init_db` (see `_add_missing_columns`).
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import current_app, g
from sqlalchemy.engine import Engine

import settings

PREFIX = "review_"
SQLITE_BUSY_TIMEOUT_SECONDS = 15  # Rasa writes to the same SQLite file; wait, don't fail

metadata = sa.MetaData()

users = sa.Table(
    f"{PREFIX}users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("username", sa.String(64), nullable=False, unique=True),
    sa.Column("password_hash", sa.String(255), nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, default=True),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("last_login_at", sa.Float),
)

login_attempts = sa.Table(
    f"{PREFIX}login_attempts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("username", sa.String(64), nullable=False),
    sa.Column("ip", sa.String(64), nullable=False),
    sa.Column("at", sa.Float, nullable=False),
    sa.Column("success", sa.Boolean, nullable=False),
    sa.Index(f"ix_{PREFIX}login_attempts_user_ip_at", "username", "ip", "at"),
    sa.Index(f"ix_{PREFIX}login_attempts_ip_at", "ip", "at"),
)

# Server-side record of each login, so logout, deactivation and a new password end a session
# at once even if someone kept a copy of the cookie. Only a hash of the cookie's token is kept.
sessions = sa.Table(
    f"{PREFIX}sessions",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.Integer, nullable=False, index=True),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("last_seen", sa.Float, nullable=False),
)

audit_log = sa.Table(
    f"{PREFIX}audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.Float, nullable=False),
    sa.Column("user_id", sa.Integer),
    sa.Column("username", sa.String(64), nullable=False),
    sa.Column("action", sa.String(64), nullable=False),
    sa.Column("sender_id", sa.String(255)),
    # what was done, as JSON: filters of an export, row counts; never message text
    sa.Column("detail", sa.Text),
    sa.Column("ip", sa.String(64)),
    sa.Index(f"ix_{PREFIX}audit_log_at", "at"),
)

# Derived: one row per conversation (sender_id), rebuilt from events by review.summary
conversations = sa.Table(
    f"{PREFIX}conversations",
    metadata,
    sa.Column("sender_id", sa.String(255), primary_key=True),
    sa.Column("started_at", sa.Float, nullable=False),
    sa.Column("last_at", sa.Float, nullable=False),
    sa.Column("started_day", sa.String(10), nullable=False),  # local date, YYYY-MM-DD
    sa.Column("turns", sa.Integer, nullable=False),
    sa.Column("first_message", sa.Text),
    sa.Column("route", sa.String(16), nullable=False),  # child, adult, crisis, none
    sa.Column("crisis", sa.Boolean, nullable=False),  # a sure crisis (crisis_level == "sure")
    # highest crisis verdict of its user messages: sure, unsure or none (review.verdicts)
    sa.Column("crisis_level", sa.String(8), nullable=False, server_default="none"),
    sa.Column("fallbacks", sa.Integer, nullable=False),
    sa.Column("min_confidence", sa.Float),
    sa.Column("feedback_up", sa.Integer, nullable=False, default=0),
    sa.Column("feedback_down", sa.Integer, nullable=False, default=0),
    sa.Column("search_text", sa.Text),  # lower-cased user messages for the search box
    # the first value of its `municipality` slot, else the default municipality (review.scope);
    # "" only between adding the column to an older database and the rebuild that fills it
    sa.Column("municipality", sa.String(64), nullable=False, server_default=""),
    # the last value of its `language` slot (nb, nn, en): the language it ended in; NULL when
    # it has none (conversations from before the slot) and until an older database's rebuild
    sa.Column("language", sa.String(8)),
    sa.Index(f"ix_{PREFIX}conversations_started", "started_at", "sender_id"),
    sa.Index(f"ix_{PREFIX}conversations_day", "started_day"),
    # a reviewer's list pages by (started_at, sender_id) within their municipalities
    sa.Index(f"ix_{PREFIX}conversations_municipality", "municipality", "started_at", "sender_id"),
    # the language filter pages by (started_at, sender_id) within one language
    sa.Index(f"ix_{PREFIX}conversations_language", "language", "started_at", "sender_id"),
)

# Derived: how many user messages of each intent a conversation has
conversation_intents = sa.Table(
    f"{PREFIX}conversation_intents",
    metadata,
    sa.Column("sender_id", sa.String(255), primary_key=True),
    sa.Column("intent", sa.String(255), primary_key=True),
    sa.Column("messages", sa.Integer, nullable=False),
    sa.Column("started_at", sa.Float, nullable=False),  # copied so an intent filter pages by index
    sa.Index(f"ix_{PREFIX}conversation_intents_intent", "intent", "started_at", "sender_id"),
)

# Which municipalities a staff member may see (review.scope); admins see all of them anyway
user_municipalities = sa.Table(
    f"{PREFIX}user_municipalities",
    metadata,
    sa.Column("user_id", sa.Integer, primary_key=True),
    sa.Column("municipality", sa.String(64), primary_key=True),
)

# Bookkeeping of the incremental refresh (last processed event and feedback ids)
meta = sa.Table(
    f"{PREFIX}meta",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Float, nullable=False),
)

review_state = sa.Table(
    f"{PREFIX}state",
    metadata,
    sa.Column("sender_id", sa.String(255), primary_key=True),
    sa.Column("reviewed_at", sa.Float, nullable=False),
    sa.Column("reviewed_by", sa.String(64), nullable=False),
)

tags = sa.Table(
    f"{PREFIX}tags",
    metadata,
    sa.Column("sender_id", sa.String(255), primary_key=True),
    sa.Column("tag", sa.String(40), primary_key=True),
    sa.Column("created_by", sa.String(64), nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Index(f"ix_{PREFIX}tags_tag", "tag"),
)

notes = sa.Table(
    f"{PREFIX}notes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("sender_id", sa.String(255), nullable=False, index=True),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("created_by", sa.String(64), nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
)

training_examples = sa.Table(
    f"{PREFIX}training_examples",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("sender_id", sa.String(255), nullable=False, index=True),
    sa.Column("event_id", sa.Integer, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("intent", sa.String(255), nullable=False),
    sa.Column("predicted_intent", sa.String(255)),
    sa.Column("predicted_confidence", sa.Float),
    sa.Column("created_by", sa.String(64), nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("exported_at", sa.Float),
    # the message's language (nb, nn, en; review.training.example_language): which training
    # data the export is for (English in data/nlu/english.yml, Norwegian in the other files)
    sa.Column("language", sa.String(8)),
    sa.UniqueConstraint("event_id", name=f"uq_{PREFIX}training_examples_event"),
)

# A user message staff marked as a wrong crisis verdict: "missed" (should have been a crisis)
# or "false_alarm" (flagged, but harmless); exported as labelled crisis training data
crisis_marks = sa.Table(
    f"{PREFIX}crisis_marks",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("sender_id", sa.String(255), nullable=False, index=True),
    sa.Column("event_id", sa.Integer, nullable=False),
    sa.Column("text", sa.Text, nullable=False),  # as stored in the event, so already masked
    sa.Column("label", sa.String(16), nullable=False),  # missed, false_alarm
    sa.Column("level", sa.String(8), nullable=False),  # the message's verdict when it was marked
    sa.Column("score", sa.Float),
    sa.Column("created_by", sa.String(64), nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("exported_at", sa.Float),
    sa.UniqueConstraint("event_id", name=f"uq_{PREFIX}crisis_marks_event"),
)

# Rows keyed by sender_id that belong to one conversation and go when it is deleted.
# The audit log keeps the sender_id on purpose: it says who deleted what, and holds no text.
PER_CONVERSATION_TABLES = (
    conversations, conversation_intents, review_state, tags, notes, training_examples,
    crisis_marks,
)

# Columns added after their table first shipped: (table, column name). A column added to the
# derived summary makes the next refresh rebuild every summary row, which fills it in.
ADDED_COLUMNS = ((conversations, "crisis_level"), (conversations, "municipality"),
                 (conversations, "language"), (training_examples, "language"))
# Indexes on an ADDED_COLUMNS column: create_all makes an index only with its table
ADDED_INDEXES = tuple(sorted(
    {index for table, name in ADDED_COLUMNS for index in table.indexes if name in index.columns},
    key=lambda index: index.name))
DERIVED_TABLES = (conversations, conversation_intents)


def make_engine(url: str) -> Engine:
    kwargs = {"future": True}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False}
    else:
        kwargs["pool_pre_ping"] = True
    return sa.create_engine(url, **kwargs)


def init_db(engine: Engine) -> None:
    """Creates the console's tables (and the feedback table it reads) if missing."""
    from storage import conversations as storage

    storage.ensure_schema(engine)
    metadata.create_all(engine)
    _add_missing_columns(engine)
    # training examples saved before they recorded their language (or by an older process)
    from review.training import fill_languages

    fill_languages(engine)


def _missing_columns(engine: Engine) -> list:
    inspector = sa.inspect(engine)
    found = {table.name: {c["name"] for c in inspector.get_columns(table.name)}
             for table in {t for t, _ in ADDED_COLUMNS}}
    return [(table, name) for table, name in ADDED_COLUMNS if name not in found[table.name]]


def _add_missing_columns(engine: Engine) -> None:
    """ALTER TABLE ... ADD COLUMN for each column of ADDED_COLUMNS an older database lacks."""
    missing = _missing_columns(engine)
    for table, name in missing:
        ddl = sa.schema.CreateColumn(table.c[name]).compile(dialect=engine.dialect)
        try:
            with engine.begin() as connection:
                connection.execute(sa.text(f"ALTER TABLE {table.name} ADD COLUMN {ddl}"))
        except sa.exc.DBAPIError:
            # another console process added it a moment ago; anything else is a real error
            if (table, name) in _missing_columns(engine):
                raise
    for index in ADDED_INDEXES:
        if index.name not in {i["name"] for i in sa.inspect(engine).get_indexes(index.table.name)}:
            try:
                index.create(engine)
            except sa.exc.DBAPIError:
                # as above: another process made it a moment ago
                if index.name not in {i["name"] for i in sa.inspect(engine).get_indexes(index.table.name)}:
                    raise
    if any(table in DERIVED_TABLES for table, _ in missing):
        with engine.begin() as connection:
            # the refresh starts again from event id 0 and recomputes every conversation
            connection.execute(meta.delete().where(meta.c.key == "events_id"))


def database_url(app) -> str:
    return app.config.get("DATABASE_URL") or settings.load().tracker_url


def get_engine() -> Engine:
    """The app's engine, made on first use (not at import) and shared by every request."""
    app = current_app._get_current_object()
    engine = app.extensions.get("review_engine")
    if engine is None:
        engine = make_engine(database_url(app))
        init_db(engine)
        app.extensions["review_engine"] = engine
    return engine


def conn():
    """One connection per request, closed by teardown."""
    if "review_conn" not in g:
        g.review_conn = get_engine().connect()
    return g.review_conn


def close_conn(_exc=None) -> None:
    connection = g.pop("review_conn", None)
    if connection is not None:
        connection.close()
