"""Schedules and day counts against values computed here from the definitions."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given
from hypothesis import strategies as st

from coopledger.fund.loans import Amortization, DayCount, due_date
from coopledger.fund.schedule import (
    Terms,
    annuity_payment,
    build_schedule,
    day_count_30_360,
    year_fraction,
)

D = datetime.date
ORE = Decimal("0.01")


JAN_1, FEB_1 = D(2025, 1, 1), D(2025, 2, 1)


def terms(principal: str, rate: str, count: int, *, start: D = JAN_1,
          first: D = FEB_1, months: int = 1,
          amortization: Amortization = Amortization.ANNUITY,
          day_count: DayCount = DayCount.THIRTY_360, grace: int = 0,
          rates: tuple[tuple[D, Decimal], ...] = ()) -> Terms:
    return Terms(Decimal(principal), start, ((start, Decimal(rate)), *rates), first, count,
                 months, amortization, day_count, grace)


def r2(value: Decimal) -> Decimal:
    return value.quantize(ORE, rounding=ROUND_HALF_UP)


@pytest.mark.parametrize(("start", "end", "days"), [
    (D(2025, 1, 31), D(2025, 2, 28), 28),   # D1 31 -> 30; Feb end is not adjusted
    (D(2025, 1, 30), D(2025, 3, 31), 60),   # D2 31 -> 30 because D1 is 30
    (D(2025, 1, 15), D(2025, 3, 31), 76),   # D2 stays 31 when D1 < 30
    (D(2024, 2, 29), D(2025, 2, 28), 359),  # leap day start
    (D(2025, 1, 1), D(2026, 1, 1), 360),
])
def test_30_360_day_count_follows_isda_bond_basis(start: D, end: D, days: int) -> None:
    assert day_count_30_360(start, end) == days


def test_actual_day_counts_see_the_leap_day() -> None:
    # 2024 is a leap year: 1 Feb to 1 Mar is 29 actual days.
    assert year_fraction(D(2024, 2, 1), D(2024, 3, 1), DayCount.ACT_365) == Decimal(29) / 365
    assert year_fraction(D(2024, 2, 1), D(2024, 3, 1), DayCount.ACT_360) == Decimal(29) / 360
    assert year_fraction(D(2024, 1, 1), D(2025, 1, 1), DayCount.ACT_365) == Decimal(366) / 365
    assert year_fraction(D(2025, 2, 1), D(2025, 3, 1), DayCount.ACT_365) == Decimal(28) / 365


def test_month_end_due_dates_stay_at_month_end() -> None:
    dues = [due_date(D(2024, 1, 31), k, 1) for k in range(4)]
    assert dues == [D(2024, 1, 31), D(2024, 2, 29), D(2024, 3, 31), D(2024, 4, 30)]
    assert [due_date(D(2025, 1, 30), k, 1) for k in range(3)] == [
        D(2025, 1, 30), D(2025, 2, 28), D(2025, 3, 30)]
    assert due_date(D(2024, 2, 29), 1, 12) == D(2025, 2, 28)


def test_annuity_matches_the_textbook_formula() -> None:
    # 100 000 at 6 % a year, 24 monthly instalments, 30/360: periodic rate 0.5 %.
    r = Decimal("0.005")
    pmt = r2(Decimal(100000) * r / (1 - (1 + r) ** -24))
    assert pmt == Decimal("4432.06")
    schedule = build_schedule(terms("100000.00", "6.00", 24))
    balance = Decimal("100000.00")
    for inst in schedule[:-1]:
        interest = r2(balance * r)
        assert (inst.interest, inst.principal, inst.payment) == (interest, pmt - interest, pmt)
        balance -= pmt - interest
        assert inst.remaining == balance
    last = schedule[-1]
    assert last.principal == balance  # the last absorbs the rounding remainder
    assert last.interest == r2(balance * r)
    assert last.remaining == 0
    assert sum(i.principal for i in schedule) == Decimal("100000.00")


def test_annuity_payment_with_zero_rate_is_equal_parts() -> None:
    assert annuity_payment(Decimal("1000.00"), Decimal(0), 1, 3) == Decimal("333.33")
    schedule = build_schedule(terms("1000.00", "0", 3))
    assert [i.principal for i in schedule] == [Decimal("333.33"), Decimal("333.33"),
                                               Decimal("333.34")]


def test_equal_principal_with_act_365_and_a_leap_february() -> None:
    schedule = build_schedule(terms("12000.00", "5.00", 3, start=D(2024, 1, 31),
                                    first=D(2024, 2, 29), amortization=Amortization.EQUAL_PRINCIPAL,
                                    day_count=DayCount.ACT_365))
    assert [i.due for i in schedule] == [D(2024, 2, 29), D(2024, 3, 31), D(2024, 4, 30)]
    # Interest on the declining balance for 29, 31 and 30 actual days over 365.
    expected = [r2(Decimal(12000) * Decimal("0.05") * 29 / 365),
                r2(Decimal(8000) * Decimal("0.05") * 31 / 365),
                r2(Decimal(4000) * Decimal("0.05") * 30 / 365)]
    assert [i.interest for i in schedule] == expected == [
        Decimal("47.67"), Decimal("33.97"), Decimal("16.44")]
    assert [i.principal for i in schedule] == [Decimal("4000.00")] * 3


def test_equal_principal_remainder_goes_to_the_last() -> None:
    schedule = build_schedule(terms("1000.00", "4.00", 3,
                                    amortization=Amortization.EQUAL_PRINCIPAL))
    assert [i.principal for i in schedule] == [Decimal("333.33"), Decimal("333.33"),
                                               Decimal("333.34")]


def test_grace_on_principal_pays_interest_only_then_amortizes_the_rest() -> None:
    schedule = build_schedule(terms("60000.00", "6.00", 6, grace=2))
    assert [i.principal for i in schedule[:2]] == [0, 0]
    assert [i.interest for i in schedule[:2]] == [Decimal("300.00")] * 2
    r = Decimal("0.005")
    pmt = r2(Decimal(60000) * r / (1 - (1 + r) ** -4))
    assert schedule[2].payment == pmt
    assert sum(i.principal for i in schedule) == Decimal("60000.00")


def test_irregular_first_period_and_quarterly_act_360() -> None:
    schedule = build_schedule(terms("40000.00", "8.00", 4, start=D(2025, 1, 15),
                                    first=D(2025, 3, 31), months=3,
                                    day_count=DayCount.ACT_360))
    assert [i.due for i in schedule] == [D(2025, 3, 31), D(2025, 6, 30), D(2025, 9, 30),
                                         D(2025, 12, 31)]
    assert schedule[0].interest == r2(Decimal(40000) * Decimal("0.08") * 75 / 360)
    assert schedule[1].interest == r2(schedule[0].remaining * Decimal("0.08") * 91 / 360)
    assert sum(i.principal for i in schedule) == Decimal("40000.00")


def test_rate_change_splits_the_period_and_recomputes_the_payment() -> None:
    change = D(2025, 3, 16)
    schedule = build_schedule(terms("10000.00", "6.00", 4,
                                    rates=((change, Decimal("12.00")),)))
    balance = schedule[1].remaining
    # 1 Mar to 16 Mar at 6 %, 16 Mar to 1 Apr at 12 % (30/360: 15 and 15 days).
    expected = r2(balance * Decimal("0.06") * 15 / 360 + balance * Decimal("0.12") * 15 / 360)
    assert schedule[2].interest == expected
    r = Decimal("0.01")
    assert schedule[3].payment == r2(schedule[2].remaining * (1 + r))
    assert sum(i.principal for i in schedule) == Decimal("10000.00")


@given(first=st.dates(datetime.date(1990, 1, 1), datetime.date(2080, 12, 31)),
       index=st.integers(0, 240), months=st.sampled_from([1, 3, 6, 12]))
def test_due_dates_are_relativedeltas_months(first: datetime.date, index: int,
                                             months: int) -> None:
    """The same dates as ``relativedelta``: the day clipped to short months, and a first
    due date at a month's end kept at every month's end."""
    moved = first + relativedelta(months=index * months)
    if (first + datetime.timedelta(days=1)).day == 1:
        moved += relativedelta(day=31)
    assert due_date(first, index, months) == moved
