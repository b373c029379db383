"""The fund's capital base is split one way, whether or not an earlier year was closed:
the board pack (written before the year-end) and the Fonden page (read after it) agree."""

from __future__ import annotations

import datetime

from beancount.core import data

from coopledger.books import books_from_entries, load_books
from coopledger.fund import capital_lines, fund_report
from tests.conftest import ROOT

EXAMPLE = ROOT / "ledgers" / "example" / "main.beancount"


def test_the_split_does_not_depend_on_the_year_end() -> None:
    closed = load_books(EXAMPLE)
    year_ends = [e for e in closed.transactions if "year-end" in e.meta]
    assert year_ends, "the example closes 2025"
    unclosed = books_from_entries(
        closed.path, [e for e in closed.entries
                      if not (isinstance(e, data.Transaction) and "year-end" in e.meta)],
        closed.errors, closed.options)
    for day in (datetime.date(2026, 1, 31), datetime.date(2026, 10, 31)):
        after, before = fund_report(closed, day), fund_report(unclosed, day)
        assert capital_lines(after) == capital_lines(before), day
        lines = {line.key: line.amount for line in capital_lines(after)}
        assert lines["contributions"] + lines["income_kept"] + lines["losses"] \
            == lines["capital_base"]
        assert lines["cash"] + lines["committed"] == lines["available"]
    # the year's losses are this year's: 2026's provisions and write-offs less recoveries
    assert fund_report(closed, datetime.date(2026, 10, 31)).losses > 0
