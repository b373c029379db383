"""``coopledger agi LEDGER --entity CODE --month YYYY-MM [-o FILE]``: the employer declaration.

Computes the month's AGI (:mod:`coopledger.filings.agi`) from the booked payroll of the
entity that files (a separate member, or the umbrella for itself and its units) and writes
it as Skatteverket's XML file, atomically to ``FILE`` or to standard output. A summary
goes to standard error.

It refuses, in one line with exit status 2 and nothing written: a unit or an entity
without orgnr, a month that is not closed, an employee paid in the month without a
``coop-employee`` declaration, filings without a ``coop-contact``. When the books and the
declaration disagree it prints one line per employee or entry that differs, then exits 2
without writing.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from coopledger.cli.common import load_clean_books
from coopledger.errors import CoopException
from coopledger.files import FileTransaction
from coopledger.filings.agi import employer_declaration
from coopledger.filings.agi_xml import agi_xml
from coopledger.filings.employees import Contact, contact_for

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``agi`` subcommand."""
    parser = subparsers.add_parser(
        "agi", help="the month's employer declaration (AGI) as Skatteverket's XML file",
        description="Arbetsgivardeklaration på individnivå / employer declaration: one main "
                    "return and one individual return per employee, from the booked "
                    "payroll of a closed month.")
    parser.add_argument("ledger", help="the main ledger file")
    parser.add_argument("--entity", required=True, help="the employer's entity code, e.g. Kafe")
    parser.add_argument("--month", required=True, help="month of payment, YYYY-MM")
    parser.add_argument("-o", "--output", help="file to write (default: standard output)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Compute, check against the books, and write the AGI."""
    match = _MONTH.match(args.month)
    if not match:
        raise CoopException(f"--month {args.month!r} is not a month (write 2026-10); nothing "
                            "was written")
    books = load_clean_books(args.ledger)
    if books is None:
        return 1
    declaration = employer_declaration(books, args.entity, int(match[1]), int(match[2]))
    if declaration.differences:
        for line in declaration.differences:
            print(f"coopledger agi: {line}", file=sys.stderr)
        print(f"coopledger agi: the declaration for {args.entity} {args.month} disagrees with "
              f"the books in {len(declaration.differences)} place(s); correct the books; "
              "nothing was written", file=sys.stderr)
        return 2
    contact = contact_for(books.declarations.of(Contact), declaration.person.code,
                          declaration.month.last_day)
    if contact is None:
        raise CoopException(f"no coop-contact for {declaration.person.code} or \"all\": the "
                            "AGI names who answers for it; nothing was written")
    umbrella = books.umbrella
    content = agi_xml(declaration, contact, umbrella.orgnr if umbrella else None)
    if args.output:
        with FileTransaction() as tx:
            tx.write(Path(args.output), content.decode("utf-8"))
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
    print(f"AGI {args.month} {declaration.person.code} ({declaration.person.orgnr}): "
          f"{len(declaration.individuals)} individual return(s); 487 arbetsgivaravgifter "
          f"{declaration.total_contributions} kr, 497 skatteavdrag {declaration.total_tax} kr",
          file=sys.stderr)
    return 0
