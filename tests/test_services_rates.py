"""Employer contribution rates against hand-computed cases at every boundary."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from coopledger.errors import CoopException
from coopledger.services.rates import employer_contribution

D = Decimal
MAR31 = datetime.date(2026, 3, 31)
APR1 = datetime.date(2026, 4, 1)


@pytest.mark.parametrize(("birth_year", "paid", "basis", "expected"), [
    # Full rate: 30000 * 31.42 % = 9426.00
    (1990, datetime.date(2025, 6, 25), "30000.00", "9426.00"),
    # Older rate, 2024: born 1957 reduced, 1958 full (1958 joins the group only in 2025).
    (1957, datetime.date(2024, 6, 25), "20000.00", "2042.00"),
    (1958, datetime.date(2024, 6, 25), "20000.00", "6284.00"),
    # 2025 and 2026: born 1958 reduced, 1959 full.
    (1958, datetime.date(2025, 6, 25), "20000.00", "2042.00"),
    (1959, datetime.date(2025, 6, 25), "20000.00", "6284.00"),
    (1958, datetime.date(2026, 6, 25), "20000.00", "2042.00"),
    # Lower edge of the reduced group, and nothing for born 1937 or earlier.
    (1938, datetime.date(2026, 6, 25), "20000.00", "2042.00"),
    (1937, datetime.date(2026, 6, 25), "20000.00", "0.00"),
    (1930, datetime.date(2024, 6, 25), "20000.00", "0.00"),
    # Youth reduction from 1 April 2026: 20000 * 20.81 % = 4162.00
    (2005, MAR31, "20000.00", "6284.00"),
    (2005, APR1, "20000.00", "4162.00"),
    # Birth-year edges for 2026: 2003 and 2007 are in, 2002 and 2008 out.
    (2003, APR1, "20000.00", "4162.00"),
    (2007, APR1, "20000.00", "4162.00"),
    (2002, APR1, "20000.00", "6284.00"),
    (2008, APR1, "20000.00", "6284.00"),
    # The 25,000 ceiling: 25000 * 20.81 % = 5202.50; above, the rest at 31.42 %.
    (2004, APR1, "25000.00", "5202.50"),
    (2004, APR1, "25000.01", "5202.50"),  # 5202.50 + 0.0031 rounds to 5202.50
    (2004, APR1, "30000.00", "6773.50"),  # 5202.50 + 5000 * 31.42 % = 1571.00
    # 2027: the group moves by a year (born 2004-2008), until 30 September 2027 - but
    # the table has no 2027 base rates yet, which is an error (see below).
])
def test_contribution(birth_year: int, paid: datetime.date, basis: str,
                      expected: str) -> None:
    assert employer_contribution(D(basis), birth_year, paid).amount == D(expected)


def test_youth_explanation_names_both_parts() -> None:
    result = employer_contribution(D("26000.00"), 2005, APR1)
    assert result.amount == D("5516.70")  # 5202.50 + 1000 * 0.3142
    assert result.explanation == "20.81 % on 25000.00 + 31.42 % on 1000.00"


def test_year_without_rates_is_an_error() -> None:
    with pytest.raises(CoopException, match="no employer contribution rates for 2027"):
        employer_contribution(D("20000"), 1990, datetime.date(2027, 1, 25))
