"""What several subcommands share: loading books that a writer may build on."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from coopledger.books import Books, load_books
from coopledger.errors import CoopException, format_error


class BooksDoNotCheck(CoopException):
    """The books a writer would start from have errors: exit status 1, as ``check``."""

    status = 1


def load_clean_books(path: str | Path, *, allow: Callable[[Any], bool] | None = None) -> Books:
    """Load the books for a command that writes; refuse books that have errors.

    A writer builds on what is there, so it starts only from books that check.

    Args:
        path: The main ledger file.
        allow: Errors this writer may start from (the import: failed bank balance
            assertions, which importing the missing statement mends); each is noted.

    Returns:
        The books, without errors.

    Raises:
        BooksDoNotCheck: The books have errors: one line with how many and the first.
    """
    books = load_books(path)
    blocking = [e for e in books.errors if allow is None or not allow(e)]
    if not blocking:
        if books.errors:
            print(f"note: the books have {len(books.errors)} failed bank balance "
                  f"assertion(s), first: {format_error(books.errors[0])}", file=sys.stderr)
        return books
    raise BooksDoNotCheck(f"{books.path}: the books do not check ({len(books.errors)} "
                        f"error(s), first: {format_error(blocking[0])}); run coopledger "
                        "check and fix them first; nothing was written")
