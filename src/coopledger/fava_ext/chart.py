"""Inline SVG line charts, laid out in Python so that the templates only draw them.

A chart is a few monthly series (one per cooperative, or portfolio and PAR) scaled into
a fixed box; :func:`line_chart` computes every coordinate, so the page needs no
JavaScript to show it and a test can read the drawn values back.

Months that are not closed yet are *preliminary*: their part of each line is drawn
dashed with hollow dots, over a hatched band labelled as preliminary, so an open month
never looks like a final result.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from markupsafe import Markup

from coopledger.fava_ext.format import format_amount, format_percent
from coopledger.svgchart import (
    BOTTOM,
    COLOURS,
    HEIGHT,
    LEFT,
    RIGHT,
    TOP,
    WIDTH,
    Tick,
    nice_step,
)


@dataclass(frozen=True)
class Series:
    """One drawn line: its name, colour, SVG points and the values it shows.

    ``points`` is the solid line through the final months; ``preliminary_points`` the
    dashed line from the last final month through the preliminary ones (empty when
    every month is final). ``circles`` is the SVG markup of a dot at each point, written
    here once rather than by the template at every render (a group chart has thousands
    of them); a preliminary month's dot is hollow.
    """

    name: str
    colour: str
    points: str
    coords: tuple[tuple[float, float], ...]
    values: tuple[Decimal, ...]
    legend_y: float
    circles: Markup
    preliminary_points: str = ""


@dataclass(frozen=True)
class Band:
    """A preliminary month's hatched band behind the lines."""

    label: str
    x: float
    width: float


@dataclass(frozen=True)
class LineChart:
    """A chart's geometry: box, zero line, ticks and series."""

    title: str
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    zero_y: float
    y_ticks: tuple[Tick, ...]
    x_ticks: tuple[Tick, ...]
    series: tuple[Series, ...]
    preliminary: tuple[Band, ...] = ()

    @property
    def plot_right(self) -> int:
        """The x coordinate where the plot area ends and the legend starts."""
        return self.width - self.right

    @property
    def legend_bottom(self) -> float:
        """The y coordinate under the last series' legend entry."""
        return self.top + 14 + 18 * len(self.series)

    @property
    def plot_bottom(self) -> int:
        """The y coordinate of the plot area's bottom edge."""
        return self.height - self.bottom


def line_chart(title: str, labels: Sequence[str],
               series: Mapping[str, Sequence[Decimal]], *, percent: bool = False,
               preliminary: Collection[str] = ()) -> LineChart:
    """Lay out a line chart of several series over the same labels.

    Args:
        title: The chart's accessible title.
        labels: The x-axis labels (months), one per value.
        series: Series name to its values, one per label.
        percent: The values are ratios; label the axis in percent.
        preliminary: The labels (months) that are not final: drawn dashed, hatched.

    Returns:
        The chart's geometry, ready to draw.
    """
    values = [v for vs in series.values() for v in vs]
    low = min([Decimal(0), *values])
    high = max([Decimal(0), *values])
    step = nice_step(high - low)
    low = (low / step).to_integral_value(rounding="ROUND_FLOOR") * step
    high = (high / step).to_integral_value(rounding="ROUND_CEILING") * step
    if high == low:
        high = low + step
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    count = max(len(labels), 1)

    def x(i: int) -> float:
        return LEFT + (plot_w * (i + 0.5) / count)

    def y(value: Decimal) -> float:
        return round(TOP + float((high - value) / (high - low)) * plot_h, 1)

    y_ticks = []
    tick = low
    while tick <= high:
        text = format_percent(tick, 0) if percent else format_amount(tick)
        y_ticks.append(Tick(text, y(tick), tick, percent))
        tick += step
    every = max(1, -(-count // 8))  # at most eight labels fit under the plot
    x_ticks = tuple(Tick(label, round(x(i), 1)) for i, label in enumerate(labels)
                    if i % every == 0)
    open_at = [i for i, label in enumerate(labels) if label in preliminary]
    # The solid line ends at the last final month; the dashed one starts there.
    final_end = min(open_at) if open_at else len(labels)
    hollow = set(open_at)
    drawn = []
    for n, (name, vs) in enumerate(series.items()):
        coords = tuple((round(x(i), 1), y(v)) for i, v in enumerate(vs))
        points = " ".join(f"{cx},{cy}" for cx, cy in coords[:final_end])
        dashed = " ".join(f"{cx},{cy}" for cx, cy in coords[max(final_end - 1, 0):]
                          ) if open_at else ""
        colour = COLOURS[n % len(COLOURS)]
        # Written once per chart, not per render; floats and a fixed colour need no
        # escaping (Markup.format would escape each of them: a tenth of a second for
        # a group chart of 6 000 dots).
        circles = Markup("".join(  # noqa: S704 -- nothing here comes from the books' text
            f'<circle cx="{cx}" cy="{cy}" r="2.5" fill="{colour}"/>' if i not in hollow
            else f'<circle cx="{cx}" cy="{cy}" r="3" fill="#fff" stroke="{colour}"/>'
            for i, (cx, cy) in enumerate(coords)))
        drawn.append(Series(name, colour, points, coords, tuple(vs), TOP + 14 + 18 * n,
                            circles, dashed))
    step_x = plot_w / count
    bands = tuple(Band(labels[i], round(x(i) - step_x / 2, 1), round(step_x, 1))
                  for i in open_at)
    return LineChart(title, WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM, y(Decimal(0)),
                     tuple(y_ticks), x_ticks, tuple(drawn), bands)
