"""The employer declaration (arbetsgivardeklaration på individnivå, AGI) of one month.

An employer files one declaration per month of payment: a main return (HU) with the
month's total employer contributions (field 487) and total tax withheld (497), and one
individual return (IU) per payee: personnummer (215), specification number (570), gross
cash pay (011), taxable benefits (012) and preliminary tax withheld (001). A payee born
1937 or earlier carries no employer contributions: that pay goes in 131 and the benefits
in 132 instead. Amounts are whole kronor, öre dropped (never rounded up; the sources
are in docs/agi.md, "Whole kronor").

The declaration is computed from the booked payroll, never from the payroll export:
every transaction of the month with ``employee`` metadata that posts to the taxable
person's salary accounts (BAS 7010, 7210), tax liability (2710) or contribution
liability (2731) is that employee's. The employer is the taxable person of
:mod:`coopledger.filings`: a separate member, or the umbrella with its units.

The books must agree with the declaration before it is written:

- the HU's 497 is the month's 2710 bookings (credits, and any correction that names its
  employee), so the tax booked must be whole kronor;
- the HU's 487 is the month's 2731 bookings, rounded down to whole kronor, and each
  employee's booking is the contribution the rates give for the basis (gross pay plus
  benefits) and the personnummer's year of birth, as Skatteverket computes it from the
  IU;
- a credit to 2710 or 2731 that names no employee cannot be placed on an IU.

Entries that carry balances between years (``opening-balances``, ``year-end``) move no
pay and are left out.

:func:`employer_declaration` lists every disagreement in ``differences``, each naming the
employee or the entry; the command refuses to write while there are any.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from coopledger.books import Books
from coopledger.close.yearseal import OPENING_KEY
from coopledger.entities import entity_of
from coopledger.errors import CoopException
from coopledger.filings import TaxablePerson, taxable_person
from coopledger.filings.employees import Employee, employees_by_id
from coopledger.money import ZERO
from coopledger.periods import Period, month_period
from coopledger.seals import YEAR_END_KEY, sealed_months
from coopledger.services.entries import posting_number
from coopledger.services.rates import employer_contribution, rates_on

SALARY_BAS = frozenset({"7010", "7210"})
TAX_BAS = "2710"
CONTRIBUTION_BAS = "2731"
_PAYROLL_BAS = SALARY_BAS | {TAX_BAS, CONTRIBUTION_BAS}
_KRONA = Decimal(1)
#: Entries that carry balances between years move no pay: the AGI leaves them out.
_CARRIED = (OPENING_KEY, YEAR_END_KEY)


def whole_kronor(amount: Decimal) -> int:
    """An amount in whole kronor, öre dropped, as the AGI takes it."""
    return int(amount.quantize(_KRONA, rounding=ROUND_DOWN))


@dataclass
class _Booked:
    """One employee's bookings in the month, summed while reading the entries."""

    entity: str
    gross: Decimal = ZERO
    benefits: Decimal = ZERO
    tax: Decimal = ZERO
    contributions: Decimal = ZERO
    sources: list[str] = field(default_factory=list)
    last_paid: datetime.date | None = None


@dataclass(frozen=True)
class IndividualReturn:
    """One payee's IU, with the booked amounts it comes from (in öre).

    Attributes:
        employee: The employee's declaration.
        entity: The entity that booked the pay.
        gross: Gross cash pay (the salary postings).
        benefits: Taxable benefits (the payroll entries' ``benefits`` metadata).
        tax: Preliminary tax withheld (credits to 2710).
        contributions: Employer contributions booked (credits to 2731).
        expected_contributions: What the rates give for this employee's basis.
        contribution_free: Born so early that no employer contributions apply (the pay
            goes in fields 131/132 instead of 011/012).
        sources: ``file:line`` of the entries it comes from.
    """

    employee: Employee
    entity: str
    gross: Decimal
    benefits: Decimal
    tax: Decimal
    contributions: Decimal
    expected_contributions: Decimal
    contribution_free: bool
    sources: tuple[str, ...]


@dataclass(frozen=True)
class EmployerDeclaration:
    """The AGI of one employer and month.

    Attributes:
        person: The taxable person that files (its head's orgnr is the employer's).
        month: The month of payment.
        individuals: One IU per payee, by specification number.
        booked_tax: The month's 2710 bookings that the AGI covers.
        booked_contributions: The month's 2731 bookings that the AGI covers.
        differences: Each disagreement between the books and the declaration, one line
            naming the employee or the entry; empty when they agree.
    """

    person: TaxablePerson
    month: Period
    individuals: tuple[IndividualReturn, ...]
    booked_tax: Decimal
    booked_contributions: Decimal
    differences: tuple[str, ...]

    @property
    def period(self) -> str:
        """Field 006: ``YYYYMM``."""
        return self.month.start.strftime("%Y%m")

    @property
    def total_tax(self) -> int:
        """Field 497: the IUs' tax withheld, summed."""
        return sum(whole_kronor(iu.tax) for iu in self.individuals)

    @property
    def total_contributions(self) -> int:
        """Field 487: the month's employer contributions, in whole kronor."""
        return whole_kronor(sum((iu.contributions for iu in self.individuals), ZERO))


def _where(meta: dict[str, object] | None) -> str:
    meta = meta or {}
    return f"{meta.get('filename', '?')}:{meta.get('lineno', '?')}"


def _refuse_filing(books: Books, code: str, month: Period) -> TaxablePerson:
    """The taxable person that files for ``code``, or a one-line refusal."""
    person = taxable_person(books.entities, code)
    if person.code != code:
        raise CoopException(f"entity {code} is a unit without an orgnr of its own: its pay "
                            f"is declared by {person.code} (coopledger agi --entity "
                            f"{person.code}); nothing was written")
    if not person.orgnr:
        raise CoopException(f"entity {code} declares no orgnr, so it cannot file an employer "
                            "declaration; add orgnr to its coop-entity; nothing was written")
    if month.label not in sealed_months(books):
        raise CoopException(f"month {month.label} is not closed: close and seal it first "
                            f"(coopledger close LEDGER {month.label}); nothing was written")
    return person


def _collect(books: Books, person: TaxablePerson, month: Period,
             differences: list[str]) -> dict[str, _Booked]:
    """Sum the month's payroll bookings per employee; note what cannot be placed."""
    booked: dict[str, _Booked] = {}
    for entry in books.transactions:
        if entry.date not in month or any(key in entry.meta for key in _CARRIED):
            continue
        relevant = [(p, bas) for p in entry.postings
                    if entity_of(p.account) in person.codes
                    and (bas := books.bas(p.account) or "") in _PAYROLL_BAS]
        if not relevant:
            continue
        employee = entry.meta.get("employee")
        if employee is None:
            for posting, bas in relevant:
                number = posting_number(posting) or ZERO
                if bas in (TAX_BAS, CONTRIBUTION_BAS) and number < 0:
                    differences.append(
                        f"{_where(entry.meta)}: {-number} booked to {bas} names no employee, "
                        "so no individual return can carry it")
            continue
        item = booked.setdefault(str(employee), _Booked(entity_of(relevant[0][0].account) or ""))
        item.sources.append(_where(entry.meta))
        item.last_paid = entry.date
        benefits = entry.meta.get("benefits")
        if isinstance(benefits, Decimal):
            item.benefits += benefits
        for posting, bas in relevant:
            number = posting_number(posting) or ZERO
            if bas in SALARY_BAS:
                item.gross += number
            elif bas == TAX_BAS:
                item.tax -= number
            else:
                item.contributions -= number
    return booked


def _individual(employee: Employee, item: _Booked, month: Period,
                differences: list[str]) -> IndividualReturn:
    paid = item.last_paid or month.last_day
    expected = employer_contribution(item.gross + item.benefits, employee.birth_date.year,
                                     paid).amount
    where = ", ".join(item.sources)
    if employee.employer != item.entity:
        differences.append(f"employee {employee.id}: paid by {item.entity} ({where}) but "
                           f"declared for {employee.employer}")
    if item.tax != item.tax.quantize(_KRONA):
        differences.append(f"employee {employee.id}: tax withheld {item.tax} has öre; the AGI "
                           f"takes whole kronor ({where})")
    if item.contributions != expected:
        differences.append(f"employee {employee.id}: 2731 holds {item.contributions} but the "
                           f"rates give {expected} on {item.gross + item.benefits} for born "
                           f"{employee.birth_date.year} ({where})")
    free = employee.birth_date.year <= rates_on(paid).none_born_until
    return IndividualReturn(employee, item.entity, item.gross, item.benefits, item.tax,
                            item.contributions, expected, free, tuple(item.sources))


def employer_declaration(books: Books, code: str, year: int, month_number: int,
                         ) -> EmployerDeclaration:
    """The AGI of an employer for a month of payment, from the booked payroll.

    Args:
        books: The loaded books.
        code: The filing entity's code (a separate member, the fund or the umbrella).
        year: The year of payment.
        month_number: The month of payment, 1-12.

    Returns:
        The declaration, with every disagreement between it and the books listed.

    Raises:
        CoopException: One line: the entity is a unit or has no orgnr, the month is not
            closed, or an employee paid in the month has no ``coop-employee`` declaration
            (no personnummer).
    """
    month = month_period(year, month_number)
    person = _refuse_filing(books, code, month)
    differences: list[str] = []
    booked = _collect(books, person, month, differences)
    employees = employees_by_id(books.declarations.of(Employee))
    individuals = []
    for ident, item in booked.items():
        employee = employees.get(ident)
        if employee is None:
            raise CoopException(
                f"employee {ident} (paid at {item.sources[0]}) has no personnummer: declare "
                f"custom \"coop-employee\" \"{ident}\" with employer and personnummer; nothing "
                "was written")
        individuals.append(_individual(employee, item, month, differences))
    individuals.sort(key=lambda iu: (iu.employee.specification_number, iu.employee.id))
    numbers: defaultdict[int, list[str]] = defaultdict(list)
    for iu in individuals:
        numbers[iu.employee.specification_number].append(iu.employee.id)
    for number, idents in sorted(numbers.items()):
        if len(idents) > 1:
            differences.append(f"employees {', '.join(idents)} share specification number "
                               f"{number}; declare specification on one of them")
    return EmployerDeclaration(
        person, month, tuple(individuals),
        sum((iu.tax for iu in individuals), ZERO),
        sum((iu.contributions for iu in individuals), ZERO), tuple(differences))


def booked_liabilities(books: Books, person: TaxablePerson, month: Period,
                       ) -> tuple[Decimal, Decimal]:
    """The month's credits to 2710 and 2731 of a taxable person, whatever they name.

    The independent side of the check: what the accounts hold, read without the
    employee metadata the declaration is built from.

    Returns:
        Tax and contributions credited in the month (positive amounts).
    """
    tax = contributions = ZERO
    for entry in books.transactions:
        if entry.date not in month or any(key in entry.meta for key in _CARRIED):
            continue
        for posting in entry.postings:
            if entity_of(posting.account) not in person.codes:
                continue
            number = posting_number(posting) or ZERO
            bas = books.bas(posting.account)
            if number < 0 and bas == TAX_BAS:
                tax -= number
            elif number < 0 and bas == CONTRIBUTION_BAS:
                contributions -= number
    return tax, contributions
