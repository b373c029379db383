"""The close page's figures: each month's close status, its checks and its board pack.

The statuses come from :func:`coopledger.close.close_status` (open, closed, sealed, seal
broken; the preflight checks of the next month to close; what changed under a broken
seal). The board packs are the folders ``coopledger close`` writes beside the main file;
:func:`read_board_packs` lists them, and the page links to their files. In a member's own
books the states come from the projection's close marks and each closed month's pack is
the member's own, built on request (:func:`member_pack_file`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from coopledger.books import Books
from coopledger.close import CheckResult, MonthState, MonthStatus
from coopledger.close.boardpack import (
    BOARDPACK_DIR,
    board_pack_pdf,
    member_pack_files,
    member_pack_print_html,
    pdf_name,
)
from coopledger.member import member_code, read_close_marks
from coopledger.periods import Period

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


@dataclass(frozen=True)
class CloseMonth:
    """One month on the close page.

    Attributes:
        month: ``YYYY-MM``.
        state: open, closed, sealed or seal broken.
        transactions: Transactions dated in the month.
        checks: The checks run for it (the next month to close, or a broken seal).
        board_pack: The files of its board pack, ``index.html`` first (empty: none).
    """

    month: str
    state: str
    transactions: int
    checks: tuple[CheckResult, ...]
    board_pack: tuple[str, ...]

    @property
    def failed(self) -> int:
        """The number of checks that did not pass (an accepted one is not counted)."""
        return sum(1 for check in self.checks if not check.ok and not check.accepted)

    @property
    def accepted(self) -> int:
        """The number of checks that failed but were accepted before sealing."""
        return sum(1 for check in self.checks if check.accepted)


@dataclass(frozen=True)
class CloseView:
    """The close page: months of the period, newest first, and a count per state."""

    months: tuple[CloseMonth, ...]
    counts: dict[str, int]


def read_board_packs(main: Path) -> dict[str, tuple[str, ...]]:
    """List the board packs written beside a ledger's main file.

    Args:
        main: The main ledger file.

    Returns:
        Month to the names of its files (``index.html`` first, then sorted); months
        without a folder are absent.
    """
    root = main.parent / BOARDPACK_DIR
    if not root.is_dir():
        return {}
    packs = {}
    for folder in root.iterdir():
        if folder.is_dir() and MONTH.match(folder.name):
            names = sorted(f.name for f in folder.iterdir()
                           if f.is_file() and FILE_NAME.match(f.name))
            names.sort(key=lambda name: name != "index.html")
            packs[folder.name] = tuple(names)
    return packs


def board_pack_file(main: Path, month: str, name: str) -> Path | None:
    """The path of one board pack file, or None when the request names no such file.

    Only a month (``YYYY-MM``) and a plain file name inside that month's folder are
    accepted, so no request reaches outside the board packs.
    """
    if not MONTH.match(month) or not FILE_NAME.match(name):
        return None
    path = main.parent / BOARDPACK_DIR / month / name
    return path if path.is_file() else None


def close_view(statuses: Sequence[MonthStatus], packs: Mapping[str, tuple[str, ...]],
               period: Period) -> CloseView:
    """Build the close page from the close statuses and the board packs on disk.

    Args:
        statuses: :func:`coopledger.close.close_status` of the books.
        packs: :func:`read_board_packs` of the main file.
        period: The period shown (months overlapping it are listed).

    Returns:
        The page's figures, newest month first.
    """
    first, last = period.start.strftime("%Y-%m"), period.last_day.strftime("%Y-%m")
    months = [CloseMonth(s.month, str(s.state), s.transactions, tuple(s.checks),
                         packs.get(s.month, ()))
              for s in statuses if first <= s.month <= last]
    counts: dict[str, int] = {}
    for month in months:
        counts[month.state] = counts.get(month.state, 0) + 1
    return CloseView(tuple(reversed(months)), counts)


def member_close_view(books: Books, period: Period) -> CloseView:
    """The close page in a member's own books: each month's state, from the close marks
    the projection carries (the seals cover the whole group, so they are checked there),
    and a link to the member's own pack of each closed month.

    Args:
        books: A member's own books.
        period: The period shown.

    Returns:
        The page's figures, newest month first; no checks (they are the group's).
    """
    first, last = period.start.strftime("%Y-%m"), period.last_day.strftime("%Y-%m")
    counts: dict[str, int] = {}
    for entry in books.transactions:
        month = f"{entry.date:%Y-%m}"
        counts[month] = counts.get(month, 0) + 1
    statuses = [MonthStatus(month, MonthState(state), [], counts.get(month, 0))
                for month, state in sorted(read_close_marks(books.entries).items())]
    packs = {s.month: ("index.html", pdf_name(s.month)) for s in statuses
             if s.state in (MonthState.CLOSED, MonthState.SEALED)}
    return close_view([s for s in statuses if first <= s.month <= last], packs, period)


def member_pack_file(books: Books, month: str, name: str) -> str | bytes | None:
    """One file of a member's pack of a closed month, built from its own books.

    Args:
        books: A member's own books.
        month: ``YYYY-MM``; it must be closed or sealed.
        name: The file's name (``index.html``, ``income-Kafe.csv``, ...,
            ``boardpack-YYYY-MM.pdf``: printed on request by Chromium).

    Returns:
        The file's text (bytes for the PDF), or None when there is no such month or file.
    """
    code = member_code(books)
    states = read_close_marks(books.entries)
    if code is None or not MONTH.match(month) or states.get(month) not in (
            MonthState.CLOSED, MonthState.SEALED):
        return None
    state = states[month]
    if name == pdf_name(month):
        return books.remember(("member-pack-pdf", code, month, state), lambda: board_pack_pdf(
            member_pack_print_html(books, code, month, state), month))
    files = books.remember(("member-pack", code, month, state),
                           lambda: member_pack_files(books, code, month, state))
    return files.get(name)
