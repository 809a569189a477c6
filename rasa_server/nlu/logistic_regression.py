"""Rasa's LogisticRegressionClassifier with a fast path for answering a message.

Training, the model file and the probabilities are Rasa's; only the way a message's features
reach the classifier differs. Rasa builds them with Message.get_sparse_features, which
deep-copies and joins the token-level features too although only the sentence-level ones are
used, and then calls scikit-learn's predict_proba with its input checks: about half of a message's NLU time (docs/performance.md). Here the probabilities are computed from the sentence features
directly, as scikit-learn does for multinomial logistic regression: a softmax over
X·coefᵀ + intercept (tests/unit/test_logistic_regression.py checks both against Rasa's own).
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

import numpy as np
import scipy.sparse
import scipy.sparse.linalg
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.message import Message


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class FastLogisticRegressionClassifier(LogisticRegressionClassifier):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # C: scikit-learn's inverse regularisation strength (Rasa fixes it at 1.0).
        # scale_by_featurizer: each featurizer's block divided by its L2 norm, so a long message's
        # counts do not outweigh the classifier's bias and the char n-grams do not drown the words.
        return {**LogisticRegressionClassifier.get_default_config(), "C": 1.0, "scale_by_featurizer": False}

    def __init__(self, config, name, model_storage, resource) -> None:
        super().__init__(config, name, model_storage, resource)
        self.clf.C = self.config["C"]

    def _parts(self, message: Message) -> list:
        parts = _sentence_parts(message)
        return [_unit(part) for part in parts] if self.config["scale_by_featurizer"] else parts

    def _create_X(self, messages: List[Message]) -> scipy.sparse.csr_matrix:
        """One row per message: its sparse sentence features in featurizer order, then its
        dense ones, exactly as LogisticRegressionClassifier._create_X joins them (training)."""
        rows = []
        for message in messages:
            parts = [f if scipy.sparse.issparse(f) else scipy.sparse.csr_matrix(f) for f in self._parts(message)]
            rows.append(scipy.sparse.hstack(parts, format="csr") if parts else scipy.sparse.csr_matrix((1, 0)))
        return scipy.sparse.vstack(rows, format="csr")

    def _probabilities(self, messages: List[Message]) -> np.ndarray:
        clf = self.clf
        if len(clf.classes_) <= 2 or getattr(clf, "multi_class", "auto") == "ovr" or clf.solver == "liblinear":
            return clf.predict_proba(self._create_X(messages))  # not the multinomial softmax
        weights = self._weights(clf)
        scores = np.tile(clf.intercept_, (len(messages), 1))
        for row, message in enumerate(messages):
            offset = 0
            # X·coefᵀ one featurizer's block at a time, without building X (scipy's hstack of
            # the blocks cost more than the product)
            for part in self._parts(message):
                width = part.shape[1]
                if scipy.sparse.issparse(part):
                    part = part.tocoo()
                    scores[row] += part.data @ weights[offset + part.col]
                else:
                    scores[row] += np.ravel(part) @ weights[offset:offset + width]
                offset += width
            if offset != weights.shape[0]:
                raise ValueError(f"X has {offset} features, but the classifier expects {weights.shape[0]}")
        scores -= scores.max(axis=1, keepdims=True)
        np.exp(scores, out=scores)
        scores /= scores.sum(axis=1, keepdims=True)
        return scores

    def _weights(self, clf) -> np.ndarray:
        """coef_ transposed into C order, once: scipy copies a transposed (Fortran-order) matrix
        on every product, 6.5 MB per message here (a third of the classifier's time)."""
        cached = getattr(self, "_weights_cache", None)
        if cached is None or cached[0] is not clf.coef_:
            cached = (clf.coef_, np.ascontiguousarray(clf.coef_.T))
            self._weights_cache = cached
        return cached[1]

    def process(self, messages: List[Message]) -> List[Message]:
        """As LogisticRegressionClassifier.process, with the fast features and probabilities."""
        probabilities = self._probabilities(messages)
        intents = self.clf.classes_
        limit = self.config["ranking_length"]
        for message, row in zip(messages, probabilities):
            ranking = sorted(({"name": name, "confidence": confidence} for name, confidence in zip(intents, row)),
                             key=lambda entry: -entry["confidence"])
            message.set("intent", ranking[0], add_to_output=True)
            message.set("intent_ranking", ranking[:limit] if limit > 0 else ranking, add_to_output=True)
        return messages


def _sentence_parts(message: Message) -> list:
    """The message's sentence-level feature matrices: sparse ones in featurizer order, then
    dense ones (the order of Message.get_sparse_features / get_dense_features)."""
    sentence = [f for f in message.features if f.attribute == TEXT and f.type == FEATURE_TYPE_SENTENCE]
    return [f.features for f in sentence if f.is_sparse()] + [f.features for f in sentence if f.is_dense()]


def _unit(part):
    """The block divided by its L2 norm (an all-zero block stays zero)."""
    norm = scipy.sparse.linalg.norm(part) if scipy.sparse.issparse(part) else np.linalg.norm(part)
    return part / norm if norm else part
