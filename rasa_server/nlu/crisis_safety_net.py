"""Rasa NLU component: the crisis verdict decides the `crisis` intent.

Placed last in the pipeline, after the intent classifier and the FallbackClassifier. The
verdict (safety/verdict.py) normally arrives with the message, computed once by the channel
(rasa_server/channels/crisis_first.py); without one (rasa shell, tests through an Agent) it is computed
here. Then:

- sure: the intent becomes `crisis` (confidence 1.0), and a rule answers with 113 and
  legevakt first, in any state. When the message also asked something the assistant answers
  (the classifier's best other intent is a question), that intent goes into the verdict's
  `question`, and action_answer_after_crisis answers it after the crisis text.
- unsure or none: the classifier's own `crisis` prediction is replaced by its next intent
  (confidences renormalised without the crisis class, the fallback threshold applied again),
  so the resident gets a normal answer (the channel adds the 113 line when unsure).

The verdict moves from the message's metadata to the parse data (`crisis_verdict`), so it is
stored with the message once.
"""
from __future__ import annotations

import dataclasses
import re
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlp.normalize import normalize
from safety.verdict import VERDICT_KEY, CrisisVerdict, assess

CRISIS_INTENT = "crisis"
INTENT_RANKING = "intent_ranking"
METADATA = "metadata"
FALLBACK_INTENT = "nlu_fallback"
# A question the assistant answers after the crisis text: one of its topic intents...
QUESTION_INTENT_PREFIX = "ask_"
# ...that the classifier ranks at least this high once the crisis class is set aside
QUESTION_MIN_CONFIDENCE = 0.15
# ...in a message that asks something (a question mark or a question word)
_ASKS = re.compile(r"\b(hva|hvem|hvor|nar|hvordan|hvilke|kva|kven|kor|korleis|kan jeg|kan eg|"
                   r"what|who|where|when|how|can i)\b")


def _asks(text: Optional[str]) -> bool:
    return bool(text) and ("?" in text or bool(_ASKS.search(normalize(text))))


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class CrisisSafetyNet(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # the FallbackClassifier's threshold in config.yml: applied again when the crisis class
        # is set aside and the next intent takes its place
        return {"intent": CRISIS_INTENT, "fallback_threshold": 0.25}

    def __init__(self, config: Dict[Text, Any]) -> None:
        self._intent = config["intent"]
        self._fallback_threshold = config["fallback_threshold"]

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "CrisisSafetyNet":
        return cls({**cls.get_default_config(), **config})

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def _others(self, message: Message) -> List[Dict[str, Any]]:
        """The classifier's ranking without the crisis class and the fallback, renormalised: the
        crisis class took its share from the topic the message also asks about."""
        ranking = [r for r in message.get(INTENT_RANKING) or [] if r.get(INTENT_NAME_KEY) != FALLBACK_INTENT]
        crisis = sum(r.get(PREDICTED_CONFIDENCE_KEY, 0.0) for r in ranking if r.get(INTENT_NAME_KEY) == self._intent)
        rest = max(1e-9, 1.0 - crisis)
        return [{**r, PREDICTED_CONFIDENCE_KEY: min(1.0, r.get(PREDICTED_CONFIDENCE_KEY, 0.0) / rest)}
                for r in ranking if r.get(INTENT_NAME_KEY) != self._intent]

    def _question(self, message: Message, others: List[Dict[str, Any]]) -> Optional[str]:
        if not others or not _asks(message.get(TEXT)):
            return None
        name = others[0].get(INTENT_NAME_KEY) or ""
        if name.startswith(QUESTION_INTENT_PREFIX) and others[0].get(PREDICTED_CONFIDENCE_KEY, 0.0) >= QUESTION_MIN_CONFIDENCE:
            return name
        return None

    def _answer_instead_of_crisis(self, message: Message, others: List[Dict[str, Any]]) -> None:
        """Short of a sure crisis, the message gets the topic the classifier ranks next, or the
        fallback when that is below the fallback threshold."""
        if others and others[0].get(PREDICTED_CONFIDENCE_KEY, 0.0) >= self._fallback_threshold:
            intent = others[0]
        else:
            intent = {INTENT_NAME_KEY: FALLBACK_INTENT, PREDICTED_CONFIDENCE_KEY: self._fallback_threshold}
        message.set(INTENT, intent, add_to_output=True)
        message.set(INTENT_RANKING, [intent] + [r for r in others if r is not intent], add_to_output=True)

    def _classifier_chose_crisis(self, message: Message) -> bool:
        """The intent classifier's best guess was `crisis` (perhaps under the fallback)."""
        ranking = [r for r in message.get(INTENT_RANKING) or [] if r.get(INTENT_NAME_KEY) != FALLBACK_INTENT]
        top = ranking[0] if ranking else message.get(INTENT) or {}
        return top.get(INTENT_NAME_KEY) == self._intent

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            metadata = message.get(METADATA)
            # moved, not copied: the metadata dict is the one Rasa stores with the user event, and
            # the verdict is stored in the parse data below (twice cost 0.1 ms per message)
            verdict = CrisisVerdict.from_dict(metadata.pop(VERDICT_KEY, None)) if isinstance(metadata, dict) else None
            if verdict is None:
                verdict = assess(message.get(TEXT))
            others = self._others(message)
            if verdict.sure:
                verdict = dataclasses.replace(verdict, question=self._question(message, others))
                crisis = {INTENT_NAME_KEY: self._intent, PREDICTED_CONFIDENCE_KEY: 1.0}
                message.set(INTENT, crisis, add_to_output=True)
                message.set(INTENT_RANKING, [crisis] + others, add_to_output=True)
            elif self._classifier_chose_crisis(message):
                self._answer_instead_of_crisis(message, others)
            message.set(VERDICT_KEY, verdict.as_dict(), add_to_output=True)
        return messages
