"""``coopledger ratios LEDGER [--entity CODE] [--period P]``: key ratios with verdicts.

Without ``--entity``: the group (consolidated, with the fund's ratios) and then every
entity. Each ratio with its value, the thresholds in force, its verdict (good, watch,
bad) and a sentence in Swedish or English (``--language``) that says why. See
:mod:`coopledger.ratios` and docs/ratios.md.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from typing import Any

from coopledger.books import load_books
from coopledger.cli.report import resolve_period
from coopledger.i18n import message
from coopledger.ratios import Ratio, key_ratios

COLUMNS = ["entity", "ratio", "name", "value", "unit", "good", "bad", "verdict", "text"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``ratios`` subcommand."""
    parser = subparsers.add_parser(
        "ratios", help="key ratios with thresholds: good, watch or bad, and why",
        description="Nyckeltal / key ratios: soliditet, kassalikviditet, months of costs in "
                    "cash, margin; for the fund PAR30, provisions and room for new loans; "
                    "each with its thresholds and verdict.")
    parser.add_argument("ledger", help="the main ledger file")
    parser.add_argument("--entity", metavar="CODE",
                        help="one entity (default: the group, then every entity)")
    parser.add_argument("--period", metavar="PERIOD",
                        help="2026-10, 2026-Q3 or 2026 (default: the fiscal year of the "
                             "last entry); the balance sheet is at its last day")
    parser.add_argument("--format", choices=("text", "csv", "json"), default="text")
    parser.add_argument("--language", choices=("sv", "en"), default="sv",
                        help="the language of the sentences (default: sv)")
    parser.set_defaults(run=run)


def _row(who: str, ratio: Ratio, language: str) -> dict[str, Any]:
    return {"entity": who, "ratio": ratio.kind.key,
            "name": ratio.kind.sv if language == "sv" else ratio.kind.en,
            "value": "" if ratio.value is None else str(ratio.value), "unit": ratio.kind.unit,
            "good": str(ratio.good), "bad": str(ratio.bad), "verdict": ratio.verdict or "",
            "text": ratio.text("sv" if language == "sv" else "en")}


def run(args: argparse.Namespace) -> int:
    """Print the ratios; exit 1 (after printing) if the books have errors."""
    books = load_books(args.ledger)
    period = resolve_period(books, args.period, args.entity)
    scopes: list[str | None] = [args.entity] if args.entity else [None, *books.entities]
    rows = []
    for scope in scopes:
        who = scope or "Koncernen"
        scope_period = resolve_period(books, args.period, scope) if scope else period
        rows += [_row(who, ratio, args.language)
                 for ratio in key_ratios(books, scope, scope_period)]
    if args.format == "json":
        sys.stdout.write(json.dumps({"period": period.label, "ratios": rows},
                                    ensure_ascii=False, indent=2) + "\n")
    elif args.format == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        sys.stdout.write(buffer.getvalue())
    else:
        mark = {verdict: f"[{message(args.language, f'ratio.verdict.{verdict}')}]".ljust(8)
                for verdict in ("good", "watch", "bad")} | {"": "[-]     "}
        print(f"Nyckeltal / key ratios {period.label}")
        current = None
        for row in rows:
            if row["entity"] != current:
                current = row["entity"]
                print(f"  {current}")
            print(f"    {mark[row['verdict']]} {row['text']}")
    if books.errors:
        print(f"coopledger ratios: the books have {len(books.errors)} error(s); run "
              "coopledger check", file=sys.stderr)
        return 1
    return 0
