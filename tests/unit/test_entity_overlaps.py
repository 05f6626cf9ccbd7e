from __future__ import annotations

from typing import Any

from bot.nlu.entity_overlaps import resolve_overlaps


def entity(name: str, start: int, end: int, extractor: str = "DIETClassifier") -> dict[str, Any]:
    return {"entity": name, "start": start, "end": end, "value": "x", "extractor": extractor}


def test_the_regex_match_wins_over_the_same_span_learned() -> None:
    learned = entity("amount", 11, 17)
    regex = entity("customer_number", 11, 17, "RegexEntityExtractor")
    assert resolve_overlaps([learned, regex]) == [regex]


def test_a_span_inside_a_longer_one_is_dropped() -> None:
    phone = entity("phone", 5, 20, "RegexEntityExtractor")
    postal_code = entity("postal_code", 10, 15, "RegexEntityExtractor")
    assert resolve_overlaps([postal_code, phone]) == [phone]


def test_separate_spans_are_all_kept_in_text_order() -> None:
    amount, date = entity("amount", 20, 25), entity("date", 3, 5)
    assert resolve_overlaps([amount, date]) == [date, amount]
