"""The shared fund: members' capital and loans to member cooperatives.

The public contract other parts of coopledger (and other tools) code against:

- :func:`fund_report` - the loan book, PAR, capital base and members' shares on a date;
- :func:`loan_schedule` - a loan's contractual schedule, reschedules applied;
- :func:`loan_state` - a loan's actual state at the end of a day;
- :func:`split_repayment` - how an incoming payment settles fees, interest, principal;
- :func:`closing_entries` - the month's computed entries (accruals, provisions);
- :func:`loan_by_ocr` - the loan an OCR reference pays.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from coopledger.errors import CoopException
from coopledger.fund.closing import closing_entries
from coopledger.fund.ledger import LoanRecord, loan_book
from coopledger.fund.loans import Loan
from coopledger.fund.report import FundReport, LoanLine, fund_report
from coopledger.fund.schedule import Instalment
from coopledger.fund.state import LoanState, contractual_schedule, split_payment, state_of

if TYPE_CHECKING:
    from coopledger.books import Books

__all__ = [
    "FundReport",
    "Instalment",
    "Loan",
    "LoanLine",
    "LoanState",
    "closing_entries",
    "fund_report",
    "loan_by_ocr",
    "loan_schedule",
    "loan_state",
    "split_repayment",
]


def _record(books: Books, loan_id: str) -> LoanRecord:
    record = loan_book(books).loans.get(loan_id)
    if record is None:
        known = ", ".join(sorted(loan_book(books).loans)) or "none"
        raise CoopException(f"unknown loan {loan_id!r} (declared: {known})")
    return record


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


def split_repayment(books: Books, loan_id: str, date: datetime.date,
                    amount: Decimal) -> dict[str, Decimal]:
    """Split a payment received on ``date`` into fees, interest, principal, overpayment.

    Args:
        books: The books, without this payment.
        loan_id: The loan paid.
        date: The day the money arrived.
        amount: The amount, positive.

    Returns:
        ``{"fees", "interest", "principal", "overpayment"}``, summing to ``amount``.

    Raises:
        CoopException: No such loan, or an amount that is not positive.
    """
    if amount <= 0:
        raise CoopException(f"loan {loan_id}: a repayment must be positive, not {amount}")
    return split_payment(_record(books, loan_id), date, amount)


def loan_by_ocr(books: Books, ocr: str) -> Loan | None:
    """The loan whose declared OCR reference is ``ocr`` (spaces and leading zeros kept)."""
    wanted = "".join(ocr.split())
    for record in loan_book(books).loans.values():
        if record.loan.ocr == wanted:
            return record.loan
    return None
