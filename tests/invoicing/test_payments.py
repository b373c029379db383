"""Bank payments find their invoice: by OCR, by invoice number, in full, in part, too much."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from coopledger.books import Books, load_books
from coopledger.cli import main
from coopledger.cli.receivables import account_total
from coopledger.invoicing.invoice import issued_invoices
from coopledger.invoicing.receivables import RECEIVABLES_BAS, open_items
from tests.invoicing.bankfiles import Payment, bgmax, camt054
from tests.invoicing.books import write_ledger

IBAN = "SE1550000049666577099004"
DEC = datetime.date(2026, 12, 5)


def _issue(ledger: Path, customer: str, amount: str, date: str = "2026-10-31") -> None:
    assert main(["invoice", str(ledger), "--entity", "Stad", "--customer", customer,
                 "--date", date, "--line", f"Städning;1;{amount};25", "--no-pdf"]) == 0


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    """Three invoices: 1250, 2500 and 3750 SEK including VAT."""
    path = write_ledger(tmp_path)
    for amount in ("1000", "2000", "3000"):
        _issue(path, "Kommunen", amount)
    return path


def _balances(books: Books) -> dict[str, Decimal]:
    return {item.invoice or "-": item.balance
            for item in open_items(books, RECEIVABLES_BAS, settled=True)}


def test_camt054_payments_settle_their_invoices(ledger: Path, tmp_path: Path) -> None:
    first, second, third = issued_invoices(load_books(ledger))
    camt = camt054(tmp_path / "in.xml", IBAN, [
        Payment(DEC, Decimal("1250.00"), "R1", "Linköpings kommun", ocr=first.ocr),
        Payment(DEC, Decimal("1000.00"), "R2", "Linköpings kommun", ocr=second.ocr),
        Payment(DEC, Decimal("4000.00"), "R3", "Linköpings kommun",
                message=f"Betalning faktura {third.number}"),
        Payment(DEC, Decimal("99.00"), "R4", "Okänd", message="Gåva"),
    ])
    assert main(["import", str(ledger), str(camt)]) == 0
    books = load_books(ledger)
    assert not books.errors
    balances = _balances(books)
    assert balances[first.number] == 0  # in full
    assert balances[second.number] == Decimal("1500.00")  # in part: the rest stays open
    assert balances[third.number] == Decimal("-250.00")  # too much: a credit to review
    flagged = {e.meta.get("bank-ref"): e.flag for e in books.transactions
               if "bank-ref" in e.meta}
    assert flagged == {"R1": "*", "R2": "*", "R3": "!", "R4": "!"}
    assert any(p.account.startswith("Liabilities:Stad:2999") for e in books.transactions
               if e.meta.get("bank-ref") == "R4" for p in e.postings)
    assert sum(balances.values()) == account_total(books, RECEIVABLES_BAS, "Stad",
                                                   books.last_date)
    links = {e.meta.get("bank-ref"): e.links for e in books.transactions
             if "bank-ref" in e.meta}
    assert links["R1"] == {f"invoice-Stad-{first.number}"}


def test_bgmax_payment_settles_by_ocr(ledger: Path, tmp_path: Path) -> None:
    first = issued_invoices(load_books(ledger))[0]
    report = bgmax(tmp_path / "bgmax.txt", "5050-1055", [
        Payment(datetime.date(2026, 11, 20), Decimal("1250.00"), "", "Linköpings kommun",
                ocr=first.ocr)])
    assert main(["import", str(ledger), str(report)]) == 0
    assert _balances(load_books(ledger))[first.number] == 0


def test_two_payments_in_one_file_split_one_invoice(ledger: Path, tmp_path: Path) -> None:
    second = issued_invoices(load_books(ledger))[1]
    camt = camt054(tmp_path / "in.xml", IBAN, [
        Payment(DEC, Decimal("1000.00"), "R1", "Linköpings kommun", ocr=second.ocr),
        Payment(DEC, Decimal("1500.00"), "R2", "Linköpings kommun", ocr=second.ocr)])
    assert main(["import", str(ledger), str(camt)]) == 0
    books = load_books(ledger)
    assert _balances(books)[second.number] == 0
    assert all(e.flag == "*" for e in books.transactions if "bank-ref" in e.meta)
