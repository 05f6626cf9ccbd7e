"""The reliability and security summary: every test marked `@pytest.mark.reliability(area, check)` is a row,
with its outcome and the figures it recorded (`figures` fixture); the table is printed at the end of the run
and written to var/reliability/summary.md."""

from __future__ import annotations

from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

SUMMARY_FILE = Path(__file__).resolve().parents[2] / "var" / "reliability" / "summary.md"
FIGURES_KEY = pytest.StashKey["Figures"]()


@dataclass
class Figures:
    """What a check measured, shown in its row: `figures["messages"] = 10_000`."""

    values: dict[str, Any] = field(default_factory=dict)

    def __setitem__(self, name: str, value: Any) -> None:
        self.values[name] = value

    def __getitem__(self, name: str) -> Any:
        return self.values[name]

    def __str__(self) -> str:
        return ", ".join(f"{name}: {value}" for name, value in self.values.items())


@dataclass
class Row:
    area: str
    check: str
    outcome: str = "passed"
    figures: str = ""


ROWS: dict[str, Row] = {}


@pytest.fixture
def figures(request: pytest.FixtureRequest) -> Iterator[Figures]:
    recorded = Figures()
    request.node.stash[FIGURES_KEY] = recorded
    yield recorded


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
    outcome = yield
    marker = item.get_closest_marker("reliability")
    if marker is None:
        return
    report: pytest.TestReport = outcome.get_result()
    area, check = (str(arg) for arg in marker.args[:2])
    row = ROWS.setdefault(item.nodeid, Row(area, check))
    if report.failed:
        row.outcome = "FAILED" if report.when == "call" else f"ERROR ({report.when})"
    elif report.skipped and row.outcome == "passed":
        row.outcome = "skipped"
    recorded = item.stash.get(FIGURES_KEY, None)
    if recorded is not None:
        row.figures = str(recorded)


def summary_table(rows: list[Row]) -> str:
    lines = ["| Area | Check | Result | Figures |", "| --- | --- | --- | --- |"]
    lines += [f"| {r.area} | {r.check} | {r.outcome} | {r.figures} |" for r in rows]
    return "\n".join(lines)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not ROWS:
        return
    table = summary_table(list(ROWS.values()))
    SUMMARY_FILE.parent.mkdir(parents=True, exist_ok=True)
    SUMMARY_FILE.write_text(table + "\n", encoding="utf-8")
    terminalreporter.section("Reliability and security summary")
    terminalreporter.write_line(table)
