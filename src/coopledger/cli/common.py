"""What several subcommands share: loading books that a writer may build on."""

from __future__ import annotations

import sys
from pathlib import Path

from coopledger.books import Books, load_books
from coopledger.errors import format_error


def load_clean_books(path: str | Path) -> Books | None:
    """Load the books for a command that writes; refuse books that have errors.

    A writer builds on what is there, so it starts only from books without errors: each
    error is printed as ``file:line: message`` with a last line saying nothing was
    written, and the caller exits with status 1.

    Args:
        path: The main ledger file.

    Returns:
        The books, or None when they have errors (already reported on stderr).
    """
    books = load_books(path)
    if not books.errors:
        return books
    for error in books.errors:
        print(format_error(error), file=sys.stderr)
    print(f"{books.path}: fix the books' errors first; nothing was written", file=sys.stderr)
    return None
