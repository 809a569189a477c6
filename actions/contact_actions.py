"""Rasa glue: routes a person to the right contact of the conversation's municipality and tells
phone hours and e-mail; where the municipality's page names no contact, says so."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Callable, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import fact_replies, opening_hours, replies
from actions.age import ADULT, CHILD, read_person
from actions.directory import Contact
from actions.municipality import language_of, municipality_of
from actions.named_contact import named_audience
from municipalities import catalogue
from nlp.contact_question import asks_whom_to_contact

AUDIENCE_TO_DIRECTORY = {CHILD: "children", ADULT: "adults"}


def now() -> datetime:
    return datetime.now(tz=opening_hours.OSLO)


def line_status_text(contact: Contact, lang: str = "nb") -> Optional[str]:
    if not contact.phone or not contact.phone_hours:
        return None
    moment = now()
    return opening_hours.describe(opening_hours.line_status(moment, contact.phone_hours), moment, lang)


def _entity(tracker: Tracker, name: str) -> Optional[str]:
    return next(tracker.get_latest_entity_values(name), None)


DIRECTORY_TO_AUDIENCE = {value: key for key, value in AUDIENCE_TO_DIRECTORY.items()}


def resolve_audience(tracker: Tracker) -> Dict[str, Any]:
    """Who the latest message is about; the latest message wins over what was said before.

    An age or relation said outright comes first, then a contact named by role or name."""
    text = tracker.latest_message.get("text") or ""
    text = "" if text.startswith("/") else text
    person = read_person(text)
    # every municipality's contacts: a name says who is meant (adults' or children's contact) even
    # in another municipality; the answer still comes from this municipality's own directory
    named = named_audience(text, catalogue.load().all_contacts())
    audience = person.audience or DIRECTORY_TO_AUDIENCE.get(named) or _entity(tracker, "audience")
    if audience is None and not person.about_self:
        audience = tracker.get_slot("audience")
    return {"audience": audience if audience in (CHILD, ADULT) else None,
            "age": person.age, "about_self": person.about_self}


def audience_of_conversation(tracker: Tracker) -> str:
    """Whoever this conversation is about; adults when it is still unknown."""
    return resolve_audience(tracker)["audience"] or ADULT


class ActionRoutePerson(Action):
    """Children (under 18) to the forløpskoordinator for barn og unge, adults to the saksbehandler."""

    def name(self) -> Text:
        return "action_route_person"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        found = resolve_audience(tracker)
        audience = found["audience"]
        if audience is None:
            # «det gjelder meg selv» with no age: the writer may be 15 or 50, so ask them
            dispatcher.utter_message(response="utter_ask_own_age" if found["about_self"] else "utter_ask_audience")
            return []
        municipality, lang = municipality_of(tracker), language_of(tracker)
        contact = municipality.contact(AUDIENCE_TO_DIRECTORY[audience])
        if contact is None:
            text = fact_replies.no_contact(municipality, audience, lang)
        else:
            text = replies.contact_reply(contact, audience, line_status_text(contact, lang), lang)
        dispatcher.utter_message(text=text)
        events = [SlotSet("audience", audience)]
        if found["age"] is not None:
            events.append(SlotSet("age", float(found["age"])))
        return events


class ActionRouteIfAsked(ActionRoutePerson):
    """After a neighbouring topic's answer (pårørende, getting a coordinator, how to start, the
    hospital, the follow-up service): the contact too, routed by age, when the message also asks
    whom to contact."""

    def name(self) -> Text:
        return "action_route_if_asked"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        if not asks_whom_to_contact(tracker.latest_message.get("text")):
            return []
        return super().run(dispatcher, tracker, domain)


def tell_about_contact(dispatcher: CollectingDispatcher, tracker: Tracker,
                       reply: Callable[[Contact, str], str]) -> None:
    """`reply(contact, lang)` about the conversation's contact; where the page names none, says so."""
    municipality, lang = municipality_of(tracker), language_of(tracker)
    audience = audience_of_conversation(tracker)
    contact = municipality.contact(AUDIENCE_TO_DIRECTORY[audience])
    if contact is None:
        dispatcher.utter_message(text=fact_replies.no_contact(municipality, audience, lang))
    else:
        dispatcher.utter_message(text=reply(contact, lang))


class ActionTellOpeningHours(Action):
    """Phone hours, and whether the line is open right now (Oslo time, holidays)."""

    def name(self) -> Text:
        return "action_tell_opening_hours"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        tell_about_contact(dispatcher, tracker,
                           lambda contact, lang: replies.hours_reply(contact, line_status_text(contact, lang), lang))
        return []


class ActionTellEmail(Action):
    """The e-mail address where the directory has one; otherwise the phone instead."""

    def name(self) -> Text:
        return "action_tell_email"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        tell_about_contact(dispatcher, tracker, replies.email_reply)
        return []
