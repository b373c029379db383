"""The contractual schedule of a loan: due dates, payment, interest, principal.

Interest is computed on the declining balance with the loan's day count:

- ACT/365 (Fixed): actual days / 365;
- ACT/360: actual days / 360;
- 30/360 (ISDA bond basis): 360 x years + 30 x months + days, where a 31st start day
  counts as the 30th, and a 31st end day as the 30th when the start day is the 30th/31st.

An annuity pays ``P x r / (1 - (1 + r)^-n)`` per instalment (``r`` the periodic rate,
annual rate x months / 12; ``n`` the instalments left), recomputed when the rate changes;
equal principal repays ``P / n`` each time. Each instalment's interest and principal are
rounded to the öre; the last instalment absorbs the remainder so that the principal
repaid equals the principal lent exactly. Instalments in the principal grace pay
interest only.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from coopledger.fund.loans import Amortization, DayCount, due_date
from coopledger.money import ZERO, round_ore

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Instalment:
    """One contractual instalment.

    Attributes:
        number: 1 for the first instalment.
        due: The due date.
        payment: Interest plus principal.
        interest: The interest part, to the öre.
        principal: The principal part, to the öre.
        remaining: The principal left after this instalment.
    """

    number: int
    due: datetime.date
    payment: Decimal
    interest: Decimal
    principal: Decimal
    remaining: Decimal


@dataclass(frozen=True)
class Terms:
    """The terms a schedule is built from (a loan's, or a reschedule's).

    Attributes:
        principal: The principal to schedule.
        start: The day interest starts to run.
        rates: ``(effective date, annual percent)`` pairs in date order; the first one
            applies from the start.
        first_due: The first due date.
        count: The number of instalments.
        months: Months between due dates.
        amortization: annuity or equal principal.
        day_count: The day-count convention.
        grace_principal: Number of first instalments that pay interest only.
        first_number: The number given to the first instalment.
    """

    principal: Decimal
    start: datetime.date
    rates: tuple[tuple[datetime.date, Decimal], ...]
    first_due: datetime.date
    count: int
    months: int
    amortization: Amortization
    day_count: DayCount
    grace_principal: int = 0
    first_number: int = 1


def day_count_30_360(start: datetime.date, end: datetime.date) -> int:
    """Days between two dates under 30/360 (ISDA 2006 section 4.16(f), bond basis)."""
    d1 = min(start.day, 30)
    d2 = 30 if end.day == 31 and d1 == 30 else end.day
    return 360 * (end.year - start.year) + 30 * (end.month - start.month) + (d2 - d1)


def year_fraction(start: datetime.date, end: datetime.date, convention: DayCount) -> Decimal:
    """The fraction of a year from ``start`` to ``end`` under a day-count convention.

    Args:
        start: The first day counted.
        end: The day after the last day counted.
        convention: ACT/365, ACT/360 or 30/360.

    Returns:
        The fraction, exact (no rounding).
    """
    if convention is DayCount.THIRTY_360:
        return Decimal(day_count_30_360(start, end)) / 360
    days = Decimal((end - start).days)
    return days / (365 if convention is DayCount.ACT_365 else 360)


def rate_on(rates: Sequence[tuple[datetime.date, Decimal]], day: datetime.date) -> Decimal:
    """The annual percent rate in force on ``day`` (the first one before any change)."""
    current = rates[0][1]
    for effective, rate in rates:
        if effective <= day:
            current = rate
    return current


def interest_between(balance: Decimal, start: datetime.date, end: datetime.date,
                     rates: Sequence[tuple[datetime.date, Decimal]],
                     convention: DayCount) -> Decimal:
    """Unrounded interest on a constant balance from ``start`` to ``end`` (half-open).

    A rate change inside the range splits it; each part uses its own rate.
    """
    if end <= start or balance == 0:
        return ZERO
    cuts = [start, *(d for d, _ in rates if start < d < end), end]
    total = ZERO
    for left, right in itertools.pairwise(cuts):
        total += balance * rate_on(rates, left) / HUNDRED * year_fraction(left, right,
                                                                          convention)
    return total


def annuity_payment(balance: Decimal, annual_percent: Decimal, months: int,
                    count: int) -> Decimal:
    """The level payment repaying ``balance`` in ``count`` instalments, to the öre."""
    rate = annual_percent / HUNDRED * months / 12
    if rate == 0:
        return round_ore(balance / count)
    return round_ore(balance * rate / (1 - (1 + rate) ** -count))


def build_schedule(terms: Terms) -> list[Instalment]:
    """The contractual schedule for a set of terms.

    Args:
        terms: Principal, dates, rates and amortization.

    Returns:
        The instalments in due-date order; the principal parts sum to the principal.
    """
    balance = terms.principal
    previous = terms.start
    payment = ZERO
    payment_rate: Decimal | None = None
    equal_part = ZERO
    instalments: list[Instalment] = []
    for index in range(terms.count):
        due = due_date(terms.first_due, index, terms.months)
        interest = round_ore(interest_between(balance, previous, due, terms.rates,
                                              terms.day_count))
        left = terms.count - index
        if index < terms.grace_principal:
            principal = ZERO
        elif left == 1:
            principal = balance
        elif terms.amortization is Amortization.EQUAL_PRINCIPAL:
            if index == terms.grace_principal:
                equal_part = round_ore(balance / left)
            principal = min(balance, equal_part)
        else:
            rate = rate_on(terms.rates, previous)
            if index == terms.grace_principal or rate != payment_rate:
                payment, payment_rate = annuity_payment(balance, rate, terms.months, left), rate
            principal = min(balance, max(ZERO, payment - interest))
        balance -= principal
        instalments.append(Instalment(terms.first_number + index, due, interest + principal,
                                      interest, principal, balance))
        previous = due
    return instalments
