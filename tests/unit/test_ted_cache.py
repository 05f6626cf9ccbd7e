"""bot/ted_cache.py's logic with a stand-in policy (tests/conversation/test_ted_cache.py checks it with the
trained TED): one computation per dialogue state, copies given out, end-to-end and text-reading
predictions never remembered, the least recently used state forgotten first."""

from __future__ import annotations

from typing import Any

from rasa.core.policies.policy import PolicyPrediction
from rasa.shared.nlu.constants import TEXT

from bot.ted_cache import PredictionMemory, remembering


class StandInTED:
    """What the memory reads of a TEDPolicy; a tracker is given as its list of states."""

    def __init__(self, fake_features: dict[str, Any] | None = None, end_to_end: bool = False) -> None:
        self.model = object()
        self.only_e2e = False
        self.fake_features = fake_features or {}
        self.end_to_end = end_to_end
        self.computed: list[list[dict[str, Any]]] = []

    def _prediction_states(self, tracker: Any, domain: Any, rule_only_data: Any = None) -> Any:
        return tracker


def compute(policy: StandInTED, tracker: Any, domain: Any, **kwargs: Any) -> PolicyPrediction:
    policy.computed.append(tracker)
    confidence = 0.1 * len(policy.computed)
    return PolicyPrediction(
        [confidence, 1 - confidence], "TEDPolicy", is_end_to_end_prediction=policy.end_to_end
    )


GREET = [{"user": {"intent": "greet"}, "prev_action": {"action_name": "action_listen"}}]
BALANCE = [{"user": {"intent": "ask_balance", "entities": ("customer_number",)}}]
predict: Any = remembering(compute)


def test_a_state_is_computed_once_and_given_as_a_copy() -> None:
    ted = StandInTED()
    first = predict(ted, GREET, None)
    first.probabilities[0] = 99.0  # the ensemble may change what it gets
    again = predict(ted, [dict(GREET[0])], None)
    other = predict(ted, BALANCE, None)
    assert ted.computed == [GREET, BALANCE]
    assert again.probabilities == [0.1, 0.9] and again.policy_name == "TEDPolicy"
    assert other.probabilities == [0.2, 0.8]


def test_predictions_that_read_texts_are_not_remembered() -> None:
    reads_texts = StandInTED(fake_features={TEXT: []})
    end_to_end = StandInTED(end_to_end=True)
    for ted in (reads_texts, end_to_end):
        predict(ted, GREET, None)
        predict(ted, GREET, None)
        assert len(ted.computed) == 2


def test_the_least_recently_used_state_goes_first() -> None:
    memory = PredictionMemory(capacity=2)
    prediction = PolicyPrediction([1.0], "TEDPolicy")
    memory.put("a", prediction)
    memory.put("b", prediction)
    assert memory.get("a") is prediction  # "b" is now the least recently used
    memory.put("c", prediction)
    assert memory.get("b") is None
    assert memory.get("a") is prediction and memory.get("c") is prediction
