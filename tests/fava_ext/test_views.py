"""The board pages' figures: equal to coopledger's statements and to the ledger's own sums."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from beancount.core import data

from coopledger.books import Books, books_from_entries, load_books
from coopledger.errors import CoopException
from coopledger.fava_ext.views import (
    group_view,
    headcounts,
    keep_transactions,
    member_months,
    member_view,
    monthly_results,
    whole_books_period,
)
from coopledger.periods import month_period, parse_period
from coopledger.statements import balance_sheet, income_statement
from tests.conftest import ROOT

YEAR = parse_period("2025")


def kafe_sales(month: int) -> Decimal:
    """Kafé's sales excluding VAT in a month of the test ledger (as generated)."""
    return Decimal(68000 + 1500 * month)


def test_group_rows_equal_the_statements(board_books: Books) -> None:
    view = group_view(board_books, YEAR)
    assert [row.code for row in view.rows] == ["Kafe", "Stad", "Paraply", "Fonden"]
    for row in view.rows:
        statement = income_statement(board_books, row.code, YEAR)
        sheet = balance_sheet(board_books, row.code, datetime.date(2025, 12, 31))
        assert row.turnover == statement.revenue
        assert row.costs == statement.costs
        assert row.result == statement.result
        equity = [s.total for s in sheet.equity_and_liabilities if s.title == "Eget kapital"]
        assert row.equity == sum(equity, Decimal(0))
        assert row.cash == sheet.amount("19")
        assert row.fund_loans == sheet.amount("2390")
    consolidated = income_statement(board_books, None, YEAR)
    assert view.consolidated is not None
    assert view.consolidated.result == consolidated.result
    assert view.consolidated_sheet == balance_sheet(board_books, None, YEAR.last_day)


def test_group_figures_match_the_ledger(board_books: Books) -> None:
    rows = {row.code: row for row in group_view(board_books, YEAR).rows}
    kafe = rows["Kafe"]
    # Sales plus 12 monthly wage subsidies of 8 000.
    assert kafe.turnover == sum(kafe_sales(m) for m in range(1, 13)) + 12 * 8000
    assert kafe.fund_loans == Decimal(60000 - 12 * 2500)
    assert kafe.margin == kafe.result / kafe.turnover
    assert rows["Fonden"].margin is None
    # Equity: the members' contribution plus the year's result (nothing closed yet).
    assert kafe.equity == 10000 + kafe.result
    # The group's turnover leaves out the umbrella's fees and allocations to members.
    group = group_view(board_books, YEAR).consolidated
    assert group is not None
    assert group.revenue == rows["Kafe"].turnover + rows["Stad"].turnover


def test_no_consolidation_in_one_entitys_view(board_books: Books) -> None:
    view = group_view(board_books, YEAR, consolidate=False)
    assert view.consolidated is None
    assert view.consolidated_sheet is None
    assert len(view.rows) == len(board_books.entities)


def test_headcount_counts_distinct_employees_paid(board_books: Books) -> None:
    assert headcounts(board_books, YEAR) == {"Kafe": 2, "Stad": 3}
    assert headcounts(board_books, parse_period("2025-Q1")) == {"Kafe": 2, "Stad": 2}
    assert headcounts(board_books, parse_period("2024")) == {}


def test_monthly_results_sum_to_each_months_statement(board_books: Books) -> None:
    results = monthly_results(board_books, YEAR)
    for code, values in results.items():
        assert len(values) == 12
        for month, value in zip(YEAR.months(), values, strict=True):
            assert value == income_statement(board_books, code, month).result, (code, month)


def test_member_months(board_books: Books) -> None:
    rows = member_months(board_books, "Kafe", parse_period("2025-Q2"))
    assert [r.month for r in rows] == ["2025-04", "2025-05", "2025-06"]
    for row, month in zip(rows, (4, 5, 6), strict=True):
        assert row.fees == Decimal(1500) + kafe_sales(month) * Decimal("0.05")
        assert row.allocated == 2000
        assert row.subsidies == 8000
        assert row.loan_balance == 60000 - 2500 * month
        assert row.result == income_statement(board_books, "Kafe",
                                              month_period(2025, month)).result


def test_member_view_uses_the_statements(board_books: Books) -> None:
    period = parse_period("2025-Q3")
    view = member_view(board_books, "Stad", period)
    assert view.statement == income_statement(board_books, "Stad", period)
    assert view.sheet == balance_sheet(board_books, "Stad", datetime.date(2025, 9, 30))
    assert [s.name for s in view.chart.series] == ["chart_result", "chart_loan"]


def test_unknown_entity_is_a_readable_error(board_books: Books) -> None:
    with pytest.raises(CoopException, match=r"unknown entity 'Nope' \(known: .*Kafe"):
        member_view(board_books, "Nope", YEAR)


def test_whole_books_period(board_books: Books) -> None:
    period = whole_books_period(board_books)
    assert period.start == board_books.transactions[0].date
    # The books end the day before their last balance assertion (on the next month's
    # first day): that day is not a month of results.
    last_balance = max(e.date for e in board_books.entries if isinstance(e, data.Balance))
    assert period.last_day == max(board_books.transactions[-1].date,
                                  last_balance - datetime.timedelta(days=1))
    assert board_books.last_date > period.last_day
    assert period.months()[-1].label == f"{period.last_day:%Y-%m}"
    assert period.months()[-1].start <= board_books.transactions[-1].date


def test_keep_transactions_keeps_declarations(board_books: Books) -> None:
    kafe_only = [t for t in board_books.transactions
                 if any(":Kafe:" in p.account for p in t.postings)]
    entries = keep_transactions(board_books.entries, kafe_only)
    books = books_from_entries("x", entries, [], board_books.options)
    assert set(books.entities) == set(board_books.entities)
    assert len(books.transactions) == len(kafe_only) < len(board_books.transactions)
    assert income_statement(books, "Kafe", YEAR) == income_statement(board_books, "Kafe", YEAR)


@pytest.mark.parametrize("text", ["2025", "2025-Q3", "2026-03"])
def test_group_rows_equal_the_statements_on_the_example_books(text: str) -> None:
    books = load_books(ROOT / "ledgers" / "example" / "main.beancount")
    period = parse_period(text)
    for row in group_view(books, period).rows:
        statement = income_statement(books, row.code, period)
        sheet = balance_sheet(books, row.code, period.last_day)
        equity = [s.total for s in sheet.equity_and_liabilities if s.title == "Eget kapital"]
        assert (row.turnover, row.costs, row.result) == (
            statement.revenue, statement.costs, statement.result), row.code
        assert (row.equity, row.cash, row.fund_loans) == (
            sum(equity, Decimal(0)), sheet.amount("19"), sheet.amount("2390")), row.code
