"""The printed board pack: ``boardpack-YYYY-MM.pdf`` beside the HTML pack, or a preview.

``coopledger close LEDGER 2026-10 --pdf`` prints the pack of the month it closes, in the
same all-or-nothing step as the rest of the close (the PDF is printed before anything is
written and put in place after the text files). For a month already sealed, ``--pdf``
prints the PDF of the pack written when it was closed, only if it is missing and only if
the books still give that very pack: the checks are read back from the pack's
``checks.csv`` and the pack's ``index.html`` is rendered again and compared. A sealed
month's pack is never rewritten: an existing PDF is left as it is (it was printed from
that pack), and a pack that the books no longer give is refused.

``coopledger close LEDGER 2026-11 --preview pack.pdf`` prints a preliminary pack of a
month that is not closed, marked so on every page, to a file of the user's choice; it
writes nothing into the books or their board packs.
"""

from __future__ import annotations

import csv
import os
import tempfile
from pathlib import Path

from coopledger.books import Books
from coopledger.close.boardpack import (
    board_pack_dir,
    board_pack_files,
    board_pack_pdf,
    board_pack_print_html,
    pdf_name,
)
from coopledger.close.preflight import CheckResult, preflight
from coopledger.errors import CoopException
from coopledger.files import new_file_mode, read_text
from coopledger.i18n import Message
from coopledger.seals import month_bounds, read_seals


def print_pack(books: Books, month: str, checks: list[CheckResult], *,
               final: bool = True) -> bytes:
    """The pack's PDF (see :func:`coopledger.close.boardpack.board_pack_pdf`)."""
    return board_pack_pdf(board_pack_print_html(books, month, checks, final=final), month)


def checks_of_pack(folder: Path) -> list[CheckResult]:
    """The close's checks as a pack's ``checks.csv`` recorded them.

    Raises:
        CoopException: The pack has no readable ``checks.csv``.
    """
    path = folder / "checks.csv"
    if not path.is_file():
        raise CoopException(f"{path} not found: the month's board pack was not written by "
                            "a close; nothing was written")
    rows = list(csv.DictReader(read_text(path).splitlines(), delimiter=";"))
    plain = {"check", "status", "details", "accepted"}
    if not rows or any(set(r) not in (plain, plain | {"title", "findings"}) for r in rows):
        raise CoopException(f"{path}: not a board pack's checks (check;status;details;"
                            "accepted[;title;findings]); nothing was written")
    return [_check_of_row(r) for r in rows]


def _check_of_row(row: dict[str, str]) -> CheckResult:
    """A check as a pack recorded it; its title and findings as the pack wrote them, in
    the pack's language, when the pack recorded them (``title``, ``findings``)."""
    details = row["details"].split(" | ") if row["details"] else []
    if "title" not in row:
        return CheckResult(row["check"], row["check"], row["status"] == "ok", details,
                           row["accepted"])
    findings = row["findings"].split(" | ") if row["findings"] else []
    return CheckResult(row["check"], row["check"], row["status"] == "ok", details,
                       row["accepted"],
                       tuple(Message.of("check.text", text=f) for f in findings),
                       Message.of("check.text", text=row["title"]))


def sealed_pack_pdf(books: Books, month: str) -> tuple[Path, bytes] | None:
    """The PDF to write for a sealed month's pack, or None when one is already there.

    Args:
        books: The books (the month is sealed in them).
        month: ``YYYY-MM``.

    Returns:
        The PDF's path and bytes, or None when the same PDF is already written.

    Raises:
        CoopException: The pack is missing, or the books no longer give the pack that
            was written; nothing was written.
    """
    folder = board_pack_dir(books.path.resolve(), month)
    target = folder / pdf_name(month)
    if target.is_file():
        return None
    checks = checks_of_pack(folder)
    index = folder / "index.html"
    again = board_pack_files(books, month, checks).get(index)
    if not index.is_file() or again != read_text(index):
        raise CoopException(
            f"{month} is sealed and its board pack ({index}) is not what these books and "
            "this version give: a sealed month's pack is kept as written; nothing was written")
    return target, print_pack(books, month, checks)


def preview_pack(books: Books, month: str) -> bytes:
    """A preliminary pack of a month that is not sealed, with its checks run now.

    Raises:
        CoopException: The month is sealed (its pack is the one written at its close).
    """
    start, end = month_bounds(month)
    seals, _ = read_seals(books.entries)
    if month in seals:
        raise CoopException(f"{month} is sealed: its pack is {board_pack_dir(books.path, month)}"
                            " (use --pdf to print it); no preview was written")
    return print_pack(books, month, preflight(books, start, end), final=False)


def place(target: Path, pdf: bytes) -> Path:
    """Write the PDF beside its target under a temporary name; :func:`os.replace` it
    into place once everything else is written (or unlink it if not)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(pdf)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(name, new_file_mode())  # as any other file written (mkstemp makes 0600)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return Path(name)


def write_pdf_file(target: Path, pdf: bytes) -> Path:
    """Write a PDF atomically (temporary file, then rename)."""
    os.replace(place(target, pdf), target)
    return target
