"""Year-end closes of consecutive years: the daily books follow the newest one."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

from coopledger.books import load_books
from coopledger.close import close_month
from coopledger.close.yearend import DAILY_FILE, close_year
from coopledger.close.yearseal import closing_balances, closing_balances_at
from coopledger.plugins.seals import SealError
from tests.conftest import load_text

YEARS = (2024, 2025, 2026)
HEADER = """option "operating_currency" "SEK"
plugin "coopledger.plugins.entities"
plugin "coopledger.plugins.seals"

2024-01-01 custom "coop-entity" "Kafe"
  name: "Kafé Linnéa"
  kind: "member"
2024-01-01 open Assets:Kafe:1510-Kundfordringar SEK
  bas: "1510"
2024-01-01 open Income:Kafe:3002-Försäljning-12 SEK
  bas: "3002"
2024-01-01 open Equity:Kafe:2091-Balanserad-vinst SEK
  bas: "2091"
2024-01-01 open Equity:Kafe:2099-Årets-resultat SEK
  bas: "2099"
"""


def write_books(folder: Path) -> Path:
    """A main file and one transactions file per year: a sale on the 15th of every month."""
    main = folder / "main.beancount"
    includes = []
    for year in YEARS:
        lines = [f'{year}-{month:02d}-15 * "Kund" "Försäljning {year}-{month:02d}"\n'
                 f"  Assets:Kafe:1510-Kundfordringar  {100 * month + year % 100}.00 SEK\n"
                 f"  Income:Kafe:3002-Försäljning-12\n" for month in range(1, 13)]
        (folder / f"{year}.beancount").write_text("\n".join(lines), encoding="utf-8")
        includes.append(f'include "{year}.beancount"\n')
    main.write_text(HEADER + "".join(includes), encoding="utf-8")
    return main


def test_two_year_ends_in_a_row_keep_both_books_clean(tmp_path: Path) -> None:
    main = write_books(tmp_path)
    for year in YEARS[:2]:
        for month in range(1, 13):
            report = close_month(main, f"{year}-{month:02d}")
            assert report.status == "closed", report.failure
        closed = close_year(main, year)
        assert closed.status == "closed", closed.failure
    full = load_books(main)
    daily = load_books(tmp_path / DAILY_FILE)
    assert full.errors == []
    assert daily.errors == []
    assert {e.date.year for e in daily.transactions if "opening-balances" not in e.meta} == \
        {2026}
    receivable = "Assets:Kafe:1510-Kundfordringar"
    total = sum(100 * m + y % 100 for y in YEARS for m in range(1, 13))
    for books in (full, daily):
        assert sum(p.units.number for e in books.transactions for p in e.postings
                   if p.account == receivable and p.units and p.units.number) == total

    # The full books still prove the oldest seal: an edit in 2024 is reported.
    oldest = tmp_path / "2024.beancount"
    oldest.write_text(oldest.read_text(encoding="utf-8").replace("124.00 SEK", "125.00 SEK"),
                      encoding="utf-8")
    messages = [e.message for e in load_books(main).errors if isinstance(e, SealError)]
    assert any("2024" in m for m in messages), messages



def test_balances_at_every_year_end_in_one_pass_are_those_of_one_pass_per_end() -> None:
    """The year-seal check sums once for all ends; the sums are those of each end alone,
    for entries in date order (as loaded) and in any other order."""
    entries = load_text("""
        2024-01-01 open Assets:Bank
        2024-01-01 open Assets:Kassa
        2024-01-01 open Income:Sales
        2024-06-30 * "a"
          Assets:Bank  100.10 SEK
          Income:Sales
        2024-12-31 * "b"
          Assets:Kassa  0.05 EUR
          Income:Sales
        2025-01-01 * "c"
          Assets:Bank  -100.10 SEK
          Income:Sales
        2025-07-01 * "d"
          Assets:Bank  7 SEK
          Income:Sales
    """).entries
    ends = [datetime.date(2024, 1, 1), datetime.date(2025, 1, 1), datetime.date(2025, 1, 2),
            datetime.date(2025, 1, 2), datetime.date(2030, 1, 1)]
    expected = {end: closing_balances(entries, end) for end in ends}
    assert expected[datetime.date(2025, 1, 2)] == {  # the SEK movements cancel out
        ("Assets:Kassa", "EUR"): Decimal("0.05"), ("Income:Sales", "EUR"): Decimal("-0.05")}
    assert closing_balances_at(entries, ends) == expected
    assert closing_balances_at(entries[::-1], ends) == expected
