"""The fund's month-end entries: interest accrual, principal corrections, provisions.

For every loan that has started, the month's entry brings the lender's booked accrued
interest (BAS 1682) and loan receivable (1380) to what the state engine computes at the
end of the month's last day; the borrower's books get the mirror (2960 and 2390), and the
difference goes to interest income (8250) and interest expense (8410). Usually only the
accrual moves. The receivable moves when the ledger's split of a payment differs from the
recomputed one (a back-dated payment changed it): the month's entry corrects it, so the
books show the same balances as if every payment had been booked on time.

For a lender with a ``coop-provision`` rule, one more entry brings its reserve for credit
losses (1389) to the provision its loans need, against credit losses (6351).

Every entry carries ``generated-by: "coopledger.fund"``; loan entries carry the link
``^<loan id>``. Computing them again after they are booked gives nothing new.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from beancount.core import data
from beancount.core.amount import Amount

from coopledger.fund.capital import entity_balances
from coopledger.fund.ledger import GENERATED_BY, LoanRecord, loan_book
from coopledger.fund.state import ONE_DAY, LoanState, state_of
from coopledger.money import ZERO, round_ore

if TYPE_CHECKING:
    from decimal import Decimal

    from coopledger.books import Books
    from coopledger.periods import Period


def _posting(account: str, number: Decimal, currency: str) -> data.Posting:
    return data.Posting(account, Amount(number, currency), None, None, None, None)


def accrual_entry(record: LoanRecord, state: LoanState, date: datetime.date,
                  principal_delta: Decimal, interest_delta: Decimal) -> data.Transaction:
    """The month-end entry for one loan, mirrored in lender and borrower books."""
    loan, lender, borrower = record.loan, record.accounts.lender, record.accounts.borrower
    currency = loan.currency
    income = principal_delta + interest_delta
    legs = [(lender["accrued"], interest_delta), (lender["principal"], principal_delta),
            (lender["income"], -income), (borrower["accrued"], -interest_delta),
            (borrower["principal"], -principal_delta), (borrower["expense"], income)]
    what = "Upplupen ränta" if principal_delta == 0 else "Upplupen ränta och omföring"
    meta = data.new_metadata(f"<{GENERATED_BY}>", 0, {
        "generated-by": GENERATED_BY, "loan": loan.id,
        "accrued-interest": str(state.accrued_interest),
        "outstanding-principal": str(state.outstanding_principal)})
    return data.Transaction(
        meta, date, "*", None, f"{what} {loan.id} till och med {date}", frozenset(),
        frozenset({loan.id}), [_posting(a, n, currency) for a, n in legs if n != 0])


def closing_entries(books: Books, period: Period) -> list[data.Transaction]:
    """The fund's computed entries for a period, dated its last day.

    Args:
        books: The loaded books.
        period: The period (``start`` inclusive, ``end`` exclusive).

    Returns:
        Accrual (and correction) entries per loan, then provision entries per lender;
        empty when the books already hold them.
    """
    book = loan_book(books)
    last = period.end - ONE_DAY
    entries: list[data.Transaction] = []
    states: dict[str, LoanState] = {}
    for loan_id, record in sorted(book.loans.items()):
        if record.loan.date > last:
            continue
        state = state_of(record, last)
        states[loan_id] = state
        booked_principal, booked_accrued = record.booked(last)
        principal_delta = state.outstanding_principal - state.credit - booked_principal
        interest_delta = state.accrued_interest - booked_accrued
        if principal_delta or interest_delta:
            entries.append(accrual_entry(record, state, last, principal_delta,
                                         interest_delta))
    for lender, rules in sorted(book.provisions.items()):
        rule = next((r for r in reversed(rules) if r.date <= last), None)
        if rule is None:
            continue
        required = ZERO
        currency = books.operating_currency
        for loan_id, state in states.items():
            record = book.loans[loan_id]
            if record.loan.lender == lender:
                currency = record.loan.currency
                required += round_ore(state.outstanding_principal
                                      * rule.percent(state.days_past_due) / 100)
        some = next((r for r in book.loans.values() if r.loan.lender == lender), None)
        if some is None:
            continue
        reserve, losses = some.accounts.lender["reserve"], some.accounts.lender["losses"]
        booked = -entity_balances(books.transactions, lender, last, currency).get(
            reserve, ZERO)
        delta = required - booked
        if delta:
            meta = data.new_metadata(f"<{GENERATED_BY}>", 0, {
                "generated-by": GENERATED_BY, "provision": rule.id,
                "required-provision": str(required)})
            entries.append(data.Transaction(
                meta, last, "*", None, f"Reserv för kreditförluster till och med {last}",
                frozenset(), frozenset(), [_posting(losses, delta, currency),
                                           _posting(reserve, -delta, currency)]))
    return entries
