"""The people: who the cooperatives employ, month by month, and how many from the target
group the umbrella exists for.

From the books alone:

- **employed**: the distinct ``employee`` metadata on salary postings (BAS 7000-7399) in
  the month, per entity (the same rule as the Grupp page's headcount);
- **target group**: of them, those whose ``coop-employee`` declaration in force at the
  month's end says ``target-group: TRUE`` (:mod:`coopledger.filings.employees`);
- **with a wage subsidy**: of them, those with a ``coop-subsidy`` decision of the same
  employer in force during the month (:mod:`coopledger.services.subsidies`), their share
  of the employed, the subsidies booked in the month (BAS 3988) and their share of the
  month's salary cost (gross pay BAS 7010/7210 and employer contributions 7510);
- **full-time equivalents**: the sum of the declared ``extent`` (percent of full time) of
  those employed; people without a declared extent are counted apart, not guessed;
- **starts** and **leavers**: paid this month and not the month before, or the reverse.
  The first month with any payroll in the books has no starts (its history is not in
  the books).

A month after the last month with any payroll in the books is *not booked*: its figures
are not zeros, they are not there yet (``booked`` is False), and nobody leaves in it.

What the pages and the pack show are the counts (:class:`PeopleCount`,
:func:`people_counts`). A member's own books (:mod:`coopledger.member`) leave out the
employee declarations (personal data), so there the counts cannot be computed; the
projection carries them instead, computed on the group's books for that member only, one
``custom "coopledger-people"`` directive per month (:func:`people_marks`): the counts,
the full-time equivalents and the subsidy share, never a name, a personnummer, an
employee id, a wage or a declaration::

    2026-10-31 custom "coopledger-people" "2026-10" "Kafe"
      employed: 2
      target-group: 1
      subsidised: 1
      fte: 1.50
      without-extent: 0
      starts: 0
      leavers: 0
      subsidy-share: 21.4
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from beancount.core import data
from beancount.parser.grammar import ValueType

from coopledger.balances import monthly_changes
from coopledger.books import Books
from coopledger.entities import entity_of
from coopledger.filings.employees import Employee
from coopledger.member import PEOPLE_MARK, member_code
from coopledger.money import ZERO
from coopledger.periods import Period, month_period
from coopledger.services.subsidies import SALARY_COST_BAS, SubsidyDecision

HUNDRED = Decimal(100)
SUBSIDY_BAS = "3988"
#: A person: the employing entity's code and the employee id.
Person = tuple[str, str]
#: The counts a mark carries (metadata keys), besides ``fte`` and ``subsidy-share``.
_COUNTS = {"employed": "employed", "target-group": "target_group",
           "subsidised": "subsidised", "without-extent": "without_extent",
           "starts": "starts", "leavers": "leavers"}


@dataclass(frozen=True)
class PeopleMonth:
    """One month's people, for an entity or the group.

    Attributes:
        month: The month.
        entity: The entity, or None for the group.
        booked: Whether the books hold payroll this late (else the month is not booked).
        employed: The people paid in the month.
        target_group: Of them, those from the target group.
        subsidised: Of them, those with a wage-subsidy decision in force.
        subsidy: Wage subsidies booked in the month (BAS 3988).
        salary_cost: Gross pay and employer contributions booked in the month.
        fte: Full-time equivalents of those with a declared extent.
        without_extent: The people paid whose extent is not declared.
        starts: Paid this month, not the month before.
        leavers: Paid the month before, not this month.
    """

    month: Period
    entity: str | None
    booked: bool
    employed: frozenset[Person]
    target_group: frozenset[Person]
    subsidised: frozenset[Person]
    subsidy: Decimal
    salary_cost: Decimal
    fte: Decimal
    without_extent: int
    starts: frozenset[Person]
    leavers: frozenset[Person]

    @property
    def subsidised_share(self) -> Decimal | None:
        """The share of the employed with a wage subsidy, percent (None: nobody paid)."""
        return _percent(Decimal(len(self.subsidised)), Decimal(len(self.employed)))

    @property
    def target_group_share(self) -> Decimal | None:
        """The share of the employed from the target group, percent."""
        return _percent(Decimal(len(self.target_group)), Decimal(len(self.employed)))

    @property
    def subsidy_share(self) -> Decimal | None:
        """Wage subsidies as a share of the salary cost, percent (None: no cost)."""
        return _percent(self.subsidy, self.salary_cost)

    def count(self) -> PeopleCount:
        """The month's figures as counts (no person in them)."""
        return PeopleCount(
            month=self.month, entity=self.entity, booked=self.booked,
            employed=len(self.employed), target_group=len(self.target_group),
            subsidised=len(self.subsidised), subsidy_share=self.subsidy_share, fte=self.fte,
            without_extent=self.without_extent, starts=len(self.starts),
            leavers=len(self.leavers))


@dataclass(frozen=True)
class PeopleCount:
    """One month's people as counts: what the pages, the pack and a member's books hold.

    Attributes:
        month: The month.
        entity: The entity, or None for the group.
        booked: Whether the books hold payroll this late (else the month is not booked).
        employed: How many people were paid in the month.
        target_group: Of them, how many from the target group.
        subsidised: Of them, how many with a wage-subsidy decision in force.
        subsidy_share: Wage subsidies as a share of the salary cost, percent (None: no
            cost).
        fte: Full-time equivalents of those with a declared extent.
        without_extent: The people paid whose extent is not declared.
        starts: Paid this month, not the month before.
        leavers: Paid the month before, not this month.
    """

    month: Period
    entity: str | None
    booked: bool
    employed: int
    target_group: int
    subsidised: int
    subsidy_share: Decimal | None
    fte: Decimal
    without_extent: int
    starts: int
    leavers: int

    @property
    def subsidised_share(self) -> Decimal | None:
        """The share of the employed with a wage subsidy, percent (None: nobody paid)."""
        return _percent(Decimal(self.subsidised), Decimal(self.employed))

    @property
    def target_group_share(self) -> Decimal | None:
        """The share of the employed from the target group, percent."""
        return _percent(Decimal(self.target_group), Decimal(self.employed))


def _percent(part: Decimal, whole: Decimal) -> Decimal | None:
    return (part * HUNDRED / whole).quantize(Decimal("0.1")) if whole else None


def paid_by_month(books: Books) -> dict[str, set[Person]]:
    """Every month's people paid (month label to people), from the salary postings."""
    return books.remember(("people.paid_by_month",), lambda: _paid_by_month(books))


def _paid_by_month(books: Books) -> dict[str, set[Person]]:
    paid: dict[str, set[Person]] = {}
    bas_of = books.bas_numbers.get  # books.bas, for every posting of the books
    for entry in books.transactions:
        for posting in entry.postings:
            bas = bas_of(posting.account) or ""
            if not ("7000" <= bas <= "7399"):
                continue
            employee = (posting.meta or {}).get("employee") or entry.meta.get("employee")
            code = entity_of(posting.account)
            if employee is None or code is None:
                continue
            paid.setdefault(f"{entry.date:%Y-%m}", set()).add((code, str(employee)))
    return paid


def _declared(declarations: Iterable[Employee], day: datetime.date) -> dict[str, Employee]:
    found: dict[str, Employee] = {}
    for employee in declarations:  # date order: a later declaration replaces
        if employee.date <= day:
            found[employee.id] = employee
    return found


def _previous(month: Period) -> str:
    before = month.start - datetime.timedelta(days=1)
    return f"{before:%Y-%m}"


@dataclass(frozen=True)
class _MonthFacts:
    """What every entity's people of one month are read from (shared by the entities)."""

    month: Period
    booked: bool
    paid: frozenset[Person]
    before: frozenset[Person]
    employees: dict[str, Employee]
    in_force: frozenset[Person]
    #: (salary cost, subsidies) by entity, and the group's under None.
    money: dict[str | None, tuple[Decimal, Decimal]]


def _month_facts(books: Books, period: Period) -> list[_MonthFacts]:
    """Each month's people paid, declarations, decisions and salary sums, for every
    entity at once (remembered with the books: the group page asks for the group and
    for each member, which read the same ledger)."""
    def compute() -> list[_MonthFacts]:
        paid = paid_by_month(books)
        last = max(paid) if paid else ""
        decisions = books.declarations.of(SubsidyDecision)
        declared = books.declarations.of(Employee)
        sums = monthly_changes(books, period)
        out = []
        for month in period.months():
            label = month.label
            money: dict[str | None, tuple[Decimal, Decimal]] = {}
            for account, amount in sums.get(label, {}).items():
                bas = books.bas(account) or ""
                if bas in SALARY_COST_BAS:
                    part = (amount, ZERO)
                elif bas == SUBSIDY_BAS:
                    part = (ZERO, -amount)
                else:
                    continue
                for owner in (None, entity_of(account)):
                    cost, sub = money.get(owner, (ZERO, ZERO))
                    money[owner] = (cost + part[0], sub + part[1])
            out.append(_MonthFacts(
                month, bool(paid) and label <= last, frozenset(paid.get(label, set())),
                frozenset(paid.get(_previous(month), set())),
                _declared(declared, month.last_day),
                frozenset((d.member, d.employee) for d in decisions
                          if d.date <= month.last_day
                          and (d.until is None or d.until >= month.start)),
                money))
        return out

    return books.remember(("people.month_facts", period.start, period.end), compute)


def people(books: Books, entity: str | None, period: Period) -> list[PeopleMonth]:
    """The people month by month, for an entity or the group.

    Args:
        books: The books.
        entity: An entity code, or None for every entity together.
        period: The months to show.

    Returns:
        One :class:`PeopleMonth` per month of the period, in order.

    Raises:
        CoopException: Unknown entity.
    """
    if entity is not None:
        books.entity(entity)
    paid = paid_by_month(books)
    first = min(paid) if paid else ""

    def mine(people_paid: frozenset[Person]) -> frozenset[Person]:
        return people_paid if entity is None else frozenset(
            p for p in people_paid if p[0] == entity)

    out = []
    for facts in _month_facts(books, period):
        label = facts.month.label
        employed = mine(facts.paid)
        before = mine(facts.before)

        def declared_as(person: Person, employees: dict[str, Employee] = facts.employees) -> (
                Employee | None):
            found = employees.get(person[1])
            return found if found is not None and found.employer == person[0] else None

        extents = [declared_as(p) for p in employed]
        cost, sub = facts.money.get(entity, (ZERO, ZERO))
        out.append(PeopleMonth(
            month=facts.month, entity=entity, booked=facts.booked, employed=employed,
            target_group=frozenset(p for p in employed
                                   if (e := declared_as(p)) is not None and e.target_group),
            subsidised=frozenset(p for p in employed if p in facts.in_force),
            subsidy=sub, salary_cost=cost,
            fte=sum(((e.extent / HUNDRED) if e is not None and e.extent is not None
                     else ZERO for e in extents), ZERO),
            without_extent=sum(1 for e in extents if e is None or e.extent is None),
            starts=employed - before if label > first else frozenset(),
            leavers=before - employed if facts.booked else frozenset()))
    return out


def _months_of_books(books: Books) -> Period | None:
    """From the books' first month to their last month with payroll (None: no payroll)."""
    paid = paid_by_month(books)
    if not paid or not books.transactions:
        return None
    first = books.transactions[0].date
    last = month_period(int(max(paid)[:4]), int(max(paid)[5:]))
    start = min(first.replace(day=1), last.start)
    return Period(start, last.end, f"{start:%Y-%m}..{last.label}")


def people_marks(books: Books, code: str) -> list[data.Custom]:
    """The people of one entity, month by month, as directives for its own books.

    One ``coopledger-people`` directive per month from the books' first month to their
    last month with payroll (later months are not booked), dated the month's last day,
    holding only counts, full-time equivalents and the subsidy share.

    Args:
        books: The group's books (with the employee declarations).
        code: The entity.

    Returns:
        The directives, in date order.

    Raises:
        CoopException: Unknown entity.
    """
    books.entity(code)
    months = _months_of_books(books)
    marks = []
    for month in people(books, code, months) if months is not None else []:
        count = month.count()
        meta: data.Meta = data.new_metadata("<coopledger-people>", 0)
        meta.update({key: Decimal(getattr(count, name)) for key, name in _COUNTS.items()})
        meta["fte"] = count.fte
        if count.subsidy_share is not None:
            meta["subsidy-share"] = count.subsidy_share
        marks.append(data.Custom(meta, month.month.last_day, PEOPLE_MARK, [
            ValueType(month.month.label, str), ValueType(code, str)]))
    return marks


def read_people_marks(entries: Iterable[data.Directive], code: str) -> dict[str, PeopleCount]:
    """Month (``YYYY-MM``) to the entity's people, from the marks in its own books."""
    found = {}
    for entry in entries:
        if not (isinstance(entry, data.Custom) and entry.type == PEOPLE_MARK
                and len(entry.values) == 2 and entry.values[1].value == code):
            continue
        label, meta = str(entry.values[0].value), entry.meta
        share = meta.get("subsidy-share")
        found[label] = PeopleCount(
            month=month_period(int(label[:4]), int(label[5:])), entity=code, booked=True,
            **{name: int(meta[key]) for key, name in _COUNTS.items()},
            subsidy_share=None if share is None else Decimal(share),
            fte=Decimal(meta["fte"]))
    return found


def people_counts(books: Books, entity: str | None, period: Period) -> list[PeopleCount]:
    """The people month by month as counts, for an entity or the group.

    In a member's own books, the counts are those its projection carries (computed on
    the group's books, :func:`people_marks`); there ``entity`` is the member (None means
    the member too).

    Args:
        books: The books, the group's or a member's own.
        entity: An entity code, or None for every entity together.
        period: The months to show.

    Returns:
        One :class:`PeopleCount` per month of the period, in order.

    Raises:
        CoopException: Unknown entity.
    """
    member = member_code(books)  # remembered: asked once per entity on the group page
    if member is None:
        return [month.count() for month in people(books, entity, period)]
    code = books.entity(entity or member).code
    marks = read_people_marks(books.entries, code)
    first = min(marks, default="")
    out = []
    for month in period.months():
        found = marks.get(month.label)
        if found is None:  # before the books (nothing paid) or after the last payroll
            booked = month.label < first
            found = PeopleCount(month, code, booked, 0, 0, 0, None, ZERO, 0, 0, 0)
        out.append(found)
    return out


def employed_in_period(books: Books, entity: str | None, period: Period) -> int:
    """Distinct people paid in any month of the period (from the salary postings, which
    a member's own books hold as the group's do)."""
    months = {month.label for month in period.months()}
    return len({person for label, paid in paid_by_month(books).items() if label in months
                for person in paid if entity is None or person[0] == entity})
