"""The held-out set stays unseen: no training example is a copy or near-copy of a held-out one."""
from pathlib import Path

from rapidfuzz import fuzz, process

from evaluation.quality import read_examples

ROOT = Path(__file__).resolve().parents[2]
NEAR_COPY = 90  # rapidfuzz ratio; 90+ is the same sentence with a typo or a word swapped


def test_no_training_example_is_a_near_copy_of_a_held_out_one():
    held_out = [t.lower() for path in sorted((ROOT / "tests" / "nlu").glob("heldout*.yml"))
                for t, _ in read_examples(path)]  # bokmål, nynorsk and English
    training = [t.lower() for f in sorted((ROOT / "data" / "nlu").glob("*.yml")) for t, _ in read_examples(f)]
    scores = process.cdist(training, held_out, scorer=fuzz.ratio, workers=1)
    copies = [(training[i], held_out[j]) for i, j in zip(*(scores >= NEAR_COPY).nonzero())]
    assert not copies, copies[:20]


def test_no_training_example_is_a_near_copy_of_a_blind_behaviour_case():
    """The behaviour sets still in tests/data were pruned against all training data before their
    first scoring (spent ones move into data/nlu as strangers_behaviour*.yml)."""
    from evaluation.behaviour import read_cases

    blind = [c.text.lower() for path in sorted((ROOT / "tests" / "data").glob("behaviour_fresh*.yml"))
             for c in read_cases(path)]
    training = [t.lower() for f in sorted((ROOT / "data" / "nlu").glob("*.yml")) for t, _ in read_examples(f)]
    assert blind and training
    scores = process.cdist(training, blind, scorer=fuzz.ratio, workers=1)
    copies = [(training[i], blind[j]) for i, j in zip(*(scores >= NEAR_COPY).nonzero())]
    assert not copies, copies[:20]
