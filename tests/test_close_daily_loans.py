"""Daily books of books with loans: after the year-end close, the daily file (opening
balances and each loan's snapshot) gives the same fund report and balances as the full
history, and the year seal covers the snapshots."""

from __future__ import annotations

import datetime
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from coopledger.balances import account_balance, balances, changes
from coopledger.books import Books, load_books
from coopledger.cli import main as coopledger
from coopledger.close import close_month
from coopledger.close.yearend import DAILY_FILE, close_year
from coopledger.errors import CoopException
from coopledger.fava_ext.fund_view import fund_view
from coopledger.fund import fund_report, loan_state, loan_states, split_repayment
from coopledger.periods import Period
from coopledger.plugins.seals import SealError
from tests.fund_books import (
    FUND_BANK,
    FUND_LOSSES,
    bank,
    disburse,
    header,
    loan,
    repay,
    write_off,
)

D = datetime.date
CUT = D(2026, 1, 1)
BANKS = [bank(code) for code in ("Paraply", "Fonden", "Kafe", "Stad")]
DATES = [D(2026, 1, 1), D(2026, 1, 16), D(2026, 1, 31), D(2026, 2, 20), D(2026, 3, 31),
         D(2026, 6, 30)]


def declarations() -> str:
    """In arrears across the cut, repaid early, written off, 30/360 rescheduled, committed."""
    return (loan("L-1", D(2025, 1, 15), "Kafe", "100000.00", "5.00", 24)
            + loan("L-2", D(2025, 2, 1), "Stad", "50000.00", "4.00", 12)
            + loan("L-3", D(2025, 3, 1), "Stad", "30000.00", "6.00", 36)
            + loan("L-4", D(2025, 3, 31), "Kafe", "60000.00", "3.00", 36,
                   day_count="30/360", first_due="2025-04-30")
            + '2025-10-01 custom "coop-loan-reschedule" "L-4"\n  term: 24\n'
            + loan("L-5", D(2025, 11, 1), "Stad", "20000.00", "4.00", 12))


def month_ends(year: int, months: range) -> list[datetime.date]:
    """The last day of each month."""
    return [D(year + (m == 12), m % 12 + 1, 1) - datetime.timedelta(days=1) for m in months]


def closed_year_movements(payoff: tuple[Decimal, Decimal]) -> str:
    """2025: L-1 paid Feb to Oct, then 500; L-2 repaid early; L-3 written off; L-4 paid."""
    parts = [disburse("L-1", D(2025, 1, 15), "Kafe", Decimal("100000.00")),
             disburse("L-2", D(2025, 2, 1), "Stad", Decimal("50000.00")),
             disburse("L-3", D(2025, 3, 1), "Stad", Decimal("30000.00")),
             disburse("L-4", D(2025, 3, 31), "Kafe", Decimal("60000.00"))]
    for month in range(2, 11):
        parts.append(repay("L-1", D(2025, month, 15), "Kafe", Decimal("400.00"),
                           Decimal("4000.00")))
    # a part payment after two missed instalments: they are due before L-1's anchor
    parts.append(repay("L-1", D(2025, 12, 20), "Kafe", Decimal("500.00"), Decimal("0.00")))
    parts.append(repay("L-2", D(2025, 6, 10), "Stad", *payoff))
    parts.append(write_off("L-3", D(2025, 10, 15), "Stad", Decimal("30000.00")))
    for day in month_ends(2025, range(4, 13)):
        parts.append(repay("L-4", day, "Kafe", Decimal("150.00"), Decimal("1700.00")))
    return "\n".join(parts)


def open_year_movements() -> str:
    """2026: L-5 paid out, L-1 catches up late, L-4 pays, a recovery on the written-off L-3."""
    parts = [disburse("L-5", D(2026, 1, 10), "Stad", Decimal("20000.00")),
             repay("L-1", D(2026, 1, 20), "Kafe", Decimal("900.00"), Decimal("8100.00")),
             repay("L-1", D(2026, 2, 16), "Kafe", Decimal("300.00"), Decimal("4000.00"))]
    for day in month_ends(2026, range(1, 4)):
        parts.append(repay("L-4", day, "Kafe", Decimal("120.00"), Decimal("2400.00")))
    parts.append(f'2026-03-05 * "Inkasso" "Återvunnet L-3" ^L-3\n  {FUND_LOSSES}  -2000.00 SEK\n'
                 f"  {FUND_BANK}  2000.00 SEK\n")
    return "\n".join(parts)


def assertions(books: Books) -> str:
    """A balance assertion for every bank account after each month, 2025-01..2026-03."""
    lines = []
    for last in month_ends(2025, range(1, 13)) + month_ends(2026, range(1, 4)):
        for account in BANKS:
            value = account_balance(books, account, last)
            lines.append(f"{last + datetime.timedelta(days=1)} balance {account}  {value} SEK")
    return "\n".join(lines) + "\n"


def build(folder: Path) -> Path:
    """Write the ledger, close every month of 2025, then the year."""
    main = folder / "main.beancount"
    includes = 'include "2025.beancount"\ninclude "2026.beancount"\ninclude "asserts.beancount"\n'
    main.write_text(header().replace('plugin "coopledger.plugins.loans"',
                                     'plugin "coopledger.plugins.loans"\n'
                                     'plugin "coopledger.plugins.seals"')
                    + declarations() + includes, encoding="utf-8")
    (folder / "2026.beancount").write_text("", encoding="utf-8")
    (folder / "asserts.beancount").write_text("", encoding="utf-8")
    # the early repayment of L-2 is exactly what the engine says is owed on its day
    (folder / "2025.beancount").write_text(
        disburse("L-2", D(2025, 2, 1), "Stad", Decimal("50000.00")), encoding="utf-8")
    parts = split_repayment(load_books(main), "L-2", D(2025, 6, 10), Decimal("1000000.00"))
    (folder / "2025.beancount").write_text(
        closed_year_movements((parts["interest"], parts["principal"])), encoding="utf-8")
    (folder / "2026.beancount").write_text(open_year_movements(), encoding="utf-8")
    books = load_books(main)
    assert books.errors == []
    (folder / "asserts.beancount").write_text(assertions(books), encoding="utf-8")
    for month in range(1, 13):
        report = close_month(main, f"2025-{month:02d}")
        assert report.status == "closed", report.failure
    year = close_year(main, 2025)
    assert year.status == "closed", year.failure
    return main


@pytest.fixture(scope="module")
def closed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The closed books (shared; tests that change them work on a copy)."""
    return build(tmp_path_factory.mktemp("daily-loans"))


@pytest.fixture
def copy(closed: Path, tmp_path: Path) -> Path:
    """A private copy of the closed books' folder."""
    target = tmp_path / "books"
    shutil.copytree(closed.parent, target)
    return target


def test_the_scenario_covers_every_case(closed: Path) -> None:
    # independent of the daily books: the full history has the states this test is about
    report = fund_report(load_books(closed), D(2025, 12, 31))
    status = {line.loan_id: line.state.status for line in report.loans}
    assert status == {"L-1": "delinquent", "L-2": "repaid", "L-3": "written-off",
                      "L-4": "current", "L-5": "committed"}
    days = {line.loan_id: line.state.days_past_due for line in report.loans}
    assert days["L-1"] == (D(2025, 12, 31) - D(2025, 11, 15)).days


def test_daily_check_exits_zero(closed: Path) -> None:
    assert coopledger(["check", str(closed.parent / DAILY_FILE)]) == 0
    assert coopledger(["check", str(closed)]) == 0


def test_daily_books_hold_no_closed_year_loan_movement(closed: Path) -> None:
    daily = load_books(closed.parent / DAILY_FILE)
    linked = [e for e in daily.transactions if e.links and e.date < CUT
              and "opening-balances" not in e.meta]
    assert linked == []
    assert len(daily.declarations.by_type["coop-loan-opening"]) == 5


def test_fund_report_is_the_same_on_daily_and_full_books(closed: Path) -> None:
    full, daily = load_books(closed), load_books(closed.parent / DAILY_FILE)
    for day in DATES:
        a, b = fund_report(full, day), fund_report(daily, day)
        for line_a, line_b in zip(a.loans, b.loans, strict=True):
            assert line_a == line_b, day
        assert a == b, day
    # the arrears carried across the cut: L-1 is late from its November instalment
    late = {ln.loan_id: ln.state for ln in fund_report(daily, D(2026, 1, 16)).loans}
    assert late["L-1"].oldest_unpaid == D(2025, 11, 15)
    assert late["L-3"].recovered == 0
    assert late["L-5"].disbursed == Decimal("20000.00")
    later = {ln.loan_id: ln.state for ln in fund_report(daily, D(2026, 3, 31)).loans}
    assert later["L-3"].recovered == Decimal("2000.00")


def test_loan_histories_equal_the_state_of_each_day_on_daily_books(closed: Path) -> None:
    daily = load_books(closed.parent / DAILY_FILE)
    loans = sorted({d.id for d in daily.declarations.by_type["coop-loan-opening"]})
    assert len(loans) == 5
    days = [D(2025, 12, 31) + datetime.timedelta(days=n) for n in range(100)]
    for loan_id in loans:
        assert loan_states(daily, loan_id, days) == [loan_state(daily, loan_id, d)
                                                     for d in days], loan_id
    with pytest.raises(CoopException, match="ask the full books"):
        loan_states(daily, loans[0], [D(2026, 1, 31), D(2025, 6, 30)])


def test_every_balance_is_the_same_at_the_last_date(closed: Path) -> None:
    """The balance sheet is the same on both; the result accounts hold the open year's
    movements on the daily books and, on the full books, every year's (a closed year's
    nets to zero with its 8999 posting)."""
    full, daily = load_books(closed), load_books(closed.parent / DAILY_FILE)
    last = D(2026, 3, 31)

    def sheet(books: Books) -> dict[str, Decimal]:
        return {a: v for a, v in balances(books, last).items()
                if a.split(":", 1)[0] in ("Assets", "Liabilities", "Equity")}

    assert sheet(full) == sheet(daily)
    assert sheet(full)[bank("Fonden")] != 0
    open_year = Period(D(2026, 1, 1), last + datetime.timedelta(days=1), "2026")
    assert changes(full, open_year) == changes(daily, open_year)
    results = {a: v for a, v in balances(daily, last).items()
               if a.split(":", 1)[0] in ("Income", "Expenses")}
    assert results
    assert {a: v for a, v in changes(daily, open_year).items()
            if a.split(":", 1)[0] in ("Income", "Expenses")} == results
    for code in ("Fonden", "Kafe"):
        closed_year = sum((v for a, v in balances(full, D(2025, 12, 31), entity=code).items()
                           if a.split(":", 1)[0] in ("Income", "Expenses")), Decimal(0))
        assert closed_year == 0, code


def test_a_back_dated_repayment_gives_the_same_state(copy: Path) -> None:
    main = copy / "main.beancount"
    before = fund_report(load_books(main), D(2026, 3, 31))
    with (copy / "2026.beancount").open("a", encoding="utf-8") as handle:
        handle.write("\n" + repay("L-1", D(2026, 1, 10), "Kafe", Decimal("0.00"),
                                  Decimal("3000.00")))
    (copy / "asserts.beancount").write_text(assertions(load_books(main)), encoding="utf-8")
    full, daily = load_books(main), load_books(copy / DAILY_FILE)
    assert full.errors == []
    assert daily.errors == []
    for day in DATES:
        assert fund_report(full, day) == fund_report(daily, day), day
    after = fund_report(full, D(2026, 3, 31))
    assert after.loans[0].state.principal_repaid > before.loans[0].state.principal_repaid


def seal_errors(books: Books) -> list[str]:
    return [e.message for e in books.errors if isinstance(e, SealError)]


def test_a_tampered_snapshot_is_an_error(copy: Path) -> None:
    opening = copy / "closing" / "2026-opening-balances.beancount"
    text = opening.read_text(encoding="utf-8")
    start = text.index('custom "coop-loan-opening" "L-1"')
    field = text.index("interest-paid: ", start)
    end = text.index("\n", field)
    opening.write_text(text[:field] + 'interest-paid: "1.00"' + text[end:], encoding="utf-8")
    assert seal_errors(load_books(copy / DAILY_FILE)) == [
        "sealed year 2025: the loans' opening snapshots (coop-loan-opening) differ from the "
        "sealed snapshots"]


def test_the_full_check_proves_the_snapshots(copy: Path) -> None:
    main = copy / "main.beancount"
    # a rate change back-dated into the sealed year changes the history's snapshot of L-1
    with main.open("a", encoding="utf-8") as handle:
        handle.write('\n2025-06-01 custom "coop-loan-rate" "L-1"\n  rate: "6.00"\n')
    # (the month seal sees a new entry of June too; the year seal sees what it changes)
    assert "sealed year 2025: the loans' history no longer gives the sealed snapshots" in \
        seal_errors(load_books(main))
    # and a sealed digest that is not the history's is refused as well
    seal = copy / "closing" / "2025-seal.beancount"
    text = seal.read_text(encoding="utf-8")
    start = text.index('loans: "') + len('loans: "')
    flipped = "0" if text[start] != "0" else "1"
    seal.write_text(text[:start] + flipped + text[start + 1:], encoding="utf-8")
    main.write_text(main.read_text(encoding="utf-8").split("\n2025-06-01 custom")[0],
                    encoding="utf-8")
    assert "sealed year 2025: the loans' history no longer gives the sealed snapshots" in \
        seal_errors(load_books(main))


def test_closing_a_month_on_the_daily_books_books_what_the_full_books_would(
        closed: Path, tmp_path: Path) -> None:
    written = []
    for name in ("main.beancount", DAILY_FILE):
        folder = tmp_path / name
        shutil.copytree(closed.parent, folder)
        report = close_month(folder / name, "2026-01")
        assert report.status == "closed", report.failure
        text = (folder / "closing" / "2026-01.beancount").read_text(encoding="utf-8")
        assert "till och med 2026-01-31\" ^L-1" in text  # the fund's month-end entries
        written.append(text)
        for main in (folder / "main.beancount", folder / DAILY_FILE):
            assert load_books(main).errors == []
    assert written[0] == written[1]


def test_daily_books_refuse_a_report_before_their_opening(closed: Path) -> None:
    daily = load_books(closed.parent / DAILY_FILE)
    assert fund_report(daily, D(2025, 12, 31)) == fund_report(load_books(closed), D(2025, 12, 31))
    with pytest.raises(CoopException, match="ask the full books"):
        fund_report(daily, D(2025, 12, 30))


EXAMPLE = Path(__file__).resolve().parent.parent / "ledgers" / "example"


def test_the_example_daily_books_match_the_full_books() -> None:
    full, daily = load_books(EXAMPLE / "main.beancount"), load_books(EXAMPLE / DAILY_FILE)
    assert full.errors == []
    assert daily.errors == []
    assert len(daily.transactions) < len(full.transactions)
    for day in (D(2025, 12, 31), D(2026, 1, 31), D(2026, 6, 30), D(2026, 10, 31)):
        assert fund_report(full, day) == fund_report(daily, day), day
    last = D(2026, 10, 31)
    sheet = ("Assets", "Liabilities", "Equity")
    assert {a: v for a, v in balances(full, last).items() if a.split(":", 1)[0] in sheet} == {
        a: v for a, v in balances(daily, last).items() if a.split(":", 1)[0] in sheet}
    # the result accounts start 2026 at zero in the daily books; in the full books 2025
    # stays in them (netted by 8999), so the year's movements are the same
    open_year = Period(D(2026, 1, 1), last + datetime.timedelta(days=1), "2026")
    assert changes(full, open_year) == changes(daily, open_year)
    assert {a: v for a, v in balances(daily, last).items() if a.split(":", 1)[0] not in sheet} \
        == {a: v for a, v in changes(daily, open_year).items()
            if a.split(":", 1)[0] not in sheet}


def test_fund_page_history_on_daily_books_starts_at_the_cut() -> None:
    full, daily = load_books(EXAMPLE / "main.beancount"), load_books(EXAMPLE / DAILY_FILE)
    period = Period(D(2025, 7, 1), D(2026, 7, 1), "2025-07..2026-06")
    on_daily = fund_view(daily, period).history
    on_full = {row.month: row for row in fund_view(full, period).history}
    # the closed year's last month end is the first the daily books know
    assert [row.month for row in on_daily] == ["2025-12"] + [f"2026-{m:02d}" for m in range(1, 7)]
    assert all(row == on_full[row.month] for row in on_daily)
