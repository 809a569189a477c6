"""`python -m cluster` for people: fixed ports, each changeable by its environment variable."""
from __future__ import annotations

import pytest

import settings
from cluster import __main__ as main


def test_default_ports_are_the_documented_ones(monkeypatch):
    for name in settings.DEFAULT_CLUSTER_PORTS:
        monkeypatch.delenv(name, raising=False)
    ports = main.fixed_ports(rasa_servers=3, action_servers=2, public_port=None)
    assert (ports.nginx, ports.action_lb, ports.postgres, ports.redis, ports.web, ports.review) == (
        8080, 5050, 5433, 6380, 8090, 8081)
    assert ports.rasa == [5005, 5006, 5007]
    assert ports.actions == [5055, 5056]


def test_environment_and_argument_change_the_ports(monkeypatch):
    monkeypatch.setenv("CLUSTER_RASA_PORT", "6000")
    monkeypatch.setenv("CLUSTER_PORT", "9000")
    ports = main.fixed_ports(rasa_servers=2, action_servers=1, public_port=None)
    assert ports.rasa == [6000, 6001] and ports.nginx == 9000
    assert main.fixed_ports(2, 1, public_port=9100).nginx == 9100


def test_a_bad_port_is_refused_with_its_name(monkeypatch):
    monkeypatch.setenv("CLUSTER_REDIS_PORT", "sekstitre")
    with pytest.raises(SystemExit, match="CLUSTER_REDIS_PORT"):
        main.fixed_ports(1, 1, None)


def test_staff_user_needs_a_started_cluster(tmp_path, capsys):
    assert main.main(["--dir", str(tmp_path), "staff-user", "kari"]) == 1
    assert "start it first" in capsys.readouterr().err


def test_at_least_one_server_of_each_kind():
    with pytest.raises(SystemExit):
        main.main(["--rasa-servers", "0"])
