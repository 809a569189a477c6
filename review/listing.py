"""The conversation list's filters and keyset paging, as SQL over the summary table.

Kept apart from the views so the benchmark and the exports build exactly the same query.
Paging is by (started_at, sender_id), newest first, over an index: a page costs the same
whether it is the first or the thousandth.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date, datetime, time as dtime, timedelta
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from review import db
from review.events import LANGUAGES, ROUTES
from review.crisis_marks import LABELS as MARK_LABELS
from review.verdicts import SURE, UNSURE

c = db.conversations
SEARCH_MAX_CHARS = 200
CURSOR_SEPARATOR = "~"
# Each flag narrows the list (they combine with AND), except within a group below
FILTER_FLAGS = ("fallback", "low", "negative", "unreviewed", "sure", "unsure", "missed", "false_alarm")
# Checked boxes of one group are alternatives: "sure" and "unsure" together show both levels
LEVEL_FLAGS = {"sure": SURE, "unsure": UNSURE}  # flag -> the conversation's crisis_level
MARK_FLAGS = {name: name for name in MARK_LABELS}  # flag -> a mark's label
OLD_FLAG_NAMES = {"crisis": "sure"}  # ?crisis=1 in saved links meant a sure crisis, as now
# Dates outside these years are typing errors; near date.min and date.max the list's "+1 day"
# and the statistics' "-30 days" overflow
FIRST_YEAR, LAST_YEAR = 2000, 2999
NO_LANGUAGE = "none"  # the language filter's value for conversations without a language slot


@dataclass
class Filters:
    date_from: Optional[date] = None
    date_to: Optional[date] = None
    intent: str = ""
    route: str = ""
    tag: str = ""
    q: str = ""
    municipality: str = ""
    language: str = ""  # nb, nn, en or NO_LANGUAGE
    flags: Dict[str, bool] = field(default_factory=dict)
    errors: List[str] = field(default_factory=list)

    def query_args(self) -> Dict[str, str]:
        """The filters as query-string arguments, for links to other pages and exports."""
        args = {
            "from": self.date_from.isoformat() if self.date_from else "",
            "to": self.date_to.isoformat() if self.date_to else "",
            "intent": self.intent, "route": self.route, "tag": self.tag, "q": self.q,
            "municipality": self.municipality, "language": self.language,
        }
        args.update({name: "1" for name, on in self.flags.items() if on})
        return {k: v for k, v in args.items() if v}


def parse_date(value: str, label: str, errors: List[str]) -> Optional[date]:
    value = (value or "").strip()
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        errors.append(f"{label} må være en dato (ÅÅÅÅ-MM-DD).")
        return None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        errors.append(f"{label} må være en dato mellom år {FIRST_YEAR} og {LAST_YEAR}.")
        return None
    return day


def _flag(args: Mapping[str, str], name: str) -> bool:
    return args.get(name) in ("1", "on", "true")


def parse_municipality(args: Mapping[str, str], municipalities: Optional[Sequence[str]],
                       errors: List[str]) -> str:
    """The municipality filter, only one of `municipalities` (the user's; None: any)."""
    value = (args.get("municipality") or "").strip()
    if value and municipalities is not None and value not in municipalities:
        errors.append("Velg en kommune fra listen.")
        return ""
    return value[:64]


def parse_filters(args: Mapping[str, str], municipalities: Optional[Sequence[str]] = None) -> Filters:
    errors: List[str] = []
    filters = Filters(
        date_from=parse_date(args.get("from", ""), "Fra-dato", errors),
        date_to=parse_date(args.get("to", ""), "Til-dato", errors),
        intent=(args.get("intent") or "").strip()[:255],
        route=(args.get("route") or "").strip() if args.get("route") in ROUTES else "",
        tag=(args.get("tag") or "").strip().lower()[:40],
        q=(args.get("q") or "").strip()[:SEARCH_MAX_CHARS],
        municipality=parse_municipality(args, municipalities, errors),
        # only a known value; anything else is no filter, as for the route
        language=args.get("language") if args.get("language") in LANGUAGES + (NO_LANGUAGE,) else "",
        flags={name: _flag(args, name) for name in FILTER_FLAGS},
    )
    for old, new in OLD_FLAG_NAMES.items():
        filters.flags[new] = filters.flags[new] or _flag(args, old)
    filters.errors = errors
    return filters


def day_start(day: date, zone: ZoneInfo) -> float:
    return datetime.combine(day, dtime.min, tzinfo=zone).timestamp()


def _like_pattern(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def conditions(filters: Filters, timezone: str, low_confidence: float) -> List[Any]:
    zone = ZoneInfo(timezone)
    where: List[Any] = []
    if filters.date_from:
        where.append(c.c.started_at >= day_start(filters.date_from, zone))
    if filters.date_to:
        where.append(c.c.started_at < day_start(filters.date_to + timedelta(days=1), zone))
    if filters.intent:
        # EXISTS probes the primary key while walking the started_at index; IN (subquery)
        # made SQLite collect every matching id and sort them (0.1 ms against 90 ms at 100 000)
        i = db.conversation_intents
        where.append(sa.exists().where(i.c.sender_id == c.c.sender_id, i.c.intent == filters.intent))
    if filters.route:
        where.append(c.c.route == filters.route)
    if filters.municipality:
        where.append(c.c.municipality == filters.municipality)
    if filters.language == NO_LANGUAGE:
        where.append(c.c.language.is_(None))
    elif filters.language:
        where.append(c.c.language == filters.language)
    if filters.tag:
        t = db.tags
        where.append(sa.exists().where(t.c.sender_id == c.c.sender_id, t.c.tag == filters.tag))
    if filters.q:
        where.append(c.c.search_text.like(_like_pattern(filters.q), escape="\\"))
    flags = filters.flags
    if flags.get("fallback"):
        where.append(c.c.fallbacks > 0)
    if flags.get("low"):
        where.append(c.c.min_confidence < low_confidence)
    levels = [level for name, level in LEVEL_FLAGS.items() if flags.get(name)]
    if levels:
        where.append(c.c.crisis_level.in_(levels))
    labels = [label for name, label in MARK_FLAGS.items() if flags.get(name)]
    if labels:
        # IN, unlike the intent filter: marks are few (made by hand), so the query starts from
        # them and looks the conversations up; EXISTS walked all 100 000 (0.3 ms against 16 ms)
        m = db.crisis_marks
        where.append(c.c.sender_id.in_(sa.select(m.c.sender_id).where(m.c.label.in_(labels))))
    if flags.get("negative"):
        where.append(c.c.feedback_down > 0)
    if flags.get("unreviewed"):
        s = db.review_state.alias("reviewed")  # the list query joins review_state itself
        where.append(~sa.exists().where(s.c.sender_id == c.c.sender_id))
    return where


def encode_cursor(row) -> str:
    return f"{row.started_at!r}{CURSOR_SEPARATOR}{row.sender_id}"


def decode_cursor(value: Optional[str]) -> Optional[Tuple[float, str]]:
    if not value or CURSOR_SEPARATOR not in value:
        return None
    stamp, sender_id = value.split(CURSOR_SEPARATOR, 1)
    try:
        return float(stamp), sender_id
    except ValueError:
        return None


@dataclass
class Page:
    rows: List[Any]
    next_cursor: Optional[str]
    prev_cursor: Optional[str]


def page(connection, where: List[Any], size: int, after: Optional[str] = None,
         before: Optional[str] = None) -> Page:
    """One page, newest first; `after` pages towards older, `before` back towards newer."""
    s = db.review_state
    key = sa.tuple_(c.c.started_at, c.c.sender_id)
    query = (
        sa.select(c, s.c.reviewed_at, s.c.reviewed_by)
        .select_from(c.outerjoin(s, s.c.sender_id == c.c.sender_id))
        .where(*where)
    )
    after_key, before_key = decode_cursor(after), decode_cursor(before)
    if before_key:
        query = query.where(key > sa.tuple_(*before_key)).order_by(c.c.started_at, c.c.sender_id)
    else:
        if after_key:
            query = query.where(key < sa.tuple_(*after_key))
        query = query.order_by(c.c.started_at.desc(), c.c.sender_id.desc())
    rows = connection.execute(query.limit(size + 1)).all()
    more = len(rows) > size
    rows = rows[:size]
    if before_key:
        rows.reverse()
        has_newer, has_older = more, True
    else:
        has_newer, has_older = after_key is not None, more
    return Page(
        rows=rows,
        next_cursor=encode_cursor(rows[-1]) if rows and has_older else None,
        prev_cursor=encode_cursor(rows[0]) if rows and has_newer else None,
    )


def tags_for(connection, sender_ids: List[str]) -> Dict[str, List[str]]:
    if not sender_ids:
        return {}
    t = db.tags
    found: Dict[str, List[str]] = {}
    for sender_id, tag in connection.execute(
        sa.select(t.c.sender_id, t.c.tag).where(t.c.sender_id.in_(sender_ids)).order_by(t.c.tag)
    ):
        found.setdefault(sender_id, []).append(tag)
    return found


KNOWN_INTENTS_TTL_SECONDS = 60.0  # a DISTINCT over every conversation's intents: ~20 ms at 100 000
_known_intents: Dict[Tuple[str, Any], Tuple[float, List[str]]] = {}


def known_intents(connection, within: Sequence[Any] = (), scope_key: Any = None) -> List[str]:
    """Every intent that occurs in a conversation, for the filter; cached for a minute.

    With `within` (conditions on the summary) only those conversations' intents, cached per
    `scope_key` (the user's municipalities)."""
    key = (str(connection.engine.url), scope_key)
    cached = _known_intents.get(key)
    now = time.monotonic()
    if cached and now - cached[0] < KNOWN_INTENTS_TTL_SECONDS:
        return cached[1]
    i = db.conversation_intents
    query = sa.select(i.c.intent).distinct().order_by(i.c.intent)
    if within:
        query = query.select_from(i.join(c, c.c.sender_id == i.c.sender_id)).where(*within)
    names = [r[0] for r in connection.execute(query)]
    _known_intents[key] = (now, names)
    return names


def known_tags(connection, within: Sequence[Any] = ()) -> List[str]:
    """The tags in use, for the filter; with `within` (conditions on the summary) only the tags
    of those conversations, so a tag never tells of a conversation the user may not see."""
    t = db.tags
    query = sa.select(t.c.tag).distinct().order_by(t.c.tag)
    if within:
        query = query.select_from(t.join(c, c.c.sender_id == t.c.sender_id)).where(*within)
    return [r[0] for r in connection.execute(query)]
