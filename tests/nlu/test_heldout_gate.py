"""The CI gate on understanding: macro-F1 on the held-out set, per language (`make nlu-gate`).

The held-out files next to this test were written apart from data/nlu/ and are never trained on;
`make eval` prints the full report (confusions, entities, language detection, dates).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from bot.evaluation import Example, Prediction, intent_report, load_examples, predict_heldout

HELDOUT = Path(__file__).parent
ROOT = HELDOUT.parent.parent
GATE = 0.90
LANGUAGES = ("fr", "pt")
MIN_EXAMPLES = 15

Results = dict[str, tuple[list[Example], list[Prediction]]]


def domain_intents() -> set[str]:
    intents: set[str] = set()
    for path in (ROOT / "domain").glob("*.yml"):
        intents.update(yaml.safe_load(path.read_text(encoding="utf-8")).get("intents") or [])
    return intents


@pytest.fixture(scope="module")
def results() -> Results:
    model = os.environ.get("RASA_MODEL")
    if not model:
        pytest.fail("RASA_MODEL is not set: run the gate with `make nlu-gate`")
    return predict_heldout(model, HELDOUT, LANGUAGES)


def test_heldout_set_is_not_in_the_training_data() -> None:
    training = {
        e.text.casefold() for path in (ROOT / "data" / "nlu").rglob("*.yml") for e in load_examples(path)
    }
    heldout = [e for lang in LANGUAGES for e in load_examples(HELDOUT / f"{lang}.yml")]
    leaked = [e.text for e in heldout if e.text.casefold() in training]
    assert leaked == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_heldout_set_covers_every_intent(lang: str) -> None:
    counts: dict[str, int] = dict.fromkeys(domain_intents(), 0)
    for example in load_examples(HELDOUT / f"{lang}.yml"):
        assert example.language == lang, example.text
        counts[example.intent] += 1
    assert {name: n for name, n in counts.items() if n < MIN_EXAMPLES} == {}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_macro_f1_meets_the_gate(lang: str, results: Results) -> None:
    examples, predictions = results[lang]
    report = intent_report([e.intent for e in examples], [p.intent for p in predictions])
    worst = sorted(report.per_intent.items(), key=lambda item: item[1].f1)[:5]
    assert report.macro_f1 >= GATE, f"{lang} macro-F1 {report.macro_f1:.3f}; worst: {worst}"
