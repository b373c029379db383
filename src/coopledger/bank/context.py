"""What the matching needs to know about the books, gathered in one pass.

:class:`BankContext` holds the bank accounts, the opened accounts and their BAS numbers,
the declared categorisation rules, the account each payee was last booked to, the open
wage-subsidy claims and the existing import keys. It is built once per run from the
books (or, for a plain beangulp ``import.py`` without a ledger, from an account mapping).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from beancount.core import data
from beancount.core.amount import Amount

from coopledger.bank.accounts import BankAccounts
from coopledger.bank.rules import BankRule
from coopledger.books import Books
from coopledger.chart import account_for
from coopledger.entities import EntityKind, entity_of

#: BAS of the receivable a wage-subsidy claim debits.
CLAIM_BAS = "1689"

LoanLookup = Callable[[str], Any]
Splitter = Callable[[str, datetime.date, Decimal], dict[str, Decimal]]


def number_of(posting: data.Posting) -> Decimal | None:
    """The number of a posting's units (None where Beancount left it to interpolation)."""
    units = posting.units
    return units.number if isinstance(units, Amount) else None


def decision_key(text: str) -> str:
    """A decision number without separators, upper case, for comparison."""
    return re.sub(r"[\s\-/.]", "", text).upper()


@dataclass(frozen=True)
class CompiledRule:
    """A bank rule ready to apply."""

    regex: re.Pattern[str]
    account: str
    entity: str | None
    name: str


@dataclass
class Claim:
    """An open wage-subsidy claim: its receivable account and what is still unpaid."""

    decision: str
    account: str
    open_amount: Decimal


@dataclass
class BankContext:
    """The books as the matching sees them.

    Attributes:
        accounts: Bank identifiers to ledger accounts.
        opened: Opened account -> BAS number (or None).
        kinds: Entity code -> kind.
        rules: Declared rules in date order.
        payees: (bank account, payee) -> the account it was last booked to.
        claims: Normalised decision number -> open claim.
        refs: (account, bank reference) pairs already booked.
        counterparts: (bank account, amount) -> (date, bank account of the statement that
            booked it) of each movement booked from the other side's statement.
        balances: (account, date) of existing balance assertions.
        imported: (bank account, amount) -> (date, bank reference) of each movement
            imported from a bank file (its ``bank-ref``), to find the same money
            imported again from a file of another kind.
        loan_by_ocr: The fund's lookup of a loan by OCR reference, if available.
        split_repayment: The fund's split of a repayment, if available.
        repayment_legs: The fund's postings of a split repayment, if available.
        invoices: The open customer and supplier invoices
            (:class:`~coopledger.invoicing.payments.InvoiceIndex`), if available.
    """

    accounts: BankAccounts
    opened: dict[str, str | None] = field(default_factory=dict)
    kinds: dict[str, EntityKind] = field(default_factory=dict)
    rules: list[CompiledRule] = field(default_factory=list)
    payees: dict[tuple[str, str], str] = field(default_factory=dict)
    claims: dict[str, Claim] = field(default_factory=dict)
    refs: set[tuple[str, str]] = field(default_factory=set)
    counterparts: dict[tuple[str, Decimal], list[tuple[datetime.date, str]]] = field(
        default_factory=dict)
    balances: set[tuple[str, Any]] = field(default_factory=set)
    imported: dict[tuple[str, Decimal], list[tuple[datetime.date, str]]] = field(
        default_factory=dict)
    loan_by_ocr: LoanLookup | None = None
    split_repayment: Splitter | None = None
    repayment_legs: Callable[[str, dict[str, Decimal]], list[tuple[str, Decimal]]] | None = None
    invoices: Any = None
    _by_bas: dict[tuple[str, str], str] = field(default_factory=dict, repr=False)
    _indexed: int = field(default=-1, repr=False)

    def account_with_bas(self, code: str, bas: str) -> str:
        """The entity's opened account with this BAS number, else the chart's name."""
        if self._indexed != len(self.opened):  # rebuilt when accounts were added, not per call
            self._by_bas.clear()
            for account, number in reversed(self.opened.items()):
                self._by_bas[(entity_of(account) or "", number or "")] = account
            self._indexed = len(self.opened)
        found = self._by_bas.get((code, bas))
        if found is not None:
            return found
        kind = self.kinds.get(code, EntityKind.MEMBER)
        try:
            return account_for(code, bas, kind)
        except KeyError:
            return account_for(code, bas, EntityKind.MEMBER)



def compile_rules(rules: Iterable[BankRule]) -> list[CompiledRule]:
    """Compile declared rules (case-insensitive) in date order."""
    return [CompiledRule(re.compile(r.pattern, re.IGNORECASE), r.account, r.entity, r.id)
            for r in rules]


def payee_key(payee: str) -> str:
    """A payee name for comparison: case-folded, single spaces."""
    return " ".join(payee.casefold().split())


def index_entries(ctx: BankContext, entries: Iterable[data.Directive]) -> None:
    """Fill the context's indexes from existing entries, in one pass.

    Args:
        ctx: The context to fill; its ``accounts`` must already be set.
        entries: The ledger's entries, in date order.
    """
    bank_accounts = set(ctx.accounts.by_id.values())
    for entry in entries:
        if isinstance(entry, data.Open):
            ctx.opened[entry.account] = (str(entry.meta["bas"]) if "bas" in entry.meta
                                         else None)
        elif isinstance(entry, data.Balance):
            ctx.balances.add((entry.account, entry.date))
        elif isinstance(entry, data.Transaction):
            _index_transaction(ctx, entry, bank_accounts)


def _index_transaction(ctx: BankContext, entry: data.Transaction,
                       bank_accounts: set[str]) -> None:
    meta = entry.meta or {}
    ref = meta.get("bank-ref")
    if ref is not None:
        for posting in entry.postings:
            ctx.refs.add((posting.account, str(ref)))
        if entry.postings:  # the importer writes its bank posting first
            first = entry.postings[0]
            number = number_of(first)
            if number is not None:
                ctx.imported.setdefault((first.account, number), []).append(
                    (entry.date, str(ref)))
    counterpart = meta.get("counterpart")
    if counterpart is not None and entry.postings:
        source = entry.postings[0].account  # the importer writes its bank posting first
        for posting in entry.postings:
            number = number_of(posting)
            if posting.account == counterpart and number is not None:
                ctx.counterparts.setdefault((posting.account, number), []).append(
                    (entry.date, source))
    _index_claims(ctx, entry)
    if (entry.payee and entry.flag != "!" and len(entry.postings) == 2
            and not meta.get("reversal")):
        accounts = [p.account for p in entry.postings]
        for bank, other in (accounts, accounts[::-1]):
            if _is_bank(ctx, bank, bank_accounts) and not _is_bank(ctx, other, bank_accounts):
                ctx.payees[(bank, payee_key(entry.payee))] = other


def _is_bank(ctx: BankContext, account: str, bank_accounts: set[str]) -> bool:
    """A declared bank account, or any account of BAS class 19 (cash and bank)."""
    return account in bank_accounts or (ctx.opened.get(account) or "").startswith("19")


def _index_claims(ctx: BankContext, entry: data.Transaction) -> None:
    of_entry = (entry.meta or {}).get("decision")
    for posting in entry.postings:
        decision = (posting.meta or {}).get("decision") or of_entry
        if decision is None:
            continue
        number = number_of(posting)
        if number is None:
            continue
        if ctx.opened.get(posting.account) != CLAIM_BAS and CLAIM_BAS not in posting.account:
            continue
        key = decision_key(str(decision))
        claim = ctx.claims.get(key)
        if claim is None:
            claim = ctx.claims[key] = Claim(str(decision), posting.account, Decimal(0))
        claim.open_amount += number


def context_from_books(books: Books) -> BankContext:
    """The matching context of loaded books: accounts, rules, history, claims, loans.

    Raises:
        CoopException: A bank identifier is declared on two accounts.
    """
    from coopledger.fund import loan_by_ocr, repayment_legs, split_repayment

    ctx = BankContext(
        BankAccounts.from_opens(books.opens.values()),
        kinds={code: entity.kind for code, entity in books.entities.items()},
        rules=compile_rules(books.declarations.of(BankRule)))
    index_entries(ctx, books.entries)
    ctx.loan_by_ocr = lambda ocr: loan_by_ocr(books, ocr)
    ctx.split_repayment = lambda loan, date, amount: split_repayment(books, loan, date, amount)
    ctx.repayment_legs = lambda loan, parts: repayment_legs(books, loan, parts)
    from coopledger.invoicing.payments import invoice_index

    ctx.invoices = invoice_index(books)
    return ctx
