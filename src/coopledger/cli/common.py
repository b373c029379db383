"""What several subcommands share: loading books that a writer may build on."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from beancount.core import data

from coopledger.books import Books, load_books
from coopledger.errors import CoopException, DeclarationError, InputRefused, format_error


class BooksDoNotCheck(CoopException):
    """The books a writer would start from have errors: exit status 1, as ``check``."""

    status = 1


def load_clean_books(path: str | Path, *, allow: Callable[[Any], bool] | None = None,
                     inputs: Callable[[Any], bool] | None = None) -> Books:
    """Load the books for a command that writes; refuse books that have errors.

    A writer builds on what is there, so it starts only from books that check. An error
    in what the command was asked to use (the declaration of the customer it invoices,
    of the suppliers it pays) is bad input rather than books that do not check: it is
    refused first, with exit status 2.

    Args:
        path: The main ledger file.
        allow: Errors this writer may start from (the import: failed bank balance
            assertions, which importing the missing statement mends); each is noted.
        inputs: Errors in this writer's own input (see :func:`party_declaration`).

    Returns:
        The books, without errors.

    Raises:
        InputRefused: An error is in the command's own input: one line naming it.
        BooksDoNotCheck: The books have errors: one line with how many and the first.
    """
    books = load_books(path)
    blocking = [e for e in books.errors if allow is None or not allow(e)]
    if not blocking:
        if books.errors:
            print(f"note: the books have {len(books.errors)} failed bank balance "
                  f"assertion(s), first: {format_error(books.errors[0])}", file=sys.stderr)
        return books
    refused = [e for e in blocking if inputs is not None and inputs(e)]
    if refused:
        raise InputRefused(f"{format_error(refused[0])}; correct the declaration and run "
                           "again; nothing was written")
    raise BooksDoNotCheck(f"{books.path}: the books do not check ({len(books.errors)} "
                        f"error(s), first: {format_error(blocking[0])}); run coopledger "
                        "check and fix them first; nothing was written")


def party_declaration(directive: str, *, entity: str | None = None,
                      name: str | None = None) -> Callable[[Any], bool]:
    """Which errors are a declaration that a command takes as its input.

    Args:
        directive: The declaration's directive (``coop-customer``, ``coop-supplier``).
        entity: Only the declarations of this entity (their ``entity:`` field, or the id
            of a declaration whose id is the entity code, as ``coop-invoicing``).
        name: Only the declaration with this id.

    Returns:
        A predicate over the books' errors.
    """
    def matches(error: Any) -> bool:
        entry = getattr(error, "entry", None)
        if not isinstance(error, DeclarationError) or not isinstance(entry, data.Custom):
            return False
        if entry.type != directive:
            return False
        ident = str(entry.values[0].value) if entry.values else None
        owner = (entry.meta or {}).get("entity", ident)
        return (name is None or ident == name) and (entity is None or owner == entity)
    return matches
