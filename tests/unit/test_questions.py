"""Two questions in one message are found; context that belongs to a question stays with it."""
import pytest

from nlp.questions import split_questions


@pytest.mark.parametrize("text, parts", [
    ("hva er et pakkeforløp, og hvem ringer jeg for sønnen min på 15?",
     ["hva er et pakkeforløp", "hvem ringer jeg for sønnen min på 15?"]),
    ("hva er et pakkeforløp? når kan jeg ringe dere?", ["hva er et pakkeforløp?", "når kan jeg ringe dere?"]),
    ("Hva er et pakkeforløp og når kan jeg ringe?", ["Hva er et pakkeforløp", "når kan jeg ringe?"]),
    ("kva er eit pakkeforløp, og kven ringjer eg for dottera mi?",
     ["kva er eit pakkeforløp", "kven ringjer eg for dottera mi?"]),
    ("hvordan starter forløpet? hvor lang tid tar det? har dere epost?",
     ["hvordan starter forløpet?", "hvor lang tid tar det?", "har dere epost?"]),
])
def test_two_or_three_questions_are_split_in_order(text, parts):
    assert split_questions(text) == parts


@pytest.mark.parametrize("text", [
    "Sønnen min er 14 og har fått det vanskelig. Hvem bør jeg ta kontakt med?",  # context, then one question
    "Jeg er 30 år. Hvordan starter jeg et pakkeforløp for rus?",
    "hvem kan jeg ringe og når?",  # the second part is too short to be a question of its own
    "hva er et pakkeforløp",
    "",
    "sønnen min på 14 sliter, hvem kan vi kontakte?",
    "hva? hvem? når? hvor? hvorfor?",  # too many, too short
])
def test_one_question_with_its_context_stays_whole(text):
    assert split_questions(text) == [text]
