"""What a board decides on: honest periods, budget and last year, key ratios, the people.

Plain data for the Grupp and Kooperativ pages (and the fund's ratios for Fonden), built
from the library's own computations; the templates only format it:

- **honest periods**: a period never runs past the books' last transaction
  (:func:`books_period`), and every month that is not sealed is *preliminary*
  (:func:`preliminary_months`): marked so in every table and drawn dashed in the charts;
- **budget and last year** (:mod:`coopledger.compare`): actual, budget, deviation, the
  same period a year before and the year to date, per entity on the group page and per
  line on a cooperative's page;
- **key ratios** (:mod:`coopledger.ratios`): each with its verdict (good, watch, bad), in
  colour and in words with its threshold;
- **the people** (:mod:`coopledger.people`): employed, from the target group, with a wage
  subsidy, full-time equivalents, starts and leavers, month by month.

Every function takes the books and the period explicitly; nothing reads Flask's state.
The labels are the message catalogue's (:mod:`coopledger.i18n`).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from beancount.core import data

from coopledger.books import Books
from coopledger.compare import (
    Comparison,
    a_year_before,
    compare,
    fiscal_year_start,
    year_to_date,
)
from coopledger.entities import EntityKind
from coopledger.i18n import message
from coopledger.member import member_code, read_close_marks
from coopledger.money import ZERO
from coopledger.people import PeopleCount, employed_in_period, people_counts
from coopledger.periods import Period
from coopledger.ratios import Language, Ratio, entity_ratios, fund_ratios, key_ratios
from coopledger.seals import sealed_months
from coopledger.statements import INCOME_SECTIONS

#: The close-mark state (in a member's own books) of a final month.
FINAL_STATE = "sealed"


def last_day(books: Books) -> datetime.date:
    """The books' last day: the last transaction's date, or the day before the last
    balance assertion if that is later (a balance asserts the state at the start of its
    day, so ``balance`` on 2026-12-01 proves the books through 2026-11-30, not December).

    Prices, notes and declarations dated later are not results and do not count.
    """
    days = [books.transactions[-1].date] if books.transactions else []
    balance = next((e.date for e in reversed(books.entries) if isinstance(e, data.Balance)),
                   None)
    if balance is not None:
        days.append(balance - datetime.timedelta(days=1))
    return max(days) if days else books.last_date


def books_period(books: Books, period: Period) -> Period:
    """The period cut at the books' last day, labelled so, when it runs past it.

    Without a time filter Fava's period would end after the last entry (a balance
    assertion on the next month's first day makes a phantom month of zeros); with a
    filter such as ``2026`` the months after the books end would show as zero results.

    Args:
        books: The books.
        period: The period asked for.

    Returns:
        The period itself, or the same start with the end after the books' last day.
    """
    last = last_day(books)
    if not period.start <= last < period.last_day:
        return period
    return Period(period.start, last + datetime.timedelta(days=1),
                  f"{period.label} ({period.start.isoformat()} – {last.isoformat()})")


def final_months(books: Books) -> frozenset[str]:
    """The sealed months (``YYYY-MM``): in the group's books from the seals, in a
    member's own books from its close marks. Remembered with the books."""
    def compute() -> frozenset[str]:
        marks = read_close_marks(books.entries)
        if marks:
            return frozenset(m for m, state in marks.items() if state == FINAL_STATE)
        return frozenset(sealed_months(books))

    return books.remember(("decide.final_months",), compute)


def preliminary_months(books: Books, period: Period) -> tuple[str, ...]:
    """The period's months that are not sealed, in order: their figures may change."""
    final = final_months(books)
    return tuple(m.label for m in period.months() if m.label not in final)


@dataclass(frozen=True)
class CompareRow:
    """One result beside its budget, last year and the year to date.

    Attributes:
        key: The entity code, ``group``, or a line's account or section.
        name: What the row is.
        actual: The period's result.
        budget: Its budget.
        last_year: The same months a year earlier.
        ytd_actual: The year to date.
        ytd_budget: The year to date's budget.
        ytd_last_year: The same months a year earlier, year to date.
        kind: ``line``, ``section`` or ``total`` (for the template's styling).
    """

    key: str
    name: str
    actual: Decimal
    budget: Decimal
    last_year: Decimal
    ytd_actual: Decimal
    ytd_budget: Decimal
    ytd_last_year: Decimal
    kind: str = "total"

    @property
    def deviation(self) -> Decimal:
        """Actual minus budget: positive is better than planned."""
        return self.actual - self.budget

    @property
    def against_last_year(self) -> Decimal:
        """Actual minus last year: positive is better."""
        return self.actual - self.last_year

    @property
    def ytd_deviation(self) -> Decimal:
        """The year to date's actual minus its budget."""
        return self.ytd_actual - self.ytd_budget


@dataclass(frozen=True)
class CompareView:
    """Results beside their references, with the periods they cover.

    Attributes:
        rows: The rows in order.
        period: The period compared (:func:`compared_period`).
        year_to_date: The year-to-date period.
        last_year: The period last year's figures cover.
        has_budget: Whether any budget is declared for what the rows cover.
    """

    rows: tuple[CompareRow, ...]
    period: Period
    year_to_date: Period
    last_year: Period
    has_budget: bool


def compared_period(books: Books, entity: str | None, period: Period) -> Period:
    """The period the budget comparison covers: the period itself, or, when it spans
    more than one fiscal year (the whole books, without a time filter), its last fiscal
    year to date; budgets are set per year and a comparison over several would mix
    years with and without one."""
    ytd = year_to_date(period, fiscal_year_start(books, entity))
    if period.start >= ytd.start:
        return period
    return Period(ytd.start, ytd.end, f"{ytd.start:%Y-%m} – {period.last_day:%Y-%m}")


def _pair(books: Books, entity: str | None, period: Period) -> tuple[Comparison, Comparison]:
    return (books.remember(("decide.compare", entity, period, "budget"),
                           lambda: compare(books, entity, period, "budget")),
            books.remember(("decide.compare", entity, period, "last-year"),
                           lambda: compare(books, entity, period, "last-year")))


def _total_row(key: str, name: str, budget: Comparison, last: Comparison,
               section: str | None = None, kind: str = "total") -> CompareRow:
    return CompareRow(key, name, budget.total("actual", section),
                      budget.total("reference", section), last.total("reference", section),
                      budget.total("ytd_actual", section), budget.total("ytd_reference", section),
                      last.total("ytd_reference", section), kind)


def group_comparison(books: Books, period: Period, codes: list[tuple[str, str]],
                     *, consolidate: bool) -> CompareView:
    """Each entity's result, and the group's, beside budget, last year and year to date.

    Args:
        books: The books.
        period: The period.
        codes: The entities shown, as (code, name), in order.
        consolidate: Add the group's consolidated row (not in one member's own books).

    Returns:
        One row per entity, then the group's.
    """
    period = compared_period(books, None, period)
    # The group's first: its sums are remembered, and each entity's are then split
    # from them instead of read again (coopledger.balances).
    group = _pair(books, None, period) if consolidate else None
    rows = []
    has_budget = False
    for code, name in codes:
        budget, last = _pair(books, code, period)
        has_budget = has_budget or any(line.reference or line.ytd_reference
                                       for line in budget.lines)
        rows.append(_total_row(code, name, budget, last))
    if group is not None:
        rows.append(_total_row("group", "group", *group))
    ytd = year_to_date(period, fiscal_year_start(books, None))
    return CompareView(tuple(rows), period, ytd, a_year_before(period), has_budget)


def member_comparison(books: Books, code: str, period: Period) -> CompareView:
    """One entity's income statement, line by line and per section, beside its budget,
    last year and year to date; the result last.

    Args:
        books: The books.
        code: The entity code.
        period: The period.

    Returns:
        Per section its lines then its total, and the result.
    """
    period = compared_period(books, code, period)
    budget, last = _pair(books, code, period)
    planned = {line.account: line for line in budget.lines}
    before = {line.account: line for line in last.lines}
    # A line with figures only last year is still a line: both comparisons' lines, in
    # statement order (section, then account, as coopledger.compare orders them).
    order = {title: i for i, (title, _, _) in enumerate(INCOME_SECTIONS)}
    lines = sorted({**before, **planned}.values(),
                   key=lambda line: (order.get(line.section, len(order)), line.account))
    rows = []
    for index, line in enumerate(lines):
        mine, other = planned.get(line.account), before.get(line.account)
        rows.append(CompareRow(
            line.account, line.name, mine.actual if mine else other.actual if other else ZERO,
            mine.reference if mine else ZERO, other.reference if other else ZERO,
            mine.ytd_actual if mine else other.ytd_actual if other else ZERO,
            mine.ytd_reference if mine else ZERO, other.ytd_reference if other else ZERO,
            "line"))
        if index + 1 == len(lines) or lines[index + 1].section != line.section:
            rows.append(_total_row(line.section, line.section, budget, last, line.section,
                                   "section"))
    rows.append(_total_row("result", "result", budget, last))
    has_budget = any(line.reference or line.ytd_reference for line in budget.lines)
    return CompareView(tuple(rows), period, budget.year_to_date, last.reference_period,
                       has_budget)


@dataclass(frozen=True)
class RatioCell:
    """A key ratio as the page writes it.

    Attributes:
        key: The ratio's key (``equity-ratio``).
        name: Its name in the page's language.
        value: Its value with unit (``80,0 %``), or empty without one.
        verdict: ``good``, ``watch`` or ``bad``; ``none`` without a value.
        verdict_text: The verdict in words (``bra``, ``bevaka``, ``dåligt``).
        rule: The thresholds in words, or why there is no value.
        text: The whole sentence: name, value, verdict and threshold.
        ratio: The library's ratio.
    """

    key: str
    name: str
    value: str
    verdict: str
    verdict_text: str
    rule: str
    text: str
    ratio: Ratio


def ratio_cell(ratio: Ratio, language: Language) -> RatioCell:
    """A ratio in the page's language, with its verdict and threshold in words."""
    name = ratio.kind.sv if language == "sv" else ratio.kind.en
    verdict = ratio.verdict or "none"
    if ratio.value is None:
        value = ""
        rule = ratio.missing[0] if language == "sv" else ratio.missing[1]
    else:
        value = ratio.number(ratio.value, language)
        rule = ratio.rule(language)
    return RatioCell(ratio.kind.key, name, value, verdict,
                     message(language, f"verdict_{verdict}"), rule, ratio.text(language),
                     ratio)


def ratio_cells(ratios: tuple[Ratio, ...], language: Language) -> tuple[RatioCell, ...]:
    """Each ratio as the page writes it."""
    return tuple(ratio_cell(r, language) for r in ratios)


@dataclass(frozen=True)
class RatiosView:
    """Key ratios: the headline ones and, on the group page, each entity's.

    Attributes:
        headline: The entity's (or the group's consolidated and the fund's) ratios.
        date: The balance sheet date the ratios are taken at.
        by_entity: Entity code and name to its four ratios (group page only).
    """

    headline: tuple[RatioCell, ...]
    date: datetime.date
    by_entity: tuple[tuple[str, str, tuple[RatioCell, ...]], ...] = ()


def group_ratios(books: Books, period: Period, codes: list[tuple[str, str]], language: Language,
                 *, consolidate: bool) -> RatiosView:
    """The group's consolidated ratios and the fund's, and each entity's own.

    Args:
        books: The books.
        period: The period.
        codes: The entities shown, as (code, name); the fund gets its own three ratios.
        language: ``sv`` or ``en``.
        consolidate: Whether the books are the group's (else the one member's own).

    Returns:
        The ratios.
    """
    fund_date = min(period.last_day, last_day(books))
    by_entity = []
    for code, name in codes:
        if books.entity(code).kind is EntityKind.FUND:
            ratios = fund_ratios(books, fund_date)
        else:
            ratios = entity_ratios(books, code, period)
        by_entity.append((code, name, ratio_cells(ratios, language)))
    if consolidate:
        headline = key_ratios(books, None, period)
    elif codes:
        headline = key_ratios(books, codes[0][0], period)
    else:
        headline = ()
    return RatiosView(ratio_cells(headline, language), period.last_day, tuple(by_entity))


def member_ratios(books: Books, code: str, period: Period, language: Language) -> RatiosView:
    """One entity's key ratios (the fund's three for the fund)."""
    return RatiosView(ratio_cells(key_ratios(books, code, period), language), period.last_day)


def fund_page_ratios(books: Books, date: datetime.date, language: Language) -> RatiosView:
    """The fund's PAR30, provisions against capital and room for new loans on a date."""
    return RatiosView(ratio_cells(fund_ratios(books, date), language), date)


@dataclass(frozen=True)
class PeopleView:
    """The people, month by month, for an entity or the group, and per member.

    Attributes:
        months: One row per month of the period.
        by_member: On the group page, each member's last booked month of the period:
            (code, name, month); empty on a cooperative's page.
        preliminary: The months that are not sealed.
        employed_in_period: Distinct people paid in any month of the period.
        counted_by_group: Whether the counts were computed on the group's books and
            carried into a member's own books (which hold no employee declarations).
    """

    months: tuple[PeopleCount, ...]
    by_member: tuple[tuple[str, str, PeopleCount], ...]
    preliminary: tuple[str, ...]
    employed_in_period: int
    counted_by_group: bool = False


def people_view(books: Books, entity: str | None, period: Period,
                members: Sequence[tuple[str, str]] = ()) -> PeopleView:
    """The people of an entity (or the group, with each member's last booked month).

    In a member's own books the counts are those its projection carries
    (:func:`coopledger.people.people_counts`), the same as the group's books give.

    Args:
        books: The books.
        entity: An entity code, or None for the group.
        period: The period.
        members: On the group page, the members to list, as (code, name).

    Returns:
        The people.
    """
    months = tuple(people_counts(books, entity, period))
    by_member = []
    for code, name in members:
        booked = [m for m in people_counts(books, code, period) if m.booked]
        if booked:
            by_member.append((code, name, booked[-1]))
    return PeopleView(months, tuple(by_member), preliminary_months(books, period),
                      employed_in_period(books, entity, period),
                      counted_by_group=member_code(books) is not None)

