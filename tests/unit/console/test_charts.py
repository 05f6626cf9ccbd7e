"""The dashboard's SVG charts: well-formed, accessible, escaped, and to scale."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import date, timedelta

import pytest

from bot.console.charts import (
    BASELINE,
    LABEL_KEYS,
    PLOT_HEIGHT,
    TOP,
    bar_chart,
    dashboard_charts,
    line_chart,
)
from bot.handoff.stats import DayStats

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = "<script>alert(\"x\")</script> & 'co'"


def plain(value: float) -> str:
    return f"{value:g}"


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    return root


def bars(root: ET.Element) -> list[ET.Element]:
    return [rect for rect in root.iter(f"{SVG}rect") if rect.get("class") == "chart-bar"]


def point_titles(root: ET.Element) -> list[str]:
    return [str(group.findtext(f"{SVG}title")) for group in root.iter(f"{SVG}g")]


def test_a_bar_chart_is_an_accessible_image_with_one_bar_per_point() -> None:
    points = [("Mon 9", 3.0), ("Tue 10", 12.0), ("Wed 11", 6.0), ("Thu 12", 0.0)]
    root = parse(bar_chart(points, title="Handoffs", description="Handoffs per day.", value_format=plain))
    assert root.get("role") == "img"
    assert root.get("width") == "100%" and root.get("viewBox") == "0 0 640 280"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and title.text == "Handoffs"
    assert desc is not None and desc.text == "Handoffs per day. Mon 9: 3; Tue 10: 12; Wed 11: 6; Thu 12: 0"
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert list(root)[:2] == [title, desc]  # the accessible name comes first
    assert len(bars(root)) == 4
    assert point_titles(root) == ["Mon 9: 3", "Tue 10: 12", "Wed 11: 6", "Thu 12: 0"]
    texts = [text.text for text in root.iter(f"{SVG}text")]
    assert {"Mon 9", "Thu 12", "12", "6"} <= set(texts)  # day labels and values, as text


def test_the_highest_bar_takes_the_full_height_and_the_others_their_share() -> None:
    root = parse(
        bar_chart([("a", 2.0), ("b", 8.0), ("c", 6.0)], title="t", description="d", value_format=plain)
    )
    heights = [float(str(rect.get("height"))) for rect in bars(root)]
    assert heights == [PLOT_HEIGHT / 4, PLOT_HEIGHT, PLOT_HEIGHT * 3 / 4]
    for rect, height in zip(bars(root), heights, strict=True):  # standing on the baseline
        assert float(str(rect.get("y"))) + height == pytest.approx(BASELINE)
    xs = [float(str(rect.get("x"))) for rect in bars(root)]
    assert xs == sorted(xs) and len(set(xs)) == 3


def test_a_fixed_maximum_sets_the_scale_unless_a_value_exceeds_it() -> None:
    root = parse(
        bar_chart([("a", 2.5), ("b", 5.0)], title="t", description="d", value_format=plain, maximum=5.0)
    )
    assert [float(str(rect.get("height"))) for rect in bars(root)] == [PLOT_HEIGHT / 2, PLOT_HEIGHT]
    root = parse(bar_chart([("a", 1.0)], title="t", description="d", value_format=plain, maximum=4.0))
    assert [float(str(rect.get("height"))) for rect in bars(root)] == [PLOT_HEIGHT / 4]
    root = parse(bar_chart([("a", 8.0)], title="t", description="d", value_format=plain, maximum=4.0))
    assert [float(str(rect.get("height"))) for rect in bars(root)] == [PLOT_HEIGHT]


def test_a_missing_value_is_a_gap_said_as_no_data() -> None:
    points = [("a", 1.0), ("b", None), ("c", 4.0)]
    root = parse(bar_chart(points, title="t", description="d", value_format=plain, no_data="no data"))
    assert len(bars(root)) == 2
    assert point_titles(root) == ["a: 1", "b: no data", "c: 4"]
    assert "b: no data" in str(root.findtext(f"{SVG}desc"))
    assert "b" in [text.text for text in root.iter(f"{SVG}text")]  # the day is still named on the axis


def test_a_line_chart_breaks_at_missing_values() -> None:
    points = [("a", 1.0), ("b", 2.0), ("c", None), ("d", 4.0), ("e", 2.0), ("f", None), ("g", 3.0)]
    root = parse(line_chart(points, title="Share", description="d", value_format=plain))
    assert root.get("role") == "img" and root.findtext(f"{SVG}title") == "Share"
    (path,) = root.iter(f"{SVG}path")
    subpaths = re.findall(r"M[^M]*", str(path.get("d")))
    assert [len(re.findall(r"[\d.]+,[\d.]+", part)) for part in subpaths] == [2, 2]  # g alone: a dot
    dots = list(root.iter(f"{SVG}circle"))
    assert len(dots) == 5
    ys = [float(str(dot.get("cy"))) for dot in dots]
    assert ys[2] == TOP  # 4, the highest, at the top
    assert ys[0] == pytest.approx(BASELINE - PLOT_HEIGHT / 4)
    assert point_titles(root) == ["a: 1", "b: 2", "c: —", "d: 4", "e: 2", "f: —", "g: 3"]


def test_a_line_chart_of_no_data_draws_no_line() -> None:
    root = parse(line_chart([("a", None), ("b", None)], title="t", description="d", value_format=plain))
    assert list(root.iter(f"{SVG}path")) == [] and list(root.iter(f"{SVG}circle")) == []
    root = parse(line_chart([], title="t", description="d", value_format=plain))
    assert root.findtext(f"{SVG}desc") == "d"


@pytest.mark.parametrize("chart", [bar_chart, line_chart])
def test_every_label_stays_text(chart: Callable[..., str]) -> None:
    svg = chart(
        [(HOSTILE, 1.0), ("b\x00\x07", None)],
        title=HOSTILE,
        description=HOSTILE,
        value_format=lambda value: f'{value:g} "<b>"',
        no_data="<i>none</i>",
    )
    assert "<script" not in svg and "<b>" not in svg and "<i>" not in svg
    root = parse(svg)
    assert [element.tag for element in root.iter() if not element.tag.startswith(SVG)] == []
    assert root.findtext(f"{SVG}title") == HOSTILE
    assert str(root.findtext(f"{SVG}desc")).startswith(HOSTILE)
    assert point_titles(root) == [f'{HOSTILE}: 1 "<b>"', "b: <i>none</i>"]
    assert HOSTILE in [text.text for text in root.iter(f"{SVG}text")]


@pytest.mark.parametrize("value", [-1.0, float("nan"), float("inf")])
def test_values_must_be_finite_and_not_negative(value: float) -> None:
    with pytest.raises(ValueError):
        bar_chart([("a", value)], title="t", description="d", value_format=plain)
    with pytest.raises(ValueError):
        line_chart([("a", value)], title="t", description="d", value_format=plain)


def test_many_points_keep_their_values_in_titles_but_thin_out_the_axis() -> None:
    points = [(f"day {n}", float(n)) for n in range(60)]
    root = parse(bar_chart(points, title="t", description="d", value_format=plain))
    assert len(bars(root)) == 60 and point_titles(root)[59] == "day 59: 59"
    axis_labels = [text.text for text in root.iter(f"{SVG}text") if str(text.text).startswith("day")]
    assert 1 < len(axis_labels) <= 12


LABELS = {
    "handoffs": "Handoffs",
    "handoffs_description": "Tickets created per day.",
    "solved_without_human": "Solved by the bot",
    "solved_without_human_description": "Share of conversations without a ticket.",
    "waiting_time": "Waiting time",
    "waiting_time_description": "Median minutes before an agent took over.",
    "satisfaction": "Satisfaction",
    "satisfaction_description": "Average rating, 1 to 5.",
    "no_data": "no data",
    "percent": "{value} %",
    "minutes": "{value} min",
    "rating": "{value} / 5",
}
FIRST = date(2026, 3, 9)


def week() -> list[DayStats]:
    return [
        DayStats(FIRST, 4, 2, 6.5, 4.5, 10, 0.6),
        DayStats(FIRST + timedelta(days=1), 0, 1, None, None, 0, None),
        DayStats(FIRST + timedelta(days=2), 8, 3, 13.0, 2.5, 16, 0.5),
    ]


def test_the_dashboard_charts_in_order_with_the_caller_s_texts() -> None:
    charts = dashboard_charts(week(), LABELS, lambda day: f"<{day.day}>")
    assert [title for title, _ in charts] == ["Handoffs", "Solved by the bot", "Waiting time", "Satisfaction"]
    handoffs, solved, waiting, satisfaction = (parse(svg) for _, svg in charts)
    assert point_titles(handoffs) == ["<9>: 4", "<10>: 0", "<11>: 8"]
    assert [float(str(rect.get("height"))) for rect in bars(handoffs)] == [PLOT_HEIGHT / 2, 0, PLOT_HEIGHT]
    assert point_titles(solved) == ["<9>: 60 %", "<10>: no data", "<11>: 50 %"]
    assert [float(str(dot.get("cy"))) for dot in solved.iter(f"{SVG}circle")] == [
        pytest.approx(BASELINE - PLOT_HEIGHT * 0.6),  # on a 0 to 100 % scale
        pytest.approx(BASELINE - PLOT_HEIGHT * 0.5),
    ]
    assert point_titles(waiting) == ["<9>: 6.5 min", "<10>: no data", "<11>: 13.0 min"]
    assert point_titles(satisfaction) == ["<9>: 4.5 / 5", "<10>: no data", "<11>: 2.5 / 5"]
    assert [float(str(rect.get("height"))) for rect in bars(satisfaction)] == [
        PLOT_HEIGHT * 0.9,  # on the 5-point scale
        PLOT_HEIGHT * 0.5,
    ]
    assert satisfaction.findtext(f"{SVG}desc", "").startswith("Average rating, 1 to 5.")


def test_the_dashboard_writes_numbers_the_caller_s_way() -> None:
    charts = dashboard_charts(
        week(), LABELS, str, number=lambda value, decimals: f"{value:.{decimals}f}".replace(".", ",")
    )
    assert point_titles(parse(charts[2][1]))[0] == "2026-03-09: 6,5 min"


def test_the_dashboard_needs_every_label() -> None:
    assert set(LABELS) == set(LABEL_KEYS)
    with pytest.raises(KeyError, match="rating"):
        dashboard_charts(week(), {k: v for k, v in LABELS.items() if k != "rating"}, str)
    with pytest.raises(ValueError, match="percent"):
        dashboard_charts(week(), {**LABELS, "percent": "%"}, str)
