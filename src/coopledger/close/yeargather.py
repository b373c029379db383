"""Year-end close, step 1 of 3: gather what the close reads (see :mod:`.yearend`).

Loads the books, decides the fiscal year (one shared by every entity), finds whether the
year is already sealed or cannot be closed yet, reads the main file and names the files
the close will write. Nothing here computes an entry.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from coopledger.books import Books, load_books
from coopledger.close.computed import CLOSING_DIR
from coopledger.close.yearseal import verify_year_seals
from coopledger.entities import entity_of
from coopledger.errors import CoopException, format_error
from coopledger.files import read_text
from coopledger.seals import month_label, read_seals, sealed_months

#: The daily books' main file, beside the main file.
DAILY_FILE = "daily.beancount"


@dataclass(frozen=True)
class YearFiles:
    """The files a year-end close writes (or changes), by their role.

    Attributes:
        main: The main file (it gains the include lines of the closed year's files).
        year_end: The result moved to equity on the year's last day.
        carry: The result carried forward on the next year's first day.
        seal: The year seal.
        opening: The next year's opening balances (included by the daily books only).
        daily: The daily books' main file.
    """

    main: Path
    year_end: Path
    carry: Path
    seal: Path
    opening: Path
    daily: Path

    @classmethod
    def of(cls, main: Path, year: int, next_year: int) -> YearFiles:
        """The files of closing ``year`` in the books whose main file is ``main``."""
        folder = main.parent / CLOSING_DIR
        return cls(main, folder / f"{year}-year-end.beancount",
                   folder / f"{next_year}-carry-forward.beancount",
                   folder / f"{year}-seal.beancount",
                   folder / f"{next_year}-opening-balances.beancount", main.parent / DAILY_FILE)


@dataclass(frozen=True)
class YearInputs:
    """What a year-end close starts from.

    Attributes:
        books: The books as loaded before the close.
        year: The fiscal year closed (the calendar year it starts in).
        first_month: The month every entity's fiscal year starts in.
        start: The year's first day.
        end: The first day of the next year.
        files: The files the close writes.
        main_text: The main file's text.
    """

    books: Books
    year: int
    first_month: int
    start: datetime.date
    end: datetime.date
    files: YearFiles
    main_text: str


@dataclass(frozen=True)
class Settled:
    """A year the close stops at before computing: already sealed, or blocked.

    Attributes:
        status: ``already sealed`` or ``failed``.
        failure: Why it failed (the broken seal's or the books' errors).
    """

    status: str
    failure: list[str] = field(default_factory=list)


def gather_year(path: str | Path, year: int) -> YearInputs | Settled:
    """Read what closing ``year`` needs, or why there is nothing to compute.

    Raises:
        CoopException: Mixed fiscal years, a month of the year not sealed, or an earlier
            year not closed.
    """
    books = load_books(path)
    first_month = _shared_fiscal_start(books)
    start, end = _shared_year(books, year, first_month)
    settled = _done_or_blocked(books, year, start, end)
    if settled is not None:
        return settled
    main = books.path.resolve()
    return YearInputs(books, year, first_month, start, end, YearFiles.of(main, year, end.year),
                      read_text(main))


def _shared_fiscal_start(books: Books) -> int:
    starts = {e.fiscal_year_start for e in books.entities.values()} or {1}
    if len(starts) > 1:
        raise CoopException("the entities have different fiscal years; the year-end close "
                            "handles one shared fiscal year only")
    return starts.pop()


def _shared_year(books: Books, year: int, first_month: int,
                 ) -> tuple[datetime.date, datetime.date]:
    """The fiscal year all entities share; an entity's first year may start another day.

    Raises:
        CoopException: An entity's year ``year`` (a long first year) ends at another time.
    """
    start, end = datetime.date(year, first_month, 1), datetime.date(year + 1, first_month, 1)
    for entity in books.entities.values():
        own = entity.fiscal_year(year)
        start = min(start, own.start)
        if own.end != end:
            raise CoopException(f"entity {entity.code}'s fiscal year {own.label} ends "
                                f"{own.last_day}, the others' {end - datetime.timedelta(1)}; "
                                "the year-end close handles one shared fiscal year only")
    return start, end


def _done_or_blocked(books: Books, year: int, start: datetime.date,
                     end: datetime.date) -> Settled | None:
    """The year's outcome when it is already sealed or the books have errors, else None.

    Raises:
        CoopException: A month of the year is not sealed yet, or an earlier year's
            result was never booked to equity.
    """
    seals, _ = read_seals(books.entries)
    if str(year) in seals:
        problems = verify_year_seals(books.entries, {str(year): seals[str(year)]})
        return Settled("failed" if problems else "already sealed", [m for m, _ in problems])
    months = {month_label(e.date) for e in books.transactions if start <= e.date < end}
    missing = sorted(months - sealed_months(books))
    if missing:
        raise CoopException(f"close {missing[0]} first: every month of {year} must be sealed")
    if books.errors:
        return Settled("failed", [format_error(e) for e in books.errors[:30]])
    _refuse_unclosed_results(books, year, start)
    return None


def _refuse_unclosed_results(books: Books, year: int, start: datetime.date) -> None:
    """Refuse a year whose earlier years' results were never booked to equity.

    Each closed year's income and expense accounts net to zero per entity with its 8999
    posting, so the next year starts from the balance sheet alone (the opening balances
    hold nothing else). Results left in them by an earlier year that was not closed
    would have nowhere to go.

    Raises:
        CoopException: An entity's income and expense accounts do not net to zero
            before ``start``.
    """
    currency = books.operating_currency
    unclosed: dict[str, Decimal] = {}
    for entry in books.transactions:
        if entry.date >= start:
            break
        for posting in entry.postings:
            units = posting.units
            if (units is None or units.number is None or units.currency != currency
                    or not posting.account.startswith(("Income:", "Expenses:"))):
                continue
            code = entity_of(posting.account) or posting.account
            unclosed[code] = unclosed.get(code, Decimal(0)) + units.number
    left = ", ".join(f"{code} {-value}" for code, value in sorted(unclosed.items()) if value)
    if left:
        raise CoopException(f"the results booked before {start} were never booked to equity "
                            f"({left}): close each year before {year} first, oldest first "
                            "(coopledger close --year)")
