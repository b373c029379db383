"""Budget and last year (coopledger.compare): the figures beside their reference, the
year to date, the budget directives' checks, and ``report --compare``."""

from __future__ import annotations

import csv
import datetime
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from beancount.core import data
from dateutil.relativedelta import relativedelta
from hypothesis import given
from hypothesis import strategies as st

from coopledger.balances import changes
from coopledger.books import Books, load_books
from coopledger.cli import main
from coopledger.compare import (
    a_year_before,
    budget_sums,
    compare,
    fava_budget,
    read_budgets,
    year_to_date,
)
from coopledger.money import round_ore
from coopledger.periods import Period, fiscal_year, month_period, parse_period, parse_span
from tests.conftest import load_text
from tests.strategies import header

if TYPE_CHECKING:
    from fava.core.budgets import Budget

EXAMPLE = Path(__file__).resolve().parent.parent / "ledgers" / "example" / "main.beancount"

HEADER = """
option "operating_currency" "SEK"
plugin "coopledger.plugins.entities"

2025-01-01 custom "coop-entity" "Paraply"
  name: "Paraplyet"
  kind: "umbrella"
2025-01-01 custom "coop-entity" "Kafe"
  name: "Kafé"
  kind: "member"
2025-01-01 open Assets:Kafe:1930-Företagskonto SEK
  bas: "1930"
2025-01-01 open Income:Kafe:3001-Försäljning SEK
  bas: "3001"
2025-01-01 open Expenses:Kafe:5010-Lokalhyra SEK
  bas: "5010"
2025-01-01 open Expenses:Kafe:6550-Tjänsteavgift-Paraply SEK
  bas: "6550"
2025-01-01 open Expenses:Kafe:6550-Tjänsteavgift-Stad SEK
  bas: "6550"
2025-01-01 open Assets:Paraply:1930-Företagskonto SEK
  bas: "1930"
"""


def test_budget_last_year_and_year_to_date() -> None:
    books = load_text(HEADER + """
2025-03-10 * "Försäljning mars 2025"
  Assets:Kafe:1930-Företagskonto  8000.00 SEK
  Income:Kafe:3001-Försäljning  -8000.00 SEK
2026-02-10 * "Försäljning februari"
  Assets:Kafe:1930-Företagskonto  9000.00 SEK
  Income:Kafe:3001-Försäljning  -9000.00 SEK
2026-03-10 * "Försäljning mars"
  Assets:Kafe:1930-Företagskonto  11000.00 SEK
  Income:Kafe:3001-Försäljning  -11000.00 SEK
2026-03-28 * "Hyra"
  Expenses:Kafe:5010-Lokalhyra  3650.00 SEK
  Assets:Kafe:1930-Företagskonto  -3650.00 SEK

2026-01-01 custom "budget" Income:Kafe:3001-Försäljning "monthly" -10000.00 SEK
2026-03-01 custom "budget" Income:Kafe:3001-Försäljning "monthly" -12000.00 SEK
2026-01-01 custom "budget" Expenses:Kafe:5010-Lokalhyra "yearly" 36500.00 SEK
""")
    assert books.errors == []
    march = parse_period("2026-03")
    budget = compare(books, "Kafe", march, "budget")
    by_bas = {line.bas: line for line in budget.lines}
    assert (by_bas["3001"].actual, by_bas["3001"].reference) == (Decimal("11000.00"),
                                                                 Decimal("12000.00"))
    assert by_bas["3001"].deviation == Decimal("-1000.00")
    # A yearly budget is spread over the days: 31 of 365 days of 36 500 = 3 100.
    assert by_bas["5010"].reference == Decimal("-3100.00")
    assert by_bas["5010"].deviation == Decimal("-550.00")
    assert budget.year_to_date == year_to_date(march, 1)
    assert budget.year_to_date.start == datetime.date(2026, 1, 1)
    assert by_bas["3001"].ytd_actual == Decimal("20000.00")
    assert by_bas["3001"].ytd_reference == Decimal("32000.00")  # 10 000 + 10 000 + 12 000
    assert by_bas["5010"].ytd_reference == Decimal("-9000.00")  # 3 100 + 2 800 + 3 100
    assert budget.total("actual") == Decimal("7350.00")
    assert budget.total("reference") == Decimal("8900.00")

    last = compare(books, "Kafe", march, "last-year")
    line = next(ln for ln in last.lines if ln.bas == "3001")
    assert (line.actual, line.reference, line.deviation) == (
        Decimal("11000.00"), Decimal("8000.00"), Decimal("3000.00"))
    assert last.reference_period.start == datetime.date(2025, 3, 1)
    assert (line.ytd_actual, line.ytd_reference) == (Decimal("20000.00"), Decimal("8000.00"))


def test_counterparties_stay_apart_for_an_entity_and_sum_for_the_group() -> None:
    books = load_text(HEADER + """
2026-01-31 * "Avgifter"
  Expenses:Kafe:6550-Tjänsteavgift-Paraply  1000.00 SEK
  Expenses:Kafe:6550-Tjänsteavgift-Stad  500.00 SEK
  Assets:Kafe:1930-Företagskonto  -1500.00 SEK
2026-01-01 custom "budget" Expenses:Kafe:6550-Tjänsteavgift-Paraply "monthly" 900.00 SEK
""")
    entity = compare(books, "Kafe", parse_period("2026-01"), "budget")
    fees = [(ln.account, ln.actual, ln.reference) for ln in entity.lines if ln.bas == "6550"]
    assert fees == [("Expenses:Kafe:6550-Tjänsteavgift-Paraply", Decimal("-1000.00"),
                     Decimal("-900.00")),
                    ("Expenses:Kafe:6550-Tjänsteavgift-Stad", Decimal("-500.00"), Decimal(0))]
    group = compare(books, None, parse_period("2026-01"), "budget")
    assert [(ln.bas, ln.actual, ln.reference) for ln in group.lines] == [
        ("6550", Decimal("-1500.00"), Decimal("-900.00"))]


def test_unusable_budgets_are_errors_at_their_line() -> None:
    books = load_text(HEADER + """
2026-01-01 custom "budget" Expenses:Kafe:5010-Lokalhyra "fortnightly" 100.00 SEK
2026-01-01 custom "budget" Expenses:Okänt:5010-Hyra "monthly" 100.00 SEK
2026-01-01 custom "budget" Assets:Kafe:1930-Företagskonto "monthly" 100.00 SEK
2026-01-01 custom "budget" Income:Kafe:3001-Försäljning "monthly" 100.00 EUR
2026-01-01 custom "budget" Expenses:Kafe:5010-Lokalhyra "monthly" 100.00 SEK
""")
    budgets, errors = read_budgets(books)
    messages = sorted(e.message for e in errors)
    assert len(messages) == 4
    assert any("Invalid interval" in m for m in messages)
    assert any("Expenses:Okänt:5010-Hyra: not an opened account" in m for m in messages)
    assert any("only income and expense accounts" in m for m in messages)
    assert any("in EUR, not the books' SEK" in m for m in messages)
    assert all(e.source and e.source.get("lineno") for e in errors)
    assert list(budgets) == ["Expenses:Kafe:5010-Lokalhyra"]
    assert budget_sums(books, parse_period("2026-Q1")) == {
        "Expenses:Kafe:5010-Lokalhyra": Decimal("300.00")}


@given(sales=st.lists(st.integers(min_value=1, max_value=9_999_999), min_size=24,
                      max_size=24),
       budgets=st.lists(st.integers(min_value=-9_999_999, max_value=9_999_999), min_size=3,
                        max_size=3),
       interval=st.sampled_from(["monthly", "quarterly", "yearly", "weekly"]))
def test_deviation_and_year_to_date_are_exact(sales: list[int], budgets: list[int],
                                              interval: str) -> None:
    text = [header(("Paraply", "Kafe"))]
    for i, ore in enumerate(sales):
        date = datetime.date(2025 + i // 12, i % 12 + 1, 15)
        amount = Decimal(ore).scaleb(-2)
        text.append(f'{date} * "Försäljning"\n  Assets:Kafe:1930-Företagskonto  {amount} SEK\n'
                    f"  Income:Kafe:3001-Försäljning  {-amount} SEK\n")
    for month, ore in zip((1, 5, 9), budgets, strict=True):
        text.append(f'2026-{month:02d}-01 custom "budget" Income:Kafe:3001-Försäljning '
                    f'"{interval}" {Decimal(ore).scaleb(-2)} SEK\n')
    books = load_text("".join(text))
    assert books.errors == []
    for basis in ("budget", "last-year"):
        months = [compare(books, "Kafe", month, basis) for month in fiscal_year(2026).months()]
        running_actual = running_reference = Decimal(0)
        for number, comparison in enumerate(months):
            for line in comparison.lines:
                assert line.deviation == line.actual - line.reference
                assert line.ytd_deviation == line.ytd_actual - line.ytd_reference
            running_actual += comparison.total("actual")
            running_reference += comparison.total("reference")
            assert comparison.total("ytd_actual") == running_actual
            assert comparison.total("ytd_reference") == running_reference
            # The actual figure is the month's sales as written, independently summed.
            assert comparison.total("actual") == Decimal(sales[12 + number]).scaleb(-2)
            if basis == "last-year":
                assert comparison.total("reference") == Decimal(sales[number]).scaleb(-2)
        year = compare(books, "Kafe", fiscal_year(2026), basis)
        assert year.total("reference") == running_reference
        assert year.total("actual") == running_actual


@pytest.fixture(scope="module")
def example() -> Books:
    books = load_books(EXAMPLE)
    if not read_budgets(books)[0]:
        pytest.fail("the example books declare no budget: rebuild them "
                    "(scripts/build_example.py)")
    return books


def test_the_example_books_have_a_budget_for_each_entity(example: Books) -> None:
    budgets, errors = read_budgets(example)
    assert errors == []
    assert {account.split(":")[1] for account in budgets} == set(example.entities)
    comparison = compare(example, "Kafe", parse_period("2026-10"), "budget")
    assert comparison.total("reference") != 0
    # The budget beside the actual: the actual is the library's income statement.
    actual = changes(example, parse_period("2026-10"), entity="Kafe")
    assert comparison.total("actual") == -sum(
        (amount for account, amount in actual.items()
         if account.startswith(("Income:", "Expenses:"))), Decimal(0))


@pytest.mark.parametrize("fmt", ["text", "csv", "json"])
def test_report_compare_prints_the_library_figures(example: Books, fmt: str,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    period = parse_period("2026-Q3")
    assert main(["report", str(EXAMPLE), "--entity", "Kafe", "--period", "2026-Q3",
                 "--compare", "last-year", "--format", fmt]) == 0
    out = capsys.readouterr().out
    expected = compare(example, "Kafe", period, "last-year")
    if fmt == "json":
        document = json.loads(out)
        assert document["reference_period"]["start"] == str(a_year_before(period).start)
        assert Decimal(document["result"]["deviation"]) == expected.total("deviation")
        assert len(document["lines"]) == len(expected.lines)
    elif fmt == "csv":
        table = list(csv.DictReader(io.StringIO(out)))
        result = next(r for r in table if r["row"] == "result")
        assert Decimal(result["ytd_actual"]) == expected.total("ytd_actual")
        accounts = [r["account"] for r in table if r["row"] == "account"]
        assert accounts == [ln.account for ln in expected.lines]
    else:
        assert f"{expected.total('actual'):,.2f}" in out.splitlines()[-1]
        assert "Fjolår" in out


def test_report_compare_budget_refuses_an_unusable_budget(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ledger = tmp_path / "main.beancount"
    ledger.write_text(HEADER + '2026-01-01 custom "budget" Assets:Kafe:1930-Företagskonto '
                      '"monthly" 1.00 SEK\n', encoding="utf-8")
    assert main(["report", str(ledger), "--compare", "budget", "--period", "2026"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert f"{ledger}:" in err[0]
    assert "only income and expense accounts" in err[0]



def test_check_reports_an_unusable_budget(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    ledger = tmp_path / "main.beancount"
    ledger.write_text(HEADER + '2026-01-01 custom "budget" Expenses:Kafe:5010-Lokalhyra '
                      '"monthly" 1.00 EUR\n', encoding="utf-8")
    assert main(["check", str(ledger)]) == 1
    out = capsys.readouterr().out.strip().splitlines()
    assert out == [f"{ledger}:{HEADER.count(chr(10)) + 1}: budget for "
                   "Expenses:Kafe:5010-Lokalhyra: in EUR, not the books' SEK"]


def test_fava_reads_the_same_budgets(example: Books) -> None:
    """Fava's own reports show the budget coopledger compares with (same directives)."""
    from fava.core import FavaLedger

    ledger = FavaLedger(str(EXAMPLE))
    assert list(ledger.budgets.errors) == []
    october = parse_period("2026-10")
    ours = budget_sums(example, october)
    assert len(ours) > 20
    for account, amount in ours.items():
        theirs = ledger.budgets.calculate(account, october.start, october.end)
        assert round_ore(theirs["SEK"]) == amount


def test_a_members_view_keeps_only_its_own_budgets_and_thresholds() -> None:
    from coopledger.member import member_entries

    books = load_text(HEADER + """
2025-01-01 custom "coop-entity" "Stad"
  name: "Städ"
  kind: "member"
2025-01-01 open Expenses:Stad:5010-Lokalhyra SEK
  bas: "5010"
2026-01-01 custom "budget" Expenses:Kafe:5010-Lokalhyra "monthly" 100.00 SEK
2026-01-01 custom "budget" Expenses:Stad:5010-Lokalhyra "monthly" 900.00 SEK
2026-01-01 custom "coop-thresholds" "all"
  margin-good: 8
2026-01-01 custom "coop-thresholds" "Kafe"
  margin-good: 9
2026-01-01 custom "coop-thresholds" "Stad"
  margin-good: 10
""")
    assert books.errors == []
    kept = [e for e in member_entries(books.entries, "Kafe") if isinstance(e, data.Custom)
            and e.type in ("budget", "coop-thresholds")]
    assert [(e.type, e.values[0].value) for e in kept] == [
        ("budget", "Expenses:Kafe:5010-Lokalhyra"), ("coop-thresholds", "all"),
        ("coop-thresholds", "Kafe")]


# A period of a few days: each month's budget prorated by its days inside the period.

PRORATE = HEADER + """
2026-01-01 custom "budget" Income:Kafe:3001-Försäljning "monthly" -10000.00 SEK
2026-03-16 custom "budget" Income:Kafe:3001-Försäljning "monthly" -12400.00 SEK
2026-01-01 custom "budget" Expenses:Kafe:5010-Lokalhyra "yearly" 36500.00 SEK
2026-01-01 custom "budget" Expenses:Kafe:6550-Tjänsteavgift-Paraply "monthly" 100.00 SEK
"""


@pytest.fixture(scope="module")
def prorate_books() -> Books:
    books = load_text(PRORATE)
    assert books.errors == []
    return books


def test_a_few_days_get_their_share_of_the_months_budget(prorate_books: Books) -> None:
    def budget(text: str) -> dict[str, Decimal]:
        return budget_sums(prorate_books, parse_span(text), "Kafe")

    fee = "Expenses:Kafe:6550-Tjänsteavgift-Paraply"
    # 100.00 a month over January's 31 days: cumulative rounding, the parts sum to 100
    assert budget("2026-01-01..2026-01-10")[fee] == Decimal("32.26")  # 100 x 10/31
    assert budget("2026-01-11..2026-01-20")[fee] == Decimal("32.26")  # 64.52 - 32.26
    assert budget("2026-01-21..2026-01-31")[fee] == Decimal("35.48")  # 100.00 - 64.52
    assert budget("2026-01")[fee] == Decimal("100.00")
    # a yearly budget: 100.00 a day
    assert budget("2026-02-03")["Expenses:Kafe:5010-Lokalhyra"] == Decimal("100.00")
    # a range across a month end counts each month's days: 3 of January, 2 of February
    assert budget("2026-01-29..2026-02-02")[fee] == (
        Decimal("100.00") - round_ore(Decimal(100) * 28 / 31)
        + round_ore(Decimal(100) * 2 / 28))
    # the budget changes on 2026-03-16: the first half of March at 10 000 a month, the
    # rest at 12 400, as Fava counts each day
    sales = "Income:Kafe:3001-Försäljning"
    assert budget("2026-03-01..2026-03-15")[sales] == round_ore(Decimal(-10000) * 15 / 31)
    assert budget("2026-03")[sales] == round_ore(Decimal(-10000) * 15 / 31
                                                 + Decimal(-12400) * 16 / 31)


@st.composite
def splits(draw: st.DrawFn) -> tuple[datetime.date, list[datetime.date]]:
    """A period in 2025-2027 and the inner days that cut it into consecutive parts."""
    first = datetime.date(2025, 11, 1)
    start = first + datetime.timedelta(days=draw(st.integers(0, 500)))
    length = draw(st.integers(1, 400))
    cuts = draw(st.lists(st.integers(1, length - 1), max_size=12, unique=True)
                if length > 1 else st.just([]))
    return start, [start + datetime.timedelta(days=n) for n in sorted(cuts)] + [
        start + datetime.timedelta(days=length)]


@given(split=splits())
def test_prorated_budgets_of_consecutive_parts_sum_to_the_whole(
        prorate_books: Books, split: tuple[datetime.date, list[datetime.date]]) -> None:
    start, ends = split
    whole = budget_sums(prorate_books, Period(start, ends[-1], "whole"))
    parts: dict[str, Decimal] = {}
    begin = start
    for end in ends:
        for account, amount in budget_sums(prorate_books, Period(begin, end, "part")).items():
            parts[account] = parts.get(account, Decimal(0)) + amount
        begin = end
    assert {a: v for a, v in parts.items() if v} == whole
    # and within an öre per month of Fava's own, unrounded, figure
    from fava.core.budgets import calculate_budget

    budgets, _ = read_budgets(prorate_books)
    months = len(Period(start, ends[-1], "whole").months())
    for account in budgets:
        exact = calculate_budget(budgets, account, start, ends[-1]).get("SEK", Decimal(0))
        assert abs(whole.get(account, Decimal(0)) - exact) <= Decimal("0.005") * 2 * months


def test_report_compare_takes_a_few_days(prorate_books: Books, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    ledger = tmp_path / "main.beancount"
    ledger.write_text(PRORATE, encoding="utf-8")
    assert main(["report", str(ledger), "--entity", "Kafe", "--period",
                 "2026-01-01..2026-01-10", "--compare", "budget", "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["period"] == {"label": "2026-01-01 -- 2026-01-10",
                                  "start": "2026-01-01", "end": "2026-01-10"}
    line = next(ln for ln in document["lines"] if ln["bas"] == "6550")
    assert Decimal(line["reference"]) == Decimal("-32.26")  # a cost, in the statement's sign
    for text in ("2026-01-32", "2026-02..2026-01", "2026-01-05..x"):
        assert main(["report", str(ledger), "--period", text]) == 2
        assert len(capsys.readouterr().err.strip().splitlines()) == 1


@st.composite
def fava_budgets(draw: st.DrawFn) -> list[Budget]:
    """One account's budgets in date order: any of Fava's intervals, any amounts."""
    from fava.core.budgets import Budget
    from fava.util.date import INTERVALS

    days = sorted(draw(st.lists(st.integers(0, 120), min_size=1, max_size=5)))
    return [Budget("Expenses:Kafe:5010-Lokalhyra", datetime.date(2026, 1, 1)
                   + datetime.timedelta(days=n), INTERVALS[draw(st.sampled_from(
                       ["daily", "weekly", "monthly", "quarterly", "yearly"]))],
                   Decimal(draw(st.integers(-10**9, 10**9))).scaleb(-2), "SEK")
            for n in days]


@given(budgets=fava_budgets(), month=st.integers(1, 5), first=st.integers(0, 30),
       length=st.integers(0, 31))
def test_the_budget_is_favas_to_the_last_digit(budgets: list[Budget], month: int,
                                               first: int, length: int) -> None:
    from fava.core.budgets import calculate_budget

    period = month_period(2026, month)
    start = min(period.start + datetime.timedelta(days=first), period.end)
    end = min(start + datetime.timedelta(days=length), period.end)
    expected = calculate_budget({budgets[0].account: budgets}, budgets[0].account, start,
                                end).get("SEK", Decimal(0))
    got = fava_budget(budgets, start, end)
    assert got == expected
    assert str(got) == str(expected)  # the same digits, not only the same value


@given(st.dates(datetime.date(1901, 1, 1), datetime.date(2100, 12, 31)),
       st.dates(datetime.date(1901, 1, 1), datetime.date(2100, 12, 31)))
def test_a_year_before_is_relativedeltas_year(start: datetime.date,
                                              end: datetime.date) -> None:
    year = relativedelta(years=1)
    before = a_year_before(Period(start, end, "p"))
    assert (before.start, before.end, before.label) == (start - year, end - year, "p -1 år")
