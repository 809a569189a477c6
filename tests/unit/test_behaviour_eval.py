"""evaluation/behaviour.py: reading a behaviour set, judging replies, and the figures."""
from __future__ import annotations

import pytest

from evaluation.behaviour import DEFAULT_SET, Case, Outcome, figures, read_cases, route_of


def test_the_committed_set_reads_and_has_both_kinds():
    cases = read_cases(DEFAULT_SET)
    assert {"core", "robust"} <= {c.kind for c in cases} and len(cases) >= 150
    assert any(c.route for c in cases)


@pytest.mark.parametrize("text, route", [
    ("Er liv eller helse i fare: ring 113 ...", "crisis"),
    ("Gjelder det et barn eller en ungdom under 18 år, eller en voksen?", "ask"),
    ("Kontakt forløpskoordinator for barn og unge i Barne- og familietjenesten.", "child"),
    ("Kontakt saksbehandler Morten Jansson på 901 50 842.", "adult"),
    ("Et pakkeforløp er ...", "none"),
])
def test_route_of_a_reply(text, route):
    assert route_of([{"text": text}]) == route


def test_a_file_with_a_bad_route_or_key_is_refused(tmp_path):
    bad_route = tmp_path / "a.yml"
    bad_route.write_text("core:\n  - {text: x, intent: greet, route: teen}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="route"):
        read_cases(bad_route)
    bad_key = tmp_path / "b.yml"
    bad_key.write_text("extra:\n  - {text: x, intent: greet}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="unknown keys"):
        read_cases(bad_key)


def test_figures_need_the_intent_and_the_route():
    outcomes = [
        Outcome(Case("core", "a", "ask_contact", "child"), "ask_contact", "child"),   # right
        Outcome(Case("core", "b", "ask_contact", "child"), "ask_contact", "adult"),   # wrong route
        Outcome(Case("core", "c", "ask_email"), "ask_phone_hours", "none"),          # wrong intent
        Outcome(Case("robust", "d", "greet"), "greet", "none"),                      # right
    ]
    result = figures(outcomes)
    assert result["core_right"] == pytest.approx(1 / 3) and result["robust_right"] == 1.0
    assert result["routing"] == 0.5 and result["routing_n"] == 2
    assert result["core_exact_intent"] == pytest.approx(2 / 3)


def test_an_intent_with_the_same_answer_counts_as_answered():
    same = Outcome(Case("core", "a", "ask_contact", "child"), "need_help", "child")
    other = Outcome(Case("core", "b", "ask_contact"), "ask_email", "none")
    assert same.right and not same.intent_right
    assert not other.right


def test_an_english_case_needs_an_english_reply():
    english = Case("english", "who do I call for my son, 15", "ask_contact", "child")
    assert Outcome(english, "ask_contact", "child", reply_language="en").right
    assert not Outcome(english, "ask_contact", "child", reply_language="no").right  # right route, bokmål
    assert Outcome(Case("core", "x", "greet"), "greet", "none", reply_language="en").right  # any language


def test_a_routing_file_is_scored_by_route_and_language(tmp_path):
    path = tmp_path / "routing.yml"
    path.write_text("- {text: my son is 15, route: child, language: en}\n"
                    "- {text: sonen min er 15, route: child, language: nn}\n", encoding="utf-8")
    cases = read_cases(path)
    assert [(c.kind, c.intent, c.route) for c in cases] == [("routing-en", None, "child"), ("routing-nn", None, "child")]
    outcomes = [Outcome(cases[0], "need_help", "child", "en"), Outcome(cases[1], "ask_contact", "adult", "no")]
    result = figures(outcomes)
    assert result["routing-en_right"] == 1.0 and result["routing-nn_right"] == 0.0
    assert "routing-en_exact_intent" not in result  # a routing file names no intent
