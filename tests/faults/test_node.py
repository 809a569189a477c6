"""cluster.node refuses to start a Rasa node that could not serve, with one clear line and exit code 2."""
from __future__ import annotations

import io
import json
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from cluster import node
from cluster.local_assistant import latest_model

ROOT = Path(__file__).resolve().parents[2]
NODE_TIMEOUT_SECONDS = 120  # the good-model case imports Rasa's CLI (slow on a busy machine)


def run_node(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-W", "ignore", "-m", "cluster.node", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=NODE_TIMEOUT_SECONDS)


def refusal(result: subprocess.CompletedProcess) -> str:
    """The one line the node printed; fails unless it refused with code 2."""
    assert result.returncode == 2, (result.returncode, result.stderr[-2000:])
    lines = [line for line in result.stderr.splitlines() if line.startswith("Rasa-noden starter ikke")]
    assert len(lines) == 1, result.stderr
    return lines[0]


def make_archive(path: Path, files: dict) -> Path:
    with tarfile.open(path, "w:gz") as archive:
        for name, content in files.items():
            data = content.encode("utf-8")
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def good_metadata(**changes) -> str:
    with tarfile.open(latest_model(), "r:gz") as archive:
        metadata = json.loads(archive.extractfile("metadata.json").read())
    metadata.update(changes)
    return json.dumps(metadata)


def test_missing_model_file(tmp_path):
    line = refusal(run_node("--model", str(tmp_path / "missing.tar.gz"), "--port", "0"))
    assert "modellfila finnes ikke" in line and "model file not found" in line
    assert str(tmp_path / "missing.tar.gz") in line


def test_missing_model_argument():
    assert "--model" in refusal(run_node("--port", "0"))


def test_model_that_is_not_an_archive(tmp_path):
    fake = tmp_path / "model.tar.gz"
    fake.write_text("dette er ikke en modell")
    line = refusal(run_node("--model", str(fake)))
    assert "ikke et tar.gz-arkiv" in line and "not a tar.gz archive" in line


def test_truncated_archive(tmp_path):
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(latest_model().read_bytes()[:50_000])  # a copy interrupted half-way
    line = refusal(run_node("--model", str(cut)))
    assert "not a tar.gz archive" in line


def test_archive_without_rasa_metadata(tmp_path):
    archive = make_archive(tmp_path / "other.tar.gz", {"components/readme.txt": "hei"})
    line = refusal(run_node("--model", str(archive)))
    assert "mangler metadata.json" in line and "not a Rasa model" in line


@pytest.mark.parametrize("metadata,expected", [
    ("{not json", "not valid JSON"),
    ('{"domain": {}}', "lacks model_id"),
])
def test_archive_with_bad_metadata(tmp_path, metadata, expected):
    archive = make_archive(tmp_path / "bad.tar.gz", {"metadata.json": metadata})
    assert expected in refusal(run_node("--model", str(archive)))


def test_model_from_an_older_rasa(tmp_path):
    metadata = good_metadata(rasa_open_source_version="3.0.0")
    archive = make_archive(tmp_path / "old.tar.gz", {"metadata.json": metadata})
    assert "trained with Rasa 3.0.0" in refusal(run_node("--model", str(archive)))


def test_rasa2_model(tmp_path):
    archive = make_archive(tmp_path / "old.tar.gz", {"fingerprint.json": '{"version": "2.8.0"}'})
    assert "Rasa 2" in refusal(run_node("--model", str(archive)))


def test_good_model_passes_the_check():
    assert node.check_model(latest_model()).startswith("3.")
    node.check(["--model", str(latest_model()), "--endpoints", str(ROOT / "endpoints.yml"),
                "--credentials", str(ROOT / "credentials.yml"), "--port", "5005"])


@pytest.mark.parametrize("text,expected", [
    ("tracker_store: [\n", "does not parse"),
    ("tracker_store: just-a-name\n", "'tracker_store' must be a mapping"),
    ("action_endpoint:\n  url: ${FAULT_TEST_UNSET_VARIABLE}\n", "does not parse"),
])
def test_broken_endpoints_file(tmp_path, text, expected):
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(text)
    line = refusal(run_node("--model", str(latest_model()), "--endpoints", str(endpoints)))
    assert expected in line and str(endpoints) in line


def test_missing_credentials_file(tmp_path):
    # plain `rasa run` would fall back to ./credentials.yml or run without channels
    line = refusal(run_node("--model", str(latest_model()), "--credentials", str(tmp_path / "c.yml")))
    assert "credentials-fila finnes ikke" in line and "credentials file not found" in line


def test_good_node_becomes_rasa_run_with_the_same_arguments():
    # --help makes `rasa run` print its usage and exit, so no server is left running
    result = run_node("--model", str(latest_model()), "--help")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "usage: rasa run" in result.stdout
