"""``coopledger purchase LEDGER ...``: split one joint supplier invoice over members.

The umbrella receives the invoice; each member takes its share of the net amount and of
the input VAT by one key (quantities or shares). ``--rebate`` books a credit note on a
joint purchase by the same key. The entry is printed and, unless ``--dry-run``, appended
to ``<ledger dir>/purchases/YYYY-MM.beancount`` (included from the main file); an invoice
already booked (same ``coop-id``) is not written again.
"""

from __future__ import annotations

import argparse
import datetime
import sys

from coopledger.cli.common import load_clean_books
from coopledger.errors import CoopException
from coopledger.files import FileTransaction
from coopledger.money import parse_amount
from coopledger.services.entries import parse_weights, render, split_new
from coopledger.services.output import stage_month_entries
from coopledger.services.purchases import joint_purchase_entry


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``purchase`` subcommand."""
    parser = subparsers.add_parser(
        "purchase", help="split a joint supplier invoice (or rebate) over members",
        description="Split one supplier invoice received by the umbrella over members by "
                    "quantity or share, net and VAT separately, exact to the öre.")
    parser.add_argument("ledger", help="the main ledger file")
    parser.add_argument("--date", required=True, help="invoice date, YYYY-MM-DD")
    parser.add_argument("--supplier", required=True, help="the supplier's name")
    parser.add_argument("--invoice", required=True, help="the invoice or credit note number")
    parser.add_argument("--net", required=True, help="amount excluding VAT, e.g. 12000.00")
    parser.add_argument("--vat", required=True, help="VAT amount, e.g. 3000.00")
    parser.add_argument("--split", required=True,
                        help='the key, member:quantity pairs: "Kafe:30 Snickeri:10"')
    parser.add_argument("--account", default="4010",
                        help="the members' cost account, BAS number (default 4010)")
    parser.add_argument("--rebate", action="store_true",
                        help="a rebate or credit note: credit the members' costs and VAT")
    parser.add_argument("--dry-run", action="store_true",
                        help="print the entry, write nothing")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Compute, print and (unless a dry run) write the split entry."""
    try:
        date = datetime.date.fromisoformat(args.date)
        net, vat = parse_amount(args.net), parse_amount(args.vat)
        weights = parse_weights(args.split)
    except ValueError as exc:
        raise CoopException(str(exc)) from None
    books = load_clean_books(args.ledger)
    entry = joint_purchase_entry(books, date=date, supplier=args.supplier,
                                 invoice=args.invoice, net=net, vat=vat, weights=weights,
                                 expense_bas=args.account, rebate=args.rebate)
    new, stale = split_new(books, [entry])
    for item in stale:
        print(f"warning: {item.message()}", file=sys.stderr)
    if not new:
        print(f"invoice {args.invoice}: already booked; nothing new to write", file=sys.stderr)
        return 0
    tx = FileTransaction()  # staging asks the period lock, for a dry run too
    target = stage_month_entries(tx, books, "purchases", f"{date:%Y-%m}", new,
                                 f"Joint purchases, {date:%Y-%m}")
    print(render(new), end="")
    if args.dry_run:
        return 0
    tx.commit()
    print(f"invoice {args.invoice}: wrote {target}", file=sys.stderr)
    return 0
