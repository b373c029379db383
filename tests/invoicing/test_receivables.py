"""The receivables ledger equals 1510; ages; reminders with interest and fees."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader

from coopledger.books import load_books
from coopledger.cli import main
from coopledger.cli.receivables import account_total
from coopledger.invoicing.invoice import issued_invoices
from coopledger.invoicing.pdf import CHROMIUM
from coopledger.invoicing.receivables import RECEIVABLES_BAS, aged, open_items
from coopledger.invoicing.reminders import late_interest, reference_rate
from tests.conftest import load_text
from tests.invoicing.bankfiles import Payment, camt054
from tests.invoicing.books import ledger_text, write_ledger

START = datetime.date(2026, 1, 1)
ACCOUNT = "Assets:Stad:1510-Kundfordringar"

movement = st.tuples(st.integers(0, 364), st.integers(-50_000, 200_000),
                     st.sampled_from([None, "F1", "F2", "F3"]), st.booleans())


@given(st.lists(movement, max_size=25), st.integers(0, 400))
def test_open_items_equal_1510_on_every_date(moves: list[tuple[int, int, str | None, bool]],
                                             day: int) -> None:
    text = [ledger_text()]
    for offset, ore, invoice, on_posting in moves:
        date = START + datetime.timedelta(days=offset)
        amount = Decimal(ore).scaleb(-2)
        txn_meta = f'  invoice: "{invoice}"\n' if invoice and not on_posting else ""
        posting_meta = f'    invoice: "{invoice}"\n' if invoice and on_posting else ""
        text.append(f'{date} * "Kund" "Rörelse"\n{txn_meta}  {ACCOUNT}  {amount} SEK\n'
                    f"{posting_meta}  Assets:Stad:1930-Företagskonto  {-amount} SEK\n")
    books = load_text("\n".join(text))
    assert not books.errors
    date = START + datetime.timedelta(days=day)
    items = open_items(books, RECEIVABLES_BAS, date=date)
    assert sum((i.balance for i in items), Decimal(0)) == account_total(
        books, RECEIVABLES_BAS, None, date)
    table = aged(items, date)
    assert sum((sum(row.values(), Decimal(0)) for row in table.values()), Decimal(0)) == sum(
        (i.balance for i in items), Decimal(0))


def test_age_buckets() -> None:
    text = ledger_text() + "".join(
        f'{day} * "Kund" "Faktura"\n  invoice: "F{n}"\n  due: {day}\n'
        f"  {ACCOUNT}  100.00 SEK\n  Income:Stad:3004-Försäljning-momsfri  -100.00 SEK\n"
        for n, day in enumerate(["2026-12-31", "2026-12-01", "2026-11-01", "2026-10-02",
                                 "2026-10-01", "2026-06-01"]))
    items = open_items(load_text(text), RECEIVABLES_BAS)
    date = datetime.date(2026, 12, 31)
    assert [i.bucket(date) for i in items] == ["over 90", "over 90", "61-90", "31-60",
                                               "1-30", "not due"]


def test_late_interest_follows_the_reference_rate() -> None:
    assert reference_rate(datetime.date(2025, 6, 30)) == Decimal("2.50")
    assert reference_rate(datetime.date(2025, 7, 1)) == Decimal("2.00")
    thirty_days = late_interest(Decimal(10000), datetime.date(2026, 11, 30),
                                datetime.date(2026, 12, 30))
    assert thirty_days == Decimal("82.19")  # 10000 x 10 % x 30 / 365
    across = late_interest(Decimal(10000), datetime.date(2025, 6, 20),
                           datetime.date(2025, 7, 10))
    assert across == Decimal("56.16")  # 10 days at 10.5 %, 10 days at 10 %
    assert late_interest(Decimal(10000), datetime.date(2026, 11, 30),
                         datetime.date(2026, 11, 30)) == 0


def test_cli_receivables_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ledger = write_ledger(tmp_path)
    assert main(["invoice", str(ledger), "--entity", "Stad", "--customer", "Kommunen",
                 "--date", "2026-08-15", "--line", "Städning;1;1000;25", "--no-pdf"]) == 0
    capsys.readouterr()
    assert main(["receivables", str(ledger), "--date", "2026-12-31"]) == 0
    out = capsys.readouterr().out
    assert "Stad-2026-0001" in out
    assert "Linköpings kommun" not in out
    row = next(line for line in out.splitlines() if line.strip().startswith("Kommunen"))
    assert row.split()[-2:] == ["1,250.00", "1,250.00"]  # over 90 days, and the total


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium is needed to print the PDF")
def test_remind_books_interest_and_agreed_fee_once(tmp_path: Path) -> None:
    ledger = write_ledger(tmp_path)
    text = ledger.read_text(encoding="utf-8").replace(
        '  email: "faktura@glansen.example"\n',
        '  email: "faktura@glansen.example"\n  reminder-fee: TRUE\n')
    ledger.write_text(text, encoding="utf-8")
    assert main(["invoice", str(ledger), "--entity", "Stad", "--customer", "Kommunen",
                 "--date", "2026-10-31", "--line", "Städning;1;8000;25", "--no-pdf"]) == 0
    args = ["remind", str(ledger), "--entity", "Stad", "--date", "2026-12-30"]
    assert main(args) == 0
    books = load_books(ledger)
    reminder = next(e for e in books.transactions if "reminder" in e.meta)
    numbers = {books.bas(p.account): p.units.number for p in reminder.postings if p.units}
    assert numbers == {"1510": Decimal("142.19"), "8313": Decimal("-82.19"),
                       "3990": Decimal("-60.00")}
    pdf = tmp_path / "documents" / "invoices" / "Stad" / "Stad-2026-0001-P20261230.pdf"
    page = PdfReader(pdf).pages[0].extract_text()
    assert "Betalningspåminnelse" in page
    assert "10.00 % per år" in page
    assert "10 142,19 kr" in page
    snapshot = {p: p.read_bytes() for p in tmp_path.rglob("*.beancount")}
    assert main(args) == 0
    assert {p: p.read_bytes() for p in tmp_path.rglob("*.beancount")} == snapshot
    invoice = issued_invoices(books)[0]
    camt = camt054(tmp_path / "in.xml", "SE1550000049666577099004", [
        Payment(datetime.date(2027, 1, 5), Decimal("10142.19"), "R1", "Linköpings kommun",
                ocr=invoice.ocr)])
    assert main(["import", str(ledger), str(camt)]) == 0
    assert open_items(load_books(ledger), RECEIVABLES_BAS) == []
