"""The example books carry the shared services, and a new month books cleanly, once."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from coopledger.balances import changes
from coopledger.books import Books, load_books
from coopledger.cli import main
from coopledger.entities import entity_of
from coopledger.periods import fiscal_year, month_period

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "ledgers" / "example"
MEMBERS = ("Stad", "Kafe", "Tradgard", "Omsorg", "Snickeri")


@pytest.fixture(scope="module")
def example_books() -> Books:
    if not (EXAMPLE / "services.beancount").exists():
        pytest.fail("the example books lack services.beancount: run "
                    "scripts/example_services.py")
    return load_books(EXAMPLE / "main.beancount")


@pytest.mark.parametrize("member", MEMBERS)
def test_member_results_show_each_service(example_books: Books, member: str) -> None:
    books = example_books
    assert books.errors == []
    moved = {books.bas(a): v for a, v in changes(books, fiscal_year(2026),
                                                  entity=member).items()}
    for bas in ("6550", "6590", "5010", "7010", "7510", "7090"):
        assert moved.get(bas, Decimal(0)) != 0, (member, bas)


def test_subsidy_claims_carry_decision_numbers(example_books: Books) -> None:
    claims = [e for e in example_books.transactions
              if e.meta.get("generated-by") == "coopledger.services.subsidies"]
    decisions = {str(e.meta["decision"]) for e in claims}
    assert len(decisions) >= 2
    assert all(e.meta["coop-id"].startswith("subsidy:") for e in claims)


def test_a_new_month_books_once(tmp_path: Path) -> None:
    target = tmp_path / "example"
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns("*.picklecache"))
    ledger = target / "main.beancount"
    # November's payroll moves the banks: its bank statement (the balance assertions
    # dated 1 December) is not imported yet in this scenario.
    balances = target / "bank-balances.beancount"
    balances.write_text("".join(line for line in balances.read_text(encoding="utf-8")
                                .splitlines(keepends=True)
                                if not line.startswith("2026-12-01 balance")),
                        encoding="utf-8")
    csv_file = tmp_path / "lon-2026-11.csv"
    csv_file.write_text(
        "employee,member,period,gross_pay,benefits,tax,net_pay,birth_year\n"
        "S01,Stad,2026-11,25100.00,0.00,5522.00,19578.00,1985\n"
        "O05,Omsorg,2026-11,25100.00,0.00,5522.00,19578.00,2004\n", encoding="utf-8")
    assert main(["payroll", str(ledger), str(csv_file)]) == 0
    assert main(["services", str(ledger), "2026-11"]) == 0
    books = load_books(ledger)
    assert books.errors == []
    november = month_period(2026, 11)
    new = [e for e in books.transactions
           if e.date in november and str(e.meta.get("generated-by", "")).startswith(
               "coopledger.services.")]
    assert {e.meta["coop-id"] for e in new} >= {
        "payroll:2026-11:S01", "payroll:2026-11:O05", "fee:2026-11:Kafe",
        "rent:2026-11:Verkstan", "subsidy:2026-11:2025-0567890"}
    for entry in new:
        sums: dict[str | None, Decimal] = {}
        for posting in entry.postings:
            assert posting.units is not None
            assert posting.units.number is not None
            code = entity_of(posting.account)
            sums[code] = sums.get(code, Decimal(0)) + posting.units.number
        assert set(sums.values()) == {Decimal(0)}
    files = sorted(p for p in target.rglob("*") if p.is_file())
    before = {p: p.read_bytes() for p in files}
    assert main(["payroll", str(ledger), str(csv_file)]) == 0
    assert main(["services", str(ledger), "2026-11"]) == 0
    assert {p: p.read_bytes() for p in sorted(q for q in target.rglob("*")
                                               if q.is_file())} == before
