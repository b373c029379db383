"""Wage-subsidy claims: share of salary cost from payroll, capped, with the decision number."""

from __future__ import annotations

from decimal import Decimal

from coopledger.periods import month_period
from coopledger.services.entries import render
from coopledger.services.payroll import PayrollRow, payroll_entries
from coopledger.services.subsidies import open_claims, subsidy_entries
from tests.conftest import load_text
from tests.services_books import APRIL_2026, header, number

D = Decimal

DECISIONS = """
2025-03-01 custom "coop-subsidy" "2025-0412345"
  employee: "E203"
  member: "Stad"
  type: "lönebidrag"
  percent: 80
  cap: 18000.00
2026-01-01 custom "coop-subsidy" "2026-0001111"
  employee: "E101"
  member: "Kafe"
  type: "nystartsjobb"
  percent: 25
  cap: 9000.00
  until: 2026-03-31
"""


def row(employee: str, member: str, period: str, gross: str, birth_year: int) -> PayrollRow:
    return PayrollRow(employee, member, period, D(gross), D(0), D("5000.00"),
                      D(gross) - D("5000.00"), birth_year, "test.csv:2")


def books_with_payroll(rows: list[PayrollRow]):  # type: ignore[no-untyped-def]
    base = header() + DECISIONS
    books = load_text(base)
    text = render(payroll_entries(books, rows))
    return load_text(base + "\n" + text)


def test_claim_is_share_of_salary_cost_capped() -> None:
    books = books_with_payroll([row("E203", "Stad", "2026-03", "20000.00", 1990),
                                row("E203", "Stad", "2026-04", "30000.00", 1990),
                                row("E101", "Kafe", "2026-03", "20000.00", 1990),
                                row("E101", "Kafe", "2026-04", "20000.00", 1990)])
    assert books.errors == []
    march = {e.meta["decision"]: e for e in subsidy_entries(books, month_period(2026, 3))}
    # March, E203: cost 20000 + 6284.00 = 26284.00; 80 % = 21027.20, capped at 18000.
    # March, E101: 25 % of 26284.00 = 6571.00, under the cap of 9000.
    assert number(march["2025-0412345"].postings[0]) == D("18000.00")
    assert number(march["2026-0001111"].postings[0]) == D("6571.00")
    assert march["2026-0001111"].meta["salary-cost"] == D("26284.00")
    # April: the Kafe decision has ended.
    april = subsidy_entries(books, APRIL_2026)
    assert [e.meta["decision"] for e in april] == ["2025-0412345"]
    entry = april[0]
    assert [p.account for p in entry.postings] == [
        "Assets:Stad:1689-Övriga-kortfristiga-fordringar", "Income:Stad:3988-Bidrag-för-personal"]
    assert entry.meta["coop-id"] == "subsidy:2026-04:2025-0412345"
    assert entry.links == frozenset({"services-2026-04"})


def test_no_payroll_no_claim() -> None:
    books = load_text(header() + DECISIONS)
    assert subsidy_entries(books, APRIL_2026) == []


def test_open_claims_by_decision() -> None:
    books = books_with_payroll([row("E203", "Stad", "2026-04", "30000.00", 1990)])
    claim = render(subsidy_entries(books, APRIL_2026))
    payment = """
2026-05-20 * "Arbetsförmedlingen" "Utbetalning lönebidrag"
  decision: "2025-0412345"
  Assets:Stad:1930-Företagskonto  10000.00 SEK
  Assets:Stad:1689-Övriga-kortfristiga-fordringar  -10000.00 SEK
"""
    base = header() + DECISIONS + "\n" + render(payroll_entries(books, [
        row("E203", "Stad", "2026-04", "30000.00", 1990)]))
    after = load_text(base + "\n" + claim + payment)
    assert after.errors == []
    assert open_claims(after, APRIL_2026.last_day) == {"2025-0412345": D("18000.00")}
    assert open_claims(after, month_period(2026, 5).last_day) == {"2025-0412345": D("8000.00")}
