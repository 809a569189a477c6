"""Rasa glue of the contact actions, run on trackers built from JSON fixtures named by state."""
import json
from datetime import datetime
from pathlib import Path

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import contact_actions
from actions.opening_hours import OSLO

FIXTURES = Path(__file__).resolve().parents[1] / "data" / "trackers"
MONDAY_11 = datetime(2026, 11, 23, 11, 0, tzinfo=OSLO)
SATURDAY = datetime(2026, 11, 28, 11, 0, tzinfo=OSLO)


def tracker(state: str, text: str = None, entities=None) -> Tracker:
    data = json.loads((FIXTURES / f"{state}.json").read_text(encoding="utf-8"))
    if text is not None:
        data["latest_message"]["text"] = text
    if entities is not None:
        data["latest_message"]["entities"] = entities
    return Tracker(data["sender_id"], data["slots"], data["latest_message"], data["events"],
                   data["paused"], data["followup_action"], data["active_loop"], data["latest_action_name"])


@pytest.fixture(autouse=True)
def monday_morning(monkeypatch):
    monkeypatch.setattr(contact_actions, "now", lambda: MONDAY_11)


def run(action, state, text=None, entities=None):
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, tracker(state, text, entities), {})
    return dispatcher.messages, events


@pytest.mark.parametrize("state,text,entities,expected_slot,expected_in_reply", [
    ("new_conversation", "jeg er 17 og trenger hjelp", None, "child", "forløpskoordinator for barn og unge"),
    ("new_conversation", "jeg er 18", None, "adult", "Morten Jansson"),
    ("new_conversation", "/inform_person", [{"entity": "audience", "value": "child"}], "child", "Barne- og familietjenesten"),
    ("child_routed", "unnskyld, det gjelder meg selv, jeg er 30", None, "adult", "901 50 842"),
    ("child_routed", "hvem ringer jeg?", None, "child", "forløpskoordinator for barn og unge"),
])
def test_route_person(state, text, entities, expected_slot, expected_in_reply):
    messages, events = run(contact_actions.ActionRoutePerson(), state, text, entities)
    assert SlotSet("audience", expected_slot) in events
    assert expected_in_reply in messages[0]["text"]


def test_unclear_person_is_asked_with_buttons_and_sets_nothing():
    messages, events = run(contact_actions.ActionRoutePerson(), "new_conversation", "sønnen min sliter")
    assert messages[0]["response"] == "utter_ask_audience"
    assert events == []


@pytest.mark.parametrize("state", ["new_conversation", "child_routed"])
def test_writer_about_themselves_without_an_age_is_asked_their_own_age(state):
    messages, events = run(contact_actions.ActionRoutePerson(), state, "det gjelder meg selv")
    assert messages[0]["response"] == "utter_ask_own_age"
    assert events == []


def test_age_slot_is_set():
    _, events = run(contact_actions.ActionRoutePerson(), "new_conversation", "dottera mi på 9")
    assert SlotSet("age", 9.0) in events


def test_adult_reply_says_open_now_on_monday_morning():
    messages, _ = run(contact_actions.ActionRoutePerson(), "new_conversation", "jeg er 40")
    assert "Telefonen er åpen nå" in messages[0]["text"]


def test_opening_hours_on_saturday(monkeypatch):
    monkeypatch.setattr(contact_actions, "now", lambda: SATURDAY)
    messages, _ = run(contact_actions.ActionTellOpeningHours(), "new_conversation", "når kan jeg ringe?")
    assert "åpner igjen mandag 30. november kl. 10.00" in messages[0]["text"]


def test_opening_hours_for_a_child_has_no_invented_hours():
    messages, _ = run(contact_actions.ActionTellOpeningHours(), "child_routed")
    assert "ikke telefontid" in messages[0]["text"]
    assert "10.00" not in messages[0]["text"]


def test_email_is_left_out_and_phone_offered():
    messages, _ = run(contact_actions.ActionTellEmail(), "new_conversation", "har dere epost?")
    assert "ingen e-postadresse" in messages[0]["text"] and "901 50 842" in messages[0]["text"]


def test_a_neighbouring_topic_that_also_asks_whom_to_call_is_routed():
    messages, events = run(contact_actions.ActionRouteIfAsked(), "new_conversation",
                           "Eg er far til ein gut på ti som har tvangstankar. Kven ringjer eg?")
    assert SlotSet("audience", "child") in events
    assert "forløpskoordinator for barn og unge" in messages[0]["text"]


def test_a_neighbouring_topic_that_asks_nothing_more_adds_nothing():
    messages, events = run(contact_actions.ActionRouteIfAsked(), "new_conversation",
                           "hvilke rettigheter har jeg som pårørende til en på 15?")
    assert messages == [] and events == []


def test_a_neighbouring_topic_asking_whom_to_call_about_someone_of_open_age_asks_the_age():
    messages, _ = run(contact_actions.ActionRouteIfAsked(), "new_conversation",
                      "I'm a relative and need somebody to talk to, who is that?")
    assert messages[0]["response"] == "utter_ask_audience"
