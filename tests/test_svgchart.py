"""The one chart module: layout read back, preliminary points dashed, drawing per language."""

from __future__ import annotations

import re
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from coopledger.svgchart import DASH, bar_charts, first_preliminary, line_chart, svg, svg_bars

MONTHS = ["2026-08", "2026-09", "2026-10", "2026-11"]
D = Decimal


def _points(text: str) -> list[tuple[float, float]]:
    return [(float(x), float(y)) for x, y in (p.split(",") for p in text.split())]


def test_line_geometry() -> None:
    chart = line_chart("t", ["a", "b", "c"], {"x": [D(-10), D(0), D(30)]})
    (series,) = chart.series
    points = _points(series.points)
    assert len(points) == 3
    assert [p[0] for p in points] == sorted(p[0] for p in points)
    assert points[1][1] == chart.zero_y
    assert points[2][1] < chart.zero_y < points[0][1]
    assert chart.top <= min(p[1] for p in points)
    assert max(p[1] for p in points) <= chart.plot_bottom
    assert chart.preliminary_from is None
    assert series.final_points == series.points
    assert series.preliminary_points == ""


@given(st.lists(st.integers(min_value=-10**9, max_value=10**9), min_size=1, max_size=24))
def test_drawn_heights_read_back_as_the_values(values: list[int]) -> None:
    numbers = [D(v) for v in values]
    chart = line_chart("t", [str(i) for i in range(len(numbers))], {"x": numbers})
    (series,) = chart.series
    ys = [y for _, y in _points(series.points)]
    # y is linear in the value: the zero line and one pixel per (span / plot height)
    low, high = min(numbers), max(numbers)
    if low != high:
        order = sorted(range(len(numbers)), key=lambda i: numbers[i])
        assert [ys[i] for i in order] == sorted((ys[i] for i in order), reverse=True)
    for y, value in zip(ys, numbers, strict=True):
        assert (y < chart.zero_y) == (value > 0) or abs(y - chart.zero_y) <= 0.1


def test_preliminary_points_are_dashed() -> None:
    chart = line_chart("monthly_result", MONTHS, {"Kafe": [D(10), D(20), D(-5), D(40)],
                                                   "Stad": [D(1), D(2), D(3), D(4)]},
                       preliminary_from=3)
    assert chart.preliminary_from == 3
    kafe = chart.series[0]
    assert _points(kafe.final_points) == _points(kafe.points)[:3]
    assert _points(kafe.preliminary_points) == _points(kafe.points)[2:]
    drawn = svg(chart, "sv")
    assert drawn.count('<polyline class="coop-series" ') == 2  # the solid line per series
    assert drawn.count('<polyline class="coop-series-preliminary" ') == 2  # and its dashes
    assert drawn.count(f'stroke-dasharray="{DASH}"') == 3  # two series and the legend
    assert 'data-preliminary-from="3"' in drawn
    assert drawn.count('<circle class="coop-preliminary"') == 2  # the open dots
    assert drawn.count('fill="#fff"') == 2
    # one hatched band, behind the open month only, and the title and legend say so
    assert [(b.label, b.x, b.width) for b in chart.bands] == [("2026-11", 440.0, 120.0)]
    assert drawn.count('<rect class="coop-prelim-band" data-month="2026-11"') == 1
    assert "<title>monthly_result (preliminär: nov. 2026)</title>" in drawn
    assert 'class="coop-legend-preliminary"' in drawn
    assert ">preliminary</text>" in svg(chart, "en")
    # out of range: every point final
    assert line_chart("t", MONTHS, {"x": [D(1)] * 4}, preliminary_from=4).preliminary_from is None


def test_a_final_chart_draws_nothing_preliminary() -> None:
    drawn = svg(line_chart("t", MONTHS, {"x": [D(1), D(2), D(3), D(4)]}), "sv")
    for mark in ("coop-preliminary", "coop-prelim-band", "coop-series-preliminary",
                 "stroke-dasharray", "preliminär", "data-preliminary-from", "coop-hatch"):
        assert mark not in drawn


def test_first_preliminary_marks_everything_after_the_first_open_month() -> None:
    assert first_preliminary(MONTHS, {"2026-11"}) == 3
    assert first_preliminary(MONTHS, set()) is None
    assert first_preliminary(MONTHS, {"2025-01"}) is None  # not in the chart
    # a broken seal in the middle: that month and every later one are drawn preliminary
    chart = line_chart("t", MONTHS, {"x": [D(1)] * 4},
                       preliminary_from=first_preliminary(MONTHS, {"2026-09"}))
    assert [b.label for b in chart.bands] == ["2026-09", "2026-10", "2026-11"]
    assert chart.series[0].circles.count('fill="#fff"') == 3


@given(st.lists(st.integers(min_value=-10**6, max_value=10**6), min_size=1, max_size=24),
       st.integers(min_value=0, max_value=30))
def test_no_preliminary_point_is_drawn_final(values: list[int], first: int) -> None:
    """Every point from ``preliminary_from`` on is hollow, banded and off the solid line."""
    labels = [f"m{i}" for i in range(len(values))]
    chart = line_chart("t", labels, {"x": [D(v) for v in values]}, preliminary_from=first)
    (series,) = chart.series
    points = [f"{x},{y}" for x, y in series.coords]
    final = min(first, len(values))
    assert series.final_points.split() == points[:final]
    assert [b.label for b in chart.bands] == labels[final:]
    assert series.circles.count('fill="#fff"') == len(values) - final
    drawn = svg(chart)
    assert drawn.count('<rect class="coop-prelim-band"') == len(values) - final


def test_drawing_follows_the_language_and_escapes() -> None:
    chart = line_chart("<title>", MONTHS, {"<b>": [D(0), D(5000), D(-2000), D(12000)]})
    swedish, english = svg(chart, "sv"), svg(chart, "en")
    assert ">12\u00a0000<" in swedish or ">15\u00a0000<" in swedish
    assert ">\u22125\u00a0000<" in swedish
    assert ">-5,000<" in english
    assert "<b>" not in swedish
    assert "&lt;b&gt;" in swedish
    assert "&lt;title&gt;" in swedish
    translated = svg(chart, "en", label=lambda key: {"<b>": "Result"}.get(key, key),
                     numbers=lambda text: re.sub(r"\d", "X", text))
    assert ">Result<" in translated
    assert ">-X,XXX<" in translated
    percent = svg(line_chart("par", MONTHS, {"PAR30": [D("0.05"), D("0.1"), D(0), D("0.3")]},
                             percent=True), "en")
    assert ">30%<" in percent


def test_bar_charts_share_one_scale() -> None:
    charts = bar_charts({"Kafe": [D(100), D(-50)], "Stad": [D(25), D(0)]}, ["a", "b"],
                        preliminary_from=1)
    kafe, stad = charts
    assert kafe.bars[0].height == 4 * stad.bars[0].height
    assert kafe.bars[0].y + kafe.bars[0].height == kafe.axis_y  # a gain stands on the axis
    assert kafe.bars[1].y == kafe.axis_y  # a loss hangs below it
    assert [b.preliminary for b in kafe.bars] == [False, True]
    drawn = svg_bars(charts, "en")
    assert drawn.startswith('<div class="charts">')
    assert drawn.count("<svg") == 2
    assert "<title>a: 100</title>" in drawn
    assert "<title>b: -50 (preliminary)</title>" in drawn
    assert "<title>b: \u221250 (preliminär)</title>" in svg_bars(charts, "sv")
    assert drawn.count('class="coop-preliminary"') == 2
