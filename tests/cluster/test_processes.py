"""The cluster's building blocks without Rasa: PostgreSQL restarts on its data and port, a taken
port is reported as such (the launcher then picks another), nginx's rendered file is valid."""
from __future__ import annotations

import socket
import tempfile
from pathlib import Path

import pytest

from cluster.nginx import NginxInstance, NginxSettings, find_nginx
from cluster.ports import free_port
from cluster.postgres import PostgresInstance, PostgresUnavailable, find_bin_dir, server_account
from cluster.process import PortInUse
from cluster.redis import RedisInstance, RedisUnavailable, find_redis_server


def _require(*checks):
    for check in checks:
        try:
            check()
        except (PostgresUnavailable, RedisUnavailable, RuntimeError) as reason:
            pytest.skip(str(reason))


@pytest.fixture
def pg_root():
    _require(find_bin_dir, server_account)
    root = Path(tempfile.mkdtemp(prefix="forlop-pg-test-"))  # reachable by the postgres account
    yield root
    import shutil

    shutil.rmtree(root, ignore_errors=True)


@pytest.mark.parametrize("hard", [False, True])
def test_postgres_starts_again_on_the_same_data_and_port(pg_root, hard):
    instance = PostgresInstance(pg_root, free_port(), durable=False)
    instance.initialise()
    service = instance.service(pg_root / "server.log")
    service.start()
    try:
        instance.server.create_database(instance.db)
        with instance.server.connect() as connection, connection.cursor() as cursor:
            cursor.execute("CREATE TABLE kept (value text)")
            cursor.execute("INSERT INTO kept VALUES ('still here')")
        first_pid = service.pid
        service.stop(hard=hard)
        assert not service.running
        service.start()
        assert service.pid != first_pid
        with instance.server.connect() as connection, connection.cursor() as cursor:
            cursor.execute("SELECT value FROM kept")
            assert cursor.fetchall() == [("still here",)]
    finally:
        service.stop()


def _occupied_port():
    holder = socket.socket()
    holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    return holder, holder.getsockname()[1]


def test_a_taken_port_is_reported_as_port_in_use(tmp_path, pg_root):
    _require(find_redis_server)
    holder, port = _occupied_port()
    try:
        redis = RedisInstance(tmp_path / "redis", port).service(tmp_path / "redis.log")
        with pytest.raises(PortInUse):
            redis.start()
        instance = PostgresInstance(pg_root, port, durable=False)
        instance.initialise()
        with pytest.raises(PortInUse):
            instance.service(pg_root / "server.log").start()
    finally:
        holder.close()


def _nginx_settings(tmp_path, public_port: int) -> NginxSettings:
    return NginxSettings(public_port=public_port, action_lb_port=free_port(), rasa_ports=[free_port(), free_port()],
                         action_ports=[free_port(), free_port()], web_port=free_port(),
                         access_log=str(tmp_path / "access.log"))


def test_nginx_config_is_valid_and_a_taken_port_is_reported(tmp_path):
    _require(find_nginx)
    nginx = NginxInstance(tmp_path / "nginx", _nginx_settings(tmp_path, free_port()))
    nginx.check()  # nginx -t on the rendered file
    text = nginx.config_file.read_text()
    assert "hash $arg_sticky$remote_addr consistent;" in text
    assert "listen 127.0.0.1:" in text and "listen 0.0.0.0" not in text
    holder, port = _occupied_port()
    try:
        busy = NginxInstance(tmp_path / "busy", _nginx_settings(tmp_path, port))
        with pytest.raises(PortInUse):
            busy.service(tmp_path / "busy.log").start()
    finally:
        holder.close()


def test_nginx_answers_in_norwegian_when_no_rasa_server_is_up_and_limits_a_flood(tmp_path):
    import requests

    _require(find_nginx)
    settings = _nginx_settings(tmp_path, free_port())  # nothing listens on the Rasa ports
    nginx = NginxInstance(tmp_path / "nginx", settings)
    service = nginx.service(tmp_path / "nginx.log")
    service.start()
    try:
        url = f"http://127.0.0.1:{settings.public_port}/webhooks/rest/webhook"
        down = requests.post(url, json={"sender": "a", "message": "hei"}, timeout=30)
        assert down.status_code == 503
        assert down.headers["Content-Type"].startswith("application/json")
        assert "113" in down.json()["error"] and "116 117" in down.json()["error"]
        statuses = [requests.post(url, json={}, timeout=30).status_code
                    for _ in range(settings.limits.rest_burst + 10)]
        assert 429 in statuses
    finally:
        service.stop()
