"""``coopledger close LEDGER YYYY-MM [--dry-run]`` and ``coopledger close LEDGER --year YYYY``.

Closes a month: preflight checks, the month's computed entries, voucher numbers, the seal
and the board pack, all written at once or not at all. ``2025-01..2026-10`` closes a run
of months in order, stopping at the first that fails. See docs/close.md.
"""

from __future__ import annotations

import argparse
import difflib
import sys
import time
from pathlib import Path

from coopledger.errors import CoopException
from coopledger.files import read_text


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``close`` subcommand."""
    parser = subparsers.add_parser(
        "close", help="close a month (check, computed entries, vouchers, seal, board pack)",
        description="Close a month of the books: run the preflight checks, write the "
                    "month's computed entries, number every voucher, seal the month and "
                    "write the board pack; all or nothing. With --year, close a fiscal "
                    "year: result to equity, opening balances, year seal.")
    parser.add_argument("ledger", help="the main ledger file")
    parser.add_argument("month", nargs="?",
                        help="YYYY-MM, or a run of months FIRST..LAST closed in order")
    parser.add_argument("--year", type=int, help="close this fiscal year instead")
    parser.add_argument("--dry-run", action="store_true",
                        help="print what would be written; write nothing")
    parser.set_defaults(run=run)


def months_of(text: str) -> list[str]:
    """The months named by ``YYYY-MM`` or ``FIRST..LAST``.

    Raises:
        CoopException: Not a month or a run of months.
    """
    from coopledger.close.seal import month_bounds, next_month

    first, _, last = text.partition("..")
    last = last or first
    try:
        month_bounds(first)
        month_bounds(last)
    except ValueError as exc:
        raise CoopException(f"{exc}; write e.g. 2026-10 or 2025-01..2026-10") from None
    if last < first:
        raise CoopException(f"{text}: the last month is before the first")
    months = [first]
    while months[-1] < last:
        months.append(next_month(months[-1]))
    return months


def _diff(path: Path, new: str) -> str:
    old = read_text(path).splitlines(keepends=True) if path.exists() else []
    lines = difflib.unified_diff(old, new.splitlines(keepends=True),
                                 fromfile=str(path), tofile=str(path), n=1)
    return "".join(lines)


def run(args: argparse.Namespace) -> int:
    """Close the month(s) or the year; return 1 when a close failed."""
    if args.year is not None:
        if args.month:
            raise CoopException("give either a month or --year, not both")
        return _close_year(args.ledger, args.year, dry_run=args.dry_run)
    if not args.month:
        raise CoopException("which month? e.g. coopledger close main.beancount 2026-10")
    months = months_of(args.month)
    if args.dry_run and len(months) > 1:
        raise CoopException("a dry run shows one month: the next depends on this one")
    for month in months:
        if not _close_one(args.ledger, month, dry_run=args.dry_run):
            return 1
    return 0


def _close_one(ledger: str, month: str, *, dry_run: bool) -> bool:
    from coopledger.close import close_month

    started = time.perf_counter()
    report = close_month(ledger, month, dry_run=dry_run,
                         progress=lambda line: print(f"  {line}", file=sys.stderr))
    for check in report.checks:
        print(f"{month} {'ok  ' if check.ok else 'FAIL'} {check.title}")
        if not check.ok:
            for line in check.details:
                print(f"       {line}")
    if report.status == "failed":
        print(f"{month}: NOT closed, nothing was written:", file=sys.stderr)
        for line in report.failure:
            print(f"  {line}", file=sys.stderr)
        return False
    if report.status == "already sealed":
        print(f"{month}: already sealed and unchanged; nothing to write")
        return True
    if dry_run:
        for path, text in sorted(report.written.items()):
            if path.suffix == ".beancount":
                print(_diff(path, text), end="")
            else:
                print(f"would write {path} ({len(text.encode())} bytes)")
    verb = "would close" if dry_run else "closed"
    print(f"{month}: {verb}: {report.vouchers} transactions numbered, {report.computed} computed "
          f"entries, seal {report.digest[:16]}, {len(report.written)} files "
          f"({time.perf_counter() - started:.1f} s)")
    return True


def _close_year(ledger: str, year: int, *, dry_run: bool) -> int:
    from coopledger.close.yearend import close_year

    started = time.perf_counter()
    report = close_year(ledger, year, dry_run=dry_run)
    if report.status == "failed":
        print(f"{year}: NOT closed, nothing was written:", file=sys.stderr)
        for line in report.failure:
            print(f"  {line}", file=sys.stderr)
        return 1
    if report.status == "already sealed":
        print(f"{year}: already sealed and unchanged; nothing to write")
        return 0
    for path, text in sorted(report.written.items()):
        if dry_run:
            print(_diff(path, text), end="")
        else:
            print(f"wrote {path}")
    for note in report.notes:
        print(f"note: {note}")
    verb = "would close" if dry_run else "closed"
    print(f"{year}: {verb} ({time.perf_counter() - started:.1f} s)")
    return 0
