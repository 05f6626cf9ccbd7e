"""bot/ted_cache.py with the trained model: for every action predicted in real conversations (the serving
benchmark's scripts, played against the running assistant, with its actions, forms and slots), TED's
remembered prediction is the one TED computes, and a state seen again is not computed again."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from rasa.core.agent import Agent, load_agent
from rasa.core.policies.ted_policy import TEDPolicy
from rasa.graph_components.providers.rule_only_provider import RuleOnlyDataProvider
from rasa.shared.core.events import ActionExecuted
from rasa.shared.core.trackers import DialogueStateTracker

from bench.load import BILLING_SCRIPTS
from bot import ted_cache
from tests.stack import Assistant


@pytest.fixture(scope="module")
def agent() -> Iterator[Agent]:
    # in a thread of its own: the browser tests' Playwright keeps an event loop running in this one
    with ThreadPoolExecutor(1) as thread:
        loaded = thread.submit(asyncio.run, load_agent(model_path=os.environ["RASA_MODEL"])).result()
    assert loaded.processor is not None
    yield loaded


def component(agent: Agent, kind: type) -> Any:
    assert agent.processor is not None
    runner: Any = agent.processor.graph_runner
    found = [
        node._component for node in runner._instantiated_nodes.values() if isinstance(node._component, kind)
    ]
    assert len(found) == 1, found
    return found[0]


def prediction_points(tracker: DialogueStateTracker, agent: Agent) -> Iterator[DialogueStateTracker]:
    """The tracker as it was before each action Rasa predicted (its events up to that action)."""
    assert agent.domain is not None
    events = list(tracker.events)
    for index, event in enumerate(events):
        if isinstance(event, ActionExecuted) and index > 0:
            yield DialogueStateTracker.from_events(tracker.sender_id, events[:index], agent.domain.slots)


def test_remembered_predictions_are_the_computed_ones(
    assistant: Assistant, agent: Agent, sender: str
) -> None:
    ted: TEDPolicy = component(agent, TEDPolicy)
    assert ted_cache.reads_only_states(ted), "TED reads texts: the memory would not be used"
    rule_only_data = component(agent, RuleOnlyDataProvider).provide()
    predict = getattr(TEDPolicy, "_billing_uncached_predict", TEDPolicy.predict_action_probabilities)
    computations = 0

    def counted(*args: Any, **kwargs: Any) -> Any:
        nonlocal computations
        computations += 1
        return predict(*args, **kwargs)

    remembering = ted_cache.remembering(counted)
    ted.__dict__.pop("_billing_predictions", None)

    points = 0
    for number, script in enumerate(BILLING_SCRIPTS):
        conversation = f"{sender}-{number}"
        for text in script.messages:
            assistant.send(conversation, text)
        tracker = DialogueStateTracker.from_dict(
            conversation, assistant.tracker(conversation)["events"], agent.domain.slots
        )
        for before_action in prediction_points(tracker, agent):
            computed = predict(ted, before_action, agent.domain, rule_only_data=rule_only_data)
            first = remembering(ted, before_action, agent.domain, rule_only_data=rule_only_data)
            again = remembering(ted, before_action, agent.domain, rule_only_data=rule_only_data)
            assert first.probabilities == computed.probabilities
            assert again.probabilities == computed.probabilities
            assert again.probabilities is not first.probabilities
            points += 1

    assert points > 100
    # Of the two calls per point, the second is always remembered, and states recur across conversations.
    assert computations < points
