"""The period lock: whether an entry may still be written on its date.

Three things close a date to a new entry: its month is sealed (a month seal, or a year
seal of the fiscal year it falls in), an account it names is not open yet on that date,
or the entity owning that account has not started its books yet. A year seal also seals
the year's closing balances, so a transaction dated before the end of a sealed year is
refused too, whichever month it falls in. :func:`refusals` is the
one pure function that says so, over the loaded books and the entries a writer is about to
add; every writer asks it before it writes (through
:meth:`~coopledger.files.FileTransaction.write_entries`, or :func:`enforce`), and the
close asks it for the entries it computes.

A refused entry is named on one line with its date, its month and why::

    2026-10-03 (2026-10): 2026-10 is sealed

Bank lines that arrive after their month was sealed are booked in the first open month,
their value date kept as metadata: :func:`book_in` moves them (``coopledger import
--book-in YYYY-MM``).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from beancount.core import data

from coopledger.books import Books
from coopledger.entities import entity_of
from coopledger.errors import CoopException
from coopledger.seals import month_bounds, month_label, next_month, read_seals

__all__ = [
    "VALUE_DATE_KEY",
    "PeriodLock",
    "PeriodLocked",
    "Refusal",
    "book_in",
    "enforce",
    "period_lock",
    "refusals",
]

#: The metadata key that keeps a late bank line's own date when it is booked later.
VALUE_DATE_KEY = "value-date"


@dataclass(frozen=True)
class Refusal:
    """An entry the lock refuses.

    Attributes:
        date: The entry's date.
        month: Its month, ``YYYY-MM``.
        why: What closes the date to it, one short clause.
        entry: The refused entry.
    """

    date: datetime.date
    month: str
    why: str
    entry: data.Directive

    def line(self) -> str:
        """The refusal as one line: date, month, why."""
        return f"{self.date} ({self.month}): {self.why}"


@dataclass(frozen=True)
class PeriodLock:
    """What closes dates in one set of books.

    Attributes:
        sealed: The sealed months, ``YYYY-MM``.
        opened: Each account's open date.
        starts: Each entity's first day.
        balances_until: The first day after the last sealed fiscal year, whose closing
            balances are sealed (None without a year seal).
    """

    sealed: frozenset[str]
    opened: Mapping[str, datetime.date]
    starts: Mapping[str, datetime.date]
    balances_until: datetime.date | None = None

    def refusals(self, entries: Iterable[data.Directive]) -> list[Refusal]:
        """The entries this lock refuses, in the order given (see :func:`refusals`)."""
        entries = list(entries)
        opened = dict(self.opened)
        for entry in entries:  # accounts the new entries open themselves
            if isinstance(entry, data.Open) and entry.account not in opened:
                opened[entry.account] = entry.date
        found = []
        for entry in entries:
            why = self._why(entry, opened)
            if why:
                found.append(Refusal(entry.date, month_label(entry.date), why, entry))
        return found

    def _why(self, entry: data.Directive, opened: Mapping[str, datetime.date]) -> str:
        month = month_label(entry.date)
        if month in self.sealed:
            return f"{month} is sealed"
        if (isinstance(entry, data.Transaction) and self.balances_until is not None
                and entry.date < self.balances_until):
            return (f"before {self.balances_until}, the end of a sealed year whose closing "
                    "balances it would change")
        for account in accounts_of(entry):
            code = entity_of(account)
            start = self.starts.get(code) if code else None
            if start is not None and entry.date < start:
                return f"{account}: entity {code} starts its books on {start}"
            if isinstance(entry, data.Open):
                continue
            day = opened.get(account)
            if day is None:
                return f"{account} is not opened in the books"
            if entry.date < day:
                return f"{account} is opened on {day}"
        return ""

    def is_open(self, month: str) -> bool:
        """Whether a month is not sealed."""
        return month not in self.sealed

    def first_open_month(self, entry: data.Directive) -> str:
        """The first month whose first day may hold ``entry`` (for the ``--book-in`` hint).

        Args:
            entry: A refused entry.

        Returns:
            ``YYYY-MM``: on or after the entry's month, not sealed, after the last sealed
            year, and on or after the open date of its accounts and the start of their
            entities.
        """
        earliest = entry.date
        if (isinstance(entry, data.Transaction) and self.balances_until is not None
                and earliest < self.balances_until):
            earliest = self.balances_until
        for account in accounts_of(entry):
            code = entity_of(account)
            for day in (self.opened.get(account), self.starts.get(code or "")):
                if day is not None and day > earliest:
                    earliest = day
        month = month_label(earliest)
        if month_bounds(month)[0] < earliest:
            month = next_month(month)
        while month in self.sealed:
            month = next_month(month)
        return month


def accounts_of(entry: data.Directive) -> list[str]:
    """The accounts an entry names (postings, or its one account)."""
    if isinstance(entry, data.Transaction):
        return list(dict.fromkeys(p.account for p in entry.postings))
    account = getattr(entry, "account", None)
    return [account] if isinstance(account, str) else []


def _sealed(books: Books) -> tuple[frozenset[str], datetime.date | None]:
    """The sealed months, and the day after the last sealed fiscal year."""
    seals, _ = read_seals(books.entries)
    months: set[str] = set()
    year_end: datetime.date | None = None
    for label, seal in seals.items():
        if not seal.is_year:
            months.add(label)
            continue
        month = f"{label}-{seal.fiscal_year_start:02d}"
        for _ in range(12):
            months.add(month)
            month = next_month(month)
        end = month_bounds(month)[0]
        year_end = end if year_end is None else max(year_end, end)
    return frozenset(months), year_end


def period_lock(books: Books) -> PeriodLock:
    """The lock of these books: sealed months, open dates, entity starts (computed once)."""
    def compute() -> PeriodLock:
        months, year_end = _sealed(books)
        return PeriodLock(
            months,
            {account: entry.date for account, entry in books.opens.items()},
            {code: entity.start for code, entity in books.entities.items()}, year_end)
    return books.remember(("periodlock",), compute)


def refusals(books: Books, entries: Iterable[data.Directive]) -> list[Refusal]:
    """The entries that may not be written into these books, each with why.

    An entry is refused when its month is sealed, when it is a transaction dated before
    the end of a sealed fiscal year, when it names an account not open on its date
    (accounts opened by ``open`` directives among ``entries`` count as open), or when
    that account's entity starts its books after the date.

    Args:
        books: The loaded books.
        entries: The entries a writer is about to add.

    Returns:
        One refusal per refused entry; empty when every entry may be written.
    """
    return period_lock(books).refusals(entries)


class PeriodLocked(CoopException):
    """Entries the lock refuses; the message has one line per refused entry.

    Entries refused on the same day for the same reason (a new member's chart of
    accounts in a sealed month) share one line that counts them.

    Args:
        found: The refusals.
        hint: What the writer's user may do instead, appended to each line.
    """

    def __init__(self, found: Sequence[Refusal], hint: str = "") -> None:
        tail = f"; {hint}" if hint else ""
        counts: dict[str, int] = {}
        for refusal in found:
            counts[refusal.line()] = counts.get(refusal.line(), 0) + 1
        super().__init__("\n".join(
            f"{line}{f' ({n} entries)' if n > 1 else ''}{tail}" for line, n in counts.items()))
        self.refusals = list(found)


def enforce(books: Books, entries: Iterable[data.Directive], hint: str = "") -> None:
    """Refuse, before anything is written, entries the lock does not let through.

    Args:
        books: The loaded books.
        entries: The entries about to be written.
        hint: The lawful way, for the message (default: date them in an open month).

    Raises:
        PeriodLocked: At least one entry is refused; its message names each one.
    """
    found = refusals(books, entries)
    if found:
        raise PeriodLocked(found, hint or "nothing was written; date it in an open month")


def book_in(books: Books, entries: Sequence[data.Directive],
            month: str) -> tuple[list[data.Directive], int, int]:
    """Late bank lines moved to the first day of ``month``, their own date kept.

    A transaction the lock refuses (sealed month, account or entity not started yet) is
    dated on the first day of ``month`` with ``value-date`` metadata holding its own date;
    a balance assertion it refuses is left out (the booked balance on that day no longer
    includes the moved lines). Everything else is unchanged.

    Args:
        books: The loaded books.
        entries: The new entries of an import.
        month: ``YYYY-MM``, an open month.

    Returns:
        The entries, how many were moved and how many balance assertions were left out.

    Raises:
        CoopException: ``month`` is not a month or is sealed.
    """
    try:
        day = month_bounds(month)[0]
    except ValueError as exc:
        raise CoopException(f"--book-in {month}: {exc}") from None
    lock = period_lock(books)
    if not lock.is_open(month):
        later = next_month(month)
        while later in lock.sealed:
            later = next_month(later)
        raise CoopException(f"--book-in {month}: {month} is sealed; the first open month "
                            f"after it is {later}")
    refused = {id(r.entry) for r in lock.refusals(entries)}
    out: list[data.Directive] = []
    moved = dropped = 0
    for entry in entries:
        if id(entry) not in refused or entry.date >= day:
            out.append(entry)
        elif isinstance(entry, data.Transaction):
            meta = {**entry.meta, VALUE_DATE_KEY: entry.date}
            out.append(entry._replace(date=day, meta=meta))
            moved += 1
        elif isinstance(entry, data.Balance):
            dropped += 1
        else:
            out.append(entry)
    return out, moved, dropped
