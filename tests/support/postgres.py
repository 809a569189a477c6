"""A throw-away PostgreSQL server for tests: its own cluster in a temp dir, on a free loopback port.

    from tests.support.postgres import postgres_server  # in a conftest.py: the pytest fixture

    def test_something(postgres_server):
        engine = sqlalchemy.create_engine(postgres_server.url)       # database "forlop_test"
        url = postgres_server.create_database()                      # or a fresh one per test
        monkeypatch.setenv(...) for k, v in postgres_server.env().items()  # TRACKER_* variables

Outside pytest: `with running_postgres() as pg: ...`. Needs Debian's `postgresql` package
(initdb and pg_ctl in /usr/lib/postgresql/<version>/bin, or PG_BIN); the fixture skips with
the reason when they are missing. PostgreSQL refuses to run as root, so as root the server
runs as the `postgres` OS user (runuser). The cluster is stopped and deleted afterwards.
"""
from __future__ import annotations

import contextlib
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, List, Optional

import pytest

DEFAULT_USER = "forlop"
DEFAULT_PASSWORD = "forlop-test-password"  # a throw-away cluster on loopback only
DEFAULT_DB = "forlop_test"
OS_USER = "postgres"  # the Debian package's account; used when the tests run as root
START_TIMEOUT_SECONDS = 60
START_ATTEMPTS = 3  # a free port can be taken between choosing and binding it

_database_numbers = itertools.count(1)


class PostgresUnavailable(RuntimeError):
    """The PostgreSQL server binaries (or an account to run them) are missing."""


@dataclass(frozen=True)
class PostgresServer:
    host: str
    port: int
    user: str
    password: str
    db: str
    data_dir: Optional[Path] = None  # the cluster's files (tests may scan them for leaked text)

    @property
    def url(self) -> str:
        """SQLAlchemy URL of the default database."""
        return self.url_for(self.db)

    def url_for(self, db: str) -> str:
        return f"postgresql://{self.user}:{self.password}@{self.host}:{self.port}/{db}"

    def env(self, db: Optional[str] = None) -> Dict[str, str]:
        """The TRACKER_* variables settings.load() reads, pointing at this server."""
        return {
            "TRACKER_DIALECT": "postgresql",
            "TRACKER_HOST": self.host,
            "TRACKER_PORT": str(self.port),
            "TRACKER_USER": self.user,
            "TRACKER_PASSWORD": self.password,
            "TRACKER_DB": db or self.db,
        }

    def create_database(self, name: Optional[str] = None) -> str:
        """Creates an empty database (a fresh one per test) and returns its SQLAlchemy URL."""
        import psycopg2

        name = name or f"test_{os.getpid()}_{next(_database_numbers)}"
        connection = psycopg2.connect(
            host=self.host, port=self.port, user=self.user, password=self.password, dbname="postgres"
        )
        try:
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute(f'CREATE DATABASE "{name}"')
        finally:
            connection.close()
        return self.url_for(name)


def find_bin_dir() -> Path:
    """The directory with initdb and pg_ctl: $PG_BIN, the newest Debian version, or PATH."""
    candidates: List[Path] = []
    if os.environ.get("PG_BIN"):
        candidates.append(Path(os.environ["PG_BIN"]))
    candidates.extend(
        sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: _version(p.parent.name), reverse=True)
    )
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(Path(on_path).parent)
    for candidate in candidates:
        if (candidate / "initdb").exists() and (candidate / "pg_ctl").exists():
            return candidate
    raise PostgresUnavailable(
        "PostgreSQL server binaries (initdb, pg_ctl) not found: install Debian's `postgresql` "
        "package (apt-get install postgresql) or set PG_BIN"
    )


def _version(name: str) -> float:
    try:
        return float(name)
    except ValueError:
        return 0.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_server_user(command: List[str]) -> List[str]:
    if os.geteuid() != 0:
        return command
    try:
        pwd.getpwnam(OS_USER)
    except KeyError:
        raise PostgresUnavailable(
            f"running as root and there is no `{OS_USER}` OS user to run PostgreSQL as"
        ) from None
    runuser = shutil.which("runuser")
    if runuser:
        return [runuser, "-u", OS_USER, "--", *command]
    return ["su", OS_USER, "-s", "/bin/sh", "-c", " ".join(_quote(part) for part in command)]


def _quote(part: str) -> str:
    import shlex

    return shlex.quote(part)


def _run(command: List[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(_as_server_user(command), capture_output=True, text=True, **kwargs)


@contextlib.contextmanager
def running_postgres(
    user: str = DEFAULT_USER, password: str = DEFAULT_PASSWORD, db: str = DEFAULT_DB
) -> Iterator[PostgresServer]:
    """Starts a new cluster on a free loopback port; stops and deletes it on exit."""
    bin_dir = find_bin_dir()
    # not under pytest's tmp_path: that is private to root, and the server may run as `postgres`
    root = Path(tempfile.mkdtemp(prefix="forlop-pg-"))
    data, log = root / "data", root / "server.log"
    started = False
    try:
        root.chmod(0o700)
        if os.geteuid() == 0:
            _as_server_user(["true"])  # raises PostgresUnavailable without the account
            account = pwd.getpwnam(OS_USER)
            os.chown(root, account.pw_uid, account.pw_gid)
        password_file = root / "password"
        password_file.write_text(password + "\n")
        if os.geteuid() == 0:
            os.chown(password_file, account.pw_uid, account.pw_gid)
        result = _run([
            str(bin_dir / "initdb"), "-D", str(data), "-U", user, f"--pwfile={password_file}",
            "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8",
            "--no-sync",
        ])
        if result.returncode != 0:
            raise RuntimeError(f"initdb failed:\n{result.stdout}\n{result.stderr}")
        password_file.unlink()

        for _attempt in range(START_ATTEMPTS):
            port = _free_port()
            options = (
                f"-p {port} -c listen_addresses=127.0.0.1 -k {root} "
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"  # throw-away data
            )
            result = _run(
                [str(bin_dir / "pg_ctl"), "start", "-w", "-t", str(START_TIMEOUT_SECONDS),
                 "-D", str(data), "-l", str(log), "-o", options],
            )
            if result.returncode == 0:
                started = True
                break
        if not started:
            server_log = log.read_text() if log.exists() else ""
            raise RuntimeError(f"pg_ctl start failed:\n{result.stdout}\n{result.stderr}\n{server_log[-4000:]}")

        server = PostgresServer("127.0.0.1", port, user, password, db, data_dir=data)
        server.create_database(db)
        yield server
    finally:
        if started:
            _run([str(bin_dir / "pg_ctl"), "stop", "-m", "fast", "-w", "-D", str(data)])
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One PostgreSQL server for the test session; skips when PostgreSQL is not installed."""
    try:
        find_bin_dir()
        _as_server_user(["true"])
    except PostgresUnavailable as reason:
        pytest.skip(str(reason))
    with running_postgres() as server:
        yield server
