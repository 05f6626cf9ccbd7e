"""Benchmark bot.dates against external day-grain oracles (Duckling and Recognizers-Text corpora).

    .venv/bin/python -m bench.dates [--eval-dir ../shared/eval/dates] [--misses]

The oracle files are read in place (see their README.md); nothing from them is copied into the project.
Each case is scored against its own reference date, for our resolver and for dateparser alone.
"""

from __future__ import annotations

import argparse
import json
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import dateparser

from bot.dates import resolve_date

ROOT = Path(__file__).resolve().parent.parent
DUCKLING_REFERENCE = date(2013, 2, 12)  # 2013-02-12T04:30:00 UTC-2, per the oracles' README
LANGS = {"FR": "fr", "PT": "pt", "French": "fr", "Portuguese": "pt"}


@dataclass(frozen=True)
class Case:
    source: str
    language: str
    text: str
    reference: date
    future: date
    past: date | None  # None when the oracle gives no separate past reading


def duckling_cases(eval_dir: Path) -> Iterator[Case]:
    path = eval_dir / "duckling" / "duckling_time_fr_pt.jsonl"
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            if row.get("kind") != "datetime" or row.get("grain") != "Day" or row.get("lang") not in LANGS:
                continue
            expected = date.fromisoformat(row["value"][:10])
            yield Case("duckling", LANGS[row["lang"]], row["text"], DUCKLING_REFERENCE, expected, None)


def _reference(row: dict[str, Any]) -> date | None:
    ref = (row.get("Context") or {}).get("ReferenceDateTime")
    return date.fromisoformat(ref[:10]) if ref else None


def _is_iso_day(value: object) -> bool:
    try:
        date.fromisoformat(str(value)[:10])
    except ValueError:
        return False
    return True


def recognizers_cases(eval_dir: Path) -> Iterator[Case]:
    folder = eval_dir / "recognizers-text"
    for path in sorted(folder.glob("*DateParser.json")) + sorted(folder.glob("*DateTimeModel.json")):
        language = LANGS.get(path.name.split("_")[0])
        if language is None:
            continue
        source = "rt-" + path.stem.split("_")[1]
        for row in json.loads(path.read_text(encoding="utf-8-sig")):
            reference, results = _reference(row), row.get("Results") or []
            if reference is None or len(results) != 1:
                continue
            result = results[0]
            if source == "rt-DateParser":
                value = result.get("Value") or {}
                future = (value.get("FutureResolution") or {}).get("date")
                past = (value.get("PastResolution") or {}).get("date")
                if result.get("Type") != "date" or not future:
                    continue
                yield Case(
                    source, language, row["Input"], reference, date.fromisoformat(future),
                    date.fromisoformat(past) if past else None,
                )  # fmt: skip
            else:
                values = (result.get("Resolution") or {}).get("values") or []
                if result.get("TypeName") != "datetimeV2.date" or not values:
                    continue
                if any(v.get("type") != "date" or not _is_iso_day(v.get("value")) for v in values):
                    continue
                days = sorted(date.fromisoformat(v["value"][:10]) for v in values)
                yield Case(
                    source, language, row["Input"], reference, days[-1], days[0] if len(days) > 1 else None
                )


def dateparser_alone(case: Case) -> date | None:
    settings = {
        "RELATIVE_BASE": datetime(case.reference.year, case.reference.month, case.reference.day),
        "PREFER_DATES_FROM": "future",
    }
    try:
        parsed = dateparser.parse(case.text, languages=[case.language], settings=settings)
    except Exception:
        return None
    return parsed.date() if parsed else None


@dataclass
class Score:
    cases: int = 0
    ours: int = 0
    ours_none: int = 0
    ours_wrong: int = 0
    dateparser: int = 0
    past_cases: int = 0
    past_ours: int = 0

    def line(self, label: str) -> str:
        def pct(n: int, d: int) -> str:
            return f"{100 * n / d:5.1f}%" if d else "    -"

        past = f"{self.past_ours:>3}/{self.past_cases:<3} {pct(self.past_ours, self.past_cases)}"
        return (
            f"{label:<22} {self.cases:>5}  {self.ours:>4} {pct(self.ours, self.cases)}  "
            f"{self.dateparser:>4} {pct(self.dateparser, self.cases)}  "
            f"{self.ours_none:>5} {self.ours_wrong:>5}   {past}"
        )


@dataclass
class Scoring:
    by_source: dict[tuple[str, str], Score] = field(default_factory=dict)
    by_language: dict[str, Score] = field(default_factory=dict)
    misses: list[str] = field(default_factory=list)


def score_cases(eval_dir: Path, collect_misses: bool = False) -> Scoring:
    """Scores our resolver and dateparser on every day-grain case, per (source, language) and per language."""
    scoring = Scoring()
    for case in [*duckling_cases(eval_dir), *recognizers_cases(eval_dir)]:
        ours = resolve_date(case.text, case.language, case.reference, prefer="future")
        theirs = dateparser_alone(case)
        past = resolve_date(case.text, case.language, case.reference, prefer="past") if case.past else None
        for score in (
            scoring.by_source.setdefault((case.source, case.language), Score()),
            scoring.by_language.setdefault(case.language, Score()),
        ):
            score.cases += 1
            score.ours += ours is not None and ours.value == case.future
            score.ours_none += ours is None
            score.ours_wrong += ours is not None and ours.value != case.future
            score.dateparser += theirs == case.future
            if case.past is not None:
                score.past_cases += 1
                score.past_ours += past is not None and past.value == case.past
        if collect_misses and (ours is None or ours.value != case.future):
            got = f"{ours.value} ({ours.kind}, {ours.text!r})" if ours else "None"
            scoring.misses.append(
                f"{case.source:<15} {case.language} ref={case.reference} want={case.future} "
                f"got={got}: {case.text!r}"
            )
    return scoring


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval-dir", type=Path, default=ROOT / ".." / "shared" / "eval" / "dates")
    parser.add_argument("--misses", action="store_true", help="print the cases our resolver gets wrong")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    started = time.monotonic()

    scoring = score_cases(args.eval_dir, collect_misses=args.misses)
    cases = sum(score.cases for score in scoring.by_language.values())
    header = (
        f"{'source / language':<22} {'cases':>5}  {'ours':>10}  {'dateparser':>10}  "
        f"{'none':>5} {'wrong':>5}   past (ours)"
    )
    print(header)
    print("-" * len(header))
    for (source, language), score in sorted(scoring.by_source.items()):
        print(score.line(f"{source} {language}"))
    print("-" * len(header))
    for language, score in sorted(scoring.by_language.items()):
        print(score.line(f"all {language}"))
    print(
        f"\n{cases} cases in {time.monotonic() - started:.1f}s (future preference; "
        "'past' column: cases with a"
    )
    print(
        "distinct past reading, resolved with prefer='past'; "
        "'none' = we returned nothing, 'wrong' = other date)"
    )
    if scoring.misses:
        print("\n".join(["", *scoring.misses]))


if __name__ == "__main__":
    main()
