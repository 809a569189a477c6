"""Backup and restore of the assistant's PostgreSQL database: the tracker store (`events`,
`conversation_feedback`) and the review console (`review_*`: users, audit log, summary, marks).

    manifest = backup(server, Path("var/cluster/backups"))      # pg_dump while residents talk
    restore(dump, target, "forlop")                             # pg_restore into a new database
    differences = verify(target, "forlop", manifest)            # [] when it holds the snapshot

`backup` opens a REPEATABLE READ transaction, exports its snapshot (pg_export_snapshot), counts
every table in it and has pg_dump dump exactly that snapshot (`--snapshot`). So the figures in
the manifest are those of the dump, whatever residents write meanwhile: rows and an
order-independent checksum per table, conversations (distinct senders), user and bot events,
and the audit log's row count and newest id. The manifest (`<dump>.json`) is kept beside the
dump with the dump's SHA-256; `verify` computes the same figures on the restored database.

pg_dump and pg_restore are libpq programs, like the psycopg2 connections here: PGSSLMODE and
PGSSLROOTCERT in the environment (deploy/forlop.env.example) give them TLS.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Dict, Iterator, List, Optional

from cluster.postgres import PostgresServer, find_bin_dir

DUMP_TIMEOUT_SECONDS = 3600
AUDIT_TABLE = "review_audit_log"
EVENTS_TABLE = "events"
# order-independent checksum of a table: the sum of the first 60 bits of each row's md5
ROW_SUM = "sum(('x' || substr(md5(t::text), 1, 15))::bit(60)::bigint)"


@dataclass
class Manifest:
    dump: str  # file name, beside the manifest
    sha256: str
    database: str
    server_version: str
    created_at: str  # UTC, when the snapshot was taken
    seconds: float  # the dump's duration
    tables: Dict[str, Dict[str, str]] = field(default_factory=dict)  # name -> rows, checksum
    conversations: int = 0
    user_events: int = 0
    bot_events: int = 0
    audit_rows: int = 0
    audit_max_id: int = 0
    written_while_dumping: int = 0  # events committed after the snapshot, before the dump ended

    @classmethod
    def read(cls, path: Path) -> "Manifest":
        return cls(**json.loads(Path(path).read_text()))

    def write(self, path: Path) -> None:
        Path(path).write_text(json.dumps(asdict(self), indent=1, ensure_ascii=False) + "\n")

    def describe(self) -> str:
        events = self.tables.get(EVENTS_TABLE, {}).get("rows", "0")
        return (f"{self.conversations} conversations, {events} events ({self.user_events} user, "
                f"{self.bot_events} bot), {self.audit_rows} audit log rows (newest id {self.audit_max_id}), "
                f"{len(self.tables)} tables")


def manifest_path(dump: Path) -> Path:
    return Path(f"{dump}.json")


def _connect(server: PostgresServer, db: Optional[str] = None):
    import psycopg2

    return psycopg2.connect(host=server.host, port=server.port, user=server.user, password=server.password,
                            dbname=db or server.db, connect_timeout=10)


def _env(server: PostgresServer) -> Dict[str, str]:
    return {**os.environ, "PGPASSWORD": server.password}


def _tables(cursor) -> List[str]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
    return [row[0] for row in cursor.fetchall()]


def figures(cursor) -> Dict[str, object]:
    """What a dump must hold, read in the cursor's transaction (one snapshot)."""
    found: Dict[str, object] = {"tables": {}}
    for table in _tables(cursor):
        cursor.execute(f'SELECT count(*), coalesce({ROW_SUM}, 0) FROM public."{table}" t')
        rows, checksum = cursor.fetchone()
        found["tables"][table] = {"rows": str(rows), "checksum": format(int(checksum), "x")}
    tables = found["tables"]
    if EVENTS_TABLE in tables:
        cursor.execute("SELECT count(DISTINCT sender_id), count(*) FILTER (WHERE type_name = 'user'), "
                       "count(*) FILTER (WHERE type_name = 'bot') FROM events")
        found["conversations"], found["user_events"], found["bot_events"] = cursor.fetchone()
    if AUDIT_TABLE in tables:
        cursor.execute(f"SELECT count(*), coalesce(max(id), 0) FROM {AUDIT_TABLE}")
        found["audit_rows"], found["audit_max_id"] = cursor.fetchone()
    return found


def _events(server: PostgresServer, db: str) -> int:
    connection = _connect(server, db)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass('public.events') IS NOT NULL")
            if not cursor.fetchone()[0]:
                return 0
            cursor.execute("SELECT count(*) FROM events")
            return cursor.fetchone()[0]
    finally:
        connection.close()


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as source:
        for block in iter(lambda: source.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def backup(server: PostgresServer, out_dir: Path, db: Optional[str] = None) -> tuple[Path, Manifest]:
    """pg_dump of the whole database (custom format) and its manifest; returns both."""
    db = db or server.db
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(out_dir, 0o700)  # conversations are health data
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    dump = out_dir / f"{db}-{stamp}.dump"
    connection = _connect(server, db)
    try:
        connection.set_session(isolation_level="REPEATABLE READ", readonly=True)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
            snapshot, version = cursor.fetchone()
            created = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
            found = figures(cursor)
            started = time.monotonic()
            # the snapshot lives as long as this transaction: pg_dump must finish before the commit
            result = subprocess.run(
                [str(find_bin_dir() / "pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
                 f"--snapshot={snapshot}", "--host", server.host, "--port", str(server.port),
                 "--username", server.user, "--dbname", db, "--file", str(dump)],
                env=_env(server), capture_output=True, text=True, timeout=DUMP_TIMEOUT_SECONDS,
            )
            seconds = time.monotonic() - started
        connection.commit()
    finally:
        connection.close()
    if result.returncode != 0:
        dump.unlink(missing_ok=True)
        raise RuntimeError(f"pg_dump failed: {result.stderr.strip()}")
    os.chmod(dump, 0o600)
    events_now = _events(server, db)
    manifest = Manifest(
        dump=dump.name, sha256=sha256(dump), database=db, server_version=version, created_at=created,
        seconds=round(seconds, 2), **found,
        written_while_dumping=max(0, events_now - int(found["tables"].get(EVENTS_TABLE, {}).get("rows", 0))),
    )
    manifest.write(manifest_path(dump))
    os.chmod(manifest_path(dump), 0o600)
    return dump, manifest


def create_empty_database(server: PostgresServer, db: str) -> None:
    """Creates `db`, or accepts an existing one without tables; refuses one with tables."""
    connection = _connect(server, "postgres")
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (db,))
            exists = cursor.fetchone() is not None
            if not exists:
                cursor.execute(f'CREATE DATABASE "{db}"')
    finally:
        connection.close()
    if exists:
        connection = _connect(server, db)
        try:
            with connection.cursor() as cursor:
                tables = _tables(cursor)
        finally:
            connection.close()
        if tables:
            raise RuntimeError(f"database {db} is not empty ({len(tables)} tables): restore into a new one")


def restore(dump: Path, server: PostgresServer, db: str, check_sha256: bool = True) -> float:
    """pg_restore into `db` (created if missing, refused if it has tables), in one transaction."""
    dump = Path(dump)
    if check_sha256 and manifest_path(dump).exists():
        expected = Manifest.read(manifest_path(dump)).sha256
        if sha256(dump) != expected:
            raise RuntimeError(f"{dump} does not match the SHA-256 in its manifest: damaged or replaced")
    create_empty_database(server, db)
    started = time.monotonic()
    result = subprocess.run(
        [str(find_bin_dir() / "pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error",
         "--single-transaction", "--host", server.host, "--port", str(server.port),
         "--username", server.user, "--dbname", db, str(dump)],
        env=_env(server), capture_output=True, text=True, timeout=DUMP_TIMEOUT_SECONDS,
    )
    if result.returncode != 0:
        raise RuntimeError(f"pg_restore failed: {result.stderr.strip()}")
    return time.monotonic() - started


def verify(server: PostgresServer, db: str, manifest: Manifest) -> List[str]:
    """Differences between the database and the manifest's snapshot ([] when there are none),
    and sequences that would hand out ids already taken."""
    connection = _connect(server, db)
    problems: List[str] = []
    try:
        connection.set_session(isolation_level="REPEATABLE READ", readonly=True)
        with connection.cursor() as cursor:
            found = figures(cursor)
            for table in sorted(set(manifest.tables) | set(found["tables"])):
                want, got = manifest.tables.get(table), found["tables"].get(table)
                if want != got:
                    problems.append(f"table {table}: dump {want}, restored {got}")
            for key in ("conversations", "user_events", "bot_events", "audit_rows", "audit_max_id"):
                if found.get(key, 0) != getattr(manifest, key):
                    problems.append(f"{key}: dump {getattr(manifest, key)}, restored {found.get(key, 0)}")
            for table in found["tables"]:
                cursor.execute("SELECT pg_get_serial_sequence(%s, 'id') FROM information_schema.columns "
                               "WHERE table_schema = 'public' AND table_name = %s AND column_name = 'id'",
                               (f'public."{table}"', table))
                row = cursor.fetchone()
                if row is None or row[0] is None:
                    continue
                cursor.execute(f'SELECT (SELECT coalesce(max(id), 0) FROM public."{table}"), '
                               f'last_value, is_called FROM {row[0]}')
                highest, last, called = cursor.fetchone()
                if highest and (last < highest or (last == highest and not called)):
                    problems.append(f"sequence {row[0]} would hand out {last}, but {table} has ids up to {highest}")
        connection.commit()
    finally:
        connection.close()
    return problems


REVIEW_START_TIMEOUT_SECONDS = 120


@contextlib.contextmanager
def running_review(server: PostgresServer, db: str, port: int, log: Path) -> Iterator[str]:
    """The review console (python -m review serve) on `db`; yields its URL, stops it on exit."""
    import secrets

    import requests

    from cluster.process import Service
    from settings import PROJECT_ROOT

    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, **server.env(db), "PYTHONPATH": str(PROJECT_ROOT),
           "REVIEW_SECRET_KEY": secrets.token_hex(32), "REVIEW_COOKIE_SECURE": "0"}
    service = Service("review", lambda: [sys.executable, "-m", "review", "serve", "--host", "127.0.0.1",
                                         "--port", str(port)],
                      log, lambda: requests.get(f"{url}/login", timeout=3).status_code == 200,
                      env=lambda: env, cwd=PROJECT_ROOT, start_timeout=REVIEW_START_TIMEOUT_SECONDS)
    service.start()
    try:
        yield url
    finally:
        service.stop()
