"""Give the example books what a board decides with: a budget for 2026, a threshold.

Run from the repository root after ``scripts/example_services.py`` (and before the
closes, which seal the budget's month)::

    python scripts/example_board.py

It writes ``ledgers/example/board.beancount``: for every entity (the members, the
umbrella and the fund) and every income and expense account it had in 2025, Fava's
``custom "budget"`` directive for 2026, monthly, in the books' own sign: the 2025
monthly average, income up 4 % and costs up 3 %, rounded to whole hundreds; and one
``coop-thresholds`` declaration (Omsorg's customer, the municipality, pays every month,
so two months of costs in cash are enough there). Running it again gives the same bytes.
"""

from __future__ import annotations

import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from coopledger.balances import changes
from coopledger.books import load_books
from coopledger.files import read_text
from coopledger.periods import fiscal_year

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "ledgers" / "example"
MAIN = OUT / "main.beancount"
NAME = "board.beancount"
GROWTH = {"Income": Decimal("1.04"), "Expenses": Decimal("1.03")}
HUNDRED = Decimal(100)


def budget_text() -> str:
    """The budget directives, from the books as they are now."""
    books = load_books(MAIN)
    last_year = fiscal_year(2025)
    lines = ["; Budget 2026 per enhet: 2025 års månadssnitt, intäkter +4 %, kostnader +3 %.",
             "; Written by scripts/example_board.py. Fava's own directive: its reports show",
             "; the budget too; coopledger report --compare budget sets it beside the result.",
             ""]
    for entity in books.entities.values():
        for account, amount in changes(books, last_year, entity=entity.code).items():
            root = account.split(":", 1)[0]
            if root not in GROWTH:
                continue
            monthly = (amount / 12 * GROWTH[root] / HUNDRED).quantize(
                Decimal(1), rounding=ROUND_HALF_UP) * HUNDRED
            if monthly:
                lines.append(f'2026-01-01 custom "budget" {account} "monthly" '
                             f"{monthly:.2f} {books.operating_currency}")
    lines += ["", "; Omsorg's customer, the municipality, pays every month: two months of costs",
              "; in cash are enough there (the default is three; docs/ratios.md).",
              '2026-01-01 custom "coop-thresholds" "Omsorg"', "  cash-months-good: 2"]
    return "\n".join(lines) + "\n"


def main() -> int:
    """Write the budgets and include them from the main file once."""
    (OUT / NAME).write_text("", encoding="utf-8")
    text = read_text(MAIN)
    if f'include "{NAME}"' not in text:
        MAIN.write_text(text + ("" if text.endswith("\n") else "\n") + f'include "{NAME}"\n',
                        encoding="utf-8")
    (OUT / NAME).write_text(budget_text(), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
