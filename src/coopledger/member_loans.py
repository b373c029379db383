"""A member's loans from the fund, read from the member's own side of each loan.

The fund's loan book (:mod:`coopledger.fund.ledger`) reads each loan's movements from
the lender's accounts. A member's own books (:mod:`coopledger.member`) hold only the
borrower's side, which mirrors the lender's exactly (the loan-mirror invariant): the
borrower's principal, accrued interest and interest expense are the lender's principal,
accrued interest and interest income with the sign turned, and a write-off the borrower
books as forgiven debt is the lender's credit loss. :func:`borrower_loan_book` builds
the same records from that side, so the fund's own functions give the member its loans'
schedules and states (a test checks them equal to the fund's, loan by loan and day by
day).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from beancount.core import data

from coopledger.books import Books
from coopledger.fund.ledger import (
    LoanBook,
    LoanEvent,
    LoanRecord,
    index_loans,
    is_generated,
    posting_loan,
    replay_loans,
)
from coopledger.fund.schedule import Instalment
from coopledger.fund.state import LoanState, contractual_schedule, state_of
from coopledger.money import ZERO


def _borrower_sums(record: LoanRecord, entry: data.Transaction) -> dict[str, Decimal]:
    borrower = record.accounts.borrower
    sums = dict.fromkeys(borrower, ZERO)
    by_account = {account: key for key, account in borrower.items()}
    for posting in entry.postings:
        key = by_account.get(posting.account)
        if key is not None and posting.units is not None and posting.units.number is not None:
            sums[key] += posting.units.number
    return sums


def _classify(record: LoanRecord, entry: data.Transaction) -> None:
    # The lender's view of the entry, from the borrower's mirrored postings.
    sums = _borrower_sums(record, entry)
    principal, accrued = -sums["principal"], -sums["accrued"]
    income, losses = -sums["expense"], -sums["forgiven"]
    record.balances.append((entry.date, principal, accrued))
    if is_generated(entry):
        return
    meta = dict(entry.meta or {})
    if principal > 0:
        record.events.append(LoanEvent(entry.date, "disbursement", principal, meta))
    elif principal < 0 and losses > 0:
        record.events.append(LoanEvent(entry.date, "writeoff", -principal, meta))
    elif principal == 0 and losses < 0:
        record.events.append(LoanEvent(entry.date, "recovery", -losses, meta))
    else:
        paid = -(principal + accrued + income)
        if paid > 0:
            record.events.append(LoanEvent(entry.date, "payment", paid, meta))


def _opening(records: dict[str, LoanRecord], entry: data.Transaction) -> None:
    sums: dict[str, list[Decimal]] = {}
    for posting in entry.postings:
        record = records.get(posting_loan(posting) or "")
        if record is None or posting.units is None or posting.units.number is None:
            continue
        part = sums.setdefault(record.loan.id, [ZERO, ZERO])
        if posting.account == record.accounts.borrower["principal"]:
            part[0] -= posting.units.number
        elif posting.account == record.accounts.borrower["accrued"]:
            part[1] -= posting.units.number
    for loan_id, (principal, accrued) in sums.items():
        records[loan_id].balances.append((entry.date, principal, accrued))


def borrower_loan_book(books: Books, code: str) -> LoanBook:
    """The loans ``code`` borrows, their movements read from its own accounts.

    Args:
        books: Books that hold at least the borrower's side (a member's own books, or
            the group's).
        code: The borrower.

    Returns:
        A loan book of the entity's loans (no fund rules: those are the fund's).
    """
    book = index_loans(books.declarations, books.opens.values())
    records = {loan_id: record for loan_id, record in book.loans.items()
               if record.loan.borrower == code}
    replay_loans(records, books.entries, _classify, _opening)
    return LoanBook(records, {}, {}, book.bas)


@dataclass(frozen=True)
class MemberLoan:
    """One of a member's loans on a day: its terms, its schedule and its state.

    Attributes:
        loan_id: The loan.
        lender: The lending entity's code.
        principal: The principal granted.
        rate: The declared yearly rate, in percent.
        schedule: The contractual instalments, reschedules applied.
        state: Its state at the end of the day.
    """

    loan_id: str
    lender: str
    principal: Decimal
    rate: Decimal
    schedule: tuple[Instalment, ...]
    state: LoanState


def member_loans(books: Books, code: str, date: datetime.date) -> list[MemberLoan]:
    """The member's loans declared on or before ``date``, with schedule and state.

    Args:
        books: The member's own books (or the group's).
        code: The member.
        date: The day of the states.

    Returns:
        One line per loan, in id order.
    """
    book = borrower_loan_book(books, code)
    return [MemberLoan(loan_id, record.loan.lender, record.loan.principal, record.loan.rate,
                       tuple(contractual_schedule(record)), state_of(record, date))
            for loan_id, record in sorted(book.loans.items()) if record.loan.date <= date]


def loan_ids(loans: Iterable[MemberLoan]) -> list[str]:
    """The ids of loans, in order."""
    return [loan.loan_id for loan in loans]
