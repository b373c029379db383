"""``coopledger new-coop``: launch a member cooperative in the books.

Writes the member's declaration and its BAS-mapped chart of accounts into a new file
beside the main ledger (``coops/<code>.beancount``), and appends one ``include`` line to
the main file. Both writes are atomic and all-or-nothing; an existing code, an existing
file or an invalid organisation number is refused before anything is written, as are
books that do not check and a start in a sealed month (the period lock).
"""

from __future__ import annotations

import argparse
import datetime
import re
import sys
from pathlib import Path

from beancount.parser import parser as beancount_parser

from coopledger.chart import open_directives
from coopledger.cli.common import load_clean_books
from coopledger.entities import CODE_PATTERN, EntityKind, validate_orgnr
from coopledger.errors import CoopException
from coopledger.files import FileTransaction, include_line, read_text, with_include


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``new-coop`` subcommand."""
    parser = subparsers.add_parser(
        "new-coop", help="launch a member cooperative: declaration and chart of accounts",
        description="Declare a new member cooperative and open its BAS chart of accounts in "
                    "a new file included from the main ledger.")
    parser.add_argument("ledger", help="the main ledger file")
    parser.add_argument("code", help="entity code: ASCII, a capital then letters/digits")
    parser.add_argument("--name", required=True, help="the cooperative's registered name")
    parser.add_argument("--orgnr", help="Swedish organisation number (check digit verified)")
    parser.add_argument("--start", type=datetime.date.fromisoformat,
                        help="first day of its books, YYYY-MM-DD (default: today)")
    parser.add_argument("--dry-run", action="store_true", help="print, write nothing")
    parser.set_defaults(run=run)


def member_text(code: str, name: str, orgnr: str | None, start: datetime.date) -> str:
    """The new member's file: declaration, then its chart of accounts."""
    quoted = name.replace("\\", "\\\\").replace('"', '\\"')
    lines = [f"; {name}: launched with coopledger new-coop.\n\n",
             f'{start} custom "coop-entity" "{code}"\n  name: "{quoted}"\n',
             f'  kind: "{EntityKind.MEMBER}"\n']
    if orgnr:
        lines.append(f'  orgnr: "{orgnr}"\n')
    # Written out so the reader sees who files: without an orgnr the member is a unit
    # inside the umbrella (its VAT and AGI go with the umbrella's).
    lines.append(f'  legal-form: "{"separate" if orgnr else "unit"}"\n')
    lines.append("\n")
    lines.append(open_directives(code, EntityKind.MEMBER, start))
    return "".join(lines)


def run(args: argparse.Namespace) -> int:
    """Write the new member's file and include it; refuse anything ambiguous."""
    code: str = args.code
    if not CODE_PATTERN.match(code):
        raise CoopException(f"entity code {code!r} must be ASCII: a capital letter, then "
                            "letters and digits (e.g. Bageri)")
    try:
        orgnr = validate_orgnr(args.orgnr) if args.orgnr else None
    except ValueError as exc:
        raise CoopException(str(exc)) from None
    main = Path(args.ledger)
    books = load_clean_books(main)
    if code in books.entities:
        raise CoopException(f"entity {code} already exists; choose another code")
    clash = next((c for c in books.entities if c.lower() == code.lower()), None)
    if clash:
        raise CoopException(f"entity {clash} already exists; codes differing only in case "
                            "would share a file name")
    start = args.start or datetime.datetime.now().astimezone().date()
    target = main.parent / "coops" / f"{re.sub(r'[^a-z0-9]', '', code.lower())}.beancount"
    if target.exists():
        raise CoopException(f"{target} already exists; refusing to overwrite it")
    text = member_text(code, args.name, orgnr, start)
    new_main = with_include(read_text(main), include_line(main, target))
    entries, _, _ = beancount_parser.parse_string(text)
    tx = FileTransaction()  # staging asks the period lock, for a dry run too
    tx.write_entries(target, text, books, entries,
                     "nothing was written; start the member in an open month (--start)")
    tx.write(main, new_main)
    if args.dry_run:
        sys.stdout.write(f"; would write {target}\n{text}; would append to {main}: "
                         f"{include_line(main, target)}")
        return 0
    tx.commit()
    print(f"launched {code} ({args.name}): wrote {target}, included from {main}")
    return 0
