"""``coopledger due LEDGER [--date D]``: the filing calendar.

Lists, for every entity, its next VAT return and employer declaration (AGI) with the
period, the due date and whether the period is closed (see
:mod:`coopledger.filings.calendar` for the rules). Units show the entity they file with.
"""

from __future__ import annotations

import argparse
import datetime
from zoneinfo import ZoneInfo

from coopledger.cli.common import load_clean_books
from coopledger.errors import CoopException
from coopledger.filings.calendar import CalendarRow, Filing, filing_calendar


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``due`` subcommand."""
    parser = subparsers.add_parser(
        "due", help="every entity's next VAT return and AGI, with due dates",
        description="Deklarationskalender / filing calendar: the next VAT return and "
                    "employer declaration of every entity, due dates and close status.")
    parser.add_argument("ledger", help="the main ledger file")
    parser.add_argument("--date", help="look ahead from this day, YYYY-MM-DD (default: today)")
    parser.set_defaults(run=run)


def _cell(filing: Filing | None) -> str:
    if filing is None:
        return "-"
    closed = "stängd/closed" if filing.closed else "öppen/open"
    return f"{filing.period.label} senast/due {filing.due} ({closed})"


def render(rows: list[CalendarRow]) -> str:
    """The calendar as a text table, one line per entity."""
    header = ("Enhet/entity", "Moms/VAT", "AGI")
    lines = [header]
    for row in rows:
        if row.files_with is not None:
            text = f"lämnas av/filed by {row.files_with}"
            lines.append((row.entity.code, text, text))
        else:
            lines.append((row.entity.code, _cell(row.vat), _cell(row.agi)))
    widths = [max(len(line[i]) for line in lines) for i in range(2)]
    return "".join(f"{a:<{widths[0]}}  {b:<{widths[1]}}  {c}".rstrip() + "\n"
                   for a, b, c in lines)


def today() -> datetime.date:
    """Today in Sweden, where the due dates are."""
    return datetime.datetime.now(tz=ZoneInfo("Europe/Stockholm")).date()


def run(args: argparse.Namespace) -> int:
    """Print the calendar."""
    try:
        on = datetime.date.fromisoformat(args.date) if args.date else today()
    except ValueError:
        raise CoopException(f"--date {args.date!r} is not a date (write 2026-11-01)") from None
    books = load_clean_books(args.ledger)
    if books is None:
        return 1
    print(render(filing_calendar(books, on)), end="")
    return 0
