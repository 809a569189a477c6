"""A throw-away PostgreSQL server for tests: its own cluster in a temp dir, on a free loopback port.

    from tests.support.postgres import postgres_server  # in a conftest.py: the pytest fixture

    def test_something(postgres_server):
        engine = sqlalchemy.create_engine(postgres_server.url)       # database "forlop_test"
        url = postgres_server.create_database()                      # or a fresh one per test
        monkeypatch.setenv(...) for k, v in postgres_server.env().items()  # TRACKER_* variables

Outside pytest: `with cluster.postgres.running_postgres() as pg: ...` (which this fixture uses;
the cluster is stopped and deleted afterwards). The fixture skips with the reason when
Debian's `postgresql` package is missing.
"""
from __future__ import annotations

from typing import Iterator

import pytest

from cluster.postgres import (  # noqa: F401  (re-exported: tests import them from here)
    PostgresInstance,
    PostgresServer,
    PostgresUnavailable,
    find_bin_dir,
    running_postgres,
    server_account,
)


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
