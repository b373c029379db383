"""``coopledger import LEDGER FILE_OR_DIR...``: bank files into the right entity's books.

Each file is identified (camt.053/054, BgMax, bank CSV, Handelsbanken, MT940), read,
checked (opening balance + entries = closing balance), matched (loans, subsidies,
transfers, rules) and deduplicated against the books, then appended to the import file of
the entity that owns the account, ``<ledger dir>/imports/<entity>.beancount``, which is
included from the main file. A file that cannot be read gives one line and is skipped;
the others are still imported (exit status 1), and all writes happen at the end,
atomically. A payment the import refuses (an OCR reference of one of the books' invoices
with a wrong check digit) stops the whole import: one line naming the file, the payment
and the OCR, exit status 2, nothing written.

The import starts only from books that check, and asks the period lock
(:mod:`coopledger.periodlock`) before it writes: a line dated in a sealed month, before
its account opens or before its entity starts is refused with one line each, and nothing
is written. ``--book-in YYYY-MM`` books such late lines on the first day of that open
month instead, their own date kept as ``value-date`` metadata.
"""

from __future__ import annotations

import argparse
import datetime
import sys
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from beancount.core import data
from beancount.parser import printer

from coopledger.balances import account_balance
from coopledger.bank.book import ImportCounts, statement_entries
from coopledger.bank.context import BankContext, context_from_books, number_of
from coopledger.bank.model import BankFileError, Statement
from coopledger.books import Books
from coopledger.cli.common import load_clean_books
from coopledger.entities import entity_of
from coopledger.errors import CoopException, InputRefused
from coopledger.files import FileTransaction, include_line, read_text, with_include
from coopledger.periodlock import PeriodLocked, book_in, period_lock, refusals

HEADER = "; Bank statements imported by coopledger import. Entries are appended here.\n"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``import`` subcommand."""
    parser = subparsers.add_parser(
        "import", help="import bank files (camt.053/054, BgMax, bank CSV, Handelsbanken, MT940)",
        description="Identify, read, match and deduplicate bank files, then append the "
                    "new entries to each entity's import file. Exit 1 if any file could "
                    "not be read; exit 2, nothing written, if a payment is refused (an "
                    "OCR of an invoice with a wrong check digit).")
    parser.add_argument("ledger", help="the main ledger file")
    parser.add_argument("paths", nargs="+", metavar="FILE_OR_DIR",
                        help="bank files, or folders to search for them")
    parser.add_argument("--dry-run", action="store_true",
                        help="print the new entries instead of writing them")
    parser.add_argument("--account", metavar="ACCOUNT",
                        help="the ledger account of files whose own account number is not "
                             "declared (or not in the file, as in some CSV exports)")
    parser.add_argument("--book-in", metavar="YYYY-MM",
                        help="book lines dated where the books are closed (a sealed month, "
                             "before the account opens) on the first day of this open "
                             "month, keeping their own date as value-date metadata")
    parser.add_argument("--into", metavar="FILE",
                        help="append everything to this file instead of "
                             "imports/<entity>.beancount")
    parser.set_defaults(run=run)


@dataclass
class Plan:
    """New entries by target file, and the accounts they need opened."""

    entries: dict[Path, list[data.Directive]] = field(default_factory=dict)
    sources: dict[Path, list[str]] = field(default_factory=dict)


def bank_files(paths: list[str]) -> list[tuple[Path, bool]]:
    """The files to import: each named file, and every file under each named folder.

    Returns:
        (path, named explicitly) pairs, folders walked in sorted order, hidden files and
        ``.beancount`` files left out.
    """
    found: list[tuple[Path, bool]] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if (child.is_file() and not child.name.startswith(".")
                        and child.suffix != ".beancount"):
                    found.append((child, False))
        elif path.exists():
            found.append((path, True))
        else:
            raise CoopException(f"{path}: no such file or folder")
    return found


def summary_line(path: Path, kind: str, counts: ImportCounts) -> str:
    """One line per file: what it gave."""
    text = (f"{path}: {kind}, {counts.entries} new entries ({counts.matched} matched, "
            f"{counts.categorised} by rule or payee, {counts.to_categorise} left to "
            f"categorise), {counts.duplicates} duplicates skipped")
    if counts.possible_duplicates:
        text += (f", {counts.possible_duplicates} possibly imported before from another "
                 "kind of file (flagged possible-duplicate)")
    if counts.held:
        text += (f", {counts.held} paid more than the loan owes (held as a credit to the "
                 "member: on the loan if it says overpayment: hold, else on 2999; flagged)")
    if counts.pending:
        text += f", {counts.pending} pending skipped"
    return text


def run(args: argparse.Namespace) -> int:
    """Import the files; return 1 if any file could not be read.

    Raises:
        InputRefused: A payment is refused (exit status 2); nothing is written.
    """
    from coopledger.importers.registry import identify, read_statements

    books = load_clean_books(args.ledger, allow=_bank_balance_error)
    ctx = context_from_books(books)
    if args.account is not None and args.account not in ctx.opened:
        raise CoopException(f"--account {args.account}: no such account is opened in "
                            f"{books.path}")
    files = bank_files(args.paths)
    plan = Plan()
    failed = skipped = 0
    for number, (path, named) in enumerate(files, 1):
        if len(files) > 1:
            print(f"[{number}/{len(files)}] {path.name}", file=sys.stderr, flush=True)
        kind = identify(str(path))
        if kind is None:
            if named:
                print(f"{path}: not a bank file coopledger reads (camt.053/054, BgMax, "
                      "bank CSV, Handelsbanken, MT940)", file=sys.stderr)
                failed += 1
            else:
                skipped += 1
            continue
        try:
            statements = read_statements(str(path), kind)  # read once: notes use it too
            counts = _import_file(ctx, path, statements, plan, args)
            for note in _opening_notes(books, ctx, path, statements, plan):
                print(note, file=sys.stderr)
        except BankFileError as exc:
            print(str(exc), file=sys.stderr)
            failed += 1
            continue
        print(summary_line(path, kind, counts))
    if skipped:
        print(f"coopledger import: {skipped} file(s) in the folders are not bank files "
              "coopledger reads; left alone", file=sys.stderr)
    _write(plan, books, ctx, args)
    return 1 if failed else 0


def _bank_balance_error(error: Any) -> bool:
    """A failed balance assertion on a bank account: a statement may still be missing."""
    from beancount.core.interpolate import BalanceError

    entry = getattr(error, "entry", None)
    return isinstance(error, BalanceError) and isinstance(entry, data.Balance) and (
        entry.account.split(":", 2)[-1][:2] == "19")


def _import_file(ctx: BankContext, path: Path, statements: list[Statement], plan: Plan,
                 args: argparse.Namespace) -> ImportCounts:
    """Book one file's statements into the plan, or raise before anything is planned."""
    targets = []
    for statement in statements:
        statement.check_balances()
        bank = ctx.accounts.find(statement.account_ids) or args.account
        if bank is None:
            ids = ", ".join(statement.account_ids) or "none given in the file"
            raise BankFileError(str(path), "", f"account {ids} is not declared in the "
                                "ledger; add iban:, bban: or bankgiro: to the open "
                                "directive of its bank account")
        targets.append(bank)
    total = ImportCounts()
    main = Path(args.ledger)
    for statement, bank in zip(statements, targets, strict=True):
        try:
            result = statement_entries(statement, bank, ctx, source=str(path))
        except InputRefused as exc:
            # Refused input stops the whole import: nothing is written, exit status 2.
            raise InputRefused(f"{path}: {exc.message}; book it by hand or correct the "
                               "file; nothing was written") from None
        except CoopException as exc:
            raise BankFileError(str(path), "", exc.message) from None
        code = entity_of(bank) or "unknown"
        target = (Path(args.into) if args.into
                  else main.parent / "imports" / f"{code.lower()}.beancount")
        plan.entries.setdefault(target, []).extend(result.entries)
        if result.entries:
            plan.sources.setdefault(target, []).append(path.name)
        for name in ("entries", "matched", "categorised", "to_categorise", "duplicates",
                     "possible_duplicates", "pending", "balances", "held"):
            setattr(total, name, getattr(total, name) + getattr(result.counts, name))
    return total


def _opening_notes(books: Books, ctx: BankContext, path: Path, statements: list[Statement],
                   plan: Plan) -> list[str]:
    """Where a statement's opening balance is not what the books (and this run) hold.

    Such a file is still imported: the books may lack an earlier statement. Its opening
    balance assertion will fail until they agree, and this says so now.
    """
    notes = []
    for statement in statements:
        bank = ctx.accounts.find(statement.account_ids)
        opening = statement.opening
        if bank is None or opening is None:
            continue
        held = account_balance(books, bank, opening.date - datetime.timedelta(days=1))
        held += sum((number_of(p) or Decimal(0) for entries in plan.entries.values()
                     for e in entries if isinstance(e, data.Transaction)
                     and e.date < opening.date for p in e.postings if p.account == bank),
                    Decimal(0))
        if held != opening.amount:
            notes.append(f"{path}: note: the statement opens with {opening.amount} on "
                         f"{opening.date}, the books hold {held} on {bank}; its balance "
                         "assertion fails until they agree (is an earlier statement "
                         "missing?)")
    return notes


def _opens_needed(ctx: BankContext, entries: list[data.Directive]) -> list[data.Open]:
    """``open`` directives for accounts the new entries use but the books do not open."""
    first_use: dict[str, tuple[datetime.date, str]] = {}
    for entry in entries:
        if isinstance(entry, data.Transaction):
            for posting in entry.postings:
                if posting.account not in ctx.opened and posting.units is not None:
                    known = first_use.get(posting.account)
                    if known is None or entry.date < known[0]:
                        first_use[posting.account] = (entry.date, posting.units.currency)
    opens = []
    for account, (date, currency) in sorted(first_use.items()):
        bas = account.split(":")[2][:4] if account.count(":") >= 2 else ""
        meta = data.new_metadata("<import>", 0, {"bas": bas} if bas.isdigit() else {})
        opens.append(data.Open(meta, date, account, [currency], None))
        ctx.opened[account] = bas or None
    return opens


def _lawful(plan: Plan, books: Books, ctx: BankContext,
            args: argparse.Namespace) -> dict[Path, list[data.Directive]]:
    """Each target's entries, with the ``open`` directives they need, as the lock allows.

    Raises:
        PeriodLocked: An entry is dated where the books are closed to it (after
            ``--book-in`` moved what it may); nothing is written.
    """
    lawful: dict[Path, list[data.Directive]] = {}
    moved = dropped = 0
    for target, planned in plan.entries.items():
        if not planned:
            continue
        entries = planned
        if args.book_in:
            entries, count, left_out = book_in(books, planned, args.book_in)
            moved, dropped = moved + count, dropped + left_out
        lawful[target] = [*_opens_needed(ctx, entries), *entries]
    if moved or dropped:
        print(f"coopledger import: {moved} late line(s) booked on the first day of "
              f"{args.book_in} with their value date kept; {dropped} balance assertion(s) "
              "in closed months left out", file=sys.stderr)
    found = [r for entries in lawful.values() for r in refusals(books, entries)]
    # An account opened for a refused line is refused with it: name the lines only.
    found = [r for r in found if not isinstance(r.entry, data.Open)] or found
    if found:
        lock = period_lock(books)
        month = max(lock.first_open_month(r.entry) for r in found)
        raise PeriodLocked(found, "nothing was written; book late bank lines in an open "
                                  f"month with --book-in {month}")
    return lawful


def _write(plan: Plan, books: Books, ctx: BankContext, args: argparse.Namespace) -> None:
    main = books.path
    tx = FileTransaction()
    main_text = read_text(main)
    loaded = {str(Path(p).resolve()) for p in books.options.get("include", [])}
    for target, written in _lawful(plan, books, ctx, args).items():
        opens = [e for e in written if isinstance(e, data.Open)]
        entries = [e for e in written if not isinstance(e, data.Open)]
        body = "".join(printer.format_entry(e) + "\n" for e in opens)
        body += "".join(printer.format_entry(e) + "\n"
                        for e in sorted(entries, key=data.entry_sortkey))
        sources = ", ".join(dict.fromkeys(plan.sources.get(target, [])))
        block = f"\n; from {sources}\n\n{body}"
        if args.dry_run:
            print(f"; would append to {target}{block}")
            continue
        old = read_text(target) if target.exists() else HEADER
        tx.write_entries(target, old + block, books, written)
        if str(target.resolve()) not in loaded:
            main_text = with_include(main_text, include_line(main, target))
            tx.write(main, main_text)
    if not args.dry_run:
        tx.commit()
