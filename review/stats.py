"""The statistics page: figures from the summary table, charts drawn by matplotlib as SVG.

Charts are drawn on the server so the console runs no JavaScript; every chart has the same
figures beside it as a table, for screen readers and for copying.
"""
from __future__ import annotations

import io
import threading
from collections import OrderedDict
from datetime import date, datetime, timedelta
from typing import Any, Dict, List, Sequence, Tuple
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Blueprint, Response, abort, current_app, render_template, request

from review import db, listing, scope
from review.auth import login_required
from review.conversations import refresh_summary
from review.events import ROUTE_LABELS, ROUTES

bp = Blueprint("stats", __name__, url_prefix="/stats")

DEFAULT_DAYS = 30
MAX_DAYS = 366
TOP_INTENTS = 15
CHART_CACHE_SIZE = 64
# Colours with at least 3:1 contrast against white (WCAG 1.4.11, non-text contrast)
BLUE, GREEN, RED, GREY, ORANGE = "#1f4e79", "#2e6b30", "#b71c1c", "#595959", "#a04000"
ROUTE_COLOURS = {"child": BLUE, "adult": GREEN, "crisis": RED, "none": GREY}
CHARTS = {
    "per_day": "Samtaler per dag",
    "intents": "Vanligste intensjoner",
    "fallback": "Andel meldinger boten ikke forstod, per dag",
    "routes": "Samtaler per forløp",
    "feedback": "Tilbakemeldinger fra innbyggere",
}

_chart_cache: "OrderedDict[tuple, bytes]" = OrderedDict()
_chart_lock = threading.Lock()  # pyplot is not thread-safe


def _range(args) -> Tuple[date, date, List[str]]:
    errors: List[str] = []
    today = datetime.now(ZoneInfo(current_app.config["TIMEZONE"])).date()
    start = listing.parse_date(args.get("from", ""), "Fra-dato", errors)
    end = listing.parse_date(args.get("to", ""), "Til-dato", errors)
    end = end or today
    start = start or end - timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        errors.append("Fra-dato må være før til-dato.")
        start = end - timedelta(days=DEFAULT_DAYS - 1)
    if (end - start).days >= MAX_DAYS:
        start = end - timedelta(days=MAX_DAYS - 1)
        errors.append(f"Perioden er kortet ned til {MAX_DAYS} dager.")
    return start, end, errors


def _municipality(args) -> Tuple[str, List[str]]:
    """The chosen municipality ("" for all the user's) and what was wrong with the choice."""
    errors: List[str] = []
    return listing.parse_municipality(args, scope.options(), errors), errors


def figures(connection, start: date, end: date, timezone: str, within: Sequence[Any] = ()) -> Dict[str, Any]:
    """The page's figures over conversations started in the period; `within` narrows them
    (conditions on the summary: the user's municipalities, a chosen one)."""
    zone = ZoneInfo(timezone)
    lo = listing.day_start(start, zone)
    hi = listing.day_start(end + timedelta(days=1), zone)
    c, i = db.conversations, db.conversation_intents
    in_range = (c.c.started_at >= lo, c.c.started_at < hi, *within)
    per_day_rows = connection.execute(
        sa.select(c.c.started_day, sa.func.count(), sa.func.sum(c.c.turns), sa.func.sum(c.c.fallbacks))
        .where(*in_range).group_by(c.c.started_day)).all()
    by_day = {r[0]: r for r in per_day_rows}
    days, per_day, fallback_rate = [], [], []
    day = start
    while day <= end:
        key = day.isoformat()
        row = by_day.get(key)
        days.append(key)
        per_day.append(row[1] if row else 0)
        fallback_rate.append((row[3] or 0) / row[2] if row and row[2] else 0.0)
        day += timedelta(days=1)
    totals = connection.execute(
        sa.select(sa.func.count(), sa.func.sum(c.c.turns), sa.func.sum(c.c.fallbacks),
                  sa.func.sum(sa.case((c.c.crisis.is_(True), 1), else_=0)),
                  sa.func.sum(c.c.feedback_up), sa.func.sum(c.c.feedback_down))
        .where(*in_range)).first()
    routes = dict(connection.execute(
        sa.select(c.c.route, sa.func.count()).where(*in_range).group_by(c.c.route)).all())
    intents_query = sa.select(i.c.intent, sa.func.sum(i.c.messages).label("n"))
    if within:
        intents_query = intents_query.select_from(i.join(c, c.c.sender_id == i.c.sender_id)).where(*in_range)
    else:
        intents_query = intents_query.where(i.c.started_at >= lo, i.c.started_at < hi)
    intents = connection.execute(
        intents_query.group_by(i.c.intent).order_by(sa.desc("n"), i.c.intent).limit(TOP_INTENTS)).all()
    conversations, turns, fallbacks, crisis, up, down = (v or 0 for v in totals)
    return {
        "days": days, "per_day": per_day, "fallback_rate": fallback_rate,
        "conversations": conversations, "turns": turns, "fallbacks": fallbacks,
        "fallback_share": fallbacks / turns if turns else 0.0, "crisis": crisis,
        "feedback_up": up, "feedback_down": down,
        "routes": [(r, routes.get(r, 0)) for r in ROUTES],
        "intents": [(r[0], int(r[1])) for r in intents],
    }


def per_municipality(connection, start: date, end: date, timezone: str,
                     within: Sequence[Any] = ()) -> List[Dict[str, Any]]:
    """Key figures of each municipality in the period (the ones `within` lets through)."""
    zone = ZoneInfo(timezone)
    c = db.conversations
    rows = connection.execute(
        sa.select(c.c.municipality, sa.func.count(), sa.func.sum(c.c.turns), sa.func.sum(c.c.fallbacks),
                  sa.func.sum(sa.case((c.c.crisis.is_(True), 1), else_=0)),
                  sa.func.sum(c.c.feedback_up), sa.func.sum(c.c.feedback_down))
        .where(c.c.started_at >= listing.day_start(start, zone),
               c.c.started_at < listing.day_start(end + timedelta(days=1), zone), *within)
        .group_by(c.c.municipality).order_by(c.c.municipality)).all()
    found = {r[0]: r for r in rows}
    shown = scope.options()
    shown += sorted(set(found) - set(shown))  # an admin also sees ids that have no folder now
    table = []
    for municipality in shown:
        row = found.get(municipality)
        conversations, turns, fallbacks, crisis, up, down = (
            (v or 0 for v in row[1:]) if row else (0, 0, 0, 0, 0, 0))
        table.append({"municipality": municipality, "conversations": conversations, "turns": turns,
                      "fallbacks": fallbacks, "fallback_share": fallbacks / turns if turns else 0.0,
                      "crisis": crisis, "feedback_up": up, "feedback_down": down})
    return table


def _draw(name: str, data: Dict[str, Any]) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator, PercentFormatter

    figure = Figure(figsize=(8, 3.6), dpi=100)
    axes = figure.subplots()
    axes.spines[["top", "right"]].set_visible(False)
    if name == "per_day":
        labels = [d[8:10] + "." + d[5:7] for d in data["days"]]
        axes.bar(labels, data["per_day"], color=BLUE)
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_ylabel("Samtaler")
    elif name == "fallback":
        labels = [d[8:10] + "." + d[5:7] for d in data["days"]]
        axes.plot(labels, data["fallback_rate"], color=ORANGE, marker="o", linewidth=2)
        axes.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        axes.set_ylim(bottom=0)
        axes.set_ylabel("Andel meldinger")
    elif name == "intents":
        names = [n for n, _ in data["intents"]][::-1]
        axes.barh(names, [v for _, v in data["intents"]][::-1], color=BLUE)
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_xlabel("Meldinger")
        figure.set_size_inches(8, max(3.0, 0.32 * len(names) + 1))
    elif name == "routes":
        axes.bar([ROUTE_LABELS[r] for r, _ in data["routes"]], [v for _, v in data["routes"]],
                 color=[ROUTE_COLOURS[r] for r, _ in data["routes"]])
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_ylabel("Samtaler")
    elif name == "feedback":
        axes.bar(["Tommel opp", "Tommel ned"], [data["feedback_up"], data["feedback_down"]],
                 color=[GREEN, RED])
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_ylabel("Tilbakemeldinger")
    if name in ("per_day", "fallback"):
        step = max(1, len(data["days"]) // 15)
        for n, label in enumerate(axes.get_xticklabels()):
            label.set_visible(n % step == 0)
        axes.tick_params(axis="x", labelrotation=45)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


@bp.route("/")
@login_required
def index():
    refresh_summary()
    start, end, errors = _range(request.args)
    municipality, wrong = _municipality(request.args)
    within = scope.conditions()
    timezone = current_app.config["TIMEZONE"]
    with db.get_engine().connect() as connection:
        data = figures(connection, start, end, timezone, within + _chosen(municipality))
        table = per_municipality(connection, start, end, timezone, within)
    return render_template("stats/index.html", data=data, start=start, end=end, errors=errors + wrong,
                           charts=CHARTS, route_labels=ROUTE_LABELS, municipality=municipality,
                           municipalities=scope.options(), per_municipality=table)


def _chosen(municipality: str) -> List[Any]:
    return [db.conversations.c.municipality == municipality] if municipality else []


@bp.route("/chart/<name>.svg")
@login_required
def chart(name: str):
    if name not in CHARTS:
        abort(404)
    start, end, _ = _range(request.args)
    municipality, _ = _municipality(request.args)
    with db.get_engine().connect() as connection:
        data = figures(connection, start, end, current_app.config["TIMEZONE"],
                       scope.conditions() + _chosen(municipality))
    key = (name, repr(sorted(data.items())))
    with _chart_lock:
        svg = _chart_cache.get(key)
        if svg is None:
            svg = _draw(name, data)
            _chart_cache[key] = svg
            while len(_chart_cache) > CHART_CACHE_SIZE:
                _chart_cache.popitem(last=False)
    return Response(svg, mimetype="image/svg+xml")
