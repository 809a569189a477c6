"""The crisis corpus: labelled messages for training, tuning and measuring the crisis classifier.

Every file has up to four lists: `crisis`, `not_crisis` (Norwegian) and `crisis_en`,
`not_crisis_en` (English). Training files (safety/corpus/train/) were written by independent
authors who never saw the patterns or each other's files; the tuning file (safety/corpus/tune/)
by another author, used only to choose thresholds; the blind sets (tests/data/) are scored,
never trained or tuned on. Pure: no Rasa imports.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, List, Sequence, Tuple

import yaml

from settings import PROJECT_ROOT

CORPUS_DIR = Path(__file__).resolve().parent / "corpus"
TRAIN_DIR = CORPUS_DIR / "train"
TUNE_DIR = CORPUS_DIR / "tune"
NLU_DIR = PROJECT_ROOT / "data" / "nlu"
CRISIS_INTENT = "crisis"
KEYS = {"crisis": (True, "nb"), "not_crisis": (False, "nb"), "crisis_en": (True, "en"),
        "not_crisis_en": (False, "en")}


@dataclass(frozen=True)
class Example:
    text: str
    crisis: bool
    language: str  # "nb" (any Norwegian) or "en"
    source: str


def read_set(path: Path) -> List[Example]:
    """The labelled messages of one corpus file, in file order."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    unknown = set(data) - set(KEYS)
    if unknown:
        raise ValueError(f"{path}: unknown keys {sorted(unknown)}; expected some of {sorted(KEYS)}")
    examples = []
    for key, (crisis, language) in KEYS.items():
        for text in data.get(key) or []:
            if not isinstance(text, str) or not text.strip():
                raise ValueError(f"{path}: {key} holds an entry that is not a message: {text!r}")
            examples.append(Example(text.strip(), crisis, language, path.name))
    return examples


def read_dir(directory: Path) -> List[Example]:
    return [e for path in sorted(directory.glob("*.yml")) for e in read_set(path)]


def nlu_examples(directory: Path = NLU_DIR) -> List[Example]:
    """The assistant's own NLU examples: `crisis` ones as crisis, every other intent's as ordinary
    questions (the classifier must leave ordinary questions alone)."""
    examples = []
    for path in sorted(directory.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in data.get("nlu") or []:
            intent = block.get("intent")
            if not intent:
                continue
            for line in str(block.get("examples", "")).splitlines():
                line = line.strip()
                if line.startswith("- "):
                    examples.append(Example(line[2:].strip(), intent == CRISIS_INTENT, "nb", path.name))
    return examples


def training_examples() -> List[Example]:
    """What the crisis classifier learns from: the training authors and the NLU data."""
    return read_dir(TRAIN_DIR) + nlu_examples()


def texts_and_labels(examples: Iterable[Example]) -> Tuple[List[str], List[bool]]:
    pairs = [(e.text, e.crisis) for e in examples]
    return [t for t, _ in pairs], [c for _, c in pairs]


def corpus_files() -> Sequence[Path]:
    """Every file the trained classifier depends on (for its fingerprint)."""
    return sorted(TRAIN_DIR.glob("*.yml")) + sorted(NLU_DIR.glob("*.yml"))
