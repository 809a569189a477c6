"""Numbers written as words (actions/age.py number_value): one row per spelling people use."""
import pytest

from actions.age import number_value


@pytest.mark.parametrize("words,value", [
    ("17", 17),
    ("null", 0),
    ("ett", 1),
    ("to", 2),
    ("sju", 7),
    ("syv", 7),
    ("åtte", 8),
    ("atte", 8),             # typed without å
    ("ti", 10),
    ("elleve", 11),
    ("tolv", 12),
    ("tretten", 13),
    ("fjorten", 14),
    ("femten", 15),
    ("seksten", 16),
    ("sytten", 17),
    ("søtten", 17),          # nynorsk / dialect
    ("sotten", 17),          # søtten without ø
    ("atten", 18),
    ("nitten", 19),
    ("fjortan", 14),         # dialect -an
    ("syttn", 17),           # Trøndelag / Nordland spelling
    ("tjue", 20),
    ("tjuge", 20),           # nynorsk
    ("tyve", 20),            # old bokmål counting
    ("tretti", 30),
    ("tredve", 30),
    ("førti", 40),
    ("forti", 40),
    ("femti", 50),
    ("seksti", 60),
    ("sytti", 70),
    ("søtti", 70),
    ("åtti", 80),
    ("nitti", 90),
    ("hundre", 100),
    ("tjueen", 21),
    ("tjueto", 22),
    ("tjue to", 22),
    ("to og tjue", 22),      # old counting, apart
    ("toogtjue", 22),        # old counting, one word
    ("femogtjue", 25),
    ("tjuefem", 25),
    ("tjugefem", 25),
    ("førtito", 42),
    ("femtiåtte", 58),
    ("syttini", 79),
    ("hundre og ti", 110),
    ("hundreogtjue", 120),
    ("Femten", 15),          # capitals, as typed
])
def test_number_words(words, value):
    assert number_value(words) == value


@pytest.mark.parametrize("words", [
    "og",
    "tenåring",      # "ten" is no Norwegian number
    "to tre",        # two numbers, not one
    "tjue og",       # a dangling "og"
    "hundreog",
    "tjuenull",      # nobody counts so
    "fem og seks",
    "barn",
    "",
])
def test_words_that_are_no_number(words):
    assert number_value(words) is None
