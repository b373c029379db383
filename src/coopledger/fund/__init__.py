"""The shared fund: members' capital and loans to member cooperatives.

The public contract other parts of coopledger (and other tools) code against:

- :func:`fund_report` - the loan book, PAR, capital base and members' shares on a date;
- :func:`capital_lines` - the capital base's split and what is available, labelled;
- :func:`loan_schedule` - a loan's contractual schedule, reschedules applied;
- :func:`loan_state` - a loan's actual state at the end of a day;
- :func:`loan_states` - its states at the end of several days (a history);
- :func:`split_repayment` - how an incoming payment settles fees, interest, principal;
- :func:`closing_entries` - the month's computed entries (accruals, provisions);
- :func:`loan_by_ocr` - the loan an OCR reference pays;
- :func:`repayment_legs` - the loan postings of a split payment (both sides), for an
  importer to complete with the two bank legs;
- :func:`first_reportable_day` - in daily books, the first day the loans can be reported.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from coopledger.errors import CoopException
from coopledger.fund.closing import closing_entries
from coopledger.fund.ledger import LoanRecord, loan_book
from coopledger.fund.loans import Loan
from coopledger.fund.report import (
    CapitalLine,
    FundReport,
    LoanLine,
    capital_lines,
    fund_report,
)
from coopledger.fund.schedule import Instalment
from coopledger.fund.state import (
    LoanState,
    LoanStatus,
    contractual_schedule,
    split_payment,
    state_of,
    states_of,
)

if TYPE_CHECKING:
    from coopledger.books import Books

__all__ = [
    "CapitalLine",
    "FundReport",
    "Instalment",
    "Loan",
    "LoanLine",
    "LoanState",
    "LoanStatus",
    "capital_lines",
    "closing_entries",
    "first_reportable_day",
    "fund_report",
    "loan_by_ocr",
    "loan_schedule",
    "loan_state",
    "loan_states",
    "repayment_legs",
    "split_repayment",
]


def _record(books: Books, loan_id: str) -> LoanRecord:
    record = loan_book(books).loans.get(loan_id)
    if record is None:
        known = ", ".join(sorted(loan_book(books).loans)) or "none"
        raise CoopException(f"unknown loan {loan_id!r} (declared: {known})")
    return record


def first_reportable_day(books: Books) -> datetime.date | None:
    """In daily books, the first day whose loan states they can give (the closed year's
    last day, from the loans' opening snapshots); None when they hold the full history."""
    days = [r.opening.date for r in loan_book(books).loans.values() if r.opening is not None]
    return max(days) if days else None


def loan_schedule(books: Books, loan_id: str) -> list[Instalment]:
    """The contractual schedule of a loan, reschedules applied.

    Raises:
        CoopException: No such loan.
    """
    return contractual_schedule(_record(books, loan_id))


def loan_state(books: Books, loan_id: str, date: datetime.date) -> LoanState:
    """The state of a loan at the end of ``date``, recomputed from its whole history.

    Raises:
        CoopException: No such loan.
    """
    return state_of(_record(books, loan_id), date)


def loan_states(books: Books, loan_id: str,
                dates: Sequence[datetime.date]) -> list[LoanState]:
    """The states of a loan at the end of several days: ``loan_state`` for each.

    Args:
        books: The books.
        loan_id: The loan.
        dates: The days.

    Returns:
        One state per day, in the order of ``dates``.

    Raises:
        CoopException: No such loan.
    """
    return states_of(_record(books, loan_id), dates)


def split_repayment(books: Books, loan_id: str, date: datetime.date,
                    amount: Decimal) -> dict[str, Decimal]:
    """Split a payment received on ``date`` into fees, interest, principal, overpayment.

    Args:
        books: The books, without this payment.
        loan_id: The loan paid.
        date: The day the money arrived.
        amount: The amount, positive.

    Returns:
        ``{"fees", "interest", "principal", "overpayment"}``, summing to ``amount``. The
        overpayment is what is left after everything owed: on a loan declared with
        ``overpayment: "hold"`` book it on the loan accounts as a credit; otherwise the
        books refuse it, and the caller should not book it as a repayment.

    Raises:
        CoopException: No such loan, or an amount that is not positive.
    """
    if amount <= 0:
        raise CoopException(f"loan {loan_id}: a repayment must be positive, not {amount}")
    return split_payment(_record(books, loan_id), date, amount)


def loan_by_ocr(books: Books, ocr: str) -> Loan | None:
    """The loan whose declared OCR reference is ``ocr`` (spaces ignored, leading zeros kept)."""
    wanted = "".join(ocr.split())
    for record in loan_book(books).loans.values():
        if record.loan.ocr == wanted:
            return record.loan
    return None


def repayment_legs(books: Books, loan_id: str,
                   parts: dict[str, Decimal]) -> list[tuple[str, Decimal]]:
    """The loan's postings for a split payment, lender's side then borrower's.

    Interest goes to the lender's interest income (BAS 8250) and the borrower's interest
    expense (8410); principal and any overpayment held to the lender's receivable (1380)
    and the borrower's liability (2390). The caller adds the bank legs: the borrower's
    bank pays, the lender's bank receives, the sum of the parts.

    Args:
        books: The books.
        loan_id: The loan paid.
        parts: A result of :func:`split_repayment`.

    Returns:
        ``(account, amount)`` pairs; zero amounts are left out.

    Raises:
        CoopException: No such loan.
    """
    accounts = _record(books, loan_id).accounts
    principal = parts.get("principal", Decimal(0)) + parts.get("overpayment", Decimal(0))
    interest = parts.get("interest", Decimal(0)) + parts.get("fees", Decimal(0))
    legs = [(accounts.lender["principal"], -principal), (accounts.lender["income"], -interest),
            (accounts.borrower["principal"], principal),
            (accounts.borrower["expense"], interest)]
    return [(account, amount) for account, amount in legs if amount != 0]
