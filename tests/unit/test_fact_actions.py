"""Each municipality answers with its own page's facts, never another's (issue: several
municipalities). Runs the real actions on trackers whose `municipality` slot names the municipality."""
import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import contact_actions
from actions.contact_actions import ActionRoutePerson, ActionTellEmail, ActionTellOpeningHours
from actions.fact_actions import FACT_ACTIONS, ActionTellFollowupService, ActionTellHospital, ActionTellHowToStart
from actions.municipality import municipality_of
from municipalities import catalogue
from tests.unit.test_contact_actions import MONDAY_11
from tests.unit.test_municipalities import add_third
from tests.support.municipalities import copy_municipalities

# what only kommune-a's page says: kommune-b's answers must never contain it
ONLY_A = ("Morten Jansson", "901 50 842", "Vestre Viken", "Oppfølgingstjenesten i kommunen", "Barne- og familietjenesten",
          "10.00")


@pytest.fixture(autouse=True)
def monday_morning(monkeypatch):
    monkeypatch.setattr(contact_actions, "now", lambda: MONDAY_11)


def tracker(municipality=None, text="hei", metadata=None, audience=None):
    slots = {"audience": audience, "age": None, "municipality": municipality}
    latest = {"text": text, "intent": {"name": "ask_contact", "confidence": 1.0}, "entities": [],
              "metadata": metadata or {}}
    return Tracker("t", slots, latest, [], False, None, {}, "action_listen")


def say(action, municipality=None, **kwargs):
    dispatcher = CollectingDispatcher()
    action.run(dispatcher, tracker(municipality, **kwargs), {})
    return "\n".join(m.get("text") or m.get("response") for m in dispatcher.messages)


def every_answer(municipality):
    texts = [say(action(), municipality) for action in FACT_ACTIONS]
    for text in ("jeg er 16", "jeg er 40"):
        texts.append(say(ActionRoutePerson(), municipality, text=text))
    for audience in ("child", "adult"):
        texts.append(say(ActionTellOpeningHours(), municipality, audience=audience))
        texts.append(say(ActionTellEmail(), municipality, audience=audience))
    return texts


def test_kommune_a_answers_with_its_page():
    assert "Vestre Viken helseforetak" in say(ActionTellHospital(), "kommune-a")
    assert "Vestre Viken sine hjemmesider" in say(ActionTellHospital(), "kommune-a")
    assert "Oppfølgingstjenesten" in say(ActionTellFollowupService(), "kommune-a")
    start = say(ActionTellHowToStart(), "kommune-a")
    assert start.startswith("Pakkeforløpet starter i kommunen, hos fastlegen eller en annen henviser.")
    assert "barnevernet" not in start and "kontaktperson være oppgitt i henvisningen" in start
    assert "Morten Jansson" in say(ActionRoutePerson(), "kommune-a", text="jeg er 40")


def test_kommune_b_answers_with_its_page_and_never_borrows_kommune_a():
    start = say(ActionTellHowToStart(), "kommune-b")
    assert start == "Pakkeforløpet starter i kommunen, hos fastlegen, barnevernet eller en annen henviser."
    assert "helseforetakene" in say(ActionTellHospital(), "kommune-b")
    adult = say(ActionRoutePerson(), "kommune-b", text="jeg er 40")
    assert "ingen kontaktperson for voksne" in adult and "fastlegen" in adult and "helsenorge.no" in adult
    child = say(ActionRoutePerson(), "kommune-b", text="jeg er 16")
    assert "ingen kontaktperson for barn og unge" in child and "akutte tilbud i psykisk helsevern" in child
    for text in every_answer("kommune-b"):
        for fact in ONLY_A:
            assert fact not in text, (fact, text)


def test_without_a_slot_the_metadata_then_the_default_decides():
    assert municipality_of(tracker(None, metadata={"municipality": "kommune-b"})).id == "kommune-b"
    assert municipality_of(tracker(None)).id == "kommune-a"
    assert municipality_of(tracker("kommune-x")).id == "kommune-a"  # never an error mid-conversation
    assert municipality_of(tracker("kommune-b", metadata={"municipality": "kommune-a"})).id == "kommune-b"


def test_a_third_municipality_from_a_folder_answers_without_retraining(tmp_path, monkeypatch):
    folder = copy_municipalities(tmp_path)
    add_third(folder)
    monkeypatch.setenv("MUNICIPALITIES_DIR", str(folder))
    catalogue.load.cache_clear()
    try:
        adult = say(ActionRoutePerson(), "kommune-c", text="jeg er 40")
        start = say(ActionTellHowToStart(), "kommune-c")
        child = say(ActionRoutePerson(), "kommune-c", text="jeg er 12")
    finally:
        catalogue.load.cache_clear()
    assert "Test Testesen" in adult and "22 33 44 55" in adult and "Morten" not in adult
    assert start == "Pakkeforløpet startar hos fastlegen eller ein annan tilvisar."  # kommune-c writes nynorsk
    assert "ingen kontaktperson for barn og unge" in child and child.startswith("Sida til kommunen")
