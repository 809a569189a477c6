"""A Redis server of our own for Rasa's lock store: foreground, loopback only, no persistence.

Persistence is off on purpose. Redis holds only the lock store's tickets, which live for
seconds (a message being handled). A snapshot restored after a restart would bring back
tickets of messages that are long finished or lost with a crashed Rasa server, and
conversations would wait for those stale tickets to expire; an empty Redis after a restart is
the correct state. Nothing else is kept in Redis.
"""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import List

from cluster.process import Service

START_TIMEOUT_SECONDS = 30
SOCKET_TIMEOUT_SECONDS = 2


class RedisUnavailable(RuntimeError):
    """redis-server is not installed."""


def find_redis_server() -> str:
    path = shutil.which("redis-server") or ("/usr/bin/redis-server" if Path("/usr/bin/redis-server").exists() else None)
    if path is None:
        raise RedisUnavailable("redis-server not found: install Debian's `redis-server` package")
    return path


class RedisInstance:
    def __init__(self, root: Path, port: int) -> None:
        self.root = root
        self.port = port
        self.binary = find_redis_server()

    def command(self) -> List[str]:
        self.root.mkdir(parents=True, exist_ok=True)
        return [
            self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--protected-mode", "yes",
            "--daemonize", "no", "--save", "", "--appendonly", "no", "--dir", str(self.root),
            "--logfile", "",  # to stdout, which the launcher writes to the log file
        ]

    def is_ready(self) -> bool:
        import redis

        with redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=SOCKET_TIMEOUT_SECONDS) as client:
            return bool(client.ping())

    def service(self, log: Path, name: str = "redis") -> Service:
        return Service(name, self.command, log, self.is_ready, start_timeout=START_TIMEOUT_SECONDS)
