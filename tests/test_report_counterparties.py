"""Reports keep counterparties apart: accounts that share a BAS number are one line each,
summed only in their BAS subtotal, in the library, the text, the CSV and the JSON."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest

from coopledger.balances import account_balance
from coopledger.books import Books, load_books
from coopledger.cli import main
from coopledger.periods import parse_period
from coopledger.statements import BasSubtotal, balance_sheet, income_statement

EXAMPLE = Path(__file__).resolve().parent.parent / "ledgers" / "example" / "main.beancount"


def test_two_clearing_accounts_of_one_entity_are_two_lines(load_doc: Books) -> None:
    """
    option "operating_currency" "SEK"
    plugin "coopledger.plugins.entities"

    2025-01-01 custom "coop-entity" "Paraply"
      name: "Paraplyet"
      kind: "umbrella"
    2025-01-01 custom "coop-entity" "Kafe"
      name: "Kafé"
      kind: "member"
    2025-01-01 custom "coop-entity" "Tradgard"
      name: "Trädgården"
      kind: "member"
    2025-01-01 open Assets:Kafe:1930-Företagskonto SEK
      bas: "1930"
    2025-01-01 open Expenses:Kafe:4010-Inköp SEK
      bas: "4010"
    2025-01-01 open Assets:Paraply:1930-Företagskonto SEK
      bas: "1930"
    2025-01-01 open Assets:Tradgard:1930-Företagskonto SEK
      bas: "1930"
    2025-01-01 open Income:Kafe:3001-Försäljning SEK
      bas: "3001"

    2025-03-01 * "Paraplyet betalar Kaféts inköp"
      Expenses:Kafe:4010-Inköp          30031.48 SEK
      Assets:Paraply:1930-Företagskonto  -30031.48 SEK

    2025-03-02 * "Trädgården tar emot Kaféts försäljning"
      Assets:Tradgard:1930-Företagskonto  3000.00 SEK
      Income:Kafe:3001-Försäljning       -3000.00 SEK
    """
    assert load_doc.errors == []
    sheet = balance_sheet(load_doc, "Kafe", parse_period("2025-03").last_day)
    section = next(s for s in sheet.assets if s.title == "Omsättningstillgångar")
    clearing = [(line.account, line.amount) for line in section.lines if line.bas == "1660"]
    assert clearing == [("Assets:Kafe:1660-Avräkning-Paraply", Decimal("-30031.48")),
                        ("Assets:Kafe:1660-Avräkning-Tradgard", Decimal("3000.00"))]
    subtotals = [r for r in section.rows() if isinstance(r, BasSubtotal)]
    assert subtotals == [BasSubtotal("1660", Decimal("-27031.48"), 2)]
    # the subtotal is a row of its own: the section's total counts each line once
    assert section.total == sum((line.amount for line in section.lines), Decimal(0))


@pytest.fixture(scope="module")
def example() -> Books:
    return load_books(EXAMPLE)


def test_example_umbrella_shows_each_member_clearing_account(
        example: Books, capsys: pytest.CaptureFixture[str]) -> None:
    period = parse_period("2026-10")
    clearing = sorted(a for a in example.opens
                      if a.startswith("Assets:Paraply:1660-"))
    assert len(clearing) >= 2
    expected = {a: account_balance(example, a, period.last_day) for a in clearing}
    expected = {a: v for a, v in expected.items() if v}
    assert len(expected) >= 2

    sheet = balance_sheet(example, "Paraply", period.last_day)
    lines = {ln.account: ln.amount for s in sheet.assets for ln in s.lines if ln.bas == "1660"}
    assert lines == expected
    subtotal = next(r for s in sheet.assets for r in s.rows()
                    if isinstance(r, BasSubtotal) and r.bas == "1660")
    assert subtotal.amount == sum(expected.values(), Decimal(0))
    assert subtotal.count == len(expected)

    assert main(["report", str(EXAMPLE), "--entity", "Paraply", "--period", "2026-10"]) == 0
    text = capsys.readouterr().out
    for account, amount in expected.items():
        name = account.rsplit(":", 1)[1].replace("-", " ")
        assert f"{name:<52}{amount:>16,.2f}" in text
    assert f"{'Summa 1660':<50}{subtotal.amount:>16,.2f}" in text

    assert main(["report", str(EXAMPLE), "--entity", "Paraply", "--period", "2026-10",
                 "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    accounts = {r["account"]: Decimal(r["amount"]) for r in rows
                if r["bas"] == "1660" and r["row"] == "account"}
    assert accounts == expected
    assert [Decimal(r["amount"]) for r in rows if r["row"] == "bas-subtotal"
            and r["bas"] == "1660"] == [subtotal.amount]
    assets = sum(Decimal(r["amount"]) for r in rows
                 if r["statement"] == "tillgångar" and r["row"] == "account")
    assert assets == sheet.total_assets

    assert main(["report", str(EXAMPLE), "--entity", "Paraply", "--period", "2026-10",
                 "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    sections = document["balance_sheet"]["assets"]
    found = {ln["account"]: Decimal(ln["amount"]) for s in sections for ln in s["lines"]
             if ln["bas"] == "1660"}
    assert found == expected
    assert [Decimal(t["amount"]) for s in sections for t in s["bas_subtotals"]
            if t["bas"] == "1660"] == [subtotal.amount]


def test_consolidated_statement_is_still_one_line_per_bas(example: Books) -> None:
    period = parse_period("2026")
    statement = income_statement(example, None, period)
    numbers = [ln.bas for s in statement.sections for ln in s.lines if ln.bas]
    assert len(numbers) == len(set(numbers))
    sheet = balance_sheet(example, None, period.last_day)
    banks = [ln for s in sheet.assets for ln in s.lines if ln.bas == "1930"]
    assert len(banks) == 1
    assert banks[0].amount == sum(
        (account_balance(example, a, period.last_day) for a in example.opens
         if example.bas(a) == "1930"), Decimal(0))
