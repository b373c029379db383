"""The key ratios speak through the catalogue and the one formatter."""

from __future__ import annotations

from decimal import Decimal

from coopledger.i18n import labels
from coopledger.ratios import Ratio
from coopledger.thresholds import RATIOS


def test_ratio_names_are_the_catalogues() -> None:
    for key, kind in RATIOS.items():
        assert kind.sv == labels("sv")[f"ratio.{key}"]
        assert kind.en == labels("en")[f"ratio.{key}"]


def test_ratio_sentences_in_both_languages() -> None:
    kind = RATIOS["equity-ratio"]
    ratio = Ratio(kind, Decimal("31.25"), kind.good, kind.bad)
    assert ratio.text("sv") == ("Soliditet 31,3\u00a0%: bra (bra från 30,0\u00a0%, dåligt under "
                                "15,0\u00a0%)")
    assert ratio.text("en") == "Equity ratio 31.3%: good (good from 30.0%, bad below 15.0%)"
    par = RATIOS["par30"]
    late = Ratio(par, Decimal("-1234.5"), par.good, par.bad)
    assert late.number(Decimal("-1234.5"), "sv") == "\u22121\u00a0234,5\u00a0%"
    months = RATIOS["cash-months"]
    assert Ratio(months, Decimal("2.25"), months.good, months.bad).text("en") == (
        "Months of costs in cash 2.3 months: watch (good from 3.0 months, bad below "
        "1.0 months)")
    empty = Ratio(months, None, months.good, months.bad, ("inga", "none"))
    assert empty.text("sv") == "Kassa i månaders kostnader: inga"
    assert empty.text("en") == "Months of costs in cash: none"
