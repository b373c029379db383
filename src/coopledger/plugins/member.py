"""One member's books as a ledger: the group's books loaded in full, then projected.

A member cooperative's board sees a ledger file of its own that holds no entries, only
this plugin, which loads the group's books (every plugin and check of their main file
run as usual, through :func:`coopledger.books.load_books`) and returns that member's
projection of them (:func:`coopledger.member.member_entries`): its own entries, its own
legs of shared ones, its declarations, each month's close state and each month's people
as counts (:func:`coopledger.people.people_marks`: no person in them). ``coopledger serve
--entity Kafe`` writes such a file and hands it to Fava, so Fava loads the member's books
through its ordinary loading path and never holds the group's::

    option "title" "Kooperativa Paraplyet i Östergötland – Kafe"
    option "operating_currency" "SEK"
    plugin "coopledger.plugins.member" "{'entity': 'Kafe', 'books': '/srv/books/main.beancount'}"

``books`` is the group's main file (relative paths are read from this file's folder).
The group's files are added to the options' ``include`` list, so a viewer that watches
a ledger's files (Fava) reloads the member's books when any of them changes. Errors of
the group's load about the member's own entries are returned; the others are counted in
one line, never quoted. An unknown entity or a bad configuration is one error and no
entries.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

from beancount.core import data

from coopledger.close import close_status
from coopledger.errors import CoopError, CoopException
from coopledger.member import member_entries, member_errors
from coopledger.people import people_marks

__plugins__ = ("project_member",)


class MemberPluginError(CoopError):
    """The member plugin's configuration or the group's books could not be used."""


def _config(config: str | None) -> tuple[str, str]:
    try:
        parsed = ast.literal_eval(config or "")
    except (ValueError, SyntaxError):
        parsed = None
    if (not isinstance(parsed, dict) or not isinstance(parsed.get("entity"), str)
            or not isinstance(parsed.get("books"), str)):
        raise ValueError("coopledger.plugins.member needs \"{'entity': 'CODE', "
                         f"'books': 'main.beancount'}}\", not {config!r}")
    return parsed["entity"], parsed["books"]


def project_member(
    entries: list[data.Directive], options_map: dict[str, Any], config: str | None = None,
) -> tuple[list[data.Directive], list[CoopError]]:
    """Replace the (empty) entries with the member's projection of the group's books.

    Args:
        entries: This file's own entries (kept only when the configuration is bad).
        options_map: This file's options; the group's files join its ``include`` list.
        config: ``"{'entity': 'Kafe', 'books': 'main.beancount'}"``.

    Returns:
        The member's entries and errors.
    """
    from coopledger.books import load_books

    meta = data.new_metadata(str(options_map.get("filename") or "<member>"), 0)
    try:
        code, books_path = _config(config)
    except ValueError as exc:
        return entries, [MemberPluginError(meta, str(exc), None)]
    main = Path(str(options_map.get("filename") or ".")).parent / books_path
    try:
        books = load_books(main)
    except CoopException as exc:
        return [], [MemberPluginError(meta, str(exc), None)]
    if code not in books.entities:
        return [], [MemberPluginError(meta, f"entity {code!r} is not declared in {main}", None)]
    states = [(s.month, str(s.state)) for s in close_status(books, with_checks=False)]
    includes = options_map.setdefault("include", [])
    includes.extend(f for f in books.options.get("include", []) if f not in includes)
    return (member_entries(books.entries, code, states, people_marks(books, code)),
            member_errors(books.errors, code))
