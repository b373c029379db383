"""``coopledger fund LEDGER``: the fund's loan book, PAR, capital base and members' shares."""

from __future__ import annotations

import argparse
import csv
import dataclasses
import datetime
import io
import json
import sys
from decimal import Decimal
from typing import Any

from coopledger.books import load_books
from coopledger.errors import CoopException
from coopledger.fund import FundReport, fund_report


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``fund`` subcommand."""
    parser = subparsers.add_parser(
        "fund", help="the fund's loan book: status, arrears, PAR, capital base",
        description="Print the fund's report on a date: every loan's outstanding principal, "
                    "accrued interest, next due date, days past due and status; portfolio "
                    "totals and PAR1/30/60/90; capital base, cash available for new loans "
                    "and each member's capital share.")
    parser.add_argument("ledger", help="the main ledger file")
    parser.add_argument("--date", type=parse_date, metavar="YYYY-MM-DD",
                        help="the report date (default: the date of the last entry)")
    parser.add_argument("--format", choices=("text", "csv", "json"), default="text")
    parser.set_defaults(run=run)


def parse_date(text: str) -> datetime.date:
    """A ``YYYY-MM-DD`` date from the command line."""
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {text!r} (write 2026-10-31)") from None


def run(args: argparse.Namespace) -> int:
    """Print the report; exit 1 (after printing) if the books have errors."""
    books = load_books(args.ledger)
    report = fund_report(books, args.date or books.last_date)
    render = {"text": to_text, "csv": to_csv, "json": to_json}[args.format]
    sys.stdout.write(render(report))
    if books.errors:
        print(f"coopledger fund: the books have {len(books.errors)} error(s); run "
              "coopledger check", file=sys.stderr)
        return 1
    return 0


def _pct(ratio: Decimal) -> str:
    return f"{ratio * 100:.2f} %"


def to_text(report: FundReport) -> str:
    """The report as aligned text."""
    out = [f"Fondrapport {report.fund} {report.date} ({report.currency})", "",
           f"{'lån':<12}{'låntagare':<10}{'ränta':>7}{'utestående':>14}{'upplupen':>11}"
           f"{'förfallet':>12}{'nästa':>12}{'belopp':>11}{'dagar':>7}  status"]
    for line in report.loans:
        s = line.state
        overdue = s.principal_overdue + s.interest_overdue
        out.append(f"{line.loan_id:<12}{line.borrower:<10}{line.rate:>7}"
                   f"{s.outstanding_principal:>14,.2f}{s.accrued_interest:>11,.2f}"
                   f"{overdue:>12,.2f}{s.next_due or '-'!s:>12}{s.next_payment:>11,.2f}"
                   f"{s.days_past_due:>7}  {s.status}")
    out += ["", "Portfölj"]
    for status in report.status_counts:
        out.append(f"  {status:<14}{report.status_counts[status]:>4} lån"
                   f"{report.status_amounts[status]:>16,.2f}")
    out.append(f"  {'bruttoportfölj':<22}{report.gross_portfolio:>16,.2f}")
    for days, ratio in report.par.items():
        out.append(f"  {'PAR' + str(days):<22}{report.par_amounts[days]:>16,.2f}"
                   f"{_pct(ratio):>10}")
    out.append(f"  {'avskrivet':<22}{report.written_off:>16,.2f}")
    out.append(f"  {'återvunnet':<22}{report.recovered:>16,.2f}")
    out.append(f"  {'reservbehov':<22}{report.provision_required:>16,.2f}")
    out += ["", "Kapital",
            f"  {'medlemsinsatser':<22}{report.contributions:>16,.2f}",
            f"  {'behållna intäkter':<22}{report.income_kept:>16,.2f}",
            f"  {'kreditförluster':<22}{-report.losses:>16,.2f}",
            f"  {'kapitalbas':<22}{report.capital_base:>16,.2f}",
            f"  {'kassa':<22}{report.cash:>16,.2f}",
            f"  {'beviljat ej utbetalt':<22}{-report.committed:>16,.2f}",
            f"  {'tillgängligt för lån':<22}{report.available:>16,.2f}",
            "", "Medlemmarnas insatser"]
    for member in report.members:
        out.append(f"  {member.member:<22}{member.capital:>16,.2f}{_pct(member.share):>10}")
    return "\n".join(out) + "\n"


def to_csv(report: FundReport) -> str:
    """One row per loan, with its state, as CSV."""
    buffer = io.StringIO()
    fields = ["loan", "borrower", "principal", "rate", "outstanding_principal",
              "accrued_interest", "principal_overdue", "interest_overdue", "next_due",
              "next_payment", "days_past_due", "status", "written_off", "provision"]
    writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for line in report.loans:
        s = line.state
        writer.writerow({
            "loan": line.loan_id, "borrower": line.borrower, "principal": line.principal,
            "rate": line.rate, "outstanding_principal": s.outstanding_principal,
            "accrued_interest": s.accrued_interest, "principal_overdue": s.principal_overdue,
            "interest_overdue": s.interest_overdue, "next_due": s.next_due or "",
            "next_payment": s.next_payment, "days_past_due": s.days_past_due,
            "status": s.status, "written_off": s.written_off, "provision": line.provision})
    return buffer.getvalue()


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def to_json(report: FundReport) -> str:
    """The whole report as JSON; amounts as decimal strings, dates as ISO strings."""
    if not dataclasses.is_dataclass(report):  # pragma: no cover - a FundReport always is
        raise CoopException("internal: the fund report is not a dataclass")
    return json.dumps(_plain(dataclasses.asdict(report)), ensure_ascii=False, indent=2) + "\n"
