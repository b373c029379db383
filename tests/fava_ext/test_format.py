"""Swedish amount formatting and the labels' language."""

from __future__ import annotations

from decimal import Decimal

import pytest

from coopledger.fava_ext.format import (
    LABELS,
    format_amount,
    format_percent,
    format_sek,
    labels,
    language_of,
)

NB = "\u00a0"


@pytest.mark.parametrize(("value", "decimals", "expected"), [
    ("0", 0, "0"),
    ("999", 0, "999"),
    ("1000", 0, f"1{NB}000"),
    ("1234567.891", 0, f"1{NB}234{NB}568"),
    ("1234567.891", 2, f"1{NB}234{NB}567,89"),
    ("-1234.5", 0, "\u22121\u00a0235"),
    ("-0.4", 0, "0"),
    ("-0.004", 2, "0,00"),
    ("12.5", 2, "12,50"),
    ("100000", 0, f"100{NB}000"),
])
def test_format_amount(value: str, decimals: int, expected: str) -> None:
    assert format_amount(Decimal(value), decimals) == expected


def test_format_none_is_empty() -> None:
    assert format_amount(None) == ""
    assert format_sek(None) == ""
    assert format_percent(None) == ""


def test_sek_and_percent() -> None:
    assert format_sek(Decimal("2500")) == f"2{NB}500\u00a0kr"
    assert format_percent(Decimal("0.125")) == "12,5\u00a0%"
    assert format_percent(Decimal("-0.0111")) == "\u22121,1\u00a0%"


def test_language_follows_fava_option() -> None:
    assert language_of(None) == "sv"
    assert language_of("sv") == "sv"
    assert language_of("en") == "en"
    assert language_of("en_GB") == "en"
    assert language_of("de") == "sv"
    assert labels("en")["result"] == "Result"
    assert labels("xx")["result"] == "Resultat"


def test_every_label_exists_in_both_languages() -> None:
    assert set(LABELS["sv"]) == set(LABELS["en"])


@pytest.mark.parametrize("label", ["Resultat", "Kostnader & <skatt>", 'a "b"', ""])
@pytest.mark.parametrize("value", ["-1234.5", "0", "12", None])
@pytest.mark.parametrize("markup", [False, True])
def test_labelled_cell_is_the_templates_markup(label: str, value: str | None,
                                               markup: bool) -> None:
    """``Page.cell`` writes what ``LABELLED_CELL.format`` writes, escaping alike."""
    from markupsafe import Markup

    from coopledger.fava_ext.page import LABELLED_CELL, Page
    from coopledger.i18n import format_amount, labels

    def numbers(text: str) -> str:
        # Fava's incognito filter returns Markup or text; a hostile one is escaped.
        return Markup(f"<b>{text}</b>") if markup else f"<{text}&>"

    page = Page(labels("sv"), "sv", numbers=numbers)
    amount = None if value is None else Decimal(value)
    negative = " neg" if amount is not None and amount < 0 else ""
    expected = LABELLED_CELL.format(negative, label, numbers(format_amount(amount, 0, "sv")))
    assert page.cell(amount, label) == expected
    assert isinstance(page.cell(amount, label), Markup)
