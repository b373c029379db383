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
        from coopledger.close.yearend import run_year

        return run_year(args)
    if not args.month:
        raise CoopException("which month? e.g. coopledger close main.beancount 2026-10")
    from coopledger.close import close_month

    months = months_of(args.month)
    if args.dry_run and len(months) > 1:
        raise CoopException("a dry run shows one month: the next depends on this one")
    for month in months:
        started = time.perf_counter()
        report = close_month(args.ledger, month, dry_run=args.dry_run,
                             progress=lambda line: print(f"  {line}", file=sys.stderr))
        for check in report.checks:
            mark = "ok  " if check.ok else "FAIL"
            print(f"{month} {mark} {check.title}")
            if not check.ok:
                for line in check.details:
                    print(f"       {line}")
        elapsed = time.perf_counter() - started
        if report.status == "failed":
            print(f"{month}: NOT closed, nothing was written:", file=sys.stderr)
            for line in report.failure:
                print(f"  {line}", file=sys.stderr)
            return 1
        if report.status == "already sealed":
            print(f"{month}: already sealed and unchanged; nothing to write")
            continue
        if args.dry_run:
            for path, text in sorted(report.written.items()):
                if path.suffix == ".beancount":
                    print(_diff(path, text), end="")
                else:
                    print(f"would write {path} ({len(text.encode())} bytes)")
        verb = "would close" if args.dry_run else "closed"
        print(f"{month}: {verb}: {report.vouchers} vouchers numbered, {report.computed} "
              f"computed entries, seal {report.digest[:16]}, {len(report.written)} files "
              f"({elapsed:.1f} s)")
    return 0
