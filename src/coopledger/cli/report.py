"""``coopledger report``: income statement and balance sheet, per entity or consolidated.

An entity's accounts that share a BAS number are one line each, followed by their BAS
subtotal (``Summa 1660``; CSV ``row`` ``bas-subtotal``, JSON ``bas_subtotals``).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from typing import Any

from coopledger.books import Books, load_books
from coopledger.cli.compare import run_compare
from coopledger.compare import BASES
from coopledger.periods import Period, fiscal_year_of, parse_span
from coopledger.statements import (
    BalanceSheet,
    BasSubtotal,
    IncomeStatement,
    Section,
    balance_sheet,
    income_statement,
)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``report`` subcommand."""
    parser = subparsers.add_parser(
        "report", help="income statement and balance sheet of an entity or the group",
        description="Print the income statement for a period and the balance sheet at its "
                    "end, for one entity or the group consolidated (intra-group eliminated).")
    parser.add_argument("ledger", help="the main ledger file")
    parser.add_argument("--entity", metavar="CODE",
                        help="an entity code (default: the group, consolidated)")
    parser.add_argument("--period", metavar="PERIOD",
                        help="2026-10, 2026-Q3, 2026, a day 2026-10-05 or a range "
                             "2026-10-05..2026-10-09 (default: the fiscal year of the "
                             "last entry)")
    parser.add_argument("--format", choices=("text", "csv", "json"), default="text")
    parser.add_argument("--compare", choices=BASES, metavar="budget|last-year",
                        help="the income statement beside its budget or the same period "
                             "a year earlier, with the deviation and the year to date")
    parser.set_defaults(run=run)


def resolve_period(books: Books, text: str | None, entity: str | None) -> Period:
    """The period asked for, read with the entity's (or the umbrella's) fiscal year."""
    owner = books.entity(entity) if entity else books.umbrella
    start_month = owner.fiscal_year_start if owner is not None else 1
    if owner is not None and (text is None or text.strip().isdigit()):
        # The entity's own years: its first year may be shorter or longer than twelve months.
        return (owner.fiscal_year_of(books.last_date) if text is None
                else owner.fiscal_year(int(text)))
    if text is None:
        return fiscal_year_of(books.last_date, start_month)
    return parse_span(text, start_month)


def run(args: argparse.Namespace) -> int:
    """Print the report; exit 1 (after printing) if the books have errors."""
    books = load_books(args.ledger)
    period = resolve_period(books, args.period, args.entity)
    if args.compare:
        return run_compare(books, args, period)
    statement = income_statement(books, args.entity, period)
    sheet = balance_sheet(books, args.entity, period.last_day)
    render = {"text": to_text, "csv": to_csv, "json": to_json}[args.format]
    sys.stdout.write(render(statement, sheet))
    if books.errors:
        print(f"coopledger report: the books have {len(books.errors)} error(s); run "
              "coopledger check", file=sys.stderr)
        return 1
    return 0


def _title(books_entity: str | None) -> str:
    return books_entity if books_entity else "Koncernen (elimineringar gjorda)"


def _text_sections(sections: tuple[Section, ...], out: list[str]) -> None:
    for section in sections:
        out.append(f"  {section.title}")
        for row in section.rows():
            if isinstance(row, BasSubtotal):
                out.append(f"      {row.name:<50}{row.amount:>16,.2f}")
                continue
            label = f"{row.bas or ''} {row.name}".strip()
            out.append(f"    {label:<52}{row.amount:>16,.2f}")
        out.append(f"    {'Summa ' + section.title.lower():<52}{section.total:>16,.2f}")


def to_text(statement: IncomeStatement, sheet: BalanceSheet) -> str:
    """Both statements as aligned text (amounts with thousands separators)."""
    out = [f"Resultaträkning {_title(statement.entity)} {statement.period.label} "
           f"({statement.period.start} -- {statement.period.last_day})"]
    _text_sections(statement.sections, out)
    out.append(f"  {'Årets resultat':<54}{statement.result:>16,.2f}")
    out.append("")
    out.append(f"Balansräkning {_title(sheet.entity)} {sheet.date}")
    out.append(" Tillgångar")
    _text_sections(sheet.assets, out)
    out.append(f"  {'Summa tillgångar':<54}{sheet.total_assets:>16,.2f}")
    out.append(" Eget kapital och skulder")
    _text_sections(sheet.equity_and_liabilities, out)
    out.append(f"  {'Summa eget kapital och skulder':<54}"
               f"{sheet.total_equity_and_liabilities:>16,.2f}")
    for label, diff in (("resultaträkning", statement.elimination_difference),
                        ("balansräkning", sheet.elimination_difference)):
        if diff:
            out.append(f"  Elimineringsdifferens i {label}: {diff:,.2f} (intra-group "
                       "accounts do not net to zero; look for a one-sided entry)")
    return "\n".join(out) + "\n"


COLUMNS = ["statement", "section", "row", "bas", "account", "name", "amount"]


def rows(statement: IncomeStatement, sheet: BalanceSheet) -> list[dict[str, Any]]:
    """Flat rows: statement, section, row kind, BAS, account, name, amount.

    ``row`` is ``account`` for an account's line and ``bas-subtotal`` for the sum of the
    lines that share a BAS number (so summing the ``account`` rows gives the totals).
    """
    out: list[dict[str, Any]] = []
    for kind, sections in (("resultat", statement.sections),
                           ("tillgångar", sheet.assets),
                           ("eget kapital och skulder", sheet.equity_and_liabilities)):
        for section in sections:
            for row in section.rows():
                if isinstance(row, BasSubtotal):
                    out.append({"statement": kind, "section": section.title,
                                "row": "bas-subtotal", "bas": row.bas, "account": "",
                                "name": row.name, "amount": row.amount})
                else:
                    out.append({"statement": kind, "section": section.title,
                                "row": "account", "bas": row.bas or "",
                                "account": row.account, "name": row.name,
                                "amount": row.amount})
    return out


def to_csv(statement: IncomeStatement, sheet: BalanceSheet) -> str:
    """The rows as CSV with a header; amounts with a decimal point."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows(statement, sheet))
    return buffer.getvalue()


def to_json(statement: IncomeStatement, sheet: BalanceSheet) -> str:
    """The statements as JSON; amounts as strings so no precision is lost."""
    def section(s: Section) -> dict[str, Any]:
        return {"title": s.title, "total": str(s.total),
                "lines": [{"bas": ln.bas, "name": ln.name, "account": ln.account,
                           "amount": str(ln.amount)} for ln in s.lines],
                "bas_subtotals": [{"bas": r.bas, "name": r.name, "lines": r.count,
                                   "amount": str(r.amount)}
                                  for r in s.rows() if isinstance(r, BasSubtotal)]}

    document = {
        "entity": statement.entity,
        "period": {"label": statement.period.label, "start": str(statement.period.start),
                   "end": str(statement.period.last_day)},
        "income_statement": {"sections": [section(s) for s in statement.sections],
                             "result": str(statement.result),
                             "elimination_difference": str(statement.elimination_difference)},
        "balance_sheet": {"date": str(sheet.date),
                          "assets": [section(s) for s in sheet.assets],
                          "equity_and_liabilities": [section(s)
                                                     for s in sheet.equity_and_liabilities],
                          "total_assets": str(sheet.total_assets),
                          "total_equity_and_liabilities":
                              str(sheet.total_equity_and_liabilities),
                          "elimination_difference": str(sheet.elimination_difference)},
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"

