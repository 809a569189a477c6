"""The Rasa server's adaptations are installed by one explicit entry point, never on import,
and refuse a Rasa version they were not written for."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _fresh_python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_importing_every_module_of_rasa_server_changes_nothing_in_rasa():
    result = _fresh_python(
        "import importlib, pkgutil\n"
        "from rasa.core.actions.action import RemoteAction\n"
        "from rasa.core.tracker_store import FailSafeTrackerStore\n"
        "run, save = RemoteAction.run, FailSafeTrackerStore.save\n"
        "import rasa_server\n"
        "names = [m.name for m in pkgutil.walk_packages(rasa_server.__path__, 'rasa_server.')]\n"
        "assert 'rasa_server.channels.rest' in names and 'rasa_server.patches.remote_actions' in names\n"
        "for name in names:\n"
        "    importlib.import_module(name)\n"
        "assert RemoteAction.run is run and FailSafeTrackerStore.save is save\n"
        "assert not rasa_server.installed()\n"
        "rasa_server.install()\n"
        "assert RemoteAction.run is not run and FailSafeTrackerStore.save is not save\n"
        "assert rasa_server.installed()\n")
    assert result.returncode == 0, result.stderr[-2000:]


def test_every_patch_refuses_another_rasa_version(monkeypatch):
    import rasa

    import rasa_server
    from rasa_server.patches import domain_checks, event_types, graph_runner, remote_actions, tracker_store_failures

    monkeypatch.setattr(rasa, "__version__", "3.7.0")
    for patch in (domain_checks, event_types, graph_runner, remote_actions, tracker_store_failures):
        with pytest.raises(rasa_server.UnsupportedRasaVersion, match="3.7.0"):
            patch.install()


def test_the_entry_point_says_how_to_use_it():
    result = subprocess.run([sys.executable, "-m", "rasa_server"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "python -m rasa_server" in result.stderr


def test_the_entry_point_hands_its_arguments_to_rasa():
    result = subprocess.run([sys.executable, "-m", "rasa_server", "run", "--help"], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0 and "usage: rasa run" in result.stdout


@pytest.mark.parametrize("path", ["scripts/run.sh", "Makefile", "cluster/local_assistant.py", "cluster/node.py"])
def test_every_way_of_starting_the_server_uses_the_entry_point(path):
    text = (ROOT / path).read_text(encoding="utf-8")
    assert '"-m", "rasa_server"' in text or "-m rasa_server" in text
    assert "bin/rasa run" not in text and "bin/rasa shell" not in text
