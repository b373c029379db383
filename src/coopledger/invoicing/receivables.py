"""The receivables and payables ledgers: open items by invoice, with their age.

A sub-ledger (kundreskontra, leverantörsreskontra) is read from the postings on one BAS
account, 1510 Kundfordringar or 2440 Leverantörsskulder, grouped by the invoice each one
names: the posting's ``invoice`` metadata, else its transaction's. The sale (or the
supplier's invoice) opens an item, payments, credit notes and reminders move it, and an
item whose postings sum to zero is settled. Postings that name no invoice are kept
together as one item per entity ("not itemised"), so the open items always sum exactly
to the account's balance on the date: the sub-ledger never disagrees with the books.

Age is counted from the due date (the ``due`` metadata; else the invoice date plus
:data:`DEFAULT_TERMS` days) to the report date, in the buckets of :data:`BUCKETS`.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from beancount.core import data

from coopledger.books import Books
from coopledger.entities import entity_of
from coopledger.money import ZERO

RECEIVABLES_BAS = "1510"
PAYABLES_BAS = "2440"
DEFAULT_TERMS = 30
#: Age buckets: (label, first day overdue, last day overdue or None).
BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("not due", -10**6, 0), ("1-30", 1, 30), ("31-60", 31, 60), ("61-90", 61, 90),
    ("over 90", 91, None))
BUCKET_LABELS_SV = {"not due": "ej förfallet", "1-30": "1-30 dagar", "31-60": "31-60 dagar",
                    "61-90": "61-90 dagar", "over 90": "över 90 dagar"}


@dataclass
class OpenItem:
    """One invoice's item in a sub-ledger, as of a date.

    Attributes:
        entity: The entity whose books hold it.
        invoice: The invoice number, or None for postings naming no invoice.
        party: The customer or supplier (its id, else the payee's name).
        date: The invoice date (the first posting's).
        due: The due date.
        ocr: The OCR reference, if the invoice has one.
        account: The ledger account.
        amount: The invoice's amount (its opening posting), in the account's sign.
        balance: What is still open, in the account's sign (1510 positive, 2440
            negative).
        links: Links of the entries that moved it.
    """

    entity: str
    invoice: str | None
    party: str
    date: datetime.date
    due: datetime.date
    ocr: str | None
    account: str
    amount: Decimal = ZERO
    balance: Decimal = ZERO
    links: set[str] = field(default_factory=set)

    def days_overdue(self, date: datetime.date) -> int:
        """Days past the due date on ``date`` (zero or negative: not due)."""
        return (date - self.due).days

    def bucket(self, date: datetime.date) -> str:
        """The age bucket on ``date``."""
        days = self.days_overdue(date)
        for label, first, last in BUCKETS:
            if days >= first and (last is None or days <= last):
                return label
        return BUCKETS[-1][0]  # pragma: no cover - the buckets cover every integer


def _invoice_key(entry: data.Transaction, posting: data.Posting) -> str | None:
    for meta in (posting.meta, entry.meta):
        if meta and meta.get("invoice") is not None:
            return str(meta["invoice"])
    return None


def open_items(books: Books, bas: str, *, entity: str | None = None,
               date: datetime.date | None = None,
               settled: bool = False) -> list[OpenItem]:
    """The open items of a sub-ledger on ``date``.

    Args:
        books: The books.
        bas: ``1510`` for receivables, ``2440`` for payables.
        entity: Only this entity's items (default: every entity's).
        date: Entries up to and including this date (default: all).
        settled: Keep settled items too.

    Returns:
        The items in (entity, date, invoice) order; their balances sum to the account's.
    """
    return sorted((item for item in _items(books.transactions, books, bas, entity, date)
                   if settled or item.balance != 0),
                  key=lambda i: (i.entity, i.date, i.invoice or ""))


def _items(entries: Iterable[data.Transaction], books: Books, bas: str, entity: str | None,
           date: datetime.date | None) -> list[OpenItem]:
    items: dict[tuple[str, str | None], OpenItem] = {}
    for entry in entries:
        if date is not None and entry.date > date:
            break
        for posting in entry.postings:
            if books.bas(posting.account) != bas or posting.units is None:
                continue
            number = posting.units.number
            code = entity_of(posting.account) or ""
            if number is None or (entity is not None and code != entity):
                continue
            key = _invoice_key(entry, posting)
            item = items.get((code, key))
            if item is None:
                due = entry.meta.get("due") if key is not None else None
                item = items[(code, key)] = OpenItem(
                    entity=code, invoice=key,
                    party=str(entry.meta.get("customer") or entry.meta.get("supplier")
                              or entry.payee or "") if key is not None else "",
                    date=entry.date,
                    due=due if isinstance(due, datetime.date)
                    else entry.date + datetime.timedelta(days=DEFAULT_TERMS),
                    ocr=str(entry.meta["ocr"]) if key and "ocr" in entry.meta else None,
                    account=posting.account, amount=number)
            item.balance += number
            item.links |= set(entry.links or ())
    return list(items.values())


def aged(items: Iterable[OpenItem], date: datetime.date) -> dict[str, dict[str, Decimal]]:
    """Open balances per party and age bucket on ``date``.

    Args:
        items: Open items.
        date: The report date.

    Returns:
        Party to bucket label to balance (every bucket present, zero where empty).
    """
    table: dict[str, dict[str, Decimal]] = {}
    for item in items:
        party = item.party or "(ej reskontraförda / not itemised)"
        row = table.setdefault(party, {label: ZERO for label, _, _ in BUCKETS})
        row[item.bucket(date)] += item.balance
    return table


def overdue(items: Iterable[OpenItem], date: datetime.date, days: int) -> list[OpenItem]:
    """Items owed (in the account's own sign) more than ``days`` past due on ``date``."""
    return [i for i in items if i.invoice is not None and i.days_overdue(date) > days]
