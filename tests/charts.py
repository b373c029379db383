"""Reading drawn charts back: is an open month ever drawn as a final result?"""

from __future__ import annotations

import re

from coopledger.svgchart import shown

SVG = re.compile(r"<svg\b.*?</svg>", re.S)


def assert_drawn_preliminary(html: str, month: str) -> int:
    """Check every chart in ``html`` draws ``month`` as preliminary, never as a result.

    A line chart has a hatched band for the month, and each series' solid line stops at
    the last final point (``data-preliminary-from``) with a dashed stretch after it; a
    bar chart's bar of the month is pale, dashed and says so in its tooltip.

    Returns:
        How many charts were checked (the caller asserts it found some).
    """
    checked = 0
    for chart in SVG.findall(html):
        start = re.search(r'data-preliminary-from="(\d+)"', chart.split(">", 1)[0])
        assert start, f"a chart without a preliminary mark: {chart[:200]}"
        if 'class="coop-bars"' in chart:
            names = "|".join(re.escape(name) for name in
                             {month, *(shown(month, language) for language in ("sv", "en"))})
            bars = re.findall(rf"<rect ([^>]*)><title>(?:{names}): ([^<]*)</title>", chart)
            assert bars, chart[:200]
            for attributes, tip in bars:
                assert 'class="coop-preliminary"' in attributes, attributes
                assert tip.endswith(("(preliminär)", "(preliminary)")), tip
        else:
            assert f'<rect class="coop-prelim-band" data-month="{month}"' in chart, chart[:200]
            solid = re.findall(r'<polyline class="coop-series" [^>]*points="([^"]*)"', chart)
            dashed = re.findall(r'<polyline class="coop-series-preliminary"', chart)
            assert solid, chart[:200]
            assert len(dashed) == len(solid)
            for points in solid:
                assert len(points.split()) == int(start[1])
        checked += 1
    return checked
