"""``coopledger people LEDGER [--entity CODE] [--period P]``: the people employed.

Month by month: people paid, of them from the target group, with a wage subsidy (and
their share), the subsidies booked and their share of the salary cost, full-time
equivalents, starts and leavers. Without ``--entity``: the group, then every entity that
pays anyone. See :mod:`coopledger.people`.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from decimal import Decimal
from typing import Any

from coopledger.books import load_books
from coopledger.cli.report import resolve_period
from coopledger.people import PeopleMonth, paid_by_month, people

COLUMNS = ["entity", "month", "booked", "employed", "target_group", "target_group_share",
           "subsidised", "subsidised_share", "subsidy", "salary_cost", "subsidy_share",
           "fte", "without_extent", "starts", "leavers"]
_HEAD = ("Månad", "Anst.", "Målgr.", "Lönestöd", "andel", "Lönestöd kr", "av lönek.",
         "Årsarb.", "Började", "Slutade")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``people`` subcommand."""
    parser = subparsers.add_parser(
        "people", help="people employed month by month: target group, wage subsidies, FTE",
        description="Anställda / the people: employed, from the target group, with a wage "
                    "subsidy, full-time equivalents, starts and leavers, month by month.")
    parser.add_argument("ledger", help="the main ledger file")
    parser.add_argument("--entity", metavar="CODE",
                        help="one entity (default: the group, then every employer)")
    parser.add_argument("--period", metavar="PERIOD",
                        help="2026-10, 2026-Q3 or 2026 (default: the fiscal year of the "
                             "last entry)")
    parser.add_argument("--format", choices=("text", "csv", "json"), default="text")
    parser.set_defaults(run=run)


def _optional(value: Decimal | None) -> str:
    return "" if value is None else str(value)


def row(month: PeopleMonth) -> dict[str, Any]:
    """One month as a flat row (counts, amounts and shares as text)."""
    return {"entity": month.entity or "Koncernen", "month": month.month.label,
            "booked": month.booked, "employed": len(month.employed),
            "target_group": len(month.target_group),
            "target_group_share": _optional(month.target_group_share),
            "subsidised": len(month.subsidised),
            "subsidised_share": _optional(month.subsidised_share),
            "subsidy": str(month.subsidy), "salary_cost": str(month.salary_cost),
            "subsidy_share": _optional(month.subsidy_share), "fte": str(month.fte),
            "without_extent": month.without_extent,
            "starts": sorted(p[1] for p in month.starts),
            "leavers": sorted(p[1] for p in month.leavers)}


def _text(months: list[PeopleMonth]) -> list[str]:
    out = ["    " + f"{_HEAD[0]:<9}" + "".join(f"{h:>12}" for h in _HEAD[1:])]
    for month in months:
        if not month.booked:
            out.append(f"    {month.month.label:<9}  inte bokförd ännu / not booked yet")
            continue
        share = month.subsidised_share
        cost_share = month.subsidy_share
        cells = (len(month.employed), len(month.target_group), len(month.subsidised),
                 "-" if share is None else f"{share} %", f"{month.subsidy:,.0f}",
                 "-" if cost_share is None else f"{cost_share} %",
                 f"{month.fte:.2f}" + ("*" if month.without_extent else ""),
                 " ".join(sorted(p[1] for p in month.starts)) or "-",
                 " ".join(sorted(p[1] for p in month.leavers)) or "-")
        out.append(f"    {month.month.label:<9}" + "".join(f"{c!s:>12}" for c in cells))
    if any(m.without_extent for m in months):
        out.append("    * some people paid have no declared extent and are not in the FTE")
    return out


def run(args: argparse.Namespace) -> int:
    """Print the people; exit 1 (after printing) if the books have errors."""
    books = load_books(args.ledger)
    period = resolve_period(books, args.period, args.entity)
    if args.entity:
        scopes: list[str | None] = [args.entity]
    else:
        employers = {code for paid in paid_by_month(books).values() for code, _ in paid}
        scopes = [None, *(code for code in books.entities if code in employers)]
    tables = [(scope, people(books, scope, period)) for scope in scopes]
    if args.format == "json":
        sys.stdout.write(json.dumps({"period": period.label,
                                     "months": [row(m) for _, ms in tables for m in ms]},
                                    ensure_ascii=False, indent=2) + "\n")
    elif args.format == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        for _, months in tables:
            for month in months:
                flat = row(month)
                writer.writerow({**flat, "starts": " ".join(flat["starts"]),
                                 "leavers": " ".join(flat["leavers"])})
        sys.stdout.write(buffer.getvalue())
    else:
        print(f"Anställda / people {period.label}")
        for scope, months in tables:
            print(f"  {scope or 'Koncernen'}")
            print("\n".join(_text(months)))
    if books.errors:
        print(f"coopledger people: the books have {len(books.errors)} error(s); run "
              "coopledger check", file=sys.stderr)
        return 1
    return 0
