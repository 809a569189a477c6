"""The setup step that builds the name lists (python -m privacy.build_names)."""
from __future__ import annotations

import gzip
import os
import subprocess
import sys
from pathlib import Path

from privacy import build_names

ROOT = Path(__file__).resolve().parents[2]
SIZE_LIMIT_BYTES = 3 * 1024 * 1024  # "a few MB at most"


def test_the_setup_step_builds_the_file_and_skips_it_when_up_to_date(tmp_path: Path):
    output = tmp_path / "names.tsv.gz"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    command = [sys.executable, "-m", "privacy.build_names", "--output", str(output)]
    first = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr[-2000:]
    assert "wrote" in first.stdout
    assert 0 < output.stat().st_size < SIZE_LIMIT_BYTES
    with gzip.open(output, "rt", encoding="utf-8") as handle:
        header = handle.readline()
        names = dict(line.rstrip("\n").split("\t") for line in handle)
    assert header.startswith("# privacy.build_names ")
    assert len(names) > 50_000
    assert "f" in names["kari"] and "l" in names["hansen"] and "w" in names["liv"]
    assert "drammen" not in names and "mandag" not in names  # not_names.txt
    second = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert second.returncode == 0 and "up to date" in second.stdout


def test_setup_runs_the_step():
    assert "-m privacy.build_names" in (ROOT / "scripts" / "setup.sh").read_text(encoding="utf-8")


def test_the_generated_file_is_not_committed():
    ignored = (ROOT / "privacy" / "data" / ".gitignore").read_text(encoding="utf-8").split()
    assert build_names.OUTPUT.name in ignored


def test_extract_marks_words_places_and_prominent_names():
    first = {
        "Kari": {"rank": {"NO": 24}},
        "Liv": {"rank": {"NO": 60}},
        "Trine": {"rank": {"NO": 51}},
        "Skredder": {"rank": {"NO": 7565}},  # below the Nordic cut: noise
        "Mandag": {"rank": {"NO": 10}},
        "Jordan": {"rank": {"US": 50}},
        "Børte": {"rank": {"NO": 3000}},
        "ابراهيم": {"rank": {"SY": 5}},  # not Latin script
    }
    last = {"Hansen": {"rank": {"NO": 1}}, "Berg": {"rank": {"NO": 12}}}
    names = build_names.extract(
        first, last,
        extra={"first": {"hodan"}, "last": {"warsame"}},
        not_names={"calendar": {"mandag"}, "name-words": {"liv", "berg"}},
        dictionary_words={"liv", "trine", "berg", "borte"},
        common_words=set(),
        proper_nouns={"jordan"},
        places={"jordan"},
    )
    assert names["kari"] == "fp"
    assert names["liv"] == "fpw"  # a name-word
    assert names["trine"] == "fp"  # a prominent name: its rare dictionary homograph does not count
    assert names["berg"] == "lpw"
    assert "g" in names["jordan"]
    assert names["hodan"] == "fp" and names["warsame"] == "lp"
    assert "mandag" not in names and "skredder" not in names and "ابراهيم" not in names
    assert names["borte"] == "fw"  # the æøå-less spelling of "Børte" is the word "borte"
