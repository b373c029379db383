"""A pack of a month that is not closed draws that month as preliminary in every chart:
the members' results (bars) and the fund's portfolio and PAR (lines), on the example books.
"""

from __future__ import annotations

import datetime
import re

import pytest

from coopledger.books import Books
from coopledger.close.boardpack import board_pack_files, board_pack_print_html
from coopledger.close.fundpage import fund_html
from coopledger.close.preflight import preflight
from tests.charts import SVG, assert_drawn_preliminary

CLOSED, OPEN = "2026-10", "2026-11"


@pytest.fixture
def books(example_books: Books) -> Books:
    return example_books


def test_the_open_month_is_drawn_preliminary_in_the_pack(books: Books) -> None:
    checks = preflight(books, datetime.date(2026, 11, 1), datetime.date(2026, 12, 1))
    files = board_pack_files(books, OPEN, checks, final=False)
    index = next(text for path, text in files.items() if path.name == "index.html")
    # six members' bars and the fund's two line charts
    assert assert_drawn_preliminary(index, OPEN) == 8
    printed = board_pack_print_html(books, OPEN, checks, final=False)
    assert assert_drawn_preliminary(printed, OPEN) >= 1


def test_the_fund_page_draws_the_open_month_preliminary(books: Books) -> None:
    page, _ = fund_html(books, OPEN, "sv", final=False)
    assert assert_drawn_preliminary(page, OPEN) == 2
    assert re.findall(r'data-testid="(fund-[a-z]+)"', page) == ["fund-portfolio", "fund-par"]


def test_a_closed_month_is_drawn_final(books: Books) -> None:
    checks = preflight(books, datetime.date(2026, 10, 1), datetime.date(2026, 11, 1))
    files = board_pack_files(books, CLOSED, checks)
    index = next(text for path, text in files.items() if path.name == "index.html")
    charts = SVG.findall(index)
    assert len(charts) == 8
    for chart in charts:
        assert "preliminär" not in chart
        assert "coop-preliminary" not in chart
        assert "coop-prelim-band" not in chart
