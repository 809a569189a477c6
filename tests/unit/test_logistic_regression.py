"""rasa_server/nlu/logistic_regression.py answers exactly as Rasa's LogisticRegressionClassifier: the same
feature rows and the same intent probabilities and ranking, on a classifier trained here."""
from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, FEATURE_TYPE_SEQUENCE, INTENT, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from rasa_server.nlu.logistic_regression import FastLogisticRegressionClassifier

INTENTS = ["greet", "ask_phone", "ask_email", "crisis", "goodbye"]


def _message(rng: np.random.Generator, intent: str = None) -> Message:
    """A message with the features two sparse featurizers and one dense one would give."""
    message = Message({TEXT: "tekst", **({INTENT: intent} if intent else {})})
    tokens = int(rng.integers(1, 6))
    for origin, width in (("words", 40), ("chars", 60)):
        sequence = scipy.sparse.random(tokens, width, density=0.2, random_state=int(rng.integers(1e9)), format="coo")
        message.add_features(Features(sequence, FEATURE_TYPE_SEQUENCE, TEXT, origin))
        sentence = scipy.sparse.coo_matrix(sequence.sum(axis=0) + (INTENTS.index(intent) if intent else 0) * 0.1)
        message.add_features(Features(sentence, FEATURE_TYPE_SENTENCE, TEXT, origin))
    message.add_features(Features(rng.random((1, 5)), FEATURE_TYPE_SENTENCE, TEXT, "dense"))
    return message


def _classifier(cls, tmp_path, name, **options):
    (tmp_path / name).mkdir()
    storage = LocalModelStorage(tmp_path / name)
    context = ExecutionContext(GraphSchema({}), node_name=name)
    config = {**cls.get_default_config(), "max_iter": 200, **options}
    return cls.create(config, storage, Resource(name), context)


@pytest.fixture()
def trained(tmp_path):
    rng = np.random.default_rng(7)
    data = TrainingData([_message(rng, INTENTS[i % len(INTENTS)]) for i in range(150)])
    rasa_own = _classifier(LogisticRegressionClassifier, tmp_path, "rasa")
    fast = _classifier(FastLogisticRegressionClassifier, tmp_path, "fast")
    rasa_own.train(data)
    fast.clf = rasa_own.clf  # the same fitted model
    return rasa_own, fast, rng


def test_the_feature_rows_are_rasas(trained):
    rasa_own, fast, rng = trained
    messages = [_message(rng) for _ in range(10)]
    assert (rasa_own._create_X(messages) != fast._create_X(messages)).nnz == 0


def test_the_probabilities_and_ranking_are_rasas(trained):
    rasa_own, fast, rng = trained
    messages = [_message(rng) for _ in range(20)]
    copies = [Message(dict(m.data), features=list(m.features)) for m in messages]
    rasa_own.process(messages)
    fast.process(copies)
    for theirs, ours in zip(messages, copies):
        assert ours.get(INTENT)["name"] == theirs.get(INTENT)["name"]
        assert [r["name"] for r in ours.get("intent_ranking")] == [r["name"] for r in theirs.get("intent_ranking")]
        assert np.allclose([r["confidence"] for r in ours.get("intent_ranking")],
                           [r["confidence"] for r in theirs.get("intent_ranking")], rtol=1e-9, atol=1e-12)


def test_a_feature_count_that_does_not_fit_the_model_is_refused(trained):
    _, fast, _ = trained
    message = Message({TEXT: "tekst"})
    message.add_features(Features(scipy.sparse.coo_matrix(np.ones((1, 7))), FEATURE_TYPE_SENTENCE, TEXT, "words"))
    with pytest.raises(ValueError):
        fast.process([message])


def _scaled(tmp_path):
    return _classifier(FastLogisticRegressionClassifier, tmp_path, "scaled", C=300.0, scale_by_featurizer=True)


def test_scaling_divides_each_featurizer_block_by_its_norm(tmp_path):
    rng = np.random.default_rng(3)
    scaled = _scaled(tmp_path)
    message = _message(rng)
    row = scaled._create_X([message]).toarray()[0]
    words, chars, dense = row[:40], row[40:100], row[100:]
    assert scaled.clf.C == 300.0
    assert np.isclose(np.linalg.norm(words), 1) and np.isclose(np.linalg.norm(chars), 1)
    assert np.isclose(np.linalg.norm(dense), 1)


def test_scaled_probabilities_are_scikit_learns_on_the_scaled_rows(tmp_path):
    """The fast path scales as training did: its probabilities are predict_proba's on _create_X."""
    rng = np.random.default_rng(11)
    scaled = _scaled(tmp_path)
    scaled.train(TrainingData([_message(rng, INTENTS[i % len(INTENTS)]) for i in range(150)]))
    messages = [_message(rng) for _ in range(20)]
    expected = scaled.clf.predict_proba(scaled._create_X(messages))
    assert np.allclose(scaled._probabilities(messages), expected, rtol=1e-9, atol=1e-12)
