"""The employer declaration (AGI): from the booked payroll, against the books and the schema."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from coopledger.books import Books
from coopledger.cli import main as coopledger
from coopledger.errors import CoopException
from coopledger.filings.agi import (
    EmployerDeclaration,
    booked_liabilities,
    employer_declaration,
    whole_kronor,
)
from coopledger.filings.agi_xml import COMPONENT_NS, agi_xml, schema_paths
from coopledger.filings.employees import Contact, Employee
from coopledger.services.payroll import payroll_entries
from tests.agi_books import PERSONS, employees, header, pay, payroll_books, seal
from tests.conftest import load_text

D = Decimal
NS = {"agd": COMPONENT_NS}


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    """The AGI schema kept with the package."""
    return etree.XMLSchema(etree.parse(str(schema_paths()[0])))


def xml_of(books: Books, declaration: EmployerDeclaration) -> etree._Element:
    contact = books.declarations.of(Contact)[0]
    return etree.fromstring(agi_xml(declaration, contact))


def field(root: etree._Element, path: str) -> list[str]:
    return [str(e.text) for e in root.findall(path, NS)]


def test_totals_equal_the_books_and_the_file_validates(schema: etree.XMLSchema) -> None:
    books = payroll_books([pay("K01", "26500.00", "5830.00", 1990),
                           pay("K02", "21500.00", "4730.00", 2004, benefits="1200.00")])
    declaration = employer_declaration(books, "Kafe", 2026, 10)
    assert declaration.differences == ()
    tax, contributions = booked_liabilities(books, declaration.person, declaration.month)
    assert declaration.total_tax == tax == D("10560.00")
    assert declaration.total_contributions == whole_kronor(contributions)
    root = xml_of(books, declaration)
    schema.assertValid(root)
    assert field(root, ".//agd:HU/agd:SummaSkatteavdr") == ["10560"]
    assert field(root, ".//agd:HU/agd:SummaArbAvgSlf") == [str(whole_kronor(contributions))]
    assert field(root, ".//agd:HU/agd:RedovisningsPeriod") == ["202610"]
    assert field(root, ".//agd:HU//agd:AgRegistreradId") == ["167696345672"]
    ius = root.findall(".//agd:IU", NS)
    assert len(ius) == 2
    by_person = {field(iu, ".//agd:BetalningsmottagarId")[0]: iu for iu in ius}
    assert set(by_person) == {"199003149805", "200402209811"}
    k02 = by_person["200402209811"]
    assert field(k02, "agd:KontantErsattningUlagAG") == ["21500"]
    assert field(k02, "agd:SkatteplOvrigaFormanerUlagAG") == ["1200"]
    assert field(k02, "agd:AvdrPrelSkatt") == ["4730"]
    assert field(k02, "agd:BetalningsmottagarId") == []  # it sits in its group
    assert field(k02, "agd:ArbetsplatsensGatuadress") == ["Stångågatan 12"]
    assert field(k02, "agd:ArbetsplatsensOrt") == ["Linköping"]
    # The HU's totals are the IUs' summed, as Skatteverket checks.
    assert sum(int(t) for t in field(root, ".//agd:IU/agd:AvdrPrelSkatt")) == 10560


def test_specification_number_is_the_same_every_month() -> None:
    rows = [pay("K01", "26500.00", "5830.00", 1990, period=month)
            for month in ("2026-09", "2026-10")]
    books = payroll_books(rows, sealed=("2026-09", "2026-10"))
    numbers = {employer_declaration(books, "Kafe", 2026, m).individuals[0]
               .employee.specification_number for m in (9, 10)}
    assert len(numbers) == 1
    declared = payroll_books(rows[1:], specification={"K01": 7})
    assert declared.declarations.of(Employee)[0].specification_number == 7
    root = xml_of(declared, employer_declaration(declared, "Kafe", 2026, 10))
    assert field(root, ".//agd:Specifikationsnummer") == ["7"]


def test_payee_born_1937_or_earlier_is_reported_without_contributions(
        schema: etree.XMLSchema) -> None:
    books = payroll_books([pay("K03", "6000.00", "1800.00", 1936)])
    declaration = employer_declaration(books, "Kafe", 2026, 10)
    assert declaration.differences == ()
    root = xml_of(books, declaration)
    schema.assertValid(root)
    assert field(root, ".//agd:KontantErsattningEjUlagSA") == ["6000"]
    assert field(root, ".//agd:KontantErsattningUlagAG") == []
    assert field(root, ".//agd:SummaArbAvgSlf") == ["0"]


def test_umbrella_declares_for_its_units_and_a_unit_is_refused() -> None:
    books = payroll_books([pay("P01", "29000.00", "6380.00", 1975),
                           pay("S01", "24500.00", "5390.00", 1985),
                           pay("K01", "26500.00", "5830.00", 1990)])
    declaration = employer_declaration(books, "Paraply", 2026, 10)
    assert sorted(iu.employee.id for iu in declaration.individuals) == ["P01", "S01"]
    assert declaration.total_tax == 6380 + 5390
    with pytest.raises(CoopException, match=r"entity Stad is a unit .* declared by Paraply"):
        employer_declaration(books, "Stad", 2026, 10)


def test_open_month_is_refused() -> None:
    books = payroll_books([pay("K01", "26500.00", "5830.00", 1990)], sealed=())
    with pytest.raises(CoopException, match=r"month 2026-10 is not closed"):
        employer_declaration(books, "Kafe", 2026, 10)


def test_employee_without_personnummer_is_refused() -> None:
    books = payroll_books([pay("K01", "26500.00", "5830.00", 1990)], declared=())
    with pytest.raises(CoopException, match=r"employee K01 \(paid at <string>:\d+\) has no "
                                            r"personnummer"):
        employer_declaration(books, "Kafe", 2026, 10)


def test_credit_without_employee_is_named_at_its_entry() -> None:
    extra = ('2026-10-28 * "Rättelse" "Skatt utan anställd"\n'
             "  Liabilities:Kafe:2710-Personalskatt  -100.00 SEK\n"
             "  Assets:Kafe:1930-Företagskonto  100.00 SEK\n")
    books = payroll_books([pay("K01", "26500.00", "5830.00", 1990)], extra=extra)
    declaration = employer_declaration(books, "Kafe", 2026, 10)
    (line,) = declaration.differences
    assert "<string>:" in line
    assert "100.00 booked to 2710 names no employee" in line
    tax, _ = booked_liabilities(books, declaration.person, declaration.month)
    assert tax - declaration.booked_tax == D("100.00")


def test_contribution_the_rates_do_not_give_is_named_with_its_employee() -> None:
    base = header() + "\n" + employees(["K01"])
    (entry,) = payroll_entries(load_text(base), [pay("K01", "26500.00", "5830.00", 1990)])
    # Book the contribution for someone born 1958 (10.21 %) instead.
    text = base + "\n" + (
        f'{entry.date} * "Kafé" "Lön 2026-10"\n  employee: "K01"\n'
        "  Expenses:Kafe:7010-Löner-kollektivanställda  26500.00 SEK\n"
        "  Liabilities:Kafe:2710-Personalskatt  -5830.00 SEK\n"
        "  Assets:Kafe:1930-Företagskonto  -20670.00 SEK\n"
        "  Expenses:Kafe:7510-Arbetsgivaravgifter  2705.65 SEK\n"
        "  Liabilities:Kafe:2731-Avräkning-sociala-avgifter  -2705.65 SEK\n") + seal("2026-10")
    books = load_text(text)
    assert not books.errors, books.errors
    (line,) = employer_declaration(books, "Kafe", 2026, 10).differences
    assert line.startswith("employee K01: 2731 holds 2705.65 but the rates give 8326.30")
    assert "<string>:" in line


def test_bad_personnummer_is_an_error_at_its_declaration() -> None:
    books = load_text(header() + '\n2025-01-01 custom "coop-employee" "X1"\n'
                      '  employer: "Kafe"\n  personnummer: "19900314-9800"\n')
    (error,) = [e for e in books.errors if "personnummer" in e.message]
    assert "not a valid Swedish personnummer" in error.message
    assert error.source["lineno"] > 0


def test_workplace_needs_its_city() -> None:
    books = load_text(header() + '\n2025-01-01 custom "coop-employee" "X1"\n'
                      '  employer: "Kafe"\n  personnummer: "19900314-9805"\n'
                      '  workplace: "Stångågatan 12"\n')
    (error,) = [e for e in books.errors if "coop-employee" in e.message]
    assert "workplace and workplace-city go together" in error.message


@pytest.mark.parametrize(("declared", "row", "message"), [
    ("K01", pay("K01", "1000.00", "0.00", 1991), "birth_year 1991 is not that of employee K01"),
    ("K01", pay("K02", "1000.00", "0.00", 2004), "employee K02 is not declared"),
])
def test_payroll_refers_to_the_employee_declaration(declared: str, row: object,
                                                    message: str) -> None:
    books = load_text(header() + "\n" + employees([declared]))
    with pytest.raises(CoopException, match=message):
        payroll_entries(books, [row])  # type: ignore[list-item]


def test_payroll_for_another_employer_is_refused() -> None:
    books = load_text(header() + "\n" + employees(["K01"]).replace('"Kafe"', '"Stad"'))
    with pytest.raises(CoopException, match="employee K01 is declared for Stad, not Kafe"):
        payroll_entries(books, [pay("K01", "1000.00", "0.00", 1990)])


def test_books_without_employee_declarations_book_payroll_as_before() -> None:
    books = load_text(header())
    assert len(payroll_entries(books, [pay("K01", "1000.00", "0.00", 1990)])) == 1


@settings(max_examples=12)
@given(st.lists(st.tuples(st.sampled_from(["K01", "K02", "K03"]),
                          st.integers(0, 60_000), st.integers(0, 3_000),
                          st.integers(0, 40)), min_size=1, max_size=3,
                unique_by=lambda t: t[0]))
def test_declaration_equals_the_books_for_any_payroll(
        pays: list[tuple[str, int, int, int]]) -> None:
    born = {"K01": 1990, "K02": 2004, "K03": 1936}
    rows = [pay(ident, f"{gross}.00", f"{gross * pct // 100}.00", born[ident],
                benefits=f"{benefits}.00") for ident, gross, benefits, pct in pays]
    books = payroll_books(rows)
    declaration = employer_declaration(books, "Kafe", 2026, 10)
    assert declaration.differences == ()
    tax, contributions = booked_liabilities(books, declaration.person, declaration.month)
    assert declaration.total_tax == tax
    assert declaration.total_contributions == whole_kronor(contributions)
    root = xml_of(books, declaration)
    assert sum(int(t) for t in field(root, ".//agd:IU/agd:AvdrPrelSkatt")) == tax


# --- the command ----------------------------------------------------------------------

def write_books(tmp_path: Path, text: str) -> Path:
    main = tmp_path / "main.beancount"
    main.write_text(text, encoding="utf-8")
    return main


def books_text(sealed: bool = True, declared: tuple[str, ...] = ("K01",)) -> str:
    base = header() + "\n" + employees(declared)
    entries = payroll_entries(load_text(base), [pay("K01", "26500.00", "5830.00", 1990)])
    from coopledger.services.entries import render

    return base + "\n" + render(entries) + (seal("2026-10") if sealed else "")


def test_command_writes_the_file(tmp_path: Path, schema: etree.XMLSchema,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    main = write_books(tmp_path, books_text())
    out = tmp_path / "agi.xml"
    args = ["agi", str(main), "--entity", "Kafe", "--month", "2026-10", "-o", str(out)]
    assert coopledger(args) == 0
    schema.assertValid(etree.parse(str(out)))
    first = out.read_bytes()
    assert coopledger(args) == 0
    assert out.read_bytes() == first  # the same books give the same bytes
    assert "497 skatteavdrag 5830 kr" in capsys.readouterr().err
    assert coopledger(args[:-2]) == 0  # without -o: the file on standard output
    assert capsys.readouterr().out.encode("utf-8") == first


@pytest.mark.parametrize(("text", "entity", "month", "message"), [
    (books_text(), "Stad", "2026-10", "entity Stad is a unit without an orgnr"),
    (books_text(sealed=False), "Kafe", "2026-10", "month 2026-10 is not closed"),
    (books_text(declared=()), "Kafe", "2026-10", "employee K01 (paid at"),
    (books_text().replace('custom "coop-contact"', 'custom "coop-note-x"'), "Kafe",
     "2026-10", None),
    (books_text(), "Kafe", "2026-13", "--month '2026-13' is not a month"),
    (books_text(), "Nope", "2026-10", "entity 'Nope' is not declared"),
])
def test_command_refuses_in_one_line_and_writes_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, entity: str,
        month: str, message: str | None) -> None:
    main = write_books(tmp_path, text)
    out = tmp_path / "agi.xml"
    status = coopledger(["agi", str(main), "--entity", entity, "--month", month,
                         "-o", str(out)])
    err = capsys.readouterr().err
    assert not out.exists()
    if message is None:  # an unknown declaration: the books have an error
        assert status == 1
        return
    assert status == 2
    assert err.count("\n") == 1
    assert message in err


def test_command_without_contact_is_refused(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    text = books_text()
    start = text.index('2025-01-01 custom "coop-contact"')
    end = text.index("\n\n", start) if "\n\n" in text[start:] else len(text)
    main = write_books(tmp_path, text[:start] + text[end:])
    out = tmp_path / "agi.xml"
    assert coopledger(["agi", str(main), "--entity", "Kafe", "--month", "2026-10",
                       "-o", str(out)]) == 2
    assert "no coop-contact for Kafe" in capsys.readouterr().err
    assert not out.exists()


def test_command_names_each_difference_and_writes_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    extra = ('2026-10-28 * "Rättelse" "Skatt utan anställd"\n'
             "  Liabilities:Kafe:2710-Personalskatt  -100.00 SEK\n"
             "  Assets:Kafe:1930-Företagskonto  100.00 SEK\n")
    main = write_books(tmp_path, books_text() + "\n" + extra)
    out = tmp_path / "agi.xml"
    assert coopledger(["agi", str(main), "--entity", "Kafe", "--month", "2026-10",
                       "-o", str(out)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert "booked to 2710 names no employee" in err[0]
    assert "disagrees with the books in 1 place(s)" in err[-1]
    assert not out.exists()


def test_persons_are_valid() -> None:
    from stdnum.se import personnummer

    assert all(personnummer.is_valid(number) for _, number in PERSONS.values())


def test_umbrella_without_orgnr_is_refused() -> None:
    books = payroll_books([pay("P01", "29000.00", "6380.00", 1975)])
    text = header().replace('  kind: "umbrella"\n  orgnr: "769600-0012"\n',
                            '  kind: "umbrella"\n')
    assert text != header()
    bare = load_text(text + "\n" + employees(["P01"]) + "\n" + seal("2026-10"))
    assert not bare.errors, bare.errors
    with pytest.raises(CoopException, match="entity Paraply declares no orgnr"):
        employer_declaration(bare, "Paraply", 2026, 10)
    assert employer_declaration(books, "Paraply", 2026, 10).individuals


@pytest.mark.parametrize(("old", "new"), [
    ('faltkod="497"', 'faltkod="498"'),                      # a field under a wrong code
    (">199003149805<", ">9003149805<"),                       # a ten-digit personnummer
    ("<agd:RedovisningsPeriod faltkod=\"006\">202610<", "<agd:RedovisningsPeriod "
     "faltkod=\"006\">2026-10<"),                             # a period not YYYYMM
    ("<agd:AvdrPrelSkatt faltkod=\"001\">5830<", "<agd:AvdrPrelSkatt faltkod=\"001\">"
     "5830.00<"),                                             # öre
])
def test_schema_rejects_what_skatteverket_would(schema: etree.XMLSchema, old: str,
                                                new: str) -> None:
    books = payroll_books([pay("K01", "26500.00", "5830.00", 1990)])
    contact = books.declarations.of(Contact)[0]
    text = agi_xml(employer_declaration(books, "Kafe", 2026, 10), contact).decode()
    assert schema.validate(etree.fromstring(text.encode()))
    assert old in text
    assert not schema.validate(etree.fromstring(text.replace(old, new, 1).encode()))
