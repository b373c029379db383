"""The example books file: each separate member's AGI for October 2026 validates and agrees."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from lxml import etree

from coopledger.books import Books, load_books
from coopledger.cli import main as coopledger
from coopledger.entities import EntityKind, LegalForm
from coopledger.filings.agi import booked_liabilities, employer_declaration, whole_kronor
from coopledger.filings.agi_xml import COMPONENT_NS, schema_paths
from coopledger.filings.calendar import filing_calendar

ROOT = Path(__file__).resolve().parent.parent
MAIN = ROOT / "ledgers" / "example" / "main.beancount"
NS = {"agd": COMPONENT_NS}


@pytest.fixture(scope="module")
def example_books() -> Books:
    books = load_books(MAIN)
    assert books.errors == []
    return books


def separate_members(books: Books) -> list[str]:
    return [e.code for e in books.entities.values()
            if e.kind is EntityKind.MEMBER and e.legal_form is LegalForm.SEPARATE]


def test_every_separate_member_files_an_agi_that_agrees(
        example_books: Books, tmp_path: Path) -> None:
    schema = etree.XMLSchema(etree.parse(str(schema_paths()[0])))
    members = separate_members(example_books)
    assert len(members) >= 4
    for code in members:
        declaration = employer_declaration(example_books, code, 2026, 10)
        assert declaration.differences == (), code
        assert declaration.individuals, code
        tax, contributions = booked_liabilities(example_books, declaration.person,
                                                declaration.month)
        out = tmp_path / f"{code}.xml"
        assert coopledger(["agi", str(MAIN), "--entity", code, "--month", "2026-10",
                           "-o", str(out)]) == 0
        root = etree.parse(str(out))
        schema.assertValid(root)
        assert root.findtext(".//agd:SummaSkatteavdr", namespaces=NS) == str(whole_kronor(tax))
        assert tax == tax.to_integral_value()
        assert root.findtext(".//agd:SummaArbAvgSlf", namespaces=NS) == str(
            whole_kronor(contributions))
        assert len(root.findall(".//agd:IU", namespaces=NS)) == len(declaration.individuals)


def test_calendar_of_the_example_books(example_books: Books) -> None:
    rows = filing_calendar(example_books, datetime.date(2026, 11, 2))
    for row in rows:
        if row.files_with is None and row.agi is not None:
            assert row.agi.period.label == "2026-10"
            assert row.agi.closed


def test_the_umbrella_declares_its_units_staff(example_books: Books) -> None:
    units = [e.code for e in example_books.entities.values()
             if e.legal_form is LegalForm.UNIT]
    assert units
    declaration = employer_declaration(example_books, "Paraply", 2026, 10)
    assert declaration.differences == ()
    paid_by = {iu.entity for iu in declaration.individuals}
    assert "Paraply" in paid_by
    assert paid_by & set(units)
    tax, contributions = booked_liabilities(example_books, declaration.person,
                                            declaration.month)
    assert declaration.total_tax == tax
    assert declaration.total_contributions == whole_kronor(contributions)
