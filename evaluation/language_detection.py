"""How well nlp/language.py tells English from Norwegian, and what it costs.

    python -m evaluation.language_detection

Norwegian: the training examples of data/nlu (without the English ones of paraphrase author I)
and the held-out sets in Norwegian; English: the English messages of safety/corpus/train and
tests/nlu/heldout_en.yml when it exists. Prints found / taken for the other / undecided, and
milliseconds per message.
"""
from __future__ import annotations

import time
from typing import Dict, List

import yaml

from evaluation.quality import read_examples
from settings import PROJECT_ROOT as ROOT


def norwegian_messages() -> List[str]:
    # not the English files, nor the strangers' behaviour sets, which mix the languages
    files = [f for f in sorted((ROOT / "data" / "nlu").glob("*.yml")) if "author_i" not in f.name
             and "english" not in f.name and not f.name.endswith("_en.yml")
             and not f.name.startswith("strangers_behaviour")]
    files += [ROOT / "tests" / "nlu" / "heldout.yml", ROOT / "tests" / "nlu" / "heldout_nn.yml"]
    return [t for f in files if f.exists() for t, _ in read_examples(f)]


def english_messages() -> List[str]:
    found = []
    for path in sorted((ROOT / "safety" / "corpus" / "train").glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        found += (data.get("crisis_en") or []) + (data.get("not_crisis_en") or [])
    heldout = ROOT / "tests" / "nlu" / "heldout_en.yml"
    return found + ([t for t, _ in read_examples(heldout)] if heldout.exists() else [])


def tally(messages: List[str], expected: str) -> Dict[str, float]:
    from nlp.language import detect

    results = [detect(text) for text in messages]
    return {"n": len(messages), "right": results.count(expected) / len(messages),
            "other": sum(r not in (expected, None) for r in results) / len(messages),
            "undecided": results.count(None) / len(messages)}


def main() -> int:
    from nlp.language import detect

    norwegian, english = norwegian_messages(), english_messages()
    detect("warm up the detector")
    started = time.perf_counter()
    no, en = tally(norwegian, "no"), tally(english, "en")
    ms = (time.perf_counter() - started) / (len(norwegian) + len(english)) * 1000
    print("| set | messages | right | taken for the other | undecided (keeps the language) |")
    print("|---|---|---|---|---|")
    for name, row in (("Norwegian", no), ("English", en)):
        print(f"| {name} | {row['n']} | {row['right']:.3f} | {row['other']:.4f} | {row['undecided']:.3f} |")
    print(f"\n{ms:.3f} ms per message")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
