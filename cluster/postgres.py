"""A PostgreSQL server of our own: a data directory, started as a child process on loopback.

    instance = PostgresInstance(root, port)       # root holds data/ and the socket
    instance.initialise()                         # initdb, once per data directory
    service = instance.service(log)               # a cluster.process.Service: start, stop, start again
    instance.server.url                           # SQLAlchemy URL of the default database

The server is `postgres` run in the foreground (not pg_ctl), so the launcher owns its process
id and can stop it gently (SIGINT: PostgreSQL's "fast" shutdown; its SIGTERM would wait for
every pooled client to leave) or kill it, and start it again on the same data and port.
Needs Debian's `postgresql` package (or PG_BIN). PostgreSQL refuses to run as root, so as root
it runs as the `postgres` OS account, and its directory must be reachable by that account.
"""
from __future__ import annotations

import contextlib
import itertools
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, List, Optional

import settings
from cluster.ports import free_port
from cluster.process import PortInUse, Service

DEFAULT_USER = "forlop"
DEFAULT_DB = "forlop"
OS_ACCOUNT = "postgres"  # the Debian package's account; used when we run as root
START_TIMEOUT_SECONDS = 60
CONNECT_TIMEOUT_SECONDS = 2
# A throw-away cluster skips flushing to disk: only a crash of the whole machine could lose or
# damage data. synchronous_commit stays on: with it off, a commit is acknowledged while its
# WAL is still in PostgreSQL's shared memory, and killing the server loses it (the fault tests
# kill it and expect every acknowledged message to be there).
THROWAWAY_OPTIONS = ["-c", "fsync=off", "-c", "full_page_writes=off"]

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

    def connect(self, db: Optional[str] = None):
        import psycopg2

        return psycopg2.connect(host=self.host, port=self.port, user=self.user, password=self.password,
                                dbname=db or self.db, connect_timeout=CONNECT_TIMEOUT_SECONDS)

    def is_ready(self) -> bool:
        self.connect("postgres").close()
        return True

    def create_database(self, name: Optional[str] = None) -> str:
        """Creates an empty database (a fresh one per test) and returns its SQLAlchemy URL."""
        name = name or f"test_{os.getpid()}_{next(_database_numbers)}"
        connection = self.connect("postgres")
        try:
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
                if cursor.fetchone() is None:
                    cursor.execute(f'CREATE DATABASE "{name}"')
        finally:
            connection.close()
        return self.url_for(name)


def find_bin_dir() -> Path:
    """The directory with initdb and postgres: $PG_BIN, the newest Debian version, or PATH."""
    candidates: List[Path] = []
    configured = settings.cluster().postgres_bin
    if configured:
        candidates.append(Path(configured))
    candidates.extend(
        sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: _version(p.parent.name), reverse=True)
    )
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(Path(on_path).parent)
    for candidate in candidates:
        if (candidate / "initdb").exists() and (candidate / "postgres").exists():
            return candidate
    raise PostgresUnavailable(
        "PostgreSQL server binaries (initdb, postgres) not found: install Debian's `postgresql` "
        "package (apt-get install postgresql) or set PG_BIN"
    )


def _version(name: str) -> float:
    try:
        return float(name)
    except ValueError:
        return 0.0


def server_account() -> Optional[str]:
    """The OS account the server runs as: ours, or `postgres` when we are root."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(OS_ACCOUNT)
    except KeyError:
        raise PostgresUnavailable(
            f"running as root and there is no `{OS_ACCOUNT}` OS user to run PostgreSQL as"
        ) from None
    return OS_ACCOUNT


def reachable_root(preferred: Path) -> Path:
    """`preferred` when the server's account can reach it, else a private temporary directory.

    pytest's tmp_path (and many home directories) is private to root, and PostgreSQL never runs
    as root; the caller links the temporary directory from `preferred` so people find it.
    """
    preferred.mkdir(parents=True, exist_ok=True)
    account = server_account()
    if account is None or subprocess.run(["test", "-x", str(preferred)], user=account).returncode == 0:
        return preferred
    return Path(tempfile.mkdtemp(prefix="forlop-pg-"))


class PostgresInstance:
    """A PostgreSQL cluster in `root` (data/ and the socket), listening on 127.0.0.1:`port`."""

    def __init__(self, root: Path, port: int, user: str = DEFAULT_USER, password: Optional[str] = None,
                 db: str = DEFAULT_DB, durable: bool = True) -> None:
        self.root = root
        self.port = port
        self.user = user
        self.password = password or _password(root)
        self.db = db
        self.durable = durable
        self.bin_dir = find_bin_dir()
        self.account = server_account()

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def server(self) -> PostgresServer:
        return PostgresServer("127.0.0.1", self.port, self.user, self.password, self.db, data_dir=self.data_dir)

    def initialise(self) -> None:
        """Creates the data directory with our user (initdb) unless it exists already."""
        if (self.data_dir / "PG_VERSION").exists():
            return
        self.root.mkdir(parents=True, exist_ok=True)
        self.root.chmod(0o700)
        password_file = self.root / "initdb-password"
        password_file.write_text(self.password + "\n")
        password_file.chmod(0o600)
        self._own(self.root, password_file)
        try:
            result = subprocess.run(
                [str(self.bin_dir / "initdb"), "-D", str(self.data_dir), "-U", self.user,
                 f"--pwfile={password_file}", "--auth-local=trust", "--auth-host=scram-sha-256",
                 "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"],
                capture_output=True, text=True, user=self.account,
            )
        finally:
            password_file.unlink(missing_ok=True)
        if result.returncode != 0:
            raise RuntimeError(f"initdb failed:\n{result.stdout}\n{result.stderr}")

    def command(self) -> List[str]:
        command = [str(self.bin_dir / "postgres"), "-D", str(self.data_dir), "-p", str(self.port),
                   "-c", "listen_addresses=127.0.0.1", "-k", str(self.root)]
        return command if self.durable else command + THROWAWAY_OPTIONS

    def service(self, log: Path, name: str = "postgres") -> Service:
        return Service(name, self.command, log, self.server.is_ready, user=self.account,
                       stop_signal=signal.SIGINT, start_timeout=START_TIMEOUT_SECONDS)

    def _own(self, *paths: Path) -> None:
        if self.account is None:
            return
        account = pwd.getpwnam(self.account)
        for path in paths:
            os.chown(path, account.pw_uid, account.pw_gid)


def _password(root: Path) -> str:
    """A random password, kept beside the data so a restarted launcher can log in again."""
    import secrets

    root.mkdir(parents=True, exist_ok=True)
    keep = root / "password"
    if keep.exists():
        return keep.read_text().strip()
    password = secrets.token_urlsafe(24)
    keep.write_text(password + "\n")
    keep.chmod(0o600)
    return password


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
