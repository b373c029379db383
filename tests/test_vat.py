"""VAT between entities, the VAT return and its eSKD file, the settlement in the close."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from beancount.core import data
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from coopledger.books import Books
from coopledger.cli import main as cli
from coopledger.close.computed import collect_computed
from coopledger.close.preflight import check_vat_boxes
from coopledger.filings import taxable_person
from coopledger.filings.eskd import DTD_PATH, eskd_bytes
from coopledger.filings.vat import (
    GENERATED_BY,
    compute_return,
    settlement_entries,
    settlement_entry,
)
from coopledger.periods import Period, month_period, parse_period
from coopledger.services.allocation import allocation_entries
from coopledger.services.entries import render
from coopledger.services.fees import fee_entries
from coopledger.services.premises import premises_entries
from coopledger.services.purchases import joint_purchase_entry
from tests.conftest import load_text
from tests.vat_books import FEE_RULE, header, purchase, sale

Q3 = parse_period("2026-Q3")
SEPTEMBER = month_period(2026, 9)


def postings(entry: data.Transaction) -> list[tuple[str, Decimal]]:
    out = []
    for p in entry.postings:
        assert p.units is not None
        assert p.units.number is not None
        out.append((p.account, p.units.number))
    return out


def by_code(entries: list[data.Transaction]) -> dict[str, data.Transaction]:
    return {str(e.meta["coop-id"]).rsplit(":", 1)[1]: e for e in entries}


def test_fee_carries_vat_to_separate_members_and_none_to_a_unit() -> None:
    books = load_text(header() + FEE_RULE)
    fees = by_code(fee_entries(books, SEPTEMBER))
    assert postings(fees["Bageri"]) == [
        ("Expenses:Bageri:6550-Tjänsteavgift-paraplyet", Decimal("1000.00")),
        ("Income:Paraply:3920-Tjänsteavgifter-medlemmar", Decimal("-1000.00"))]
    assert postings(fees["Kafe"]) == [
        ("Expenses:Kafe:6550-Tjänsteavgift-paraplyet", Decimal("1000.00")),
        ("Liabilities:Kafe:2641-Ingående-moms", Decimal("250.00")),
        ("Income:Paraply:3920-Tjänsteavgifter-medlemmar", Decimal("-1000.00")),
        ("Liabilities:Paraply:2611-Utgående-moms-25", Decimal("-250.00"))]
    # Omsorg deducts 40 %; the rest of the VAT is a cost on the fee's own account.
    assert postings(fees["Omsorg"]) == [
        ("Expenses:Omsorg:6550-Tjänsteavgift-paraplyet", Decimal("1000.00")),
        ("Liabilities:Omsorg:2641-Ingående-moms", Decimal("100.00")),
        ("Expenses:Omsorg:6550-Tjänsteavgift-paraplyet", Decimal("150.00")),
        ("Income:Paraply:3920-Tjänsteavgifter-medlemmar", Decimal("-1000.00")),
        ("Liabilities:Paraply:2611-Utgående-moms-25", Decimal("-250.00"))]
    assert fees["Omsorg"].postings[2].meta == {"vat-nondeductible": Decimal(25)}
    assert "vat" not in fees["Bageri"].meta
    assert fees["Kafe"].meta["vat"] == Decimal("250.00")


def test_allocation_charges_vat_per_separate_member_to_the_ore() -> None:
    books = load_text(header() + """
2026-09-03 * "Folksam" "Försäkring"
  Expenses:Paraply:6310-Försäkringar  1000.01 SEK
  Assets:Paraply:1930-Företagskonto
2026-01-01 custom "coop-allocation" "insurance"
  accounts: "6310"
  key: "fixed"
  weights: "Kafe:1 Omsorg:1 Bageri:1"
""")
    assert books.errors == []
    (entry,) = allocation_entries(books, SEPTEMBER)
    lines = postings(entry)
    # 1000.01 in three parts: 333.34 (Bageri, largest remainder by code), 333.34... each
    # separate part carries 25 % VAT rounded to the öre; the unit's none.
    member_cost = {a: n for a, n in lines if a.startswith("Expenses:")}
    vat_out = dict(lines)["Liabilities:Paraply:2611-Utgående-moms-25"]
    kafe = next(n for a, n in lines if a == "Expenses:Kafe:6590-Fördelade-gemensamma-kostnader")
    omsorg = next(n for a, n in lines
                  if a == "Expenses:Omsorg:6590-Fördelade-gemensamma-kostnader")
    expected = (kafe * Decimal("0.25")).quantize(Decimal("0.01")) + \
        (omsorg * Decimal("0.25")).quantize(Decimal("0.01"))
    assert vat_out == -expected
    assert "Liabilities:Bageri:2641-Ingående-moms" not in dict(lines)
    assert sum(n for _, n in lines) == 0
    assert member_cost


def test_rent_carries_vat_only_under_voluntary_tax_liability() -> None:
    premises = """
2026-01-01 custom "coop-premises" "Verkstan"
  tenure: "lease"
  rent-per-m2: 1200.00
  tenants: "Kafe:100 Bageri:50"
"""
    books = load_text(header() + premises)
    (plain,) = premises_entries(books, SEPTEMBER)
    assert not any("2611" in a or "2641" in a for a, _ in postings(plain))
    books = load_text(header() + premises + "  voluntary-vat: TRUE\n")
    assert books.errors == []
    (taxed,) = premises_entries(books, SEPTEMBER)
    assert postings(taxed) == [
        ("Expenses:Bageri:5010-Lokalhyra", Decimal("5000.00")),
        ("Expenses:Kafe:5010-Lokalhyra", Decimal("10000.00")),
        ("Liabilities:Kafe:2641-Ingående-moms", Decimal("2500.00")),
        ("Income:Paraply:3910-Hyresintäkter-medlemmar", Decimal("-5000.00")),
        ("Income:Paraply:3913-Frivilligt-momspliktiga-hyresintäkter", Decimal("-10000.00")),
        ("Liabilities:Paraply:2611-Utgående-moms-25", Decimal("-2500.00"))]


def test_joint_purchase_is_passed_on_with_vat_to_a_separate_member() -> None:
    books = load_text(header())
    entry = joint_purchase_entry(
        books, date=datetime.date(2026, 9, 7), supplier="Grossisten AB", invoice="F-1",
        net=Decimal("1000.00"), vat=Decimal("250.00"),
        weights={"Kafe": Decimal(1), "Bageri": Decimal(1)})
    lines = postings(entry)
    assert ("Expenses:Bageri:4010-Inköp-varor-och-material", Decimal("500.00")) in lines
    assert ("Liabilities:Bageri:2641-Ingående-moms", Decimal("125.00")) in lines
    # Kafe's part: the umbrella buys, deducts, and sells on with 25 % VAT.
    assert ("Expenses:Paraply:4010-Inköp-varor-och-material", Decimal("500.00")) in lines
    assert ("Liabilities:Paraply:2641-Ingående-moms", Decimal("125.00")) in lines
    assert ("Income:Paraply:3001-Försäljning-25", Decimal("-500.00")) in lines
    assert ("Liabilities:Paraply:2611-Utgående-moms-25", Decimal("-125.00")) in lines
    assert ("Liabilities:Kafe:2641-Ingående-moms", Decimal("125.00")) in lines
    assert ("Liabilities:Paraply:2440-Leverantörsskulder", Decimal("-1250.00")) in lines
    loaded = load_text(header() + render([entry]))
    assert loaded.errors == []


def quarter_books(extra: str = "") -> Books:
    """Q3 2026: sales and purchases, and the service fees of each month booked."""
    text = header() + FEE_RULE + "".join([
        sale("2026-07-10", "Kafe", "10000.00", "2500.00"),
        sale("2026-08-10", "Kafe", "4000.33", "1000.08"),
        purchase("2026-08-12", "Kafe", "2000.00", "500.00"),
        sale("2026-07-11", "Paraply", "3000.00", "750.00"),
        sale("2026-08-11", "Bageri", "800.00", "200.00"),
        purchase("2026-09-02", "Bageri", "400.00", "100.00"),
        sale("2026-06-30", "Kafe", "999.00", "249.75"),  # Q2: not in the return
    ]) + extra
    books = load_text(text)
    fees = [e for month in (7, 8, 9) for e in fee_entries(books, month_period(2026, month))]
    return load_text(text + render(fees))


def test_return_of_a_separate_member_is_traced_to_its_accounts() -> None:
    books = quarter_books()
    assert books.errors == []
    result = compute_return(books, taxable_person(books.entities, "Kafe"), Q3)
    boxes = {n: v.exact for n, v in result.boxes.items()}
    assert boxes == {"05": Decimal("14000.33"), "10": Decimal("3500.08"),
                     "48": Decimal("1250.00"), "49": Decimal("2250")}
    assert result.boxes["48"].accounts == {"Liabilities:Kafe:2641-Ingående-moms":
                                           Decimal("1250.00")}
    assert len(result.boxes["48"].traces) == 4  # one purchase, three fees
    assert result.eskd_period == "202609"


def test_umbrella_return_holds_its_units_and_not_their_internal_fees() -> None:
    books = quarter_books()
    result = compute_return(books, taxable_person(books.entities, "Bageri"), Q3)
    assert result.person.code == "Paraply"
    # Sales: its own 3000, the unit's 800, and fees to the two separate members (6 x 1000);
    # the unit's three fees are internal to the taxable person and count nowhere.
    assert result.boxes["05"].exact == Decimal("3000.00") + Decimal("800.00") + 6000
    assert result.boxes["10"].exact == Decimal("750.00") + Decimal("200.00") + 1500
    assert result.boxes["48"].exact == Decimal("100.00")
    assert result.payable == 2450 - 100


def vat_movement(books: Books, codes: frozenset[str], period: Period) -> Decimal:
    """Every VAT account's movement in the period, straight from the postings."""
    total = Decimal(0)
    for entry in books.transactions:
        if entry.date in period and entry.meta.get("generated-by") != GENERATED_BY:
            for account, number in postings(entry):
                bas = books.bas(account)
                if account.split(":")[1] in codes and bas is not None and bas.startswith("26") \
                        and bas != "2650":
                    total += number
    return total


def test_settlement_moves_the_period_to_2650_with_ore_to_3740() -> None:
    books = quarter_books()
    person = taxable_person(books.entities, "Kafe")
    entry = settlement_entry(books, person, Q3, books.transactions)
    assert entry is not None
    lines = dict(postings(entry))
    assert lines == {"Liabilities:Kafe:2611-Utgående-moms-25": Decimal("3500.08"),
                     "Liabilities:Kafe:2641-Ingående-moms": Decimal("-1250.00"),
                     "Liabilities:Kafe:2650-Momsredovisning": Decimal("-2250"),
                     "Income:Kafe:3740-Öresutjämning": Decimal("-0.08")}
    assert entry.date == datetime.date(2026, 9, 30)
    after = load_text(header() + FEE_RULE + render([entry]))
    assert after.errors == []
    # The total moved equals what the VAT accounts moved in the books.
    assert -sum(n for a, n in lines.items() if "26" in a.split(":")[2][:2]
                and "2650" not in a) == vat_movement(books, person.codes, Q3)


def test_close_books_the_settlement_with_the_months_computed_fees() -> None:
    text_books = quarter_books()
    # Leave September's fees to the close: the settlement must include their VAT.
    books = load_text(header() + FEE_RULE + sale("2026-07-10", "Kafe", "10000.00", "2500.00")
                      + render([e for m in (7, 8)
                                for e in fee_entries(text_books, month_period(2026, m))]))
    computed = collect_computed(books, SEPTEMBER.start, SEPTEMBER.end)
    settlements = {str(e.meta["coop-id"]): e for e in computed.entries
                   if e.meta.get("generated-by") == GENERATED_BY}
    # Quarterly filers settle in September; Omsorg files monthly and settles too.
    assert set(settlements) == {"vat:2026-Q3:Kafe", "vat:2026-Q3:Paraply",
                                "vat:2026-09:Omsorg"}
    kafe = dict(postings(settlements["vat:2026-Q3:Kafe"]))
    assert kafe["Liabilities:Kafe:2641-Ingående-moms"] == Decimal("-750.00")  # 3 fees
    assert computed.sources[GENERATED_BY] == 3
    # Already booked: nothing new.
    booked = load_text(header() + FEE_RULE + render(list(computed.entries)))
    assert settlement_entries(booked, SEPTEMBER) == []
    # Not a VAT period end for quarterly filers.
    august = settlement_entries(books, month_period(2026, 8))
    assert [e.meta["coop-id"] for e in august] == ["vat:2026-08:Omsorg"]


def test_preflight_fails_on_vat_that_no_box_takes() -> None:
    books = load_text(header() + """
2026-01-01 open Liabilities:Kafe:2648-Vilande-ingående-moms SEK
  bas: "2648"
2026-09-05 * "Leverantör" "Inköp, momsen vilande"
  Expenses:Kafe:4010-Inköp-varor-och-material  100.00 SEK
  Liabilities:Kafe:2648-Vilande-ingående-moms  25.00 SEK
  Assets:Kafe:1930-Företagskonto
2026-09-06 * "Kund" "Fondens försäljning med moms"
  Assets:Fonden:1930-Företagskonto  125.00 SEK
  Liabilities:Fonden:2611-Utgående-moms-25  -25.00 SEK
  Equity:Fonden:2091-Balanserad-vinst-eller-förlust  -100.00 SEK
""")
    assert books.errors == []
    result = check_vat_boxes(books, SEPTEMBER.start, SEPTEMBER.end)
    assert not result.ok
    assert any("2648-Vilande-ingående-moms 25.00 SEK: no box" in d for d in result.details)
    assert any("Fonden's sales are exempt" in d for d in result.details)
    clean = check_vat_boxes(quarter_books(), SEPTEMBER.start, SEPTEMBER.end)
    assert clean.ok, clean.details


def test_eskd_file_validates_against_the_dtd() -> None:
    books = quarter_books()
    result = compute_return(books, taxable_person(books.entities, "Kafe"), Q3)
    content = eskd_bytes(result)
    assert content.startswith(b'<?xml version="1.0" encoding="ISO-8859-1"?>')
    dtd = etree.DTD(str(DTD_PATH))
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    root = etree.fromstring(content, parser)
    assert dtd.validate(root), dtd.error_log.filter_from_errors()
    assert [child.tag for child in root.find("Moms")] == [
        "Period", "ForsMomsEjAnnan", "MomsUtgHog", "MomsIngAvdr", "MomsBetala"]
    assert root.findtext("OrgNr") == "769634-5672"
    assert root.findtext("Moms/MomsUtgHog") == "3500"
    assert root.findtext("Moms/MomsBetala") == "2250"
    # Out of the DTD's order, the same file does not validate: the check can fail.
    swapped = content.replace(b"<MomsIngAvdr>1250</MomsIngAvdr>", b"").replace(
        b"<Period>", b"<MomsIngAvdr>1250</MomsIngAvdr><Period>")
    assert not dtd.validate(etree.fromstring(swapped, parser))


ORE = st.integers(min_value=-10_000_000, max_value=10_000_000).map(
    lambda n: Decimal(n).scaleb(-2))


@given(sales=st.lists(st.tuples(ORE, ORE), max_size=6),
       purchases=st.lists(st.tuples(ORE, ORE), max_size=6))
def test_box_49_is_output_minus_input_and_the_settlement_balances(
        sales: list[tuple[Decimal, Decimal]], purchases: list[tuple[Decimal, Decimal]]) -> None:
    text = header()
    for i, (net, vat) in enumerate(sales):
        text += (f'2026-08-{i + 1:02d} * "Kund" "Försäljning"\n'
                 f"  Assets:Kafe:1930-Företagskonto  {net + vat} SEK\n"
                 f"  Income:Kafe:3001-Försäljning-25  {-net} SEK\n"
                 f"  Liabilities:Kafe:2611-Utgående-moms-25  {-vat} SEK\n")
    for i, (net, vat) in enumerate(purchases):
        text += (f'2026-09-{i + 1:02d} * "Leverantör" "Inköp"\n'
                 f"  Expenses:Kafe:4010-Inköp-varor-och-material  {net} SEK\n"
                 f"  Liabilities:Kafe:2641-Ingående-moms  {vat} SEK\n"
                 f"  Assets:Kafe:1930-Företagskonto  {-(net + vat)} SEK\n")
    books = load_text(text)
    assert books.errors == []
    person = taxable_person(books.entities, "Kafe")
    result = compute_return(books, person, Q3)
    output = sum((v for _, v in sales), Decimal(0))
    deductible = sum((v for _, v in purchases), Decimal(0))
    boxes = result.boxes
    assert boxes.get("10") is None or boxes["10"].exact == output
    assert boxes.get("48") is None or boxes["48"].exact == deductible
    kronor = [(boxes[b].kronor if b in boxes else Decimal(0)) for b in ("10", "48")]
    assert result.payable == kronor[0] - kronor[1]
    assert result.payable == int(output) - int(deductible)  # öre dropped toward zero
    entry = settlement_entry(books, person, Q3, books.transactions)
    if entry is None:
        assert output == deductible == 0
        return
    numbers = [n for _, n in postings(entry)]
    assert sum(numbers) == 0
    rounding = dict(postings(entry)).get("Income:Kafe:3740-Öresutjämning", Decimal(0))
    assert abs(rounding) < 2


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    path = tmp_path / "main.beancount"
    path.write_text(header(umbrella_orgnr=False) + sale("2026-08-10", "Kafe", "100.00",
                                                        "25.00"), encoding="utf-8")
    return path


@pytest.mark.parametrize(("args", "expected"), [
    (["--entity", "Paraply", "--period", "2026-Q3"], "Paraply has no orgnr"),
    (["--entity", "Bageri", "--period", "2026-Q3"], "Paraply has no orgnr"),
    (["--entity", "Kafe", "--period", "2026-08"], "2026-08 is not one of its VAT periods, "
                                                  "ask for 2026-Q3"),
    (["--entity", "Omsorg", "--period", "2026-Q3"], "ask for 2026-07"),
    (["--entity", "Kafe", "--period", "2026-Q3"], "2026-Q3 is not closed (2026-07, 2026-08, "
                                                  "2026-09 still open)"),
    (["--entity", "Fonden", "--period", "2026-Q3"], "Fonden's sales are exempt"),
    (["--entity", "Okand", "--period", "2026-Q3"], "'Okand' is not declared"),
    (["--entity", "Kafe", "--period", "2026-13"], "month must be 01 to 12"),
])
def test_refusals_are_one_line_exit_2_and_write_nothing(
        ledger: Path, args: list[str], expected: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    target = ledger.parent / "moms.xml"
    before = sorted(p.name for p in ledger.parent.iterdir())
    status = cli(["vat", str(ledger), *args, "--eskd", str(target)])
    err = capsys.readouterr().err
    assert status == 2
    assert len(err.strip().splitlines()) == 1, err
    assert expected in err
    assert sorted(p.name for p in ledger.parent.iterdir()) == before
