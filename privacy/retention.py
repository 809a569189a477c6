"""Deletes whole conversations older than their municipality's retention period.

    python -m privacy.retention                 # once: each municipality's retention_days
                                                # (content/municipalities/<id>/), else RETENTION_DAYS
    python -m privacy.retention --days 7        # once, 7 days for every municipality
    python -m privacy.retention --every 3600    # beside the bot: sweep every hour until stopped

A conversation is deleted when its latest event is older than the period: every event row
and its feedback rows (storage.conversations.delete_older_than). Sender ids are never logged.
"""
from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
import time
from typing import Dict, Optional, Sequence

logger = logging.getLogger("privacy.retention")

MIN_INTERVAL_SECONDS = 60  # a tighter loop only loads the database


def municipality_days() -> Dict[str, int]:
    """Each municipality's retention days, from its folder."""
    from municipalities import catalogue

    return {m.id: m.retention_days for m in catalogue.load().municipalities.values()}


def sweep(days: Optional[int] = None, database_url: Optional[str] = None, now: Optional[float] = None) -> int:
    """Deletes conversations older than `days` (None: each municipality's own); returns how many."""
    import sqlalchemy as sa

    import settings
    from municipalities import catalogue
    from storage import conversations

    url = database_url or settings.load().tracker_url
    engine = sa.create_engine(url, future=True)
    try:
        if days is not None:
            return conversations.delete_older_than(engine, days, now=now)
        # a conversation without a municipality slot is the default municipality's
        default_days = catalogue.load().default.retention_days
        return conversations.delete_older_than(engine, default_days, now=now, municipality_days=municipality_days())
    finally:
        engine.dispose()


def _parse(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    import settings

    parser = argparse.ArgumentParser(prog="python -m privacy.retention", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--days", type=int, default=None,
        help="delete conversations whose latest message is older than this, in every municipality "
             "(default: each municipality's retention_days)",
    )
    parser.add_argument(
        "--every", type=float, default=None, metavar="SECONDS",
        help=f"keep running and sweep every SECONDS (at least {MIN_INTERVAL_SECONDS})",
    )
    parser.add_argument("--database-url", default=None, help="SQLAlchemy URL (default: the tracker store's)")
    args = parser.parse_args(argv)
    if args.days is not None and args.days < 0:
        parser.error("--days must be zero or more")
    if args.every is not None and args.every < MIN_INTERVAL_SECONDS:
        parser.error(f"--every must be at least {MIN_INTERVAL_SECONDS} seconds")
    return args


def _period(days: Optional[int]) -> str:
    if days is not None:
        return f"{days} day(s)"
    return ", ".join(f"{mid}: {d} day(s)" for mid, d in municipality_days().items())


def main(argv: Optional[Sequence[str]] = None) -> int:
    from privacy import log_filter

    log_filter.install()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    args = _parse(argv)
    if args.every is None:
        deleted = sweep(args.days, args.database_url)
        logger.info("deleted %d conversation(s) older than %s", deleted, _period(args.days))
        return 0

    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    logger.info("sweeping every %.0f s, retention %s", args.every, _period(args.days))
    while not stop.is_set():
        started = time.monotonic()
        try:
            deleted = sweep(args.days, args.database_url)
            logger.info("deleted %d conversation(s) older than %s", deleted, _period(args.days))
        except Exception:  # the database may be down for a while: try again next round
            logger.exception("retention sweep failed; retrying in %.0f s", args.every)
        stop.wait(max(0.0, args.every - (time.monotonic() - started)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
