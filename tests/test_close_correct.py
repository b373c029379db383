"""Corrections: a new entry in an open month, linked to the voucher it corrects."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from coopledger.books import load_books
from coopledger.cli import main as cli
from coopledger.close import close_month
from coopledger.close.correct import correction_entry, find_voucher, stage_correction
from coopledger.errors import CoopException
from tests.test_close_month import SAMPLE, account_totals, write_ledger

WRONG = "Expenses:Kafe:4010-Inköp"
RIGHT = "Income:Kafe:3001-Försäljning"


def test_correction_moves_the_amount_and_is_numbered_by_the_next_close(tmp_path: Path) -> None:
    main = write_ledger(tmp_path, SAMPLE)
    close_month(main, "2025-01")
    books = load_books(main)
    # Kafe's purchase of 800.00, paid by the umbrella on 2025-01-09: Kafe's 3rd voucher
    original = find_voucher(books, "Kafe:A-2025-0003")
    assert original.date == datetime.date(2025, 1, 9)
    status = cli(["correct", str(main), "Kafe:A-2025-0003",
                  "--by", "Anna Berg", "--date", "2025-02-10",
                  "--move", f"{WRONG}={RIGHT}"])
    assert status == 0
    after = load_books(main)
    assert after.errors == []
    totals = account_totals(after)
    assert WRONG not in totals  # 800.00 booked, 800.00 moved away
    assert totals[RIGHT] == Decimal("-1234.50") + Decimal("800.00")
    (correction,) = [e for e in after.transactions if "corrects" in e.meta]
    assert correction.meta["corrects"] == "Kafe:A-2025-0003"
    assert correction.meta["corrected-by"] == "Anna Berg"
    assert close_month(main, "2025-02").status == "closed"
    numbered = load_books(main)
    (correction,) = [e for e in numbered.transactions if "corrects" in e.meta]
    # Kafe's January: 0001 opening, 0002 sale, 0003 purchase; in February the correction
    # (02-10) comes before the umbrella's purchase paid by Kafe (02-14)
    assert correction.meta["ver"] == "Kafe:A-2025-0004"


def test_correction_in_a_sealed_month_is_refused(tmp_path: Path) -> None:
    main = write_ledger(tmp_path, SAMPLE)
    close_month(main, "2025-01")
    books = load_books(main)
    entry = correction_entry(find_voucher(books, "Kafe:A-2025-0002"), "Kafe:A-2025-0002",
                             datetime.date(2025, 1, 20), "Anna Berg")
    with pytest.raises(CoopException, match="2025-01 is sealed"):
        stage_correction(books, entry)


def test_reversal_negates_every_written_posting(tmp_path: Path) -> None:
    main = write_ledger(tmp_path, SAMPLE)
    close_month(main, "2025-01")
    books = load_books(main)
    original = find_voucher(books, "Paraply:A-2025-0002")
    entry = correction_entry(original, "Paraply:A-2025-0002", datetime.date(2025, 2, 3), "X")
    written = [(p.account, p.units) for p in original.postings
               if (p.meta or {}).get("generated-by") is None]
    assert [(p.account, -p.units) for p in entry.postings if p.units] == written
    with pytest.raises(CoopException, match="no transaction has voucher id"):
        find_voucher(books, "Kafe:A-2025-0099")
