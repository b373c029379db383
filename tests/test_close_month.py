"""The monthly close: invariant 7, vouchers, order, atomicity, byte-exact edits.

Small ledgers are generated in temporary folders: three entities, random sales and
purchases (some paid by another entity, so clearing postings appear) in January and
February 2025, and bank balance assertions computed here independently of the library.
"""

from __future__ import annotations

import datetime
import difflib
import os
import re
import tempfile
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from beancount.core import data
from hypothesis import given, settings
from hypothesis import strategies as st

from coopledger.books import Books, load_books
from coopledger.cli import main as cli
from coopledger.close import MonthState, close_month, close_status
from coopledger.close.numbering import numbering_problems
from coopledger.errors import CoopException
from coopledger.vouchers import voucher_ids

ENTITIES = ("Kafe", "Paraply", "Stad")
HEADER = """option "operating_currency" "SEK"
plugin "coopledger.plugins.entities"
plugin "coopledger.plugins.seals"

2025-01-01 custom "coop-entity" "Paraply"
  name: "Paraplyet"
  kind: "umbrella"
2025-01-01 custom "coop-entity" "Kafe"
  name: "Kafé Linnéa"
  kind: "member"
2025-01-01 custom "coop-entity" "Stad"
  name: "Städkooperativet"
  kind: "member"
"""


def bank(code: str) -> str:
    return f"Assets:{code}:1930-Företagskonto"


def opens() -> str:
    lines: list[str] = []
    for code in ENTITIES:
        for account, bas in ((bank(code), "1930"),
                             (f"Income:{code}:3001-Försäljning", "3001"),
                             (f"Expenses:{code}:4010-Inköp", "4010"),
                             (f"Equity:{code}:2091-Balanserad-vinst", "2091"),
                             (f"Equity:{code}:2099-Årets-resultat", "2099")):
            lines.append(f'2025-01-01 open {account} SEK\n  bas: "{bas}"')
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Txn:
    """A generated sale (owner's bank in) or purchase (payer's bank out, owner's cost)."""

    month: int
    day: int
    sale: bool
    owner: str
    payer: str
    ore: int

    def text(self) -> str:
        date = datetime.date(2025, self.month, self.day)
        amount = Decimal(self.ore).scaleb(-2)
        if self.sale:
            return (f'{date} * "Kund" "Försäljning"\n'
                    f"  {bank(self.owner)}  {amount} SEK\n"
                    f"  Income:{self.owner}:3001-Försäljning  {-amount} SEK\n")
        return (f'{date} * "Leverantör" "Inköp"\n'
                f"  Expenses:{self.owner}:4010-Inköp  {amount} SEK\n"
                f"  {bank(self.payer)}  {-amount} SEK\n")


txns = st.builds(Txn, st.integers(1, 2), st.integers(1, 28), st.booleans(),
                 st.sampled_from(ENTITIES), st.sampled_from(ENTITIES),
                 st.integers(1, 5_000_000))


def write_ledger(folder: Path, items: list[Txn], *, assertions: bool = True,
                 newline: str = "\n") -> Path:
    """Write a ledger: main file (header, opens), transactions file, bank assertions."""
    opening = "".join(f'2025-01-01 * "Ingående balans"\n  {bank(c)}  100000.00 SEK\n'
                      f"  Equity:{c}:2091-Balanserad-vinst  -100000.00 SEK\n"
                      for c in ENTITIES)
    ordered = sorted(items, key=lambda t: (t.month, t.day))
    (folder / "txns.beancount").write_text(
        ("; transactions\n" + opening + "\n".join(t.text() for t in ordered))
        .replace("\n", newline), encoding="utf-8", newline="")
    balances = {c: Decimal("100000.00") for c in ENTITIES}
    lines: list[str] = []
    for month in (1, 2):
        for t in ordered:
            if t.month == month:
                amount = Decimal(t.ore).scaleb(-2)
                if t.sale:
                    balances[t.owner] += amount
                else:
                    balances[t.payer] -= amount
        lines.extend(f"2025-{month + 1:02d}-01 balance {bank(c)} {balances[c]:.2f} SEK"
                     for c in ENTITIES)
    (folder / "banks.beancount").write_text("\n".join(lines) + "\n" if assertions else "",
                                            encoding="utf-8")
    main = folder / "main.beancount"
    main.write_text(HEADER + opens() + 'include "txns.beancount"\ninclude "banks.beancount"\n',
                    encoding="utf-8")
    return main


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def account_totals(books: Books) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for entry in books.transactions:
        for posting in entry.postings:
            assert posting.units is not None
            assert posting.units.number is not None
            totals[posting.account] += posting.units.number
    return {a: v for a, v in totals.items() if v}


@pytest.fixture
def folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as tmp:
        yield Path(tmp)


SAMPLE = [Txn(1, 3, True, "Kafe", "Kafe", 1_234_50), Txn(1, 9, False, "Kafe", "Paraply", 80_000),
          Txn(1, 9, False, "Stad", "Stad", 12_00), Txn(2, 2, True, "Stad", "Stad", 99_99),
          Txn(2, 14, False, "Paraply", "Kafe", 5_000_00)]


def close_both(main: Path) -> None:
    for month in ("2025-01", "2025-02"):
        report = close_month(main, month)
        assert report.status == "closed", report.failure


@settings(max_examples=12)
@given(st.lists(txns, max_size=10))
def test_closing_moves_no_balance_and_twice_is_a_no_op(items: list[Txn]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        main = write_ledger(Path(tmp), items)
        before = account_totals(load_books(main))
        close_both(main)
        after_books = load_books(main)
        assert after_books.errors == []
        assert account_totals(after_books) == before
        assert_gapless(after_books)
        files = snapshot(Path(tmp))
        assert close_month(main, "2025-02").status == "already sealed"
        assert snapshot(Path(tmp)) == files


def assert_gapless(books: Books, before: datetime.date | None = None) -> None:
    """Every transaction (before a date) has one number per entity, 1..n in date order."""
    numbers: dict[tuple[str, str, int], list[tuple[int, datetime.date]]] = defaultdict(list)
    for entry in books.transactions:
        if before is not None and entry.date >= before:
            continue
        ids = voucher_ids(entry.meta)
        assert set(ids) == {p.account.split(":")[1] for p in entry.postings}
        for vid in ids.values():
            numbers[(vid.entity, vid.series, vid.year)].append((vid.number, entry.date))
    for series in numbers.values():
        series.sort()
        assert [n for n, _ in series] == list(range(1, len(series) + 1))
        assert [d for _, d in series] == sorted(d for _, d in series)


def test_vouchers_are_gapless_per_entity_and_series(folder: Path) -> None:
    main = write_ledger(folder, SAMPLE)
    close_both(main)
    books = load_books(main)
    numbers: dict[tuple[str, str, int], list[tuple[int, datetime.date]]] = defaultdict(list)
    for entry in books.transactions:
        ids = voucher_ids(entry.meta)
        touched = {p.account.split(":")[1] for p in entry.postings}
        assert set(ids) == touched
        for vid in ids.values():
            numbers[(vid.entity, vid.series, vid.year)].append((vid.number, entry.date))
    # opening + 2 sales/purchases for Kafe in January, 1 + Paraply's payment in February
    assert sorted(n for n, _ in numbers[("Kafe", "A", 2025)]) == [1, 2, 3, 4]
    assert sorted(n for n, _ in numbers[("Paraply", "A", 2025)]) == [1, 2, 3]
    assert sorted(n for n, _ in numbers[("Stad", "A", 2025)]) == [1, 2, 3]
    for series in numbers.values():
        by_number = sorted(series)
        assert [d for _, d in by_number] == sorted(d for _, d in by_number)
    assert numbering_problems(books.entries, {}) == []


def test_close_only_inserts_voucher_lines(folder: Path) -> None:
    main = write_ledger(folder, SAMPLE, newline="\r\n")
    old = (folder / "txns.beancount").read_bytes().decode("utf-8")
    close_month(main, "2025-01")
    new = (folder / "txns.beancount").read_bytes().decode("utf-8")
    diff = [line for line in difflib.ndiff(old.splitlines(keepends=True),
                                           new.splitlines(keepends=True))
            if line[:1] in "+-"]
    assert diff
    assert all(re.fullmatch(r'\+   ver: "[A-Za-z:A0-9 -]+"\r\n', d) for d in diff)
    assert "\n" not in new.replace("\r\n", "")
    main_text = main.read_text(encoding="utf-8")
    assert main_text.endswith('include "banks.beancount"\ninclude "closing/2025-01.beancount"\n')


def test_closing_out_of_order_is_refused(folder: Path) -> None:
    main = write_ledger(folder, SAMPLE)
    files = snapshot(folder)
    with pytest.raises(CoopException, match="close 2025-01 first"):
        close_month(main, "2025-02")
    assert snapshot(folder) == files


def test_failed_preflight_writes_nothing_and_names_the_account(folder: Path) -> None:
    main = write_ledger(folder, SAMPLE, assertions=False)
    files = snapshot(folder)
    report = close_month(main, "2025-01")
    assert report.status == "failed"
    assert any("Assets:Kafe:1930-Företagskonto: no balance assertion" in line
               for line in report.failure)
    assert snapshot(folder) == files


def test_dry_run_writes_nothing(folder: Path) -> None:
    main = write_ledger(folder, SAMPLE)
    files = snapshot(folder)
    report = close_month(main, "2025-01", dry_run=True)
    assert report.status == "dry run"
    assert folder / "closing" / "2025-01.beancount" in report.written
    assert snapshot(folder) == files


@pytest.mark.parametrize("fail_at", [1, 2])
def test_interrupted_close_leaves_every_file_byte_identical(
        folder: Path, monkeypatch: pytest.MonkeyPatch, fail_at: int) -> None:
    main = write_ledger(folder, SAMPLE)
    files = snapshot(folder)
    real_replace = os.replace
    calls = []

    def failing_replace(src: str | Path, dst: str | Path) -> None:
        calls.append(dst)
        if len(calls) == fail_at:
            raise OSError(28, "No space left on device", str(dst))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(CoopException, match="nothing was changed"):
        close_month(main, "2025-01")
    assert snapshot(folder) == files


def test_close_status_reports_each_month(folder: Path) -> None:
    main = write_ledger(folder, SAMPLE)
    close_month(main, "2025-01")
    statuses = close_status(load_books(main))
    assert [(s.month, s.state) for s in statuses] == [("2025-01", MonthState.SEALED),
                                                      ("2025-02", MonthState.OPEN)]
    assert statuses[1].checks
    assert all(c.ok for c in statuses[1].checks)
    assert statuses[1].transactions == 2


def test_pad_and_generated_entries_are_not_numbered(folder: Path) -> None:
    main = write_ledger(folder, SAMPLE)
    close_both(main)
    books = load_books(main)
    generated = [e for e in books.entries if isinstance(e, data.Open)
                 and str(e.meta.get("filename", "")).startswith("<")]
    assert generated  # the clearing accounts opened by the entities plugin
    assert all("ver" in e.meta for e in books.transactions)


def test_command_closes_a_run_of_months_and_reports(
        folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main = write_ledger(folder, SAMPLE)
    assert cli(["close", str(main), "2025-01", "--dry-run"]) == 0
    out = capsys.readouterr()
    assert '+  ver: "Kafe:A-2025-0002"' in out.out
    assert "2025-01: would close: 6 transactions numbered" in out.out
    assert "2025-01: preflight" in out.err
    assert not (folder / "closing").exists()
    assert cli(["close", str(main), "2025-01..2025-02"]) == 0
    out = capsys.readouterr()
    assert "2025-02: closed" in out.out
    assert cli(["close", str(main), "2025-02"]) == 0
    assert "already sealed" in capsys.readouterr().out
    assert cli(["close", str(main), "2025-13"]) == 2


def test_command_reports_a_failed_preflight(
        folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main = write_ledger(folder, SAMPLE, assertions=False)
    assert cli(["close", str(main), "2025-01"]) == 1
    out = capsys.readouterr()
    assert "2025-01 FAIL Every bank account has a balance assertion" in out.out
    assert "NOT closed, nothing was written" in out.err
