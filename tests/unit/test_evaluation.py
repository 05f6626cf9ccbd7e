from __future__ import annotations

from bot.evaluation import Span, entity_report, intent_report, language_report, prediction_from_parse


def test_intent_report_counts_fallback_as_a_miss_and_averages_over_expected_intents() -> None:
    gold = ["greet", "greet", "cancel_subscription", "deny"]
    got = ["greet", "nlu_fallback", "cancel_subscription", "cancel_subscription"]
    report = intent_report(gold, got)
    assert report.accuracy == 0.5
    assert report.labels == ["cancel_subscription", "deny", "greet"]
    assert report.per_intent["deny"].f1 == 0.0
    assert report.per_intent["cancel_subscription"].precision == 0.5
    assert report.per_intent["greet"].recall == 0.5
    # (2/3 + 0 + 2/3) / 3
    assert abs(report.macro_f1 - 0.4444) < 1e-4
    assert report.confusions["deny"]["cancel_subscription"] == 1
    assert report.confusions["greet"]["nlu_fallback"] == 1


def test_entity_report_matches_exact_spans_only() -> None:
    gold = [frozenset({Span("amount", 10, 14), Span("date", 20, 22)}), frozenset({Span("email", 0, 9)})]
    got = [frozenset({Span("amount", 10, 14), Span("date", 19, 22)}), frozenset({Span("phone", 0, 9)})]
    report = entity_report(gold, got)
    assert report.per_entity["amount"].f1 == 1.0
    assert report.per_entity["date"].f1 == 0.0
    assert report.per_entity["email"].recall == 0.0
    assert report.micro.support == 3
    # a span of a type never expected is still a false positive
    assert report.per_entity["phone"].precision == 0.0
    assert report.micro.precision == 0.3333


def test_language_report_separates_undecided_from_wrong() -> None:
    report = language_report(["fr", "fr", "pt", "pt"], ["fr", None, "fr", "pt"])
    assert report.accuracy == 0.5
    assert report.decided == 0.75
    assert report.accuracy_when_decided == 0.6667


def test_prediction_from_parse_keeps_spans_and_reads_the_detected_language() -> None:
    parsed = {
        "text": "vou pagar no pix",
        "intent": {"name": "make_payment", "confidence": 0.93},
        "entities": [
            {"entity": "payment_method", "start": 13, "end": 16, "value": "pix"},
            {"entity": "detected_language", "start": 0, "end": 16, "value": "pt"},
            {"entity": "channel_language", "start": 0, "end": 16, "value": "pt"},
        ],
    }
    prediction = prediction_from_parse(parsed)
    assert prediction.intent == "make_payment"
    assert prediction.entities == frozenset({Span("payment_method", 13, 16)})
    assert prediction.detected_language == "pt"


def test_spans_ignore_symbols_at_their_edges() -> None:
    parsed = {
        "text": "payer 50 € demain",
        "intent": {"name": "make_payment", "confidence": 0.9},
        "entities": [{"entity": "amount", "start": 6, "end": 10, "value": "50 €"}],
    }
    assert prediction_from_parse(parsed).entities == frozenset({Span("amount", 6, 8)})
