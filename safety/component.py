"""Rasa NLU component: the deterministic crisis layer on top of the trained classifier.

Placed last in the pipeline. When the curated pattern list (content/crisis_patterns.yml)
matches, the intent becomes `crisis` with confidence 1.0, whatever the classifier or the
FallbackClassifier said. A rule then answers with 113 / legevakt first, in any state.

The classifier's own `crisis` predictions are kept as a second net (they catch indirect
phrasings no pattern has), but only from `classifier_threshold` up and never for a message
with a curated harmless expression ("dør av latter"): its crisis class otherwise absorbs
every idiom with a dramatic word (measured in README "Crisis detection").
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from safety.patterns import CrisisDetector, PATTERNS_FILE

CRISIS_INTENT = "crisis"
INTENT_RANKING = "intent_ranking"
MATCH_KEY = "crisis_safety_net"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class CrisisSafetyNet(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"patterns_file": str(PATTERNS_FILE), "intent": CRISIS_INTENT, "classifier_threshold": 0.5}

    def __init__(self, config: Dict[Text, Any], detector: Optional[CrisisDetector] = None) -> None:
        self._intent = config["intent"]
        self._classifier_threshold = config["classifier_threshold"]
        self._detector = detector or CrisisDetector.from_file(config["patterns_file"])

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "CrisisSafetyNet":
        return cls({**cls.get_default_config(), **config})

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def _demote_unsure_classifier_crisis(self, message: Message) -> None:
        intent = message.get(INTENT) or {}
        if intent.get(INTENT_NAME_KEY) != self._intent:
            return
        sure = intent.get(PREDICTED_CONFIDENCE_KEY, 0.0) >= self._classifier_threshold
        if sure and not self._detector.is_known_harmless(message.get(TEXT)):
            return
        ranking = [r for r in message.get(INTENT_RANKING) or [] if r.get(INTENT_NAME_KEY) != self._intent]
        if ranking:
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING, ranking, add_to_output=True)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            match = self._detector.detect(message.get(TEXT))
            if match is None:
                self._demote_unsure_classifier_crisis(message)
                continue
            crisis = {INTENT_NAME_KEY: self._intent, PREDICTED_CONFIDENCE_KEY: 1.0}
            ranking = [r for r in message.get(INTENT_RANKING) or [] if r.get(INTENT_NAME_KEY) != self._intent]
            message.set(INTENT, crisis, add_to_output=True)
            message.set(INTENT_RANKING, [crisis] + ranking, add_to_output=True)
            message.set(MATCH_KEY, {"rule": match.rule, "matched": match.matched_text}, add_to_output=True)
        return messages
