"""The tracker store reads a conversation right after PostgreSQL restarted (no traffic meanwhile).

The cluster test (test_postgres_restart.py) shows what residents get when this fails; this is
the same fault on the store alone, in seconds. After a restart, every connection in the
store's pool belongs to the old server process. Without a liveness check at checkout
(SQLAlchemy's pool_pre_ping) the first read raises, and in the Rasa server the
FailSafeTrackerStore then answers from an empty tracker: a child is given the adults' contact.
"""
from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
from pathlib import Path
from typing import Iterator, Tuple

import pytest

from cluster.ports import free_port
from cluster.postgres import PostgresInstance, PostgresUnavailable, find_bin_dir, server_account
from cluster.process import Service

OUTAGE_SECONDS = 2
DOMAIN_YAML = "slots:\n  audience:\n    type: text\n    mappings:\n      - type: custom\n"


@pytest.fixture
def restartable_postgres() -> Iterator[Tuple[PostgresInstance, Service]]:
    try:
        find_bin_dir()
        server_account()
    except PostgresUnavailable as reason:
        pytest.skip(str(reason))
    root = Path(tempfile.mkdtemp(prefix="forlop-pg-reconnect-"))  # reachable by the postgres account
    instance = PostgresInstance(root, free_port(), db="reconnect", durable=False)
    service = instance.service(root / "server.log")
    try:
        instance.initialise()
        service.start()
        instance.server.create_database("reconnect")
        yield instance, service
    finally:
        service.stop()
        shutil.rmtree(root, ignore_errors=True)


def test_first_read_after_a_postgres_restart_returns_the_conversation(restartable_postgres, monkeypatch):
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from rasa_server.stores.masking_tracker_store import MaskingSQLTrackerStore

    instance, service = restartable_postgres
    for key, value in instance.server.env().items():
        monkeypatch.setenv(key, value)
    store = MaskingSQLTrackerStore(domain=Domain.from_yaml(DOMAIN_YAML))  # the class endpoints.yml names
    try:
        tracker = DialogueStateTracker.from_events(
            "reconnect-1", [UserUttered("sønnen min på 14 sliter"), SlotSet("audience", "child")])
        asyncio.run(store.save(tracker))
        assert asyncio.run(store.retrieve("reconnect-1")).get_slot("audience") == "child"

        service.stop()
        time.sleep(OUTAGE_SECONDS)
        service.start()

        again = asyncio.run(store.retrieve("reconnect-1"))  # raises with a stale pooled connection
        assert again is not None and again.get_slot("audience") == "child"
    finally:
        store.engine.dispose()
