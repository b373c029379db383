"""The close page: statuses from coopledger.close, board packs from disk, broken seals."""

from __future__ import annotations

import re
from pathlib import Path

from coopledger.books import load_books
from coopledger.close import close_status
from coopledger.fava_ext.close_view import board_pack_file, close_view, read_board_packs
from coopledger.periods import parse_period
from tests.fava_ext.conftest import close_copy


def test_sealed_months_with_board_packs(closed_ledger: Path) -> None:
    books = load_books(closed_ledger)
    assert not books.errors
    packs = read_board_packs(closed_ledger)
    assert sorted(packs) == ["2025-01", "2025-02", "2025-03"]
    assert all(files[0] == "index.html" for files in packs.values())
    view = close_view(close_status(books), packs, parse_period("2025"))
    states = {m.month: m.state for m in view.months}
    assert [m.month for m in view.months][:2] == ["2025-12", "2025-11"]
    assert states["2025-01"] == states["2025-03"] == "sealed"
    assert states["2025-04"] == "open"
    assert view.counts == {"open": 9, "sealed": 3}
    april = next(m for m in view.months if m.month == "2025-04")
    assert april.checks  # the next month to close is checked
    assert april.failed == 0
    assert next(m for m in view.months if m.month == "2025-02").board_pack == packs["2025-02"]


def test_period_limits_the_months(closed_ledger: Path) -> None:
    books = load_books(closed_ledger)
    view = close_view(close_status(books), read_board_packs(closed_ledger),
                      parse_period("2025-Q1"))
    assert [m.month for m in view.months] == ["2025-03", "2025-02", "2025-01"]


def test_broken_seal_is_shown(tmp_path: Path) -> None:
    path = close_copy(tmp_path, "2025-01..2025-02")
    text = path.read_text(encoding="utf-8")
    changed = re.sub(r"(2025-01-08 \* \"Grossisten\" \"Inköp Kafe\"\n(?:  .*\n)*?"
                     r"  Expenses:Kafe:4010-Inköp-varor-och-material  )8100.00",
                     r"\g<1>8150.00", text, count=1)
    assert changed != text
    path.write_text(changed, encoding="utf-8")
    books = load_books(path)
    view = close_view(close_status(books), read_board_packs(path), parse_period("2025"))
    january = next(m for m in view.months if m.month == "2025-01")
    assert january.state == "seal broken"
    assert january.failed == 1


def test_board_pack_file_stays_inside_the_packs(closed_ledger: Path) -> None:
    assert board_pack_file(closed_ledger, "2025-01", "index.html") == (
        closed_ledger.parent / "boardpack" / "2025-01" / "index.html")
    assert board_pack_file(closed_ledger, "2025-01", "../main.beancount") is None
    assert board_pack_file(closed_ledger, "..", "main.beancount") is None
    assert board_pack_file(closed_ledger, "2025-13", "index.html") is None
    assert board_pack_file(closed_ledger, "2025-05", "index.html") is None
    assert read_board_packs(closed_ledger.parent / "elsewhere" / "main.beancount") == {}
