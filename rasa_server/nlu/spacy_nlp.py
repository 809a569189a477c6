"""SpacyNLP that loads nb_core_news_sm, or the named fallback when the model is missing.

The fingerprint carries the name of the pipeline really loaded, so switching between the
real model and the fallback retrains the components that depend on it.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, Optional, Text

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.utils.spacy_utils import SpacyModel, SpacyNLP

from nlp import spacy_model
from nlp.normalize import fold

logger = logging.getLogger(__name__)


@DefaultV1Recipe.register(
    [
        DefaultV1Recipe.ComponentType.MODEL_LOADER,
        DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER,
    ],
    is_trainable=False,
    model_from="NorwegianSpacyNLP",
)
class NorwegianSpacyNLP(SpacyNLP):
    """Provides the Norwegian spaCy pipeline to SpacyTokenizer and friends."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # fold_spelling: "forløp", "forlop" and "forloep" become one token (nlp/normalize.py)
        return {**SpacyNLP.get_default_config(), "prefer_fallback": False, "fold_spelling": True}

    def _preprocess_text(self, text: Optional[Text]) -> Text:
        text = super()._preprocess_text(text)
        return fold(text) if self._config.get("fold_spelling") else text

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "NorwegianSpacyNLP":
        config = {**cls.get_default_config(), **config}
        to_load, label = spacy_model.resolve(prefer_fallback=config["prefer_fallback"])
        logger.info("spaCy pipeline active: %s", label)
        print(f"spaCy pipeline active: {label}", flush=True)
        loaded = cls.load_model(to_load)
        cls.ensure_proper_language_model(loaded.model)
        model = SpacyModel(model=loaded.model, model_name=label)
        return cls(model, config)
