"""Rasa's SQLTrackerStore configured from settings.py (SQLite by default, PostgreSQL by env).

endpoints.yml names this class, so the database is chosen by environment / .env without
editing YAML.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from sqlalchemy import event

import settings


def _fast_sqlite_commits(dbapi_connection: Any, _record: Any) -> None:
    """WAL with synchronous=NORMAL: a commit no longer waits for fsync (1.25 ms -> 0.03 ms here),
    which matters because Rasa commits on its event loop and every resident waits for it.
    A crash of the process loses nothing; a power cut can lose the last commits, never corrupt
    the file. PostgreSQL is the store for deployments that need more (README)."""
    dbapi_connection.execute("PRAGMA journal_mode=WAL")
    dbapi_connection.execute("PRAGMA synchronous=NORMAL")


class ConfiguredSQLTrackerStore(SQLTrackerStore):
    def __init__(
        self,
        domain: Optional[Domain] = None,
        event_broker: Optional[EventBroker] = None,
        **kwargs: Any,
    ) -> None:
        conf = settings.load()
        if conf.tracker_dialect == "sqlite":
            Path(conf.tracker_db).parent.mkdir(parents=True, exist_ok=True)
        super().__init__(
            domain=domain,
            dialect=conf.tracker_dialect,
            host=conf.tracker_host,
            port=conf.tracker_port,
            db=conf.tracker_db,
            username=conf.tracker_user,
            password=conf.tracker_password,
            event_broker=event_broker,
            **{k: v for k, v in kwargs.items() if k in ("login_db", "query")},
        )
        if conf.tracker_dialect == "sqlite":
            event.listen(self.engine, "connect", _fast_sqlite_commits)
            self.engine.dispose()  # connections made while Rasa created the tables get the pragmas too
