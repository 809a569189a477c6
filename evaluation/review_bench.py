"""Benchmark: the console's list and filters at 100 000 conversations in a temporary SQLite db.

    python -m evaluation.review_bench [--conversations 100000] [--repeat 20] [--keep DIR] [--postgres]

--postgres runs the same against a throw-away PostgreSQL server (cluster/postgres.py).

Generates synthetic conversations in Rasa's events format, builds the summary table, then
times whole requests through Flask (query + template) for the first page, a deep page and
several filters, and one query that computes the first page straight from `events` without
the summary table, to show why the summary exists. Prints figures; asserts nothing.
"""
from __future__ import annotations

import argparse
import re
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

from evaluation import synthetic_conversations as synthetic
from review import create_app, db, summary, users
from storage import conversations as storage

INSERT_BATCH = 50_000
FEEDBACK_EVERY = 20  # one conversation in 20 gets a thumbs down
PASSWORD = "benchmark-password-1"
FILTERS = [
    ("første side", "/"),
    ("filter: ikke forstått", "/?fallback=1"),
    ("filter: sikker krise + ikke gjennomgått", "/?sure=1&unreviewed=1"),
    ("filter: usikker krise", "/?unsure=1"),
    ("filter: merket oversett krise (ingen)", "/?missed=1"),
    ("filter: negativ tilbakemelding", "/?negative=1"),
    ("filter: intensjon goodbye", "/?intent=goodbye"),
    ("filter: lav sikkerhet + voksne", "/?low=1&route=adult"),
    ("filter: dato (7 dager)", None),  # filled in from the data's time span
    ("søk: «bussbillett»", "/?q=bussbillett"),
    ("søk uten treff: «zzzz»", "/?q=zzzz"),
    ("statistikk (30 dager)", "/stats/"),
]


def _timed(client, path: str, repeat: int) -> tuple[float, float, int]:
    times = []
    status = 0
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        status = response.status_code
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1 if len(times) > 1 else 0], status


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--keep", help="keep the database in this directory")
    parser.add_argument("--postgres", action="store_true", help="a throw-away PostgreSQL instead of SQLite")
    args = parser.parse_args()
    if args.postgres:
        from cluster.postgres import running_postgres

        with running_postgres() as server:
            run(args, server.url)
    else:
        run(args, None)


def run(args, postgres_url) -> None:
    workdir = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="review-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    url = postgres_url or f"sqlite:///{workdir / 'tracker.db'}"
    engine = db.make_engine(url)
    try:
        print(f"Database: {'PostgreSQL' if postgres_url else workdir / 'tracker.db'}")
        synthetic.create_events_table(engine)
        db.init_db(engine)
        start_time = time.time() - args.conversations * 60.0
        t0 = time.perf_counter()
        batch, events = [], 0
        for conversation in synthetic.generate(args.conversations, start_time, seed=42):
            batch.extend(conversation)
            if len(batch) >= INSERT_BATCH:
                synthetic.insert(engine, batch)
                events += len(batch)
                batch = []
        if batch:
            synthetic.insert(engine, batch)
            events += len(batch)
        feedback = [
            {"sender_id": f"synthetic-{n:07d}", "rating": "down", "bot_text": "Her er svaret.",
             "bot_event_timestamp": None, "created_at": time.time()}
            for n in range(0, args.conversations, FEEDBACK_EVERY)
        ]
        with engine.begin() as connection:
            connection.execute(storage.feedback_table.insert(), feedback)
        size = "" if postgres_url else f" ({(workdir / 'tracker.db').stat().st_size / 1e6:.0f} MB)"
        print(f"Generated {args.conversations} conversations, {events} event rows, "
              f"{len(feedback)} feedback rows in {time.perf_counter() - t0:.1f} s{size}")

        t0 = time.perf_counter()
        summary.refresh(engine, "Europe/Oslo", force=True)
        print(f"Summary built from scratch in {time.perf_counter() - t0:.1f} s")

        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "SESSION_COOKIE_SECURE": False})
        if postgres_url:
            with engine.connect() as connection:  # fresh statistics, as autovacuum would give
                connection.execution_options(isolation_level="AUTOCOMMIT").execute(sa.text("ANALYZE"))
        with engine.begin() as connection:
            users.create_user(connection, "bench", PASSWORD, "admin")
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        client.post("/login", data={"username": "bench", "password": PASSWORD, "csrf_token": token})

        # requests are timed without the periodic refresh; it is timed on its own below
        interval = summary.MIN_REFRESH_INTERVAL_SECONDS
        summary.MIN_REFRESH_INTERVAL_SECONDS = 1e9
        summary.refresh(engine, "Europe/Oslo", force=True)
        from datetime import datetime, timedelta
        from zoneinfo import ZoneInfo

        last_day = datetime.fromtimestamp(time.time(), ZoneInfo("Europe/Oslo")).date()
        paths = [(label, path or f"/?from={last_day - timedelta(days=6)}&to={last_day}")
                 for label, path in FILTERS]
        # a deep page: follow "next" up to 200 times, then time that page
        path = "/"
        hops = min(200, args.conversations // app.config["PAGE_SIZE"] // 2)
        for _ in range(hops):
            html = client.get(path).get_data(as_text=True)
            found = re.search(r'href="([^"]*after=[^"]*)" rel="next"', html)
            path = found.group(1).replace("&amp;", "&")
        paths.insert(1, (f"side {hops + 1} (keyset)", path))
        first = client.get("/").get_data(as_text=True)
        sender = re.search(r'/conversations/view\?id=([\w-]+)', first).group(1)
        paths.append(("samtale (transkripsjon)", f"/conversations/view?id={sender}"))

        print(f"\nWhole requests through Flask, {args.repeat} runs each (ms):")
        print(f"  {'side':40s} {'median':>8s} {'p95':>8s}  status")
        for label, path in paths:
            median, p95, status = _timed(client, path, args.repeat)
            print(f"  {label:40s} {median:8.1f} {p95:8.1f}  {status}")

        # the same first page straight from events, without the summary table
        fallbacks = "SUM(CASE WHEN intent_name = 'nlu_fallback' THEN 1 ELSE 0 END)"
        query = sa.text(
            "SELECT sender_id, MIN(timestamp) AS started, "
            "SUM(CASE WHEN type_name = 'user' THEN 1 ELSE 0 END) AS turns, "
            f"{fallbacks} AS fallbacks "
            f"FROM events GROUP BY sender_id HAVING {fallbacks} > 0 ORDER BY started DESC LIMIT 50")
        t0 = time.perf_counter()
        with engine.connect() as connection:
            connection.execute(query).all()
        print(f"\nWithout the summary table: 'ikke forstått' first page aggregated from events "
              f"in {(time.perf_counter() - t0) * 1000:.0f} ms (one run, query only)")

        new_rows = []
        for conversation in synthetic.generate(100, time.time(), seed=7):
            new_rows.extend(
                dict(r, sender_id=r["sender_id"].replace("synthetic", "late")) for r in conversation)
        synthetic.insert(engine, new_rows)
        t0 = time.perf_counter()
        summary.refresh(engine, "Europe/Oslo", force=True)
        print(f"Incremental refresh after 100 new conversations ({len(new_rows)} events), "
              f"prune included: {(time.perf_counter() - t0) * 1000:.0f} ms")
        t0 = time.perf_counter()
        summary.prune(engine)
        print(f"Prune of conversations deleted elsewhere alone: {(time.perf_counter() - t0) * 1000:.0f} ms")
        summary._last_refresh.clear()
        summary.MIN_REFRESH_INTERVAL_SECONDS = 0
        t0 = time.perf_counter()
        summary.refresh(engine, "Europe/Oslo")
        print(f"Refresh with nothing new (what a page pays every "
              f"{interval:.0f} s): {(time.perf_counter() - t0) * 1000:.0f} ms")
    finally:
        engine.dispose()
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
