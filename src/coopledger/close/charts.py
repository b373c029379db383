"""The board pack's charts as SVG text: a facade over :mod:`coopledger.svgchart`.

Kept for callers of the earlier pack charts; the one chart module lays out and draws
both the pages' and the pack's charts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from coopledger.svgchart import bar_charts, svg, svg_bars
from coopledger.svgchart import line_chart as _line_chart


def bar_chart(series: Mapping[str, Sequence[Decimal]], labels: Sequence[str], *,
              language: str = "sv", preliminary_from: int | None = None) -> str:
    """Small multiples, one bar chart per series on one scale, as a ``<div>`` of SVGs."""
    return str(svg_bars(bar_charts(series, labels, preliminary_from=preliminary_from),
                        language))


def line_chart(series: Mapping[str, Sequence[Decimal]], labels: Sequence[str], *,
               percent: bool = False, language: str = "sv", title: str = "",
               preliminary_from: int | None = None) -> str:
    """Several series over the same labels on one chart, as an ``<svg>``."""
    return str(svg(_line_chart(title, labels, series, percent=percent,
                               preliminary_from=preliminary_from), language))
