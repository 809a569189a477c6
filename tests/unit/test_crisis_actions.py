"""action_answer_after_crisis: the question asked alongside a sure crisis gets its rule's answer."""
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.crisis_actions import ActionAnswerAfterCrisis, answers_by_intent


def _run(verdict):
    tracker = Tracker("resident", {}, {"text": "x", "crisis_verdict": verdict, "intent": {"name": "crisis"}},
                      [], False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    events = ActionAnswerAfterCrisis().run(dispatcher, tracker, {})
    return dispatcher.messages, events


def test_every_topic_intent_has_its_rules_answer():
    answers = answers_by_intent()
    assert answers["ask_what_is_pathway"] == ("utter_what_is_pathway",)
    assert answers["ask_children"] == ("utter_children", "action_route_person")
    assert answers["ask_phone_hours"] == ("action_tell_opening_hours",)
    assert "crisis" not in answers or answers["crisis"][0] == "utter_crisis"


def test_a_topic_question_gets_its_response():
    messages, _ = _run({"level": "sure", "question": "ask_what_is_pathway"})
    assert [m["response"] for m in messages] == ["utter_what_is_pathway"]


def test_a_contact_question_gets_the_custom_actions_answer():
    messages, _ = _run({"level": "sure", "question": "ask_phone_hours"})
    assert len(messages) == 1 and "10.00" in messages[0]["text"]


def test_no_question_no_answer():
    for verdict in (None, {"level": "sure", "question": None}, {"level": "sure", "question": "greet"}, "sure"):
        assert _run(verdict) == ([], [])
