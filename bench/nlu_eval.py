"""Measure the trained model on the held-out set (tests/nlu/*.yml), per language, and draw the charts.

    .venv/bin/python -m bench.nlu_eval --model models/billing-<fingerprint>.tar.gz [--out var/eval] [--misses]

Prints intent accuracy, macro-F1, the worst intents with what they were mistaken for, entity F1, language
detection and the date resolver next to dateparser; writes confusion-matrix pictures and a per-intent
F1 chart.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import warnings
from collections import Counter
from pathlib import Path

from bench.dates import score_cases
from bot.evaluation import (
    EntityReport,
    IntentReport,
    entity_report,
    intent_report,
    language_report,
    predict_heldout,
)

ROOT = Path(__file__).resolve().parent.parent
HELDOUT = ROOT / "tests" / "nlu"
LANGUAGES = ("fr", "pt")
WORST = 6


def _percent(value: float) -> str:
    return f"{100 * value:5.1f}%"


def print_intents(report: IntentReport) -> None:
    print(f"  intent accuracy {_percent(report.accuracy)}   macro-F1 {report.macro_f1:.3f}")
    worst = sorted(report.per_intent.items(), key=lambda item: (item[1].f1, item[0]))[:WORST]
    print("  worst intents        F1    P      R     mistaken for")
    for name, scores in worst:
        confused = report.confusions.get(name, Counter()).most_common(3)
        mistakes = ", ".join(f"{got} ×{n}" for got, n in confused) or "-"
        print(f"    {name:<22} {scores.f1:.2f}  {scores.precision:.2f}  {scores.recall:.2f}   {mistakes}")


def print_entities(report: EntityReport) -> None:
    micro = report.micro
    print(
        f"  entity F1 (exact span) {micro.f1:.3f}  P {micro.precision:.2f} R {micro.recall:.2f}"
        f"  n={micro.support}"
    )
    cells = [f"{name} {scores.f1:.2f} (n={scores.support})" for name, scores in report.per_entity.items()]
    for start in range(0, len(cells), 4):
        print("    " + "   ".join(cells[start : start + 4]))


def draw_confusion(
    report: IntentReport, gold: list[str], predicted: list[str], path: Path, title: str
) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import confusion_matrix

    labels = report.labels + sorted(set(predicted) - set(report.labels))
    matrix = confusion_matrix(gold, predicted, labels=labels)
    figure, axes = plt.subplots(figsize=(13, 11))
    axes.imshow(matrix, cmap="Blues")
    axes.set_xticks(range(len(labels)), labels, rotation=90, fontsize=7)
    axes.set_yticks(range(len(labels)), labels, fontsize=7)
    axes.set_xlabel("predicted")
    axes.set_ylabel("expected")
    axes.set_title(title)
    for row in range(len(labels)):
        for column in range(len(labels)):
            if matrix[row, column]:
                color = "white" if matrix[row, column] > matrix.max() / 2 else "black"
                axes.text(
                    column, row, str(matrix[row, column]), ha="center", va="center", fontsize=6, color=color
                )
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def draw_f1_chart(reports: dict[str, IntentReport], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = sorted({name for report in reports.values() for name in report.per_intent})
    figure, axes = plt.subplots(figsize=(10, 11))
    height = 0.8 / len(reports)
    for index, (language, report) in enumerate(sorted(reports.items())):
        values = [report.per_intent[name].f1 if name in report.per_intent else 0.0 for name in labels]
        positions = [row + index * height for row in range(len(labels))]
        axes.barh(positions, values, height=height, label=f"{language} (macro-F1 {report.macro_f1:.3f})")
    axes.set_yticks([row + height * (len(reports) - 1) / 2 for row in range(len(labels))], labels, fontsize=8)
    axes.invert_yaxis()
    axes.set_xlim(0, 1)
    axes.axvline(0.9, color="grey", linestyle="--", linewidth=0.8)
    axes.set_xlabel("F1 on the held-out set")
    axes.legend(loc="lower left")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "eval")
    parser.add_argument("--eval-dir", type=Path, default=ROOT / ".." / "shared" / "eval" / "dates")
    parser.add_argument("--misses", action="store_true", help="print every misclassified held-out message")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    logging.disable(logging.WARNING)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    args.out.mkdir(parents=True, exist_ok=True)

    results = predict_heldout(args.model, HELDOUT, LANGUAGES)
    examples = {lang: results[lang][0] for lang in LANGUAGES}
    predictions = {lang: results[lang][1] for lang in LANGUAGES}
    seconds = [p.seconds for lang in LANGUAGES for p in predictions[lang]]
    print(
        f"model {args.model}: {len(seconds)} held-out messages; parse time per message "
        f"median {1000 * statistics.median(seconds):.1f} ms, "
        f"p95 {1000 * statistics.quantiles(seconds, n=20)[-1]:.1f} ms"
    )
    reports: dict[str, IntentReport] = {}
    for lang in LANGUAGES:
        gold = [example.intent for example in examples[lang]]
        got = [prediction.intent for prediction in predictions[lang]]
        reports[lang] = report = intent_report(gold, got)
        print(f"\n[{lang}] {len(gold)} messages, {len(report.labels)} intents")
        print_intents(report)
        print_entities(
            entity_report((e.entities for e in examples[lang]), (p.entities for p in predictions[lang]))
        )
        language = language_report(
            [e.language for e in examples[lang]], [p.detected_language for p in predictions[lang]]
        )
        print(
            f"  language detection {_percent(language.accuracy)} of all messages; decided on "
            f"{_percent(language.decided)}, right on {_percent(language.accuracy_when_decided)} of those"
        )
        fallbacks = sum(p.intent == "nlu_fallback" for p in predictions[lang])
        print(f"  nlu_fallback on {fallbacks} messages")
        draw_confusion(report, gold, got, args.out / f"confusion_{lang}.png", f"Held-out intents ({lang})")
        if args.misses:
            for example, prediction in zip(examples[lang], predictions[lang], strict=True):
                if example.intent != prediction.intent:
                    print(
                        f"    {example.intent} -> {prediction.intent} "
                        f"({prediction.confidence:.2f}): {example.text}"
                    )

    dates = score_cases(args.eval_dir)
    print("\ndate resolver on the day-grain oracles (ours vs dateparser alone)")
    for lang, score in sorted(dates.by_language.items()):
        print(
            f"  [{lang}] {score.cases} cases: ours {_percent(score.ours / score.cases)}, "
            f"dateparser {_percent(score.dateparser / score.cases)}"
        )
    draw_f1_chart(reports, args.out / "intent_f1.png")
    names = ("confusion_fr", "confusion_pt", "intent_f1")
    print("\ncharts: " + ", ".join(str(args.out / f"{name}.png") for name in names))


if __name__ == "__main__":
    main()
