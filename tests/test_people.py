"""The people (coopledger.people): employed, target group, wage subsidies, FTE, starts and
leavers, per entity and the group, month by month; and ``coopledger people``."""

from __future__ import annotations

import csv
import io
import itertools
import json
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import ValidationError

from coopledger.books import Books, load_books
from coopledger.cli import main
from coopledger.filings.employees import Employee
from coopledger.people import paid_by_month, people
from coopledger.periods import parse_period
from coopledger.services.subsidies import SubsidyDecision
from tests.agi_books import pay, payroll_books

EXAMPLE = Path(__file__).resolve().parent.parent / "ledgers" / "example" / "main.beancount"

EXTRA = """
2026-01-01 custom "coop-employee" "K01"
  employer: "Kafe"
  personnummer: "19900314-9805"
  extent: 100
2026-09-01 custom "coop-employee" "K02"
  employer: "Kafe"
  personnummer: "20040220-9811"
  target-group: TRUE
  extent: 50
2026-09-01 custom "coop-subsidy" "2026-0900001"
  employee: "K02"
  member: "Kafe"
  type: "lönebidrag"
  percent: 80
  cap: 10000.00
2026-09-30 * "Lönebidrag september"
  Assets:Kafe:1689-Övriga-kortfristiga-fordringar  5000.00 SEK
  Income:Kafe:3988-Bidrag-för-personal  -5000.00 SEK
"""


@pytest.fixture(scope="module")
def books() -> Books:
    rows = [pay("K01", "22000.00", "4840.00", 1990, month) for month in
            ("2026-08", "2026-09", "2026-10")]
    rows += [pay("K02", "20000.00", "4400.00", 2004, month) for month in ("2026-09", "2026-10")]
    rows += [pay("S01", "24000.00", "5280.00", 1985, month) for month in ("2026-08", "2026-09")]
    rows += [pay("P01", "30000.00", "6600.00", 1975, month) for month in
             ("2026-08", "2026-09", "2026-10")]
    return payroll_books(rows, sealed=(), extra=EXTRA)


def test_kafe_month_by_month(books: Books) -> None:
    months = {m.month.label: m for m in people(books, "Kafe", parse_period("2026"))}
    august, september, october = months["2026-08"], months["2026-09"], months["2026-10"]
    assert [len(months[f"2026-{n:02d}"].employed) for n in range(1, 8)] == [0] * 7
    assert not any(months[f"2026-{n:02d}"].starts for n in range(1, 9))  # first payroll month
    assert august.employed == {("Kafe", "K01")}
    assert september.employed == {("Kafe", "K01"), ("Kafe", "K02")}
    assert september.starts == {("Kafe", "K02")}
    assert not september.leavers
    # K02 is declared from the target group from September, with a subsidy from then.
    assert september.target_group == {("Kafe", "K02")}
    assert september.subsidised == {("Kafe", "K02")}
    assert september.subsidised_share == Decimal("50.0")
    assert september.fte == Decimal("1.5")
    assert september.without_extent == 0
    assert august.fte == Decimal(1)
    assert august.without_extent == 0
    assert september.subsidy == Decimal("5000.00")
    # The salary cost: gross pay and employer contributions of September's payroll.
    cost = Decimal(0)
    for entry in books.transactions:
        for posting in entry.postings:
            if entry.date.month == 9 and posting.account.startswith(
                    ("Expenses:Kafe:7010", "Expenses:Kafe:7510")):
                cost += posting.units.number if posting.units and posting.units.number \
                    else Decimal(0)
    assert cost > Decimal("42000.00")
    assert september.salary_cost == cost
    assert september.subsidy_share == (Decimal(5000) * 100 / cost).quantize(Decimal("0.1"))
    assert october.subsidy == 0
    assert october.booked
    assert not months["2026-11"].booked
    assert not months["2026-11"].leavers


def test_the_group_and_a_leaver(books: Books) -> None:
    months = {m.month.label: m for m in people(books, None, parse_period("2026-Q4"))}
    october = months["2026-10"]
    # K01 and K02 declare an extent; P01 does not and is counted apart, not guessed.
    assert (october.fte, october.without_extent) == (Decimal("1.5"), 1)
    assert october.employed == {("Kafe", "K01"), ("Kafe", "K02"), ("Paraply", "P01")}
    assert october.leavers == {("Stad", "S01")}
    assert months["2026-12"].booked is False
    stad = people(books, "Stad", parse_period("2026-10"))[0]
    assert stad.leavers == {("Stad", "S01")}
    assert not stad.employed
    assert stad.subsidised_share is None


def test_people_refuses_an_unknown_entity(books: Books) -> None:
    with pytest.raises(Exception, match="unknown entity 'Nope'"):
        people(books, "Nope", parse_period("2026"))


def test_target_group_and_extent_are_checked() -> None:
    base = {"id": "K01", "date": "2025-01-01", "employer": "Kafe",
            "personnummer": "19900314-9805"}
    assert Employee.model_validate(base).target_group is False
    assert Employee.model_validate({**base, "target_group": True,
                                    "extent": Decimal(75)}).extent == Decimal(75)
    for extent in (Decimal(0), Decimal(120)):
        with pytest.raises(ValidationError, match="extent"):
            Employee.model_validate({**base, "extent": extent})


@pytest.fixture(scope="module")
def example() -> Books:
    return load_books(EXAMPLE)


def test_the_example_books_people_agree_with_their_declarations(example: Books) -> None:
    period = parse_period("2026")
    group = people(example, None, period)
    target = {e.id for e in example.declarations.of(Employee) if e.target_group}
    assert target, "the example books declare no one from the target group: rebuild them"
    paid = paid_by_month(example)
    members = [code for code in example.entities
               if any(code == c for ps in paid.values() for c, _ in ps)]
    for month in group:
        if not month.booked:
            continue
        assert {p[1] for p in month.target_group} == {p[1] for p in month.employed} & target
        # The group is the sum of its employers.
        parts = [people(example, code, month.month)[0] for code in members]
        assert len(month.employed) == sum(len(p.employed) for p in parts)
        assert month.subsidy == sum((p.subsidy for p in parts), Decimal(0))
        assert month.fte == sum((p.fte for p in parts), Decimal(0))
        decisions = {(d.member, d.employee) for d in example.declarations.of(SubsidyDecision)
                     if d.date <= month.month.last_day
                     and (d.until is None or d.until >= month.month.start)}
        assert month.subsidised == month.employed & decisions
    assert any(m.starts for m in group) or any(m.leavers for m in group)


@pytest.mark.parametrize("fmt", ["text", "csv", "json"])
def test_people_command_prints_the_library_figures(example: Books, fmt: str,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["people", str(EXAMPLE), "--entity", "Omsorg", "--period", "2026",
                 "--format", fmt]) == 0
    out = capsys.readouterr().out
    expected = people(example, "Omsorg", parse_period("2026"))
    if fmt == "json":
        months = json.loads(out)["months"]
        assert [m["employed"] for m in months] == [len(m.employed) for m in expected]
        assert [m["fte"] for m in months] == [str(m.fte) for m in expected]
    elif fmt == "csv":
        table = list(csv.DictReader(io.StringIO(out)))
        assert [r["subsidy"] for r in table] == [str(m.subsidy) for m in expected]
        assert [r["leavers"] for r in table] == [" ".join(sorted(p[1] for p in m.leavers))
                                                 for m in expected]
    else:
        october = next(line for line in out.splitlines() if line.strip().startswith("2026-10"))
        assert str(len(expected[9].employed)) in october.split()
        assert "not booked yet" in out


def test_each_month_is_the_last_plus_starts_less_leavers(example: Books) -> None:
    for scope in (None, "Omsorg", "Tradgard"):
        months = people(example, scope, parse_period("2025")) + people(
            example, scope, parse_period("2026"))
        for before, month in itertools.pairwise(months):
            if month.booked:
                assert month.employed == (before.employed | month.starts) - month.leavers
                assert not month.starts & before.employed
                assert month.leavers <= before.employed
    tradgard = people(example, "Tradgard", parse_period("2025"))
    assert [m.month.label for m in tradgard if m.starts] == ["2025-08"]


def test_people_command_refuses_an_unknown_entity(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["people", str(EXAMPLE), "--entity", "Nope"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "unknown entity 'Nope'" in err[0]
