"""Rasa glue: the answers whose facts differ between municipalities (actions/fact_replies.py)."""
from __future__ import annotations

from typing import Any, Callable, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import fact_replies
from actions.municipality import language_of, municipality_of
from municipalities.catalogue import Municipality


class _FactAction(Action):
    action_name = ""
    reply: Callable[[Municipality, str], str]

    def name(self) -> Text:
        return self.action_name

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(text=type(self).reply(municipality_of(tracker), language_of(tracker)))
        return []


class ActionTellHowToStart(_FactAction):
    action_name = "action_tell_how_to_start"
    reply = staticmethod(fact_replies.how_to_start)


class ActionTellRegistration(_FactAction):
    action_name = "action_tell_registration"
    reply = staticmethod(fact_replies.registration)


class ActionTellFollowupService(_FactAction):
    action_name = "action_tell_followup_service"
    reply = staticmethod(fact_replies.followup_service)


class ActionTellHospital(_FactAction):
    action_name = "action_tell_hospital"
    reply = staticmethod(fact_replies.hospital)


FACT_ACTIONS = (ActionTellHowToStart, ActionTellRegistration, ActionTellFollowupService, ActionTellHospital)
