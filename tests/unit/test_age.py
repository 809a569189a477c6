"""Who needs help, read from what people write (actions/age.py)."""
import pytest

from actions.age import ADULT, CHILD, read_person

CASES = [
    # text, expected audience, expected age
    ("jeg er 17", CHILD, 17),
    ("jeg er 18", ADULT, 18),
    ("Jeg er 42 år", ADULT, 42),
    ("eg er 16", CHILD, 16),
    ("æ e 15 år", CHILD, 15),
    ("16 år", CHILD, 16),
    ("16år", CHILD, 16),
    ("sønnen min på 14", CHILD, 14),
    ("sonnen min paa 14 sliter", CHILD, 14),
    ("dottera mi på 9", CHILD, 9),
    ("datteren min er 19", ADULT, 19),
    ("en 15-åring", CHILD, 15),
    ("tenåring", CHILD, None),
    ("tenåringsdattera mi har det tungt", CHILD, None),
    ("samboeren min har depresjon", ADULT, None),
    ("sambuaren min drikk for mykje", ADULT, None),
    ("tenaaringen min har angst", CHILD, None),
    ("barnet mitt", CHILD, None),
    ("eleven min", CHILD, None),
    ("mannen min", ADULT, None),
    ("kona mi drikker", ADULT, None),
    ("barn", CHILD, None),
    ("voksen", ADULT, None),
    ("vaksen", ADULT, None),
    ("under 18", CHILD, None),
    ("Under 18 år", CHILD, None),
    ("18 år eller eldre", ADULT, None),
    ("over 18", ADULT, None),
    ("unnskyld, det gjelder meg selv, jeg er 30", ADULT, 30),
    ("jeg er 45 og sønnen min er 15", CHILD, 15),
    ("jeg er 17 år gammel", CHILD, 17),
]


@pytest.mark.parametrize("text,audience,age", CASES)
def test_reads_audience_and_age(text, audience, age):
    person = read_person(text)
    assert person.audience == audience
    assert person.age == age


@pytest.mark.parametrize("text", [
    "sønnen min sliter",      # a son may be an adult: ask
    "hvem kan jeg kontakte?",
    "ring 901 50 842",        # a phone number is not an age
    "kan jeg ringe kl 10",
    "jeg trenger hjelp",      # the writer may be 15: ask
    "eg treng hjelp",
    "hei",
    "",
    None,
])
def test_unclear_messages_do_not_guess(text):
    assert read_person(text).audience is None


@pytest.mark.parametrize("text", ["det gjelder meg", "det gjeld meg sjølv", "meg selv"])
def test_about_self_is_noticed_without_an_age(text):
    person = read_person(text)
    assert person.about_self and person.audience is None


@pytest.mark.parametrize("age,audience", [(0, None), (17, CHILD), (18, ADULT), (110, ADULT), (111, None), (450, None)])
def test_age_boundaries(age, audience):
    assert read_person(f"jeg er {age}").audience == audience
