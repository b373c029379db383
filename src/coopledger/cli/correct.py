"""``coopledger correct LEDGER VOUCHER --by NAME``: book a correction in an open month.

Writes the reversal of the voucher (or, with ``--move OLD=NEW``, moves its amounts from
one account to another) dated today or ``--date``, into ``corrections/YYYY-MM.beancount``,
linked to the original by ``corrects:`` and its links. See docs/close.md.
"""

from __future__ import annotations

import argparse
import datetime

from coopledger.errors import CoopException


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
                             "reversing the whole voucher (repeatable)")
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
    from coopledger.close.correct import correction_entry, find_voucher, stage_correction

    books = load_clean_books(args.ledger)
    moves: dict[str, str] = {}
    for item in args.move:
        old, sep, new = item.partition("=")
        if not sep or not old or not new:
            raise CoopException(f"--move {item!r}: write OLD=NEW (two account names)")
        if new not in books.opens:
            raise CoopException(f"--move {item!r}: {new} is not an open account")
        moves[old] = new
    original = find_voucher(books, args.voucher)
    entry = correction_entry(original, args.voucher, args.date or _today(),
                             args.by, moves or None, args.reason)
    tx = stage_correction(books, entry)
    print(render_entry(entry, None), end="")
    if args.dry_run:
        return 0
    for path in tx.commit():
        print(f"wrote {path}")
    return 0
