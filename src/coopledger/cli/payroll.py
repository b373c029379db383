"""``coopledger payroll LEDGER PAYROLL.csv [--dry-run]``: book a payroll export.

Reads the payroll CSV (columns in :mod:`coopledger.services.payroll`), computes one entry
per employee and month with employer contributions and vacation pay accrual, prints the
entries not yet booked and, unless ``--dry-run``, appends them to
``<ledger dir>/payroll/YYYY-MM.beancount`` (included from the main file). A malformed row
stops everything with one line naming the file and row; a second run writes nothing.
"""

from __future__ import annotations

import argparse
import sys

from coopledger.cli.common import load_clean_books
from coopledger.files import FileTransaction
from coopledger.services import payroll_entries, read_payroll_csv, split_new
from coopledger.services.entries import render
from coopledger.services.output import stage_month_entries


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``payroll`` subcommand."""
    parser = subparsers.add_parser(
        "payroll", help="book a payroll CSV export (salaries, contributions, vacation pay)",
        description="Book a payroll export: one entry per employee and month, written to "
                    "payroll/YYYY-MM.beancount beside the ledger.")
    parser.add_argument("ledger", help="the main ledger file")
    parser.add_argument("csv", help="the payroll export (UTF-8 CSV)")
    parser.add_argument("--dry-run", action="store_true",
                        help="print the entries, write nothing")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Read, compute, print and (unless a dry run) write the payroll journal."""
    rows = read_payroll_csv(args.csv)
    books = load_clean_books(args.ledger)
    new, stale = split_new(books, payroll_entries(books, rows))
    for item in stale:
        print(f"warning: {item.message()}", file=sys.stderr)
    if not new:
        print(f"{args.csv}: nothing new to write", file=sys.stderr)
        return 0
    tx = FileTransaction()  # staging asks the period lock, for a dry run too
    labels = sorted({str(entry.meta["period"]) for entry in new})
    targets = [stage_month_entries(tx, books, "payroll", label,
                                   [e for e in new if e.meta["period"] == label],
                                   f"Payroll journal for {label}")
               for label in labels]
    print(render(new), end="")
    if args.dry_run:
        print(f"{args.csv}: {len(new)} entries (dry run, nothing written)", file=sys.stderr)
        return 0
    tx.commit()
    for target in targets:
        print(f"wrote {target}", file=sys.stderr)
    print(f"{args.csv}: wrote {len(new)} entries", file=sys.stderr)
    return 0
