"""Customer invoices: booking, numbers, the e-invoice against the rules, the PDF, refusals."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from pathlib import Path

import pytest
from beancount.core import data
from beancount.parser import printer
from pypdf import PdfReader
from stdnum import luhn

from coopledger.books import Books
from coopledger.cli import main
from coopledger.errors import CoopException
from coopledger.invoicing.invoice import (
    InvoiceLine,
    invoice_entry,
    issued_invoices,
    new_invoice,
    parse_line,
    seller_of,
)
from coopledger.invoicing.pdf import CHROMIUM
from coopledger.invoicing.ubl import ubl_document
from tests.conftest import fixture_path, load_text
from tests.invoicing import rules
from tests.invoicing.books import ledger_text, write_ledger

OCT31 = datetime.date(2026, 10, 31)
LINES = (InvoiceLine("Städning oktober", Decimal(40), Decimal("250.00"), Decimal(25), "HUR"),
         InvoiceLine("Hemtjänst", Decimal(3), Decimal("333.33"), Decimal(0), "HUR"),
         InvoiceLine("Material", Decimal("2.5"), Decimal("99.90"), Decimal(12)))


@pytest.fixture
def books() -> Books:
    """The member Stad with its customers and suppliers."""
    loaded = load_text(ledger_text())
    assert not loaded.errors
    return loaded


def _sums(books: Books, entry: data.Transaction) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for posting in entry.postings:
        assert posting.units is not None
        assert posting.units.number is not None
        bas = books.bas(posting.account) or posting.account
        out[bas] = out.get(bas, Decimal(0)) + posting.units.number
    return out


def test_invoice_books_sales_and_vat_per_rate(books: Books) -> None:
    invoice, customer = new_invoice(books, entity="Stad", customer_id="Kommunen",
                                    date=OCT31, lines=LINES)
    entry = invoice_entry(books, invoice, customer)
    sums = _sums(books, entry)
    assert sums == {"1510": Decimal("13779.71"), "3001": Decimal("-10000.00"),
                    "3004": Decimal("-999.99"), "3002": Decimal("-249.75"),
                    "2611": Decimal("-2500.00"), "2621": Decimal("-29.97")}
    assert sum(sums.values()) == 0
    assert invoice.number == "Stad-2026-0001"
    assert invoice.due == datetime.date(2026, 11, 30)
    assert luhn.is_valid(invoice.ocr)
    assert entry.meta["ver"] == "Stad:F-2026-0001"
    assert entry.meta["ocr"] == invoice.ocr
    assert f"invoice-Stad-{invoice.number}" in entry.links


def test_numbers_continue_and_read_back(tmp_path: Path) -> None:
    ledger = write_ledger(tmp_path)
    for day in ("2026-09-30", "2026-10-31"):
        assert main(["invoice", str(ledger), "--entity", "Stad", "--customer", "Privat",
                     "--date", day, "--line", "Fönsterputs;2;500;25", "--no-pdf"]) == 0
    from coopledger.books import load_books
    issued = issued_invoices(load_books(ledger))
    assert [i.number for i in issued] == ["Stad-2026-0001", "Stad-2026-0002"]
    assert len({i.ocr for i in issued}) == 2
    assert [i.voucher for i in issued] == ["Stad:F-2026-0001", "Stad:F-2026-0002"]
    assert issued[1].lines == (InvoiceLine("Fönsterputs", Decimal(2), Decimal(500),
                                           Decimal(25)),)
    assert issued[1].due == datetime.date(2026, 11, 20)  # the customer's 20 days


@pytest.mark.parametrize("credit", [False, True])
def test_einvoice_passes_en16931_and_peppol_rules(books: Books, tmp_path: Path,
                                                  credit: bool) -> None:
    invoice, customer = new_invoice(books, entity="Stad", customer_id="Kommunen",
                                    date=OCT31, lines=LINES)
    if credit:
        books = load_text(ledger_text() + "\n" + _text(books, invoice_entry(books, invoice,
                                                                            customer)))
        invoice, customer = new_invoice(books, entity="Stad", customer_id="Kommunen",
                                        date=OCT31, lines=LINES[:1], credits=invoice.number)
    document = ubl_document(invoice, books.entity("Stad"), seller_of(books, "Stad", OCT31),
                            customer)
    assert rules.failed_asserts(document, rules.en16931()) == []
    assert rules.failed_asserts(document, rules.peppol(tmp_path)) == []
    assert (b"<CreditNote" in document) == credit
    total = re.search(rb'PayableAmount currencyID="SEK">([0-9.]+)<', document)
    assert total is not None
    assert Decimal(total.group(1).decode()) == invoice.total


def _text(books: Books, entry: data.Transaction) -> str:
    return str(printer.format_entry(entry))


def test_the_rules_catch_a_broken_einvoice(books: Books, tmp_path: Path) -> None:
    invoice, customer = new_invoice(books, entity="Stad", customer_id="Kommunen",
                                    date=OCT31, lines=LINES)
    document = ubl_document(invoice, books.entity("Stad"), seller_of(books, "Stad", OCT31),
                            customer)
    wrong_total = document.replace(b'PayableAmount currencyID="SEK">13779.71',
                                   b'PayableAmount currencyID="SEK">13779.70')
    assert any(r.startswith("BR-CO-16") for r in rules.failed_asserts(wrong_total,
                                                                     rules.en16931()))
    no_reference = re.sub(rb"<cbc:BuyerReference>.*?</cbc:BuyerReference>", b"", document)
    assert any(r.startswith("PEPPOL-EN16931-R003")
               for r in rules.failed_asserts(no_reference, rules.peppol(tmp_path)))


@pytest.mark.parametrize("name", ["base-example.xml", "base-creditnote-correction.xml",
                                  "vat-category-E.xml", "Allowance-example.xml"])
def test_peppol_examples_pass_the_compiled_rules(name: str, tmp_path: Path) -> None:
    document = fixture_path("einvoice", "peppol-examples", name).read_bytes()
    assert rules.failed_asserts(document, rules.peppol(tmp_path)) == []
    assert rules.failed_asserts(document, rules.en16931()) == []


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium is needed to print the PDF")
def test_cli_writes_entry_einvoice_and_pdf(tmp_path: Path) -> None:
    ledger = write_ledger(tmp_path)
    status = main(["invoice", str(ledger), "--entity", "Stad", "--customer", "Kommunen",
                   "--date", "2026-10-31", "--line", "Städning oktober;40;250;25;HUR"])
    assert status == 0
    folder = tmp_path / "documents" / "invoices" / "Stad"
    text = PdfReader(folder / "Stad-2026-0001.pdf").pages[0].extract_text()
    from coopledger.books import load_books
    books = load_books(ledger)
    assert not books.errors
    invoice = issued_invoices(books)[0]
    assert "Faktura" in text
    assert "Bankgiro 5050-1055" in text
    assert f"OCR-nummer / Reference: {invoice.ocr}" in text
    assert "12 500,00 kr" in text
    assert "Förfallodag / Due date: 2026-11-30" in text
    xml = (folder / "Stad-2026-0001.xml").read_bytes()
    assert rules.failed_asserts(xml, rules.en16931()) == []
    assert 'include "invoices/2026-10.beancount"' in ledger.read_text(encoding="utf-8")


@pytest.mark.parametrize(("args", "message"), [
    (["--customer", "Utanadress"], "no address"),
    (["--customer", "Kommunen", "--number", "Stad-2026-0001"], "already issued"),
    (["--customer", "Okand"], "not declared"),
    (["--customer", "Kommunen", "--credits", "X-1"], "issued no invoice X-1"),
])
def test_cli_refuses_bad_input_and_writes_nothing(tmp_path: Path, args: list[str],
                                                   message: str,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    ledger = write_ledger(tmp_path)
    assert main(["invoice", str(ledger), "--entity", "Stad", "--customer", "Privat",
                 "--date", "2026-10-01", "--line", "Putsning;1;100;25", "--no-pdf"]) == 0
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    capsys.readouterr()
    status = main(["invoice", str(ledger), "--entity", "Stad", "--date", "2026-10-31",
                   "--line", "Städning;1;100;25", "--no-pdf", *args])
    err = capsys.readouterr().err
    assert status == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before


def test_einvoice_customer_without_peppol_is_a_declaration_error() -> None:
    books = load_text(ledger_text().replace('  peppol: "0007:2120000449"\n', ""))
    assert any("e-invoice customer needs peppol" in e.message for e in books.errors)


@pytest.mark.parametrize(("field", "value"), [("bankgiro", "1234-5675"),
                                              ("plusgiro", "1234568"),
                                              ("iban", "SE4550000000058398257467")])
def test_supplier_account_failing_validation_is_an_error(field: str, value: str) -> None:
    text = ledger_text().replace('  bankgiro: "1234-5674"\n', f'  {field}: "{value}"\n')
    books = load_text(text)
    assert any(f"{field}: " in e.message and "valid" in e.message for e in books.errors)


@pytest.mark.parametrize("text", ["Städning;x;100;25", "Städning;1;100;20", "Städning;1;100",
                                  ";1;1;25", "Städning;-1;100;25", "Städning;1;100;25;hours"])
def test_bad_lines_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"line|quantity|VAT|unit"):
        parse_line(text)


def test_total_must_be_positive(books: Books) -> None:
    free = [InvoiceLine("Gratis", Decimal(1), Decimal(0), Decimal(25))]
    with pytest.raises(CoopException, match="total must be positive"):
        new_invoice(books, entity="Stad", customer_id="Privat", date=OCT31, lines=free)
