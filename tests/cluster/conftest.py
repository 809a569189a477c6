"""One cluster for the tests of this folder: PostgreSQL, Redis, 2 action servers, 2 Rasa
servers, nginx, the demo page and the review console, on free loopback ports.

Starting it takes a minute or two (two Rasa servers load their model on a 2-core machine).
Needs Debian's postgresql, redis-server and nginx (CI's .ci/run installs them) and a trained
model (the test command trains one); skips with the reason otherwise.
"""
from __future__ import annotations

import itertools
import re
import shutil
import time
from pathlib import Path
from typing import Iterator, List

import pytest

from cluster.launcher import Cluster, latest_model, running_cluster
from cluster.nginx import find_nginx
from cluster.postgres import PostgresUnavailable, find_bin_dir, server_account
from cluster.redis import RedisUnavailable, find_redis_server

_ids = itertools.count()
# $upstream_addr lists every server tried: "127.0.0.1:5005, 127.0.0.1:5006" (the last answered)
LOG_WAIT_SECONDS = 5.0
UPSTREAM = re.compile(r"upstream=((?:127\.0\.0\.1:\d+)(?:, 127\.0\.0\.1:\d+)*)")


def missing_requirement() -> str | None:
    try:
        find_bin_dir()
        server_account()
        find_redis_server()
        find_nginx()
        latest_model()
    except (PostgresUnavailable, RedisUnavailable, RuntimeError) as reason:
        return str(reason)
    return None


@pytest.fixture(scope="session")
def cluster(tmp_path_factory) -> Iterator[Cluster]:
    reason = missing_requirement()
    if reason:
        pytest.skip(reason)
    with running_cluster(tmp_path_factory.mktemp("cluster")) as running:
        yield running


@pytest.fixture
def sender(request) -> str:
    """A fresh conversation id per test."""
    return f"cluster-{request.node.name[:40]}-{next(_ids)}"


class AccessLog:
    """nginx's access log from the moment this was made: which upstream served each request."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = path.stat().st_size if path.exists() else 0

    def lines(self, contains: str = "") -> List[str]:
        with self.path.open("rb") as log:
            log.seek(self.offset)
            text = log.read().decode("utf-8", "replace")
        return [line for line in text.splitlines() if contains in line]

    def upstream_ports(self, contains: str = "", at_least: int = 0) -> List[int]:
        """The server that answered each request (the last one nginx tried). nginx writes a
        request's line after the response has gone out, so a client can be faster than the
        log: with at_least, waits (up to LOG_WAIT_SECONDS) until that many lines are there."""
        deadline = time.monotonic() + LOG_WAIT_SECONDS
        while True:
            ports = [int(m.group(1).rsplit(":", 1)[1]) for line in self.lines(contains)
                     for m in [UPSTREAM.search(line)] if m]
            if len(ports) >= at_least or time.monotonic() > deadline:
                return ports
            time.sleep(0.05)


def texts(replies) -> str:
    return "\n".join(reply.get("text", "") for reply in replies)


def have_chromium() -> bool:
    return Path("/usr/bin/chromium").exists() or shutil.which("chromium") is not None
