"""Rasa's CountVectorsFeaturizer, answering a message with sentence-level features only.

Rasa's featurizer runs scikit-learn's CountVectorizer.transform twice per message and
featurizer: once on every token (token-level features, used only by DIET and CRF entity
extraction) and once on the whole sentence. This pipeline's classifier reads the sentence-level
features alone (rasa_server/nlu/logistic_regression.py), so the token-level pass was wasted: with the
transform's input checks and sparse-matrix building it was the largest item of the Rasa
server's profile (figures in docs/performance.md).

Here a message gets the same sentence-level matrix scikit-learn would build (the vectorizer's
own analyzer and vocabulary, counts in column order, int64 as CountVectorizer's default dtype;
tests/unit/test_count_vectors.py compares both on the training data), built directly.
Training is Rasa's unchanged, so the model file and vocabulary are Rasa's.
"""
from __future__ import annotations

from collections import Counter
from typing import Any, Callable, Dict, List, Optional, Tuple

import numpy as np
import scipy.sparse
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class SentenceCountVectorsFeaturizer(CountVectorsFeaturizer):
    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Training data gets Rasa's full features (token and sentence level), as before."""
        super().process(training_data.training_examples)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        """The sentence-level features of each message's text (the only attribute a message
        to answer has)."""
        if self.vectorizers is None or self._get_attribute_vocabulary(TEXT) is None:
            return super().process(messages)  # untrained: Rasa logs and leaves the messages
        analyzer, vocabulary = self._sentence_analyzer()
        for message in messages:
            tokens = self._get_processed_message_tokens_by_attribute(message, TEXT)
            if tokens:
                sentence = sentence_counts(analyzer, vocabulary, " ".join(tokens))
                self.add_features_to_message(None, sentence, TEXT, message)
        return messages

    def _sentence_analyzer(self) -> Tuple[Callable[[str], List[str]], Dict[str, int]]:
        """The TEXT vectorizer's analyzer and vocabulary, built once (build_analyzer is not free)."""
        vectorizer = self.vectorizers[TEXT]
        cached: Optional[Tuple[Any, Callable, Dict[str, int]]] = getattr(self, "_analyzer_cache", None)
        if cached is None or cached[0] is not vectorizer:
            cached = (vectorizer, vectorizer.build_analyzer(), vectorizer.vocabulary_)
            self._analyzer_cache = cached
        return cached[1], cached[2]


def sentence_counts(analyzer: Callable[[str], List[str]], vocabulary: Dict[str, int],
                    text: str) -> scipy.sparse.coo_matrix:
    """CountVectorizer.transform([text]) for one text, as a 1×|vocabulary| COO matrix with
    sorted columns (what Rasa stores after sort_indices().tocoo())."""
    counts = Counter(column for column in map(vocabulary.get, analyzer(text)) if column is not None)
    columns = np.fromiter(sorted(counts), dtype=np.int32, count=len(counts))
    data = np.fromiter((counts[c] for c in columns.tolist()), dtype=np.int64, count=len(counts))
    rows = np.zeros(len(counts), dtype=np.int32)
    return scipy.sparse.coo_matrix((data, (rows, columns)), shape=(1, len(vocabulary)), dtype=np.int64)
