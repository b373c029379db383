"""Payroll journal: from a payroll system's monthly export to one entry per employee.

The export is a UTF-8 CSV file, comma-separated, decimal point, with this header (column
order free, further columns ignored)::

    employee,member,period,gross_pay,benefits,tax,net_pay,birth_year
    E101,Kafe,2026-04,26500.00,0.00,5830.00,20670.00,1990

- ``employee``: the employee id in the payroll system (kept as metadata, so that wage
  subsidy claims find the salary cost, and the employer declaration its person). It
  refers to a ``coop-employee`` declaration (see :mod:`coopledger.filings.employees`)
  holding the personnummer: once an employer declares any employee, every row it pays
  must name a declared one, paid by that employer and born in ``birth_year``; books
  without employee declarations are read as before;
- ``member``: the entity code of the employing cooperative (the umbrella's own staff:
  the umbrella's code);
- ``period``: the pay month, ``YYYY-MM``; the salary is paid on the 25th;
- ``gross_pay``, ``benefits`` (taxable benefits), ``tax`` (withheld preliminary tax),
  ``net_pay``: amounts in SEK; ``net_pay`` must equal ``gross_pay - tax``;
- ``birth_year``: four digits; it decides the employer contribution rate.

Each row becomes one transaction in the employer's books, dated the 25th::

    debit  7010 (7210 for the umbrella's staff)   gross pay
    credit 2710                                   withheld tax
    credit 1930                                   net pay
    debit  7510 / credit 2731                     employer contributions on gross + benefits
    debit  7090 / credit 2920                     vacation pay accrual (12 % of gross)
    debit  7519 / credit 2941                     contributions on the accrual

The vacation pay percentage is 12 unless declared otherwise, per entity or for all::

    2025-01-01 custom "coop-vacation-pay" "all"
      percent: 13

Taxable benefits are not posted (their value is booked where the benefit is paid for);
they count in the contribution basis and are kept as metadata.
"""

from __future__ import annotations

import csv
import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from beancount.core import data
from pydantic import Field

from coopledger.declarations import Declaration, declaration
from coopledger.entities import EntityKind
from coopledger.errors import CoopException
from coopledger.filings.employees import Employee, employees_by_id
from coopledger.money import ZERO, parse_amount, round_ore
from coopledger.periods import month_period
from coopledger.services.entries import AccountIndex, Line, make_transaction, month_link
from coopledger.services.rates import VACATION_PAY_PERCENT, employer_contribution

if TYPE_CHECKING:
    from coopledger.books import Books

GENERATED_BY = "coopledger.services.payroll"
PAY_DAY = 25
COLUMNS = ("employee", "member", "period", "gross_pay", "benefits", "tax", "net_pay",
           "birth_year")
_PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_EMPLOYEE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")


@declaration("coop-vacation-pay")
class VacationPay(Declaration):
    """The vacation pay percentage accrued on gross pay, for an entity or ``"all"``.

    Attributes:
        percent: Percentage of gross pay accrued as vacation pay liability.
    """

    percent: Decimal = Field(ge=0, le=100)


@dataclass(frozen=True)
class PayrollRow:
    """One employee's month from the payroll export.

    Attributes:
        employee: Employee id.
        member: Employing entity's code.
        period: ``YYYY-MM``.
        gross_pay: Gross cash pay.
        benefits: Taxable benefits.
        tax: Withheld tax.
        net_pay: Net pay paid out.
        birth_year: Year of birth.
        source: ``file:row`` for messages.
    """

    employee: str
    member: str
    period: str
    gross_pay: Decimal
    benefits: Decimal
    tax: Decimal
    net_pay: Decimal
    birth_year: int
    source: str

    @property
    def pay_date(self) -> datetime.date:
        """The day the salary is paid (the 25th of the period month)."""
        year, month = self.period.split("-")
        return datetime.date(int(year), int(month), PAY_DAY)


def _amount(row: dict[str, str], column: str, where: str) -> Decimal:
    text = row[column]
    try:
        value = parse_amount(text)
    except ValueError:
        raise CoopException(f"{where}: {column} {text!r} is not an amount "
                            "(write 26500.00); nothing was written") from None
    if value < 0 or value != round_ore(value):
        raise CoopException(f"{where}: {column} {text!r} must be a non-negative amount in "
                            "whole öre; nothing was written")
    return value


def parse_row(row: dict[str, str], where: str) -> PayrollRow:
    """Validate one CSV row.

    Raises:
        CoopException: One line naming the row and what is wrong.
    """
    missing = [c for c in COLUMNS if (row.get(c) or "").strip() == ""]
    if missing:
        raise CoopException(f"{where}: empty or missing {', '.join(missing)}; nothing was "
                            "written")
    clean = {c: row[c].strip() for c in COLUMNS}
    if not _EMPLOYEE.match(clean["employee"]):
        raise CoopException(f"{where}: employee {clean['employee']!r} must be letters, digits, "
                            "'.', '_' or '-'; nothing was written")
    if not _PERIOD.match(clean["period"]):
        raise CoopException(f"{where}: period {clean['period']!r} is not YYYY-MM; nothing was "
                            "written")
    if not re.fullmatch(r"(19|20)\d\d", clean["birth_year"]):
        raise CoopException(f"{where}: birth_year {clean['birth_year']!r} is not a year like "
                            "1990; nothing was written")
    gross, benefits = _amount(clean, "gross_pay", where), _amount(clean, "benefits", where)
    tax, net = _amount(clean, "tax", where), _amount(clean, "net_pay", where)
    if net != gross - tax:
        raise CoopException(f"{where}: net_pay {net} is not gross_pay - tax = {gross - tax}; "
                            "nothing was written")
    return PayrollRow(clean["employee"], clean["member"], clean["period"], gross, benefits,
                      tax, net, int(clean["birth_year"]), where)


def read_payroll_csv(path: str | Path) -> list[PayrollRow]:
    """Read a payroll export (see the module docstring for the columns).

    Args:
        path: The CSV file.

    Returns:
        Its rows, validated.

    Raises:
        CoopException: The first problem, naming the file and row; nothing is returned.
    """
    source = Path(path)
    try:
        with source.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            header = [c.strip() for c in reader.fieldnames or []]
            absent = [c for c in COLUMNS if c not in header]
            if absent:
                raise CoopException(f"{source}:1: header lacks {', '.join(absent)} (expected "
                                    f"{','.join(COLUMNS)}); nothing was written")
            reader.fieldnames = header
            rows = []
            seen: dict[tuple[str, str], str] = {}
            for row in reader:
                where = f"{source}:{reader.line_num}"
                if None in row:
                    raise CoopException(f"{where}: more fields than the header has columns; "
                                        "nothing was written")
                if not any((v or "").strip() for v in row.values()):
                    continue
                parsed = parse_row(row, where)
                key = (parsed.employee, parsed.period)
                if key in seen:
                    raise CoopException(f"{where}: employee {parsed.employee} appears twice "
                                        f"for {parsed.period} (first at {seen[key]}); nothing "
                                        "was written")
                seen[key] = where
                rows.append(parsed)
    except UnicodeDecodeError:
        raise CoopException(f"{source}: not UTF-8 text; export the payroll as UTF-8") from None
    except csv.Error as exc:
        raise CoopException(f"{source}: not a readable CSV file ({exc})") from None
    return rows


def vacation_percent(declared: Iterable[VacationPay], entity: str,
                     date: datetime.date) -> Decimal:
    """The vacation pay percentage for an entity on a date (12 unless declared)."""
    best: VacationPay | None = None
    for item in declared:  # date order
        if item.date <= date and item.id in (entity, "all") and (
                best is None or item.date > best.date or item.id == entity):
            best = item
    return best.percent if best is not None else VACATION_PAY_PERCENT


def check_employee(row: PayrollRow, code: str, employees: dict[str, Employee],
                   employing: set[str]) -> None:
    """A row's employee against its declaration (when its employer declares employees).

    Raises:
        CoopException: The employee is declared for another employer or with another
            birth year, or its employer declares employees but not this one.
    """
    employee = employees.get(row.employee)
    if employee is None:
        if code in employing:
            raise CoopException(
                f"{row.source}: employee {row.employee} is not declared; add custom "
                f"\"coop-employee\" \"{row.employee}\" with employer \"{code}\" and the "
                "personnummer (the employer declaration needs it); nothing was written")
        return
    if employee.employer != code:
        raise CoopException(
            f"{row.source}: employee {row.employee} is declared for {employee.employer}, "
            f"not {code}; nothing was written", employee.meta)
    if employee.birth_date.year != row.birth_year:
        raise CoopException(
            f"{row.source}: birth_year {row.birth_year} is not that of employee "
            f"{row.employee}'s personnummer ({employee.birth_date.year}); nothing was "
            "written", employee.meta)


def payroll_entries(books: Books, rows: Iterable[PayrollRow]) -> list[data.Transaction]:
    """The payroll journal: one transaction per row, in the employer's books.

    Args:
        books: The books (for entities, accounts and the vacation pay declarations).
        rows: Rows from :func:`read_payroll_csv`.

    Returns:
        The entries, ordered by period, member and employee.

    Raises:
        CoopException: A row names an unknown entity, or the entity lacks an account.
    """
    index = AccountIndex(books)
    declared = books.declarations.of(VacationPay)
    employees = employees_by_id(books.declarations.of(Employee))
    employing = {employee.employer for employee in employees.values()}
    currency = books.operating_currency
    entries = []
    for row in sorted(rows, key=lambda r: (r.period, r.member, r.employee)):
        entity = books.entities.get(row.member)
        if entity is None:
            known = ", ".join(sorted(books.entities)) or "none"
            raise CoopException(f"{row.source}: unknown member {row.member!r} (known: {known}); "
                                "nothing was written")
        code = entity.code
        check_employee(row, code, employees, employing)
        pay_date = row.pay_date
        salary_bas = "7210" if entity.kind is EntityKind.UMBRELLA else "7010"
        basis = row.gross_pay + row.benefits
        contribution = employer_contribution(basis, row.birth_year, pay_date)
        percent = vacation_percent(declared, code, pay_date)
        accrual = round_ore(row.gross_pay * percent / 100)
        accrual_fee = (employer_contribution(basis + accrual, row.birth_year, pay_date).amount
                       - contribution.amount)
        try:
            lines = [Line(index.get(code, salary_bas), row.gross_pay),
                     Line(index.get(code, "2710"), -row.tax),
                     Line(index.get(code, "1930"), -row.net_pay),
                     Line(index.get(code, "7510"), contribution.amount),
                     Line(index.get(code, "2731"), -contribution.amount),
                     Line(index.get(code, "7090"), accrual),
                     Line(index.get(code, "2920"), -accrual),
                     Line(index.get(code, "7519"), accrual_fee),
                     Line(index.get(code, "2941"), -accrual_fee)]
        except CoopException as exc:
            raise CoopException(f"{row.source}: {exc.message}") from None
        meta = {"employee": row.employee, "member": code, "period": row.period,
                "contribution-basis": basis, "contribution-rate": contribution.explanation,
                "vacation-pay-percent": percent}
        if row.benefits:
            meta["benefits"] = row.benefits
        entries.append(make_transaction(
            date=pay_date, payee=entity.name, narration=f"Lön {row.period} anställd "
                                                        f"{row.employee}",
            coop_id=f"payroll:{row.period}:{row.employee}", generated_by=GENERATED_BY,
            link=month_link("payroll", month_period(pay_date.year, pay_date.month)),
            meta=meta, lines=[line for line in lines if line.amount != ZERO],
            currency=currency))
    return entries
