"""Dated rate tables: employer contributions (arbetsgivaravgifter) and VAT.

Every rate that depends on the date or on the employee's birth year lives in the two
tables below, so that next year's rate is a one-line change. Sources: Skatteverket's
published rates for 2024-2026 (re-check them before relying on them for a real filing).

- The full rate is 31.42 %.
- People born 1938-1957 (2024) or 1938-1958 (2025-2026) pay only the pension part,
  10.21 %; people born 1937 or earlier pay nothing.
- Youth reduction: for pay from 1 April 2026 to 30 September 2027, people aged 18 to 22
  at the start of the year pay 20.81 % on pay up to 25,000 SEK a month, and the full rate
  on the part above. "Aged N at the start of the year" follows Skatteverket's convention
  (``year - birth year - 1``), so for 2026 the reduction covers people born 2003-2007.

The basis is the month's gross pay plus taxable benefits; the contribution is rounded to
the öre, half up, per employee and month.

VAT rates (25, 12 and 6 %) are in :data:`VAT_RATES`, dated the same way.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from coopledger.errors import CoopException
from coopledger.money import ZERO, round_ore

#: The default vacation pay liability accrued on gross pay (semesterlön, 12 %).
VACATION_PAY_PERCENT = Decimal("12")


@dataclass(frozen=True)
class ContributionRates:
    """The contribution rates in force between two dates (both inclusive).

    Attributes:
        valid_from: First payment date covered.
        valid_to: Last payment date covered.
        full: The full rate, in percent.
        older: The reduced rate (pension part only), in percent.
        older_born: First and last birth year paying the reduced rate.
        none_born_until: Born in this year or earlier: no contribution.
    """

    valid_from: datetime.date
    valid_to: datetime.date
    full: Decimal
    older: Decimal
    older_born: tuple[int, int]
    none_born_until: int


@dataclass(frozen=True)
class YouthReduction:
    """A temporary reduced rate for young employees on pay up to a monthly ceiling.

    Attributes:
        valid_from: First payment date covered.
        valid_to: Last payment date covered.
        rate: The reduced rate, in percent.
        monthly_ceiling: Pay per month up to which the reduced rate applies.
        min_age: Youngest age at the start of the year (``year - birth year - 1``).
        max_age: Oldest age at the start of the year.
    """

    valid_from: datetime.date
    valid_to: datetime.date
    rate: Decimal
    monthly_ceiling: Decimal
    min_age: int
    max_age: int

    def covers(self, birth_year: int, paid: datetime.date) -> bool:
        """Whether pay on ``paid`` to someone born in ``birth_year`` is reduced."""
        if not self.valid_from <= paid <= self.valid_to:
            return False
        age_at_year_start = paid.year - birth_year - 1
        return self.min_age <= age_at_year_start <= self.max_age


CONTRIBUTION_RATES: tuple[ContributionRates, ...] = (
    ContributionRates(datetime.date(2024, 1, 1), datetime.date(2024, 12, 31),
                      Decimal("31.42"), Decimal("10.21"), (1938, 1957), 1937),
    ContributionRates(datetime.date(2025, 1, 1), datetime.date(2026, 12, 31),
                      Decimal("31.42"), Decimal("10.21"), (1938, 1958), 1937),
)

YOUTH_REDUCTIONS: tuple[YouthReduction, ...] = (
    YouthReduction(datetime.date(2026, 4, 1), datetime.date(2027, 9, 30),
                   Decimal("20.81"), Decimal("25000"), 18, 22),
)


@dataclass(frozen=True)
class Contribution:
    """Employer contributions on one employee's month of pay, with how they were found.

    Attributes:
        amount: The contribution, rounded to the öre.
        explanation: The rates and the bases they applied to, for metadata
            (``"20.81 % on 25000.00 + 31.42 % on 1200.00"``).
    """

    amount: Decimal
    explanation: str


def rates_on(paid: datetime.date) -> ContributionRates:
    """The contribution rates in force on a payment date.

    Raises:
        CoopException: The table has no rates for that date (add a row to
            :data:`CONTRIBUTION_RATES`).
    """
    for rates in CONTRIBUTION_RATES:
        if rates.valid_from <= paid <= rates.valid_to:
            return rates
    raise CoopException(f"no employer contribution rates for {paid}: add the year's rates "
                        "to coopledger.services.rates.CONTRIBUTION_RATES")


def _part(rate: Decimal, basis: Decimal) -> str:
    return f"{rate} % on {round_ore(basis)}"


def employer_contribution(basis: Decimal, birth_year: int,
                          paid: datetime.date) -> Contribution:
    """Employer contributions on one employee's pay for one month.

    Args:
        basis: Gross pay plus taxable benefits for the month.
        birth_year: The employee's year of birth.
        paid: The payment date (it decides which rates apply).

    Returns:
        The contribution and an explanation of the rates used.

    Raises:
        CoopException: No rates are known for the date.
    """
    rates = rates_on(paid)
    if birth_year <= rates.none_born_until:
        return Contribution(ZERO.quantize(Decimal("0.01")),
                            f"0 % (born {birth_year}, {rates.none_born_until} or earlier)")
    low, high = rates.older_born
    if low <= birth_year <= high:
        return Contribution(round_ore(basis * rates.older / 100), _part(rates.older, basis))
    for youth in YOUTH_REDUCTIONS:
        if youth.covers(birth_year, paid) and basis > 0:
            reduced = min(basis, youth.monthly_ceiling)
            above = basis - reduced
            amount = round_ore(reduced * youth.rate / 100 + above * rates.full / 100)
            text = _part(youth.rate, reduced)
            if above > 0:
                text += " + " + _part(rates.full, above)
            return Contribution(amount, text)
    return Contribution(round_ore(basis * rates.full / 100), _part(rates.full, basis))


@dataclass(frozen=True)
class VatRates:
    """The VAT rates in force between two dates (both inclusive), in percent.

    Attributes:
        valid_from: First supply date covered.
        valid_to: Last supply date covered.
        general: The general rate (services, most goods).
        reduced: The middle rate (restaurants, hotels).
        low: The low rate (books, passenger transport, culture; food from April 2026).
    """

    valid_from: datetime.date
    valid_to: datetime.date
    general: Decimal
    reduced: Decimal
    low: Decimal


#: Swedish VAT rates (DOMAIN.md section 4). Food moved from 12 % to 6 % on 1 April 2026,
#: which changes which goods take a rate, not the three rates themselves.
VAT_RATES: tuple[VatRates, ...] = (
    VatRates(datetime.date(2024, 1, 1), datetime.date(2027, 12, 31),
             Decimal("25"), Decimal("12"), Decimal("6")),
)


def vat_rates_on(supplied: datetime.date) -> VatRates:
    """The VAT rates in force on a supply date.

    Raises:
        CoopException: The table has no rates for that date (add a row to
            :data:`VAT_RATES`).
    """
    for rates in VAT_RATES:
        if rates.valid_from <= supplied <= rates.valid_to:
            return rates
    raise CoopException(f"no VAT rates for {supplied}: add them to "
                        "coopledger.services.rates.VAT_RATES")
