"""The member page shows receivables and payables by age; the preflight warns of old ones."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

from coopledger.close.preflight import check_overdue
from tests.conftest import load_text
from tests.fava_ext.test_pages import get, ledger
from tests.invoicing.books import ledger_text

OPEN_ITEMS = """
2025-09-01 * "Linköpings kommun" "Faktura S-1"
  invoice: "S-1"
  customer: "Kommunen"
  due: 2025-10-01
  Assets:Stad:1510-Kundfordringar  1250.00 SEK
  Income:Stad:3001-Försäljning-25  -1000.00 SEK
  Liabilities:Stad:2611-Utgående-moms-25  -250.00 SEK

2025-12-20 * "Grossisten" "Leverantörsfaktura 7"
  invoice: "7"
  supplier: "Grossisten"
  due: 2026-01-20
  Expenses:Stad:4010-Inköp-varor-och-material  400.00 SEK
  Liabilities:Stad:2440-Leverantörsskulder  -400.00 SEK
"""


def _cells(html: str, testid: str) -> list[list[str]]:
    table = re.search(rf'data-testid="{testid}">(.*?)</table>', html, re.S)
    assert table, f"no table {testid}"
    return [[re.sub(r"<[^>]+>|\s", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row,
                                                                 re.S)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table[1], re.S) if "<td" in row]


def test_member_page_shows_ledgers_by_age(tmp_path: Path) -> None:
    html = get(ledger(tmp_path, extra=OPEN_ITEMS), "CoopMember/?entity=Stad&time=2025")
    # On 2025-12-31 the sale due 2025-10-01 is 91 days overdue; the purchase is not due.
    assert _cells(html, "member-receivables") == [
        ["Kommunen", "0", "0", "0", "0", "1250", "1250"],
        ["Summa", "0", "0", "0", "0", "1250", "1250"]]
    assert _cells(html, "member-payables") == [
        ["Grossisten", "400", "0", "0", "0", "0", "400"],
        ["Summa", "400", "0", "0", "0", "0", "400"]]


def test_preflight_warns_of_invoices_over_90_days(tmp_path: Path) -> None:
    books = load_text(ledger_text() + OPEN_ITEMS)
    assert not books.errors
    january = check_overdue(books, datetime.date(2026, 1, 1))
    assert january.ok
    assert january.details == ["warning: Stad customer invoice S-1 (Kommunen), 1250.00 "
                               "open, 91 days overdue"]
    october = check_overdue(books, datetime.date(2025, 11, 1))
    assert october.ok
    assert not any(line.startswith("warning:") for line in october.details)
