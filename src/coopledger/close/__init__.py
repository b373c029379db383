"""The monthly and year-end close: check, book computed entries, number, seal, report.

The accountant's monthly job in one call (``coopledger close LEDGER 2026-10``)::

    from coopledger.close import close_month, close_status

    report = close_month("ledgers/example/main.beancount", "2026-10", dry_run=True)
    for status in close_status(books):
        print(status.month, status.state)

The steps live in their own modules: :mod:`~coopledger.close.preflight`,
:mod:`~coopledger.close.computed`, :mod:`~coopledger.close.numbering`,
:mod:`~coopledger.seals`, :mod:`~coopledger.close.boardpack` and
:mod:`~coopledger.close.yearend`. See docs/close.md.
"""

from __future__ import annotations

import datetime
import importlib
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from coopledger.seals import (
    Seal,
    accepted_items,
    month_bounds,
    month_label,
    next_month,
    read_seals,
    sealed_months,
    verify_month_seals,
)
from coopledger.vouchers import VOUCHER_KEY

if TYPE_CHECKING:
    from coopledger.books import Books
    from coopledger.close.month import CloseReport, close_month
    from coopledger.close.preflight import CheckResult
    from coopledger.close.yearend import YearReport, close_year

__all__ = ["CheckResult", "CloseReport", "MonthState", "MonthStatus", "YearReport",
           "accepted_review", "close_month", "close_status", "close_year"]


#: The names the package re-exports from its step modules, each imported on first use:
#: the plugins import the year seals' declarations (:mod:`coopledger.close.yearseal`)
#: at every load, and need none of the close's steps.
_FROM_STEPS = {"CheckResult": "preflight", "CloseReport": "month", "close_month": "month",
               "YearReport": "yearend", "close_year": "yearend"}


def __getattr__(name: str) -> Any:
    step = _FROM_STEPS.get(name)
    if step is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{step}"), name)


class MonthState(StrEnum):
    """Where a month stands in the close."""

    OPEN = "open"
    CLOSED = "closed"
    SEALED = "sealed"
    SEAL_BROKEN = "seal broken"


@dataclass(frozen=True)
class MonthStatus:
    """One month's close status.

    Attributes:
        month: ``YYYY-MM``.
        state: open (not closed), closed (every transaction numbered, no seal yet),
            sealed (seal present and matching), seal broken (entries changed after
            sealing).
        checks: For the next month to close, the preflight results; for a broken seal,
            what changed; for a month sealed with an acceptance, the accepted review
            check (its items, who accepted them and why); otherwise empty.
        transactions: Number of transactions dated in the month.
    """

    month: str
    state: MonthState
    checks: list[CheckResult] = field(default_factory=list)
    transactions: int = 0


def accepted_review(seal: Seal) -> CheckResult:
    """The review check a seal's acceptance records: the items, who accepted and why."""
    from coopledger.close.preflight import result, text_note  # on first use: see _FROM_STEPS
    from coopledger.i18n import Message

    return result("review", False, [text_note(item) for item in accepted_items(seal)],
                  accepted=f"{seal.accepted_by}: {seal.accepted_reason}",
                  heading=Message.of("check.review.accepted"))


def close_status(books: Books, *, with_checks: bool = True) -> list[MonthStatus]:
    """The state of every month from the books' first to their last transaction.

    Args:
        books: The loaded books.
        with_checks: Run the preflight for the next month to close (one pass per check).

    Returns:
        One status per month, oldest first (empty for books without transactions).
    """
    from coopledger.close.month import first_month  # on first use: see _FROM_STEPS
    from coopledger.close.preflight import preflight, result
    from coopledger.i18n import Message, MonthLabel

    first = first_month(books)
    if first is None:
        return []
    last = month_label(books.transactions[-1].date)
    seals, _ = read_seals(books.entries)
    broken = verify_month_seals(books.entries, seals)
    covered = sealed_months(books)
    counts: dict[str, int] = {}
    numbered: dict[str, bool] = {}
    day: datetime.date | None = None
    label = ""
    for entry in books.transactions:
        if entry.date != day:  # a label per day, not per transaction
            day, label = entry.date, month_label(entry.date)
        counts[label] = counts.get(label, 0) + 1
        numbered[label] = numbered.get(label, True) and VOUCHER_KEY in (entry.meta or {})
    statuses = []
    label = first
    next_to_close_found = False
    while label <= last:
        checks: list[CheckResult] = []
        if label in broken:
            state = MonthState.SEAL_BROKEN
            checks = [result("seals", False, [m for m, _ in broken[label]],
                             heading=Message.of("check.seals.month",
                                                 month=MonthLabel(label)))]
        elif label in covered:
            state = MonthState.SEALED
            if label in seals and seals[label].accepted_by:
                checks = [accepted_review(seals[label])]
        else:
            state = MonthState.CLOSED if numbered.get(label) else MonthState.OPEN
            if with_checks and not next_to_close_found:
                start, end = month_bounds(label)
                checks = preflight(books, start, end)
            next_to_close_found = True
        statuses.append(MonthStatus(label, state, checks, counts.get(label, 0)))
        label = next_month(label)
    return statuses

