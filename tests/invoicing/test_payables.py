"""Supplier invoices on 2440, the pain.001 file against ISO's XSD, settled by camt.054."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
import xmlschema

from coopledger.books import load_books
from coopledger.cli import main
from coopledger.cli.receivables import account_total
from coopledger.invoicing.receivables import PAYABLES_BAS, open_items
from tests.conftest import fixture_path
from tests.invoicing.bankfiles import Payment, camt054
from tests.invoicing.books import write_ledger

IBAN = "SE1550000049666577099004"
NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"}


def _book(ledger: Path, supplier: str, number: str, net: str, vat: str, date: str,
          *extra: str) -> int:
    return main(["supplier-invoice", str(ledger), "--entity", "Stad", "--supplier", supplier,
                 "--date", date, "--number", number, "--net", net, "--vat", vat, *extra])


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    """Three supplier invoices of November: two due in November, one in December."""
    path = write_ledger(tmp_path)
    assert _book(path, "Grossisten", "88231", "800.00", "200.00", "2026-11-01",
                 "--ocr", "1234567897") == 0
    assert _book(path, "Utland", "R-17", "4000.00", "0", "2026-11-02",
                 "--due", "2026-11-25") == 0
    assert _book(path, "Grossisten", "88290", "100.00", "25.00", "2026-11-20") == 0
    return path


def test_supplier_invoice_is_booked_on_2440(ledger: Path) -> None:
    books = load_books(ledger)
    assert not books.errors
    items = open_items(books, PAYABLES_BAS)
    assert [(i.invoice, i.balance, i.due, i.ocr) for i in items] == [
        ("88231", Decimal("-1000.00"), datetime.date(2026, 12, 1), "1234567897"),
        ("R-17", Decimal("-4000.00"), datetime.date(2026, 11, 25), None),
        ("88290", Decimal("-125.00"), datetime.date(2026, 12, 20), None)]
    assert sum(i.balance for i in items) == account_total(books, PAYABLES_BAS, "Stad",
                                                          books.last_date)


def test_pay_writes_pain001_valid_against_iso_xsd(ledger: Path, tmp_path: Path) -> None:
    schema = xmlschema.XMLSchema(fixture_path("iso20022", "pain.001.001.03.xsd"))
    assert main(["pay", str(ledger), "--entity", "Stad", "--date", "2026-12-01"]) == 0
    written = tmp_path / "payments" / "Stad" / "Stad-2026-12-01.pain001.xml"
    schema.validate(str(written))
    root = ET.parse(written).getroot()
    header = root.find("p:CstmrCdtTrfInitn/p:GrpHdr", NS)
    assert header is not None
    assert header.findtext("p:NbOfTxs", namespaces=NS) == "2"
    assert Decimal(header.findtext("p:CtrlSum", namespaces=NS) or "") == Decimal("5000.00")
    amounts = [Decimal(e.text or "") for e in root.iter(f"{{{NS['p']}}}InstdAmt")]
    assert sum(amounts) == Decimal("5000.00")
    assert root.findtext(".//p:CdtrRefInf/p:Ref", namespaces=NS) == "1234567897"
    assert root.findtext(".//p:CdtrAcct/p:Id/p:Othr/p:Id", namespaces=NS) == "12345674"
    assert root.findtext(".//p:CdtrAcct/p:Id/p:IBAN", namespaces=NS) == (
        "DE89370400440532013000")
    # Paid once: a second run for the same and a later date leaves these two out.
    assert main(["pay", str(ledger), "--entity", "Stad", "--date", "2026-12-20"]) == 0
    later = tmp_path / "payments" / "Stad" / "Stad-2026-12-20.pain001.xml"
    schema.validate(str(later))
    assert [e.text for e in ET.parse(later).getroot().iter(f"{{{NS['p']}}}EndToEndId")] == [
        "Grossisten-88290"]


def test_the_xsd_catches_a_broken_file(ledger: Path, tmp_path: Path) -> None:
    schema = xmlschema.XMLSchema(fixture_path("iso20022", "pain.001.001.03.xsd"))
    assert main(["pay", str(ledger), "--entity", "Stad", "--date", "2026-12-01"]) == 0
    written = tmp_path / "payments" / "Stad" / "Stad-2026-12-01.pain001.xml"
    broken = written.read_text(encoding="utf-8").replace("<PmtMtd>TRF", "<PmtMtd>XXX")
    assert not schema.is_valid(broken)


def test_camt054_debit_report_settles_each_paid_invoice(ledger: Path,
                                                        tmp_path: Path) -> None:
    camt = camt054(tmp_path / "debit.xml", IBAN, [
        Payment(datetime.date(2026, 12, 1), Decimal("-1000.00"), "D1", "Grossisten",
                ocr="1234567897"),
        Payment(datetime.date(2026, 11, 25), Decimal("-4000.00"), "D2", "Reinigung GmbH",
                message="Faktura R-17")])
    assert main(["import", str(ledger), str(camt)]) == 0
    books = load_books(ledger)
    assert [i.invoice for i in open_items(books, PAYABLES_BAS)] == ["88290"]
    assert all(e.flag == "*" for e in books.transactions if "bank-ref" in e.meta)
    assert main(["pay", str(ledger), "--entity", "Stad", "--date", "2026-12-01"]) == 0
    assert not (tmp_path / "payments").exists()  # nothing left due by then


@pytest.mark.parametrize(("args", "message"), [
    (["--ocr", "1234567890"], "not a valid OCR"),
    (["--supplier", "Okand"], "not declared"),
    (["--number", "88231"], "already booked"),
    (["--net", "-5"], "non-negative"),
])
def test_bad_supplier_invoice_is_refused(ledger: Path, args: list[str], message: str,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    before = {p: p.read_bytes() for p in ledger.parent.rglob("*.beancount")}
    capsys.readouterr()
    options = {"--supplier": "Grossisten", "--number": "9999", "--net": "10.00",
               **dict(zip(args[::2], args[1::2], strict=True))}
    status = main(["supplier-invoice", str(ledger), "--entity", "Stad", "--date",
                   "2026-11-30", *[x for pair in options.items() for x in pair]])
    err = capsys.readouterr().err.strip().splitlines()
    assert status == 2
    assert len(err) == 1
    assert message in err[0]
    assert {p: p.read_bytes() for p in ledger.parent.rglob("*.beancount")} == before
