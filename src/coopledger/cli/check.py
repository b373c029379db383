"""``coopledger check LEDGER``: Beancount's checks plus coopledger's, one line per error.

coopledger's include the budget directives (:func:`coopledger.compare.read_budgets`).
"""

from __future__ import annotations

import argparse
import sys
import time

from coopledger.books import ENTITIES_PLUGIN, load_books, uses_entities_plugin
from coopledger.compare import read_budgets
from coopledger.errors import format_error


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``check`` subcommand."""
    parser = subparsers.add_parser(
        "check", help="load the books and report every error as file:line: message",
        description="Load the ledger with Beancount and coopledger's plugins; print each "
                    "error as file:line: message. Exit 1 on any error.")
    parser.add_argument("ledger", help="the main ledger file")
    parser.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Check the books; return 1 if there is any error."""
    started = time.perf_counter()
    books = load_books(args.ledger)
    lines = [format_error(error) for error in books.errors]
    # Budgets are Fava's directives, not coopledger's declarations: checked here.
    lines += [format_error(error) for error in read_budgets(books)[1]]
    if not uses_entities_plugin(books.options):
        lines.append(f"{books.path}: the ledger does not load coopledger's checks; add "
                     f'plugin "{ENTITIES_PLUGIN}"')
    for line in lines:
        print(line)
    if not args.quiet:
        elapsed = time.perf_counter() - started
        txns = len(books.transactions)
        verdict = "no errors" if not lines else f"{len(lines)} error(s)"
        print(f"{books.path}: {len(books.entities)} entities, {txns} transactions, "
              f"{verdict} ({elapsed:.1f} s)", file=sys.stderr)
    return 1 if lines else 0
