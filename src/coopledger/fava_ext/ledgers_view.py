"""The member page's customer and supplier ledgers: open invoices by age.

:func:`ledgers_view` reads the receivables (1510) and payables (2440) sub-ledgers of one
entity on the last day of the period shown, with :mod:`coopledger.invoicing.receivables`,
and arranges them per party and age bucket for the ``_ledgers.html`` block of the
cooperative page. Payables are shown as positive amounts owed.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from coopledger.books import Books
from coopledger.i18n import LANGUAGES, section
from coopledger.invoicing.receivables import (
    BUCKETS,
    PAYABLES_BAS,
    RECEIVABLES_BAS,
    aged,
    open_items,
)

ZERO = Decimal(0)
#: The block's labels, per page language (the buckets in :data:`BUCKETS` order), from the
#: message catalogue (ids ``ledgers.*``).
LABELS: dict[str, dict[str, object]] = {
    language: {**{key: text for key, text in section(language, "ledgers.").items()
                  if not key.startswith("bucket")},
               "buckets": tuple(section(language, "ledgers.")[f"bucket{i}"]
                                for i in range(len(BUCKETS)))}
    for language in LANGUAGES}


@dataclass(frozen=True)
class AgedRow:
    """One party's open balance per age bucket and in total."""

    party: str
    buckets: tuple[Decimal, ...]
    total: Decimal


@dataclass(frozen=True)
class AgedLedger:
    """A sub-ledger's rows and the column totals."""

    rows: tuple[AgedRow, ...]
    totals: tuple[Decimal, ...]
    total: Decimal


@dataclass(frozen=True)
class LedgersView:
    """Both sub-ledgers of one entity on one date, with the labels to show them."""

    date: datetime.date
    receivables: AgedLedger
    payables: AgedLedger
    labels: Mapping[str, object]


def _aged(books: Books, bas: str, code: str, date: datetime.date,
          sign: Decimal) -> AgedLedger:
    table = aged(open_items(books, bas, entity=code, date=date), date)
    rows = tuple(AgedRow(party, tuple(sign * row[label] for label, _, _ in BUCKETS),
                         sign * sum(row.values(), ZERO))
                 for party, row in sorted(table.items()))
    totals = tuple(sum((r.buckets[i] for r in rows), ZERO) for i in range(len(BUCKETS)))
    return AgedLedger(rows, totals, sum(totals, ZERO))


def ledgers_view(books: Books, code: str, date: datetime.date,
                 language: str = "sv") -> LedgersView:
    """An entity's receivables and payables by party and age on ``date``.

    Args:
        books: The books.
        code: The entity.
        date: The report date (the period's last day).
        language: ``sv`` or ``en``.

    Returns:
        The view.
    """
    return LedgersView(date, _aged(books, RECEIVABLES_BAS, code, date, Decimal(1)),
                       _aged(books, PAYABLES_BAS, code, date, Decimal(-1)),
                       LABELS.get(language, LABELS["sv"]))
