"""Periods, balances and statements on a small ledger whose figures are computed by hand."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from coopledger.balances import account_balance, balances, monthly_changes, trial_balance
from coopledger.books import Books
from coopledger.errors import CoopException
from coopledger.periods import Period, fiscal_year_of, month_period, parse_period, parse_span
from coopledger.statements import balance_sheet, income_statement

D = Decimal
LEDGER = """
option "operating_currency" "SEK"
plugin "coopledger.plugins.entities"
2025-01-01 custom "coop-entity" "Paraply"
  name: "Paraplyet"
  kind: "umbrella"
2025-01-01 custom "coop-entity" "Kafe"
  name: "Kafé Linnéa"
  kind: "member"
  fiscal-year-start: 7
2025-01-01 open Assets:Paraply:1930-Företagskonto SEK
  bas: "1930"
2025-01-01 open Income:Paraply:3920-Tjänsteavgifter-medlemmar SEK
  bas: "3920"
  intragroup: TRUE
2025-01-01 open Equity:Paraply:2091-Balanserad-vinst SEK
  bas: "2091"
2025-01-01 open Assets:Kafe:1930-Företagskonto SEK
  bas: "1930"
2025-01-01 open Income:Kafe:3002-Försäljning-12 SEK
  bas: "3002"
2025-01-01 open Liabilities:Kafe:2621-Utgående-moms-12 SEK
  bas: "2621"
2025-01-01 open Expenses:Kafe:4010-Inköp SEK
  bas: "4010"
2025-01-01 open Expenses:Kafe:6550-Tjänsteavgift-paraplyet SEK
  bas: "6550"
  intragroup: TRUE
2025-01-01 open Equity:Kafe:2083-Medlemsinsatser SEK
  bas: "2083"

2025-01-01 * "Ingående balans"
  Assets:Paraply:1930-Företagskonto   10000.00 SEK
  Equity:Paraply:2091-Balanserad-vinst
2025-01-01 * "Insatser"
  Assets:Kafe:1930-Företagskonto   5000.00 SEK
  Equity:Kafe:2083-Medlemsinsatser
2025-01-31 * "Kortförsäljning januari"
  Assets:Kafe:1930-Företagskonto        11200.00 SEK
  Income:Kafe:3002-Försäljning-12      -10000.00 SEK
  Liabilities:Kafe:2621-Utgående-moms-12 -1200.00 SEK
2025-02-10 * "Grossisten" "Kaffe, betalt av paraplyet"
  Expenses:Kafe:4010-Inköp              2000.00 SEK
  Assets:Paraply:1930-Företagskonto
2025-02-28 * "Paraplyet" "Tjänsteavgift februari"
  Expenses:Kafe:6550-Tjänsteavgift-paraplyet   1500.00 SEK
  Income:Paraply:3920-Tjänsteavgifter-medlemmar
2025-08-15 * "Kortförsäljning augusti"
  Assets:Kafe:1930-Företagskonto        5600.00 SEK
  Income:Kafe:3002-Försäljning-12      -5000.00 SEK
  Liabilities:Kafe:2621-Utgående-moms-12 -600.00 SEK
"""


@pytest.fixture(scope="module")
def books() -> Books:
    from tests.conftest import load_text

    loaded = load_text(LEDGER)
    assert loaded.errors == []
    return loaded


def test_periods() -> None:
    assert parse_period("2026-10") == month_period(2026, 10)
    q3 = parse_period("2026-Q3")
    assert (q3.start, q3.end) == (datetime.date(2026, 7, 1), datetime.date(2026, 10, 1))
    july_q1 = parse_period("2025-Q1", fiscal_year_start=7)
    assert (july_q1.start, july_q1.last_day) == (datetime.date(2025, 7, 1),
                                                 datetime.date(2025, 9, 30))
    year = parse_period("2025", fiscal_year_start=7)
    assert (year.start, year.end, year.label) == (datetime.date(2025, 7, 1),
                                                  datetime.date(2026, 7, 1), "2025/26")
    assert fiscal_year_of(datetime.date(2025, 3, 1), 7).start == datetime.date(2024, 7, 1)
    assert datetime.date(2025, 12, 31) in parse_period("2025")
    assert datetime.date(2026, 1, 1) not in parse_period("2025")
    assert [m.label for m in parse_period("2025-Q1").months()] == ["2025-01", "2025-02",
                                                                   "2025-03"]


@pytest.mark.parametrize("text", ["2026-13", "26-10", "2026-Q5", "oktober", ""])
def test_bad_periods(text: str) -> None:
    with pytest.raises(CoopException, match="period"):
        parse_period(text)
    with pytest.raises(CoopException, match="period"):
        parse_span(text)


def test_spans_of_days() -> None:
    day = parse_span("2026-10-05")
    assert (day.start, day.end) == (datetime.date(2026, 10, 5), datetime.date(2026, 10, 6))
    days = parse_span("2026-10-05..2026-10-09")
    assert (days.start, days.last_day) == (datetime.date(2026, 10, 5),
                                           datetime.date(2026, 10, 9))
    months = parse_span("2026-03..2026-08")
    assert (months.start, months.end) == (datetime.date(2026, 3, 1), datetime.date(2026, 9, 1))
    assert parse_span("2026-Q3") == parse_period("2026-Q3")
    for text in ("2026-02-30", "2026-10-09..2026-10-05", "2026-10-05..", "2026-10-05..x"):
        with pytest.raises(CoopException, match="period"):
            parse_span(text)
    with pytest.raises(CoopException, match="period"):
        parse_period("2026-10-05")  # a VAT period or a service month is never a day


def test_months_of_a_period_that_starts_mid_month() -> None:
    """Every month the period touches, the last one too (not one month per 30 days)."""
    period = Period(datetime.date(2026, 1, 31), datetime.date(2026, 3, 2), "x")
    assert [m.label for m in period.months()] == ["2026-01", "2026-02", "2026-03"]
    assert [m.label for m in parse_span("2026-10-05..2026-11-03").months()] == [
        "2026-10", "2026-11"]


def test_balances_at_dates(books: Books) -> None:
    kafe_bank = "Assets:Kafe:1930-Företagskonto"
    assert account_balance(books, kafe_bank, datetime.date(2025, 1, 30)) == D("5000.00")
    assert account_balance(books, kafe_bank, datetime.date(2025, 1, 31)) == D("16200.00")
    assert account_balance(books, "Assets:Kafe", datetime.date(2025, 2, 10)) == \
        D("16200.00") - D("2000.00")  # bank plus the new clearing position
    assert balances(books, datetime.date(2025, 2, 28), entity="Paraply") == {
        "Assets:Paraply:1660-Avräkning-Kafe": D("3500.00"),
        "Assets:Paraply:1930-Företagskonto": D("8000.00"),
        "Equity:Paraply:2091-Balanserad-vinst": D("-10000.00"),
        "Income:Paraply:3920-Tjänsteavgifter-medlemmar": D("-1500.00")}
    rows = trial_balance(books, datetime.date(2025, 12, 31), entity="Kafe")
    assert sum(amount for _, _, amount in rows) == 0
    assert [bas for _, bas, _ in rows] == ["1660", "1930", "2083", "2621", "3002", "4010",
                                           "6550"]


def test_member_income_statement_for_its_own_fiscal_year(books: Books) -> None:
    year = parse_period("2024", fiscal_year_start=7)  # July 2024 to June 2025
    statement = income_statement(books, "Kafe", year)
    assert statement.revenue == D("10000.00")
    assert statement.costs == D("-3500.00")
    assert statement.result == D("6500.00")
    assert [s.title for s in statement.sections] == ["Rörelsens intäkter",
                                                     "Varor och material",
                                                     "Övriga externa kostnader"]
    assert statement.amount("6550") == D("-1500.00")


def test_consolidated_statement_eliminates_the_fee(books: Books) -> None:
    statement = income_statement(books, None, parse_period("2025"))
    assert statement.revenue == D("15000.00")  # the café's sales; the fee is eliminated
    assert statement.amount("3920") == 0
    assert statement.amount("6550") == 0
    assert statement.result == D("13000.00")
    assert statement.elimination_difference == 0
    by_entity = sum((income_statement(books, c, parse_period("2025")).result
                     for c in books.entities), D(0))
    assert by_entity == statement.result


def test_balance_sheets_agree_and_show_the_unclosed_result(books: Books) -> None:
    date = datetime.date(2025, 12, 31)
    kafe = balance_sheet(books, "Kafe", date)
    assert kafe.total_assets == D("21800.00") - D("3500.00")
    assert kafe.total_assets == kafe.total_equity_and_liabilities
    assert kafe.amount("2083") == D("5000.00")
    group = balance_sheet(books, None, date)
    assert group.amount("1660") == 0
    assert group.total_assets == D("8000.00") + D("21800.00")
    assert group.total_assets == group.total_equity_and_liabilities
    assert group.elimination_difference == 0


def test_monthly_changes_in_one_pass(books: Books) -> None:
    months = monthly_changes(books, parse_period("2025"), entity="Kafe")
    assert months["2025-01"]["Income:Kafe:3002-Försäljning-12"] == D("-10000.00")
    assert months["2025-02"]["Expenses:Kafe:4010-Inköp"] == D("2000.00")
    assert months["2025-08"]["Income:Kafe:3002-Försäljning-12"] == D("-5000.00")
    assert months["2025-03"] == {}


def test_unknown_entity_is_a_clear_error(books: Books) -> None:
    with pytest.raises(CoopException, match="unknown entity 'Bageri'"):
        income_statement(books, "Bageri", parse_period("2025"))


def test_a_closed_year_still_shows_its_result() -> None:
    from tests.conftest import load_text

    closed = load_text(LEDGER + """
2025-12-31 * "Bokslut" "Årets resultat till eget kapital" #year-end
  Income:Kafe:3002-Försäljning-12   15000.00 SEK
  Expenses:Kafe:4010-Inköp          -2000.00 SEK
  Expenses:Kafe:6550-Tjänsteavgift-paraplyet -1500.00 SEK
  Equity:Kafe:2083-Medlemsinsatser -11500.00 SEK
""")
    assert closed.errors == []
    year = parse_period("2025")
    assert income_statement(closed, "Kafe", year).result == D("11500.00")
    months = monthly_changes(closed, year, entity="Kafe")
    assert months["2025-12"] == {"Equity:Kafe:2083-Medlemsinsatser": D("-11500.00")}
    sheet = balance_sheet(closed, "Kafe", datetime.date(2025, 12, 31))
    assert sheet.amount("2083") == D("16500.00")
    assert sheet.total_assets == sheet.total_equity_and_liabilities
    assert not any(line.name.startswith("Resultat som inte") for s in
                   sheet.equity_and_liabilities for line in s.lines)


def test_the_packs_member_results_are_the_statements_results(example_books: Books) -> None:
    """The board pack's results table sums a member's movements directly: the very
    Decimal its income statement's ``result`` gives (value, exponent, sign of zero)."""
    from coopledger.close.boardpack import member_results
    from coopledger.entities import EntityKind

    members = [c for c, e in example_books.entities.items() if e.kind is EntityKind.MEMBER]
    assert members
    moved = 0
    for month in ("2025-06", "2025-12", "2026-03", "2026-10"):
        results = member_results(example_books, month)
        assert sorted(results) == sorted(members)
        for code, series in results.items():
            for label, value in series:
                period = month_period(int(label[:4]), int(label[5:]))
                expected = income_statement(example_books, code, period).result
                assert (str(value), value.as_tuple()) == (str(expected), expected.as_tuple())
                moved += value != 0
    assert moved  # the months compared have results, not only zeros
