"""Build the example umbrella's books from nothing, every step in order.

1. ``make_example.py``: declarations, charts, opening balances and the base books
   (sales, purchases, VAT, shared costs, a cross-entity payment a month), 2025-01 to
   2026-11.
2. ``example_fund.py``: member capital and the fund's loans in every state.
3. ``example_services.py``: service declarations, payroll exports booked with
   ``coopledger payroll`` and the month's services with ``coopledger services``,
   2025-01 to 2026-10, and their bank side.
4. ``example_invoicing.py``: a member e-invoicing its municipality every month, paid by
   camt.054, and its suppliers paid by pain.001 files.
   ``example_board.py``: every entity's budget for 2026 (Fava's budget directives) and
   a threshold for the key ratios.
5. Bank balance assertions for every month end, from the finished books.
6. ``coopledger close`` for every month from 2025-01 to 2026-10 (the last with
   ``--pdf``: its board pack printed), then the year-end close of 2025. November 2026
   stays open: it is the month the README closes as a dry run.

Run from the repository root (takes about a minute)::

    python scripts/build_example.py
"""

from __future__ import annotations

import datetime
import re
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

from coopledger.cli import main as coopledger

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "ledgers" / "example"
MAIN = OUT / "main.beancount"
SCRIPTS = ROOT / "scripts"
CLOSED_MONTHS = [f"2025-{m:02d}" for m in range(1, 13)] + [f"2026-{m:02d}" for m in range(1, 11)]


def step(script: str) -> None:
    """Run a sibling script; stop the build if it fails."""
    print(f"== {script}", flush=True)
    subprocess.run([sys.executable, str(SCRIPTS / script)], check=True, cwd=ROOT)  # noqa: S603


def command(*args: str) -> None:
    """Run a coopledger command in this process; stop the build if it fails."""
    status = coopledger(list(args))
    if status != 0:
        raise SystemExit(f"coopledger {' '.join(args)} failed with status {status}")


STATEMENT = OUT / "bank" / "kafe-2026-12.camt053.xml"
_BALANCE = re.compile(r"(<Cd>(OPBD|CLBD)</Cd>.*?<Amt Ccy=\"SEK\">)([0-9.]+)(</Amt>)", re.S)


def refresh_statement(opening: Decimal) -> None:
    """Make the example camt.053 for December open at the books' November closing balance.

    The statement's entries stay as they are; its opening and closing balances move by the
    same amount, so that the statement follows on from the example books however they are
    generated.
    """
    text = STATEMENT.read_text(encoding="utf-8")
    found = {m[2]: Decimal(m[3]) for m in _BALANCE.finditer(text)}
    shift = opening - found["OPBD"]
    text = _BALANCE.sub(lambda m: f"{m[1]}{Decimal(m[3]) + shift:.2f}{m[4]}", text)
    STATEMENT.write_text(text, encoding="utf-8")


def main() -> int:
    """Rebuild ``ledgers/example`` from scratch."""
    for generated in ("closing", "boardpack", "payroll", "services", "transactions", "coops",
                      "imports"):
        shutil.rmtree(OUT / generated, ignore_errors=True)
    for old in OUT.glob("*.beancount"):
        old.unlink()
    step("make_example.py")
    step("example_fund.py")
    step("example_services.py")
    step("example_invoicing.py")
    step("example_board.py")
    sys.path.insert(0, str(SCRIPTS))
    import make_example  # a sibling script, not an installed module

    assertions = OUT / "bank-balances.beancount"
    assertions.write_text("", encoding="utf-8")
    assertions.write_text(make_example.bank_assertions_text(MAIN), encoding="utf-8")
    for month in CLOSED_MONTHS:
        print(f"== close {month}", flush=True)
        # The last closed month's pack is printed too (A4 PDF, by Chromium).
        command("close", str(MAIN), month, *(["--pdf"] if month == CLOSED_MONTHS[-1] else []))
    command("close", str(MAIN), "--year", "2025")
    from coopledger.balances import account_balance
    from coopledger.books import load_books

    refresh_statement(account_balance(load_books(MAIN), "Assets:Kafe:1930-Företagskonto",
                                      datetime.date(2026, 11, 30)))
    command("check", str(MAIN))
    return 0


if __name__ == "__main__":
    from coopledger.cli import command_process

    # As the coopledger command does for its process: no pickle cache beside the books.
    with command_process():
        status = main()
    sys.exit(status)
