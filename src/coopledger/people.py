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
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from coopledger.balances import monthly_changes
from coopledger.books import Books
from coopledger.entities import entity_of
from coopledger.filings.employees import Employee
from coopledger.money import ZERO
from coopledger.periods import Period
from coopledger.services.subsidies import SALARY_COST_BAS, SubsidyDecision

HUNDRED = Decimal(100)
SUBSIDY_BAS = "3988"
#: A person: the employing entity's code and the employee id.
Person = tuple[str, str]


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


def _percent(part: Decimal, whole: Decimal) -> Decimal | None:
    return (part * HUNDRED / whole).quantize(Decimal("0.1")) if whole else None


def paid_by_month(books: Books) -> dict[str, set[Person]]:
    """Every month's people paid (month label to people), from the salary postings."""
    return books.remember(("people.paid_by_month",), lambda: _paid_by_month(books))


def _paid_by_month(books: Books) -> dict[str, set[Person]]:
    paid: dict[str, set[Person]] = {}
    for entry in books.transactions:
        for posting in entry.postings:
            bas = books.bas(posting.account) or ""
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
