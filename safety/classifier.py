"""The learned crisis detector: a linear model on character and word n-grams.

Trained on the crisis corpus (safety/corpus.py) and kept as a file in models/ named by a
fingerprint of everything it learned from, so it is trained once (by scripts/train.sh, or on
first use when missing) and never committed. Character n-grams carry typos, dialect and
missing æøå; word pairs carry phrases. The model kind was chosen by measurement across
authors (docs/crisis-detection.md). Pure: no Rasa imports.
"""
from __future__ import annotations

import hashlib
import logging
import math
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional, Sequence

from nlp.normalize import normalize
from settings import PROJECT_ROOT

logger = logging.getLogger(__name__)

MODELS_DIR = PROJECT_ROOT / "models" / "crisis"
SEED = 42
# One kind, chosen by leave-one-author-out measurement; the others stay for `--compare`
DEFAULT_KIND = "logreg"
# The corpus holds chat messages of up to about 60 words. A longer text is also scored in
# windows of that size (the highest score counts), so a crisis told inside a long message is
# not diluted by the rest of it.
WINDOW_WORDS = 60
WINDOW_STEP = 30
KINDS = ("logreg", "svm", "nb")


def _features():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion

    return FeatureUnion([
        ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True,
                                  max_features=150_000)),
        ("words", TfidfVectorizer(analyzer="word", ngram_range=(1, 2), min_df=1, sublinear_tf=True,
                                  token_pattern=r"\b\w+\b")),
    ])


def _estimator(kind: str):
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.linear_model import LogisticRegression
    from sklearn.naive_bayes import ComplementNB
    from sklearn.svm import LinearSVC

    if kind == "logreg":
        return LogisticRegression(C=8.0, class_weight="balanced", max_iter=2000, random_state=SEED)
    if kind == "svm":
        return CalibratedClassifierCV(LinearSVC(C=0.5, class_weight="balanced", random_state=SEED), cv=3)
    if kind == "nb":
        return ComplementNB(alpha=0.3)
    raise ValueError(f"unknown classifier kind {kind!r}; choose one of {KINDS}")


class _LinearScorer:
    """The fitted logistic regression answered for one message without scikit-learn's
    per-call overhead (1-2 ms through the pipeline, about 0.1 ms here): the same n-grams,
    the same sublinear tf-idf and l2 norm per vectorizer, the same weights. Tested equal to
    predict_proba."""

    def __init__(self, pipeline) -> None:
        union, model = pipeline.named_steps["features"], pipeline.named_steps["model"]
        coef = model.coef_[0]
        self._bias = float(model.intercept_[0])
        self._parts = []
        offset = 0
        for _, vectorizer in union.transformer_list:
            idf = vectorizer.idf_
            weights = {term: (float(idf[i]), float(coef[offset + i])) for term, i in vectorizer.vocabulary_.items()}
            self._parts.append((vectorizer.build_analyzer(), weights))
            offset += len(idf)

    def score(self, normalized: str) -> float:
        total = self._bias
        for analyze, weights in self._parts:
            norm_sq, dot = 0.0, 0.0
            for gram, count in Counter(analyze(normalized)).items():  # counted in C
                entry = weights.get(gram)
                if entry is None:
                    continue
                idf, weight = entry
                value = idf if count == 1 else (1.0 + math.log(count)) * idf  # sublinear tf
                norm_sq += value * value
                dot += value * weight
            if norm_sq:
                total += dot / math.sqrt(norm_sq)
        return 1.0 / (1.0 + math.exp(-total)) if total > -700 else 0.0


class CrisisClassifier:
    """score(text) is the probability that a message describes an acute crisis."""

    def __init__(self, pipeline, kind: str) -> None:
        self._pipeline = pipeline
        self.kind = kind
        self._fast = _LinearScorer(pipeline) if kind == "logreg" else None

    @classmethod
    def train(cls, texts: Sequence[str], labels: Sequence[bool], kind: str = DEFAULT_KIND) -> "CrisisClassifier":
        from sklearn.pipeline import Pipeline

        pipeline = Pipeline([("features", _features()), ("model", _estimator(kind))])
        pipeline.fit([normalize(t) for t in texts], [bool(label) for label in labels])
        return cls(pipeline, kind)

    def score(self, text: Optional[str]) -> float:
        return self.score_normalized(normalize(text)) if text else 0.0

    def score_normalized(self, normalized: str) -> float:
        """score() for a message already through nlp.normalize.normalize."""
        words = normalized.split()
        if len(words) <= WINDOW_WORDS:
            return self._score_normalized(normalized)
        windows = [" ".join(words[start:start + WINDOW_WORDS])
                   for start in range(0, len(words) - WINDOW_STEP, WINDOW_STEP)]
        return max(self._score_normalized(piece) for piece in [normalized, *windows])

    def _score_normalized(self, normalized: str) -> float:
        if self._fast is not None:
            return self._fast.score(normalized)
        return float(self._pipeline.predict_proba([normalized])[0][1])

    def scores(self, texts: Sequence[str]) -> List[float]:
        return [float(p[1]) for p in self._pipeline.predict_proba([normalize(t) for t in texts])]

    def save(self, path: Path) -> None:
        import joblib

        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        joblib.dump({"kind": self.kind, "pipeline": self._pipeline}, temporary)
        temporary.replace(path)  # another process never reads half a file

    @classmethod
    def load(cls, path: Path) -> "CrisisClassifier":
        import joblib

        stored = joblib.load(path)
        return cls(stored["pipeline"], stored["kind"])


def fingerprint(kind: str = DEFAULT_KIND) -> str:
    """Changes whenever the training data, this code or scikit-learn changes."""
    import sklearn

    from safety.corpus import corpus_files

    digest = hashlib.sha256(f"{kind}|{sklearn.__version__}".encode())
    for path in [Path(__file__), *corpus_files()]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def model_path(kind: str = DEFAULT_KIND) -> Path:
    return MODELS_DIR / f"classifier-{kind}-{fingerprint(kind)}.joblib"


def train_and_save(kind: str = DEFAULT_KIND) -> Path:
    from safety.corpus import texts_and_labels, training_examples

    path = model_path(kind)
    if path.exists():
        return path
    texts, labels = texts_and_labels(training_examples())
    CrisisClassifier.train(texts, labels, kind).save(path)
    for old in MODELS_DIR.glob(f"classifier-{kind}-*.joblib"):
        if old != path:
            old.unlink(missing_ok=True)
    return path


@lru_cache(maxsize=1)
def default_classifier() -> CrisisClassifier:
    """The trained classifier of the current corpus; trained here if `make train` has not run."""
    path = model_path()
    if not path.exists():
        logger.warning("Crisis classifier %s not trained yet: training it now (scripts/train.sh does "
                       "this ahead of time)", path.name)
        train_and_save()
    return CrisisClassifier.load(path)


def describe() -> Dict[str, str]:
    return {"kind": DEFAULT_KIND, "file": model_path().name}
