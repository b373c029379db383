"""The example books' invoicing: e-invoices pass the rules, payments settle the right ones.

Done when (the issue's words): on the example books, every invoice passes the EN 16931
rules, every payment in the example bank files settles the right invoice, receivables
equal 1510 at every month end, and a pain.001 file for November's supplier invoices
validates against ISO's XSD.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from pathlib import Path

import pytest
import xmlschema
from dateutil.relativedelta import relativedelta

from coopledger.books import Books, load_books
from coopledger.cli.invoice import document_folder, ubl_of
from coopledger.cli.receivables import account_total
from coopledger.importers.registry import read_statements
from coopledger.invoicing.invoice import issued_invoices
from coopledger.invoicing.receivables import PAYABLES_BAS, RECEIVABLES_BAS, open_items
from tests.conftest import ROOT, fixture_path
from tests.invoicing import rules

EXAMPLE = ROOT / "ledgers" / "example"


@pytest.fixture(scope="module")
def books() -> Books:
    """The example books."""
    loaded = load_books(EXAMPLE / "main.beancount")
    assert loaded.errors == []
    return loaded


def test_the_example_issues_an_einvoice_every_month(books: Books) -> None:
    invoices = [i for i in issued_invoices(books) if i.entity == "Omsorg"]
    months = {(i.date.year, i.date.month) for i in invoices}
    assert len(invoices) == len(months) == 23  # 2025-01 to 2026-11


def test_every_example_invoice_passes_en16931_and_peppol(books: Books, tmp_path: Path) -> None:
    invoices = issued_invoices(books)
    assert invoices
    broken = {}
    for invoice in invoices:
        document = ubl_of(books, invoice)
        failed = (rules.failed_asserts(document, rules.en16931())
                  + rules.failed_asserts(document, rules.peppol(tmp_path)))
        if failed:
            broken[invoice.number] = failed
        written = document_folder(books, invoice.entity) / f"{invoice.number}.xml"
        assert written.read_bytes() == document, f"{written} differs from the books"
    assert broken == {}


def _expected(books: Books, entity: str, amount: Decimal, ocr: str | None,
              message: str | None) -> str:
    """The invoice a payment should settle, found independently of the matcher."""
    if amount > 0:
        by_ocr = {i.ocr: i.number for i in issued_invoices(books) if i.entity == entity}
        numbers = {i.number for i in issued_invoices(books) if i.entity == entity}
    else:
        supplier = [e for e in books.transactions if e.meta.get("generated-by")
                    == "coopledger.payables"]
        by_ocr = {str(e.meta["ocr"]): str(e.meta["invoice"]) for e in supplier
                  if "ocr" in e.meta}
        numbers = {str(e.meta["invoice"]) for e in supplier}
    if ocr:
        return by_ocr[ocr]
    named = [n for n in numbers if re.search(rf"\b{re.escape(n)}\b", message or "")]
    assert len(named) == 1, message
    return named[0]


def test_every_example_payment_settles_the_right_invoice(books: Books) -> None:
    files = sorted((EXAMPLE / "bank").glob("omsorg-*.camt054.xml"))
    assert len(files) > 20
    booked = {str(e.meta["bank-ref"]): e for e in books.transactions if "bank-ref" in e.meta}
    checked = 0
    for path in files:
        for statement in read_statements(str(path), "camt"):
            for txn in statement.transactions:
                entry = booked[txn.ref]
                assert entry.flag == "*", txn.ref
                for leg in txn.legs:
                    want = _expected(books, "Omsorg", leg.amount, leg.ocr, leg.message)
                    settled = [p.meta["invoice"] for p in entry.postings
                               if p.meta and "invoice" in p.meta]
                    assert settled == [want], (txn.ref, settled, want)
                    checked += 1
    assert checked > 40


def _month_ends(books: Books) -> list[datetime.date]:
    day = datetime.date(2025, 1, 31)
    found = []
    while day <= books.last_date:
        found.append(day)
        day = (day + relativedelta(days=1) + relativedelta(months=1)) - relativedelta(days=1)
    return found


@pytest.mark.parametrize(("bas", "name"), [(RECEIVABLES_BAS, "1510"), (PAYABLES_BAS, "2440")])
def test_ledgers_equal_their_account_at_every_month_end(books: Books, bas: str,
                                                        name: str) -> None:
    for day in _month_ends(books):
        for entity in books.entities:
            items = open_items(books, bas, entity=entity, date=day)
            assert sum((i.balance for i in items), Decimal(0)) == account_total(
                books, bas, entity, day), (name, entity, day)


def test_november_pain001_validates_and_pays_novembers_invoices(books: Books) -> None:
    schema = xmlschema.XMLSchema(fixture_path("iso20022", "pain.001.001.03.xsd"))
    path = EXAMPLE / "payments" / "Omsorg" / "Omsorg-2026-11-25.pain001.xml"
    schema.validate(str(path))
    text = path.read_text(encoding="utf-8")
    november = [e for e in books.transactions if e.meta.get("generated-by")
                == "coopledger.payables" and e.date.strftime("%Y-%m") == "2026-11"]
    owed = sum((-p.units.number for e in november for p in e.postings
                if p.units is not None and p.units.number is not None
                and books.bas(p.account) == PAYABLES_BAS), Decimal(0))
    control = re.search(r"<GrpHdr>.*?<CtrlSum>([0-9.]+)</CtrlSum>", text, re.S)
    assert control is not None
    assert Decimal(control.group(1)) == owed
    assert text.count("<CdtTrfTxInf>") == len(november)
