"""The close page's filing calendar block, through Fava itself and as figures."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

from coopledger.books import Books
from coopledger.fava_ext.due_view import due_view
from tests.fava_ext.test_pages import get, ledger


def test_close_page_shows_every_entitys_next_filings(tmp_path: Path,
                                                     board_books: Books) -> None:
    html = get(ledger(tmp_path), "CoopClose/")
    block = re.search(r'<table data-testid="close-due">(.*?)</table>', html, re.S)
    assert block is not None
    assert "Deklarationer" in html
    shown = set(re.findall(r'<tr data-entity="([^"]+)">', block[1]))
    assert shown == set(board_books.entities)
    (tmp_path / "en").mkdir()
    english = get(ledger(tmp_path / "en", extra='\n2025-01-01 custom "fava-option" '
                         '"language" "en"\n'), "CoopClose/")
    assert "Filings" in english
    assert "Deklarationer" not in english


def test_block_figures_as_of_a_day(board_books: Books) -> None:
    view = due_view(board_books, "sv", datetime.date(2025, 4, 1))
    assert view.t["title"] == "Deklarationer"
    rows = {row.entity.code: row for row in view.rows}
    umbrella = rows["Paraply"].vat
    assert umbrella is not None
    assert umbrella.period.label == "2025-Q1"
    assert umbrella.due == datetime.date(2025, 5, 12)
    assert not umbrella.closed
    assert rows["Kafe"].files_with == "Paraply"  # a unit in these books: no orgnr
    assert due_view(board_books, "en", datetime.date(2025, 4, 1)).t["title"] == "Filings"
