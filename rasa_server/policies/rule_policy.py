"""Rasa's RulePolicy, finding the same rules without walking the whole conversation.

To find the rules that apply, RulePolicy goes back through every state of the conversation,
filtering the rule set at each, although a rule only constrains as many states as it is long:
beyond the longest rule every remaining rule stays applicable. It does this twice per
prediction (text, then intent) and twice or more per message, at a cost that grows with the conversation (docs/performance.md).
Here the walk stops after the longest rule, and at the latest state only the rules whose last
state asks for that state's previous action and intent (or for neither) are checked, found
through an index (LastStateIndex).

Before matching, RulePolicy turns the conversation into states by replaying every event from
the start, at each prediction and again for the text and the intent variant. The
states before an action never change once the action is in the conversation, so they are kept
per conversation (IncrementalStates) and only the events since are replayed; whenever the
conversation is not an extension of the kept one (another tracker object, a rewind, a new
session), everything is replayed as Rasa does. Training and the rules are Rasa's, and the same
rules and states come out (tests/unit/test_rule_policy.py compares both with Rasa's code).
"""
from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Dict, FrozenSet, List, Optional, Set, Text, Tuple

from rasa.core.policies.rule_policy import RulePolicy
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.core.constants import PREVIOUS_ACTION, SHOULD_NOT_BE_SET, USER
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Event
from rasa.shared.core.generator import State
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import ACTION_NAME, INTENT

Requirement = Tuple[Optional[Text], Optional[Text]]  # (previous action, intent); None: any


class LastStateIndex:
    """The rules of a lookup by what their last state asks of the previous action and the
    intent. Rasa's check fails a rule whose state asks for a value the conversation's state
    lacks, so only the rules filed under the state's own values (or under "any") can pass.
    Rules whose last state is a conversation start are always candidates: Rasa's check passes
    them without comparing anything when the conversation's state is a start too."""

    def __init__(self, lookup_keys: FrozenSet[Text]) -> None:
        self.keys = lookup_keys
        self.always: List[Text] = []
        self.by_requirement: Dict[Requirement, List[Text]] = {}
        self.longest_rule = 0
        for key in lookup_keys:
            states = RulePolicy._rule_key_to_state(key)
            self.longest_rule = max(self.longest_rule, len(states))
            last = states[-1]
            if not last.get(PREVIOUS_ACTION):
                self.always.append(key)
                continue
            requirement = (_required(last[PREVIOUS_ACTION].get(ACTION_NAME)), _required(last.get(USER, {}).get(INTENT)))
            self.by_requirement.setdefault(requirement, []).append(key)

    def candidates(self, state: State) -> Set[Text]:
        action = state.get(PREVIOUS_ACTION, {}).get(ACTION_NAME)
        intent = state.get(USER, {}).get(INTENT)
        found = set(self.always)
        for requirement in {(action, intent), (action, None), (None, intent), (None, None)}:
            found.update(self.by_requirement.get(requirement, ()))
        return found


def _required(value: object) -> Optional[Text]:
    """The value a rule's state insists on, as Rasa's check reads it; None: it insists on none
    that can be filed (unset, SHOULD_NOT_BE_SET, or not a plain name)."""
    if isinstance(value, str) and value and value != SHOULD_NOT_BE_SET:
        return value
    return None


KEPT_CONVERSATIONS = 500  # as the tracker cache (rasa_server/stores/tracker_store.py)
KEPT_IDLE_SECONDS = 15 * 60


@dataclass
class _Replay:
    domain: Domain
    omit_unset_slots: bool
    applied: List[Event]  # the applied events replayed so far
    tracker: DialogueStateTracker  # the replay after them
    states: List[State]  # the state before each ActionExecuted among them
    used: float


class IncrementalStates:
    """Domain.states_for_tracker_history without rule-only handling, per conversation from
    where the last call left off. The states handed out are copies: the featurizer edits them."""

    def __init__(self, size: int = KEPT_CONVERSATIONS, idle_seconds: float = KEPT_IDLE_SECONDS) -> None:
        self._replays: "OrderedDict[Text, _Replay]" = OrderedDict()
        self._size, self._idle = size, idle_seconds

    def past_states(self, tracker: DialogueStateTracker, domain: Domain, omit_unset_slots: bool) -> List[State]:
        applied = tracker.applied_events()
        replay = self._replays.pop(tracker.sender_id, None)
        if replay is None or not self._extends(replay, applied, domain, omit_unset_slots):
            replay = _Replay(domain, omit_unset_slots, [], tracker.init_copy(), [], 0.0)
        for event in applied[len(replay.applied):]:
            if isinstance(event, ActionExecuted):
                replay.states.append(self._state(replay))
            replay.tracker.update(event)
        replay.applied, replay.used = applied, time.monotonic()
        self._keep(tracker.sender_id, replay)
        return [_copy(state) for state in replay.states] + [self._state(replay)]

    @staticmethod
    def _state(replay: _Replay) -> State:
        """Copied: the state shares dicts with the tracker (its latest action), which is kept."""
        domain = replay.domain
        return _copy(domain._clean_state(domain.get_active_state(replay.tracker, omit_unset_slots=replay.omit_unset_slots)))

    @staticmethod
    def _extends(replay: _Replay, applied: List[Event], domain: Domain, omit_unset_slots: bool) -> bool:
        kept = replay.applied
        return (replay.domain is domain and replay.omit_unset_slots == omit_unset_slots
                and len(kept) <= len(applied) and all(a is b for a, b in zip(kept, applied)))

    def _keep(self, sender_id: Text, replay: _Replay) -> None:
        self._replays[sender_id] = replay
        while self._replays and (len(self._replays) > self._size
                                 or replay.used - next(iter(self._replays.values())).used > self._idle):
            self._replays.popitem(last=False)

    def __len__(self) -> int:
        return len(self._replays)


def _copy(state: State) -> State:
    return {key: dict(sub_state) for key, sub_state in state.items()}


class _TrackerWithKeptStates:
    """The tracker as the featurizer sees it, with past_states served by IncrementalStates."""

    def __init__(self, tracker: DialogueStateTracker, states: IncrementalStates) -> None:
        self._tracker, self._states = tracker, states

    def past_states(self, domain: Domain, omit_unset_slots: bool = False, ignore_rule_only_turns: bool = False,
                    rule_only_data: Optional[Dict[Text, Any]] = None) -> List[State]:
        if ignore_rule_only_turns:  # not RulePolicy's case; Rasa's own replay
            return self._tracker.past_states(domain, omit_unset_slots, ignore_rule_only_turns, rule_only_data)
        return self._states.past_states(self._tracker, domain, omit_unset_slots)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._tracker, name)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True)
class FastRulePolicy(RulePolicy):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._incremental_states = IncrementalStates()
        self._last_state_indexes: Dict[int, LastStateIndex] = {}

    def _prediction_states(self, tracker: DialogueStateTracker, domain: Domain,
                           use_text_for_last_user_input: bool = False,
                           rule_only_data: Optional[Dict[Text, Any]] = None) -> List[State]:
        return super()._prediction_states(_TrackerWithKeptStates(tracker, self._incremental_states), domain,
                                          use_text_for_last_user_input, rule_only_data)

    def _get_possible_keys(self, lookup: Dict[Text, Text], states: List[State]) -> Set[Text]:
        index = self._index(lookup)
        possible_keys = set(lookup.keys())
        for turn_index, state in enumerate(reversed(states)):
            if turn_index >= index.longest_rule or not possible_keys:
                break  # Rasa's check passes every rule shorter than turn_index: nothing changes
            candidates = index.candidates(state) if turn_index == 0 else possible_keys
            possible_keys = {key for key in candidates if self._is_rule_applicable(key, turn_index, state)}
        return possible_keys

    def _index(self, lookup: Dict[Text, Text]) -> LastStateIndex:
        """The lookup's index, rebuilt whenever its keys change (training edits the lookup)."""
        index = self._last_state_indexes.get(id(lookup))
        if index is None or index.keys != lookup.keys():
            index = self._last_state_indexes[id(lookup)] = LastStateIndex(frozenset(lookup))
        return index
