"""The evaluation script runs, and masking does not regress on its generated set."""
from __future__ import annotations

from evaluation import privacy as evaluate
from privacy import masking
from privacy.masking import Masker

# Floors a bit under today's figures (python -m evaluation.privacy), so a regression fails here
RULE_KINDS_MIN_RECALL = 0.99
HARD_ADDRESS_MIN_RECALL = 0.6
MAX_OVER_MASKING = 0.05


def test_generated_data_is_valid():
    from stdnum.no import fodselsnummer, kontonr

    samples = evaluate.generate(700, seed=3)
    for sample in samples:
        if sample.kind == masking.NATIONAL_ID:
            assert fodselsnummer.is_valid(sample.secret.replace(" ", ""))
        if sample.kind == masking.ACCOUNT:
            assert kontonr.is_valid(sample.secret.replace(" ", "").replace(".", ""))


def test_recall_and_over_masking_floors():
    tallies, _ = evaluate.evaluate(evaluate.generate(1500, seed=11), Masker(use_ner=False))
    for kind in (masking.PHONE, masking.EMAIL, masking.NATIONAL_ID, masking.ACCOUNT, masking.ADDRESS, masking.NAME):
        tally = tallies[kind]
        assert tally.gone / tally.total >= RULE_KINDS_MIN_RECALL, kind
    hard_address = tallies[masking.ADDRESS + evaluate.HARD]
    assert hard_address.gone / hard_address.total >= HARD_ADDRESS_MIN_RECALL
    negatives = [tallies[category] for category in evaluate.NEGATIVES]
    assert sum(t.changed for t in negatives) / sum(t.total for t in negatives) <= MAX_OVER_MASKING
    for category in ("alder", "kommunens og nasjonale numre"):
        assert tallies[category].changed == 0, category  # the bot routes on ages; its numbers stay


def test_command_prints_the_report(capsys):
    assert evaluate.main(["-n", "200", "--seed", "2", "--ner", "off"]) == 0
    out = capsys.readouterr().out
    assert "over-masking rate (all)" in out and "telefonnummer" in out
