"""rasa_server/policies/rule_policy.py finds the same rules and predicts the same next actions as Rasa's
RulePolicy, on the trained model's rules and conversations driven through it."""
from __future__ import annotations

import asyncio

import pytest
from rasa.core.agent import Agent
from rasa.core.policies.rule_policy import RULES, RulePolicy
from rasa.shared.core.events import ActionExecuted, Restarted, SessionStarted, UserUtteranceReverted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from cluster.local_assistant import latest_model
from rasa_server.policies.rule_policy import FastRulePolicy, IncrementalStates

# topics, routing questions, a crisis, out of scope, nonsense: a conversation touching most rules
MESSAGES = ["hei", "hva er et pakkeforløp?", "sønnen min på 14 sliter, hvem kan vi kontakte?", "15",
            "når kan jeg ringe?", "jeg vil ikke leve lenger", "asdfgh", "når tømmes søpla?", "?!",
            "unnskyld, det gjelder meg selv, jeg er 30", "har dere epost?", "kan pårørende være med?",
            "hva gjør en forløpskoordinator", "takk for hjelpen", "ha det"]


@pytest.fixture(scope="module")
def agent():
    return Agent.load(str(latest_model()))


@pytest.fixture(scope="module")
def policy(agent):
    nodes = agent.processor.graph_runner._instantiated_nodes.values()
    [policy] = [node._component for node in nodes if isinstance(node._component, RulePolicy)]
    return policy


@pytest.fixture(scope="module")
def trackers(agent):
    """Every tracker a conversation of MESSAGES passes through (each predicted action appended
    as executed, as the processor does), with the trained model predicting."""
    domain = agent.domain
    events = [ActionExecuted("action_listen")]
    seen = []
    for text in MESSAGES:
        parsed = asyncio.run(agent.parse_message(text))
        events.append(UserUttered(text, parsed["intent"], parse_data=parsed))
        for _ in range(4):
            tracker = DialogueStateTracker.from_events("s", list(events), domain.slots)
            seen.append(tracker)
            prediction = agent.processor._predict_next_with_tracker(tracker)
            action = domain.action_names_or_texts[prediction.max_confidence_index]
            events.append(ActionExecuted(action))
            if action == "action_listen":
                break
    return seen


def test_the_model_uses_the_fast_policy(policy):
    assert isinstance(policy, FastRulePolicy)


def test_the_conversation_is_longer_than_the_longest_rule(agent, policy, trackers):
    longest = max(len(RulePolicy._rule_key_to_state(key)) for key in policy.lookup[RULES])
    # so the early stop is exercised, and on many states
    assert len(policy._prediction_states(trackers[-1], agent.domain)) > 3 * longest


@pytest.mark.parametrize("use_text", [True, False], ids=["text", "intent"])
def test_the_same_rules_apply(agent, policy, trackers, use_text):
    for tracker in trackers:
        states = policy._prediction_states(tracker, agent.domain, use_text)
        ours = policy._get_possible_keys(policy.lookup[RULES], states)
        theirs = RulePolicy._get_possible_keys(policy, policy.lookup[RULES], states)
        assert ours == theirs, tracker.events[-1]


def test_the_same_predictions(agent, policy, trackers):
    predicted = set()
    for tracker in trackers:
        ours = policy.predict_action_probabilities(tracker, agent.domain)
        theirs = RulePolicy.predict_action_probabilities(policy, tracker, agent.domain)
        assert ours == theirs, tracker.events[-1]
        predicted.add(ours.max_confidence_index)
    assert len(predicted) > 5  # many different rules fired, not one answer throughout


def test_the_same_rules_apply_to_made_up_conversations(policy):
    """Each rule's own states, with the first state of every other rule in front or in place
    of its first: conversations that reach every rule's first state (where stopping one state
    too early would differ) and conversation starts."""
    lookup = policy.lookup[RULES]
    rule_states = [RulePolicy._rule_key_to_state(key) for key in lookup]
    conversations = [states for states in rule_states]
    for first in rule_states:
        for states in rule_states:
            conversations.append(first[:1] + states[1:])
            conversations.append(first + states)
    matched = 0
    for states in conversations:
        ours = policy._get_possible_keys(lookup, states)
        assert ours == RulePolicy._get_possible_keys(policy, lookup, states), states
        matched += bool(ours)
    assert 0 < matched < len(conversations)  # some made-up conversations match a rule, some none


def test_the_index_files_every_kind_of_last_state(policy):
    """Made-up rules whose last states ask for an action only, an intent only, both, neither,
    SHOULD_NOT_BE_SET, or are a conversation start: the same rules apply as with Rasa's walk."""
    import json

    from rasa.shared.core.constants import SHOULD_NOT_BE_SET

    listen = {"prev_action": {"action_name": "action_listen"}}
    last_states = [
        {**listen, "user": {"intent": "greet"}}, listen, {"prev_action": {"action_text": "hei"}, "user": {"intent": "greet"}},
        {"prev_action": {"action_name": "utter_x"}}, {**listen, "user": {"intent": SHOULD_NOT_BE_SET}},
        {"prev_action": {"action_name": SHOULD_NOT_BE_SET}, "user": {"intent": "bye"}}, {},
        {**listen, "user": {"intent": "bye"}, "slots": {"age": (1.0,)}},
    ]
    lookup = {json.dumps([{}, state]): "utter_answer" for state in last_states}
    lookup.update({json.dumps([state]): "utter_other" for state in last_states})
    conversations = [[{}, state] for state in last_states] + [[state] for state in last_states] + [
        [{}, {**listen, "user": {"intent": "greet", "text": "hei"}}], [{}, {"prev_action": {"action_name": "utter_x"}, "user": {"intent": "bye"}}],
        [{}, {**listen, "user": {"intent": "bye"}, "slots": {"age": (1.0,)}}], [{}, {**listen, "user": {"intent": "other"}}]]
    found = 0
    for states in conversations:
        ours = policy._get_possible_keys(lookup, states)
        assert ours == RulePolicy._get_possible_keys(policy, lookup, states), states
        found += len(ours)
    assert found > len(conversations)  # several rules apply to most of them


@pytest.mark.parametrize("use_text", [True, False], ids=["text", "intent"])
def test_the_same_states_as_rasas_replay(agent, policy, trackers, use_text):
    for tracker in trackers:  # one growing conversation: the kept replay is extended
        ours = policy._prediction_states(tracker, agent.domain, use_text)
        theirs = RulePolicy._prediction_states(policy, tracker, agent.domain, use_text)
        assert ours == theirs, tracker.events[-1]


def _rasas_states(tracker, domain):
    return domain.states_for_tracker_history(tracker)


def test_each_event_is_replayed_once_while_the_conversation_grows(agent, trackers, monkeypatch):
    replayed = []
    original = DialogueStateTracker.update
    monkeypatch.setattr(DialogueStateTracker, "update", lambda self, event, *a, **k: replayed.append(event) or original(self, event, *a, **k))
    states = IncrementalStates()
    for tracker in trackers:
        states.past_states(tracker, agent.domain, False)
    assert len(replayed) == len(trackers[-1].applied_events())  # not the sum over every prediction
    monkeypatch.setattr(DialogueStateTracker, "update", original)
    assert states.past_states(trackers[-1], agent.domain, False) == _rasas_states(trackers[-1], agent.domain)


def test_a_conversation_that_is_not_an_extension_is_replayed_from_the_start(agent, trackers):
    states = IncrementalStates()
    last = trackers[-1]
    states.past_states(last, agent.domain, False)
    slots = agent.domain.slots
    variants = {
        "rewound": DialogueStateTracker.from_events("s", list(last.events) + [UserUtteranceReverted()], slots),
        "new session": DialogueStateTracker.from_events("s", list(last.events) + [SessionStarted(), ActionExecuted("action_listen")], slots),
        "restarted": DialogueStateTracker.from_events("s", list(last.events) + [Restarted()], slots),
        "copied events": DialogueStateTracker.from_dict("s", [e.as_dict() for e in trackers[5].events], slots),
        "shorter": trackers[3],
        "other events": DialogueStateTracker.from_events("s", [ActionExecuted("action_listen"), UserUttered("hei", {"name": "greet"})], slots),
    }
    for name, tracker in variants.items():
        assert states.past_states(tracker, agent.domain, False) == _rasas_states(tracker, agent.domain), name
        assert states.past_states(last, agent.domain, False) == _rasas_states(last, agent.domain), name


def test_the_states_handed_out_are_copies(agent, trackers):
    states = IncrementalStates()
    first = states.past_states(trackers[-2], agent.domain, False)
    for state in first:
        for sub_state in state.values():
            sub_state.clear()
    assert states.past_states(trackers[-1], agent.domain, False) == _rasas_states(trackers[-1], agent.domain)


def test_kept_replays_are_bounded(agent):
    states = IncrementalStates(size=2)
    for sender in ("a", "b", "c"):
        tracker = DialogueStateTracker.from_events(sender, [ActionExecuted("action_listen"), UserUttered("hei", {"name": "greet"})],
                                                   agent.domain.slots)
        states.past_states(tracker, agent.domain, False)
    assert len(states) == 2
