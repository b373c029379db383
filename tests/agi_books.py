"""Small books with booked payroll, for the employer declaration and calendar tests."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal

from coopledger.books import Books
from coopledger.chart import open_directives
from coopledger.entities import EntityKind
from coopledger.services.entries import render
from coopledger.services.payroll import PayrollRow, payroll_entries
from tests.conftest import load_text

START = datetime.date(2025, 1, 1)
#: Fictitious personnummer with valid check digits (birth numbers 980-989).
PERSONS = {"K01": ("Kafe", "19900314-9805"), "K02": ("Kafe", "20040220-9811"),
           "K03": ("Kafe", "19360422-9835"), "S01": ("Stad", "19850606-9825"),
           "P01": ("Paraply", "19750315-9829")}
SEAL_DIGEST = "0" * 64


def header() -> str:
    """The umbrella (orgnr), Kafe (separate, orgnr) and Stad (a unit, no orgnr)."""
    parts = ['option "operating_currency" "SEK"\nplugin "coopledger.plugins.entities"\n',
             f'{START} custom "coop-entity" "Paraply"\n  name: "Paraplyet ek för"\n'
             '  kind: "umbrella"\n  orgnr: "769600-0012"\n',
             open_directives("Paraply", EntityKind.UMBRELLA, START),
             f'{START} custom "coop-entity" "Kafe"\n  name: "Kafé ek för"\n'
             '  kind: "member"\n  orgnr: "769634-5672"\n',
             open_directives("Kafe", EntityKind.MEMBER, START),
             f'{START} custom "coop-entity" "Stad"\n  name: "Städ"\n  kind: "member"\n',
             open_directives("Stad", EntityKind.MEMBER, START),
             f'{START} custom "coop-contact" "all"\n  name: "Lönekontoret"\n'
             '  phone: "013-10 20 30"\n  email: "lon@paraplyet.example"\n']
    return "\n".join(parts)


def employees(idents: Iterable[str], specification: dict[str, int] | None = None) -> str:
    """``coop-employee`` declarations for some of :data:`PERSONS`."""
    blocks = []
    for ident in idents:
        employer, number = PERSONS[ident]
        block = (f'{START} custom "coop-employee" "{ident}"\n  employer: "{employer}"\n'
                 f'  personnummer: "{number}"\n')
        if employer == "Kafe":
            block += '  workplace: "Stångågatan 12"\n  workplace-city: "Linköping"\n'
        if specification and ident in specification:
            block += f"  specification: {specification[ident]}\n"
        blocks.append(block)
    return "\n".join(blocks)


def pay(employee: str, gross: str, tax: str, born: int, period: str = "2026-10",
        benefits: str = "0.00") -> PayrollRow:
    """One payroll row for a :data:`PERSONS` employee."""
    member = PERSONS[employee][0]
    return PayrollRow(employee, member, period, Decimal(gross), Decimal(benefits),
                      Decimal(tax), Decimal(gross) - Decimal(tax), born, "test.csv:2")


def seal(*months: str) -> str:
    """Seal declarations for months (the seals plugin is not loaded: no digest check)."""
    blocks = []
    for month in months:
        year, number = int(month[:4]), int(month[5:])
        end = (datetime.date(year + number // 12, number % 12 + 1, 1)
               - datetime.timedelta(days=1))
        blocks.append(f'{end} custom "coop-seal" "{month}"\n  digest: "{SEAL_DIGEST}"\n')
    return "\n".join(blocks)


def payroll_books(rows: Iterable[PayrollRow], declared: Iterable[str] = tuple(PERSONS),
                  sealed: Iterable[str] = ("2026-10",), extra: str = "",
                  specification: dict[str, int] | None = None) -> Books:
    """Books with the rows booked through the payroll journal, months sealed."""
    base = header() + "\n" + employees(declared, specification)
    entries = payroll_entries(load_text(base), list(rows))
    text = "\n".join([base, render(entries) if entries else "", extra, seal(*sealed)])
    books = load_text(text)
    assert not books.errors, books.errors
    return books
