"""`python -m evaluation.behaviour [--set tests/data/behaviour_fresh14.yml] [--model M]`

The whole bot on a behaviour set written by someone who never saw the training data: each
case is a fresh conversation through the REST channel of the real Rasa and action servers. A
case is right when the bot gave the answer of the intent the author meant (the NLU took that
intent, or one whose rule in data/rules.yml gives the same answer: «who do I call» and «we need
help» are both routed) and, where the author gave a route, the reply routes there (child,
adult, or the age question). The share with exactly the author's intent is printed beside it. Prints the figures per
kind (`core`: everyday bokmål; `robust`: dialect, nynorsk, typos; `english`: English, whose
replies must be English too) and writes the misses to reports/behaviour.md (a set whose misses
were read is spent: the next round needs a new one). A routing file (a list of text, route and
language, like tests/data/routing_languages2.yml) is scored per language the same way.
"""
from __future__ import annotations

import argparse
import json
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import sqlalchemy as sa
import yaml

from actions.crisis_actions import answers_by_intent
from cluster.local_assistant import latest_model, running_assistant
from settings import PROJECT_ROOT as ROOT

DEFAULT_SET = ROOT / "tests" / "data" / "behaviour_fresh14.yml"
REPORTS = ROOT / "reports"
KINDS = ("core", "robust", "english")
REPLY_LANGUAGE = {"english": "en", "routing-en": "en"}  # kinds whose replies must be in that language
ROUTES = ("child", "adult", "ask")
# what each route's reply says, in every municipality and language (actions/texts.yml: the
# contact answers, and those for a municipality whose page names no contact; domain.yml)
CHILD_MARK = "forløpskoordinator for barn og unge"
ADULT_MARK = "Morten Jansson"
ASK_MARK = "under 18 år, eller en voksen"
CRISIS_MARK = "Er liv eller helse i fare: ring 113"


def _opening(key: str) -> List[str]:
    """The fixed words a text of actions/texts.yml begins with, in each language."""
    from actions.texts import LANGUAGES, text

    return [re.split(r"[{.]", text(lang, key))[0] for lang in LANGUAGES]


def _first_lines(response: str) -> List[str]:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    return [variation["text"].splitlines()[0] for variation in domain["responses"][response]]


MARKS = (
    ("crisis", [CRISIS_MARK, *_first_lines("utter_crisis")]),
    ("ask", [ASK_MARK, *_first_lines("utter_ask_audience"), *_first_lines("utter_ask_own_age")]),
    ("child", [CHILD_MARK, *_opening("contact_child"), *_opening("no_contact_children")]),
    ("adult", [ADULT_MARK, *_opening("contact_adult"), *_opening("no_contact_adults")]),
)


def route_of(replies: List[dict], contacts: Sequence = ()) -> str:
    """The route an answer gives; `contacts` (a municipality's directory) adds their names as marks,
    so an answer naming a municipality's own contact («Du når <name>, …») counts for its group."""
    text = "\n".join(reply.get("text", "") for reply in replies)
    named = {"child": [c.name for c in contacts if c.name and c.audience == "children"],
             "adult": [c.name for c in contacts if c.name and c.audience == "adults"]}
    for route, marks in MARKS:
        if any(mark in text for mark in [*marks, *named.get(route, [])]):
            return route
    return "none"


@dataclass
class Case:
    kind: str
    text: str
    intent: Optional[str]  # None: only the route is scored (routing files)
    route: Optional[str] = None


@dataclass
class Outcome:
    case: Case
    intent: str
    route: str
    reply_language: Optional[str] = None  # nlp.language.detect of the replies: "en", "no" or None

    @property
    def intent_right(self) -> bool:
        return self.intent == self.case.intent

    @property
    def answer_right(self) -> bool:
        if self.case.intent is None or self.intent_right:
            return True
        answers = answers_by_intent()
        return answers.get(self.intent) is not None and answers.get(self.intent) == answers.get(self.case.intent)

    @property
    def route_right(self) -> bool:
        return self.case.route is None or self.route == self.case.route

    @property
    def language_right(self) -> bool:
        wanted = REPLY_LANGUAGE.get(self.case.kind)
        return wanted is None or self.reply_language == wanted

    @property
    def right(self) -> bool:
        return self.answer_right and self.route_right and self.language_right


def read_cases(path: Path) -> List[Case]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if isinstance(data, list):  # a routing file: text, route, language
        return [Case(f"routing-{item['language']}", str(item["text"]), None, item["route"]) for item in data]
    unknown = set(data) - set(KINDS)
    if unknown:
        raise ValueError(f"{path}: unknown keys {sorted(unknown)}")
    cases = []
    for kind in KINDS:
        for item in data.get(kind) or []:
            route = item.get("route")
            if route is not None and route not in ROUTES:
                raise ValueError(f"{path}: route {route!r} is not one of {ROUTES}")
            cases.append(Case(kind, str(item["text"]), str(item["intent"]), route))
    return cases


def stored_intents(database: Path) -> Dict[str, str]:
    """The intent of each conversation's last user message, as the tracker store holds it."""
    engine = sa.create_engine(f"sqlite:///{database}")
    intents: Dict[str, str] = {}
    with engine.connect() as connection:
        rows = connection.execute(sa.text(
            "SELECT sender_id, data FROM events WHERE type_name = 'user' ORDER BY id"))
        for sender, data in rows:
            intents[sender] = ((json.loads(data).get("parse_data") or {}).get("intent") or {}).get("name") or "none"
    engine.dispose()
    return intents


def run(cases: List[Case], model: Path) -> List[Outcome]:
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        with running_assistant(workdir, model=model) as bot:
            replies = [bot.say(f"behaviour-{n}", case.text) for n, case in enumerate(cases)]
        intents = stored_intents(workdir / "tracker.db")
    return [Outcome(case, intents.get(f"behaviour-{n}", "none"), route_of(said), reply_language(said))
            for n, (case, said) in enumerate(zip(cases, replies))]


def reply_language(replies: List[dict]) -> Optional[str]:
    from nlp.language import detect

    return detect("\n".join(reply.get("text", "") for reply in replies))


def kinds_of(outcomes: List[Outcome]) -> List[str]:
    return list(dict.fromkeys(o.case.kind for o in outcomes))


def figures(outcomes: List[Outcome]) -> Dict[str, float]:
    result: Dict[str, float] = {}
    for kind in kinds_of(outcomes):
        chosen = [o for o in outcomes if o.case.kind == kind]
        if chosen:
            result[f"{kind}_right"] = sum(o.right for o in chosen) / len(chosen)
            if all(o.case.intent for o in chosen):  # routing files name no intent
                result[f"{kind}_exact_intent"] = sum(o.intent_right for o in chosen) / len(chosen)
            result[f"{kind}_n"] = len(chosen)
    routed = [o for o in outcomes if o.case.route]
    if routed:
        result["routing"] = sum(o.route_right for o in routed) / len(routed)
        result["routing_n"] = len(routed)
    return result


def report(outcomes: List[Outcome], set_path: Path, stamp: str) -> str:
    f = figures(outcomes)
    lines = [f"# Behaviour set {set_path.name} ({stamp})", "",
             "| kind | right | exactly the author's intent | n |", "|---|---|---|---|"]
    for kind in kinds_of(outcomes):
        if f"{kind}_n" in f:
            exact = f.get(f"{kind}_exact_intent")
            lines.append(f"| {kind} | {f[f'{kind}_right']:.3f} | {'–' if exact is None else f'{exact:.3f}'} | {f[f'{kind}_n']} |")
    if "routing_n" in f:
        lines.append(f"| routing (cases with a route) | {f['routing']:.3f} | – | {f['routing_n']} |")
    lines += ["", "## Misses", ""]
    lines += [f"- [{o.case.kind}] «{o.case.text}»: expected {o.case.intent}"
              f"{' / ' + o.case.route if o.case.route else ''}, got {o.intent} / {o.route}"
              f"{'' if o.language_right else ' (replied in ' + str(o.reply_language) + ')'}"
              for o in outcomes if not o.right]
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evaluation.behaviour", description=__doc__.splitlines()[0])
    parser.add_argument("--set", type=Path, default=DEFAULT_SET)
    parser.add_argument("--model", type=Path, default=None, help="model archive (default: newest in models/)")
    args = parser.parse_args(argv)
    cases = read_cases(args.set)
    outcomes = run(cases, args.model or latest_model())
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    REPORTS.mkdir(exist_ok=True)
    path = REPORTS / "behaviour.md"
    path.write_text(report(outcomes, args.set, stamp), encoding="utf-8")
    for name, value in figures(outcomes).items():
        print(f"behaviour: {name} {value:.3f}" if isinstance(value, float) else f"behaviour: {name} {value}")
    print(f"behaviour: misses in {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
