"""``coopledger receivables`` and ``coopledger remind``: the customer ledger and reminders.

``receivables LEDGER [--entity CODE] [--date D]`` lists the open customer invoices on a
date (default: the books' last date), each with its age, then each customer's total per
age bucket (not due, 1-30, 31-60, 61-90, over 90 days), and checks that the total equals
the balance of 1510 Kundfordringar.

``remind LEDGER --entity CODE --date D`` books a reminder on every invoice of the entity
that is overdue on the date: late-payment interest per räntelagen and, where agreed, the
reminder fee; each is appended to ``<ledger dir>/reminders/YYYY-MM.beancount`` and
printed as a PDF beside the invoices. Running it twice on the same date writes nothing new.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import os
import sys
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from beancount.core import data

from coopledger.balances import balances
from coopledger.books import Books, load_books
from coopledger.cli.common import load_clean_books
from coopledger.errors import CoopException
from coopledger.files import FileTransaction
from coopledger.invoicing.invoice import customer_of, issued_invoices, seller_of
from coopledger.invoicing.pdf import reminder_html, write_pdf
from coopledger.invoicing.receivables import (
    BUCKET_LABELS_SV,
    BUCKETS,
    RECEIVABLES_BAS,
    OpenItem,
    aged,
    open_items,
)
from coopledger.invoicing.reminders import reminder_entry, reminder_for
from coopledger.money import ZERO
from coopledger.services.entries import render, split_new
from coopledger.services.output import stage_month_entries


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``receivables`` and ``remind`` subcommands."""
    parser = subparsers.add_parser(
        "receivables", help="open customer invoices by age (kundreskontra)",
        description="Open customer invoices on a date with their age, per customer and "
                    "age bucket; the total equals 1510 Kundfordringar.")
    parser.add_argument("ledger", help="the main ledger file")
    parser.add_argument("--entity", help="one entity's customers only")
    parser.add_argument("--date", help="the report date (default: the books' last date)")
    parser.set_defaults(run=run_receivables)
    remind = subparsers.add_parser(
        "remind", help="book and print reminders with late-payment interest",
        description="Book a reminder with interest (räntelagen: reference rate + 8 points) "
                    "and the agreed reminder fee on every overdue invoice of an entity.")
    remind.add_argument("ledger", help="the main ledger file")
    remind.add_argument("--entity", required=True, help="the seller's entity code")
    remind.add_argument("--date", required=True, help="the reminder date, YYYY-MM-DD")
    remind.add_argument("--min-days", type=int, default=1,
                        help="remind invoices at least this many days overdue (default 1)")
    remind.add_argument("--compensation", action="store_true",
                        help="charge business customers the 450 SEK compensation, once")
    remind.add_argument("--no-pdf", action="store_true", help="write no PDF")
    remind.add_argument("--dry-run", action="store_true",
                        help="print the entries, write nothing")
    remind.set_defaults(run=run_remind)


def _date(text: str | None, books: Books) -> datetime.date:
    if text is None:
        return books.last_date
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CoopException(f"--date {text}: not a date (YYYY-MM-DD)") from None


def render_ledger(items: Sequence[OpenItem], date: datetime.date, title: str,
                  sign: Decimal = Decimal(1)) -> str:
    """A sub-ledger as text: the open items, then the totals per party and age bucket.

    Args:
        items: The open items.
        date: The report date.
        title: The heading.
        sign: -1 to show payables (credit balances) as positive amounts.

    Returns:
        The report.
    """
    lines = [f"{title}, {date}"]
    for item in items:
        days = item.days_overdue(date)
        age = f"{days} d" if days > 0 else "ej förfallen"
        lines.append(f"  {item.entity:<10} {item.invoice or '-':<18} {item.party[:24]:<24} "
                     f"{item.date} förf. {item.due} {age:>13} {sign * item.balance:>14,.2f}")
    header = "".join(f"{BUCKET_LABELS_SV[label]:>15}" for label, _, _ in BUCKETS)
    lines += ["", f"  {'':<26}{header}{'summa':>15}"]
    for party, row in sorted(aged(items, date).items()):
        cells = "".join(f"{sign * row[label]:>15,.2f}" for label, _, _ in BUCKETS)
        lines.append(f"  {party[:26]:<26}{cells}{sign * sum(row.values(), ZERO):>15,.2f}")
    total = sum((i.balance for i in items), ZERO)
    lines.append(f"  {'Summa / total':<26}{'':>{15 * len(BUCKETS)}}{sign * total:>15,.2f}")
    return "\n".join(lines) + "\n"


def account_total(books: Books, bas: str, entity: str | None, date: datetime.date) -> Decimal:
    """The balance of every account with this BAS number (of one entity) on ``date``."""
    return sum((amount for account, amount in balances(books, date, entity=entity).items()
                if books.bas(account) == bas), ZERO)


def run_receivables(args: argparse.Namespace) -> int:
    """Print the receivables ledger; status 1 if it disagrees with 1510 (it never should)."""
    books = load_books(args.ledger)
    if args.entity is not None and args.entity not in books.entities:
        raise CoopException(f"--entity {args.entity}: not declared in the books")
    date = _date(args.date, books)
    items = open_items(books, RECEIVABLES_BAS, entity=args.entity, date=date)
    print(render_ledger(items, date, "Kundreskontra / receivables"), end="")
    total = sum((i.balance for i in items), ZERO)
    ledger = account_total(books, RECEIVABLES_BAS, args.entity, date)
    if total != ledger:
        print(f"the open items ({total}) differ from 1510 ({ledger})", file=sys.stderr)
        return 1
    return 0


def run_remind(args: argparse.Namespace) -> int:
    """Book and print reminders on the entity's overdue invoices."""
    try:
        date = datetime.date.fromisoformat(args.date)
    except ValueError:
        raise CoopException(f"--date {args.date}: not a date (YYYY-MM-DD)") from None
    books = load_clean_books(args.ledger)
    if books is None:
        return 1
    if args.entity not in books.entities:
        raise CoopException(f"--entity {args.entity}: not declared in the books")
    seller = seller_of(books, args.entity, date)
    invoices = {i.number: i for i in issued_invoices(books) if i.entity == args.entity
                and not i.is_credit_note}
    entries, pages = [], []
    for item in open_items(books, RECEIVABLES_BAS, entity=args.entity, date=date):
        invoice = invoices.get(item.invoice or "")
        if invoice is None or item.days_overdue(date) < args.min_days:
            continue
        customer = customer_of(books, args.entity, invoice.customer, date)
        compensation = args.compensation and customer.orgnr is not None
        reminder = reminder_for(books, item, date, reminder_fee=seller.reminder_fee,
                                compensation=compensation)
        if reminder is None:
            continue
        if reminder.charged:
            entries.append(reminder_entry(books, reminder, customer.name, compensation))
        pages.append((reminder.number, reminder_html(
            number=reminder.number, date=str(date), invoice=invoice,
            open_amount=reminder.principal, interest=reminder.interest, fee=reminder.fee,
            rate=reminder.rate, entity=books.entity(args.entity), seller=seller,
            customer=customer)))
    new, _ = split_new(books, entries)
    if not pages:
        print(f"{args.entity}: no invoice is overdue on {date}; nothing to remind",
              file=sys.stderr)
        return 0
    if new:
        print(render(new), end="")
    if args.dry_run:
        return 0
    return _write_reminders(books, args, date, new, pages)


def _write_reminders(books: Books, args: argparse.Namespace, date: datetime.date,
                     new: list[data.Transaction], pages: list[tuple[str, str]]) -> int:
    folder = books.path.parent / "documents" / "invoices" / args.entity
    printed: list[tuple[Path, Path]] = []
    try:
        if not args.no_pdf:
            for number, page in pages:
                target = folder / f"{number}.pdf"
                printed.append((write_pdf(page, folder / f".{number}.pdf.new"), target))
        tx = FileTransaction()
        stage_month_entries(tx, books, "reminders", f"{date:%Y-%m}", new,
                            f"Reminders, {date:%Y-%m}")
        tx.commit()
    except BaseException:
        for temp, _ in printed:
            with contextlib.suppress(OSError):
                temp.unlink()
        raise
    for temp, target in printed:
        os.replace(temp, target)
    print(f"{args.entity}: {len(pages)} reminder(s), {len(new)} booked", file=sys.stderr)
    return 0
