"""A throw-away PostgreSQL server for tests: its own cluster in a temp dir, on a free loopback port.

    from tests.support.postgres import postgres_server  # in a conftest.py: the pytest fixture

    def test_something(postgres_server):
        engine = sqlalchemy.create_engine(postgres_server.url)       # database "forlop_test"
        url = postgres_server.create_database()                      # or a fresh one per test
        monkeypatch.setenv(...) for k, v in postgres_server.env().items()  # TRACKER_* variables

Outside pytest: `with running_postgres() as pg: ...`. The server itself is started by
cluster/postgres.py (production code must not import tests/); this adds the temporary
directory, the test credentials and the fixture, which skips with the reason when Debian's
`postgresql` package is missing. The cluster is stopped and deleted afterwards.
"""
from __future__ import annotations

import contextlib
import shutil
import tempfile
from pathlib import Path
from typing import Iterator

import pytest

from cluster.ports import free_port
from cluster.postgres import (  # noqa: F401  (re-exported: tests import them from here)
    PostgresInstance,
    PostgresServer,
    PostgresUnavailable,
    find_bin_dir,
    server_account,
)
from cluster.process import PortInUse, Service

DEFAULT_USER = "forlop"
DEFAULT_PASSWORD = "forlop-test-password"  # a throw-away cluster on loopback only
DEFAULT_DB = "forlop_test"
START_ATTEMPTS = 3  # a free port can be taken between choosing and binding it


@contextlib.contextmanager
def running_postgres(
    user: str = DEFAULT_USER, password: str = DEFAULT_PASSWORD, db: str = DEFAULT_DB
) -> Iterator[PostgresServer]:
    """Starts a new cluster on a free loopback port; stops and deletes it on exit."""
    # not under pytest's tmp_path: that is private to root, and the server may run as `postgres`
    root = Path(tempfile.mkdtemp(prefix="forlop-pg-"))
    service: Service | None = None
    try:
        for attempt in range(1, START_ATTEMPTS + 1):
            instance = PostgresInstance(root, free_port(), user, password, db, durable=False)
            instance.initialise()
            service = instance.service(root / "server.log")
            try:
                service.start()
                break
            except PortInUse:
                if attempt == START_ATTEMPTS:
                    raise
        instance.server.create_database(db)
        yield instance.server
    finally:
        if service is not None:
            service.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One PostgreSQL server for the test session; skips when PostgreSQL is not installed."""
    try:
        find_bin_dir()
        server_account()
    except PostgresUnavailable as reason:
        pytest.skip(str(reason))
    with running_postgres() as server:
        yield server
