"""``coopledger report --compare budget|last-year``: the income statement beside its
budget or last year's figures, with the deviation and the year to date.

Text, CSV (one row per line, ``row`` ``account``, then one ``section`` row per section
and a ``result`` row) and JSON (amounts as strings). Lines are per account for an
entity, so counterparties stay apart (``6550 Tjänsteavgift`` to the umbrella and to
another member are two lines), and per BAS number for the group.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from typing import Any

from coopledger.books import Books
from coopledger.compare import Comparison, compare, read_budgets
from coopledger.errors import CoopException, format_error
from coopledger.periods import Period

FIGURES = ("actual", "reference", "deviation", "ytd_actual", "ytd_reference",
           "ytd_deviation")
COLUMNS = ["row", "section", "bas", "account", "name", *FIGURES]
_HEADINGS = {"budget": ("Utfall", "Budget", "Avvikelse", "Utfall ack.", "Budget ack.",
                        "Avvik. ack."),
             "last-year": ("Utfall", "Fjolår", "Förändring", "Utfall ack.", "Fjolår ack.",
                           "Förändr. ack.")}


def run_compare(books: Books, args: argparse.Namespace, period: Period) -> int:
    """Print the comparison; refuse (exit 2) when a budget directive cannot be used.

    Raises:
        CoopException: A budget is asked for and a budget directive is unusable.
    """
    if args.compare == "budget":
        _, errors = read_budgets(books)
        if errors:
            more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
            raise CoopException(f"{format_error(errors[0])}{more}; fix the budget "
                                "directives, nothing was compared")
    comparison = compare(books, args.entity, period, args.compare)
    render = {"text": to_text, "csv": to_csv, "json": to_json}[args.format]
    sys.stdout.write(render(comparison))
    if books.errors:
        print(f"coopledger report: the books have {len(books.errors)} error(s); run "
              "coopledger check", file=sys.stderr)
        return 1
    return 0


def _figures(values: tuple[Any, ...]) -> str:
    return "".join(f"{value:>16,.2f}" for value in values)


def to_text(comparison: Comparison) -> str:
    """The comparison as aligned text, a section total under each section."""
    who = comparison.entity or "Koncernen (elimineringar gjorda)"
    heading = _HEADINGS[comparison.basis]
    out = [f"Resultaträkning {who} {comparison.period.label} mot "
           f"{'budget' if comparison.basis == 'budget' else comparison.reference_period.label}"
           f"; ackumulerat (ack.) {comparison.year_to_date.label}",
           f"{'':<44}" + "".join(f"{h:>16}" for h in heading)]
    for section in comparison.sections:
        out.append(f"  {section}")
        for line in comparison.lines:
            if line.section == section:
                label = f"{line.bas or ''} {line.name}".strip()[:40]
                out.append(f"    {label:<40}" + _figures(tuple(getattr(line, f)
                                                                for f in FIGURES)))
        out.append(f"    {'Summa ' + section.lower():<40}"[:44] + _figures(
            tuple(comparison.total(f, section) for f in FIGURES)))
    out.append(f"  {'Årets resultat':<42}" + _figures(tuple(comparison.total(f)
                                                            for f in FIGURES)))
    return "\n".join(out) + "\n"


def rows(comparison: Comparison) -> list[dict[str, Any]]:
    """Flat rows: each line, each section's total, the result."""
    out: list[dict[str, Any]] = []
    for section in comparison.sections:
        for line in comparison.lines:
            if line.section == section:
                out.append({"row": "account", "section": section, "bas": line.bas or "",
                            "account": line.account, "name": line.name,
                            **{f: getattr(line, f) for f in FIGURES}})
        out.append({"row": "section", "section": section, "bas": "", "account": "",
                    "name": f"Summa {section.lower()}",
                    **{f: comparison.total(f, section) for f in FIGURES}})
    out.append({"row": "result", "section": "", "bas": "", "account": "",
                "name": "Årets resultat", **{f: comparison.total(f) for f in FIGURES}})
    return out


def to_csv(comparison: Comparison) -> str:
    """The rows as CSV with a header; amounts with a decimal point."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows(comparison))
    return buffer.getvalue()


def to_json(comparison: Comparison) -> str:
    """The comparison as JSON; amounts as strings so no precision is lost."""
    def period(p: Period) -> dict[str, str]:
        return {"label": p.label, "start": str(p.start), "end": str(p.last_day)}

    document = {
        "entity": comparison.entity, "basis": comparison.basis,
        "period": period(comparison.period),
        "reference_period": period(comparison.reference_period),
        "year_to_date": period(comparison.year_to_date),
        "lines": [{"section": ln.section, "bas": ln.bas, "account": ln.account,
                   "name": ln.name, **{f: str(getattr(ln, f)) for f in FIGURES}}
                  for ln in comparison.lines],
        "sections": [{"title": s, **{f: str(comparison.total(f, s)) for f in FIGURES}}
                     for s in comparison.sections],
        "result": {f: str(comparison.total(f)) for f in FIGURES},
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
