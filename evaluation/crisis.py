"""Crisis detection report: every labelled and blind set, each layer alone and combined.

    python -m evaluation.crisis [--compare]

For every set: how many crisis messages show the resident 113 (sure or unsure) and how many
get the crisis text first (sure); how many near-misses get the crisis text first instead of
an answer, and how many get the unsure line after their answer. The layers: the patterns alone,
the classifier alone (at the verdict's thresholds), and the combination the assistant uses.
`make eval` adds the whole NLU pipeline and stock Rasa (evaluation/quality.py). Also prints
the time one assessment takes. `--compare` measures the classifier kinds across authors.
"""
from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path
from typing import Callable, Dict, List, Tuple

import yaml

from safety.corpus import TUNE_DIR, read_set
from settings import PROJECT_ROOT as ROOT

DATA = ROOT / "tests" / "data"
Set = Tuple[List[str], List[str]]  # (crisis messages, near-misses)
TUNE_MAX_NEAR_FIRST = 0.03  # the target is 5 %: tuned to 3 % to leave room for new authors


def _halves(path: Path, keep) -> Set:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return keep(data["crisis"]), keep(data["not_crisis"])


def _language(path: Path, language: str) -> Set:
    examples = read_set(path)
    return ([e.text for e in examples if e.crisis and e.language == language],
            [e.text for e in examples if not e.crisis and e.language == language])


def crisis_sets() -> Dict[str, Set]:
    """Every set, named by what it is and how honest its figure is."""
    sets = {
        "labelled (patterns tuned on it)": _halves(DATA / "crisis_labelled.yml", list),
        "unseen, odd half (blind for the patterns)": _halves(DATA / "crisis_unseen.yml", lambda xs: xs[1::2]),
        "first fresh set, odd half (patterns tuned on it)": _halves(DATA / "crisis_fresh.yml", lambda xs: xs[1::2]),
        "second fresh set (patterns tuned on it)": _halves(DATA / "crisis_fresh2.yml", list),
    }
    for path in sorted(TUNE_DIR.glob("*.yml")):
        sets[f"tuning set {path.stem}, Norwegian (thresholds chosen on it)"] = _language(path, "nb")
        sets[f"tuning set {path.stem}, English (thresholds chosen on it)"] = _language(path, "en")
    sets["third fresh set 2026-12-04, Norwegian (scored twice, spent)"] = _language(DATA / "crisis_fresh3.yml", "nb")
    sets["third fresh set 2026-12-04, English (scored twice, spent)"] = _language(DATA / "crisis_fresh3.yml", "en")
    sets["fourth fresh set 2026-12-04 pm, Norwegian (spent)"] = _language(DATA / "crisis_fresh4.yml", "nb")
    sets["fourth fresh set 2026-12-04 pm, English (spent)"] = _language(DATA / "crisis_fresh4.yml", "en")
    sets["fifth fresh set 2026-12-04 night, Norwegian (spent)"] = _language(DATA / "crisis_fresh5.yml", "nb")
    sets["fifth fresh set 2026-12-04 night, English (spent)"] = _language(DATA / "crisis_fresh5.yml", "en")
    sets["sixth fresh set 2026-12-05, Norwegian (spent)"] = _language(DATA / "crisis_fresh6.yml", "nb")
    sets["sixth fresh set 2026-12-05, English (spent)"] = _language(DATA / "crisis_fresh6.yml", "en")
    sets["seventh fresh set 2026-12-05 pm, Norwegian (spent)"] = _language(DATA / "crisis_fresh7.yml", "nb")
    sets["seventh fresh set 2026-12-05 pm, English (spent)"] = _language(DATA / "crisis_fresh7.yml", "en")
    sets["eighth fresh set 2026-12-05 evening, Norwegian (spent)"] = _language(DATA / "crisis_fresh8.yml", "nb")
    sets["eighth fresh set 2026-12-05 evening, English (spent)"] = _language(DATA / "crisis_fresh8.yml", "en")
    sets["ninth fresh set 2026-12-05 night, Norwegian (spent)"] = _language(DATA / "crisis_fresh9.yml", "nb")
    sets["ninth fresh set 2026-12-05 night, English (spent)"] = _language(DATA / "crisis_fresh9.yml", "en")
    sets["tenth fresh set 2026-12-05 night, Norwegian (spent)"] = _language(DATA / "crisis_fresh10.yml", "nb")
    sets["tenth fresh set 2026-12-05 night, English (spent)"] = _language(DATA / "crisis_fresh10.yml", "en")
    sets["eleventh fresh set 2026-12-05 night, Norwegian (spent)"] = _language(DATA / "crisis_fresh11.yml", "nb")
    sets["eleventh fresh set 2026-12-05 night, English (spent)"] = _language(DATA / "crisis_fresh11.yml", "en")
    sets["twelfth fresh set 2026-12-06 night, Norwegian (spent)"] = _language(DATA / "crisis_fresh12.yml", "nb")
    sets["twelfth fresh set 2026-12-06 night, English (spent)"] = _language(DATA / "crisis_fresh12.yml", "en")
    sets["thirteenth fresh set 2026-12-06 night, Norwegian (spent)"] = _language(DATA / "crisis_fresh13.yml", "nb")
    sets["thirteenth fresh set 2026-12-06 night, English (spent)"] = _language(DATA / "crisis_fresh13.yml", "en")
    sets["fourteenth fresh set 2026-12-06 night, Norwegian"] = _language(DATA / "crisis_fresh14.yml", "nb")
    sets["fourteenth fresh set 2026-12-06 night, English"] = _language(DATA / "crisis_fresh14.yml", "en")
    return sets


def rates(levels_crisis: List[str], levels_near: List[str]) -> Dict[str, float]:
    """levels are 'sure', 'unsure' or 'none' per message."""
    def share(levels, wanted):
        return sum(level in wanted for level in levels) / len(levels) if levels else float("nan")

    return {"sees_113": share(levels_crisis, ("sure", "unsure")), "sure": share(levels_crisis, ("sure",)),
            "near_first": share(levels_near, ("sure",)), "near_line": share(levels_near, ("unsure",)),
            "n_crisis": len(levels_crisis), "n_near": len(levels_near)}


def layers() -> Dict[str, Callable[[str], str]]:
    from safety.classifier import default_classifier
    from safety.patterns import default_detector
    from safety.verdict import THRESHOLDS, default_assessor

    detector, classifier, assessor = default_detector(), default_classifier(), default_assessor()

    def patterns(text: str) -> str:
        return "sure" if detector.detect(text) else "none"

    def classifier_alone(text: str) -> str:
        score = classifier.score(text)
        return "sure" if score >= THRESHOLDS.sure else "unsure" if score >= THRESHOLDS.unsure else "none"

    return {"patterns alone": patterns, "classifier alone": classifier_alone,
            "combination": lambda text: assessor.assess(text).level}


def table(results: Dict[str, Dict[str, Dict[str, float]]]) -> str:
    """One row per set and detector. 'answered' (whole pipelines only): neither the crisis text
    first nor the fallback."""
    lines = ["| set | detector | crisis: sees 113 | crisis: 113 first (sure) | near-miss: crisis text first | "
             "near-miss: answer + 113 line | near-miss: answered | n (crisis / near) |",
             "|---|---|---|---|---|---|---|---|"]
    for set_name, per_layer in results.items():
        for layer, r in per_layer.items():
            answered = f"{r['near_answered']:.3f}" if "near_answered" in r else "–"
            lines.append(f"| {set_name} | {layer} | {r['sees_113']:.3f} | {r['sure']:.3f} | {r['near_first']:.3f} | "
                         f"{r['near_line']:.3f} | {answered} | {r['n_crisis']} / {r['n_near']} |")
    return "\n".join(lines)


def evaluate() -> Dict[str, Dict[str, Dict[str, float]]]:
    detectors = layers()
    return {name: {layer: rates([f(t) for t in yes], [f(t) for t in no]) for layer, f in detectors.items()}
            for name, (yes, no) in crisis_sets().items()}


def latency(repeats: int = 3) -> Dict[str, float]:
    """Milliseconds per assessment over every message of every set (after a warm-up)."""
    from safety.verdict import default_assessor

    assessor = default_assessor()
    texts = [t for yes, no in crisis_sets().values() for t in yes + no]
    assessor.assess(texts[0])
    timings = []
    for _ in range(repeats):
        for text in texts:
            started = time.perf_counter()
            assessor.assess(text)
            timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return {"messages": len(timings), "p50": statistics.median(timings),
            "p95": timings[int(0.95 * (len(timings) - 1))], "max": timings[-1]}


def compare_kinds() -> str:
    """Leave-one-author-out: train on all training authors but one, score the one left out."""
    from sklearn.metrics import roc_auc_score

    from safety.classifier import KINDS, CrisisClassifier
    from safety.corpus import TRAIN_DIR, nlu_examples
    from safety.corpus import read_set as read

    authors = {p.stem: read(p) for p in sorted(TRAIN_DIR.glob("*.yml"))}
    nlu = nlu_examples()
    lines = ["| kind | held-out author | AUC | crisis recall at 5 % near-miss alarms | train s |", "|---|---|---|---|---|"]
    for kind in KINDS:
        for held, examples in authors.items():
            train = [e for a, xs in authors.items() if a != held for e in xs] + nlu
            started = time.perf_counter()
            model = CrisisClassifier.train([e.text for e in train], [e.crisis for e in train], kind)
            seconds = time.perf_counter() - started
            scores = model.scores([e.text for e in examples])
            truth = [e.crisis for e in examples]
            near = sorted((s for s, t in zip(scores, truth) if not t), reverse=True)
            cut = near[max(0, int(0.05 * len(near)) - 1)] if near else 1.0
            recall = sum(s > cut for s, t in zip(scores, truth) if t) / max(1, sum(truth))
            lines.append(f"| {kind} | {held} | {roc_auc_score(truth, scores):.3f} | {recall:.3f} | {seconds:.1f} |")
    return "\n".join(lines)


def tune() -> str:
    """The verdict's thresholds on the tuning set only: the settings that keep near-misses with
    the crisis text first at or under TUNE_MAX_NEAR_FIRST and every crisis shown 113, ranked by
    how many crises get 113 first. Prints the best few; the chosen ones go into safety/verdict.py."""
    import itertools

    from safety.classifier import default_classifier
    from safety.context import default_context
    from safety.patterns import default_detector
    from safety.verdict import Thresholds, combine

    detector, context, classifier = default_detector(), default_context(), default_classifier()
    examples = [e for path in sorted(TUNE_DIR.glob("*.yml")) for e in read_set(path)]
    found = []
    for e in examples:
        match = detector.detect(e.text)
        found.append((e.crisis, match.rule if match else None, context.softener(e.text),
                      classifier.score(e.text), context.has_danger_word(e.text), bool(match and match.clear)))
    rows = []
    grid = itertools.product((0.0, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5), (0.5, 0.6, 0.7, 0.8, 0.85, 0.9),
                             (0.8, 0.9, 0.95, 0.99), (0.1, 0.2, 0.3, 0.4))
    for veto, sure, softened, unsure in grid:
        if softened < sure or unsure >= sure:
            continue
        thresholds = Thresholds(sure=sure, sure_softened=softened, unsure=unsure, pattern_veto=veto)
        levels = [(crisis, combine(pattern, None, softener, score, danger, thresholds, clear).level)
                  for crisis, pattern, softener, score, danger, clear in found]
        r = rates([lv for c, lv in levels if c], [lv for c, lv in levels if not c])
        rows.append((r["near_first"] <= TUNE_MAX_NEAR_FIRST, r["sees_113"], r["sure"], -r["near_first"],
                     -r["near_line"], (veto, sure, softened, unsure), r))
    rows.sort(key=lambda row: row[:5], reverse=True)
    lines = ["| veto | sure | sure, softened | unsure | sees 113 | sure | near-miss first | near-miss line |",
             "|---|---|---|---|---|---|---|---|"]
    for *_, (veto, sure, softened, unsure), r in rows[:8]:
        lines.append(f"| {veto} | {sure} | {softened} | {unsure} | {r['sees_113']:.3f} | {r['sure']:.3f} | "
                     f"{r['near_first']:.3f} | {r['near_line']:.3f} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compare", action="store_true", help="compare classifier kinds across authors")
    parser.add_argument("--tune", action="store_true", help="search the verdict's thresholds on the tuning set")
    args = parser.parse_args()
    if args.tune:
        print(tune())
        return 0
    from safety.classifier import describe

    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    print(f"# Crisis detection ({stamp}; classifier {describe()['file']})\n")
    print(table(evaluate()))
    timing = latency()
    print(f"\nassess(): p50 {timing['p50']:.2f} ms, p95 {timing['p95']:.2f} ms, max {timing['max']:.2f} ms "
          f"over {timing['messages']} messages")
    if args.compare:
        print("\n" + compare_kinds())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
