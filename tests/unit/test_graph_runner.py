"""rasa_server/patches/graph_runner.py runs the trained model's graph exactly as Rasa's dask runner:
the same NLU results and the same next-action predictions, for every script message."""
from __future__ import annotations

import asyncio

import pytest
from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from cluster.local_assistant import latest_model
from rasa_server.patches.graph_runner import SequentialGraphRunner

MESSAGES = ["hei", "hva er et pakkeforløp?", "sønnen min på 14 sliter, hvem kan vi kontakte?",
            "når kan jeg ringe?", "jeg vil ikke leve lenger", "asdfgh", "når tømmes søpla?", "?!"]


def _agent(runner_class):
    import rasa.core.processor
    from rasa.core.agent import Agent

    original = rasa.core.processor.DaskGraphRunner
    rasa.core.processor.DaskGraphRunner = runner_class
    try:
        return Agent.load(str(latest_model()))
    finally:
        rasa.core.processor.DaskGraphRunner = original


@pytest.fixture(scope="module")
def agents():
    return _agent(DaskGraphRunner), _agent(SequentialGraphRunner)


def test_the_server_loads_models_with_the_sequential_runner(agents):
    _, sequential = agents
    assert isinstance(sequential.processor.graph_runner, SequentialGraphRunner)


def test_nlu_results_are_the_same(agents):
    dask, sequential = agents

    async def both(text):
        return await dask.parse_message(text), await sequential.parse_message(text)

    for text in MESSAGES:
        theirs, ours = asyncio.run(both(text))
        assert ours == theirs, text


def test_next_action_predictions_are_the_same(agents):
    dask, sequential = agents
    for text in MESSAGES:
        parsed = asyncio.run(dask.parse_message(text))
        events = [ActionExecuted("action_listen"), UserUttered(text, parsed["intent"], parse_data=parsed)]
        for _ in range(3):  # the prediction after the user message, and after each action
            tracker = DialogueStateTracker.from_events("s", events, dask.domain.slots)
            theirs = dask.processor._predict_next_with_tracker(tracker)
            ours = sequential.processor._predict_next_with_tracker(tracker)
            assert (ours.max_confidence_index, ours.policy_name) == (theirs.max_confidence_index, theirs.policy_name)
            assert ours.probabilities == theirs.probabilities
            events.append(ActionExecuted(dask.domain.action_names_or_texts[theirs.max_confidence_index]))


def test_an_input_named_like_a_node_is_refused_as_by_dask(agents):
    _, sequential = agents
    runner = sequential.processor.graph_runner
    node = next(iter(runner._graph_schema.nodes))
    with pytest.raises(GraphRunError):
        runner.run(inputs={"__message__": node})
