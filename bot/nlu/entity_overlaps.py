"""NLU component: one entity per stretch of text.

DIET and the regex extractor both read the message, so `482130` can come out twice, and a postal-code
regex fires inside a Brazilian phone number. Where spans overlap, the regex match wins over the learned
one (its patterns are exact), then the longer span; the rest is dropped.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.training_data.message import Message

PREFERRED_EXTRACTOR = "RegexEntityExtractor"


def _rank(entity: dict[str, Any]) -> tuple[int, int, int]:
    length = int(entity["end"]) - int(entity["start"])
    return (entity.get("extractor") != PREFERRED_EXTRACTOR, -length, int(entity["start"]))


def resolve_overlaps(entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    kept: list[dict[str, Any]] = []
    for entity in sorted(entities, key=_rank):
        if all(entity["end"] <= other["start"] or other["end"] <= entity["start"] for other in kept):
            kept.append(entity)
    return sorted(kept, key=lambda entity: (entity["start"], entity["end"]))


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class EntityOverlapResolver(GraphComponent):
    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> EntityOverlapResolver:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            entities = message.get("entities") or []
            if len(entities) > 1:
                message.set("entities", resolve_overlaps(entities), add_to_output=True)
        return messages
