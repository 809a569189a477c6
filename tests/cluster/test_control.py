"""`python -m cluster deploy-model` asks the running launcher through files (cluster/control.py):
the request is carried out by the launcher's watch loop, its progress printed by the command.
The rollout itself is replaced here (tests/cluster/test_rolling_restart.py does the real one)."""
from __future__ import annotations

import threading
from pathlib import Path

import pytest

from cluster import __main__ as main
from cluster import control, rolling
from cluster.launcher import latest_model


@pytest.fixture
def launcher(tmp_path, monkeypatch):
    """A stand-in for the running launcher: its watch loop's request handling, in a thread."""
    stop = threading.Event()
    monkeypatch.setattr(control, "launcher_pid", lambda workdir: None if stop.is_set() else 4242)

    def loop():
        while not stop.is_set():
            main.serve_request(object(), tmp_path)
            stop.wait(0.05)

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    yield tmp_path
    stop.set()
    thread.join(5)


def _fake_rollout(lines, fail=None):
    def rolling_restart(cluster, model, say):
        for line in lines:
            say(line)
        if fail:
            raise rolling.ModelRefused(fail)
        return rolling.Rollout(Path(model), "new-id", [rolling.ServerRestart("rasa-1", 5005, total_seconds=1.0)], 2.0)
    return rolling_restart


def test_deploy_model_is_carried_out_by_the_launcher_and_its_progress_printed(launcher, monkeypatch, capsys):
    model = latest_model()
    monkeypatch.setattr(rolling, "rolling_restart", _fake_rollout(["rasa-1 out of nginx", "rasa-1 back"]))
    assert main.main(["--dir", str(launcher), "deploy-model", "--model", str(model)]) == 0
    out = capsys.readouterr().out
    assert "rasa-1 out of nginx\nrasa-1 back\n" in out
    assert f"every Rasa server runs {model.name}" in out
    assert not list((launcher / "control").glob("*.running"))


def test_a_failed_rollout_is_reported_with_exit_code_1(launcher, monkeypatch, capsys):
    monkeypatch.setattr(rolling, "rolling_restart", _fake_rollout(["rasa-1 out of nginx"], fail="rasa-1 runs the old model"))
    assert main.main(["--dir", str(launcher), "deploy-model", "--model", str(latest_model())]) == 1
    captured = capsys.readouterr()
    assert "rasa-1 out of nginx" in captured.out and "rasa-1 runs the old model" in captured.err


def test_a_broken_model_is_refused_before_the_cluster_is_asked(launcher, tmp_path, capsys):
    broken = tmp_path / "x.tar.gz"
    broken.write_bytes(b"no")
    assert main.main(["--dir", str(launcher), "deploy-model", "--model", str(broken)]) == 2
    assert "tar.gz" in capsys.readouterr().err
    assert not (launcher / "control" / control.REQUEST_FILE).exists()


def test_deploy_model_needs_a_running_cluster(tmp_path, capsys):
    assert main.main(["--dir", str(tmp_path), "deploy-model"]) == 1
    assert "no running cluster" in capsys.readouterr().err


def test_a_second_request_waits_for_the_first(tmp_path):
    control.submit(tmp_path, "deploy-model", {"model": "a"})
    with pytest.raises(RuntimeError, match="another request"):
        control.submit(tmp_path, "deploy-model", {"model": "b"})
    control.reset(tmp_path)  # a launcher starting again drops what its predecessor left
    control.submit(tmp_path, "deploy-model", {"model": "b"})
