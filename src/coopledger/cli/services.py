"""``coopledger services LEDGER YYYY-MM [--dry-run]``: the month's service entries.

Computes the month's service fees, cost allocations, rent, depreciation and wage-subsidy
claims from the declarations in the books, prints the entries not yet booked and, unless
``--dry-run``, appends them to ``<ledger dir>/services/YYYY-MM.beancount`` (included from
the main file). A second run writes nothing. Book the month's payroll first: subsidy
claims and headcount keys are computed from it.
"""

from __future__ import annotations

import argparse
import sys

from coopledger.cli.common import load_clean_books
from coopledger.errors import CoopException
from coopledger.files import FileTransaction
from coopledger.periods import parse_period
from coopledger.services import computed_entries, split_new
from coopledger.services.entries import render
from coopledger.services.output import stage_month_entries


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``services`` subcommand."""
    parser = subparsers.add_parser(
        "services", help="write the month's fees, allocations, rent and subsidy claims",
        description="Compute the month's service fees, cost allocations, rent, "
                    "depreciation and wage-subsidy claims; print the new ones and append "
                    "them to services/YYYY-MM.beancount beside the ledger.")
    parser.add_argument("ledger", help="the main ledger file")
    parser.add_argument("month", help="the month, YYYY-MM")
    parser.add_argument("--dry-run", action="store_true",
                        help="print the entries, write nothing")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Compute, print and (unless a dry run) write the month's service entries."""
    period = parse_period(args.month)
    if len(period.months()) != 1:
        raise CoopException(f"{args.month}: give one month, YYYY-MM")
    books = load_clean_books(args.ledger)
    new, stale = split_new(books, computed_entries(books, period))
    for item in stale:
        print(f"warning: {item.message()}", file=sys.stderr)
    if not new:
        print(f"{period.label}: nothing new to write", file=sys.stderr)
        return 0
    tx = FileTransaction()  # staging asks the period lock, for a dry run too
    target = stage_month_entries(tx, books, "services", period.label, new,
                                 f"Service entries for {period.label}")
    print(render(new), end="")
    if args.dry_run:
        print(f"{period.label}: {len(new)} entries (dry run, nothing written)",
              file=sys.stderr)
        return 0
    tx.commit()
    print(f"{period.label}: wrote {len(new)} entries to {target}", file=sys.stderr)
    return 0
