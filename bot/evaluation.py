"""Measures a trained model on a held-out NLU file: intents, entities and language detection.

Used by `make eval` (bench/nlu_eval.py prints the figures and draws the charts) and by the CI gate
(tests/nlu/test_heldout_gate.py). Predictions go through the whole NLU pipeline, so a message that ends in
`nlu_fallback` counts as a miss: that is what the customer would get.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sklearn.metrics import precision_recall_fscore_support

from bot.nlu.message_inspector import example_language

# Entities the pipeline adds about the message as a whole, not spans of it.
MESSAGE_ENTITIES = frozenset({"detected_language", "channel_language", "input_issue"})


@dataclass(frozen=True)
class Span:
    entity: str
    start: int
    end: int


@dataclass(frozen=True)
class Example:
    text: str
    intent: str
    language: str
    entities: frozenset[Span]


@dataclass(frozen=True)
class Prediction:
    intent: str
    confidence: float
    entities: frozenset[Span]
    detected_language: str | None
    seconds: float = 0.0  # time the model took to parse the message


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    f1: float
    support: int


@dataclass
class IntentReport:
    accuracy: float
    macro_f1: float
    per_intent: dict[str, Scores]
    confusions: dict[str, Counter[str]]  # gold intent -> what it was mistaken for
    labels: list[str] = field(default_factory=list)


@dataclass
class EntityReport:
    micro: Scores
    per_entity: dict[str, Scores]


@dataclass
class LanguageReport:
    accuracy: float  # over every message; an undecided message counts as a miss
    decided: float  # share of messages the classifier was confident about
    accuracy_when_decided: float


def _span(text: str, entity: dict[str, Any]) -> Span:
    """The entity's span without the symbols at its edges: `50 €` and `50` are the same answer, since the
    whitespace tokenizer drops a lone currency sign and an extractor can only return whole tokens."""
    start, end = int(entity["start"]), int(entity["end"])
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not text[end - 1].isalnum():
        end -= 1
    return Span(entity["entity"], start, end)


def load_examples(path: Path) -> list[Example]:
    from rasa.shared.nlu.training_data.loading import load_data

    examples = []
    for message in load_data(str(path)).intent_examples:
        text = message.get("text")
        spans = frozenset(_span(text, e) for e in message.get("entities") or [])
        examples.append(Example(text, message.get("intent"), example_language(message) or "", spans))
    return examples


def prediction_from_parse(result: dict[str, Any]) -> Prediction:
    intent = result.get("intent") or {}
    entities = result.get("entities") or []
    text = result.get("text") or ""
    spans = frozenset(_span(text, e) for e in entities if e["entity"] not in MESSAGE_ENTITIES)
    detected = next((e["value"] for e in entities if e["entity"] == "detected_language"), None)
    return Prediction(intent.get("name") or "", float(intent.get("confidence") or 0.0), spans, detected)


def predict(model_path: str, texts: Sequence[str]) -> list[Prediction]:
    """Parses every text with the model, through Rasa's own message processing."""
    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # Rasa logs every parse at debug level otherwise
    agent = Agent.load(model_path)

    async def parse(text: str) -> Prediction:
        started = time.perf_counter()
        result = await agent.parse_message(text)
        return dataclasses.replace(prediction_from_parse(result), seconds=time.perf_counter() - started)

    async def parse_all() -> list[Prediction]:
        return [await parse(text) for text in texts]

    return asyncio.run(parse_all())


def predict_heldout(
    model_path: str, directory: Path, languages: Sequence[str]
) -> dict[str, tuple[list[Example], list[Prediction]]]:
    """`<directory>/<language>.yml` for each language, with the model's prediction for every example."""
    examples = {language: load_examples(directory / f"{language}.yml") for language in languages}
    predictions = predict(model_path, [e.text for language in languages for e in examples[language]])
    results, offset = {}, 0
    for language in languages:
        count = len(examples[language])
        results[language] = (examples[language], predictions[offset : offset + count])
        offset += count
    return results


def _scores(precision: float, recall: float, f1: float, support: int) -> Scores:
    return Scores(round(float(precision), 4), round(float(recall), 4), round(float(f1), 4), int(support))


def intent_report(gold: Sequence[str], predicted: Sequence[str]) -> IntentReport:
    labels = sorted(set(gold))
    precision, recall, f1, support = precision_recall_fscore_support(
        gold, predicted, labels=labels, zero_division=0
    )
    rows = zip(labels, precision, recall, f1, support, strict=True)
    per_intent = {label: _scores(p, r, f, s) for label, p, r, f, s in rows}
    confusions: dict[str, Counter[str]] = {}
    for want, got in zip(gold, predicted, strict=True):
        if want != got:
            confusions.setdefault(want, Counter())[got] += 1
    hits = sum(want == got for want, got in zip(gold, predicted, strict=True))
    return IntentReport(
        accuracy=round(hits / len(gold), 4) if gold else 0.0,
        macro_f1=round(sum(s.f1 for s in per_intent.values()) / len(per_intent), 4) if per_intent else 0.0,
        per_intent=per_intent,
        confusions=confusions,
        labels=labels,
    )


def _f1(true_positives: int, predicted: int, gold: int) -> Scores:
    precision = true_positives / predicted if predicted else 0.0
    recall = true_positives / gold if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return _scores(precision, recall, f1, gold)


def entity_report(gold: Iterable[frozenset[Span]], predicted: Iterable[frozenset[Span]]) -> EntityReport:
    """Exact-span matching: a value one token short or long is a miss, as it would be for the action."""
    hits: Counter[str] = Counter()
    predicted_counts: Counter[str] = Counter()
    gold_counts: Counter[str] = Counter()
    for want, got in zip(gold, predicted, strict=True):
        relevant = {span for span in got if span.entity not in MESSAGE_ENTITIES}
        gold_counts.update(span.entity for span in want)
        predicted_counts.update(span.entity for span in relevant)
        hits.update(span.entity for span in want & relevant)
    names = sorted(set(gold_counts) | set(predicted_counts))
    per_entity = {name: _f1(hits[name], predicted_counts[name], gold_counts[name]) for name in names}
    micro = _f1(sum(hits.values()), sum(predicted_counts.values()), sum(gold_counts.values()))
    return EntityReport(micro=micro, per_entity=per_entity)


def language_report(gold: Sequence[str], detected: Sequence[str | None]) -> LanguageReport:
    decided = [(want, got) for want, got in zip(gold, detected, strict=True) if got is not None]
    correct = sum(want == got for want, got in decided)
    return LanguageReport(
        accuracy=round(correct / len(gold), 4) if gold else 0.0,
        decided=round(len(decided) / len(gold), 4) if gold else 0.0,
        accuracy_when_decided=round(correct / len(decided), 4) if decided else 0.0,
    )
