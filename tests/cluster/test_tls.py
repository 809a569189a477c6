"""Between machines (deploy/): PostgreSQL with TLS and verify-full, Redis with TLS and a
password, nginx HTTPS-only with HSTS. Each runs on loopback from the example files in deploy/
(only addresses, ports, paths and passwords replaced) with throw-away certificates made here,
and is reached the way the deployment reaches it: the tracker store and the review console from
TRACKER_* plus libpq's PGSSLMODE / PGSSLROOTCERT (deploy/forlop.env.example), the lock store
from deploy/endpoints.yml, nginx by HTTPS. About 20-40 s (Rasa is imported, not started).
"""
from __future__ import annotations

import asyncio
import re
import shutil
import tempfile
from pathlib import Path
from typing import Dict, Iterator

import pytest
import requests

from cluster.launcher import ROOT
from cluster.nginx import find_nginx
from cluster.ports import free_port
from cluster.postgres import PostgresInstance, PostgresServer, PostgresUnavailable, find_bin_dir, server_account
from cluster.process import Service
from cluster.redis import RedisUnavailable, find_redis_server

pytest.importorskip("cryptography")  # the throw-away certificates
from tests.cluster import certs  # noqa: E402

DEPLOY = ROOT / "deploy"
DB_NAME = "db.forlop.test"  # the database server's name in its certificate (TRACKER_HOST)
PASSWORD = "tls-test-password-123"
HSTS = "max-age=31536000"


def _skip_without(*checks) -> None:
    for check in checks:
        try:
            check()
        except (PostgresUnavailable, RedisUnavailable, RuntimeError) as reason:
            pytest.skip(str(reason))


@pytest.fixture(scope="module")
def tls_dir() -> Iterator[Path]:
    # not pytest's tmp_path: PostgreSQL (as the postgres account when we are root) reads its key here
    directory = Path(tempfile.mkdtemp(prefix="forlop-tls-"))
    directory.chmod(0o755)
    yield directory
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="module")
def ca(tls_dir):
    return certs.authority(tls_dir)


# -- PostgreSQL ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tls_postgres(tls_dir, ca) -> Iterator[PostgresServer]:
    """PostgreSQL with deploy/postgresql/forlop.conf and pg_hba.conf, certificate for DB_NAME."""
    _skip_without(find_bin_dir, server_account)
    root = tls_dir / "postgres"
    instance = PostgresInstance(root, free_port(), password=PASSWORD, durable=False)
    instance.initialise()
    server = certs.server_cert(ca, root, [DB_NAME], "server")
    instance._own(server.cert, server.key)
    conf = (DEPLOY / "postgresql" / "forlop.conf").read_text()
    conf = (conf.replace("'10.0.0.30'", "'127.0.0.1'")
            .replace("/etc/postgresql/tls/server.crt", str(server.cert))
            .replace("/etc/postgresql/tls/server.key", str(server.key)))
    (root / "forlop.conf").write_text(conf)
    with (instance.data_dir / "postgresql.conf").open("a") as main:
        main.write(f"\ninclude '{root / 'forlop.conf'}'\n")
    hba = (DEPLOY / "postgresql" / "pg_hba.conf").read_text()
    hba = hba.replace("10.0.0.0/24", "127.0.0.1/32").replace("    forlop    forlop ", "    all       forlop ")
    (instance.data_dir / "pg_hba.conf").write_text(hba)
    instance._own(root / "forlop.conf", instance.data_dir / "pg_hba.conf")
    service = instance.service(root / "server.log")
    # the launcher's health check connects without TLS, which this server refuses: check by TLS
    service.healthy = lambda: _connect(instance.server, sslmode="verify-full", host=DB_NAME, dbname="postgres",
                                       sslrootcert=str(ca.path)).close() is None
    service.start()
    try:
        connection = _connect(instance.server, sslmode="verify-full", host=DB_NAME, sslrootcert=str(ca.path),
                              dbname="postgres")
        connection.autocommit = True
        connection.cursor().execute(f'CREATE DATABASE "{instance.db}"')
        connection.close()
        yield instance.server
    finally:
        service.stop()


def _connect(server: PostgresServer, host: str, dbname: str = None, **tls):
    import psycopg2

    # hostaddr: where to connect; host: the name verify-full checks in the certificate
    return psycopg2.connect(host=host, hostaddr="127.0.0.1", port=server.port, user=server.user,
                            password=server.password, dbname=dbname or server.db, connect_timeout=5, **tls)


@pytest.fixture
def tracker_env(monkeypatch, tls_postgres, ca) -> Dict[str, str]:
    """forlop.env's settings for this server: TRACKER_* and libpq's PGSSLMODE / PGSSLROOTCERT."""
    env = {**tls_postgres.env(), "TRACKER_HOST": DB_NAME, "PGHOSTADDR": "127.0.0.1",
           "PGSSLMODE": "verify-full", "PGSSLROOTCERT": str(ca.path)}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


def _ssl_of(connection) -> tuple:
    import sqlalchemy as sa

    return tuple(connection.execute(sa.text(
        "SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()")).one())


def test_the_tracker_store_connects_with_verify_full_and_stores_a_conversation(tracker_env):
    from rasa.shared.core.events import UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from rasa_server.stores.tracker_store import ConfiguredSQLTrackerStore

    store = ConfiguredSQLTrackerStore()  # what endpoints.yml's tracker_store builds from TRACKER_*
    tracker = DialogueStateTracker.from_events("tls-1", [UserUttered("hei over TLS")])
    asyncio.run(store.save(tracker))
    again = asyncio.run(store.retrieve("tls-1"))
    with store.engine.connect() as connection:
        encrypted, version = _ssl_of(connection)
    print(f"\ntracker store: {store.engine.url.host}, TLS {encrypted} ({version})")
    assert encrypted and version in ("TLSv1.2", "TLSv1.3")
    assert [e.text for e in again.events if isinstance(e, UserUttered)] == ["hei over TLS"]


def test_the_review_console_and_pg_dump_use_the_same_settings(tracker_env, tmp_path):
    import settings
    from cluster.backup import backup
    from review import db

    engine = db.make_engine(settings.load().tracker_url)
    with engine.connect() as connection:
        assert _ssl_of(connection)[0]
    engine.dispose()
    conf = settings.load()
    server = PostgresServer(conf.tracker_host, conf.tracker_port, conf.tracker_user, conf.tracker_password,
                            conf.tracker_db)
    dump, manifest = backup(server, tmp_path)  # psycopg2 and pg_dump, both libpq
    assert dump.stat().st_size > 0


@pytest.mark.parametrize("change, refusal", [
    ({"PGSSLMODE": "disable"}, "no encryption"),                         # pg_hba.conf: hostnossl reject
    ({"PGSSLROOTCERT": "other-ca"}, "certificate verify failed"),        # signed by another CA
    ({"TRACKER_HOST": "wrong.forlop.test"}, "does not match host name"),  # not the certificate's name
])
def test_without_tls_another_ca_or_another_name_the_connection_is_refused(tracker_env, monkeypatch, tmp_path,
                                                                        change, refusal):
    import sqlalchemy as sa

    import settings

    if change.get("PGSSLROOTCERT") == "other-ca":
        change = {"PGSSLROOTCERT": str(certs.authority(tmp_path, "Other CA").path)}
    for name, value in change.items():
        monkeypatch.setenv(name, value)
    engine = sa.create_engine(settings.load().tracker_url)
    with pytest.raises(sa.exc.OperationalError, match=refusal):
        engine.connect().close()
    engine.dispose()


def test_the_tls_settings_can_also_go_in_the_endpoints_query(tls_postgres, ca, monkeypatch):
    """The alternative to PGSSL*: `query: {sslmode: verify-full, sslrootcert: ...}` under tracker_store."""
    from rasa_server.stores.tracker_store import ConfiguredSQLTrackerStore

    for name, value in {**tls_postgres.env(), "TRACKER_HOST": DB_NAME, "PGHOSTADDR": "127.0.0.1"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("PGSSLMODE", raising=False)
    monkeypatch.delenv("PGSSLROOTCERT", raising=False)
    store = ConfiguredSQLTrackerStore(query={"sslmode": "verify-full", "sslrootcert": str(ca.path)})
    with store.engine.connect() as connection:
        assert _ssl_of(connection)[0]


# -- Redis ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tls_redis(tls_dir, ca) -> Iterator[int]:
    """redis-server with deploy/redis/forlop.conf: TLS only, a password; yields its port."""
    _skip_without(find_redis_server)
    root = tls_dir / "redis"
    root.mkdir()
    server = certs.server_cert(ca, root, ["redis.forlop.test", "127.0.0.1"], "server")
    port = free_port()
    conf = (DEPLOY / "redis" / "forlop.conf").read_text()
    conf = (conf.replace("bind 10.0.0.31", "bind 127.0.0.1").replace("tls-port 6379", f"tls-port {port}")
            .replace("/etc/redis/tls/server.crt", str(server.cert)).replace("/etc/redis/tls/server.key", str(server.key))
            .replace("/etc/redis/tls/ca.crt", str(ca.path)).replace("requirepass change-me-too", f"requirepass {PASSWORD}"))
    (root / "redis.conf").write_text(conf + f"\ndir {root}\nlogfile \"\"\ndaemonize no\n")

    def healthy() -> bool:
        import redis

        return redis.Redis(host="127.0.0.1", port=port, password=PASSWORD, ssl=True, ssl_ca_certs=str(ca.path),
                           socket_timeout=2).ping()

    service = Service("redis-tls", lambda: [find_redis_server(), str(root / "redis.conf")], root / "redis.log",
                      healthy, start_timeout=30)
    service.start()
    try:
        yield port
    finally:
        service.stop()


def _lock_store(port: int, ca_path: Path, monkeypatch, password: str = PASSWORD, host: str = "127.0.0.1",
                extra: str = "", changes: Dict[str, str] = {}):
    """The lock store exactly as deploy/endpoints.yml configures it (port and CA path replaced)."""
    from rasa.core.lock_store import LockStore
    from rasa.utils.endpoints import read_endpoint_config

    monkeypatch.setenv("REDIS_HOST", host)
    monkeypatch.setenv("REDIS_PASSWORD", password)
    text = (DEPLOY / "endpoints.yml").read_text()
    text = text.replace("port: 6379", f"port: {port}").replace("/etc/forlop/tls/ca.crt", str(ca_path))
    text = text.replace("  key_prefix: forlop\n", f"  key_prefix: forlop\n{extra}")
    for old, new in changes.items():
        assert old in text
        text = text.replace(old, new)
    path = ca_path.parent / f"endpoints-{port}.yml"
    path.write_text(text)
    return LockStore.create(read_endpoint_config(str(path), "lock_store"))


def test_the_lock_store_of_deploy_endpoints_works_over_tls_with_the_password(tls_redis, ca, monkeypatch):
    from rasa_server.stores.lock_store import AtomicRedisLockStore

    store = _lock_store(tls_redis, ca.path, monkeypatch)
    assert isinstance(store, AtomicRedisLockStore)
    assert store.red.connection_pool.connection_kwargs.get("ssl_ca_certs") == str(ca.path)
    ticket = store.issue_ticket("tls-conversation")
    assert store.get_or_create_lock("tls-conversation").is_someone_waiting()
    store.cleanup("tls-conversation", ticket)
    store.stop_keeping_alive()


def test_when_redis_down_can_be_set_in_the_endpoints(tls_redis, ca, monkeypatch):
    # deploy/endpoints.yml says refuse; Rasa's RedisLockStore would refuse the key (TypeError)
    assert _lock_store(tls_redis, ca.path, monkeypatch).when_redis_down == "refuse"
    store = _lock_store(tls_redis, ca.path, monkeypatch, changes={"when_redis_down: refuse": "when_redis_down: local_lock"})
    assert store.when_redis_down == "local_lock"


@pytest.mark.parametrize("what", ["no password", "wrong password", "another CA", "plain TCP"])
def test_redis_refuses_without_the_password_tls_or_the_ca(tls_redis, ca, monkeypatch, tmp_path, what):
    import redis

    kwargs = dict(host="127.0.0.1", port=tls_redis, password=PASSWORD, ssl=True, ssl_ca_certs=str(ca.path),
                  socket_timeout=2)
    if what == "no password":
        kwargs["password"] = None
    elif what == "wrong password":
        kwargs["password"] = "nope"
    elif what == "another CA":
        kwargs["ssl_ca_certs"] = str(certs.authority(tmp_path, "Other CA").path)
    else:
        kwargs.update(ssl=False, ssl_ca_certs=None)
    with pytest.raises(redis.RedisError):
        redis.Redis(**kwargs).set("forlop:probe", "1")


def test_the_lock_store_checks_the_name_in_the_redis_certificate(tls_redis, ca, monkeypatch):
    import redis

    store = _lock_store(tls_redis, ca.path, monkeypatch, host="localhost")  # the certificate has no "localhost"
    with pytest.raises(redis.ConnectionError, match="match|mismatch"):
        store.red.ping()
    # only when the endpoints turn the check off (Rasa's own store never checks)
    unchecked = _lock_store(tls_redis, ca.path, monkeypatch, host="localhost", extra="  ssl_check_hostname: false\n")
    assert unchecked.red.ping()


# -- nginx -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def https_site(tls_dir, ca) -> Iterator[Dict[str, int]]:
    """nginx with deploy/nginx/forlop.conf; every upstream a closed loopback port."""
    _skip_without(find_nginx)
    root = tls_dir / "nginx"
    (root / "logs").mkdir(parents=True)
    server = certs.server_cert(ca, root, ["chat.kommune.no", "localhost"], "site")
    ports = {"http": free_port(), "https": free_port(), "internal": free_port()}
    closed = free_port()  # nothing listens there: every upstream refuses at once
    site = (DEPLOY / "nginx" / "forlop.conf").read_text()
    site = site.replace("/etc/ssl/forlop/fullchain.pem", str(server.cert)).replace(
        "/etc/ssl/forlop/privkey.pem", str(server.key))
    site = re.sub(r"server 10\.0\.0\.\d+:\d+", f"server 127.0.0.1:{closed}", site)
    site = site.replace("server 127.0.0.1:8090;", f"server 127.0.0.1:{closed};")
    site = site.replace("listen 10.0.0.10:5050;", f"listen 127.0.0.1:{ports['internal']};")
    site = site.replace("listen 80;", f"listen 127.0.0.1:{ports['http']};").replace("listen [::]:80;", "")
    site = site.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{ports['https']} ssl http2;")
    site = site.replace("listen [::]:443 ssl http2;", "")
    (root / "site.conf").write_text(site)
    main = root / "nginx.conf"
    main.write_text(f"pid {root}/nginx.pid;\nevents {{}}\nhttp {{\n  access_log off;\n  include {root}/site.conf;\n}}\n")

    def healthy() -> bool:
        return requests.get(f"https://localhost:{ports['https']}/healthz", verify=str(ca.path), timeout=2).ok

    service = Service("nginx-https", lambda: [find_nginx(), "-p", str(root), "-c", str(main), "-e", "stderr",
                                              "-g", "daemon off;"], root / "nginx.log", healthy, start_timeout=30)
    service.start()
    try:
        yield ports
    finally:
        service.stop()


def test_https_answers_carry_hsts_errors_included(https_site, ca):
    base = f"https://localhost:{https_site['https']}"
    health = requests.get(f"{base}/healthz", verify=str(ca.path), timeout=10)
    message = requests.post(f"{base}/webhooks/rest/webhook", json={"sender": "s", "message": "hei"},
                            verify=str(ca.path), timeout=10)
    page = requests.get(f"{base}/", verify=str(ca.path), timeout=10)
    assert health.status_code == 200
    assert message.status_code == 503 and "113" in message.text  # no Rasa server: nginx's Norwegian answer
    assert page.status_code == 502
    for reply in (health, message, page):
        assert reply.headers.get("Strict-Transport-Security") == HSTS, reply.headers


def test_the_rate_limit_answer_carries_hsts_too(https_site, ca):
    session = requests.Session()
    url = f"https://localhost:{https_site['https']}/webhooks/rest/webhook"
    limited = None
    for _ in range(60):  # burst 30: the rest within a second are limited
        reply = session.post(url, json={"sender": "flood", "message": "hei"}, verify=str(ca.path), timeout=10)
        if reply.status_code == 429:
            limited = reply
            break
    assert limited is not None, "the rate limit never answered"
    assert limited.headers.get("Strict-Transport-Security") == HSTS
    assert limited.headers.get("Retry-After") == "1"


def test_plain_http_only_redirects_to_https(https_site):
    base = f"http://localhost:{https_site['http']}"
    for method, path in (("GET", "/"), ("POST", "/webhooks/rest/webhook"), ("GET", "/socket.io/?EIO=4")):
        reply = requests.request(method, f"{base}{path}", allow_redirects=False, timeout=10)
        assert reply.status_code == 301, (method, path, reply.status_code)
        assert reply.headers["Location"] == f"https://localhost{path}"
        assert "Strict-Transport-Security" not in reply.headers  # meaningless over HTTP (RFC 6797)

