"""Fixtures shared by every test folder."""
from tests.support.postgres import postgres_server  # noqa: F401  (one PostgreSQL server per session)
