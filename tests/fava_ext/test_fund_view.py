"""The fund page's figures: the fund's own report, and a history that agrees with it."""

from __future__ import annotations

import datetime
from decimal import Decimal

from coopledger.books import Books
from coopledger.fava_ext.fund_view import fund_view, report_date
from coopledger.fund import fund_report
from coopledger.periods import parse_period


def test_report_is_the_funds_own(board_books: Books) -> None:
    period = parse_period("2025")
    view = fund_view(board_books, period)
    assert view.report.date == datetime.date(2025, 12, 31)
    assert view.report == fund_report(board_books, view.report.date)


def test_history_agrees_with_the_report_every_month(board_books: Books) -> None:
    view = fund_view(board_books, parse_period("2025"))
    assert [m.month for m in view.history] == [f"2025-{m:02d}" for m in range(1, 13)]
    for month in view.history:
        report = fund_report(board_books, month.date)
        assert month.gross == report.gross_portfolio, month.month
        assert month.par == report.par, month.month
        assert month.par_amounts == report.par_amounts, month.month


def test_history_matches_the_ledger(board_books: Books) -> None:
    history = {m.month: m for m in fund_view(board_books, parse_period("2025")).history}
    # Only Kafé's loan (60 000, disbursed 10 January) before June; Stad's 40 000 from
    # 1 June is never repaid, so it is more than 90 days late by the end of September.
    assert history["2025-01"].gross > 0
    assert history["2025-05"].par_amounts[1] == 0
    assert history["2025-09"].par_amounts[90] == Decimal(40000)
    assert history["2025-12"].par[30] == (Decimal(40000) / history["2025-12"].gross).quantize(
        Decimal("0.0001"))


def test_report_date_is_the_period_end_when_the_books_go_on(board_books: Books) -> None:
    assert report_date(board_books, parse_period("2025-Q2")) == datetime.date(2025, 6, 30)
    # The books end with the bank balances of 1 January 2026: no arrears are invented
    # after the last entry.
    assert report_date(board_books, parse_period("2026")) == datetime.date(2026, 1, 1)


def test_charts(board_books: Books) -> None:
    view = fund_view(board_books, parse_period("2025-Q3"))
    assert [s.name for s in view.portfolio_chart.series] == ["gross_portfolio", "at_risk_30"]
    assert [s.name for s in view.par_chart.series] == ["PAR1", "PAR30", "PAR60", "PAR90"]
    assert all(len(s.values) == 3 for s in view.par_chart.series)
    assert view.par_chart.y_ticks[-1].label.endswith("%")
