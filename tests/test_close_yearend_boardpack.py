"""Year-end close (opening balances = sealed closing balances) and the board pack's figures."""

from __future__ import annotations

import csv
import datetime
import html
from decimal import Decimal
from pathlib import Path

from coopledger.books import load_books
from coopledger.close import close_month
from coopledger.close.preflight import preflight
from coopledger.close.yearend import DAILY_FILE, close_year
from coopledger.periods import month_period
from coopledger.plugins.seals import SealError
from coopledger.statements import balance_sheet, income_statement
from tests.test_close_month import ENTITIES, SAMPLE, account_totals, close_both, write_ledger


def test_year_end_moves_the_result_and_opens_the_next_year(tmp_path: Path) -> None:
    main = write_ledger(tmp_path, SAMPLE)
    close_both(main)
    before = account_totals(load_books(main))
    report = close_year(main, 2025)
    assert report.status == "closed", report.failure
    full = load_books(main)
    assert full.errors == []
    after = account_totals(full)
    for code in ENTITIES:
        result = -(before.get(f"Income:{code}:3001-Försäljning", Decimal(0))
                   + before.get(f"Expenses:{code}:4010-Inköp", Decimal(0)))
        # the income and expense accounts keep the year; the result went through 8999
        # against 2099 on 2025-12-31 and on to 2091 on 2026-01-01
        for account in (f"Income:{code}:3001-Försäljning", f"Expenses:{code}:4010-Inköp"):
            assert after.get(account) == before.get(account)
        assert after.get(f"Expenses:{code}:8999-Årets-resultat", Decimal(0)) == result
        assert f"Equity:{code}:2099-Årets-resultat" not in after
        assert after.get(f"Equity:{code}:2091-Balanserad-vinst", Decimal(0)) == \
            Decimal("-100000.00") - result
    daily = load_books(tmp_path / DAILY_FILE)
    assert daily.errors == []
    # the daily books hold only the opening balances (every 2025 entry is in closed files)
    opening = [e for e in daily.transactions if "opening-balances" in e.meta]
    assert len(opening) == len(ENTITIES)
    banks = {p.account: p.units.number if p.units else None
             for e in opening for p in e.postings if p.account.endswith("1930-Företagskonto")}
    assert banks == {a: v for a, v in before.items() if a.endswith("1930-Företagskonto")}
    assert close_year(main, 2025).status == "already sealed"


def test_tampered_opening_balances_are_reported(tmp_path: Path) -> None:
    main = write_ledger(tmp_path, SAMPLE)
    close_both(main)
    close_year(main, 2025)
    opening = tmp_path / "closing" / "2026-opening-balances.beancount"
    text = opening.read_text(encoding="utf-8")
    opening.write_text(text.replace("100000.00 SEK", "100001.00 SEK", 1)
                       .replace("-100000.00 SEK", "-100001.00 SEK", 1), encoding="utf-8")
    errors = [e for e in load_books(tmp_path / DAILY_FILE).errors if isinstance(e, SealError)]
    assert [e.message for e in errors] == [
        "sealed year 2025: the opening balances of the next year differ from the sealed "
        "closing balances: entity Kafe: not as sealed: Equity:Kafe:2091-Balanserad-vinst "
        "-100001 SEK | entity Paraply: not as sealed: "
        "Equity:Paraply:2091-Balanserad-vinst -100001 SEK"]


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def test_board_pack_figures_equal_the_statements(tmp_path: Path) -> None:
    main = write_ledger(tmp_path, SAMPLE)
    close_both(main)
    books = load_books(main)
    folder = tmp_path / "boardpack" / "2025-02"
    period = month_period(2025, 2)
    for code in (None, *ENTITIES):
        name = code or "Group"
        statement = income_statement(books, code, period)
        rows = read_csv(folder / f"income-{name}.csv")
        assert {r["account"]: Decimal(r["amount"]) for r in rows} == {
            line.account: line.amount for s in statement.sections for line in s.lines}
        sheet = balance_sheet(books, code, datetime.date(2025, 2, 28))
        rows = read_csv(folder / f"balance-{name}.csv")
        assert sum(Decimal(r["amount"]) for r in rows if r["section"] != "Eget kapital"
                   and r["bas"].startswith("1")) == sheet.total_assets
    # independently: Stad sold 99.99 in February, nothing else
    rows = read_csv(folder / "income-Stad.csv")
    assert [(r["bas"], Decimal(r["amount"])) for r in rows] == [("3001", Decimal("99.99"))]
    results = {(r["entity"], r["month"]): Decimal(r["result"])
               for r in read_csv(folder / "results.csv")}
    assert results[("Kafe", "2025-01")] == Decimal("1234.50") - Decimal("800.00")
    assert results[("Kafe", "2025-02")] == Decimal(0)
    assert results[("Stad", "2025-01")] == Decimal("-12.00")
    page = (folder / "index.html").read_text(encoding="utf-8")
    assert "<svg" in page
    assert "<script" not in page
    assert "http://" not in page.replace(
        'xmlns="http://www.w3.org/2000/svg"', "")
    checks = read_csv(folder / "checks.csv")
    assert {r["check"] for r in checks} == {"errors", "bank", "clearing", "loans", "seals",
                                            "vouchers", "vat", "review",
                                            "overdue"}
    assert all(r["status"] == "ok" for r in checks)
    # the board reads the checks in Swedish, every one of them
    for check in preflight(books, datetime.date(2025, 2, 1), datetime.date(2025, 3, 1)):
        assert check.title_sv != check.title
        assert f"<td>{html.escape(check.title_sv)}</td>" in page


def test_daily_books_drop_the_closed_year_of_a_file_that_mixes_years(tmp_path: Path) -> None:
    main = write_ledger(tmp_path, SAMPLE)
    with (tmp_path / "txns.beancount").open("a", encoding="utf-8") as handle:
        handle.write('2026-01-15 * "Kund" "Försäljning"\n'
                     "  Assets:Kafe:1930-Företagskonto  10.00 SEK\n"
                     "  Income:Kafe:3001-Försäljning  -10.00 SEK\n")
    close_both(main)
    report = close_year(main, 2025)
    assert report.status == "closed", report.failure
    assert any("txns.beancount holds entries of both years" in n for n in report.notes)
    full, daily = load_books(main), load_books(tmp_path / DAILY_FILE)
    assert full.errors == []
    assert daily.errors == []
    dated = sorted((e.date, e.narration) for e in daily.transactions
                   if "opening-balances" not in e.meta)
    assert [d for d, _ in dated] == [datetime.date(2026, 1, 1)] * len(ENTITIES) + [
        datetime.date(2026, 1, 15)]
    bank = "Assets:Kafe:1930-Företagskonto"
    assert account_totals(daily)[bank] == account_totals(full)[bank]
    # the next month is closed on the daily books; the full books include its file too
    with (tmp_path / "txns.beancount").open("a", encoding="utf-8") as handle:
        handle.write("".join(f"2026-02-01 balance {b} {v} SEK\n" for b, v in sorted(
            account_totals(full).items()) if b.endswith("1930-Företagskonto")))
    month_report = close_month(tmp_path / DAILY_FILE, "2026-01")
    assert month_report.status == "closed", month_report.failure
    assert 'include "closing/2026-01.beancount"' in main.read_text(encoding="utf-8")
    assert load_books(main).errors == []
    assert load_books(tmp_path / DAILY_FILE).errors == []
