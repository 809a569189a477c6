"""One process of the cluster: started in its own process group with its output in a log file,
checked for health, stopped by a signal and started again with the same command.

Every process gets a session (process group) of its own, so a stop reaches its children too
(nginx's workers); children that make sessions of their own (PostgreSQL's backends do) are
found through their parent ids. Each process also asks the kernel to signal it when the
launcher dies, so a killed launcher leaves nothing behind.
"""
from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional

LOG_TAIL_CHARS = 4000
POLL_SECONDS = 0.3
PR_SET_PDEATHSIG = 1  # linux/prctl.h
# what a server prints when its port was taken between choosing and binding it
PORT_IN_USE_HINTS = ("address already in use", "errno 98", "could not bind", "eaddrinuse")


class PortInUse(RuntimeError):
    """The process exited because its port was taken: choose another one and try again."""


def log_tail(path: Path, chars: int = LOG_TAIL_CHARS) -> str:
    try:
        with path.open("rb") as log:
            log.seek(max(0, path.stat().st_size - chars))
            return log.read().decode("utf-8", "replace")
    except OSError:
        return "(no log)"


def _children_by_parent() -> Dict[int, List[int]]:
    children: Dict[int, List[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # the process ended while we looked
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    return children


def process_tree(pid: int) -> List[int]:
    """`pid` and all its descendants that are alive now."""
    children = _children_by_parent()
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(children.get(current, []))
    return tree


def cpu_seconds(pid: int) -> float:
    """CPU time used by a process and its live descendants (and the children they waited for)."""
    total = 0
    for member in process_tree(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        total += sum(int(value) for value in fields[11:15])  # utime, stime, cutime, cstime
    return total / os.sysconf("SC_CLK_TCK")


def _die_with_parent(sig: int) -> Callable[[], None]:
    def preexec() -> None:
        try:
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, int(sig))
        except (OSError, AttributeError):  # not Linux: the launcher's own cleanup still runs
            pass

    return preexec


@dataclass
class Service:
    """A named process: `command` and `healthy` are called at every start (ports may change)."""

    name: str
    command: Callable[[], List[str]]
    log: Path
    healthy: Callable[[], bool]
    env: Optional[Callable[[], Dict[str, str]]] = None  # called at every start; None: ours
    cwd: Optional[Path] = None
    user: Optional[str] = None  # OS account to run as (PostgreSQL refuses to run as root)
    stop_signal: int = signal.SIGTERM  # the graceful one; SIGKILL is the hard stop
    start_timeout: float = 60.0
    stop_timeout: float = 30.0
    process: Optional[subprocess.Popen] = field(default=None, repr=False)

    @property
    def pid(self) -> int:
        if self.process is None:
            raise RuntimeError(f"{self.name} was never started")
        return self.process.pid

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def spawn(self) -> None:
        """Starts the process without waiting for it (see wait_healthy)."""
        if self.running:
            raise RuntimeError(f"{self.name} is already running (pid {self.process.pid})")
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as log:
            log.write(f"\n--- {time.strftime('%Y-%m-%d %H:%M:%S')} starting {self.name} ---\n".encode())
            log.flush()
            self.process = subprocess.Popen(
                self.command(), cwd=self.cwd, env=self.env() if self.env else None, stdin=subprocess.DEVNULL,
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True, user=self.user,
                preexec_fn=_die_with_parent(self.stop_signal),
            )

    def wait_healthy(self, timeout: Optional[float] = None) -> None:
        """Waits until `healthy()`; raises PortInUse or RuntimeError with the log's tail."""
        deadline = time.monotonic() + (timeout or self.start_timeout)
        while True:
            if self.process.poll() is not None:
                tail = log_tail(self.log)
                error = PortInUse if any(h in tail.lower() for h in PORT_IN_USE_HINTS) else RuntimeError
                raise error(f"{self.name} exited with code {self.process.returncode}; "
                            f"last lines of {self.log}:\n{tail}")
            try:
                if self.healthy():
                    return
            except Exception:  # noqa: BLE001 - not up yet, whatever the client library says
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.name} did not become healthy within "
                                   f"{timeout or self.start_timeout:.0f} s; last lines of {self.log}:\n"
                                   f"{log_tail(self.log)}")
            time.sleep(POLL_SECONDS)

    def start(self) -> None:
        self.spawn()
        try:
            self.wait_healthy()
        except Exception:
            self.stop(hard=True)
            raise

    def stop(self, hard: bool = False) -> None:
        """Sends the stop signal (SIGKILL when hard) to the process group and waits for it."""
        if self.process is None or self.process.poll() is not None:
            return
        tree = process_tree(self.process.pid)
        if hard:
            # all at once: a PostgreSQL backend left alive would keep the shared memory and
            # stop the next start on the same data directory
            self._kill(tree)
        else:
            self._signal(self.stop_signal)
        try:
            self.process.wait(timeout=self.stop_timeout)
        except subprocess.TimeoutExpired:
            self._kill(tree)
            self.process.wait()
        # whatever outlived its parent (a backend, a worker) goes too
        self._kill(tree)

    def _kill(self, pids: List[int]) -> None:
        self._signal(signal.SIGKILL)
        for pid in pids[1:]:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def _signal(self, sig: int) -> None:
        try:
            os.killpg(self.process.pid, sig)
        except ProcessLookupError:
            pass
