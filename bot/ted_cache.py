"""TED's predictions remembered by dialogue state, in each Rasa process (installed by `LocaleNLG`).

Rasa runs every policy for every action it predicts, two or three times per message. TED turns the last
`max_history` dialogue states (intents, entities, slots, the active form, previous actions) into tensors and
runs its transformer: py-spy on a Rasa instance under load put a fifth of its CPU there. Without end-to-end
training data (TED then has no text features), the prediction depends on those states only, and a
conversation's states come from a small set: the same states give the same prediction. So the first
prediction for a state is kept (at most `CAPACITY` states, least recently used first out) and given again.

A TED trained with texts (end-to-end stories) is left alone: its predictions read the message's words.
"""

from __future__ import annotations

import copy
import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from rasa.core.policies.policy import PolicyPrediction
from rasa.core.policies.ted_policy import TEDPolicy
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import TEXT

CAPACITY = 20_000
_ORIGINAL = "_billing_uncached_predict"

Predict = Callable[..., PolicyPrediction]


class PredictionMemory:
    """The predictions of one TED policy, by dialogue-state key, least recently used first out."""

    def __init__(self, capacity: int = CAPACITY) -> None:
        self._capacity = capacity
        self._entries: OrderedDict[str, PolicyPrediction] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> PolicyPrediction | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, key: str, remembered: PolicyPrediction) -> None:
        with self._lock:
            self._entries[key] = remembered
            self._entries.move_to_end(key)
            while len(self._entries) > self._capacity:
                self._entries.popitem(last=False)


def reads_only_states(policy: TEDPolicy) -> bool:
    """Whether the policy's prediction is a function of the dialogue states alone (no text features)."""
    fake_features = getattr(policy, "fake_features", None) or {}
    return policy.model is not None and not policy.only_e2e and TEXT not in fake_features


def state_key(
    policy: TEDPolicy, tracker: DialogueStateTracker, domain: Domain, rule_only_data: dict[str, Any] | None
) -> str:
    """The states TED featurizes for this prediction (Rasa's own helper, with TED's arguments)."""
    states = policy._prediction_states(tracker, domain, rule_only_data=rule_only_data)
    return json.dumps(states, sort_keys=True, default=sorted)


def memory_of(policy: TEDPolicy) -> PredictionMemory:
    memory: PredictionMemory | None = policy.__dict__.get("_billing_predictions")
    if memory is None:
        memory = policy.__dict__.setdefault("_billing_predictions", PredictionMemory())
    return memory


def own_copy(prediction: PolicyPrediction) -> PolicyPrediction:
    """A copy whose probabilities the ensemble may change without touching the remembered ones."""
    copied = copy.copy(prediction)
    copied.probabilities = list(prediction.probabilities)
    return copied


def remembering(predict: Predict) -> Predict:
    def predict_action_probabilities(
        self: TEDPolicy,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        if not reads_only_states(self):
            return predict(self, tracker, domain, rule_only_data=rule_only_data, **kwargs)
        key = state_key(self, tracker, domain, rule_only_data)
        memory = memory_of(self)
        found = memory.get(key)
        if found is None:
            prediction = predict(self, tracker, domain, rule_only_data=rule_only_data, **kwargs)
            if not (prediction.events or prediction.optional_events or prediction.is_end_to_end_prediction):
                memory.put(key, own_copy(prediction))
            return prediction
        return own_copy(found)

    return predict_action_probabilities


def install() -> None:
    """Wraps TEDPolicy.predict_action_probabilities (idempotent)."""
    if hasattr(TEDPolicy, _ORIGINAL):
        return
    original = TEDPolicy.predict_action_probabilities
    setattr(TEDPolicy, _ORIGINAL, original)
    TEDPolicy.predict_action_probabilities = remembering(original)
