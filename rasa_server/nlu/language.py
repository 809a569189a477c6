"""Rasa NLU component: the language to answer in, as the `language` entity (fills the slot).

- The resident's own choice in the web chat (or a REST client's), metadata `language`: nb, nn
  or en, wins.
- Otherwise a message written in English (nlp/language.py) gives `en`, and one written in
  Norwegian gives the municipality's målform: a resident who writes nynorsk to a bokmål
  municipality is answered in bokmål, as språklova has the municipality write.
- A message too short to tell («ok», «hmm») or a button payload gives nothing: the slot keeps
  the language it had (at session start, the municipality's: rasa_server/patches/session_start.py).
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlp.language import ENGLISH, NORWEGIAN, detect

ENTITY = "language"
CHOICES = ("nb", "nn", "en")
METADATA = "metadata"


def chosen_language(metadata: Any) -> Optional[str]:
    value = metadata.get(ENTITY) if isinstance(metadata, dict) else None
    return value if value in CHOICES else None


def municipality_language(metadata: Any) -> str:
    """The målform of the message's municipality (resolved by the channel), else the default's."""
    from municipalities import catalogue

    known = catalogue.load()
    value = metadata.get("municipality") if isinstance(metadata, dict) else None
    found = known.get(value) if isinstance(value, str) else None
    return (found or known.default).language


def language_of(text: Optional[str], metadata: Any) -> Optional[str]:
    """nb, nn or en; None when the message says nothing about it."""
    chosen = chosen_language(metadata)
    if chosen:
        return chosen
    if not text or text.startswith("/"):
        return None
    detected = detect(text)
    if detected == ENGLISH:
        return "en"
    if detected == NORWEGIAN:
        return municipality_language(metadata)
    return None


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class LanguageOfMessage(GraphComponent):
    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "LanguageOfMessage":
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            language = language_of(message.get(TEXT), message.get(METADATA))
            if language is None:
                continue
            entity = {"entity": ENTITY, "value": language, "start": 0, "end": 0,
                      "confidence_entity": 1.0, "extractor": type(self).__name__}
            message.set(ENTITIES, [*(message.get(ENTITIES) or []), entity], add_to_output=True)
        return messages
