"""The services and payroll commands: they write, they write nothing twice, and what they
write loads with zero errors and balances inside every entity."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from coopledger.books import Books, load_books
from coopledger.cli import main
from coopledger.entities import entity_of
from coopledger.periods import month_period
from coopledger.services import closing_entries, computed_entries
from tests.services_books import cost, header, number, sale

DECLARATIONS = """
2025-01-01 custom "coop-fee" "standard"
  fixed: 1500.00
  percent: 4.5
2025-01-01 custom "coop-allocation" "admin"
  accounts: "6310"
  key: "headcount"
2025-01-01 custom "coop-premises" "Huset"
  tenure: "owned"
  rent-per-m2: 1200.00
  tenants: "Kafe:30 Stad:70"
  building-cost: 1200000.00
  useful-life: 50
2025-01-01 custom "coop-subsidy" "2025-0412345"
  employee: "E203"
  member: "Stad"
  type: "lönebidrag"
  percent: 80
  cap: 18000.00
"""

PAYROLL = """employee,member,period,gross_pay,benefits,tax,net_pay,birth_year
E101,Kafe,2026-04,22000.00,0.00,4500.00,17500.00,1990
E203,Stad,2026-04,26000.00,0.00,5800.00,20200.00,2005
E204,Stad,2026-04,24000.00,500.00,5000.00,19000.00,1958
P1,Paraply,2026-04,30000.00,0.00,7000.00,23000.00,1970
"""


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    main_file = tmp_path / "main.beancount"
    main_file.write_text(header() + DECLARATIONS + sale("2026-04-10", "Kafe", "100000.00")
                         + cost("2026-04-05", "Expenses:Paraply:6310-Försäkringar", "3000.00"),
                         encoding="utf-8")
    (tmp_path / "lon-2026-04.csv").write_text(PAYROLL, encoding="utf-8")
    return main_file


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def assert_balanced_per_entity(books: Books) -> None:
    assert books.errors == []
    for entry in books.transactions:
        sums: dict[str | None, Decimal] = {}
        for posting in entry.postings:
            code = entity_of(posting.account)
            sums[code] = sums.get(code, Decimal(0)) + number(posting)
        assert all(v == 0 for v in sums.values()), entry


def test_payroll_then_services_write_once(ledger: Path, capsys: pytest.CaptureFixture[str],
                                          ) -> None:
    folder = ledger.parent
    csv_file = folder / "lon-2026-04.csv"
    assert main(["payroll", str(ledger), str(csv_file)]) == 0
    assert 'include "payroll/2026-04.beancount"' in ledger.read_text(encoding="utf-8")
    assert main(["services", str(ledger), "2026-04"]) == 0
    assert 'include "services/2026-04.beancount"' in ledger.read_text(encoding="utf-8")
    capsys.readouterr()

    books = load_books(ledger)
    assert_balanced_per_entity(books)
    ids = {str(e.meta["coop-id"]) for e in books.transactions if "coop-id" in e.meta}
    assert ids == {"payroll:2026-04:E101", "payroll:2026-04:E203", "payroll:2026-04:E204",
                   "payroll:2026-04:P1", "fee:2026-04:Kafe", "fee:2026-04:Stad",
                   "allocation:2026-04:admin", "rent:2026-04:Huset",
                   "depreciation:2026-04:Huset", "subsidy:2026-04:2025-0412345"}
    # Headcount from payroll: Kafe 1, Stad 2 -> 3000 split 1000 / 2000.
    (alloc,) = [e for e in books.transactions
                if e.meta.get("coop-id") == "allocation:2026-04:admin"]
    own = {p.account: number(p) for p in alloc.postings
           if not (p.meta or {}).get("generated-by")}
    assert own["Expenses:Kafe:6590-Fördelade-gemensamma-kostnader"] == Decimal("1000.00")
    assert own["Expenses:Stad:6590-Fördelade-gemensamma-kostnader"] == Decimal("2000.00")

    before = snapshot(folder)
    assert main(["payroll", str(ledger), str(csv_file)]) == 0
    assert main(["services", str(ledger), "2026-04"]) == 0
    assert snapshot(folder) == before
    assert "nothing new" in capsys.readouterr().err


def test_dry_run_prints_and_writes_nothing(ledger: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot(ledger.parent)
    assert main(["payroll", str(ledger), str(ledger.parent / "lon-2026-04.csv"),
                 "--dry-run"]) == 0
    assert main(["services", str(ledger), "2026-04", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert 'coop-id: "payroll:2026-04:E203"' in out
    assert 'coop-id: "fee:2026-04:Kafe"' in out
    assert snapshot(ledger.parent) == before


def test_new_rows_are_appended_to_the_month_file(ledger: Path) -> None:
    csv_file = ledger.parent / "lon-2026-04.csv"
    assert main(["payroll", str(ledger), str(csv_file)]) == 0
    csv_file.write_text(PAYROLL + "E105,Kafe,2026-04,21000.00,0.00,4000.00,17000.00,1985\n",
                        encoding="utf-8")
    assert main(["payroll", str(ledger), str(csv_file)]) == 0
    text = (ledger.parent / "payroll" / "2026-04.beancount").read_text(encoding="utf-8")
    assert text.count("payroll:2026-04:E101") == 1
    assert text.count("payroll:2026-04:E105") == 1
    assert_balanced_per_entity(load_books(ledger))


@pytest.mark.parametrize(("line", "message"), [
    ("E9,Kafe,2026-04,tjugo,0,4000,16000,1990", "gross_pay 'tjugo' is not an amount"),
    ("E9,Bageri,2026-04,20000,0,4000,16000,1990", "unknown member 'Bageri'"),
    ("E9,Kafe,2026-04,20000,0,4000,16000", "empty or missing birth_year"),
])
def test_malformed_payroll_writes_nothing(ledger: Path, capsys: pytest.CaptureFixture[str],
                                          line: str, message: str) -> None:
    csv_file = ledger.parent / "lon-2026-04.csv"
    csv_file.write_text(PAYROLL + line + "\n", encoding="utf-8")
    before = snapshot(ledger.parent)
    assert main(["payroll", str(ledger), str(csv_file)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert f"{csv_file}:6: " in err[0]
    assert message in err[0]
    assert snapshot(ledger.parent) == before


def test_services_refuses_books_with_errors(ledger: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    with ledger.open("a", encoding="utf-8") as handle:
        handle.write('\n2026-04-02 * "Fel"\n  Assets:Kafe:1930-Företagskonto  10.00 SEK\n')
    before = snapshot(ledger.parent)
    assert main(["services", str(ledger), "2026-04"]) == 1
    assert "nothing was written" in capsys.readouterr().err
    assert snapshot(ledger.parent) == before


def test_services_wants_a_month(ledger: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["services", str(ledger), "2026-Q2"]) == 2
    assert "give one month" in capsys.readouterr().err


def test_closing_entries_leaves_out_what_is_booked(ledger: Path) -> None:
    april = month_period(2026, 4)
    assert main(["payroll", str(ledger), str(ledger.parent / "lon-2026-04.csv")]) == 0
    books = load_books(ledger)
    pending = closing_entries(books, april)
    assert {e.meta["coop-id"] for e in pending} == {
        "fee:2026-04:Kafe", "fee:2026-04:Stad", "allocation:2026-04:admin",
        "rent:2026-04:Huset", "depreciation:2026-04:Huset", "subsidy:2026-04:2025-0412345"}
    assert all(e.meta["generated-by"].startswith("coopledger.services.") for e in pending)
    assert main(["services", str(ledger), "2026-04"]) == 0
    after = load_books(ledger)
    assert closing_entries(after, april) == []
    assert len(computed_entries(after, april)) == len(pending)


def test_changed_cost_after_booking_warns_and_writes_nothing(
        ledger: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["payroll", str(ledger), str(ledger.parent / "lon-2026-04.csv")]) == 0
    assert main(["services", str(ledger), "2026-04"]) == 0
    with ledger.open("a", encoding="utf-8") as handle:
        handle.write(cost("2026-04-20", "Expenses:Paraply:6310-Försäkringar", "100.00"))
    capsys.readouterr()
    before = snapshot(ledger.parent)
    assert main(["services", str(ledger), "2026-04"]) == 0
    err = capsys.readouterr().err
    assert "allocation:2026-04:admin is already booked" in err
    assert snapshot(ledger.parent) == before
