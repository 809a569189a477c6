"""nlp/contact_question.py: does a message also ask whom to contact?"""
import pytest

from nlp.contact_question import asks_whom_to_contact


@pytest.mark.parametrize("text", [
    "Kven kan eg ringje?",
    "hvem tar jeg kontakt med om pappa?",
    "kem ska æ snakk med",
    "hvor kan vi henvende oss?",
    "kvar vender vi oss",
    "hvem sier jeg ifra til",
    "Who should the family call?",
    "who do I refer her to",
    "where can we turn",
    "I need someone to talk to",
    "trenger noen å snakke med",
    "hvilken person kan jeg prate med der",
    "kven i kommunen skal følgje ho opp etter utskrivinga?",  # routing set 12 (spent), in new words
    "who can my neighbour be referred to?",
])
def test_asks_whom_to_contact(text):
    assert asks_whom_to_contact(text)


@pytest.mark.parametrize("text", [
    "hva rettigheter har pårørende?",
    "hvordan får jeg en forløpskoordinator",
    "hvem henviser til pakkeforløp?",
    "hvem har rett på koordinator",
    "hvem kan hjelpe pårørende?",  # support, not a contact: «hjelpe» is left out
    "what rights do relatives have",
    "how do I get a coordinator",
    "hvem kan henvise meg?",  # how to start: the fastlege refers
    "",
    None,
])
def test_does_not_ask_whom_to_contact(text):
    assert not asks_whom_to_contact(text)
