"""Small inline SVG charts for the board pack: no scripts, no external files.

:func:`bar_chart` draws one small bar chart per series (small multiples, shared scale),
bars above the line for gains and below it, red, for losses; :func:`line_chart` draws
several series over the same months on one set of axes. Amounts are Decimals; they are
only converted to pixel coordinates here.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from decimal import Decimal

_COLOURS = ("#1f5fa8", "#c05a00", "#2e7d32", "#8e24aa", "#00838f", "#6d4c41", "#ad1457")


def _scale(values: Sequence[Decimal]) -> Decimal:
    biggest = max((abs(v) for v in values), default=Decimal(0))
    return biggest if biggest > 0 else Decimal(1)


def bar_chart(series: Mapping[str, Sequence[Decimal]], labels: Sequence[str],
              width: int = 220, height: int = 110) -> str:
    """Small multiples: one bar chart per series, all on the same vertical scale.

    Args:
        series: Name to one value per label.
        labels: The x-axis labels (months), shown as a tooltip on each bar.
        width: Width of each small chart in pixels.
        height: Height of each small chart in pixels.

    Returns:
        A ``<div>`` of ``<svg>`` elements.
    """
    scale = _scale([v for values in series.values() for v in values])
    half = Decimal(height - 30) / 2
    charts = []
    for name, values in series.items():
        step = (width - 10) / max(len(values), 1)
        bars = []
        for i, value in enumerate(values):
            size = float(abs(value) / scale * half)
            top = float(half) + 15 - (size if value >= 0 else 0)
            colour = "#2e7d32" if value >= 0 else "#c62828"
            tip = f"{labels[i] if i < len(labels) else ''}: {value}"
            bars.append(f'<rect x="{5 + i * step:.1f}" y="{top:.1f}" width="{step * 0.8:.1f}" '
                        f'height="{max(size, 0.5):.1f}" fill="{colour}">'
                        f"<title>{html.escape(tip)}</title></rect>")
        axis = float(half) + 15
        charts.append(
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'role="img" aria-label="{html.escape(name)}">'
            f'<text x="5" y="11" font-size="11">{html.escape(name)}</text>'
            f'<line x1="0" x2="{width}" y1="{axis}" y2="{axis}" stroke="#888"/>'
            + "".join(bars) + "</svg>")
    return '<div class="charts">' + "".join(charts) + "</div>"


def line_chart(series: Mapping[str, Sequence[Decimal]], labels: Sequence[str],
               width: int = 560, height: int = 180, percent: bool = False) -> str:
    """Several series over the same labels, as lines on one chart, with a legend.

    Args:
        series: Name to one value per label.
        labels: The x-axis labels (months); the first and last are printed.
        width: Width in pixels.
        height: Height in pixels.
        percent: Values are fractions; label the top of the axis as a percentage.

    Returns:
        An ``<svg>`` element.
    """
    values = [v for vals in series.values() for v in vals]
    top = max(max(values, default=Decimal(0)), Decimal(0))
    top = top if top > 0 else Decimal(1)
    plot_h = height - 40
    count = max(len(labels), 2)
    step = (width - 60) / (count - 1)
    lines = []
    for n, (name, vals) in enumerate(series.items()):
        colour = _COLOURS[n % len(_COLOURS)]
        points = " ".join(f"{50 + i * step:.1f},{10 + plot_h - float(v / top) * plot_h:.1f}"
                          for i, v in enumerate(vals))
        lines.append(f'<polyline points="{points}" fill="none" stroke="{colour}" '
                     f'stroke-width="2"/><text x="{55 + 110 * n}" y="{height - 2}" '
                     f'font-size="11" fill="{colour}">{html.escape(name)}</text>')
    top_label = f"{top * 100:.1f} %" if percent else f"{top:,.0f}".replace(",", " ")
    first, last = (labels[0], labels[-1]) if labels else ("", "")
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'role="img"><line x1="50" x2="50" y1="10" y2="{10 + plot_h}" stroke="#888"/>'
            f'<line x1="50" x2="{width - 10}" y1="{10 + plot_h}" y2="{10 + plot_h}" '
            f'stroke="#888"/><text x="2" y="16" font-size="10">{html.escape(top_label)}'
            f'</text><text x="50" y="{plot_h + 24}" font-size="10">{html.escape(first)}</text>'
            f'<text x="{width - 60}" y="{plot_h + 24}" font-size="10">{html.escape(last)}'
            f"</text>" + "".join(lines) + "</svg>")
