"""Periods: months, quarters and fiscal years, as half-open date ranges.

A period is written ``2026-10`` (a month), ``2026-Q3`` (a quarter of the fiscal year) or
``2026`` (the fiscal year that starts in 2026). The fiscal year starts in the month the
entity declares (``fiscal_year_start``, default January), so ``2026-Q1`` of a July year
is July to September 2026. Where any days will do (a report, as Fava's time filter
chooses them), :func:`parse_span` also reads a day ``2026-10-05`` and a range
``2026-10-05..2026-10-09`` (from the first one's start to the second one's end).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta

from coopledger.errors import CoopException

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")
_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


@dataclass(frozen=True, order=True)
class Period:
    """The dates ``start <= date < end``, with a label such as ``2026-10``."""

    start: datetime.date
    end: datetime.date
    label: str

    def __contains__(self, date: object) -> bool:
        return isinstance(date, datetime.date) and self.start <= date < self.end

    @property
    def last_day(self) -> datetime.date:
        """The last day inside the period."""
        return self.end - datetime.timedelta(days=1)

    def months(self) -> list[Period]:
        """The calendar months the period touches, in order (the first and the last may
        be only partly inside it)."""
        months = []
        year, month = self.start.year, self.start.month
        while datetime.date(year, month, 1) < self.end:
            months.append(month_period(year, month))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return months


def month_period(year: int, month: int) -> Period:
    """The calendar month ``year-month``."""
    end = datetime.date(year + 1, 1, 1) if month == 12 else datetime.date(year, month + 1, 1)
    return Period(datetime.date(year, month, 1), end, f"{year:04d}-{month:02d}")


def fiscal_year(year: int, fiscal_year_start: int = 1) -> Period:
    """The fiscal year that starts in ``year`` (in month ``fiscal_year_start``)."""
    start = datetime.date(year, fiscal_year_start, 1)
    end = start + relativedelta(years=1)
    label = str(year) if fiscal_year_start == 1 else f"{year}/{str(end.year)[-2:]}"
    return Period(start, end, label)


def fiscal_year_of(date: datetime.date, fiscal_year_start: int = 1) -> Period:
    """The fiscal year a date falls in."""
    year = date.year if date.month >= fiscal_year_start else date.year - 1
    return fiscal_year(year, fiscal_year_start)


def fiscal_year_from(year: int, fiscal_year_start: int = 1,
                     first: tuple[datetime.date, datetime.date] | None = None) -> Period:
    """The fiscal year named ``year``, where the first year may be of any length.

    Args:
        year: The calendar year the fiscal year starts in.
        fiscal_year_start: The month the regular years start in.
        first: The first year's first and last day when it is not a regular year (a new
            entity's first year runs from its start to at most eighteen months later).

    Returns:
        The regular year, or the first year when the regular one starts inside it.
    """
    regular = fiscal_year(year, fiscal_year_start)
    if first is None or regular.end <= first[0] or regular.start > first[1]:
        return regular
    start, last = first
    label = str(start.year) if start.year == last.year else f"{start.year}/{str(last.year)[-2:]}"
    return Period(start, last + datetime.timedelta(days=1), label)


def fiscal_year_containing(date: datetime.date, fiscal_year_start: int = 1,
                           first: tuple[datetime.date, datetime.date] | None = None) -> Period:
    """The fiscal year a date falls in, where the first year may be of any length."""
    if first is not None and first[0] <= date <= first[1]:
        return fiscal_year_from(first[0].year, fiscal_year_start, first)
    return fiscal_year_of(date, fiscal_year_start)


def parse_period(text: str, fiscal_year_start: int = 1) -> Period:
    """Read ``2026-10``, ``2026-Q3`` or ``2026``.

    Args:
        text: The period as written on the command line or in a URL.
        fiscal_year_start: The month the fiscal year starts in (for quarters and years).

    Returns:
        The period.

    Raises:
        CoopException: The text is none of the three forms, or names no real month.
    """
    text = text.strip()
    if match := _MONTH.match(text):
        year, month = int(match[1]), int(match[2])
        if not 1 <= month <= 12:
            raise CoopException(f"period {text!r}: month must be 01 to 12")
        return month_period(year, month)
    if match := _QUARTER.match(text):
        year_period = fiscal_year(int(match[1]), fiscal_year_start)
        start = year_period.start + relativedelta(months=3 * (int(match[2]) - 1))
        return Period(start, start + relativedelta(months=3), text.upper())
    if match := _YEAR.match(text):
        return fiscal_year(int(match[1]), fiscal_year_start)
    raise CoopException(f"period {text!r} is not a month (2026-10), a quarter (2026-Q3) "
                        "or a fiscal year (2026)")


def parse_span(text: str, fiscal_year_start: int = 1) -> Period:
    """Read a period as :func:`parse_period`, a day ``2026-10-05``, or a range of them.

    A range ``FROM..TO`` runs from the start of ``FROM`` to the end of ``TO``, each a day,
    a month, a quarter or a year: ``2026-10-05..2026-10-09`` is five days,
    ``2026-03..2026-08`` six months.

    Args:
        text: The period as written on the command line.
        fiscal_year_start: The month the fiscal year starts in (for quarters and years).

    Returns:
        The period.

    Raises:
        CoopException: A part is no period, or the range ends before it starts.
    """
    text = text.strip()
    if ".." in text:
        first, _, last = text.partition("..")
        start = parse_span(first, fiscal_year_start)
        end = parse_span(last, fiscal_year_start)
        if end.end <= start.start:
            raise CoopException(f"period {text!r}: ends before it starts")
        return Period(start.start, end.end, f"{start.start} -- {end.last_day}")
    if match := _DAY.match(text):
        try:
            day = datetime.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            raise CoopException(f"period {text!r}: no such day") from None
        return Period(day, day + datetime.timedelta(days=1), text)
    return parse_period(text, fiscal_year_start)
