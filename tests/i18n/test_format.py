"""Numbers, amounts, percentages and dates in Swedish and English, through Babel."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coopledger.i18n import (
    format_amount,
    format_date,
    format_month,
    format_month_span,
    format_percent,
    format_period,
    format_sek,
    format_span,
    group_separator,
    minus_sign,
)

NB = "\u00a0"  # Swedish thousands separator in CLDR (Babel)
MINUS = "\u2212"


@pytest.mark.parametrize(("value", "decimals", "sv", "en"), [
    ("0", 0, "0", "0"),
    ("999", 0, "999", "999"),
    ("1000", 0, f"1{NB}000", "1,000"),
    ("1234567.891", 0, f"1{NB}234{NB}568", "1,234,568"),
    ("1234567.891", 2, f"1{NB}234{NB}567,89", "1,234,567.89"),
    ("-1234.5", 0, f"{MINUS}1{NB}235", "-1,235"),
    ("-1234567.885", 2, f"{MINUS}1{NB}234{NB}567,89", "-1,234,567.89"),
    ("2.5", 0, "3", "3"),  # half up, not Babel's half even
    ("-0.4", 0, "0", "0"),
    ("-0.004", 2, "0,00", "0.00"),
    ("5", 2, "5,00", "5.00"),
    ("12.5", 2, "12,50", "12.50"),
    ("100000", 0, f"100{NB}000", "100,000"),
])
def test_format_amount(value: str, decimals: int, sv: str, en: str) -> None:
    assert format_amount(Decimal(value), decimals) == sv
    assert format_amount(Decimal(value), decimals, "sv") == sv
    assert format_amount(Decimal(value), decimals, "en") == en


def test_none_is_empty_in_both_languages() -> None:
    for language in ("sv", "en"):
        assert format_amount(None, 2, language) == ""
        assert format_sek(None, 0, language) == ""
        assert format_percent(None, 1, language) == ""
        assert format_date(None, language) == ""


def test_sek() -> None:
    assert format_sek(Decimal("2500")) == f"2{NB}500{NB}kr"
    assert format_sek(Decimal("-2500.5"), 2, "sv") == f"{MINUS}2{NB}500,50{NB}kr"
    assert format_sek(Decimal("2500"), 0, "en") == f"SEK{NB}2,500"


@pytest.mark.parametrize(("value", "decimals", "sv", "en"), [
    ("0.125", 1, f"12,5{NB}%", "12.5%"),
    ("0.291", 2, f"29,10{NB}%", "29.10%"),
    ("-0.0111", 1, f"{MINUS}1,1{NB}%", "-1.1%"),
    ("0.30", 0, f"30{NB}%", "30%"),
    ("1.5", 0, f"150{NB}%", "150%"),
    ("-0.0004", 1, f"0,0{NB}%", "0.0%"),
    ("0.00125", 1, f"0,1{NB}%", "0.1%"),  # half up
])
def test_format_percent(value: str, decimals: int, sv: str, en: str) -> None:
    assert format_percent(Decimal(value), decimals, "sv") == sv
    assert format_percent(Decimal(value), decimals, "en") == en


def test_dates_and_months() -> None:
    day = datetime.date(2026, 10, 6)
    assert format_date(day) == "6 okt. 2026"
    assert format_date(day, "en") == "6 Oct 2026"
    assert format_date(day, "sv", "short") == "2026-10-06"
    assert format_date(day, "en", "short") == "06/10/2026"
    assert format_date(day, "sv", "long") == "6 oktober 2026"
    assert format_date(day, "en", "iso") == "2026-10-06"
    assert format_month("2026-10") == "okt. 2026"
    assert format_month("2026-05", "en") == "May 2026"
    assert format_month(day, "en") == "Oct 2026"


def test_unknown_language_is_swedish() -> None:
    assert format_amount(Decimal("-1234.5"), 1, "de") == f"{MINUS}1{NB}234,5"
    assert minus_sign("sv") == MINUS
    assert minus_sign("en") == "-"
    assert group_separator("sv") == NB
    assert group_separator("en") == ","


def _parse(text: str, language: str) -> Decimal:
    group, decimal = (group_separator("sv"), ",") if language == "sv" else (",", ".")
    plain = text.replace(group, "").replace(decimal, ".").replace(minus_sign(language), "-")
    return Decimal(plain)


@given(ore=st.integers(min_value=-10**13, max_value=10**13),
       decimals=st.integers(min_value=0, max_value=3),
       language=st.sampled_from(["sv", "en"]))
def test_amount_reads_back_as_the_rounded_value(ore: int, decimals: int,
                                                language: str) -> None:
    value = Decimal(ore).scaleb(-2)
    text = format_amount(value, decimals, language)
    expected = value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    assert _parse(text, language) == expected
    assert not text.startswith(minus_sign(language)) or expected < 0
    whole = text.lstrip(minus_sign(language)).split("," if language == "sv" else ".")[0]
    groups = whole.split(group_separator(language))
    assert all(len(g) == 3 for g in groups[1:])
    assert 1 <= len(groups[0]) <= 3


def test_months_spans_and_periods() -> None:
    """CLDR's ranges: Swedish with an en dash, English with thin spaces around it."""
    oct1, nov30 = datetime.date(2026, 10, 1), datetime.date(2026, 11, 30)
    assert format_month("2026-10", "sv", "long") == "oktober 2026"
    assert format_month("2026-10", "en", "long") == "October 2026"
    assert format_span(datetime.date(2026, 1, 1), nov30, "sv") == "1 jan.–30 nov. 2026"
    assert format_span(datetime.date(2026, 1, 1), nov30, "en") == "1 Jan\u2009–\u200930 Nov 2026"
    assert format_month_span(oct1, nov30, "sv") == "okt.–nov. 2026"
    jan1, dec31 = datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)
    for label, start, last, sv, en in (
            ("2026-10", oct1, datetime.date(2026, 10, 31), "oktober 2026", "October 2026"),
            ("2026-Q3", datetime.date(2026, 7, 1), datetime.date(2026, 9, 30), "K3 2026",
             "Q3 2026"),
            ("2026", jan1, dec31, "2026", "2026"),  # no date in it: as typed
            ("2025-03 - 2025-08", datetime.date(2025, 3, 1), datetime.date(2025, 8, 31),
             "2025-03 - 2025-08", "2025-03 - 2025-08"),  # Fava's range, as typed
            ("2026-01-02 – 2026-11-30", datetime.date(2026, 1, 2), nov30,
             "2 jan.–30 nov. 2026", "2 Jan\u2009–\u200930 Nov 2026"),
            ("2026-01 – 2026-11", jan1, nov30, "jan.–nov. 2026", "Jan\u2009–\u2009Nov 2026"),
            ("2026 (2026-01-01 – 2026-11-30)", jan1, nov30, "2026 (1 jan.–30 nov. 2026)",
             "2026 (1 Jan\u2009–\u200930 Nov 2026)")):
        assert format_period(label, start, last, "sv") == sv, label
        assert format_period(label, start, last, "en") == en, label
    # a label that looks like a month but is not the period's is left alone
    assert format_period("2026-10", jan1, dec31, "sv") == "2026-10"


def _babel_amount(value: Decimal, decimals: int, language: str) -> str:
    """``format_amount`` as Babel alone writes it (the slow path it takes for a locale
    whose pattern Python's format cannot write)."""
    from babel.numbers import format_decimal

    from coopledger.i18n.format import _pattern, _rounded, _signed, locale_of

    return _signed(format_decimal(_rounded(value, decimals),
                                  format=_pattern(language, "decimal", decimals),
                                  locale=locale_of(language)), language)


@given(digits=st.integers(min_value=-10**20, max_value=10**20),
       exponent=st.integers(min_value=-6, max_value=2),
       decimals=st.integers(min_value=0, max_value=4),
       language=st.sampled_from(["sv", "en", "de"]))
def test_amount_is_babels_text(digits: int, exponent: int, decimals: int,
                               language: str) -> None:
    """The fast path writes exactly what Babel writes: signs, groups, rounding, zero."""
    value = Decimal(digits).scaleb(exponent)
    assert format_amount(value, decimals, language) == _babel_amount(value, decimals,
                                                                    language)


def _babel_percent(value: Decimal, decimals: int, language: str) -> str:
    """``format_percent`` as Babel alone writes it."""
    from babel.numbers import format_percent as babel_percent

    from coopledger.i18n.format import _pattern, _rounded, _signed, locale_of

    return _signed(babel_percent(_rounded(value * 100, decimals) / 100,
                                 format=_pattern(language, "percent", decimals),
                                 locale=locale_of(language)), language)


@given(digits=st.integers(min_value=-10**12, max_value=10**12),
       exponent=st.integers(min_value=-10, max_value=0),
       decimals=st.integers(min_value=0, max_value=3),
       language=st.sampled_from(["sv", "en", "de"]))
def test_percent_is_babels_text(digits: int, exponent: int, decimals: int,
                                language: str) -> None:
    """The fast path writes exactly what Babel writes for a percentage."""
    value = Decimal(digits).scaleb(exponent)
    assert format_percent(value, decimals, language) == _babel_percent(value, decimals,
                                                                      language)


@pytest.mark.parametrize("value", ["0", "-0", "-0.004", "0.005", "-0.005", "999.995",
                                   "-999999.5", "1234567.891", "1E+5", "-1.0E-7"])
def test_amount_is_babels_text_at_the_edges(value: str) -> None:
    for language in ("sv", "en"):
        for decimals in range(4):
            assert format_amount(Decimal(value), decimals, language) == _babel_amount(
                Decimal(value), decimals, language)
            assert format_percent(Decimal(value), decimals, language) == _babel_percent(
                Decimal(value), decimals, language)
