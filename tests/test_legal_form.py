"""The legal form on the entity declaration, and the taxable person each entity files with."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from coopledger.entities import LegalForm, VatPeriod, VatSales
from coopledger.errors import CoopException, DeclarationError
from coopledger.filings import taxable_person, taxable_persons
from tests.conftest import load_text

HEADER = """
option "operating_currency" "SEK"
plugin "coopledger.plugins.entities"
2025-01-01 custom "coop-entity" "Paraply"
  name: "Paraplyet ekonomisk förening"
  kind: "umbrella"
  orgnr: "769600-0012"
  vat-period: "month"
2025-01-01 custom "coop-entity" "Kafe"
  name: "Kafé Linnéa ekonomisk förening"
  kind: "member"
  orgnr: "769634-5672"
2025-01-01 custom "coop-entity" "Omsorg"
  name: "Omsorgskooperativet Varsam"
  kind: "member"
  orgnr: "769656-7895"
  legal-form: "separate"
  vat-period: "year"
  vat-sales: "mixed"
  vat-deduction: 0.40
2025-01-01 custom "coop-entity" "Bageri"
  name: "Bageriet (resultatenhet)"
  kind: "member"
  legal-form: "unit"
2025-01-01 custom "coop-entity" "Syateljen"
  name: "Syateljén"
  kind: "member"
2025-01-01 custom "coop-entity" "Fonden"
  name: "Fonden ekonomisk förening"
  kind: "fund"
  orgnr: "769612-3459"
"""


def test_declared_and_default_legal_forms() -> None:
    books = load_text(HEADER)
    assert books.errors == []
    e = books.entities
    assert e["Paraply"].legal_form is LegalForm.SEPARATE
    assert e["Paraply"].vat_period is VatPeriod.MONTH
    assert e["Kafe"].legal_form is LegalForm.SEPARATE
    assert (e["Kafe"].vat_period, e["Kafe"].vat_sales) == (VatPeriod.QUARTER, VatSales.TAXABLE)
    assert e["Kafe"].vat_deduction == Decimal(1)
    assert e["Omsorg"].vat_sales is VatSales.MIXED
    assert e["Omsorg"].vat_deduction == Decimal("0.40")
    assert e["Omsorg"].vat_period is VatPeriod.YEAR
    assert e["Bageri"].legal_form is LegalForm.UNIT
    # Without legal-form and without orgnr, a member is a unit of the umbrella.
    assert e["Syateljen"].legal_form is LegalForm.UNIT
    # Lending is exempt: the fund deducts nothing by default.
    assert (e["Fonden"].vat_sales, e["Fonden"].vat_deduction) == (VatSales.EXEMPT, Decimal(0))


def test_taxable_person_of_each_entity() -> None:
    entities = load_text(HEADER).entities
    umbrella = taxable_person(entities, "Paraply")
    assert umbrella.codes == {"Paraply", "Bageri", "Syateljen"}
    assert [e.code for e in umbrella.entities] == ["Paraply", "Bageri", "Syateljen"]
    assert umbrella.orgnr == "769600-0012"
    assert umbrella.vat_period is VatPeriod.MONTH
    assert taxable_person(entities, "Bageri") == umbrella
    kafe = taxable_person(entities, "Kafe")
    assert (kafe.code, kafe.codes, kafe.orgnr) == ("Kafe", frozenset({"Kafe"}), "769634-5672")
    assert [p.code for p in taxable_persons(entities)] == ["Paraply", "Kafe", "Omsorg", "Fonden"]
    with pytest.raises(CoopException, match="'Okand' is not declared"):
        taxable_person(entities, "Okand")


@pytest.mark.parametrize(("fields", "expected"), [
    ('  orgnr: "769667-8908"\n  legal-form: "unit"\n', "a unit has no orgnr of its own"),
    ('  legal-form: "separate"\n', "a separate legal person needs its organisation number"),
    ('  legal-form: "branch"\n', "legal-form: Input should be 'unit' or 'separate'"),
    ('  vat-period: "month"\n', "a unit files with the umbrella"),
    ('  orgnr: "769667-8908"\n  vat-period: "week"\n', "Input should be 'month', 'quarter'"),
    ('  orgnr: "769667-8908"\n  vat-sales: "mixed"\n', "mixed sales need the deductible share"),
    ('  orgnr: "769667-8908"\n  vat-deduction: 0.5\n', "only mixed sales take a share"),
    ('  orgnr: "769667-8908"\n  vat-sales: "mixed"\n  vat-deduction: 1.5\n',
     "must be a share from 0 to 1"),
])
def test_bad_legal_form_is_an_error_at_its_line(fields: str, expected: str) -> None:
    declaration = '2025-01-01 custom "coop-entity" "Snickeri"\n  name: "S"\n  kind: "member"\n'
    text = HEADER + declaration + fields
    books = load_text(text)
    matching = [e for e in books.errors
                if isinstance(e, DeclarationError) and expected in e.message]
    assert len(matching) == 1, [e.message for e in books.errors]
    line = text.count("\n", 0, text.index(declaration)) + 1
    assert (matching[0].source or {}).get("lineno") == line


def test_umbrella_cannot_be_a_unit() -> None:
    text = HEADER.replace('  vat-period: "month"\n', '  legal-form: "unit"\n', 1)
    books = load_text(text)
    assert any("the umbrella is a legal person" in e.message for e in books.errors)


def test_vat_periods_are_calendar_quarters_and_fiscal_years() -> None:
    from coopledger.filings.vat import filing_period, vat_period_of

    entities = load_text(HEADER + """
2025-01-01 custom "coop-entity" "Ar"
  name: "Årsredovisaren"
  kind: "member"
  orgnr: "769667-8908"
  vat-period: "year"
  fiscal-year-start: 7
""").entities
    yearly, quarterly = entities["Ar"], entities["Kafe"]
    assert vat_period_of(yearly, datetime.date(2026, 3, 5)).label == "2025/26"
    assert vat_period_of(quarterly, datetime.date(2026, 8, 5)).label == "2026-Q3"
    assert filing_period(yearly, "2025").start == datetime.date(2025, 7, 1)
    assert filing_period(quarterly, "2026-q3").end == datetime.date(2026, 10, 1)
    with pytest.raises(CoopException, match=r"files VAT by year .* ask for 2026/27"):
        filing_period(yearly, "2026-Q3")
    with pytest.raises(CoopException, match="ask for 2026-Q1"):
        filing_period(quarterly, "2026")
