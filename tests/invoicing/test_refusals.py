"""Bad input to the invoicing commands: one line, exit status 2, nothing written.

The four cases of the customer and supplier ledgers, each run through the command line:
an invoice to a customer without the address or Peppol id it needs, a duplicate invoice
number, a payment whose OCR has a wrong check digit, and a supplier account that fails
validation. Each test compares every byte of the ledger's folder before and after.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from coopledger.books import load_books
from coopledger.cli import main
from coopledger.invoicing.invoice import issued_invoices
from tests.invoicing.bankfiles import Payment, camt054
from tests.invoicing.books import write_ledger

IBAN = "SE1550000049666577099004"


def _snapshot(folder: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _refused(capsys: pytest.CaptureFixture[str], folder: Path, argv: list[str]) -> str:
    """Run the command; assert exit 2, one line on stderr, no file changed; the line."""
    before = _snapshot(folder)
    capsys.readouterr()
    status = main(argv)
    err = capsys.readouterr().err.strip().splitlines()
    assert status == 2, err
    assert len(err) == 1, err
    assert _snapshot(folder) == before
    assert err[0].endswith("nothing was written"), err[0]
    return err[0]


def _invoice(ledger: Path, customer: str, *extra: str) -> list[str]:
    return ["invoice", str(ledger), "--entity", "Stad", "--customer", customer,
            "--date", "2026-10-31", "--line", "Städning;1;1000;25", "--no-pdf", *extra]


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    """The member Stad with one invoice issued to the municipality."""
    path = write_ledger(tmp_path)
    assert main(_invoice(path, "Kommunen")) == 0
    return path


def test_customer_without_an_address_is_refused(
        ledger: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = _refused(capsys, tmp_path, _invoice(ledger, "Utanadress"))
    assert "Utanadress" in line
    assert "no address" in line


def test_einvoice_customer_without_peppol_id_is_refused(
        ledger: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = ledger.read_text(encoding="utf-8")
    ledger.write_text(text.replace('  peppol: "0007:2120000449"\n', ""), encoding="utf-8")
    line = _refused(capsys, tmp_path, _invoice(ledger, "Kommunen"))
    assert "coop-customer Kommunen" in line
    assert "needs peppol" in line
    # The same declaration is an error in the books: check says so with status 1.
    assert main(["check", str(ledger)]) == 1


def test_duplicate_invoice_number_is_refused(
        ledger: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = _refused(capsys, tmp_path,
                    _invoice(ledger, "Kommunen", "--number", "Stad-2026-0001"))
    assert "Stad-2026-0001" in line
    assert "already issued" in line


def test_payment_with_a_wrong_ocr_check_digit_is_refused(
        ledger: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    invoice = issued_invoices(load_books(ledger))[0]
    wrong = invoice.ocr[:-1] + str((int(invoice.ocr[-1]) + 1) % 10)
    bank = tmp_path / "bank"
    bank.mkdir()
    camt = camt054(bank / "in.xml", IBAN, [
        Payment(datetime.date(2026, 12, 5), Decimal("1250.00"), "R1", "Linköpings kommun",
                ocr=wrong)])
    line = _refused(capsys, tmp_path, ["import", str(ledger), str(camt)])
    assert str(camt) in line
    assert "bank ref R1" in line
    assert "1250.00 SEK on 2026-12-05 from Linköpings kommun" in line
    assert f"OCR {wrong} has a wrong check digit" in line
    assert f"invoice {invoice.number} has OCR {invoice.ocr}" in line


@pytest.mark.parametrize(("field", "value"), [("bankgiro", "1234-5675"),
                                              ("plusgiro", "1234568"),
                                              ("iban", "SE4550000000058398257467")])
def test_supplier_account_failing_validation_is_refused(
        ledger: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], field: str,
        value: str) -> None:
    assert main(["supplier-invoice", str(ledger), "--entity", "Stad", "--supplier",
                 "Grossisten", "--date", "2026-11-01", "--number", "88231", "--net", "800",
                 "--vat", "200"]) == 0
    text = ledger.read_text(encoding="utf-8")
    ledger.write_text(text.replace('  bankgiro: "1234-5674"\n', f'  {field}: "{value}"\n'),
                      encoding="utf-8")
    line = _refused(capsys, tmp_path,
                    ["pay", str(ledger), "--entity", "Stad", "--date", "2026-12-31"])
    assert "coop-supplier Grossisten" in line
    assert f"{field}: '{value}'" in line
    assert "valid" in line
    assert main(["check", str(ledger)]) == 1


def test_supplier_invoice_to_a_supplier_whose_account_fails_is_refused(
        ledger: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = ledger.read_text(encoding="utf-8")
    ledger.write_text(text.replace('bankgiro: "1234-5674"', 'bankgiro: "1234-5675"'),
                      encoding="utf-8")
    line = _refused(capsys, tmp_path, [
        "supplier-invoice", str(ledger), "--entity", "Stad", "--supplier", "Grossisten",
        "--date", "2026-11-01", "--number", "88231", "--net", "800", "--vat", "200"])
    assert "coop-supplier Grossisten: bankgiro: '1234-5675'" in line


def test_a_broken_declaration_of_another_entity_is_the_books_not_the_input(
        ledger: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with ledger.open("a", encoding="utf-8") as out:
        out.write('\n2025-01-01 custom "coop-supplier" "Annan"\n  entity: "Paraply"\n'
                  '  name: "Annan AB"\n  bankgiro: "1234-5675"\n')
    before = _snapshot(tmp_path)
    capsys.readouterr()
    assert main(["pay", str(ledger), "--entity", "Stad", "--date", "2026-12-31"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "the books do not check" in err[0]
    assert _snapshot(tmp_path) == before
