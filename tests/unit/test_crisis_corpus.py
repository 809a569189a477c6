"""The crisis corpus is honest: every file reads, and nothing scored as blind is a near-copy of
what the classifier learned from (safety/corpus.py)."""
from __future__ import annotations

from pathlib import Path

import pytest
from rapidfuzz import fuzz, process

from nlp.normalize import normalize
from safety.corpus import TRAIN_DIR, TUNE_DIR, read_dir, read_set, training_examples

ROOT = Path(__file__).resolve().parents[2]
BLIND_SETS = [ROOT / "tests" / "data" / f"crisis_fresh{n}.yml" for n in (3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14)]
MAX_SIMILARITY = 90  # rapidfuzz ratio, 0-100, on normalised text


def near_copies(queries, choices):
    """(query, choice, similarity) for every query within MAX_SIMILARITY of a choice."""
    folded_choices = [normalize(c) for c in choices]
    matrix = process.cdist([normalize(q) for q in queries], folded_choices, scorer=fuzz.ratio,
                           score_cutoff=MAX_SIMILARITY, workers=-1)
    found = []
    for i, row in enumerate(matrix):
        j = int(row.argmax())
        if row[j] >= MAX_SIMILARITY:
            found.append((queries[i], choices[j], float(row[j])))
    return found


def test_there_are_several_training_authors_and_a_separate_tuning_author():
    authors = sorted(p.stem for p in TRAIN_DIR.glob("*.yml"))
    tuners = sorted(p.stem for p in TUNE_DIR.glob("*.yml"))
    assert len(authors) >= 3 and tuners and not set(authors) & set(tuners)


def test_the_corpus_is_large_and_covers_both_labels_and_english():
    examples = read_dir(TRAIN_DIR)
    crisis = [e for e in examples if e.crisis]
    english = [e for e in examples if e.language == "en"]
    assert len(examples) >= 2000 and len(crisis) >= 800 and len(examples) - len(crisis) >= 800
    assert sum(e.crisis for e in english) >= 200 and sum(not e.crisis for e in english) >= 200


@pytest.mark.parametrize("path", BLIND_SETS + sorted(TUNE_DIR.glob("*.yml")), ids=lambda p: p.name)
def test_no_blind_or_tuning_message_is_a_near_copy_of_a_training_message(path):
    training = [e.text for e in training_examples()]
    copies = near_copies([e.text for e in read_set(path)], training)
    assert not copies, copies[:10]


def test_a_file_with_an_unknown_key_is_refused(tmp_path):
    path = tmp_path / "x.yml"
    path.write_text("crisis:\n  - a\nmaybe:\n  - b\n", encoding="utf-8")
    with pytest.raises(ValueError, match="unknown keys"):
        read_set(path)


def test_near_copies_finds_a_retyped_message():
    assert near_copies(["Jeg vil ta livet mitt!"], ["jeg vil ta livet mitt", "hei"])
    assert not near_copies(["hva er et pakkeforløp"], ["jeg vil ta livet mitt"])
