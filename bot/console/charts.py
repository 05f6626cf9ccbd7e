"""Accessible inline SVG charts of the supervisor dashboard: no script, no external library, no text of
their own.

Every text (titles, descriptions, day labels, units, formatted values) comes from the caller, from the
locale files, and is XML-escaped here. A chart is `<svg role="img">` named by its `<title>` and described by
its `<desc>`, which also lists every value ("label: value; ..."), so that a screen reader gets the data, not
only the shape; each bar or point also has its own `<title>` (a tooltip on hover). The viewBox is fixed and
the SVG takes the width of its container. Colours are presentation attributes (no `style`, which the
console's Content-Security-Policy refuses); the classes `chart-bar`, `chart-line`, `chart-dot`,
`chart-grid` and `chart-text` let a style sheet override them.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date

from bot.handoff.stats import DayStats

Point = tuple[str, float | None]  # (label, value); None: no data that day, drawn as a gap
ValueFormat = Callable[[float], str]
NumberFormat = Callable[[float, int], str]  # (value, decimals) -> text in the reader's language

WIDTH, HEIGHT = 640, 280
LEFT, RIGHT, TOP, BOTTOM = 64, 12, 28, 40
PLOT_WIDTH, PLOT_HEIGHT = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
BASELINE = TOP + PLOT_HEIGHT
MAX_BAR_WIDTH = 56
MAX_AXIS_LABELS = 12  # beyond, only every n-th point gets its label under the axis
MAX_VALUE_LABELS = 16  # beyond, values are only in the titles and the description
NO_DATA = "—"
BAR_COLOUR, LINE_COLOUR = "#1f5fa8", "#1f5fa8"  # 6.6:1 against white

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def bar_chart(
    points: Sequence[Point],
    *,
    title: str,
    description: str,
    value_format: ValueFormat,
    maximum: float | None = None,
    no_data: str = NO_DATA,
) -> str:
    """One bar per point, from 0 up to the highest value (or `maximum`, when higher): the highest bar
    takes the full height. A None value draws no bar; its title and the description say `no_data`.
    Values must be finite and not negative (ValueError)."""
    chart = _Chart(points, title, description, value_format, maximum, no_data)
    parts = []
    for index, (label, value) in enumerate(chart.points):
        shapes = ""
        if value is not None:
            height = chart.height(value)
            width = min(chart.slot * 0.7, MAX_BAR_WIDTH)
            x = chart.centre(index) - width / 2
            shapes = (
                f'<rect class="chart-bar" x="{_n(x)}" y="{_n(BASELINE - height)}" width="{_n(width)}"'
                f' height="{_n(height)}" fill="{BAR_COLOUR}"/>'
            ) + chart.value_label(index, value, BASELINE - height)
        parts.append(chart.point_group(index, label, value, shapes))
    return chart.svg("".join(parts))


def line_chart(
    points: Sequence[Point],
    *,
    title: str,
    description: str,
    value_format: ValueFormat,
    maximum: float | None = None,
    no_data: str = NO_DATA,
) -> str:
    """A line through the points with a dot on each, from 0 up to the highest value (or `maximum`, when
    higher). A None value breaks the line (a gap) and has no dot; its title and the description say
    `no_data`. Values must be finite and not negative (ValueError)."""
    chart = _Chart(points, title, description, value_format, maximum, no_data)
    runs: list[list[str]] = []
    parts = []
    previous: float | None = None
    for index, (label, value) in enumerate(chart.points):
        shapes = ""
        if value is not None:
            x, y = chart.centre(index), BASELINE - chart.height(value)
            if previous is None:
                runs.append([])
            runs[-1].append(f"{_n(x)},{_n(y)}")
            shapes = (
                f'<circle class="chart-dot" cx="{_n(x)}" cy="{_n(y)}" r="3.5" fill="{LINE_COLOUR}"/>'
                + chart.value_label(index, value, y - 4)
            )
        parts.append(chart.point_group(index, label, value, shapes))
        previous = value
    path = " ".join("M" + " L".join(run) for run in runs if len(run) > 1)
    line = (
        f'<path class="chart-line" d="{path}" fill="none" stroke="{LINE_COLOUR}" stroke-width="2"'
        ' stroke-linejoin="round"/>'
        if path
        else ""
    )
    return chart.svg(line + "".join(parts))


def dashboard_charts(
    days: Sequence[DayStats],
    labels: Mapping[str, str],
    day_label: Callable[[date], str],
    *,
    number: NumberFormat | None = None,
) -> list[tuple[str, str]]:
    """The dashboard's charts as (title, svg), in this order: handoffs created per day (bars), share of
    conversations solved without a human (line, percent), median waiting time in minutes (line), average
    satisfaction (bars on the 1–5 scale). The title is plain text: the caller escapes it like any text.

    `labels` must hold (KeyError otherwise):
      - "handoffs", "handoffs_description": the first chart's title and description;
      - "solved_without_human", "solved_without_human_description";
      - "waiting_time", "waiting_time_description";
      - "satisfaction", "satisfaction_description";
      - "no_data": said of a day without data (e.g. "no data");
      - "percent", "minutes", "rating": patterns of a value holding "{value}" (e.g. "{value} %",
        "{value} min", "{value} / 5"; ValueError without it).
    `day_label` names a day under the axis and in the titles (e.g. "Mon 9"). `number(value, decimals)`
    writes a number in the reader's language (default: "1234.5"; pass e.g. Babel's `format_decimal`).
    """
    missing = sorted(set(LABEL_KEYS) - set(labels))
    if missing:
        raise KeyError(f"missing chart labels: {', '.join(missing)}")
    write_number = number or _plain_number

    def pattern(key: str, decimals: int, scale: float = 1.0) -> ValueFormat:
        template = labels[key]
        if "{value}" not in template:
            raise ValueError(f"the label {key!r} must hold {{value}}")
        return lambda value: template.replace("{value}", write_number(value * scale, decimals))

    def chart(
        draw: Callable[..., str],
        key: str,
        value: Callable[[DayStats], float | None],
        value_format: ValueFormat,
        maximum: float | None = None,
    ) -> tuple[str, str]:
        svg = draw(
            [(day_label(stats.day), value(stats)) for stats in days],
            title=labels[key],
            description=labels[f"{key}_description"],
            value_format=value_format,
            maximum=maximum,
            no_data=labels["no_data"],
        )
        return labels[key], svg

    return [
        chart(bar_chart, "handoffs", lambda stats: stats.created, lambda value: write_number(value, 0)),
        chart(
            line_chart,
            "solved_without_human",
            lambda stats: stats.solved_without_human,
            pattern("percent", 0, scale=100.0),
            maximum=1.0,
        ),
        chart(line_chart, "waiting_time", lambda stats: stats.median_wait_minutes, pattern("minutes", 1)),
        chart(
            bar_chart,
            "satisfaction",
            lambda stats: stats.average_satisfaction,
            pattern("rating", 1),
            maximum=5.0,
        ),
    ]


LABEL_KEYS = (
    "handoffs",
    "handoffs_description",
    "solved_without_human",
    "solved_without_human_description",
    "waiting_time",
    "waiting_time_description",
    "satisfaction",
    "satisfaction_description",
    "no_data",
    "percent",
    "minutes",
    "rating",
)


# -- drawing ---------------------------------------------------------------------------------------------
class _Chart:
    """What bars and lines share: the checked points, the scale, the frame, the texts."""

    def __init__(
        self,
        points: Sequence[Point],
        title: str,
        description: str,
        value_format: ValueFormat,
        maximum: float | None,
        no_data: str,
    ) -> None:
        for _, value in points:
            if value is not None and not (math.isfinite(value) and value >= 0):
                raise ValueError(f"chart values must be finite and not negative, not {value!r}")
        if maximum is not None and not (math.isfinite(maximum) and maximum > 0):
            raise ValueError("maximum must be finite and positive")
        self.points = list(points)
        self.title, self.description = title, description
        self.value_format, self.no_data = value_format, no_data
        values = [value for _, value in self.points if value is not None]
        self.top = max([*values, maximum or 0.0], default=0.0)  # the value drawn at full height
        self.slot = PLOT_WIDTH / max(len(self.points), 1)
        self.axis_step = math.ceil(len(self.points) / MAX_AXIS_LABELS) if self.points else 1
        digest = hashlib.sha256(repr((title, description, self.points)).encode()).hexdigest()[:10]
        self.id = f"chart-{digest}"

    def height(self, value: float) -> float:
        return PLOT_HEIGHT * value / self.top if self.top > 0 else 0.0

    def centre(self, index: int) -> float:
        return LEFT + (index + 0.5) * self.slot

    def value_text(self, value: float | None) -> str:
        return self.no_data if value is None else self.value_format(value)

    def value_label(self, index: int, value: float, bottom: float) -> str:
        if len(self.points) > MAX_VALUE_LABELS:
            return ""
        return _text_element(self.value_format(value), self.centre(index), bottom - 4, "middle")

    def point_group(self, index: int, label: str, value: float | None, shapes: str) -> str:
        axis_label = ""
        if index % self.axis_step == 0:
            axis_label = _text_element(label, self.centre(index), BASELINE + 18, "middle")
        tooltip = f"{label}: {self.value_text(value)}"
        return f'<g class="chart-point"><title>{_escape(tooltip)}</title>{shapes}{axis_label}</g>'

    def svg(self, body: str) -> str:
        data = "; ".join(f"{label}: {self.value_text(value)}" for label, value in self.points)
        description = f"{self.description} {data}" if data else self.description
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%"'
            f' preserveAspectRatio="xMidYMid meet" aria-labelledby="{self.id}-title {self.id}-desc"'
            ' font-family="system-ui, sans-serif" font-size="12">'
            f'<title id="{self.id}-title">{_escape(self.title)}</title>'
            f'<desc id="{self.id}-desc">{_escape(description)}</desc>'
            f"{self._grid()}{body}</svg>"
        )

    def _grid(self) -> str:
        lines = [(BASELINE, 0.0)]
        if self.top > 0:
            lines.append((TOP, self.top))
        parts = []
        for y, value in lines:
            parts.append(
                f'<line class="chart-grid" x1="{LEFT}" y1="{_n(y)}" x2="{WIDTH - RIGHT}" y2="{_n(y)}"'
                ' stroke="currentColor" stroke-opacity="0.35"/>'
            )
            parts.append(_text_element(self.value_format(value), LEFT - 6, y + 4, "end"))
        return "".join(parts)


def _text_element(text: str, x: float, y: float, anchor: str) -> str:
    return (
        f'<text class="chart-text" x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}" fill="currentColor">'
        f"{_escape(text)}</text>"
    )


def _escape(text: str) -> str:
    """Text as XML character data or attribute value: characters XML cannot hold are dropped."""
    cleaned = _NOT_XML.sub("", text)
    return (
        cleaned.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&apos;")
    )


def _n(value: float) -> str:
    """A coordinate, to two decimals at most."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _plain_number(value: float, decimals: int) -> str:
    return f"{value:.{decimals}f}"
