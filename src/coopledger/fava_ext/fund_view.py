"""The fund page's figures: :func:`coopledger.fund.fund_report` and its history by month.

The report is the fund's own (capital base, cash available, the loan book with status
and days past due, PAR1/30/60/90, provisions, write-offs, members' shares); this module
adds the gross portfolio and PAR at each month end of the period, from each loan's state
(:func:`coopledger.fund.loan_states`) under the report's own PAR rule, for the charts.
In a member's own books the page shows that member's loans instead
(:func:`member_loans_view`): each loan's state and its repayment schedule.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from coopledger.books import Books
from coopledger.fava_ext.decide_view import preliminary_months
from coopledger.fund import (
    CapitalLine,
    FundReport,
    capital_lines,
    first_reportable_day,
    fund_report,
    loan_states,
)
from coopledger.fund.report import PAR_DAYS
from coopledger.member_loans import MemberLoan, member_loans
from coopledger.periods import Period
from coopledger.svgchart import LineChart, first_preliminary, line_chart

ZERO = Decimal(0)


@dataclass(frozen=True)
class FundMonth:
    """The portfolio at one month end.

    Attributes:
        month: The month (``2026-03``).
        date: The day its figures are taken (the month's last day, or the report date).
        gross: The outstanding principal of all the fund's loans.
        par: PARn ratio (4 decimals) by n.
        par_amounts: The principal at risk behind each ratio.
    """

    month: str
    date: datetime.date
    gross: Decimal
    par: dict[int, Decimal]
    par_amounts: dict[int, Decimal]


@dataclass(frozen=True)
class FundView:
    """The fund page: the report on the period's last day, its history and two charts."""

    report: FundReport
    names: dict[str, str]
    history: tuple[FundMonth, ...]
    portfolio_chart: LineChart
    par_chart: LineChart

    @property
    def capital(self) -> tuple[CapitalLine, ...]:
        """The capital base's split, as the board pack shows it
        (:func:`coopledger.fund.capital_lines`)."""
        return capital_lines(self.report)


def report_date(books: Books, period: Period) -> datetime.date:
    """The period's last day, but not after the books' last entry (no invented arrears)."""
    return min(period.last_day, books.last_date)


def fund_history(books: Books, report: FundReport, period: Period) -> tuple[FundMonth, ...]:
    """Gross portfolio and PAR at each month end of the period, up to the report date.

    Args:
        books: The books.
        report: The fund report at the period's end (its loans are the ones shown).
        period: The period.

    Returns:
        One row per month that starts on or before the report date.
    """
    first = first_reportable_day(books)  # daily books: no loan history before the cut
    shown = []
    for month in period.months():
        if month.start > report.date:
            break
        day = min(month.last_day, report.date)
        if first is None or day >= first:
            shown.append((month.label, day))
    days = [day for _, day in shown]
    # One history per loan (its schedule built once), then one row per month end.
    histories = [loan_states(books, line.loan_id, days) for line in report.loans]
    rows = []
    for index, (label, day) in enumerate(shown):
        states = [history[index] for history in histories]
        gross = sum((s.outstanding_principal for s in states), ZERO)
        amounts = {n: sum((s.outstanding_principal for s in states if s.days_past_due > n),
                          ZERO) for n in PAR_DAYS}
        par = {n: (amount / gross).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
               if gross else ZERO for n, amount in amounts.items()}
        rows.append(FundMonth(label, day, gross, par, amounts))
    return tuple(rows)


def fund_view(books: Books, period: Period) -> FundView:
    """Build the fund page for a period.

    Args:
        books: The books (Fava's filters applied).
        period: The chosen period; the report is taken on its last day (or the books'
            last entry, if earlier).

    Returns:
        The page's figures.

    Raises:
        CoopException: The books declare no fund.
    """
    report = fund_report(books, report_date(books, period))
    history = fund_history(books, report, period)
    labels = [m.month for m in history]
    preliminary = first_preliminary(labels, preliminary_months(books, period))
    portfolio = line_chart("portfolio_over_time", labels, {
        "gross_portfolio": [m.gross for m in history],
        "at_risk_30": [m.par_amounts[30] for m in history],
    }, preliminary_from=preliminary)
    par = line_chart("par_over_time", labels, {
        f"PAR{n}": [m.par[n] for m in history] for n in PAR_DAYS}, percent=True,
        preliminary_from=preliminary)
    names = {code: entity.name for code, entity in books.entities.items()}
    return FundView(report, names, history, portfolio, par)


@dataclass(frozen=True)
class MemberLoansView:
    """The fund page in a member's own books: its loans, their schedules and states."""

    member: str
    date: datetime.date
    loans: tuple[MemberLoan, ...]
    names: dict[str, str]


def member_loans_view(books: Books, code: str, period: Period) -> MemberLoansView:
    """A member's loans from the fund on the period's last day (or the books' last entry).

    Args:
        books: The member's own books.
        code: The member.
        period: The chosen period.

    Returns:
        The page's figures, read from the member's own side of each loan
        (:func:`coopledger.member_loans.member_loans`).
    """
    date = report_date(books, period)
    names = {code: entity.name for code, entity in books.entities.items()}
    return MemberLoansView(code, date, tuple(member_loans(books, code, date)), names)
