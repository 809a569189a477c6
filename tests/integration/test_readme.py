"""The README's commands work as the README says: `make run` starts every process at the
addresses it lists, the curl example gets an answer, and Ctrl-C stops them all. (`make test`
is the command running this.)"""
from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests

import settings

ROOT = settings.PROJECT_ROOT
README = (ROOT / "README.md").read_text(encoding="utf-8")
PORTS = [int(port) for port in re.findall(r"http://localhost:(\d+)", README.split("## Talking to it")[0])]
READY_SECONDS = 420  # setup and training are done by then in `make test`; loading the model is not
STOP_SECONDS = 60


def _in_use(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _group_alive(pgid: int) -> list:
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            alive.append(int(stat.parent.name))
    return alive


def test_the_readme_names_the_two_commands_and_the_makefile_has_them():
    assert "| `make run` |" in README and "| `make test` |" in README
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^run:.*\n\tscripts/run\.sh", makefile, re.M)
    assert re.search(r"^test:.*\n\tscripts/test\.sh", makefile, re.M)
    assert sorted(PORTS) == [5005, 5055, 8080, 8081]


def test_make_staff_user_creates_an_account(tmp_path):
    env = dict(os.environ, TRACKER_DIALECT="sqlite", TRACKER_DB=str(tmp_path / "tracker.db"),
               REVIEW_PASSWORD="et-langt-passord-for-test")
    result = subprocess.run(["make", "-s", "staff-user", "NAME=kari", "ROLE=admin"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    again = subprocess.run(["make", "-s", "staff-user", "NAME=kari", "ROLE=admin"], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=600)
    assert again.returncode != 0  # the account exists now


def test_make_run_serves_every_address_and_ctrl_c_stops_everything(tmp_path):
    taken = [port for port in PORTS if _in_use(port)]
    if taken:
        pytest.skip(f"ports {taken} are in use: `make run` uses the README's fixed ports")
    env = dict(os.environ, TRACKER_DIALECT="sqlite", TRACKER_DB=str(tmp_path / "tracker.db"))
    log = (tmp_path / "run.log").open("w+")
    process = subprocess.Popen(["make", "run"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)  # its own process group, as a terminal gives it
    pgid = os.getpgid(process.pid)
    try:
        deadline = time.monotonic() + READY_SECONDS
        while "run: ready" not in Path(log.name).read_text():
            assert process.poll() is None, Path(log.name).read_text()[-3000:]
            assert time.monotonic() < deadline, Path(log.name).read_text()[-3000:]
            time.sleep(1)
        curl = re.search(r"```bash\n(curl .*?)\n```", README, re.S).group(1)
        answer = subprocess.run(["bash", "-c", curl], capture_output=True, text=True, timeout=60)
        replies = json.loads(answer.stdout)
        assert any("pakkeforløp" in reply.get("text", "").lower() for reply in replies), replies
        assert requests.get("http://localhost:8080/", timeout=10).status_code == 200
        assert requests.get("http://localhost:8081/", timeout=10, allow_redirects=False).status_code in (200, 302)
        assert requests.get("http://localhost:5055/health", timeout=10).status_code == 200

        os.killpg(pgid, signal.SIGINT)  # Ctrl-C: the terminal signals the whole foreground group
        process.wait(timeout=STOP_SECONDS)
        deadline = time.monotonic() + STOP_SECONDS
        while _group_alive(pgid) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert _group_alive(pgid) == []
        assert [port for port in PORTS if _in_use(port)] == []
    finally:
        if _group_alive(pgid):
            os.killpg(pgid, signal.SIGKILL)
        log.close()
