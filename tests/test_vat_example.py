"""The example books file VAT: each separate member's 2026-Q3 return, its eSKD file, the
settlement the close booked, and VAT on the umbrella's fees to separate members only."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from coopledger.books import Books, load_books
from coopledger.cli import main as cli
from coopledger.entities import LegalForm
from coopledger.filings.eskd import DTD_PATH, eskd_bytes
from coopledger.filings.vat import GENERATED_BY, VatReturn, vat_return

ROOT = Path(__file__).resolve().parent.parent
MAIN = ROOT / "ledgers" / "example" / "main.beancount"
SEPARATE = ("Paraply", "Stad", "Kafe", "Tradgard", "Omsorg", "Snickeri")


@pytest.fixture(scope="module")
def books() -> Books:
    loaded = load_books(MAIN)
    assert loaded.errors == []
    return loaded


def test_members_are_declared_as_they_are(books: Books) -> None:
    forms = {code: e.legal_form for code, e in books.entities.items()}
    assert {c for c, f in forms.items() if f is LegalForm.UNIT} == {"Cykel"}
    assert all(books.entities[c].orgnr for c in SEPARATE)


def vat_accounts_moved(books: Books, result: VatReturn) -> dict[str, Decimal]:
    """What each VAT account of the taxable person moved in the period, settlement aside."""
    moved: dict[str, Decimal] = {}
    for entry in books.transactions:
        if entry.date not in result.period or entry.meta.get("generated-by") == GENERATED_BY:
            continue
        for posting in entry.postings:
            bas = books.bas(posting.account) or ""
            code = posting.account.split(":")[1]
            if code in result.person.codes and bas.startswith("26") and bas != "2650":
                assert posting.units is not None
                assert posting.units.number is not None
                moved[posting.account] = moved.get(posting.account, Decimal(0)) \
                    + posting.units.number
    return {a: n for a, n in moved.items() if n}


@pytest.mark.parametrize("code", SEPARATE)
def test_q3_return_validates_and_equals_the_books(books: Books, code: str) -> None:
    result = vat_return(books, code, "2026-Q3")
    root = etree.fromstring(eskd_bytes(result),
                            etree.XMLParser(load_dtd=False, no_network=True))
    dtd = etree.DTD(str(DTD_PATH))
    assert dtd.validate(root), dtd.error_log.filter_from_errors()
    assert root.findtext("Moms/Period") == "202609"
    # The boxes hold exactly what the VAT accounts moved in the quarter.
    boxed: dict[str, Decimal] = {}
    for number, value in result.boxes.items():
        if number in ("10", "11", "12", "48"):
            sign = Decimal(1) if number == "48" else Decimal(-1)
            for account, amount in value.accounts.items():
                boxed[account] = boxed.get(account, Decimal(0)) + sign * amount
    assert boxed == vat_accounts_moved(books, result)
    # The file's figures are the boxes in whole kronor; 49 = output - input.
    written = {child.tag: Decimal(child.text or "0") for child in root.find("Moms")
               if child.tag != "Period"}
    output = sum((result.boxes[b].kronor for b in ("10", "11", "12") if b in result.boxes),
                 Decimal(0))
    deductible = result.boxes["48"].kronor if "48" in result.boxes else Decimal(0)
    assert written["MomsBetala"] == output - deductible
    # The close booked the settlement: 2650 credited with box 49, dated the quarter's end.
    (settlement,) = [e for e in books.transactions
                     if e.meta.get("coop-id") == f"vat:2026-Q3:{result.person.code}"]
    assert str(settlement.date) == "2026-09-30"
    to_2650 = [p.units.number for p in settlement.postings
               if p.units is not None and (books.bas(p.account) == "2650")]
    assert to_2650 == [-result.payable]


def test_fees_carry_vat_to_separate_members_and_not_to_the_unit(books: Books) -> None:
    fees = [e for e in books.transactions
            if e.meta.get("generated-by") == "coopledger.services.fees"
            and str(e.meta["coop-id"]).startswith("fee:2026-09:")]
    by_member = {str(e.meta["coop-id"]).rsplit(":", 1)[1]: e for e in fees}
    assert set(by_member) >= {"Stad", "Kafe", "Tradgard", "Omsorg", "Snickeri", "Cykel"}
    for code, entry in by_member.items():
        output = [p for p in entry.postings if p.account.endswith("2611-Utgående-moms-25")]
        assert bool(output) is (code != "Cykel"), code


def test_vat_command_writes_the_eskd_file(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "moms-kafe.xml"
    assert cli(["vat", str(MAIN), "--entity", "Kafe", "--period", "2026-Q3",
                "--eskd", str(target)]) == 0
    out = capsys.readouterr().out
    assert "Momsdeklaration / VAT return 2026-Q3" in out
    assert target.read_bytes().startswith(b'<?xml version="1.0" encoding="ISO-8859-1"?>')
    assert cli(["vat", str(MAIN), "--entity", "Cykel", "--period", "2026-Q3",
                "--format", "json"]) == 0
    assert '"entity": "Paraply"' in capsys.readouterr().out


def test_csv_traces_every_box_to_its_postings(capsys: pytest.CaptureFixture[str]) -> None:
    import csv
    import io
    import json

    assert cli(["vat", str(MAIN), "--entity", "Omsorg", "--period", "2026-Q3",
                "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert cli(["vat", str(MAIN), "--entity", "Omsorg", "--period", "2026-Q3",
                "--format", "json"]) == 0
    boxes = json.loads(capsys.readouterr().out)["boxes"]
    for number, box in boxes.items():
        traced = sum((Decimal(r["amount"]) for r in rows
                      if r["box"] == number and r["account"] != "total"), Decimal(0))
        if number != "49":
            assert traced == Decimal(box["exact"]), number
            assert all(r["source"].rsplit(":", 1)[1].isdigit() for r in rows
                       if r["box"] == number and r["account"] != "total")
        total = next(r for r in rows if r["box"] == number and r["account"] == "total")
        assert Decimal(total["amount"]) == Decimal(box["kronor"])
    # Omsorg's sales are mostly exempt home care: box 42, and it deducts 10 % only.
    assert Decimal(boxes["42"]["kronor"]) > 0
