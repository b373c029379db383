"""``coopledger vat``: one taxable person's VAT return, box by box, and its eSKD file.

``coopledger vat LEDGER --entity Kafe --period 2026-Q3`` prints the boxes of SKV 4700
(momsdeklaration) with the accounts each one comes from; ``--format csv`` lists every
posting behind every box, ``--format json`` gives both. ``--eskd FILE`` also writes the
eSKDUpload 6.0 file to upload to Skatteverket. A unit gives its umbrella's return.

Refused with one line and exit 2, nothing written: an entity without orgnr, one whose
sales are exempt from VAT, a period that is not the entity's VAT period, a period with a
month not yet closed. Books with errors: exit 1, nothing written.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from coopledger.cli.common import load_clean_books
from coopledger.filings.eskd import eskd_bytes
from coopledger.filings.vat import VatReturn, vat_return


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``vat`` subcommand."""
    parser = subparsers.add_parser(
        "vat", help="the VAT return (momsdeklaration) of a taxable person, and its eSKD file",
        description="Momsdeklaration / VAT return of one taxable person for one closed VAT "
                    "period: the boxes of SKV 4700, each traced to its accounts and entries.")
    parser.add_argument("ledger", help="the main ledger file")
    parser.add_argument("--entity", metavar="CODE", required=True,
                        help="the entity that files (a unit gives its umbrella's return)")
    parser.add_argument("--period", metavar="PERIOD", required=True,
                        help="the VAT period: 2026-10 (month), 2026-Q3 (quarter) or 2026")
    parser.add_argument("--format", choices=("text", "csv", "json"), default="text")
    parser.add_argument("--eskd", metavar="FILE", type=Path,
                        help="also write the eSKDUpload 6.0 file (ISO-8859-1) to FILE")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Print the return and write the eSKD file; exit 1 if the books have errors."""
    books = load_clean_books(args.ledger)
    if books is None:
        return 1
    result = vat_return(books, args.entity, args.period)
    content = eskd_bytes(result) if args.eskd else b""
    render = {"text": to_text, "csv": to_csv, "json": to_json}[args.format]
    if args.eskd:
        write_bytes_atomic(args.eskd, content)
    sys.stdout.write(render(result))
    if args.eskd:
        print(f"momsdeklaration / VAT return: {args.eskd}", file=sys.stderr)
    return 0


def write_bytes_atomic(path: Path, content: bytes) -> None:
    """Write a file whole or not at all: a temporary file beside it, then a rename."""
    handle, temp = tempfile.mkstemp(dir=path.parent or Path(), prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        Path(temp).replace(path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _heading(result: VatReturn) -> str:
    head = result.person.head
    units = [e.code for e in result.person.entities[1:]]
    with_units = f" med / with {', '.join(units)}" if units else ""
    return (f"Momsdeklaration / VAT return {result.period.label}: {head.name} "
            f"({head.orgnr}){with_units}")


def to_text(result: VatReturn) -> str:
    """The boxes with their accounts, for a person to read."""
    out = [_heading(result), ""]
    for number, value in result.boxes.items():
        out.append(f"{number}  {value.box.sv} / {value.box.en}: {value.kronor:f} kr"
                   + (f" ({value.exact:f})" if value.exact != value.kronor else ""))
        for account, amount in value.accounts.items():
            count = sum(1 for t in value.traces if t.account == account)
            out.append(f"      {account}  {amount:f}  ({count} entries)")
    return "\n".join(out) + "\n"


def to_csv(result: VatReturn) -> str:
    """One row per posting behind each box, then one total row per box."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["box", "element", "date", "account", "amount", "narration", "source"])
    for number, value in result.boxes.items():
        for t in value.traces:
            writer.writerow([number, value.box.element, t.date.isoformat(), t.account,
                             f"{t.amount:f}", t.narration, f"{t.filename}:{t.lineno}"])
        writer.writerow([number, value.box.element, "", "total", f"{value.kronor:f}", "", ""])
    return buffer.getvalue()


def as_json(result: VatReturn) -> dict[str, Any]:
    """The return as plain data: boxes with exact and reported amounts and their traces."""
    return {
        "entity": result.person.code, "orgnr": result.person.orgnr,
        "entities": sorted(result.person.codes), "period": result.period.label,
        "eskd-period": result.eskd_period,
        "boxes": {number: {
            "element": value.box.element, "sv": value.box.sv, "en": value.box.en,
            "kronor": f"{value.kronor:f}", "exact": f"{value.exact:f}",
            "accounts": {a: f"{n:f}" for a, n in value.accounts.items()},
            "entries": [{"date": t.date.isoformat(), "account": t.account,
                         "amount": f"{t.amount:f}", "narration": t.narration,
                         "source": f"{t.filename}:{t.lineno}"} for t in value.traces]}
            for number, value in result.boxes.items()},
    }


def to_json(result: VatReturn) -> str:
    """The return as JSON (amounts as strings, exact)."""
    return json.dumps(as_json(result), ensure_ascii=False, indent=2) + "\n"
