"""The example member statement under ``ledgers/example/bank/`` books into the example
books: on a temporary copy, imported twice, the second time adding nothing."""

from __future__ import annotations

import datetime
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from beancount.core import data

from coopledger.balances import account_balance
from coopledger.books import load_books
from coopledger.cli import main
from coopledger.fund import split_repayment

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "ledgers" / "example"
STATEMENT = Path("bank") / "kafe-2026-12.camt053.xml"
BANK = "Assets:Kafe:1930-Företagskonto"


def test_example_statement_books_into_the_example(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    copy = tmp_path / "example"
    shutil.copytree(EXAMPLE, copy, ignore=shutil.ignore_patterns("imports"))
    main_file = copy / "main.beancount"
    before = load_books(main_file)
    argv = ["import", str(main_file), str(copy / STATEMENT)]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "4 new entries (1 matched, 2 by rule or payee, 1 left to categorise)" in out
    assert "1 pending skipped" in out
    books = load_books(main_file)
    assert books.errors == []
    # The statement follows on from the books' November closing balance; its own entries
    # are -12480.00 + 7500.00 - 3596.51 - 95.50 (and a pending one that is skipped).
    opening = account_balance(before, BANK, datetime.date(2026, 11, 30))
    closing = [e.amount.number for e in books.entries if isinstance(e, data.Balance)
               and e.account == BANK and e.date.isoformat() == "2027-01-01"]
    assert closing == [opening - Decimal("12480.00") + Decimal("7500.00")
                       - Decimal("3596.51") - Decimal("95.50")]
    # The loan repayment (OCR 20250106 of L-2025-01), split by the fund and mirrored.
    (repayment,) = [e for e in books.transactions
                    if e.meta.get("bank-ref") == "SWED-20261230-000612"]
    assert repayment.links == {"L-2025-01"}
    parts = split_repayment(before, "L-2025-01", datetime.date(2026, 12, 30),
                            Decimal("3596.51"))
    amounts = {p.account: p.units.number for p in repayment.postings if p.units}
    assert amounts["Expenses:Kafe:8410-Räntekostnader-medlemslån"] == parts["interest"]
    assert amounts["Liabilities:Kafe:2390-Lån-från-fonden"] == parts["principal"]
    assert parts["interest"] + parts["principal"] == Decimal("3596.51")
    assert amounts["Assets:Fonden:1380-Lånefordringar-medlemmar"] == -parts["principal"]
    assert amounts["Income:Fonden:8250-Ränteintäkter-medlemslån"] == -parts["interest"]
    assert amounts["Assets:Fonden:1930-Företagskonto"] == Decimal("3596.51")
    written = {p: p.read_text(encoding="utf-8") for p in copy.rglob("*.beancount")}
    assert main(argv) == 0
    assert "0 new entries" in capsys.readouterr().out
    assert {p: p.read_text(encoding="utf-8") for p in copy.rglob("*.beancount")} == written
    assert not (EXAMPLE / "imports").exists()
