"""The filing calendar: each taxable person's next VAT return and employer declaration.

Due dates (Skatteverket's, for turnover up to 40 MSEK):

- **AGI**: the 12th of the month after the month of payment; the 17th when that month is
  January or August.
- **VAT return, month or quarter** (calendar quarters): the 12th of the second month
  after the period; the 17th when that month is January or August.
- **VAT return, year** (the fiscal year): the 26th of the second month after the year.
  That is the earliest date Skatteverket applies; a member that files its income tax
  return electronically may be given a later one (check Skatteverket).

A due date on a Saturday, Sunday or Swedish public holiday moves to the next working day.
A filing's *next* period is the one whose due date is the first on or after the given
day. VAT periods are those of :func:`coopledger.filings.vat.vat_period_of` (months,
calendar quarters or the fiscal year). A period is *closed* when every month in it is
sealed. A unit files nothing of its own (its umbrella does); a taxable person whose sales
are exempt is not registered for VAT and has no return; an entity with no payroll booked
and no employee declared has no AGI.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from enum import StrEnum

from dateutil.easter import easter
from dateutil.relativedelta import FR, relativedelta

from coopledger.books import Books
from coopledger.entities import Entity, LegalForm, VatPeriod, VatSales, entity_of
from coopledger.filings import TaxablePerson, taxable_person
from coopledger.filings.employees import Employee
from coopledger.filings.vat import vat_period_of
from coopledger.periods import Period, month_period
from coopledger.seals import sealed_months


class FilingKind(StrEnum):
    """What is filed."""

    VAT = "moms"
    AGI = "AGI"


@dataclass(frozen=True)
class Filing:
    """One return to file.

    Attributes:
        kind: VAT return or employer declaration.
        period: The period it reports.
        due: The last day to file (and pay).
        closed: Whether every month of the period is sealed.
    """

    kind: FilingKind
    period: Period
    due: datetime.date
    closed: bool


@dataclass(frozen=True)
class CalendarRow:
    """One entity's place in the calendar.

    Attributes:
        entity: The entity.
        files_with: The entity whose returns include it, when that is another (a unit's
            umbrella); then it has no filings of its own.
        vat: Its next VAT return (None: it files none).
        agi: Its next employer declaration (None: it files none).
    """

    entity: Entity
    files_with: str | None
    vat: Filing | None
    agi: Filing | None


def swedish_holidays(year: int) -> set[datetime.date]:
    """The days Skatteverket's due dates move past: public holidays and the eves kept.

    Args:
        year: The calendar year.

    Returns:
        New Year, Epiphany, Good Friday, Easter Monday, 1 May, Ascension Day, the
        National Day, Midsummer Eve, Christmas Eve, Christmas, Boxing Day and New
        Year's Eve.
    """
    sunday = easter(year)
    midsummer_eve = datetime.date(year, 6, 19) + relativedelta(weekday=FR(+1))
    fixed = [(1, 1), (1, 6), (5, 1), (6, 6), (12, 24), (12, 25), (12, 26), (12, 31)]
    return {datetime.date(year, m, d) for m, d in fixed} | {
        sunday - datetime.timedelta(days=2), sunday + datetime.timedelta(days=1),
        sunday + datetime.timedelta(days=39), midsummer_eve}


def next_working_day(day: datetime.date) -> datetime.date:
    """The day itself, or the first day after it that is not a weekend or holiday."""
    while day.weekday() >= 5 or day in swedish_holidays(day.year):
        day += datetime.timedelta(days=1)
    return day


def _twelfth_or_seventeenth(year: int, month: int) -> datetime.date:
    return next_working_day(datetime.date(year, month, 17 if month in (1, 8) else 12))


def agi_due(month: Period) -> datetime.date:
    """The due date of the AGI for a month of payment."""
    following = month.end
    return _twelfth_or_seventeenth(following.year, following.month)


def vat_due(period: Period, vat_period: VatPeriod) -> datetime.date:
    """The due date of the VAT return for a period."""
    second = period.end + relativedelta(months=1)
    if vat_period is VatPeriod.YEAR:
        return next_working_day(datetime.date(second.year, second.month, 26))
    return _twelfth_or_seventeenth(second.year, second.month)


def _closed(period: Period, sealed: set[str]) -> bool:
    return all(month.label in sealed for month in period.months())


def next_vat(person: TaxablePerson, on: datetime.date, sealed: set[str]) -> Filing:
    """The VAT return whose due date is the first on or after a day."""
    period = vat_period_of(person.head, on)
    # Step back to the earliest period still due on that day, then forward.
    while True:
        earlier = vat_period_of(person.head, period.start - datetime.timedelta(days=1))
        if vat_due(earlier, person.vat_period) < on:
            break
        period = earlier
    return Filing(FilingKind.VAT, period, vat_due(period, person.vat_period),
                  _closed(period, sealed))


def next_agi(on: datetime.date, sealed: set[str]) -> Filing:
    """The AGI whose due date is the first on or after a day."""
    month = month_period(on.year, on.month)
    before = month.start - relativedelta(months=1)
    previous = month_period(before.year, before.month)
    if agi_due(previous) >= on:
        month = previous
    return Filing(FilingKind.AGI, month, agi_due(month), _closed(month, sealed))


def employers(books: Books) -> set[str]:
    """Entities that pay wages: those with declared employees or booked payroll.

    Read once per load (remembered with the books); each caller gets a set of its own.
    """

    def compute() -> frozenset[str]:
        codes = {employee.employer for employee in books.declarations.of(Employee)}
        for entry in books.transactions:
            if "employee" in entry.meta and entry.postings:
                code = entity_of(entry.postings[0].account)
                if code:
                    codes.add(code)
        return frozenset(codes)

    return set(books.remember(("filings.employers",), compute))


def filing_calendar(books: Books, on: datetime.date) -> list[CalendarRow]:
    """Every entity's next VAT return and AGI as of a day.

    Args:
        books: The loaded books.
        on: The day to look ahead from.

    Returns:
        One row per entity, in the order they were declared.
    """
    sealed = sealed_months(books)
    paying = employers(books)
    rows = []
    for entity in books.entities.values():
        person = taxable_person(books.entities, entity.code)
        if entity.legal_form is LegalForm.UNIT:
            rows.append(CalendarRow(entity, person.code, None, None))
            continue
        files_vat = person.head.vat_sales is not VatSales.EXEMPT
        files_agi = bool(person.codes & paying)
        rows.append(CalendarRow(
            entity, None, next_vat(person, on, sealed) if files_vat else None,
            next_agi(on, sealed) if files_agi else None))
    return rows
