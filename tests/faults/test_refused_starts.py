"""Fault: a new process is started with broken input while the cluster serves residents.

An extra action server with a malformed contact directory, and an extra Rasa node (through
cluster.node) with a missing model, must refuse to start with a clear message and a non-zero
exit code, and bind no port; the running cluster goes on answering through nginx.
"""
from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

from cluster.ports import free_port
from tests.faults.load import ADULT_MARK, Turn, send
from tests.support.municipalities import break_adult_phone, copy_municipalities

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_SECONDS = 120  # refusing must be quick, but imports are slow on a busy machine
CUSTOM_TURN = Turn("hvem er kontaktpersonen for voksne?", True, ADULT_MARK)  # needs an action server


def listening(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def conversation_works(cluster, sender: str) -> bool:
    return send(cluster.rest_url, sender, CUSTOM_TURN).normal


def test_action_server_with_a_malformed_directory_refuses_to_start(cluster, report, prefix, tmp_path):
    assert conversation_works(cluster, f"{prefix}-before")
    broken = copy_municipalities(tmp_path)
    break_adult_phone(broken)
    port = free_port()
    result = subprocess.run(
        [sys.executable, "-m", "actions", "--port", str(port)], cwd=ROOT,
        env={**cluster.env, "MUNICIPALITIES_DIR": str(broken), "SANIC_HOST": "127.0.0.1"},
        capture_output=True, text=True, timeout=START_TIMEOUT_SECONDS,
    )
    report.line(f"extra action server with a broken directory: exit code {result.returncode}, "
                f"said: {result.stderr.strip()!r}")
    after = conversation_works(cluster, f"{prefix}-after")
    report.line(f"a conversation through nginx before and after: works, {'works' if after else 'FAILS'}")
    assert result.returncode != 0
    assert "starter ikke" in result.stderr and "contacts[1].phone" in result.stderr
    assert not listening(port)
    assert after


def test_rasa_node_with_a_missing_model_refuses_to_start(cluster, report, prefix, tmp_path):
    assert conversation_works(cluster, f"{prefix}-before")
    port = free_port()
    result = subprocess.run(
        [sys.executable, "-m", "cluster.node", "--model", str(tmp_path / "models" / "gone.tar.gz"),
         "--endpoints", str(cluster.workdir / "endpoints.yml"), "--credentials", str(ROOT / "credentials.yml"),
         "--interface", "127.0.0.1", "--port", str(port)],
        cwd=ROOT, env=cluster.env, capture_output=True, text=True, timeout=START_TIMEOUT_SECONDS,
    )
    report.line(f"extra Rasa node with a missing model: exit code {result.returncode}, "
                f"said: {result.stderr.strip()!r}")
    after = conversation_works(cluster, f"{prefix}-after")
    report.line(f"a conversation through nginx before and after: works, {'works' if after else 'FAILS'}")
    assert result.returncode != 0
    assert "modellfila finnes ikke / model file not found" in result.stderr
    assert not listening(port)
    assert after
