"""Every command privacy/README.md shows runs as shown."""
from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "privacy" / "README.md"
COMMANDS = [
    line.split("#")[0].strip()
    for line in README.read_text(encoding="utf-8").splitlines()
    if line.startswith("    python -m ")
]


def test_the_readme_shows_commands():
    assert len(COMMANDS) >= 5


@pytest.mark.parametrize("command", COMMANDS)
def test_readme_command_runs(command, tmp_path):
    env = dict(os.environ, TRACKER_DIALECT="sqlite", TRACKER_DB=str(tmp_path / "tracker.db"), PYTHONPATH=str(ROOT))
    argv = [sys.executable] + shlex.split(command)[1:]
    if "--every" not in command:
        result = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr[-2000:]
        return
    log = tmp_path / "retention.log"
    with log.open("w") as out:
        process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60  # the first sweep runs at once
        while time.monotonic() < deadline and not re.search(r"deleted \d+ conversation", log.read_text()):
            assert process.poll() is None, log.read_text()
            time.sleep(0.2)
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0
    assert re.search(r"deleted \d+ conversation", log.read_text()), log.read_text()
