"""Which language to answer in: English is detected, Norwegian gets the municipality's målform,
the resident's own choice wins, and a message too short to tell changes nothing."""
import pytest

from nlp.language import detect
from rasa_server.nlu.language import language_of


@pytest.mark.parametrize("text", [
    "what is a pakkeforløp?", "my son is 15 and smokes weed, who can help", "i want to kill myself",
    "who do i call, im 19", "thank you so much", "whats the weather like", "can my family be involved",
    "How long is the waiting time for the pathway?", "my friend took all her pills and won't wake up",
    "Bye for now", "Am I talking to a bot?", "A student of mine, she's in 5th grade.",  # short ones
    "my grandmother, 79", "howdy", "ttyl",  # a word nobody writes in Norwegian chat decides alone
    "myself, 27", "a coworker", "am I entitled to a coordinator?", "I'll log off now, take care",  # behaviour set 6 (spent)
    "He's seven.", "she's 15", "it's for my dad",  # a contraction or a number word decides (routing set 6, spent)
    # Norwegian thanks and greetings in English (behaviour set 12, spent): «tusen takk», «hei» do not hold it back
    "tusen takk, that was just what I wanted", "hei hei, good evening", "good night", "my husband",
])
def test_english(text):
    assert detect(text) == "en"


@pytest.mark.parametrize("text", [
    "hva er et pakkeforløp", "vi sees", "er du chat gpt", "har dåkker e-post", "kva er eit pakkeforløp",
    "kan familien min vare med i forlopet", "Kan nån forklar mæ ka et pasientforløp e for nåkka?",
    "jeg vil ta livet mitt", "hvem vant champions league", "eg treng hjelp",
    "han er ti", "ho er seksten",  # Norwegian number words stay Norwegian
    "hei, takk for svaret", "tusen takk for hjelpen, ha det bra",  # borrowed words are still Norwegian here
])
def test_norwegian_also_with_english_looking_words(text):
    assert detect(text) == "no"


@pytest.mark.parametrize("text", ["ok", "hmm", "hey", "help", "thanks", "I am 34", "blabla",
                                  "bye bye"])  # one English word, twice
def test_too_short_or_one_english_word_says_nothing(text):
    assert detect(text) is None


def test_norwegian_is_answered_in_the_municipality_s_malform_and_a_choice_wins():
    assert language_of("eg treng hjelp", {"municipality": "kommune-a"}) == "nb"  # a bokmål municipality
    assert language_of("what is a pathway coordinator", {"municipality": "kommune-a"}) == "en"
    assert language_of("what is a pathway coordinator", {"language": "nn"}) == "nn"
    assert language_of("hva er et pakkeforløp", {"language": "en"}) == "en"
    assert language_of("ok", {}) is None
    assert language_of('/inform_person{"audience": "child"}', {}) is None
    assert language_of("hva er et pakkeforløp", {"language": "de"}) == "nb"  # an unknown choice is ignored
