"""The board pages' charts: a facade over :mod:`coopledger.svgchart`, the one chart module.

Kept so that the pages' views and older callers need no change; the layout and the
drawing live in :mod:`coopledger.svgchart` (pages draw a chart with ``page.chart``).
"""

from __future__ import annotations

from coopledger.svgchart import (
    BOTTOM,
    COLOURS,
    HEIGHT,
    LEFT,
    RIGHT,
    TOP,
    WIDTH,
    LineChart,
    Series,
    Tick,
    line_chart,
)

__all__ = ["BOTTOM", "COLOURS", "HEIGHT", "LEFT", "RIGHT", "TOP", "WIDTH", "LineChart",
           "Series", "Tick", "line_chart"]
