"""Migrating a member's earlier books into sealed books: SIE-Gruppen's sample ``typ4.se``
(Övningsföretaget AB, 2012) into a copy of the example books, whose 2025 is sealed."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from coopledger.books import load_books
from coopledger.cli import main
from coopledger.close.yearseal import closing_balances
from coopledger.plugins.seals import SealError
from coopledger.sie.reader import read_sie
from tests.conftest import fixture_path

EXAMPLE = Path(__file__).resolve().parent.parent / "ledgers" / "example"


@pytest.fixture
def books_dir(tmp_path: Path) -> Path:
    target = tmp_path / "example"
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns("*.picklecache"))
    return target


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def launch(books_dir: Path, start: str = "2026-11-01") -> Path:
    ledger = books_dir / "main.beancount"
    assert main(["new-coop", str(ledger), "Bageri", "--name", "Bageriet Surdegen",
                 "--start", start]) == 0
    return ledger


def test_migration_keeps_the_seals_and_the_member_exports(
        books_dir: Path, tmp_path: Path) -> None:
    sample = fixture_path("sie", "typ4.se")
    ledger = launch(books_dir)
    assert main(["sie", "import", str(sample), "--entity", "Bageri",
                 "--ledger", str(ledger)]) == 0
    books = load_books(ledger)
    assert books.errors == []
    history = books_dir / "history" / "bageri.beancount"
    archived = load_books(history)
    assert archived.errors == []
    # the opening balances are the history's closing balances, account by BAS number
    closing = closing_balances(archived.entries, archived.last_date.replace(year=2100))
    opening = next(e for e in books.transactions
                   if e.meta.get("migrated-from") == "history/bageri.beancount")
    assert opening.date.isoformat() == "2026-11-01"
    by_bas: dict[str, Decimal] = {}
    for (account, _), amount in closing.items():
        if account.split(":")[0] in ("Assets", "Liabilities"):
            bas = archived.bas(account) or ""
            by_bas[bas] = by_bas.get(bas, Decimal(0)) + amount
    booked = {books.bas(p.account) or "": p.units.number for p in opening.postings
              if p.units is not None and p.units.number is not None
              and p.account.split(":")[0] in ("Assets", "Liabilities")}
    assert booked == {bas: amount for bas, amount in by_bas.items() if amount}
    assert sum((p.units.number for p in opening.postings
                if p.units is not None and p.units.number is not None), Decimal(0)) == 0
    # the history is readable and exportable, and so is the member in the books
    out = tmp_path / "bageri-2012.se"
    assert main(["sie", "export", str(history), "--entity", "Bageri", "--year", "2012",
                 "-o", str(out)]) == 0
    vouchers = sum(1 for v in read_sie(sample).vouchers if v.rows)
    assert sum(1 for v in read_sie(out).vouchers if v.rows) == vouchers
    assert main(["sie", "export", str(ledger), "--entity", "Bageri", "--year", "2026",
                 "-o", str(tmp_path / "bageri-2026.se")]) == 0
    assert main(["check", str(ledger)]) == 0


def test_history_that_reaches_the_members_first_day_is_refused(books_dir: Path) -> None:
    sample = fixture_path("sie", "typ4.se")
    ledger = launch(books_dir, "2012-06-01")
    before = snapshot(books_dir)
    # not a migration (the history reaches past 2012-06-01): the plain import's entries
    # before the member's first day are refused by the period lock, and nothing is written
    assert main(["sie", "import", str(sample), "--entity", "Bageri", "--ledger",
                 str(ledger), "-o", str(books_dir / "x.beancount")]) == 2
    assert snapshot(books_dir) == before


def test_opening_in_a_sealed_month_is_refused_and_nothing_written(
        books_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sample = fixture_path("sie", "typ4.se")
    ledger = books_dir / "main.beancount"
    # declared by hand (new-coop itself refuses a first day in a sealed month)
    (books_dir / "bageri.beancount").write_text(
        '2025-06-01 custom "coop-entity" "Bageri"\n  name: "Bageriet"\n  kind: "member"\n',
        encoding="utf-8")
    with ledger.open("a", encoding="utf-8") as handle:
        handle.write('include "bageri.beancount"\n')
    before = snapshot(books_dir)
    # the declaration itself lands in a sealed month, so the books no longer check and
    # the import refuses to start, in one line
    assert main(["sie", "import", str(sample), "--entity", "Bageri",
                 "--ledger", str(ledger)]) == 1
    err = capsys.readouterr().err
    assert "sealed month 2025-06" in err
    assert "nothing was written" in err
    assert err.count("\n") == 1
    assert snapshot(books_dir) == before


def test_history_booked_into_sealed_books_is_named_by_entity_and_account(
        books_dir: Path) -> None:
    """What the old way did (the history included in the books): the year seal's error
    names the entity and its accounts."""
    sample = fixture_path("sie", "typ4.se")
    ledger = books_dir / "main.beancount"
    history = books_dir / "bageri-old.beancount"
    assert main(["sie", "import", str(sample), "--entity", "Bageri", "--declare",
                 "-o", str(history)]) == 0
    with ledger.open("a", encoding="utf-8") as handle:
        handle.write('include "bageri-old.beancount"\n')
    errors = [e for e in load_books(ledger).errors
              if isinstance(e, SealError) and "sealed year 2025" in e.message]
    assert errors
    message = errors[0].message
    assert "entity Bageri (not in the sealed year): not as sealed: " in message
    assert "Assets:Bageri:1220-Inventarier-och-verktyg 436649.17 SEK; " in message
    # the umbrella's own entities are as sealed: only the newcomer is named
    assert message.count("entity ") == 1
