"""The one chart module: layout read back, preliminary points dashed, drawing per language."""

from __future__ import annotations

import re
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from coopledger.svgchart import DASH, bar_charts, line_chart, svg, svg_bars

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
    assert drawn.count("<polyline") == 2  # one per series, as before
    assert drawn.count(f'stroke-dasharray="{DASH}"') == 2
    assert 'data-preliminary-from="3"' in drawn
    assert drawn.count('class="coop-preliminary" fill-opacity') == 2  # the open dots
    # out of range: every point final
    assert line_chart("t", MONTHS, {"x": [D(1)] * 4}, preliminary_from=4).preliminary_from is None


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
    assert "<title>b: -50</title>" in drawn
    assert "<title>b: \u221250</title>" in svg_bars(charts, "sv")
    assert drawn.count('class="coop-preliminary"') == 2
