"""Premises: rent charged to members, straight-line depreciation that sums to the cost."""

from __future__ import annotations

from decimal import Decimal

from beancount.core import data

from coopledger.errors import DeclarationError
from coopledger.periods import month_period
from coopledger.services.premises import depreciation, premises_entries
from tests.conftest import load_text
from tests.services_books import APRIL_2026, header, number

D = Decimal

VERKSTAN = """
2025-01-01 custom "coop-premises" "Verkstan"
  tenure: "owned"
  rent-per-m2: 1200.00
  tenants: "Kafe:30 Stad:70.5"
  building-cost: 1000.00
  useful-life: 1
  in-service: 2026-02-15
"""


def by_id(entries: list[data.Transaction]) -> dict[str, data.Transaction]:
    return {e.meta["coop-id"]: e for e in entries}


def test_rent_per_member() -> None:
    books = load_text(header() + VERKSTAN)
    assert books.errors == []
    rent = by_id(premises_entries(books, APRIL_2026))["rent:2026-04:Verkstan"]
    amounts = {p.account: number(p) for p in rent.postings}
    # 30 * 1200 / 12 = 3000; 70.5 * 1200 / 12 = 7050.
    assert amounts == {"Expenses:Kafe:5010-Lokalhyra": D("3000.00"),
                       "Expenses:Stad:5010-Lokalhyra": D("7050.00"),
                       "Income:Paraply:3910-Hyresintäkter-medlemmar": D("-10050.00")}


def test_depreciation_months_by_hand() -> None:
    # 1000 over 12 months: cumulative 83.33, 166.67, 250.00 -> 83.33, 83.34, 83.33.
    assert [depreciation(D("1000.00"), 1, n) for n in (1, 2, 3)] == [
        D("83.33"), D("83.34"), D("83.33")]
    assert depreciation(D("1000.00"), 1, 13) == 0
    assert depreciation(D("1000.00"), 1, 0) == 0


def test_depreciation_sums_to_cost_over_the_life() -> None:
    cost = D("4799999.99")
    assert sum(depreciation(cost, 33, n) for n in range(1, 33 * 12 + 1)) == cost


def test_depreciation_entries_from_in_service_month() -> None:
    books = load_text(header() + VERKSTAN)
    assert "depreciation:2026-01:Verkstan" not in by_id(
        premises_entries(books, month_period(2026, 1)))
    april = by_id(premises_entries(books, APRIL_2026))["depreciation:2026-04:Verkstan"]
    # February is month 1, April month 3.
    assert april.meta["month-of-use"] == 3
    assert [(p.account, number(p)) for p in april.postings] == [
        ("Expenses:Paraply:7820-Avskrivningar-byggnader", D("83.33")),
        ("Assets:Paraply:1119-Ackumulerade-avskrivningar-byggnader", D("-83.33"))]
    total = D(0)
    for year, month in [(2026, m) for m in range(2, 13)] + [(2027, 1), (2027, 2)]:
        for entry in premises_entries(books, month_period(year, month)):
            if entry.meta["coop-id"].startswith("depreciation"):
                total += number(entry.postings[0])
    assert total == D("1000.00")


def test_redeclaration_changes_tenants_from_its_date() -> None:
    books = load_text(header() + VERKSTAN + """
2026-05-01 custom "coop-premises" "Verkstan"
  tenure: "lease"
  rent-per-m2: 1200.00
  tenants: "Kafe:30"
""")
    may = by_id(premises_entries(books, month_period(2026, 5)))
    assert number(may["rent:2026-05:Verkstan"].postings[-1]) == D("-3000.00")
    assert "depreciation:2026-05:Verkstan" not in may


def test_building_cost_needs_useful_life() -> None:
    books = load_text(header() + """
2025-01-01 custom "coop-premises" "Huset"
  tenure: "owned"
  building-cost: 100000.00
""")
    errors = [e for e in books.errors if isinstance(e, DeclarationError)]
    assert len(errors) == 1
    assert "building-cost and useful-life go together" in errors[0].message
