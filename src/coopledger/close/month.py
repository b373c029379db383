"""Closing one month: preflight, computed entries, voucher numbers, seal, board pack.

:func:`close_month` does the whole close in memory, stages every file it would write in
one :class:`~coopledger.files.FileTransaction` and commits it only when every step
succeeded; a dry run returns what would be written instead. It stops at the first failing
step with a report and writes nothing. A month already sealed (and unchanged) is a no-op.
"""

from __future__ import annotations

import dataclasses
import datetime
import os
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from beancount.core import data

from coopledger.books import Books, load_books
from coopledger.close.computed import closing_file, closing_text, collect_computed
from coopledger.close.numbering import (
    COMPUTED_SERIES,
    Assignment,
    assign_vouchers,
    insert_voucher_lines,
    is_numberable,
)
from coopledger.close.preflight import ACCEPTABLE, CheckResult, preflight, review_items
from coopledger.close.projection import NotProven, project_close
from coopledger.close.staging import load_staged, translate
from coopledger.close.yearseal import main_files
from coopledger.collector import paused_if_allowed
from coopledger.errors import CoopException, format_error
from coopledger.files import FileTransaction, include_line, read_text, with_include
from coopledger.seals import (
    SEAL_VERSION,
    Acceptance,
    digest_entries,
    month_bounds,
    month_entries,
    month_label,
    previous_month,
    read_seals,
    seal_text,
    sealed_months,
    verify_month_seals,
)

Progress = Callable[[str], None]


@dataclass
class CloseReport:
    """What a close did or would do.

    Attributes:
        month: ``YYYY-MM``.
        status: ``closed``, ``already sealed``, ``failed`` or ``dry run``.
        checks: The preflight results.
        failure: Why the close stopped (empty unless ``failed``).
        written: The files written (or, in a dry run, that would be), with their text.
        vouchers: Number of transactions numbered (each gets one id per entity).
        computed: Number of computed entries written.
        digest: The month's seal digest.
        acceptance: Who accepted what still awaited review (recorded in the seal), or
            None when nothing did.
        pdf: The printed pack written (or, in a dry run, that would be), if any.
    """

    month: str
    status: str = "failed"
    checks: list[CheckResult] = field(default_factory=list)
    failure: list[str] = field(default_factory=list)
    written: dict[Path, str] = field(default_factory=dict)
    vouchers: int = 0
    computed: int = 0
    digest: str = ""
    acceptance: Acceptance | None = None
    pdf: Path | None = None

    @property
    def ok(self) -> bool:
        """Whether the close succeeded (or would, or was already done)."""
        return self.status != "failed"


def first_month(books: Books) -> str | None:
    """The first month of the books: that of the first transaction."""
    first = next((e.date for e in books.entries if isinstance(e, data.Transaction)), None)
    return month_label(first) if first else None


def _fail(report: CloseReport, lines: list[str]) -> CloseReport:
    report.status = "failed"
    report.failure = lines
    return report


def close_month(
    path: str | Path, month: str, *, dry_run: bool = False, progress: Progress | None = None,
    books: Books | None = None, accept: str | None = None, accepted_by: str | None = None,
    pdf: bool = False,
) -> CloseReport:
    """Close a month: check, book computed entries, number vouchers, seal, board pack.

    Args:
        path: The main ledger file.
        month: ``YYYY-MM``.
        dry_run: Compute everything, write nothing; the report holds what would be written.
        progress: Called with a short line as each step starts.
        books: The books already loaded from ``path`` (loaded here when None).
        accept: Seal even though entries await review (the ``review`` check), for this
            reason; the seal records it with the items and who accepted them. Every
            other check must still pass.
        accepted_by: Who accepts (default: the user name of this process).
        pdf: Print the board pack as PDF too (:mod:`coopledger.close.packpdf`); for a
            month already sealed, print its pack if the PDF is missing.

    Returns:
        The report; nothing is written unless ``report.status == "closed"``.

    Raises:
        CoopException: Bad month, refused order, or a file that cannot be written.
    """
    # Like a load: the close builds large lists of long-lived objects and no reference
    # cycles, and the collector rescanning the loaded books is pure overhead.
    with paused_if_allowed():
        return _close(path, month, dry_run, progress or (lambda _line: None), books,
                      _Accept(accept, accepted_by) if accept is not None else None, pdf)


@dataclass(frozen=True)
class _Accept:
    reason: str
    by: str | None


def _accept_review(books: Books, report: CloseReport, accept: _Accept | None,
                   start: datetime.date, end: datetime.date) -> list[CheckResult]:
    """The failed checks that stop the close, after an acceptance of the review check.

    An acceptance applies to the :data:`~coopledger.close.preflight.ACCEPTABLE` checks
    only; it is recorded in the report (and so in the seal) with every item, uncapped.

    Raises:
        CoopException: The acceptance gives no reason or no name.
    """
    failed = [c for c in report.checks if not c.ok]
    accepted = [c for c in failed if c.name in ACCEPTABLE]
    if accept is None or not accepted:
        return failed
    reason = accept.reason.strip()
    import getpass  # only an acceptance asks who the user is

    by = (accept.by if accept.by is not None else getpass.getuser()).strip()
    if not reason or not by:
        raise CoopException("--accept needs a reason and a name (--by): the seal records "
                            "who accepted what and why")
    report.acceptance = Acceptance(by, reason, tuple(review_items(books, start, end)))
    note = f"{by}: {reason}"
    report.checks = [dataclasses.replace(c, accepted=note) if c in accepted else c
                     for c in report.checks]
    return [c for c in failed if c not in accepted]


def _close(path: str | Path, month: str, dry_run: bool, say: Progress,
           books: Books | None, accept: _Accept | None, pdf: bool) -> CloseReport:
    try:
        start, end = month_bounds(month)
    except ValueError as exc:
        raise CoopException(str(exc)) from None
    report = CloseReport(month)
    say(f"{month}: loading {path}")
    books = books or load_books(path)
    if _already_sealed(books, report):
        if pdf and report.status == "already sealed":
            _print_sealed(books, report, dry_run, say)
        return report
    say(f"{month}: preflight")
    report.checks = preflight(books, start, end)
    failed = _accept_review(books, report, accept, start, end)
    if failed:
        lines = [f"{c.name}: {line}" for c in failed for line in c.details]
        if accept is None and any(c.name in ACCEPTABLE for c in failed):
            lines.append("review the entries above (or seal anyway with --accept \"reason\": "
                         "the seal records who accepted what)")
        return _fail(report, lines)
    target = closing_file(books.path, month).resolve()
    if target.exists():
        return _fail(report, [f"{target} exists but {month} is not sealed; move it away "
                              "(its entries would be booked twice) and close again"])
    say(f"{month}: computed entries and voucher numbers")
    staged, body, numbered = _stage_entries(books, report, start, end, target)
    say(f"{month}: seal")
    try:
        after = project_close(books, staged, target, body, numbered)
    except NotProven as reason:
        # The books as written cannot be worked out in memory (or would hold an error):
        # load them, from a private copy of the files, for the proof or the messages.
        say(f"{month}: loading the books as the close leaves them ({reason})")
        after, names = load_staged(books, staged)
        if after.errors:
            return _fail(report, ["the close would leave errors in the books:"] +
                         [translate(format_error(e), names) for e in after.errors[:30]])
    digest = digest_entries(month, month_entries(after.entries, start, end), SEAL_VERSION)
    staged[target] = body + "\n" + seal_text(digest, end - datetime.timedelta(days=1),
                                             report.acceptance)
    report.digest = digest.digest
    say(f"{month}: board pack")
    from coopledger.close.boardpack import board_pack_files

    staged.update(board_pack_files(after, month, report.checks))
    return _write(staged, report, after, dry_run=dry_run, pdf=pdf, say=say)


def _write(staged: dict[Path, str], report: CloseReport, after: Books, *, dry_run: bool,
           pdf: bool, say: Progress) -> CloseReport:
    """Write the staged files (and the printed pack) all at once, or say what would be."""
    from coopledger.close.boardpack import board_pack_dir, pdf_name

    month = report.month
    tx = FileTransaction()
    for file, text in staged.items():
        tx.write(file, text)
    report.written = tx.changed()
    if pdf:
        report.pdf = board_pack_dir(after.path.resolve(), month) / pdf_name(month)
    if dry_run:
        report.status = "dry run"
        return report
    placed = None
    if report.pdf is not None:
        from coopledger.close.packpdf import place, print_pack

        say(f"{month}: printing the board pack")
        placed = place(report.pdf, print_pack(after, month, report.checks))
    try:
        tx.commit()
    except BaseException:
        if placed is not None:
            placed.unlink(missing_ok=True)
        raise
    if placed is not None and report.pdf is not None:
        os.replace(placed, report.pdf)
    report.status = "closed"
    return report


def _print_sealed(books: Books, report: CloseReport, dry_run: bool, say: Progress) -> None:
    """Print a sealed month's pack if its PDF is missing (see :mod:`.packpdf`)."""
    from coopledger.close.packpdf import sealed_pack_pdf, write_pdf_file

    say(f"{report.month}: printing the sealed month's board pack")
    printed = sealed_pack_pdf(books, report.month)
    if printed is None:
        return
    report.pdf = printed[0]
    if not dry_run:
        write_pdf_file(*printed)


def _already_sealed(books: Books, report: CloseReport) -> bool:
    """Whether the month is sealed (a no-op, or a failure if its seal broke).

    Raises:
        CoopException: The month is before the books start, or the month before it is
            not sealed yet.
    """
    month = report.month
    seals, _ = read_seals(books.entries)
    if month in seals:
        broken = verify_month_seals(books.entries, {month: seals[month]})
        if broken:
            _fail(report, [m.plain() for m, _ in broken[month]])
        else:
            report.status = "already sealed"
        return True
    first = first_month(books)
    if first is None or month < first:
        raise CoopException(f"{month} is before the books start ({first or 'no entries'}); "
                            "nothing to close")
    previous = previous_month(month)
    if month != first and previous not in sealed_months(books):
        raise CoopException(f"close {previous} first: months are closed in order "
                            f"(the books start in {first})")
    return False


def _stage_entries(
    books: Books, report: CloseReport, start: datetime.date, end: datetime.date, target: Path,
) -> tuple[dict[Path, str], str, list[Assignment]]:
    """Stage the voucher lines, the include line and the closing file's entries.

    Returns:
        The staged texts, the closing file's text (without the seal) and the voucher
        ids given to the month's transactions.
    """
    from coopledger.periodlock import enforce  # it reads the seals: import it late

    computed = collect_computed(books, start, end)
    enforce(books, computed.entries, "nothing was written; fix the declaration it comes from")
    starts = {c: e.fiscal_year_start for c, e in books.entities.items()}
    in_month = [e for e in books.transactions if start <= e.date < end and is_numberable(e)]
    user = assign_vouchers(books.entries, in_month, starts)
    machine = assign_vouchers(books.entries, computed.entries, starts,
                              lambda _: COMPUTED_SERIES)
    staged = _voucher_edits(user)
    for main in main_files(books.path, books.entries):
        main_text = staged.get(main, read_text(main))
        staged[main] = with_include(main_text, include_line(main, target))
    by_entry = {id(a.entry): a.value for a in machine}
    body = closing_text(report.month, [(e, by_entry.get(id(e))) for e in computed.entries])
    staged[target] = body
    report.vouchers = len(user) + len(machine)
    report.computed = len(computed.entries)
    return staged, body, user


def _voucher_edits(assignments: list[Assignment]) -> dict[Path, str]:
    by_file: dict[Path, dict[int, str]] = defaultdict(dict)
    resolved: dict[str, Path] = {}  # a month's vouchers sit in a few files: resolve each once
    for assignment in assignments:
        meta = assignment.entry.meta
        filename = str(meta.get("filename") or "")
        if filename.startswith("<"):
            raise CoopException("cannot number a transaction that is not written in a file",
                                meta)
        path = resolved.get(filename)
        if path is None:
            path = resolved[filename] = Path(filename).resolve()
        by_file[path][int(meta["lineno"])] = assignment.value
    return {path: insert_voucher_lines(read_text(path), lines, path)
            for path, lines in by_file.items()}
