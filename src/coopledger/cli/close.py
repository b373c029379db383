"""``coopledger close LEDGER YYYY-MM [--dry-run] [--pdf]``, ``--preview FILE`` and ``--year``.

Closes a month: preflight checks, the month's computed entries, voucher numbers, the seal
and the board pack, all written at once or not at all. ``2025-01..2026-10`` closes a run
of months in order, stopping at the first that fails. ``--pdf`` prints the board pack as
A4 PDF beside it (for a sealed month: if it is missing); ``--preview FILE`` prints a
preliminary pack of a month not yet closed. See docs/close.md.
"""

from __future__ import annotations

import argparse
import bisect
import re
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
    parser.add_argument("--accept", metavar="REASON",
                        help="seal even though entries await review (! entries, a balance "
                             "on a suspense account); the seal records who accepted what "
                             "and why")
    parser.add_argument("--by", metavar="NAME",
                        help="who accepts (with --accept; default: your user name)")
    parser.add_argument("--pdf", action="store_true",
                        help="print the board pack as PDF (A4) beside its HTML too; for a "
                             "month already sealed, print its pack if the PDF is missing")
    parser.add_argument("--preview", metavar="FILE",
                        help="print a preliminary board pack of a month not yet closed to "
                             "FILE (PDF); closes nothing, writes nothing else")
    parser.set_defaults(run=run)


def months_of(text: str) -> list[str]:
    """The months named by ``YYYY-MM`` or ``FIRST..LAST``.

    Raises:
        CoopException: Not a month or a run of months.
    """
    from coopledger.seals import month_bounds, next_month

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


HUNK = re.compile(r"^@@ -(\d+)(,\d+)? \+(\d+)(,\d+)? @@")


def _range(start: int, stop: int) -> str:
    # A unified diff's range, numbered as difflib numbers it.
    length = stop - start
    if length == 1:
        return f"{start + 1}"
    return f"{start if length == 0 else start + 1},{length}"


def _shared_run(before: list[str], at: int, after: list[str], index: int) -> int:
    """How many lines from ``before[at]`` and ``after[index]`` on are the same.

    Compared a slice at a time, the slices doubling while they match and then halving to
    the first line that differs: a few comparisons per run, however long.
    """
    limit = min(len(before) - at, len(after) - index)
    run, step, growing = 0, 1, True
    while step:
        if (run + step <= limit
                and before[at + run:at + run + step] == after[index + run:index + run + step]):
            run += step
            if growing:
                step *= 2
        else:
            growing = False
            step //= 2
    return run


def _inserted(before: list[str], after: list[str]) -> list[int] | None:
    """The positions of the new lines of ``after``, when it is ``before`` with lines
    inserted (None otherwise).

    A line of ``after`` is new when it is not the next line of ``before`` that has no
    partner yet, as a reader going down both files pairs them.
    """
    new: list[int] = []
    at = index = 0
    while index < len(after):
        run = _shared_run(before, at, after, index)
        at += run
        index += run
        if index < len(after):
            new.append(index)
            index += 1
    return new if at == len(before) else None


def _insertion_diff(path: Path, after: list[str], new: list[int], context: int) -> str:
    runs: list[list[int]] = []
    for index in new:
        if runs and index - runs[-1][1] <= 2 * context:
            runs[-1][1] = index + 1
        else:
            runs.append([index, index + 1])
    if not runs:
        return ""
    out = [f"--- {path}\n", f"+++ {path}\n"]
    added = set(new)

    def old_lines(stop: int) -> int:  # old lines among the first ``stop`` of ``after``
        return stop - bisect.bisect_left(new, stop)

    for first, last in runs:
        low, high = max(first - context, 0), min(last + context, len(after))
        out.append(f"@@ -{_range(old_lines(low), old_lines(high))} "
                   f"+{_range(low, high)} @@\n")
        out.extend(("+" if i in added else " ") + after[i] for i in range(low, high))
    return "".join(out)


def _diff(path: Path, new: str) -> str:
    """A unified diff of a file against its new text (one line of context).

    A close mostly inserts lines (voucher numbers, include lines) into long files; that
    diff is written directly, in one pass. Other changes go through difflib, on the
    lines between what both texts share at the start and at the end, with the hunks'
    line numbers moved back to the whole file's.
    """
    before = read_text(path).splitlines(keepends=True) if path.exists() else []
    after = new.splitlines(keepends=True)
    new_lines = _inserted(before, after)
    if new_lines is not None:
        return _insertion_diff(path, after, new_lines, 1)
    limit = min(len(before), len(after))
    head = 0
    while head < limit and before[head] == after[head]:
        head += 1
    tail = 0
    while tail < limit - head and before[-1 - tail] == after[-1 - tail]:
        tail += 1
    head = max(head - 1, 0)  # keep the one line of context the diff shows
    tail = max(tail - 1, 0)
    import difflib  # a close only inserts lines, as a rule: see _insertion_diff

    lines = difflib.unified_diff(before[head:len(before) - tail],
                                 after[head:len(after) - tail],
                                 fromfile=str(path), tofile=str(path), n=1)

    def shift(line: str) -> str:
        found = HUNK.match(line)
        if not found:
            return line
        old_start, old_count, new_start, new_count = found.groups()
        return (f"@@ -{int(old_start) + head}{old_count or ''} "
                f"+{int(new_start) + head}{new_count or ''} @@{line[found.end():]}")

    return "".join(shift(line) for line in lines)


def run(args: argparse.Namespace) -> int:
    """Close the month(s) or the year; return 1 when a close failed."""
    if args.year is not None:
        if args.month:
            raise CoopException("give either a month or --year, not both")
        return _close_year(args.ledger, args.year, dry_run=args.dry_run)
    if not args.month:
        raise CoopException("which month? e.g. coopledger close main.beancount 2026-10")
    months = months_of(args.month)
    if args.preview is not None:
        return _preview(args.ledger, months, Path(args.preview), dry_run=args.dry_run)
    if args.dry_run and len(months) > 1:
        raise CoopException("a dry run shows one month: the next depends on this one")
    if args.by is not None and args.accept is None:
        raise CoopException("--by names who accepts: give --accept \"reason\" too")
    for month in months:
        if not _close_one(args.ledger, month, dry_run=args.dry_run, accept=args.accept,
                          by=args.by, pdf=args.pdf):
            return 1
    return 0


def _preview(ledger: str, months: list[str], target: Path, *, dry_run: bool) -> int:
    from coopledger.books import load_books
    from coopledger.close.packpdf import preview_pack, write_pdf_file

    if len(months) > 1:
        raise CoopException("--preview prints one month's pack: give one month")
    if target.suffix.lower() != ".pdf":
        raise CoopException(f"--preview {target}: name a .pdf file; nothing was written")
    pdf = preview_pack(load_books(ledger), months[0])
    if dry_run:
        print(f"would write {target} ({len(pdf)} bytes), a preliminary pack of {months[0]}")
        return 0
    write_pdf_file(target, pdf)
    print(f"{months[0]}: wrote {target}, a preliminary pack (the month is not closed)")
    return 0


def _close_one(ledger: str, month: str, *, dry_run: bool, accept: str | None = None,
               by: str | None = None, pdf: bool = False) -> bool:
    from coopledger.close import close_month

    started = time.perf_counter()
    report = close_month(ledger, month, dry_run=dry_run, accept=accept, accepted_by=by,
                         pdf=pdf, progress=lambda line: print(f"  {line}", file=sys.stderr))
    for check in report.checks:
        warned = any(line.startswith("warning:") for line in check.details)
        status = ("ACCEPTED" if check.accepted else "FAIL") if not check.ok else (
            "warn" if warned else "ok  ")
        print(f"{month} {status} {check.title}")
        if not check.ok or warned:
            for line in check.details:
                print(f"       {line}")
            if check.accepted:
                print(f"       accepted by {check.accepted}")
    if report.status == "failed":
        print(f"{month}: NOT closed, nothing was written:", file=sys.stderr)
        for line in report.failure:
            print(f"  {line}", file=sys.stderr)
        return False
    if report.status == "already sealed":
        done = (f"{'would write' if dry_run else 'wrote'} {report.pdf}" if report.pdf
                else "nothing to write")
        print(f"{month}: already sealed and unchanged; {done}")
        return True
    if report.pdf is not None:
        print(f"{'would print' if dry_run else 'printed'} {report.pdf}")
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
