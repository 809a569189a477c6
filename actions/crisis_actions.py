"""Rasa glue: after the crisis text, the question the resident also asked.

A sure crisis is answered with 113 and legevakt first (utter_crisis, by a rule). When the same
message also asked something the assistant answers («jeg har tatt for mange piller, når kan jeg
ringe dere?»), the NLU puts that intent into the verdict's `question` (rasa_server/nlu/crisis_safety_net.py),
and this action gives the answer that intent's own rule in data/rules.yml gives, after the
crisis text instead of dropping it.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional, Text, Tuple

import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.contact_actions import ActionRouteIfAsked, ActionRoutePerson, ActionTellEmail, ActionTellOpeningHours
from actions.fact_actions import FACT_ACTIONS
from safety.verdict import VERDICT_KEY
from settings import PROJECT_ROOT

RULES_FILE = PROJECT_ROOT / "data" / "rules.yml"
QUESTION_PREFIX = "ask_"
CUSTOM_ACTIONS = {
    action().name(): action
    for action in (ActionRoutePerson, ActionRouteIfAsked, ActionTellEmail, ActionTellOpeningHours, *FACT_ACTIONS)
}


@lru_cache(maxsize=1)
def answers_by_intent(path: Path = RULES_FILE) -> Dict[str, Tuple[str, ...]]:
    """intent -> the actions of its one-turn rule (intent, then actions only)."""
    rules = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("rules") or []
    answers = {}
    for rule in rules:
        steps = rule.get("steps") or []
        if not steps or "intent" not in steps[0] or rule.get("condition"):
            continue
        actions = [step.get("action") for step in steps[1:]]
        if actions and all(actions):
            answers[steps[0]["intent"]] = tuple(actions)
    return answers


def question_of(tracker: Tracker) -> Optional[str]:
    verdict = tracker.latest_message.get(VERDICT_KEY) or {}
    question = verdict.get("question") if isinstance(verdict, dict) else None
    return question if isinstance(question, str) and question.startswith(QUESTION_PREFIX) else None


class ActionAnswerAfterCrisis(Action):
    def name(self) -> Text:
        return "action_answer_after_crisis"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        question = question_of(tracker)
        events: List[Dict[Text, Any]] = []
        for action in answers_by_intent().get(question, ()) if question else ():
            if action.startswith("utter_"):
                dispatcher.utter_message(response=action)
            elif action in CUSTOM_ACTIONS:
                events += CUSTOM_ACTIONS[action]().run(dispatcher, tracker, domain)
        return events
