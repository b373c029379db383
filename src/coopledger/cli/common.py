"""What several subcommands share: loading books that a writer may build on."""

from __future__ import annotations

from pathlib import Path

from coopledger.books import Books, load_books
from coopledger.errors import CoopException, format_error


def load_clean_books(path: str | Path) -> Books:
    """Load the books for a command that writes; refuse books that have errors.

    A writer builds on what is there, so it starts only from books that check.

    Args:
        path: The main ledger file.

    Returns:
        The books, without errors.

    Raises:
        CoopException: The books have errors: one line with how many and the first.
    """
    books = load_books(path)
    if not books.errors:
        return books
    raise CoopException(f"{books.path}: the books do not check ({len(books.errors)} "
                        f"error(s), first: {format_error(books.errors[0])}); run coopledger "
                        "check and fix them first; nothing was written")
