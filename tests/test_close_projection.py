"""The close works out the closed books in memory: the same seal, the same files and the
same entries as loading the books again with the staged files (the reload it replaces),
and a close whose computed entries would leave an error still fails and writes nothing.

Each comparison runs the close twice as a dry run: once as it runs (the projection of
:mod:`coopledger.close.projection`, with the reload done beside it to compare the
entries), once with the projection refused, so that the close reloads.
"""

from __future__ import annotations

import datetime
import shutil
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from beancount.core import data

import coopledger.close.month as month_module
from coopledger.balances import account_balance
from coopledger.books import Books, load_books
from coopledger.cli import main as coopledger
from coopledger.close import CloseReport, close_month
from coopledger.close.numbering import Assignment
from coopledger.close.projection import NotProven, project_close
from coopledger.close.staging import load_staged
from coopledger.seals import canonical
from tests.fund_books import FUND_INTEREST, bank, disburse, header, loan, repay
from tests.test_close_month import ENTITIES as CLOSE_ENTITIES
from tests.test_close_month import HEADER, opens, snapshot

D = datetime.date
EXAMPLE = Path(__file__).resolve().parent.parent / "ledgers" / "example"
ENTITIES = ("Paraply", "Fonden", "Kafe", "Stad")
KAFE_INTEREST = "Expenses:Kafe:8410-Räntekostnader-medlemslån"
KAFE_BANK = "Assets:Kafe:1930-Företagskonto"


@dataclass
class BothWays:
    """One month closed (dry run) with the projection and with the reload."""

    projected: CloseReport
    reloaded: CloseReport
    projected_books: Books
    reloaded_books: Books
    names: dict[str, str]


def close_both_ways(main: Path, month: str, monkeypatch: pytest.MonkeyPatch) -> BothWays:
    """Dry-run the close with the projection (reloading beside it) and with the reload."""
    seen: dict[str, Any] = {}

    def projection_and_reload(books: Books, staged: dict[Path, str], closing: Path,
                              body: str, numbered: list[Assignment]) -> Books:
        seen["projected"] = project_close(books, staged, closing, body, numbered)
        seen["reloaded"], seen["names"] = load_staged(books, staged)
        projected: Books = seen["projected"]
        return projected

    def refuse(*_args: object) -> Books:
        raise NotProven("refused here, to compare with the reload")

    with monkeypatch.context() as patch:
        patch.setattr(month_module, "project_close", projection_and_reload)
        projected = close_month(main, month, dry_run=True)
        patch.setattr(month_module, "project_close", refuse)
        reloaded = close_month(main, month, dry_run=True)
    assert "projected" in seen, "the close did not take the projection"
    return BothWays(projected, reloaded, seen["projected"], seen["reloaded"], seen["names"])


def _plain(entry: data.Directive) -> data.Directive:
    if isinstance(entry, data.Transaction):
        entry = entry._replace(postings=[p._replace(meta={}) for p in entry.postings])
    return entry._replace(meta={})


def located(entry: data.Directive, names: dict[str, str]) -> tuple[object, ...]:
    """Everything an entry holds, its file named by its real path (not the mirror's)."""
    filename = str(entry.meta.get("filename"))
    filename = names.get(filename, filename)
    if not filename.startswith("<"):
        filename = str(Path(filename).resolve())
    meta = {k: v for k, v in entry.meta.items() if k != "filename"}
    return (type(entry).__name__, canonical(entry), _plain(entry), filename, meta)


def assert_same(both: BothWays) -> None:
    """Same report, files, seal, and the same entries in the same order at the same place."""
    assert both.projected.status == both.reloaded.status == "dry run"
    assert both.projected.failure == both.reloaded.failure == []
    assert both.projected.digest == both.reloaded.digest
    assert both.projected.written == both.reloaded.written
    assert both.projected_books.errors == both.reloaded_books.errors == []
    assert ([located(e, both.names) for e in both.projected_books.entries]
            == [located(e, both.names) for e in both.reloaded_books.entries])
    assert both.projected_books.options["include"] == [
        str(Path(both.names.get(name, name))) for name in both.reloaded_books.options["include"]]


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the example books (their 2026-11 is open)."""
    target = tmp_path_factory.mktemp("example") / "example"
    shutil.copytree(EXAMPLE, target)
    return target


@pytest.mark.parametrize("name", ["main.beancount", "daily.beancount"])
def test_the_example_close_is_the_same_as_with_a_reload(
        example: Path, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    both = close_both_ways(example / name, "2026-11", monkeypatch)
    assert_same(both)
    assert both.projected.vouchers > 0
    assert both.projected.computed > 0


# --- books with cross-entity transactions, loans and a correction ----------------------

def ledger_text() -> str:
    """Two loans paid out in January, repaid in February; purchases paid across entities."""
    return "\n".join([
        disburse("L-1", D(2025, 1, 15), "Kafe", Decimal("100000.00")),
        disburse("L-2", D(2025, 1, 20), "Stad", Decimal("50000.00")),
        '2025-01-22 * "Grossisten" "Kaffe, betalt av paraplyet"\n'
        "  Expenses:Kafe:4010-Inköp-varor-och-material  800.00 SEK\n"
        f"  {bank('Paraply')}  -800.00 SEK\n",
        '2025-01-28 * "Kontorsvaror" "Delat inköp"\n'
        "  Expenses:Kafe:6110-Kontorsmateriel  300.00 SEK\n"
        "  Expenses:Stad:6110-Kontorsmateriel  200.00 SEK\n"
        f"  {bank('Paraply')}  -500.00 SEK\n",
        repay("L-1", D(2025, 2, 15), "Kafe", Decimal("416.67"), Decimal("4000.00")),
        repay("L-2", D(2025, 2, 20), "Stad", Decimal("166.67"), Decimal("4000.00")),
        '2025-02-25 * "Grossisten" "Städmaterial, betalt av Kafe"\n'
        "  Expenses:Stad:5410-Förbrukningsinventarier  120.00 SEK\n"
        f"  {bank('Kafe')}  -120.00 SEK\n",
    ]) + "\n"


def write_books(folder: Path, extra: str = "") -> Path:
    """The ledger, with bank assertions after January and February."""
    main = folder / "main.beancount"
    plugins = 'plugin "coopledger.plugins.loans"\nplugin "coopledger.plugins.seals"'
    main.write_text(
        header().replace('plugin "coopledger.plugins.loans"', plugins)
        + loan("L-1", D(2025, 1, 15), "Kafe", "100000.00", "5.00", 24)
        + loan("L-2", D(2025, 1, 20), "Stad", "50000.00", "4.00", 12)
        + 'include "2025.beancount"\ninclude "asserts.beancount"\n', encoding="utf-8")
    (folder / "2025.beancount").write_text(ledger_text() + extra, encoding="utf-8")
    (folder / "asserts.beancount").write_text("", encoding="utf-8")
    books = load_books(main)
    assert books.errors == []
    lines = [f"{day} balance {bank(code)}  {account_balance(books, bank(code), day)} SEK"
             for day in (D(2025, 1, 31), D(2025, 2, 28)) for code in ENTITIES]
    (folder / "asserts.beancount").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return main


def test_loans_clearing_and_a_correction_close_the_same_as_with_a_reload(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    main = write_books(tmp_path)
    january = close_both_ways(main, "2025-01", monkeypatch)
    assert_same(january)
    assert close_month(main, "2025-01").status == "closed"
    status = coopledger(["correct", str(main), "Kafe:A-2025-0003", "--by", "Anna Berg",
                         "--date", "2025-02-10", "--move",
                         "Expenses:Kafe:4010-Inköp-varor-och-material="
                         "Expenses:Kafe:5410-Förbrukningsinventarier"])
    assert status == 0
    february = close_both_ways(main, "2025-02", monkeypatch)
    assert_same(february)
    books = february.projected_books
    month = [e for e in books.transactions if D(2025, 2, 1) <= e.date < D(2025, 3, 1)]
    # the cases the comparison is about are there: a numbered correction, cross-entity
    # entries completed with clearing postings, computed interest accruals on both loans
    assert any("corrects" in e.meta and "ver" in e.meta for e in month)
    assert any((p.meta or {}).get("generated-by") == "coopledger.clearing"
               for e in month for p in e.postings)
    accruals = [e for e in month if e.meta.get("generated-by") == "coopledger.fund"]
    assert {link for e in accruals for link in e.links} >= {"L-1", "L-2"}
    assert close_month(main, "2025-02").status == "closed"
    after = load_books(main)
    assert after.errors == []  # the seals plugin proves the seals at this load


def test_an_error_from_the_computed_entries_fails_the_close(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Kafe's interest account closes after its last repayment; the month's accrual
    # would post to it on the 28th.
    main = write_books(tmp_path, f"2025-02-20 close {KAFE_INTEREST}\n")
    assert close_month(main, "2025-01").status == "closed"
    reasons: list[str] = []

    def watch(*args: Any) -> Books:
        try:
            return project_close(*args)
        except NotProven as reason:
            reasons.append(str(reason))
            raise

    before = snapshot(tmp_path)
    monkeypatch.setattr(month_module, "project_close", watch)
    report = close_month(main, "2025-02")
    assert report.status == "failed"
    assert report.failure[0] == "the close would leave errors in the books:"
    assert any(KAFE_INTEREST in line and "inactive" in line for line in report.failure)
    assert reasons == ["Beancount's validation reports an error"]
    assert snapshot(tmp_path) == before


def test_a_balance_assertion_the_computed_entries_break_fails_the_close(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    main = write_books(tmp_path)
    assert close_month(main, "2025-01").status == "closed"
    interest = account_balance(load_books(main), FUND_INTEREST, D(2025, 2, 28))
    with (tmp_path / "asserts.beancount").open("a", encoding="utf-8") as handle:
        handle.write(f"2025-03-01 balance {FUND_INTEREST}  {interest} SEK\n")
    before = snapshot(tmp_path)
    lines: list[str] = []
    report = close_month(main, "2025-02", progress=lines.append)
    assert report.status == "failed"
    assert any("Balance failed" in line and FUND_INTEREST in line for line in report.failure)
    assert any("the computed entries move" in line for line in lines)
    assert snapshot(tmp_path) == before


def test_books_the_projection_does_not_cover_are_reloaded(tmp_path: Path) -> None:
    main = write_books(tmp_path)
    main.write_text(main.read_text(encoding="utf-8").replace(
        'plugin "coopledger.plugins.seals"',
        'plugin "coopledger.plugins.seals"\nplugin "beancount.plugins.implicit_prices"'),
        encoding="utf-8")
    lines: list[str] = []
    report = close_month(main, "2025-01", progress=lines.append)
    assert report.status == "closed"
    assert any("beancount.plugins.implicit_prices" in line for line in lines)
    assert load_books(main).errors == []


def test_entries_that_sort_equal_keep_the_order_of_the_files(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # After the ver lines go in, late.beancount's second entry moves from line 4 to
    # line 5: the same date, kind and line number as early.beancount's entry. Beancount
    # then keeps the order in which it parsed the files: early's first.
    def purchase(day: int, payee: str) -> str:
        return (f'2025-01-{day:02d} * "{payee}" "Inköp"\n'
                "  Expenses:Kafe:4010-Inköp  10.00 SEK\n"
                f"  {KAFE_BANK}  -10.00 SEK\n")

    (tmp_path / "early.beancount").write_text("; early\n" * 4 + purchase(9, "early"),
                                                  encoding="utf-8")
    (tmp_path / "late.beancount").write_text(purchase(2, "late") + purchase(9, "late"),
                                                 encoding="utf-8")
    main = tmp_path / "main.beancount"
    main.write_text(HEADER + opens() + 'include "early.beancount"\n'
                    'include "late.beancount"\ninclude "banks.beancount"\n', encoding="utf-8")
    (tmp_path / "banks.beancount").write_text("", encoding="utf-8")
    books = load_books(main)
    (tmp_path / "banks.beancount").write_text("".join(
        f"2025-02-01 balance {account}  {account_balance(books, account, D(2025, 1, 31))} SEK\n"
        for account in (f"Assets:{code}:1930-Företagskonto" for code in CLOSE_ENTITIES)),
        encoding="utf-8")
    both = close_both_ways(main, "2025-01", monkeypatch)
    assert_same(both)
    ninth = [e.meta["filename"] for e in both.projected_books.transactions
             if e.date == D(2025, 1, 9)]
    assert [Path(name).name for name in ninth] == ["early.beancount", "late.beancount"]


def test_a_built_in_step_of_beancount_not_proven_means_a_reload(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The steps are read from Beancount's loader: an unknown one is never mirrored."""
    from beancount import loader

    main = write_books(tmp_path)
    monkeypatch.setattr(loader, "PLUGINS_AUTO", [("beancount.plugins.auto", None)])
    lines: list[str] = []
    report = close_month(main, "2025-01", dry_run=True, progress=lines.append)
    assert report.status == "dry run"
    assert any("beancount.plugins.auto" in line for line in lines)
