"""Starts the real Rasa server and action server on free loopback ports, for tests and benchmarks.

Used by integration and browser tests and `make bench`: `with running_assistant(tmp_dir) as bot: bot.rest_url`.
Needs a trained model in models/ (the test command trains before running pytest).
"""
from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, Optional

import requests
import yaml

# one source of ports for every server the tests start: never the same port handed out twice
from cluster.ports import free_port  # noqa: F401 - re-exported for the tests
from settings import PROJECT_ROOT as ROOT

VENV_BIN = Path(sys.executable).parent
STARTUP_TIMEOUT_SECONDS = 240  # loading TensorFlow and the model on a busy 2-core machine


def latest_model() -> Path:
    models = sorted((ROOT / "models").glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not models:
        raise RuntimeError("no trained model in models/: run `make train` (the test command does)")
    return models[-1]


def wait_for(url: str, process: subprocess.Popen, log: Path, timeout: float = STARTUP_TIMEOUT_SECONDS) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"process exited ({process.returncode}):\n{log.read_text()[-4000:]}")
        try:
            if requests.get(url, timeout=2).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer within {timeout}s:\n{log.read_text()[-4000:]}")


@dataclass
class Assistant:
    rasa_port: int
    action_port: int
    env: Dict[str, str]
    workdir: Path
    pids: Dict[str, int] = None  # name -> process id, for memory measurements

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def rest_url(self) -> str:
        return f"{self.base_url}/webhooks/rest/webhook"

    def say(self, sender: str, text: str, timeout: float = 30, metadata: Optional[dict] = None) -> list:
        body = {"sender": sender, "message": text, **({"metadata": metadata} if metadata else {})}
        reply = requests.post(self.rest_url, json=body, timeout=timeout)
        reply.raise_for_status()
        return reply.json()


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@contextlib.contextmanager
def running_assistant(
    workdir: Path,
    env_overrides: Optional[Dict[str, str]] = None,
    credentials: Optional[Path] = None,
    with_actions: bool = True,
    model: Optional[Path] = None,
) -> Iterator[Assistant]:
    """Runs both servers with a tracker database inside `workdir`; stops them afterwards."""
    workdir.mkdir(parents=True, exist_ok=True)
    rasa_port, action_port = free_port(), free_port()
    env = dict(os.environ)
    env.update({"TRACKER_DIALECT": "sqlite", "TRACKER_DB": str(workdir / "tracker.db")})
    env.update(env_overrides or {})
    env["PYTHONPATH"] = str(ROOT)

    endpoints = yaml.safe_load((ROOT / "endpoints.yml").read_text())
    endpoints["action_endpoint"]["url"] = f"http://127.0.0.1:{action_port}/webhook"
    endpoints_file = workdir / "endpoints.yml"
    endpoints_file.write_text(yaml.safe_dump(endpoints))

    processes = []
    try:
        if with_actions:
            action_log = workdir / "actions.log"
            actions = subprocess.Popen(
                [str(VENV_BIN / "python"), "-m", "actions", "--port", str(action_port)],
                cwd=ROOT, env=env, stdout=action_log.open("w"), stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            processes.append(actions)
            wait_for(f"http://127.0.0.1:{action_port}/health", actions, action_log)
        rasa_log = workdir / "rasa.log"
        rasa = subprocess.Popen(
            [
                str(VENV_BIN / "python"), "-m", "rasa_server", "run", "--model", str(model or latest_model()),
                "--port", str(rasa_port), "--interface", "127.0.0.1",
                "--credentials", str(credentials or ROOT / "credentials.yml"),
                "--endpoints", str(endpoints_file),
            ],
            cwd=ROOT, env=env, stdout=rasa_log.open("w"), stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        processes.append(rasa)
        wait_for(f"http://127.0.0.1:{rasa_port}/", rasa, rasa_log)
        # "/" answers before the model is ready; the REST channel answers once it is
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        bot = Assistant(rasa_port, action_port, env, workdir,
                        {("actions" if p is not rasa else "rasa"): p.pid for p in processes})
        while True:
            try:
                bot.say("startup-probe", "hei", timeout=10)
                break
            except requests.RequestException:
                if time.monotonic() > deadline or rasa.poll() is not None:
                    raise RuntimeError(rasa_log.read_text()[-4000:])
                time.sleep(1)
        yield bot
    finally:
        for process in reversed(processes):
            _stop(process)
