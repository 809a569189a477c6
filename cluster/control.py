"""Asks a running `python -m cluster` to do something it owns, from another shell.

The launcher started every process and holds them (their process ids, logs and the nginx
file), so only it can restart a Rasa server the way the cluster expects. `python -m cluster
deploy-model` therefore leaves a request in <cluster dir>/control/, the launcher's watch loop
(every two seconds) carries it out and writes what it does to a progress file, which the
command prints as it grows, and finally a result.

    request_id = submit(workdir, "deploy-model", {"model": "/abs/models/x.tar.gz"})   # the command
    request = take_request(workdir)                                                   # the launcher
    ... progress(workdir, request, "line") ... finish(workdir, request, ok=True, message="...")
    result = follow(workdir, request_id, echo=print)                                  # the command

Files, not a socket: nothing listens, and only the account that runs the cluster (owner of
the directory) can ask.
"""
from __future__ import annotations

import json
import os
import time
import uuid
from pathlib import Path
from typing import Any, Callable, Dict, Optional

PID_FILE = "cluster.pid"
CONTROL_DIR = "control"
REQUEST_FILE = "request.json"
POLL_SECONDS = 0.5


def write_pid(workdir: Path) -> None:
    (workdir / PID_FILE).write_text(f"{os.getpid()}\n")


def reset(workdir: Path) -> None:
    """At the launcher's start: requests left by a launcher that died are void."""
    directory = workdir / CONTROL_DIR
    for stale in [directory / REQUEST_FILE, *directory.glob("*.running")]:
        stale.unlink(missing_ok=True)


def remove_pid(workdir: Path) -> None:
    path = workdir / PID_FILE
    try:
        if path.read_text().strip() == str(os.getpid()):
            path.unlink()
    except OSError:
        pass


def launcher_pid(workdir: Path) -> Optional[int]:
    """The process id of the `python -m cluster` serving `workdir`, if it still runs."""
    try:
        pid = int((workdir / PID_FILE).read_text().strip())
        command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except (OSError, ValueError):
        return None
    return pid if b"cluster" in command else None


def _dir(workdir: Path) -> Path:
    path = workdir / CONTROL_DIR
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def submit(workdir: Path, action: str, arguments: Dict[str, Any]) -> str:
    """Leaves a request for the launcher; refuses while another one is waiting or running."""
    directory = _dir(workdir)
    if (directory / REQUEST_FILE).exists() or list(directory.glob("*.running")):
        raise RuntimeError(f"another request is waiting or running ({directory}); wait for it")
    request_id = f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}"
    temporary = directory / f".{request_id}.tmp"
    temporary.write_text(json.dumps({"id": request_id, "action": action, "arguments": arguments}))
    temporary.rename(directory / REQUEST_FILE)  # atomic: the launcher never reads half a request
    return request_id


def take_request(workdir: Path) -> Optional[Dict[str, Any]]:
    """The waiting request, if any (the launcher's side); marks it running."""
    directory = workdir / CONTROL_DIR
    path = directory / REQUEST_FILE
    try:
        request = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    path.unlink()
    (directory / f"{request['id']}.running").touch()
    return request


def progress(workdir: Path, request: Dict[str, Any], line: str) -> None:
    with (_dir(workdir) / f"{request['id']}.log").open("a", encoding="utf-8") as log:
        log.write(line.rstrip("\n") + "\n")


def finish(workdir: Path, request: Dict[str, Any], ok: bool, message: str,
           figures: Optional[Dict[str, Any]] = None) -> None:
    directory = _dir(workdir)
    temporary = directory / f".{request['id']}.result.tmp"
    temporary.write_text(json.dumps({"ok": ok, "message": message, "figures": figures or {}}, indent=1))
    temporary.rename(directory / f"{request['id']}.result.json")
    (directory / f"{request['id']}.running").unlink(missing_ok=True)


def follow(workdir: Path, request_id: str, echo: Callable[[str], None] = print,
           poll: float = POLL_SECONDS) -> Dict[str, Any]:
    """Prints the request's progress until its result is there; raises if the launcher stops first."""
    directory = _dir(workdir)
    log, result = directory / f"{request_id}.log", directory / f"{request_id}.result.json"
    shown = 0
    while True:
        done = result.exists()  # before the log is read: every line written before it is shown
        if log.exists():
            text = log.read_text(encoding="utf-8")
            complete = text[:text.rfind("\n") + 1]
            for line in complete[shown:].splitlines():
                echo(line)
            shown = len(complete)
        if done:
            return json.loads(result.read_text())
        if launcher_pid(workdir) is None:
            raise RuntimeError("the cluster stopped before it finished the request")
        time.sleep(poll)
