"""The fund report: the loan book, portfolio at risk, capital base and members' shares.

Definitions (see also docs/fund.md):

- **status** per loan: committed (declared, nothing paid out), current, delinquent (an
  instalment 1 to 90 days past due), default (more than 90), repaid, written-off.
- **gross portfolio**: the outstanding principal of all the fund's loans.
- **PARn** (IRIS FP2635): the *whole* outstanding principal of the loans with an
  instalment more than n days past due, over the gross portfolio; rescheduled loans stay
  in. Shown for n = 1, 30, 60 and 90, beside the amounts written off.
- **capital base** = members' contributions + income kept - losses, where losses are the
  credit losses (BAS 6351: provisions and write-offs less recoveries) booked in the
  fund's fiscal year up to the report date (and after the last closed year), and income
  kept is every other equity, income and expense of the fund (earlier years' losses
  included). It equals the fund's assets less its liabilities. Result accounts count from
  the last closed year on: a closed year's result is in equity (through 8999 Årets
  resultat and 2099), where the daily books, which start from the balance sheet, have it
  too. So the split does not depend on whether an earlier year was closed yet, nor on
  full or daily books: a pack written before a year-end and a page read after it agree.
- **available for new loans** = cash (BAS 19xx) - committed but not disbursed.

:func:`capital_lines` is the one way to show that split: the Fonden page and the board
pack both use it, with the same labels from the message catalogue, where "upplupen
ränta" is only ever the interest accrued and not yet paid, and the interest over the
loans' lives is "intjänad ränta".
"""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from coopledger.entities import EntityKind
from coopledger.errors import CoopException
from coopledger.fund.capital import (
    CONTRIBUTION_BAS,
    MemberShare,
    balances_at,
    bas_of,
    capital_movements,
    shares_at,
)
from coopledger.fund.ledger import LoanRecord, loan_book
from coopledger.fund.state import LoanState, LoanStatus, schedule_segments, state_of
from coopledger.i18n import Message
from coopledger.money import ZERO, round_ore

if TYPE_CHECKING:
    from coopledger.books import Books

PAR_DAYS = (1, 30, 60, 90)
STATUSES = tuple(LoanStatus)
LOSSES_BAS = "6351"


@dataclass(frozen=True)
class LoanLine:
    """One loan in the report.

    Attributes:
        loan_id: The loan.
        borrower: The borrowing member.
        principal: The principal declared.
        rate: The annual rate in force, in percent.
        state: The loan's state on the report date.
        provision: The provision its days past due call for (0 without a rule).
    """

    loan_id: str
    borrower: str
    principal: Decimal
    rate: Decimal
    state: LoanState
    provision: Decimal


@dataclass(frozen=True)
class FundReport:
    """The fund's loan book and capital on one date.

    Attributes:
        date: The report date (its end).
        fund: The fund's entity code.
        currency: The currency of every amount.
        loans: One line per loan the fund has declared by the date.
        status_counts: Number of loans per status.
        status_amounts: Per status: outstanding principal (current, delinquent, default),
            principal disbursed (repaid), written off (written-off), not disbursed
            (committed).
        gross_portfolio: Outstanding principal of all loans.
        par: PARn ratio (4 decimals) by n.
        par_amounts: The principal at risk behind each ratio.
        written_off: Principal written off so far.
        recovered: Money recovered after write-offs.
        interest_earned: Interest accrued over the loans' lives so far.
        provision_required: The provision the loans' days past due call for.
        contributions: Members' capital (BAS 2083/2084).
        income_kept: The fund's other equity and results, less the fiscal year's credit
            losses (earlier years' losses are in it).
        losses: Credit losses (BAS 6351) booked in the fiscal year to the report date.
        capital_base: contributions + income kept - losses.
        cash: The fund's bank and cash (BAS 19xx).
        committed: Loans declared but not yet (fully) disbursed.
        available: cash - committed.
        members: Each member's capital and share.
    """

    date: datetime.date
    fund: str
    currency: str
    loans: tuple[LoanLine, ...]
    status_counts: dict[LoanStatus, int]
    status_amounts: dict[LoanStatus, Decimal]
    gross_portfolio: Decimal
    par: dict[int, Decimal]
    par_amounts: dict[int, Decimal]
    written_off: Decimal
    recovered: Decimal
    interest_earned: Decimal
    provision_required: Decimal
    contributions: Decimal
    income_kept: Decimal
    losses: Decimal
    capital_base: Decimal
    cash: Decimal
    committed: Decimal
    available: Decimal
    members: tuple[MemberShare, ...]


@dataclass(frozen=True)
class CapitalLine:
    """One line of the fund's capital: what it is and its amount (no words: a page or a
    pack takes the label from the message catalogue, :mod:`coopledger.i18n`).

    Attributes:
        key: ``contributions``, ``income_kept``, ``losses``, ``capital_base``, ``cash``,
            ``committed`` or ``available``.
        label: The line's message id in the catalogue.
        amount: The amount as the line adds to the total below it (losses and committed
            are negative).
        total: Whether the line is a total (capital base, available).
    """

    key: str
    label: str
    amount: Decimal
    total: bool = False


def capital_lines(report: FundReport) -> tuple[CapitalLine, ...]:
    """The fund's capital base and what is available for new loans, line by line.

    Args:
        report: The fund report.

    Returns:
        Contributions, income kept, the fiscal year's credit losses (negative), the
        capital base (their sum); cash, committed (negative), available (their sum).
    """
    return (
        CapitalLine("contributions", "contributions", report.contributions),
        CapitalLine("income_kept", "income_kept", report.income_kept),
        CapitalLine("losses", "losses", -report.losses),
        CapitalLine("capital_base", "capital_base", report.capital_base, True),
        CapitalLine("cash", "fund_cash", report.cash),
        CapitalLine("committed", "committed", -report.committed),
        CapitalLine("available", "available", report.available, True),
    )


def _rate_on(record: LoanRecord, date: datetime.date) -> Decimal:
    rate = record.rates[0][1]
    for effective, value in record.rates:
        if effective <= date:
            rate = value
    return rate


def status_amount(state: LoanState, principal: Decimal) -> Decimal:
    """The amount a loan adds to its status's total (see :class:`FundReport`)."""
    if state.status == "committed":
        return principal
    if state.status == "repaid":
        return state.disbursed
    if state.status == "written-off":
        return state.written_off
    return state.outstanding_principal


#: How many days' reports the books remember (a pack's twelve month ends and more).
REPORTS_KEEP = 64


def fund_report(books: Books, date: datetime.date) -> FundReport:
    """The fund's report at the end of ``date``.

    Args:
        books: The loaded books; they must declare an entity of kind fund.
        date: The report date.

    Returns:
        The report.

    Raises:
        CoopException: The books declare no fund, or they are daily books (see
            docs/fund.md) and the date is before their opening.
    """
    # A board pack asks for the same day several times (its fund section, its charts'
    # last month, its summary and the fund's ratios): one report per books and day.
    return books.remember(("fund.fund_report", date), lambda: _fund_report(books, date),
                          keep=REPORTS_KEEP)


def _fund_report(books: Books, date: datetime.date) -> FundReport:
    fund = next((e.code for e in books.entities.values() if e.kind is EntityKind.FUND), None)
    if fund is None:
        raise CoopException(Message.of("error.no_fund"))
    book = loan_book(books)
    opened = max((r.opening.date for r in book.loans.values() if r.opening), default=None)
    if opened is not None and date < opened:
        raise CoopException(Message.of("error.daily_books", opened=opened, date=date))
    provision_rules = [r for r in book.provisions.get(fund, []) if r.date <= date]
    rule = provision_rules[-1] if provision_rules else None
    lines: list[LoanLine] = []
    for loan_id, record in sorted(book.loans.items()):
        if record.loan.lender != fund or record.loan.date > date:
            continue
        # A board pack asks for several days: each loan's schedule is built once per books
        # (every loan of the book kept, or a pass over them would evict its own results).
        segments = books.remember(("fund.schedule_segments", loan_id),
                                  functools.partial(schedule_segments, record),
                                  keep=max(1, len(book.loans)))
        state = state_of(record, date, segments)
        provision = (round_ore(state.outstanding_principal * rule.percent(
            state.days_past_due) / 100) if rule is not None else ZERO)
        lines.append(LoanLine(loan_id, record.loan.borrower, record.loan.principal,
                              _rate_on(record, date), state, provision))
    counts = dict.fromkeys(STATUSES, 0)
    amounts = dict.fromkeys(STATUSES, ZERO)
    for line in lines:
        counts[line.state.status] += 1
        amounts[line.state.status] += status_amount(line.state, line.principal)
    gross = sum((ln.state.outstanding_principal for ln in lines), ZERO)
    par_amounts = {n: sum((ln.state.outstanding_principal for ln in lines
                           if ln.state.days_past_due > n), ZERO) for n in PAR_DAYS}
    par = {n: (amount / gross).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
           if gross else ZERO for n, amount in par_amounts.items()}
    currency = books.operating_currency
    # A board pack asks for a dozen month ends: read the fund's postings once per books,
    # from the books' posting index (the operating currency's postings, by entity).
    postings = books.remember(("fund.entity_postings", fund, currency),
                              lambda: books.postings.entity_rows(fund))
    balances = _open_year_balances(books, postings, date)
    contributions = retained = cash = ZERO
    for account, balance in balances.items():
        bas = bas_of(books.opens, account) or ""
        root = account.split(":", 1)[0]
        if root == "Equity" and bas in CONTRIBUTION_BAS:
            contributions -= balance
        elif root in ("Equity", "Income", "Expenses"):
            retained -= balance
        elif root == "Assets" and bas.startswith("19"):
            cash += balance
    losses = _year_losses(books, fund, postings, date)
    income_kept = retained + losses
    committed = sum((max(ZERO, ln.principal - ln.state.disbursed) for ln in lines
                     if ln.state.status not in ("repaid", "written-off")), ZERO)
    return FundReport(
        date=date, fund=fund, currency=currency, loans=tuple(lines), status_counts=counts,
        status_amounts=amounts, gross_portfolio=gross, par=par, par_amounts=par_amounts,
        written_off=sum((ln.state.written_off for ln in lines), ZERO),
        recovered=sum((ln.state.recovered for ln in lines), ZERO),
        interest_earned=sum((ln.state.interest_earned for ln in lines), ZERO),
        provision_required=sum((ln.provision for ln in lines), ZERO),
        contributions=contributions, income_kept=income_kept, losses=losses,
        capital_base=contributions + retained, cash=cash, committed=committed,
        available=cash - committed,
        members=tuple(shares_at(books.remember(
            ("fund.capital_movements", fund),
            lambda: capital_movements(books.transactions, books.opens, fund)), date)))


def _open_year_balances(books: Books, postings: list[tuple[datetime.date, str, Decimal]],
                        date: datetime.date) -> dict[str, Decimal]:
    """The fund's balances at ``date``, its result accounts from the last closed year on.

    A closed year's result accounts net to zero with its 8999 posting, and its result is
    in equity: they are left out, as the daily books do not hold them.
    """
    balances = balances_at(postings, date)
    cut = _closed_through(books, date)
    if cut is not None:
        for account, number in balances_at(postings, cut - datetime.timedelta(days=1)).items():
            if account.split(":", 1)[0] in ("Income", "Expenses"):
                balances[account] = balances.get(account, ZERO) - number
    return balances


def _closed_through(books: Books, date: datetime.date) -> datetime.date | None:
    """The first day after the last fiscal year closed by the end of ``date``, if any.

    A year is closed by its year-end entry, dated its last day, whose postings on result
    accounts are marked in the posting index.
    """
    def ends() -> list[datetime.date]:
        index = books.postings
        return sorted({index.dates[i] + datetime.timedelta(days=1)
                       for i, moved in enumerate(index.result_transfer) if moved})

    closed = [end for end in books.remember(("fund.closed_year_ends",), ends)
              if end <= date + datetime.timedelta(days=1)]
    return closed[-1] if closed else None


def _year_losses(books: Books, fund: str, postings: list[tuple[datetime.date, str, Decimal]],
                 date: datetime.date) -> Decimal:
    """The credit losses (BAS 6351) booked in the fund's fiscal year up to ``date``, after
    the last closed year (on a closed year's last day: none, they are in equity)."""
    start = books.entities[fund].fiscal_year_of(date).start
    cut = _closed_through(books, date)
    if cut is not None:
        start = max(start, cut)
    return sum((number for day, account, number in postings
                if start <= day <= date and bas_of(books.opens, account) == LOSSES_BAS),
               ZERO)
