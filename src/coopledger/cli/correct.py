"""``coopledger correct LEDGER VOUCHER --by NAME``: book a correction in an open month.

Writes the reversal of the voucher (or, with ``--move OLD=NEW``, moves its amounts from
one account to another; or, with ``--amount``, its reversal plus a new entry with the
right amounts, the two linked ``^corr-<voucher>``) dated today or ``--date``, into
``corrections/YYYY-MM.beancount``, linked to the original by ``corrects:`` and its links.
Accounts are full names or BAS numbers of the voucher's entity. See docs/close.md.
"""

from __future__ import annotations

import argparse
import datetime
from decimal import Decimal

from coopledger.errors import CoopException
from coopledger.money import parse_amount


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``correct`` subcommand."""
    parser = subparsers.add_parser(
        "correct", help="book a correction (rättelse) of a voucher in an open month",
        description="Book a new entry correcting a voucher: its reversal, or with --move "
                    "its amounts moved to the right account. Sealed entries are never "
                    "edited; the correction is dated in an open month.")
    parser.add_argument("ledger", help="the main ledger file")
    parser.add_argument("voucher", help="the voucher id to correct, e.g. Kafe:A-2026-0042")
    parser.add_argument("--by", required=True, help="who makes the correction")
    parser.add_argument("--date", type=datetime.date.fromisoformat,
                        help="the correction's date, YYYY-MM-DD (default: today)")
    parser.add_argument("--move", action="append", default=[], metavar="OLD=NEW",
                        help="move the voucher's amounts on OLD to NEW instead of "
                             "reversing the whole voucher (repeatable); accounts by name "
                             "or BAS number, e.g. 4010=5410")
    parser.add_argument("--amount", action="append", default=[],
                        metavar="[ACCOUNT=]AMOUNT",
                        help="the right amount: reverse the voucher and book it again with "
                             "it (a plain amount on a two-posting voucher, else "
                             "ACCOUNT=AMOUNT per posting that changes; repeatable)")
    parser.add_argument("--reason", default="", help="what was wrong (for the narration)")
    parser.add_argument("--dry-run", action="store_true", help="print it; write nothing")
    parser.set_defaults(run=run)


def _today() -> datetime.date:
    """Today in the machine's local time zone (the day the error was found)."""
    return datetime.datetime.now(tz=datetime.UTC).astimezone().date()


def run(args: argparse.Namespace) -> int:
    """Book the correction; return 1 when the books have errors."""
    from coopledger.cli.common import load_clean_books
    from coopledger.close.computed import render_entry
    from coopledger.close.correct import (
        amended_entry,
        amount_changes,
        correction_entry,
        correction_link,
        find_voucher,
        resolve_account,
        stage_correction,
    )

    if args.move and args.amount:
        raise CoopException("give --move or --amount, not both: correct one thing at a time")
    books = load_clean_books(args.ledger)
    original = find_voucher(books, args.voucher)
    code = args.voucher.partition(":")[0]
    own = [p.account for p in original.postings]
    moves: dict[str, str] = {}
    for item in args.move:
        old, sep, new = item.partition("=")
        if not sep or not old or not new:
            raise CoopException(f"--move {item!r}: write OLD=NEW (account names or BAS "
                                "numbers)")
        try:
            moves[resolve_account(books, code, old, own)] = resolve_account(books, code, new)
        except CoopException as exc:
            raise CoopException(f"--move {item!r}: {exc.message}") from None
    changes: dict[str, Decimal] = {}
    for item in args.amount:
        account, sep, value = item.rpartition("=")
        try:
            number = parse_amount(value)
            key = resolve_account(books, code, account, own) if sep else ""
        except (ValueError, CoopException) as exc:
            raise CoopException(f"--amount {item!r}: {getattr(exc, 'message', exc)}") from None
        changes[key] = number
    date = args.date or _today()
    entry = correction_entry(original, args.voucher, date, args.by, moves or None,
                             args.reason)
    entries = [entry]
    if changes:
        link = frozenset({correction_link(args.voucher)})
        amended = amended_entry(original, args.voucher, date, args.by,
                                amount_changes(original, args.voucher, changes), args.reason)
        entries = [entry._replace(links=entry.links | link),
                   amended._replace(links=amended.links | link)]
    tx = stage_correction(books, entries)
    for written in entries:
        print(render_entry(written, None), end="")
    if args.dry_run:
        return 0
    for path in tx.commit():
        print(f"wrote {path}")
    return 0
