"""``coopledger sie export|import``: SIE 4 files for auditors and other programs.

``coopledger sie export LEDGER --entity CODE --year 2025 [--type 4E|4I]
[--consolidated-dims] [--fallback-bas NNNN] [-o FILE]`` writes one entity's fiscal year;
``coopledger sie import FILE --entity CODE [--declare] [--ledger LEDGER] [--encoding ENC]
[-o OUT]`` turns a SIE file into Beancount text for one entity (with ``--ledger``, into the
accounts the entity already has) and says which encoding it read the file in. Both write
atomically (or print to standard output) and report problems in one line each.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from coopledger.books import load_books
from coopledger.cli.common import load_clean_books

if TYPE_CHECKING:
    from coopledger.books import Books
    from coopledger.sie.records import SieFile
from coopledger.errors import CoopException, format_error
from coopledger.files import FileTransaction, new_file_mode

#: Warnings printed before the rest are counted.
MAX_SHOWN = 20


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``sie`` subcommand with ``export`` and ``import``."""
    parser = subparsers.add_parser(
        "sie", help="export an entity's books as SIE 4, or import a SIE 4 file",
        description="SIE 4 interchange with Swedish accounting programs and auditors.")
    actions = parser.add_subparsers(dest="sie_action", metavar="ACTION", required=True)

    export = actions.add_parser("export", help="write one entity's fiscal year as SIE 4E/4I")
    export.add_argument("ledger", help="the main ledger file")
    export.add_argument("--entity", required=True, help="entity code, e.g. Kafe")
    export.add_argument("--year", required=True, type=int,
                        help="fiscal year (the calendar year it starts in)")
    export.add_argument("--type", dest="kind", choices=("4E", "4I"), default="4E",
                        help="4E: vouchers and balances (default); 4I: vouchers only")
    export.add_argument("--consolidated-dims", action="store_true",
                        help="umbrella only: include every member, each as an object of "
                             "dimension 1 (resultatenhet)")
    export.add_argument("--fallback-bas", metavar="NNNN",
                        help="BAS number for used accounts that have none (default: error)")
    export.add_argument("-o", "--output", help="file to write (default: standard output)")
    export.set_defaults(run=run_export)

    imp = actions.add_parser("import", help="turn a SIE 4 file into Beancount text")
    imp.add_argument("file", help="the SIE file")
    imp.add_argument("--entity", required=True, help="entity code that receives the books")
    imp.add_argument("--declare", action="store_true",
                     help="also write the entity's coop-entity declaration")
    imp.add_argument("--currency", default="SEK", help="currency of the amounts (SEK)")
    imp.add_argument("--encoding", choices=("cp437", "utf-8", "latin-1"),
                     help="read the file in this encoding instead of deciding by its "
                          "content (for a file refused as ambiguous)")
    imp.add_argument("--ledger", metavar="LEDGER",
                     help="books that already hold the entity: its accounts are used by BAS "
                          "number instead of being opened again")
    imp.add_argument("-o", "--output", help="Beancount file to write (default: stdout)")
    imp.set_defaults(run=run_import)


def run_export(args: argparse.Namespace) -> int:
    """Export; exit 1 if the books have errors (nothing is written then)."""
    from coopledger.sie.export import export_sie

    books = load_books(args.ledger)
    if books.errors:
        for error in books.errors[:10]:
            print(format_error(error), file=sys.stderr)
        print(f"coopledger sie: the books have {len(books.errors)} error(s); nothing "
              "exported (run coopledger check)", file=sys.stderr)
        return 1
    result = export_sie(books, args.entity, args.year, kind=args.kind,
                        consolidated=args.consolidated_dims, fallback_bas=args.fallback_bas)
    for warning in result.warnings:
        print(f"coopledger sie: note: {warning}", file=sys.stderr)
    if args.output:
        _write_bytes(Path(args.output), result.content)
    else:
        sys.stdout.buffer.write(result.content)
        sys.stdout.flush()
    return 0


def run_import(args: argparse.Namespace) -> int:
    """Import; exit 1 when the closing balances differ from the file's."""
    from coopledger.sie.importer import import_sie
    from coopledger.sie.reader import read_sie

    sie = read_sie(args.file, encoding=args.encoding)
    existing: dict[str, str] = {}
    if args.ledger:
        books = load_clean_books(args.ledger)
        from coopledger.sie.migrate import is_migration

        if is_migration(sie, books, args.entity):
            return _migrate(args, sie, books)
        for account in books.accounts_of(args.entity):
            bas = books.bas(account)
            if bas is not None:
                existing.setdefault(bas, account)
    try:
        result = import_sie(sie, args.entity, currency=args.currency, declare=args.declare,
                            existing=existing)
    except CoopException as exc:
        raise CoopException(f"{args.file}: {exc.message}") from None
    # A refused file gets its one line; the reader's warnings belong to a file imported.
    _print_read_warnings(args.file, sie)
    print(f"coopledger sie: note: {args.file} read as {sie.encoding}"
          + (" (as asked)" if args.encoding else ""), file=sys.stderr)
    for warning in result.warnings:
        print(f"coopledger sie: note: {warning}", file=sys.stderr)
    for difference in result.differences:
        print(f"coopledger sie: difference: {difference}", file=sys.stderr)
    if args.ledger:  # text meant for these books: the period lock must let it in
        from beancount.parser import parser as beancount_parser

        from coopledger.periodlock import enforce

        enforce(books, beancount_parser.parse_string(result.text)[0],
                "nothing was written; the history goes into its own books")
    if args.output:
        out = Path(args.output)
        if out.exists():
            raise CoopException(f"{out} exists; import writes a new file (choose another name "
                                "or remove it)")
        with FileTransaction() as tx:
            tx.write(out, result.text)
    else:
        sys.stdout.write(result.text)
    return 1 if result.differences else 0


def _print_read_warnings(path: str, sie: SieFile) -> None:
    for problem in sie.warnings[:MAX_SHOWN]:
        print(f"{path}:{problem.line}: warning: {problem.message}", file=sys.stderr)
    if len(sie.warnings) > MAX_SHOWN:
        print(f"{path}: ... and {len(sie.warnings) - MAX_SHOWN} more warnings",
              file=sys.stderr)


def _migrate(args: argparse.Namespace, sie: SieFile, books: Books) -> int:
    """A member's history before its first day in the books: archive it, open with its
    closing balances (see :mod:`coopledger.sie.migrate`)."""
    from coopledger.sie.migrate import migrate_sie, write_migration

    stem = "".join(c for c in args.entity.lower() if c.isalnum())
    folder = Path(args.ledger).parent
    history = Path(args.output) if args.output else folder / "history" / f"{stem}.beancount"
    opening = folder / "coops" / f"{stem}-opening.beancount"
    try:
        name = str(history.resolve().relative_to(folder.resolve()))
    except ValueError:
        name = str(history)
    try:
        migration = migrate_sie(sie, books, args.entity, currency=args.currency,
                                history_name=name, source=Path(args.file).name)
    except CoopException as exc:
        raise CoopException(f"{args.file}: {exc.message}") from None
    _print_read_warnings(args.file, sie)
    for warning in migration.warnings:
        print(f"coopledger sie: note: {warning}", file=sys.stderr)
    for difference in migration.differences:
        print(f"coopledger sie: difference: {difference}", file=sys.stderr)
    write_migration(books, migration, history, opening)
    print(f"migrated {args.entity}: its books to {migration.last} archived in {history}; "
          f"opening balances on {migration.start} in {opening}, included from "
          f"{args.ledger}")
    return 1 if migration.differences else 0


def _write_bytes(path: Path, content: bytes) -> None:
    """Write bytes atomically: the SIE file is CP437 with CRLF, not UTF-8 text."""
    import os
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(name, path.stat().st_mode & 0o7777 if path.exists() else new_file_mode())
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(name, path)
    except OSError as exc:
        Path(name).unlink(missing_ok=True)
        raise CoopException(f"could not write {path}: {exc.strerror or exc}; nothing was "
                            "changed") from exc
