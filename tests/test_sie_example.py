"""The example books: every entity and year exports to SIE and re-imports to the same balances."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest

from coopledger.books import Books, load_books
from coopledger.periods import fiscal_year
from coopledger.sie.consistency import balance_differences
from coopledger.sie.export import clearing_bas, export_sie
from coopledger.sie.reader import parse_sie
from tests.conftest import ROOT
from tests.test_sie_roundtrip import independent_ksumma, ledger_balances, reimport

EXAMPLE = ROOT / "ledgers" / "example" / "main.beancount"
YEARS = (2025, 2026)


@pytest.fixture(scope="module")
def example() -> Books:
    books = load_books(EXAMPLE)
    assert books.errors == []
    return books


def test_every_entity_and_year_round_trips(example: Books) -> None:
    assert len(example.entities) >= 3
    for code, entity in example.entities.items():
        for year in YEARS:
            export = export_sie(example, code, year, generated=datetime.date(2026, 11, 1))
            sie = parse_sie(export.content)
            assert sie.errors == [], (code, year)
            assert sie.checksum is not None
            assert sie.checksum[0] == sie.checksum[1]
            assert balance_differences(sie) == [], (code, year)
            again = reimport(export.content, code)
            period = fiscal_year(year, entity.fiscal_year_start)
            assert ledger_balances(again, code, period.last_day, period.start) == \
                ledger_balances(example, code, period.last_day, period.start), (code, year)


def test_umbrella_as_one_legal_entity(example: Books) -> None:
    umbrella = example.umbrella
    assert umbrella is not None
    members = {c for c, e in example.entities.items() if e.kind == "member"}
    for year in YEARS:
        content = export_sie(example, umbrella.code, year, consolidated=True).content
        declared, computed = independent_ksumma(content)
        assert declared == computed
        sie = parse_sie(content)
        assert sie.errors == []
        assert sie.checksum is not None
        assert sie.checksum[0] == sie.checksum[1]
        assert all(v.total == 0 for v in sie.vouchers)
        assert balance_differences(sie) == []
        assert {code for (dim, code) in sie.objects if dim == 1} == members | {umbrella.code}
        on_objects = {row.objects[0][1] for v in sie.vouchers for row in v.rows}
        assert on_objects <= members | {umbrella.code}
        # Clearing accounts between the umbrella and its members net out in #KONTO 1660,
        # though each entity's own clearing account holds a balance.
        group = members | {umbrella.code}
        between = [a for a in example.opens if example.bas(a) == "1660"
                   and a.split(":")[1] in group and a.rsplit("-", 1)[-1] in group]
        assert between
        own = _closing(example, between, year)
        assert any(own.values())
        assert sum(own.values(), Decimal(0)) == 0
        assert sie.balances_of("UB").get("1660", Decimal(0)) == 0


def _closing(books: Books, accounts: list[str], year: int) -> dict[str, Decimal]:
    end = datetime.date(year, 12, 31)
    totals: dict[str, Decimal] = dict.fromkeys(accounts, Decimal(0))
    for entry in books.transactions:
        if entry.date > end:
            break
        for posting in entry.postings:
            if posting.account in totals and posting.units is not None:
                totals[posting.account] += posting.units.number or Decimal(0)
    return totals


def test_object_balances_are_each_members_own_books(example: Books) -> None:
    umbrella = example.umbrella
    assert umbrella is not None
    for year in YEARS:
        group = parse_sie(export_sie(example, umbrella.code, year, consolidated=True).content)
        for kind, per_object in (("IB", "OIB"), ("UB", "OUB")):
            totals: dict[str, Decimal] = {}
            for item in group.balances:
                if item.kind == per_object and item.year == 0:
                    totals[item.account] = totals.get(item.account, Decimal(0)) + item.amount
            assert {a: v for a, v in totals.items() if v} == {
                a: v for a, v in group.balances_of(kind).items() if v}
        for code, entity in example.entities.items():
            if entity.kind != "member":
                continue
            own: dict[str, Decimal] = {}
            for account, amount in parse_sie(export_sie(example, code, year).content
                                             ).balances_of("UB").items():
                # The member's own export gives each clearing account a number (1661 ...);
                # the umbrella's consolidated one keeps them on 1660, where they net out.
                merged = "1660" if re.fullmatch(r"166[1-9]|166\d\d", account) else account
                own[merged] = own.get(merged, Decimal(0)) + amount
            as_object = {b.account: b.amount for b in group.balances
                         if b.kind == "OUB" and b.year == 0 and b.objects == ((1, code),)}
            assert {a: v for a, v in own.items() if v} == as_object, (code, year)


def test_balances_agree_with_the_books_own_statements(example: Books) -> None:
    """#UB/#RES per BAS number equal coopledger.balances summed by BAS (2091 aside)."""
    from coopledger.balances import balances, changes

    for code, entity in example.entities.items():
        for year in YEARS:
            period = fiscal_year(year, entity.fiscal_year_start)
            sie = parse_sie(export_sie(example, code, year).content)
            closing: dict[str, Decimal] = {}
            for account, amount in balances(example, period.last_day, entity=code).items():
                bas = clearing_bas(example, account) or example.bas(account) or "?"
                if bas[0] in "12":
                    closing[bas] = closing.get(bas, Decimal(0)) + amount
            results: dict[str, Decimal] = {}
            for account, amount in changes(example, period, entity=code).items():
                bas = clearing_bas(example, account) or example.bas(account) or "?"
                if bas[0] not in "12":
                    results[bas] = results.get(bas, Decimal(0)) + amount
            ub = {a: v for a, v in sie.balances_of("UB").items() if a != "2091" and v}
            assert ub == {a: v for a, v in closing.items() if a != "2091" and v}, (code, year)
            # A closed year's 8999 row moves the year's result to 2099 (year-end close).
            assert {a: v for a, v in sie.balances_of("RES").items() if v and a != "8999"} == {
                a: v for a, v in results.items() if v}, (code, year)
            assert sum(sie.balances_of("RES").values()) == (
                0 if "8999" in sie.balances_of("RES") else sum(results.values()))
