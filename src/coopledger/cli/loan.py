"""``coopledger loan schedule LEDGER ID``: a loan's contractual schedule."""

from __future__ import annotations

import argparse
import csv
import io
import sys

from coopledger.books import load_books
from coopledger.fund import Instalment, loan_schedule


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``loan`` subcommand (with its ``schedule`` action)."""
    parser = subparsers.add_parser(
        "loan", help="a loan's schedule",
        description="Show a loan of the fund (or between members).")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    schedule = actions.add_parser(
        "schedule", help="the contractual schedule: due date, payment, interest, principal, "
                         "remaining principal",
        description="Print the loan's contractual schedule, reschedules applied.")
    schedule.add_argument("ledger", help="the main ledger file")
    schedule.add_argument("loan", metavar="ID", help="the loan id, e.g. L-2025-01")
    schedule.add_argument("--format", choices=("text", "csv"), default="text")
    schedule.set_defaults(run=run_schedule)


def run_schedule(args: argparse.Namespace) -> int:
    """Print the schedule; exit 1 (after printing) if the books have errors."""
    books = load_books(args.ledger)
    instalments = loan_schedule(books, args.loan)
    sys.stdout.write(schedule_csv(instalments) if args.format == "csv"
                     else schedule_text(args.loan, instalments))
    if books.errors:
        print(f"coopledger loan: the books have {len(books.errors)} error(s); run "
              "coopledger check", file=sys.stderr)
        return 1
    return 0


def schedule_text(loan_id: str, instalments: list[Instalment]) -> str:
    """The schedule as aligned text with totals."""
    out = [f"Amorteringsplan {loan_id}",
           f"{'nr':>4}  {'förfaller':<10}{'betalning':>14}{'ränta':>12}{'amortering':>14}"
           f"{'kvar':>14}"]
    for i in instalments:
        out.append(f"{i.number:>4}  {i.due!s:<10}{i.payment:>14,.2f}{i.interest:>12,.2f}"
                   f"{i.principal:>14,.2f}{i.remaining:>14,.2f}")
    payment = sum(i.payment for i in instalments)
    interest = sum(i.interest for i in instalments)
    principal = sum(i.principal for i in instalments)
    out.append(f"{'':>4}  {'summa':<10}{payment:>14,.2f}{interest:>12,.2f}{principal:>14,.2f}")
    return "\n".join(out) + "\n"


def schedule_csv(instalments: list[Instalment]) -> str:
    """The schedule as CSV: number, due, payment, interest, principal, remaining."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["number", "due", "payment", "interest", "principal", "remaining"])
    for i in instalments:
        writer.writerow([i.number, i.due.isoformat(), i.payment, i.interest, i.principal,
                         i.remaining])
    return buffer.getvalue()
