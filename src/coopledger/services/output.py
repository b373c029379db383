"""Writing generated entries into their month file, atomically and idempotently.

Generated entries go to ``<ledger dir>/<folder>/YYYY-MM.beancount`` (``services`` or
``payroll``); the file is created with a header comment on first use, later runs append
only entries whose ``coop-id`` is not yet booked, and the main file gets one ``include``
line. Both files are written through :class:`~coopledger.files.FileTransaction`: all or
nothing, and nothing at all when there is nothing new.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from beancount.core import data

from coopledger.files import FileTransaction, include_line, read_text, with_include
from coopledger.services.entries import check_open, file_header, render

if TYPE_CHECKING:
    from coopledger.books import Books


def month_file(books: Books, folder: str, label: str) -> Path:
    """The month file of a kind of generated entries, beside the main file."""
    return books.path.parent / folder / f"{label}.beancount"


def stage_month_entries(tx: FileTransaction, books: Books, folder: str, label: str,
                        entries: Sequence[data.Transaction], title: str) -> Path:
    """Stage the month file with ``entries`` appended and the main file's include line.

    Args:
        tx: The file transaction to stage into.
        books: The books (their main file gets the include line).
        folder: ``services`` or ``payroll``.
        label: The month, ``YYYY-MM``.
        entries: New entries only (already filtered by ``coop-id``).
        title: The header comment of a new file.

    Returns:
        The month file's path.

    Raises:
        CoopException: An entry posts to an account that is not open, or does not
            render back identically.
        PeriodLocked: An entry is dated where the period lock closes the books to it.
    """
    target = month_file(books, folder, label)
    if not entries:
        return target
    check_open(books, entries)
    text = render(entries)
    staged = tx.staged()
    if target in staged:
        old = staged[target]
    elif target.exists():
        old = read_text(target)
    else:
        old = file_header(title)
    separator = "" if not old or old.endswith("\n\n") else ("\n" if old.endswith("\n")
                                                            else "\n\n")
    tx.write_entries(target, f"{old}{separator}{text}", books, entries)
    main_text = staged.get(books.path) or read_text(books.path)
    tx.write(books.path, with_include(main_text, include_line(books.path, target)))
    return target
