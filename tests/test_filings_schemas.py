"""Skatteverket's eSKD DTD as vendored, the order of the boxes, and whole kronor.

The DTD is pinned by checksum (docs: coopledger/filings/PROVENANCE.md); the boxes must be
written in the order of its ``Moms`` element; every box reports whole kronor with the öre
dropped and box 49 follows the reported boxes (docs/vat.md, "Whole kronor").
"""

from __future__ import annotations

import datetime
import hashlib
import re
from decimal import Decimal

import pytest
from lxml import etree

from coopledger.filings import taxable_person
from coopledger.filings.agi import whole_kronor
from coopledger.filings.boxes import BOX_BY_NUMBER, BOXES, PAYABLE_BOX
from coopledger.filings.eskd import DTD_PATH, eskd_bytes
from coopledger.filings.vat import BoxValue, VatReturn, compute_return
from coopledger.periods import parse_period
from tests.conftest import load_text
from tests.vat_books import header, purchase, sale

PUBLISHED_SHA256 = "e3077aff22a08f6bc141974e2ea979557abd197fb4a7cdb83f7316c7f0039123"
PARSER = etree.XMLParser(load_dtd=False, no_network=True, resolve_entities=False)


def _dtd() -> etree.DTD:
    return etree.DTD(str(DTD_PATH))


def test_the_dtd_is_skatteverkets_file_byte_for_byte() -> None:
    content = DTD_PATH.read_bytes()
    assert hashlib.sha256(content).hexdigest() == PUBLISHED_SHA256
    text = content.decode("iso-8859-1")
    assert text.startswith("<?xml version='1.0' encoding='iso-8859-1'?>\r\n")
    assert "<!ELEMENT eSKDUpload (OrgNr, (Moms|Ag))>" in text  # the retired Ag too
    assert {e.name for e in _dtd().iterelements()} >= {"eSKDUpload", "Moms", "Ag"}


def test_the_boxes_follow_the_order_of_the_dtds_moms_element() -> None:
    text = DTD_PATH.read_bytes().decode("iso-8859-1")
    model = re.search(r"<!ELEMENT Moms \(([^)]*)\)>", text)
    assert model is not None
    names = [name.strip().rstrip("?") for name in model.group(1).split(",")]
    assert names == ["Period", *[box.element for box in BOXES], "TextUpplysningMoms"]


def _return_with_every_box(amount: Decimal) -> VatReturn:
    books = load_text(header())
    person = taxable_person(books.entities, "Kafe")
    boxes = {box.number: BoxValue(box, amount) for box in BOXES}
    return VatReturn(person, parse_period("2026-Q3"), boxes)


def test_a_return_with_every_box_validates_and_a_foreign_element_does_not() -> None:
    content = eskd_bytes(_return_with_every_box(Decimal("1234.56")))
    root = etree.fromstring(content, PARSER)
    assert _dtd().validate(root), _dtd().error_log.filter_from_errors()
    assert [child.tag for child in root.find("Moms")][1:] == [b.element for b in BOXES]
    assert {child.text for child in root.find("Moms")} == {"202609", "1234"}
    broken = content.replace(b"<MomsBetala>", b"<MomsAttBetala>1</MomsAttBetala><MomsBetala>")
    assert not _dtd().validate(etree.fromstring(broken, PARSER))


@pytest.mark.parametrize(("exact", "reported"), [
    ("3500.99", "3500"), ("0.99", "0"), ("-0.50", "0"), ("-10.99", "-10"), ("12", "12")])
def test_a_box_reports_whole_kronor_with_the_ore_dropped(exact: str, reported: str) -> None:
    value = BoxValue(BOX_BY_NUMBER["10"], Decimal(exact))
    assert f"{value.kronor:f}" == reported


def test_box_49_follows_the_reported_boxes_not_the_exact_ones() -> None:
    books = load_text(header() + sale("2026-08-10", "Kafe", "14000.80", "3500.20")
                      + purchase("2026-09-02", "Kafe", "5003.60", "1250.90"))
    assert books.errors == []
    result = compute_return(books, taxable_person(books.entities, "Kafe"),
                            parse_period("2026-Q3"))
    assert result.boxes["10"].kronor == 3500
    assert result.boxes["48"].kronor == 1250  # 1 250,90: not rounded up to 1 251
    # From the reported boxes, 3 500 - 1 250; the exact difference, 2 249,30, would
    # give 2 249 whether dropped or rounded.
    assert result.payable == 2250
    root = etree.fromstring(eskd_bytes(result), PARSER)
    assert root.findtext("Moms/MomsUtgHog") == "3500"
    assert root.findtext("Moms/MomsIngAvdr") == "1250"
    assert root.findtext(f"Moms/{BOX_BY_NUMBER[PAYABLE_BOX].element}") == "2250"


@pytest.mark.parametrize(("amount", "kronor"), [
    ("31420.99", 31420), ("0.99", 0), ("1000", 1000), ("7855.50", 7855)])
def test_agi_amounts_are_whole_kronor_with_the_ore_dropped(amount: str, kronor: int) -> None:
    assert whole_kronor(Decimal(amount)) == kronor


def test_the_period_of_the_file_is_the_last_month() -> None:
    result = _return_with_every_box(Decimal(1))
    assert result.eskd_period == "202609"
    assert parse_period("2026-Q3").last_day == datetime.date(2026, 9, 30)
