"""What the ledger says about each loan: its accounts, declarations and movements.

A loan's movements are the transactions linked ``^<loan id>``. Each one is classified by
the lender's side, the side the fund controls:

- **disbursement**: the lender's loan receivable (BAS 1380) goes up;
- **write-off**: the receivable goes down against the lender's provision (1389) or credit
  losses (6351);
- **recovery**: credit losses (6351) go down with no receivable movement, after a write-off;
- **payment**: anything else that reduces the lender's receivable, accrued interest (1682)
  or books interest income (8250); the payment is the sum of those credits.

Entries the fund computes (``generated-by: "coopledger.fund"``: month-end accruals and
corrections) move balances but are not events. The index is built once per loaded books.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from beancount.core import data

from coopledger.declarations import Declarations
from coopledger.entities import entity_of
from coopledger.fund.loans import (
    CapitalRule,
    Loan,
    LoanRate,
    LoanReschedule,
    ProvisionRule,
)
from coopledger.fund.opening import LoanOpening
from coopledger.money import ZERO

if TYPE_CHECKING:
    from coopledger.books import Books

GENERATED_BY = "coopledger.fund"
#: Metadata of the opening-balance entries of daily books (see coopledger.close.yearend);
#: their postings on loan accounts carry ``loan: "<id>"``.
OPENING_KEY = "opening-balances"

#: BAS numbers of the accounts a loan moves, with the names used when none is opened.
LENDER_BAS = {
    "principal": ("1380", "Assets", "Lånefordringar-medlemmar"),
    "accrued": ("1682", "Assets", "Upplupna-räntor-medlemslån"),
    "income": ("8250", "Income", "Ränteintäkter-medlemslån"),
    "reserve": ("1389", "Assets", "Reserv-för-kreditförluster"),
    "losses": ("6351", "Expenses", "Kreditförluster"),
}
BORROWER_BAS = {
    "principal": ("2390", "Liabilities", "Lån-från-fonden"),
    "accrued": ("2960", "Liabilities", "Upplupna-räntekostnader"),
    "expense": ("8410", "Expenses", "Räntekostnader-medlemslån"),
    "forgiven": ("8390", "Income", "Övriga-finansiella-intäkter"),
}


def bas_index(opens: Iterable[data.Open]) -> dict[tuple[str, str], str]:
    """(entity code, BAS number) to the first opened account with that ``bas``."""
    index: dict[tuple[str, str], str] = {}
    for entry in opens:
        bas = entry.meta.get("bas") if entry.meta else None
        code = entity_of(entry.account)
        if bas is not None and code is not None:
            index.setdefault((code, str(bas)), entry.account)
    return index


def entity_account(index: Mapping[tuple[str, str], str], code: str,
                   spec: tuple[str, str, str]) -> str:
    """The entity's account for a BAS number: the opened one, else the chart's name."""
    bas, root, name = spec
    return index.get((code, bas), f"{root}:{code}:{bas}-{name}")


@dataclass(frozen=True)
class LoanAccounts:
    """The accounts one loan moves in the lender's and the borrower's books."""

    lender: dict[str, str]
    borrower: dict[str, str]


@dataclass(frozen=True)
class LoanEvent:
    """One dated movement of a loan.

    Attributes:
        date: The day it happened.
        kind: disbursement, payment, writeoff or recovery.
        amount: The amount moved, positive.
        meta: The transaction's metadata (for file:line in messages).
    """

    date: datetime.date
    kind: str
    amount: Decimal
    meta: dict[str, Any] = field(compare=False)


#: Same-day order: money out first, then payments, then write-offs.
EVENT_ORDER = {"disbursement": 0, "payment": 1, "writeoff": 2, "recovery": 3}


@dataclass
class LoanRecord:
    """Everything known about one loan.

    Attributes:
        loan: Its declaration.
        accounts: Its accounts on both sides.
        rates: ``(effective date, percent)`` pairs, the declared rate first.
        reschedules: Its reschedules, in date order.
        events: Its disbursements, payments, write-offs and recoveries, in date order.
        balances: ``(date, lender principal change, lender accrued-interest change)`` of
            every linked transaction, generated ones included, in date order.
        opening: In daily books, the loan's state at the cut (see
            :mod:`coopledger.fund.opening`); its movements before the cut are absent.
    """

    loan: Loan
    accounts: LoanAccounts
    rates: list[tuple[datetime.date, Decimal]]
    reschedules: list[LoanReschedule] = field(default_factory=list)
    events: list[LoanEvent] = field(default_factory=list)
    balances: list[tuple[datetime.date, Decimal, Decimal]] = field(default_factory=list)
    opening: LoanOpening | None = None

    def booked(self, date: datetime.date) -> tuple[Decimal, Decimal]:
        """The lender's booked principal and accrued interest for the loan on ``date``."""
        principal = accrued = ZERO
        for day, dp, da in self.balances:
            if day > date:
                break
            principal += dp
            accrued += da
        return principal, accrued


@dataclass(frozen=True)
class LoanBook:
    """The loans, rates, reschedules and fund rules of a ledger, indexed once."""

    loans: dict[str, LoanRecord]
    provisions: dict[str, list[ProvisionRule]]
    capital_rules: dict[str, list[CapitalRule]]
    bas: dict[tuple[str, str], str]


def loan_accounts(index: Mapping[tuple[str, str], str], loan: Loan) -> LoanAccounts:
    """The accounts of one loan in the lender's and the borrower's books."""
    return LoanAccounts(
        {k: entity_account(index, loan.lender, v) for k, v in LENDER_BAS.items()},
        {k: entity_account(index, loan.borrower, v) for k, v in BORROWER_BAS.items()})


def loan_records(declarations: Declarations,
                 index: Mapping[tuple[str, str], str]) -> dict[str, LoanRecord]:
    """One record per declared loan (the first declaration of an id), rates and
    reschedules attached, without movements yet."""
    records: dict[str, LoanRecord] = {}
    for loan in declarations.of(Loan):
        if loan.id not in records:
            records[loan.id] = LoanRecord(loan, loan_accounts(index, loan),
                                          [(loan.date, loan.rate)])
    for change in declarations.of(LoanRate):
        if change.id in records:
            records[change.id].rates.append((change.date, change.rate))
    for resched in declarations.of(LoanReschedule):
        if resched.id in records:
            records[resched.id].reschedules.append(resched)
            if resched.rate is not None:
                records[resched.id].rates.append((resched.date, resched.rate))
    for opening in declarations.of(LoanOpening):
        if opening.id in records:
            records[opening.id].opening = opening
    for record in records.values():
        record.rates.sort(key=lambda pair: pair[0])
    return records


def build_loan_book(entries: Iterable[data.Directive], declarations: Declarations,
                    opens: Iterable[data.Open]) -> LoanBook:
    """Index a ledger's loans and classify every linked transaction, in one pass.

    Args:
        entries: The ledger's directives (sorted, as Beancount returns them).
        declarations: Its parsed declarations.
        opens: Its ``open`` directives.

    Returns:
        The loan book.
    """
    book = index_loans(declarations, opens)
    replay_loans(book.loans, entries, _classify, _opening_balances)
    return book


def replay_loans(records: dict[str, LoanRecord], entries: Iterable[data.Directive],
                 classify: Callable[[LoanRecord, data.Transaction], None],
                 opening: Callable[[dict[str, LoanRecord], data.Transaction], None]) -> None:
    """Give each loan the events of the transactions linked to it, in one pass.

    An opening-balance entry goes to ``opening``; any other transaction linked to a loan,
    from the loan's opening on, to ``classify``. Each loan's events end up sorted.

    Args:
        records: The loans to fill in, by id.
        entries: The ledger's directives (sorted, as Beancount returns them).
        classify: Records one linked transaction's events on one loan (the fund's side,
            or a borrower's).
        opening: Records an opening-balance entry on the loans it names.
    """
    for entry in entries:
        if isinstance(entry, data.Transaction) and entry.links:
            if is_opening(entry):
                opening(records, entry)
                continue
            for link in entry.links:
                found = records.get(link)
                if found is not None and not before_opening(found, entry.date):
                    classify(found, entry)
    for record in records.values():
        record.events.sort(key=lambda e: (e.date, EVENT_ORDER[e.kind], e.amount))


def index_loans(declarations: Declarations, opens: Iterable[data.Open]) -> LoanBook:
    """The loan book from the declarations and accounts alone, without any movement.

    What the checks need (each loan's declaration, accounts, rates and opening; the fund's
    rules; the BAS index), without a pass over the transactions; :func:`build_loan_book`
    then adds the movements.

    Args:
        declarations: The ledger's parsed declarations.
        opens: Its ``open`` directives.

    Returns:
        The loan book, every loan with no event and no balance yet.
    """
    index = bas_index(opens)
    records = loan_records(declarations, index)
    provisions: dict[str, list[ProvisionRule]] = {}
    for rule in declarations.of(ProvisionRule):
        provisions.setdefault(rule.id, []).append(rule)
    capital: dict[str, list[CapitalRule]] = {}
    for crule in declarations.of(CapitalRule):
        capital.setdefault(crule.id, []).append(crule)
    return LoanBook(records, provisions, capital, index)


def is_generated(entry: data.Transaction) -> bool:
    """Whether the fund computed this entry (an accrual or a correction)."""
    return bool(entry.meta and entry.meta.get("generated-by") == GENERATED_BY)


def is_opening(entry: data.Transaction) -> bool:
    """Whether this is an opening-balance entry of daily books."""
    return bool(entry.meta and OPENING_KEY in entry.meta)


def before_opening(record: LoanRecord, date: datetime.date) -> bool:
    """Whether ``date`` is in a closed year of daily books that carry the loan's opening."""
    return record.opening is not None and date <= record.opening.date


def posting_loan(posting: data.Posting) -> str | None:
    """The loan an opening-balance posting belongs to (its ``loan`` metadata)."""
    value = posting.meta.get("loan") if posting.meta else None
    return str(value) if value is not None else None


def _opening_balances(records: Mapping[str, LoanRecord], entry: data.Transaction) -> None:
    """Each loan's part of an opening-balance entry, by the postings' ``loan`` metadata."""
    sums: dict[str, list[Decimal]] = {}
    for posting in entry.postings:
        record = records.get(posting_loan(posting) or "")
        if record is None or posting.units is None or posting.units.number is None:
            continue
        part = sums.setdefault(record.loan.id, [ZERO, ZERO])
        if posting.account == record.accounts.lender["principal"]:
            part[0] += posting.units.number
        elif posting.account == record.accounts.lender["accrued"]:
            part[1] += posting.units.number
    for loan_id, (principal, accrued) in sums.items():
        records[loan_id].balances.append((entry.date, principal, accrued))


def _classify(record: LoanRecord, entry: data.Transaction) -> None:
    lender = record.accounts.lender
    sums = dict.fromkeys(lender, ZERO)
    by_account = {account: key for key, account in lender.items()}
    for posting in entry.postings:
        key = by_account.get(posting.account)
        if key is not None and posting.units is not None and posting.units.number is not None:
            sums[key] += posting.units.number
    record.balances.append((entry.date, sums["principal"], sums["accrued"]))
    if is_generated(entry):
        return
    meta = dict(entry.meta or {})
    loss = sums["reserve"] + sums["losses"]
    if sums["principal"] > 0:
        record.events.append(LoanEvent(entry.date, "disbursement", sums["principal"], meta))
    elif sums["principal"] < 0 and loss > 0:
        record.events.append(LoanEvent(entry.date, "writeoff", -sums["principal"], meta))
    elif sums["principal"] == 0 and sums["losses"] < 0:
        record.events.append(LoanEvent(entry.date, "recovery", -sums["losses"], meta))
    else:
        paid = -(sums["principal"] + sums["accrued"] + sums["income"])
        if paid > 0:
            record.events.append(LoanEvent(entry.date, "payment", paid, meta))


def loan_book(books: Books) -> LoanBook:
    """The loan book of loaded books, built on first use and kept with them."""
    return books.remember(("fund.loan_book",), lambda: build_loan_book(
        books.entries, books.declarations, books.opens.values()))
