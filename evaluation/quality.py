"""Quality report: held-out intent accuracy / macro F1, crisis recall and precision, per pipeline.

    python -m evaluation.quality [--configs config.yml evaluation/configs/stock_rasa.yml] [--folds 0]

Trains an NLU model per pipeline on data/nlu, parses the held-out sets (tests/nlu/heldout.yml,
and heldout_nn.yml and heldout_en.yml scored per language) and the crisis labelled set, and writes reports/quality.md plus a confusion-matrix PNG per pipeline.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Tuple

import yaml

from evaluation.crisis import crisis_sets
from evaluation.crisis import evaluate as crisis_layers
from evaluation.crisis import rates as crisis_rates_of_levels
from evaluation.crisis import table as crisis_table
from settings import PROJECT_ROOT as ROOT

REPORTS = ROOT / "reports"
HELDOUT = ROOT / "tests" / "nlu" / "heldout.yml"
# held-out sets per language, each scored alone (target: accuracy >= 0.95 in each)
HELDOUT_BY_LANGUAGE = {
    "bokmål (and dialect)": HELDOUT,
    "nynorsk": ROOT / "tests" / "nlu" / "heldout_nn.yml",
    "English": ROOT / "tests" / "nlu" / "heldout_en.yml",
    # sets 2-13 (strangers) were moved into training once spent: data/nlu/strangers_*.yml
    "bokmål, set 14": ROOT / "tests" / "nlu" / "heldout14_nb.yml",
    "nynorsk, set 14": ROOT / "tests" / "nlu" / "heldout14_nn.yml",
    "English, set 14": ROOT / "tests" / "nlu" / "heldout14_en.yml",
}
LANGUAGE_TARGET = 0.95
CRISIS_INTENT = "crisis"
FALLBACK_INTENT = "nlu_fallback"
LABELLED_SET = "labelled (patterns tuned on it)"


def read_examples(path: Path) -> List[Tuple[str, str]]:
    """(text, intent) pairs of a Rasa NLU YAML file."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    pairs = []
    for block in data.get("nlu", []):
        if "intent" not in block:
            continue
        for line in block["examples"].splitlines():
            text = line.strip()
            if text.startswith("- "):
                pairs.append((text[2:].strip(), block["intent"]))
    return pairs


def train_nlu(config: Path, out_dir: Path) -> Tuple[Path, float]:
    from rasa.model_training import train_nlu as rasa_train_nlu

    started = time.perf_counter()
    model = rasa_train_nlu(str(config), str(ROOT / "data" / "nlu"), str(out_dir),
                           domain=str(ROOT / "domain.yml"))
    return Path(model), time.perf_counter() - started


def parse_all(model: Path, texts: List[str]) -> List[Tuple[str, str]]:
    """(intent, crisis level) per text. A pipeline without the crisis verdict (stock Rasa)
    answers with the crisis text exactly when its intent is `crisis`."""
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))

    async def run() -> List[Tuple[str, str]]:
        results = []
        for text in texts:
            parsed = await agent.parse_message(text)
            intent = (parsed.get("intent") or {}).get("name") or ""
            verdict = parsed.get("crisis_verdict") or {}
            results.append((intent, verdict.get("level") or ("sure" if intent == CRISIS_INTENT else "none")))
        return results

    return asyncio.run(run())


def score(expected: List[str], predicted: List[str]) -> Dict[str, object]:
    from sklearn.metrics import accuracy_score, classification_report, f1_score

    labels = sorted(set(expected))
    return {
        "accuracy": accuracy_score(expected, predicted),
        "macro_f1": f1_score(expected, predicted, labels=labels, average="macro", zero_division=0),
        "per_intent": classification_report(expected, predicted, labels=labels, output_dict=True, zero_division=0),
    }


def crisis_rates(levels_crisis: List[str], parsed_near: List[Tuple[str, str]]) -> Dict[str, float]:
    """evaluation.crisis.rates, plus how many near-misses got an answer that is not the fallback."""
    result = crisis_rates_of_levels(levels_crisis, [level for _, level in parsed_near])
    answered = [level != "sure" and intent != FALLBACK_INTENT for intent, level in parsed_near]
    result["near_answered"] = sum(answered) / len(answered) if answered else float("nan")
    return result


def confusion_png(expected: List[str], predicted: List[str], path: Path, title: str) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import ConfusionMatrixDisplay

    labels = sorted(set(expected) | set(predicted))
    fig, ax = plt.subplots(figsize=(14, 12))
    ConfusionMatrixDisplay.from_predictions(expected, predicted, labels=labels, ax=ax,
                                            xticks_rotation="vertical", colorbar=False)
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)


def evaluate(config: Path, workdir: Path) -> Dict[str, object]:
    heldout = read_examples(HELDOUT)
    by_language = {name: read_examples(path) for name, path in HELDOUT_BY_LANGUAGE.items()
                   if path != HELDOUT and path.exists()}
    extra = [t for pairs in by_language.values() for t, _ in pairs]
    sets = crisis_sets()
    crisis_texts = [t for yes, no in sets.values() for t in yes + no]

    model, train_seconds = train_nlu(config, workdir)
    texts = [t for t, _ in heldout]
    predicted = parse_all(model, texts + extra + crisis_texts)
    heldout_predicted = [intent for intent, _ in predicted[:len(texts)]]
    extra_predicted = [intent for intent, _ in predicted[len(texts):len(texts) + len(extra)]]
    crisis_predicted = predicted[len(texts) + len(extra):]
    result = score([i for _, i in heldout], heldout_predicted)
    result["crisis_sets"], offset = {}, 0
    for name, (yes, no) in sets.items():
        parsed = crisis_predicted[offset:offset + len(yes) + len(no)]
        result["crisis_sets"][name] = crisis_rates([level for _, level in parsed[:len(yes)]], parsed[len(yes):])
        offset += len(yes) + len(no)
    result["crisis"] = result["crisis_sets"][LABELLED_SET]
    result["languages"] = {next(iter(HELDOUT_BY_LANGUAGE)): {"accuracy": result["accuracy"], "n": len(heldout)}}
    offset = 0
    for name, pairs in by_language.items():
        got = extra_predicted[offset:offset + len(pairs)]
        offset += len(pairs)
        right = sum(g == intent for g, (_, intent) in zip(got, pairs))
        result["languages"][name] = {"accuracy": right / len(pairs), "n": len(pairs),
                                     "wrong": [(t, i, g) for g, (t, i) in zip(got, pairs) if g != i]}
    result["train_seconds"] = train_seconds
    result["expected"], result["predicted"] = [i for _, i in heldout], heldout_predicted
    result["examples"] = texts
    return result


def cross_validate(config: Path, folds: int, out: Path) -> Dict[str, float]:
    """Rasa's own k-fold cross-validation on the training data (rasa test nlu --cross-validation)."""
    import json
    import subprocess
    import sys

    subprocess.run([str(Path(sys.executable).parent / "rasa"), "test", "nlu", "--cross-validation",
                    "--folds", str(folds), "--config", str(config), "--nlu", str(ROOT / "data" / "nlu"),
                    "--domain", str(ROOT / "domain.yml"), "--out", str(out)],
                   cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    report = json.loads((out / "intent_report.json").read_text())
    return {"accuracy": report["accuracy"], "macro_f1": report["macro avg"]["f1-score"]}


def markdown(results: Dict[str, Dict[str, object]], stamp: str) -> str:
    names = list(results)
    lines = [f"# Quality report ({stamp})", "",
             "| pipeline | held-out accuracy | macro F1 | crisis sees 113 (labelled set) | crisis first on near-misses | NLU training s |",
             "|---|---|---|---|---|---|"]
    for name in names:
        r = results[name]
        c = r["crisis"]
        lines.append(f"| {name} | {r['accuracy']:.3f} | {r['macro_f1']:.3f} | {c['sees_113']:.3f} | "
                     f"{c['near_first']:.3f} | {r['train_seconds']:.0f} |")
    lines += ["", f"## Held-out accuracy per language (target {LANGUAGE_TARGET:.2f} in each)", "",
              "| language | " + " | ".join(names) + " | messages |", "|---" * (len(names) + 2) + "|"]
    for language in results[names[0]]["languages"]:
        cells = [f"{results[n]['languages'][language]['accuracy']:.3f}" for n in names]
        lines.append(f"| {language} | " + " | ".join(cells) + f" | {results[names[0]]['languages'][language]['n']} |")
    lines += ["", "## Crisis detection by set: the whole NLU pipeline of each config, and each layer alone", ""]
    per_set = {set_name: {name: results[name]["crisis_sets"][set_name] for name in names}
               for set_name in results[names[0]]["crisis_sets"]}
    for set_name, layers in crisis_layers().items():
        per_set.setdefault(set_name, {}).update(layers)
    lines.append(crisis_table(per_set))
    folded = [n for n in names if results[n].get("cv")]
    if folded:
        lines += ["", "## k-fold cross-validation on the training data", "",
                  "| pipeline | folds | accuracy | macro F1 |", "|---|---|---|---|"]
        for name in folded:
            cv = results[name]["cv"]
            lines.append(f"| {name} | {cv['folds']} | {cv['accuracy']:.3f} | {cv['macro_f1']:.3f} |")
    lines += ["", "## Per intent (F1 on the held-out set)", "",
              "| intent | " + " | ".join(names) + " | support |", "|---" * (len(names) + 2) + "|"]
    intents = sorted(k for k in results[names[0]]["per_intent"] if k not in ("accuracy", "macro avg", "weighted avg"))
    for intent in intents:
        cells = [f"{results[n]['per_intent'].get(intent, {}).get('f1-score', 0):.2f}" for n in names]
        support = int(results[names[0]]["per_intent"][intent]["support"])
        lines.append(f"| {intent} | " + " | ".join(cells) + f" | {support} |")
    for name in names:
        wrong = [(t, e, p) for t, e, p in zip(results[name]["examples"], results[name]["expected"],
                                              results[name]["predicted"]) if e != p]
        lines += ["", f"## Misclassified by {name} ({len(wrong)})", ""]
        lines += [f"- «{t}»: expected {e}, got {p}" for t, e, p in wrong]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--configs", nargs="+", default=["config.yml", "evaluation/configs/stock_rasa.yml"])
    parser.add_argument("--folds", type=int, default=5, help="k for cross-validation (0 skips it)")
    parser.add_argument("--cv-configs", nargs="*", default=["config.yml"],
                        help="pipelines to cross-validate (each costs k trainings)")
    args = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    REPORTS.mkdir(exist_ok=True)
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for config in args.configs:
            name = Path(config).stem
            print(f"quality: training and evaluating {config} ...", flush=True)
            results[name] = evaluate(ROOT / config, Path(tmp) / name)
            r = results[name]
            print(f"quality: {name}: accuracy {r['accuracy']:.3f}, macro F1 {r['macro_f1']:.3f}, "
                  f"crisis sees 113 {r['crisis']['sees_113']:.3f}, near-misses crisis first {r['crisis']['near_first']:.3f}",
                  flush=True)
            print(f"quality: {name}: per language " + ", ".join(
                f"{language} {v['accuracy']:.3f} (n={v['n']})" for language, v in r["languages"].items()), flush=True)
            confusion_png(r["expected"], r["predicted"], REPORTS / f"confusion_{name}.png", name)
            if args.folds > 1 and config in args.cv_configs:
                print(f"quality: {name}: {args.folds}-fold cross-validation ...", flush=True)
                r["cv"] = {"folds": args.folds, **cross_validate(ROOT / config, args.folds, REPORTS / f"cv_{name}")}
                print(f"quality: {name}: cross-validation accuracy {r['cv']['accuracy']:.3f}", flush=True)
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    report = markdown(results, stamp)
    (REPORTS / "quality.md").write_text(report, encoding="utf-8")
    crisis_part = report[report.index("## Crisis detection by set"):report.index("## Per intent")]
    print("\n" + crisis_part)
    print(f"quality: wrote {REPORTS / 'quality.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
