"""rasa_server/nlu/count_vectors.py gives a message to answer exactly the sentence-level features of Rasa's
CountVectorsFeaturizer (word and char_wb analyzers, trained here on the project's NLU data),
and leaves training to Rasa."""
from __future__ import annotations

from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, FEATURE_TYPE_SEQUENCE, TEXT
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.message import Message

from rasa_server.nlu.count_vectors import SentenceCountVectorsFeaturizer

ROOT = Path(__file__).resolve().parents[2]
ODD_TEXTS = ["hei", "jeg er 17 aar og har det tungt", "Ring 12345678!!", "æøå ÆØÅ aeoeaa",
             "qqqq zzzz xyzzy", "et veldig langt ord: pasientforløpskoordinatorordningen", "?", "113"]
ANALYZERS = [{"analyzer": "word", "min_ngram": 1, "max_ngram": 2},
             {"analyzer": "char_wb", "min_ngram": 1, "max_ngram": 5}]


def _featurizer(cls, tmp_path, name, settings):
    (tmp_path / name).mkdir()
    context = ExecutionContext(GraphSchema({}), node_name=name)
    return cls.create({**cls.get_default_config(), **settings}, LocalModelStorage(tmp_path / name),
                      Resource(name), context)


def _tokenized(texts):
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    return tokenizer.process([Message({TEXT: text}) for text in texts])


def _features(message, feature_type):
    return [f.features for f in message.features if f.attribute == TEXT and f.type == feature_type]


@pytest.fixture(scope="module")
def training_data():
    data = load_data(str(ROOT / "data" / "nlu"))
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    tokenizer.process_training_data(data)
    return data


@pytest.mark.parametrize("settings", ANALYZERS, ids=[a["analyzer"] for a in ANALYZERS])
def test_sentence_features_are_rasas(training_data, tmp_path, settings):
    rasa_own = _featurizer(CountVectorsFeaturizer, tmp_path, "rasa", settings)
    fast = _featurizer(SentenceCountVectorsFeaturizer, tmp_path, "fast", settings)
    rasa_own.train(training_data)
    fast.train(training_data)
    texts = [m.get(TEXT) for m in training_data.intent_examples][:400] + ODD_TEXTS
    expected = rasa_own.process(_tokenized(texts))
    answered = fast.process(_tokenized(texts))
    for text, theirs, ours in zip(texts, expected, answered):
        [their_sentence] = _features(theirs, FEATURE_TYPE_SENTENCE)
        [our_sentence] = _features(ours, FEATURE_TYPE_SENTENCE)
        assert our_sentence.shape == their_sentence.shape, text
        assert our_sentence.dtype == their_sentence.dtype, text
        assert (our_sentence.tocsr() != their_sentence.tocsr()).nnz == 0, text
        assert list(our_sentence.col) == list(their_sentence.col), text  # same (sorted) order
        assert _features(ours, FEATURE_TYPE_SEQUENCE) == []  # the unused token-level pass is skipped


def test_training_data_keeps_rasas_full_features(training_data, tmp_path):
    fast = _featurizer(SentenceCountVectorsFeaturizer, tmp_path, "fast", ANALYZERS[0])
    fast.train(training_data)
    fast.process_training_data(training_data)
    example = training_data.intent_examples[0]
    assert _features(example, FEATURE_TYPE_SEQUENCE) and _features(example, FEATURE_TYPE_SENTENCE)


def test_a_message_without_tokens_gets_no_features(training_data, tmp_path):
    fast = _featurizer(SentenceCountVectorsFeaturizer, tmp_path, "fast", ANALYZERS[1])
    fast.train(training_data)
    [message] = fast.process([Message({TEXT: ""})])
    assert message.features == []
