"""training/: `rasa train` is skipped only when nothing the model depends on changed."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

import training.__main__ as train_command
from training.fingerprint import COMPONENT_CODE, fingerprint, record, recorded


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "nlu.yml").write_text("nlu: []\n")
    (tmp_path / "config.yml").write_text("pipeline: []\n")
    (tmp_path / "domain.yml").write_text("intents: []\n")
    for package in COMPONENT_CODE:
        (tmp_path / package).mkdir(parents=True)
        (tmp_path / package / "component.py").write_text("X = 1\n")
    (tmp_path / "models").mkdir()
    return tmp_path


def _fingerprint(root: Path):
    return fingerprint(root / "config.yml", root / "domain.yml", root / "data", root)


def test_the_same_inputs_give_the_same_fingerprint(project):
    assert _fingerprint(project) == _fingerprint(project)


@pytest.mark.parametrize("changed, part", [("data/nlu.yml", "inputs"), ("config.yml", "inputs"),
                                           ("domain.yml", "inputs"), ("rasa_server/nlu/component.py", "code"),
                                           ("safety/component.py", "code"), ("rasa_server/policies/component.py", "code")])
def test_a_change_in_any_input_changes_its_part(project, changed, part):
    before = _fingerprint(project)
    (project / changed).write_text((project / changed).read_text() + "# changed\n")
    after = _fingerprint(project)
    assert before[part] != after[part]
    other = "code" if part == "inputs" else "inputs"
    assert before[other] == after[other]


def test_a_new_data_file_changes_the_fingerprint(project):
    before = _fingerprint(project)
    (project / "data" / "rules.yml").write_text("rules: []\n")
    assert _fingerprint(project)["inputs"] != before["inputs"]


def test_the_record_belongs_to_the_newest_model_only(project):
    models = project / "models"
    current = _fingerprint(project)
    (models / "20260101-old.tar.gz").write_bytes(b"old")
    record(models, current, models / "20260101-old.tar.gz")
    assert recorded(models) == current
    newer = models / "20260102-new.tar.gz"
    newer.write_bytes(b"new")
    import os
    os.utime(newer, (newer.stat().st_atime, newer.stat().st_mtime + 10))
    assert recorded(models) == {}, "a model trained some other way has no known inputs"


class _RasaTrain:
    """Stands in for the `rasa train` process: records its command and writes a model."""

    def __init__(self, models: Path) -> None:
        self.models, self.commands = models, []

    def __call__(self, command, **_kwargs):
        self.commands.append(command)
        (self.models / f"model-{len(self.commands)}.tar.gz").write_bytes(b"model")
        return subprocess.CompletedProcess(command, 0)


def _train(project: Path, monkeypatch, *options: str) -> _RasaTrain:
    monkeypatch.chdir(project)
    rasa = _RasaTrain(project / "models")
    monkeypatch.setattr(train_command.subprocess, "run", rasa)
    monkeypatch.setattr(train_command, "fingerprint",
                        lambda config, domain, data: fingerprint(config, domain, data, project))
    assert train_command.main(list(options)) == 0
    return rasa


def test_trains_first_then_skips_rasa_when_nothing_changed(project, monkeypatch, capsys):
    assert len(_train(project, monkeypatch, "--num-threads", "2").commands) == 1
    assert _train(project, monkeypatch).commands == []
    assert "Nothing changed" in capsys.readouterr().out


def test_changed_data_runs_rasa_train_with_its_own_cache(project, monkeypatch):
    _train(project, monkeypatch)
    (project / "data" / "nlu.yml").write_text("nlu: [] # more\n")
    commands = _train(project, monkeypatch).commands
    assert len(commands) == 1 and "--force" not in commands[0]


def test_changed_component_code_trains_from_scratch(project, monkeypatch):
    _train(project, monkeypatch)
    (project / "rasa_server" / "nlu" / "component.py").write_text("X = 2\n")
    commands = _train(project, monkeypatch).commands
    assert len(commands) == 1 and "--force" in commands[0]


def test_force_is_never_skipped(project, monkeypatch):
    _train(project, monkeypatch)
    assert len(_train(project, monkeypatch, "--force").commands) == 1
