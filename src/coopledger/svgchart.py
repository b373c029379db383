"""Inline SVG charts for the board pages and the board pack: one layout, one drawing.

A chart is laid out in Python (:func:`line_chart`, :func:`bar_charts`): every coordinate
is computed here from Decimals, so a test can read the drawn values back, the pages need
no JavaScript and the pack no external file. The layout is language-neutral (axis ticks
keep their values); :func:`svg` draws it in a language, with the numbers formatted by
:mod:`coopledger.i18n` and the names passed through the caller's ``label`` function (the
pages' message catalogue) and ``numbers`` function (Fava's incognito filter).

The last points of a series may be *preliminary* (a month that is not sealed, or not
closed): ``preliminary_from`` is the index of the first such label, and every label from
there on is preliminary (:func:`first_preliminary` finds it in a set of months). A line
is drawn solid up to the last final point and dashed from there on
(``polyline.coop-series-preliminary``), with hollow dots (``circle.coop-preliminary``),
over a hatched band per preliminary label (``rect.coop-prelim-band``) that says
*preliminär* / *preliminary*; the title and the legend name those months. A preliminary
bar is drawn pale with a dashed outline and its tooltip says so. Without it, every point
is final: a preliminary month is never drawn as a final result.

Example::

    chart = line_chart("monthly_result", ["2026-09", "2026-10", "2026-11"],
                       {"Kafe": [Decimal(120), Decimal(-40), Decimal(15)]},
                       preliminary_from=2)
    markup = svg(chart, "sv")
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from markupsafe import Markup, escape

from coopledger.i18n.catalogue import labels as catalogue
from coopledger.i18n.format import format_amount, format_month, format_percent

WIDTH = 720
HEIGHT = 260
LEFT = 80
RIGHT = 160
TOP = 16
BOTTOM = 36

#: Distinguishable colours (Okabe-Ito), cycled when there are more series.
COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
           "#000000")
#: Bars: gains and losses.
GAIN, LOSS = "#2e7d32", "#c62828"
#: How a preliminary stretch of a line is dashed.
DASH = "5 4"
#: The hatching behind a preliminary label: pale yellow with ochre stripes.
HATCH = ('<defs><pattern id="coop-hatch" width="8" height="8" patternUnits="userSpaceOnUse" '
         'patternTransform="rotate(45)"><rect width="8" height="8" fill="#fff8e1"/>'
         '<line x1="0" y1="0" x2="0" y2="8" stroke="#e0b84a" stroke-width="3"/></pattern>'
         "</defs>")


def _same(text: str) -> str:
    return text


def shown(label: str, language: str) -> str:
    """A label as drawn: a month (``YYYY-MM``) in ``language`` (``okt. 2026``), any
    other label as it is. The layout keeps the month itself (``data-month``)."""
    if len(label) == 7 and label[4] == "-" and label[:4].isdigit() and label[5:].isdigit():
        return format_month(label, language)
    return label


@dataclass(frozen=True)
class Tick:
    """An axis label at a position; a y tick keeps its value, formatted when drawn."""

    label: str
    position: float
    value: Decimal | None = None
    percent: bool = False

    def text(self, language: str) -> str:
        """The label in ``language`` (a value tick formatted, a month named)."""
        if self.value is None:
            return shown(self.label, language)
        return _value_text(self.value, self.percent, language)


def _value_text(value: Decimal, percent: bool, language: str) -> str:
    return format_percent(value, 0, language) if percent else format_amount(value, 0, language)


@dataclass(frozen=True)
class Series:
    """One drawn line: its name, colour, SVG points and the values it shows.

    ``points`` holds every point; ``final_points`` the points drawn solid and
    ``preliminary_points`` the dashed stretch (from the last final point on; empty when
    every point is final). ``circles`` is the SVG markup of a dot at each point (hollow
    for a preliminary one), written here once rather than at every render (a group chart
    has thousands of them).
    """

    name: str
    colour: str
    points: str
    coords: tuple[tuple[float, float], ...]
    values: tuple[Decimal, ...]
    legend_y: float
    circles: Markup
    final_points: str = ""
    preliminary_points: str = ""


@dataclass(frozen=True)
class Band:
    """A preliminary label's hatched band behind the lines: its label, left edge, width."""

    label: str
    x: float
    width: float


@dataclass(frozen=True)
class LineChart:
    """A line chart's geometry: box, zero line, ticks, series and preliminary bands."""

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
    preliminary_from: int | None = None
    bands: tuple[Band, ...] = ()

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


@dataclass(frozen=True)
class Bar:
    """One bar: its box, the value and label it shows, and whether it is preliminary."""

    x: float
    y: float
    width: float
    height: float
    value: Decimal
    label: str
    preliminary: bool


@dataclass(frozen=True)
class BarChart:
    """A small bar chart of one series: gains above the axis, losses below it."""

    title: str
    width: int
    height: int
    axis_y: float
    bars: tuple[Bar, ...]
    preliminary_from: int | None = None


def nice_step(span: Decimal) -> Decimal:
    """A round axis step (1, 2 or 5 times a power of ten) giving about four intervals."""
    # A round step (1, 2 or 5 times a power of ten) giving about four intervals.
    raw = span / 4 if span > 0 else Decimal(1)
    power = Decimal(10) ** (raw.adjusted())
    for factor in (1, 2, 5, 10):
        step = power * factor
        if step >= raw:
            return step
    return power * 10


def first_preliminary(labels: Sequence[str], preliminary: Collection[str]) -> int | None:
    """The index of the first label in ``preliminary`` (months not sealed), or None.

    Everything from there on is drawn preliminary: a later month's balance builds on the
    preliminary one, and the line into it is dashed anyway.
    """
    return next((i for i, label in enumerate(labels) if label in preliminary), None)


def _preliminary(preliminary_from: int | None, count: int) -> int | None:
    """The first preliminary index, or None when every point is final."""
    if preliminary_from is None or preliminary_from >= count:
        return None
    return max(preliminary_from, 0)


def line_chart(title: str, labels: Sequence[str],
               series: Mapping[str, Sequence[Decimal]], *, percent: bool = False,
               preliminary_from: int | None = None) -> LineChart:
    """Lay out a line chart of several series over the same labels.

    Args:
        title: The chart's accessible title (a message id, or the text itself).
        labels: The x-axis labels (months), one per value.
        series: Series name to its values, one per label.
        percent: The values are ratios; label the axis in percent.
        preliminary_from: Index of the first preliminary label (None: all final).

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
    first_preliminary = _preliminary(preliminary_from, len(labels))

    def x(i: int) -> float:
        return LEFT + (plot_w * (i + 0.5) / count)

    def y(value: Decimal) -> float:
        return round(TOP + float((high - value) / (high - low)) * plot_h, 1)

    y_ticks = []
    tick = low
    while tick <= high:
        y_ticks.append(Tick(_value_text(tick, percent, "sv"), y(tick), tick, percent))
        tick += step
    every = max(1, -(-count // 8))  # at most eight labels fit under the plot
    x_ticks = tuple(Tick(label, round(x(i), 1)) for i, label in enumerate(labels)
                    if i % every == 0)
    drawn = []
    for n, (name, vs) in enumerate(series.items()):
        coords = tuple((round(x(i), 1), y(v)) for i, v in enumerate(vs))
        points = " ".join(f"{cx},{cy}" for cx, cy in coords)
        final, preliminary = points, ""
        if first_preliminary is not None:
            final = " ".join(f"{cx},{cy}" for cx, cy in coords[:first_preliminary])
            preliminary = " ".join(f"{cx},{cy}"
                                   for cx, cy in coords[max(first_preliminary - 1, 0):])
        colour = COLOURS[n % len(COLOURS)]
        # Written once per chart, not per render; floats and a fixed colour need no
        # escaping (Markup.format would escape each of them: a tenth of a second for
        # a group chart of 6 000 dots).
        circles = Markup("".join(  # noqa: S704 -- nothing here comes from the books' text
            _dot(cx, cy, colour, first_preliminary is not None and i >= first_preliminary)
            for i, (cx, cy) in enumerate(coords)))
        drawn.append(Series(name, colour, points, coords, tuple(vs), TOP + 14 + 18 * n,
                            circles, final, preliminary))
    step_x = plot_w / count
    bands = () if first_preliminary is None else tuple(
        Band(labels[i], round(x(i) - step_x / 2, 1), round(step_x, 1))
        for i in range(first_preliminary, len(labels)))
    return LineChart(title, WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM, y(Decimal(0)),
                     tuple(y_ticks), x_ticks, tuple(drawn), first_preliminary, bands)


def _dot(cx: float, cy: float, colour: str, preliminary: bool) -> str:
    # A preliminary point is an open circle.
    if preliminary:
        return (f'<circle class="coop-preliminary" cx="{cx}" cy="{cy}" r="3" fill="#fff" '
                f'stroke="{colour}"/>')
    return f'<circle cx="{cx}" cy="{cy}" r="2.5" fill="{colour}"/>'


def bar_charts(series: Mapping[str, Sequence[Decimal]], labels: Sequence[str], *,
               preliminary_from: int | None = None, width: int = 220,
               height: int = 110) -> tuple[BarChart, ...]:
    """Small multiples: one bar chart per series, all on the same vertical scale.

    Args:
        series: Name to one value per label.
        labels: The x-axis labels (months), shown as a tooltip on each bar.
        preliminary_from: Index of the first preliminary label (None: all final).
        width: Width of each small chart in pixels.
        height: Height of each small chart in pixels.

    Returns:
        One chart per series, in order.
    """
    biggest = max((abs(v) for values in series.values() for v in values), default=Decimal(0))
    scale = biggest if biggest > 0 else Decimal(1)
    half = Decimal(height - 30) / 2
    axis = float(half) + 15
    first_preliminary = _preliminary(preliminary_from, len(labels))
    charts = []
    for name, values in series.items():
        step = (width - 10) / max(len(values), 1)
        bars = []
        for i, value in enumerate(values):
            size = float(abs(value) / scale * half)
            top = axis - (size if value >= 0 else 0)
            bars.append(Bar(round(5 + i * step, 1), round(top, 1), round(step * 0.8, 1),
                            round(max(size, 0.5), 1), value,
                            labels[i] if i < len(labels) else "",
                            first_preliminary is not None and i >= first_preliminary))
        charts.append(BarChart(name, width, height, axis, tuple(bars), first_preliminary))
    return tuple(charts)


def svg(chart: LineChart | BarChart, language: str = "sv", *,
        label: Callable[[str], str] = _same, numbers: Callable[[str], str] = _same,
        testid: str = "coop-chart") -> Markup:
    """Draw a chart as an ``<svg>`` element in ``language``.

    Args:
        chart: A :func:`line_chart` or one of :func:`bar_charts`.
        language: ``sv`` or ``en``, for the axis numbers and tooltips.
        label: Turns a title or series name into the text shown (the catalogue's).
        numbers: Applied to every number shown (Fava's incognito filter).
        testid: The element's ``data-testid``.

    Returns:
        The SVG markup, every text escaped.
    """
    if isinstance(chart, BarChart):
        return _bar_svg(chart, language, label, numbers)
    return _line_svg(chart, language, label, numbers, testid)


def _line_svg(chart: LineChart, language: str, label: Callable[[str], str],
              numbers: Callable[[str], str], testid: str) -> Markup:
    title = escape(label(chart.title))
    word = escape(catalogue(language)["preliminary"])
    months = escape(", ".join(shown(band.label, language) for band in chart.bands))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="coop-chart" '
             f'data-testid="{escape(testid)}" viewBox="0 0 {chart.width} {chart.height}" '
             f'width="{chart.width}" height="{chart.height}" role="img" '
             f'aria-label="{title}"{_preliminary_attr(chart.preliminary_from)}>'
             f"<title>{title}{f' ({word}: {months})' if chart.bands else ''}</title>"]
    if chart.bands:
        parts.append(HATCH)
    for tick in chart.y_ticks:
        parts.append(f'<line x1="{chart.left}" x2="{chart.plot_right}" y1="{tick.position}" '
                     f'y2="{tick.position}" stroke="#ccc" stroke-width="0.5"/>'
                     f'<text x="{chart.left - 6}" y="{tick.position + 4}" text-anchor="end" '
                     f'fill="currentColor">{escape(numbers(tick.text(language)))}</text>')
    parts.append(f'<line x1="{chart.left}" x2="{chart.plot_right}" y1="{chart.zero_y}" '
                 f'y2="{chart.zero_y}" stroke="#888" stroke-width="1"/>')
    for tick in chart.x_ticks:
        parts.append(f'<text x="{tick.position}" y="{chart.plot_bottom + 16}" '
                     f'text-anchor="middle" fill="currentColor">{escape(tick.text(language))}'
                     "</text>")
    middle = (chart.top + chart.plot_bottom) / 2
    for band in chart.bands:
        centre = round(band.x + band.width / 2 + 4, 1)
        parts.append(f'<rect class="coop-prelim-band" data-month="{escape(band.label)}" '
                     f'x="{band.x}" y="{chart.top}" width="{band.width}" '
                     f'height="{chart.plot_bottom - chart.top}" fill="url(#coop-hatch)" '
                     'stroke="#8a6d00" stroke-dasharray="3 3" stroke-width="0.5"/>'
                     f'<text x="{centre}" y="{middle}" transform="rotate(-90 {centre} {middle})" '
                     f'text-anchor="middle" fill="#5c4600" font-style="italic">{word}</text>')
    for series in chart.series:
        name = escape(series.name)
        solid = series.final_points if chart.preliminary_from is not None else series.points
        parts.append(f'<polyline class="coop-series" data-series="{name}" points="{solid}" '
                     f'fill="none" stroke="{series.colour}" stroke-width="2"/>')
        if series.preliminary_points:
            parts.append(f'<polyline class="coop-series-preliminary" data-series="{name}" '
                         f'points="{series.preliminary_points}" fill="none" '
                         f'stroke="{series.colour}" stroke-width="2" '
                         f'stroke-dasharray="{DASH}"/>')
        parts.append(str(series.circles))
        parts.append(f'<rect x="{chart.plot_right + 12}" y="{series.legend_y - 9}" width="10" '
                     f'height="10" fill="{series.colour}"/><text x="{chart.plot_right + 26}" '
                     f'y="{series.legend_y}" fill="currentColor">'
                     f"{escape(label(series.name))}</text>")
    if chart.bands:
        legend = chart.legend_bottom
        parts.append(f'<line class="coop-legend-preliminary" x1="{chart.plot_right + 10}" '
                     f'x2="{chart.plot_right + 24}" y1="{legend - 4}" y2="{legend - 4}" '
                     f'stroke="currentColor" stroke-width="2" stroke-dasharray="{DASH}"/>'
                     f'<text x="{chart.plot_right + 26}" y="{legend}" fill="currentColor" '
                     f'font-style="italic">{word}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 -- every text above is escaped


def _preliminary_attr(preliminary_from: int | None) -> str:
    return "" if preliminary_from is None else f' data-preliminary-from="{preliminary_from}"'


def _bar_svg(chart: BarChart, language: str, label: Callable[[str], str],
             numbers: Callable[[str], str]) -> Markup:
    name = escape(label(chart.title))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="coop-bars" width="{chart.width}" '
             f'height="{chart.height}" role="img" aria-label="{name}"'
             f'{_preliminary_attr(chart.preliminary_from)}>'
             f'<text x="5" y="11" font-size="11">{name}</text>'
             f'<line x1="0" x2="{chart.width}" y1="{chart.axis_y}" y2="{chart.axis_y}" '
             'stroke="#888"/>']
    for bar in chart.bars:
        colour = GAIN if bar.value >= 0 else LOSS
        style = (f' class="coop-preliminary" fill-opacity="0.35" stroke="{colour}" '
                 f'stroke-dasharray="3 2"' if bar.preliminary else "")
        tip = f"{shown(bar.label, language)}: {numbers(format_amount(bar.value, 0, language))}"
        if bar.preliminary:
            tip = f"{tip} ({catalogue(language)['preliminary']})"
        parts.append(f'<rect x="{bar.x}" y="{bar.y}" width="{bar.width}" '
                     f'height="{bar.height}" fill="{colour}"{style}>'
                     f"<title>{escape(tip)}</title></rect>")
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 -- every text above is escaped


def svg_bars(charts: Sequence[BarChart], language: str = "sv") -> Markup:
    """Small multiples side by side: a ``<div class="charts">`` of :func:`svg` each."""
    return Markup('<div class="charts">{}</div>').format(
        Markup("").join(svg(chart, language) for chart in charts))
