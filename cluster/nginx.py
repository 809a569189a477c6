"""nginx in front of the cluster: renders cluster/nginx.conf.template and runs nginx in the
foreground with its own prefix, pid file and logs under the cluster's directory (never the
system service). `reload()` makes a running nginx read a re-rendered file (a port changed).
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional

import requests

from cluster.process import Service

TEMPLATE = Path(__file__).resolve().parent / "nginx.conf.template"
START_TIMEOUT_SECONDS = 30
HEALTH_TIMEOUT_SECONDS = 2
RELOAD_TIMEOUT_SECONDS = 30
RELOAD_POLL_SECONDS = 0.05
TOO_MANY_REQUESTS = "For mange meldinger på kort tid. Vent litt og prøv igjen."
UNAVAILABLE = ("Assistenten er ikke tilgjengelig akkurat nå. Prøv igjen om litt. "
               "Haster det, ring 113 eller legevakt 116 117.")


@dataclass(frozen=True)
class RateLimits:
    """Per client address. A resident types a message every few seconds at most; a page load
    with the chat is about five socket.io requests; a school or an office shares one address."""

    rest_rate: str = "5r/s"
    rest_burst: int = 30
    socketio_rate: str = "10r/s"
    socketio_burst: int = 60


@dataclass
class NginxSettings:
    public_port: int
    action_lb_port: int
    rasa_ports: List[int]
    action_ports: List[int]
    access_log: str
    web_port: Optional[int] = None
    limits: RateLimits = field(default_factory=RateLimits)
    # a server that failed (refused, timed out) this often is left out for fail_timeout; not
    # after one failure: a single slow moment under load must not take a server out
    max_fails: int = 3
    fail_timeout: str = "10s"
    rasa_connect_timeout: str = "2s"
    rasa_read_timeout: str = "60s"  # an answer under heavy load can take seconds
    socketio_read_timeout: str = "120s"
    # a resident must get an answer within 2 s even when an action server hangs
    action_connect_timeout: str = "1s"
    action_read_timeout: str = "1500ms"
    action_total_timeout: str = "2s"
    # Rasa servers taken out of both upstreams (`down`) for a rolling restart: nginx sends them
    # no new request; what they are handling finishes (cluster/rolling.py)
    down_ports: List[int] = field(default_factory=list)


def find_nginx() -> str:
    path = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if path is None:
        raise RuntimeError("nginx not found: install Debian's `nginx` package")
    return path


def render(settings: NginxSettings, directory: Path) -> str:
    import jinja2

    environment = jinja2.Environment(undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                                     keep_trailing_newline=True)
    template = environment.from_string(TEMPLATE.read_text(encoding="utf-8"))
    return template.render(
        dir=str(directory), run_as_root=os.geteuid() == 0, **vars(settings),
        too_many_requests_json=_json_error(TOO_MANY_REQUESTS), unavailable_json=_json_error(UNAVAILABLE),
    )


def _json_error(text: str) -> str:
    body = json.dumps({"error": text}, ensure_ascii=False)
    assert "'" not in body, "the body sits between single quotes in nginx.conf"
    return body


class NginxInstance:
    def __init__(self, directory: Path, settings: NginxSettings) -> None:
        self.directory = directory
        self.settings = settings
        self.binary = find_nginx()

    @property
    def config_file(self) -> Path:
        return self.directory / "nginx.conf"

    def write_config(self) -> None:
        (self.directory / "temp").mkdir(parents=True, exist_ok=True)
        self.config_file.write_text(render(self.settings, self.directory), encoding="utf-8")

    def command(self) -> List[str]:
        self.write_config()
        return [self.binary, "-p", str(self.directory), "-c", str(self.config_file),
                "-e", "stderr", "-g", "daemon off;"]

    def check(self) -> None:
        """Raises RuntimeError with nginx's own message when the rendered file is invalid."""
        import subprocess

        self.write_config()
        result = subprocess.run([*self.command()[:-2], "-t", "-q"], capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"nginx -t failed for {self.config_file}:\n{result.stderr}")

    def is_ready(self) -> bool:
        url = f"http://127.0.0.1:{self.settings.public_port}/healthz"
        return requests.get(url, timeout=HEALTH_TIMEOUT_SECONDS).status_code == 200

    def service(self, log: Path, name: str = "nginx") -> Service:
        return Service(name, self.command, log, self.is_ready, start_timeout=START_TIMEOUT_SECONDS)

    def reload(self, service: Service) -> None:
        """Re-renders the file and has the running master re-read it (SIGHUP)."""
        self.check()
        os.kill(service.pid, signal.SIGHUP)

    def reload_and_wait(self, service: Service, timeout: float = RELOAD_TIMEOUT_SECONDS) -> None:
        """Reloads and waits until a worker with the new file runs: from then on no new
        connection is handled with the old upstreams. (The old worker finishes the requests it
        has, then exits; a connection it still holds is counted by the drain, cluster/rolling.py.)"""
        before = set(workers(service.pid))
        self.reload(service)
        deadline = time.monotonic() + timeout
        while not set(workers(service.pid)) - before:
            if time.monotonic() > deadline:
                raise RuntimeError(f"nginx did not start a worker with the new configuration within {timeout:.0f} s")
            time.sleep(RELOAD_POLL_SECONDS)


def workers(master_pid: int) -> List[int]:
    """The nginx master's worker processes that take new connections (not the ones shutting down)."""
    from cluster.process import process_tree

    found = []
    for pid in process_tree(master_pid)[1:]:
        try:
            title = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if "worker process" in title and "shutting down" not in title:
            found.append(pid)
    return found
