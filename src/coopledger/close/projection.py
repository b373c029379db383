"""The books as a month's close leaves them, worked out from the books already loaded.

The seal must digest the month exactly as the next load of the written books reads it,
and a close that would leave an error in the books must fail. Loading the whole ledger
again with the staged texts (:func:`coopledger.close.staging.load_staged`) proves both,
at the price of a second load. Yet a month's close changes the books in three ways only:

- a ``ver`` line after the first line of each of the month's transactions;
- an ``include`` line at the end of the main file(s), for
- the closing file, which holds the computed entries (the seal is added after).

So :func:`project_close` applies those to the loaded books instead: the ``ver`` values
become metadata of the loaded transactions (every entry below an inserted line moves
down one line number, as the parser will number it); the closing file's text is parsed
on its own and put through what a load does to its entries, with Beancount's public
functions: booking (``beancount.parser.booking.book``), the entities plugin's clearing
completion, then, over the whole merged ledger, the loans and seals plugins (a new
interest accrual can change a later check of its loan), both run by the loader's own
``run_transformations``, the balance assertions and Beancount's validations
(``beancount.ops.validation.validate``).

It answers only where that is provably what the reload gives, and raises
:class:`NotProven` otherwise, so that the close reloads:

- a plugin other than coopledger's entities, loans and seals, or a built-in step of
  Beancount's load (``beancount.loader.PLUGINS_PRE``, ``PLUGINS_AUTO``, ``PLUGINS_POST``)
  other than those whose outcome it proves unchanged (:data:`BUILT_IN_STEPS`:
  documents, pad and balance);
- new accounts opened (a clearing account) in books that name ``documents`` folders;
- an error anywhere (the reload then gives every message, at its file and line);
- ``pad`` directives in the books (padding depends on every posting before the assertion);
- a main file that does not include every file itself (the order in which Beancount
  parses nested includes decides ties between entries), or includes by a glob pattern;
- a computed posting with a cost, a price, or in another currency than the operating
  one, or on an account where the books hold anything else (the booking of later
  entries could change);
- a balance assertion after a computed entry, on an account it touches (or a parent),
  that the computed entries move.

Entries that sort equal (the same date, kind and line number in two files) come in the
order the files are parsed, as at a load. Line numbers of postings in the numbered files,
and of the clearing postings completed at load, are those of the books before the close:
nothing the close computes reads them. ``tests/test_close_projection.py`` compares the
projection with the reload.
"""

from __future__ import annotations

import bisect
import datetime
import os
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from beancount import loader
from beancount.core import data, display_context
from beancount.ops import validation
from beancount.parser import booking, parser

from coopledger.books import ENTITIES_PLUGIN, Books
from coopledger.clearing import GENERATED_BY
from coopledger.close.numbering import Assignment
from coopledger.collector import paused_if_allowed
from coopledger.vouchers import VOUCHER_KEY

LOANS_PLUGIN = "coopledger.plugins.loans"
SEALS_PLUGIN = "coopledger.plugins.seals"
#: The steps Beancount's loader runs around the ledger's plugins (read from
#: ``beancount.loader`` at each close) whose outcome this module proves unchanged by the
#: computed entries, and how; a step not named here means a reload.
BUILT_IN_STEPS = {
    # Documents found in the ``documents`` folders, for the accounts opened: proven
    # when the close opens no account or the books name no such folder.
    "beancount.ops.documents": "no account opened, or no documents option",
    # Padding: proven when the books hold no pad directive (_check_history).
    "beancount.ops.pad": "no pad directives",
    # Balance assertions: proven when the computed entries move no asserted account
    # before its assertion (_check_history).
    "beancount.ops.balance": "no assertion moved",
}
_INCLUDE = re.compile(r'^include\s+"([^"\n]*)"', re.MULTILINE)
_GLOB = re.compile(r"[*?\[]")
_GENERATED_OPENS = f"<{GENERATED_BY}>"

Plugins = list[tuple[str, Any]]
Moves = dict[str, list[tuple[datetime.date, Decimal]]]


class NotProven(Exception):  # noqa: N818 - a reason to reload, not an error
    """The projection cannot prove it equals a reload; the message says why."""


@dataclass(frozen=True)
class _Context:
    """What the loaded books hold that the computed entries are checked against.

    Attributes:
        customs: Every ``custom`` directive (the declarations).
        opens: The ``open`` directives written in the ledger.
        generated: The clearing accounts' ``open`` the entities plugin added, by account.
        closes: The ``close`` directives.
    """

    customs: list[data.Custom]
    opens: list[data.Open]
    generated: dict[str, data.Open]
    closes: list[data.Close]

    @classmethod
    def of(cls, entries: Iterable[data.Directive]) -> _Context:
        """Collect them in one pass."""
        context = cls([], [], {}, [])
        for entry in entries:
            if isinstance(entry, data.Custom):
                context.customs.append(entry)
            elif isinstance(entry, data.Open):
                if entry.meta.get("filename") == _GENERATED_OPENS:
                    context.generated[entry.account] = entry
                else:
                    context.opens.append(entry)
            elif isinstance(entry, data.Close):
                context.closes.append(entry)
        return context


def project_close(
    books: Books,
    staged: Mapping[Path, str],
    closing: Path,
    closing_body: str,
    numbered: Sequence[Assignment],
) -> Books:
    """The books as loading them after the close's writes would give them.

    Args:
        books: The books as loaded before the close.
        staged: The staged texts by (resolved) path, the main files' among them.
        closing: The closing file's (resolved) path.
        closing_body: Its text, without the seal.
        numbered: The voucher ids the close writes into the month's transactions.

    Returns:
        The books, without errors.

    Raises:
        NotProven: The result cannot be proven equal to a reload (see the module
            docstring), or the books would hold an error.
    """
    if books.errors:
        raise NotProven("the books have errors")
    plugins = _plugins(books.options)
    files = _parse_order(books, staged, closing)
    # The plugins may leave what they share in the options map: not in the books' own.
    options = dict(books.options)
    with paused_if_allowed():
        computed, parsed_options = _computed_entries(options, files[-1], closing_body)
        context = _Context.of(books.entries)
        completed, opens = _complete(plugins[:1], options, context, computed)
        if opens and options.get("documents"):
            raise NotProven("the close opens accounts in books with documents folders")
        moves = _movements(completed, books.operating_currency)
        entries = _number(books.entries, numbered, [*completed, *opens], files)
        _check_history(entries, moves, books.operating_currency)
        # The loans and seals plugins over the whole merged ledger (a new interest
        # accrual can change a later check of its loan), as the load runs them.
        result = _run_plugins(plugins[1:], entries, options)
        kept = {id(e) for e in result} if result is not entries else None
        entries = result
        reopened = {e.account for e in opens}
        checked: list[data.Directive] = [
            *context.opens, *context.closes, *opens,
            *(e for account, e in context.generated.items() if account not in reopened),
            *(e for e in completed if kept is None or id(e) in kept)]
        checked.sort(key=data.entry_sortkey)
        if validation.validate(checked, options):  # type: ignore[no-untyped-call]
            raise NotProven("Beancount's validation reports an error")
    options["plugin"] = books.options.get("plugin", [])
    options["plugin_processing_mode"] = books.options.get("plugin_processing_mode")
    return Books(books.path, entries, [], _options(options, files[-1], parsed_options),
                 books.declarations)


def _plugins(options: Mapping[str, Any]) -> Plugins:
    """The books' plugins, when the projection can prove what their load does.

    Beancount's own steps around them are read from its loader's public lists; each
    must be one of :data:`BUILT_IN_STEPS`.
    """
    if options.get("plugin_processing_mode") != "default":
        raise NotProven("the books set plugin_processing_mode")
    for name, _ in [*loader.PLUGINS_PRE, *loader.PLUGINS_AUTO, *loader.PLUGINS_POST]:
        if name not in BUILT_IN_STEPS:
            raise NotProven(f"Beancount's load runs {name}, which this close does not mirror")
    plugins: Plugins = list(options.get("plugin", []))
    names = [name for name, _ in plugins]
    for name in names:
        if name not in (ENTITIES_PLUGIN, LOANS_PLUGIN, SEALS_PLUGIN) or names.count(name) > 1:
            raise NotProven(f"the books load the plugin {name}")
    if names[:1] != [ENTITIES_PLUGIN]:
        raise NotProven("the entities plugin is not the books' first")
    return plugins


def _run_plugins(plugins: Plugins, entries: list[data.Directive],
                 options: dict[str, Any]) -> list[data.Directive]:
    """Run some of the books' plugins as a load does: Beancount's ``run_transformations``
    in raw mode (these plugins only, in order, the entries sorted after each).

    Raises:
        NotProven: A plugin reports an error.
    """
    options["plugin"] = plugins
    options["plugin_processing_mode"] = "raw"
    result, errors = loader.run_transformations(entries, [], options, None)
    if errors:
        raise NotProven(f"{', '.join(name for name, _ in plugins)} report an error")
    return result


def _parse_order(books: Books, staged: Mapping[Path, str], closing: Path) -> list[str]:
    """The files in the order the reload parses them, as the parser names them.

    Beancount parses the main file, then the files it includes, in order, then what
    those include. Only books whose main file includes every other file are projected:
    then the order is the main file's ``include`` lines, the closing file's last.
    """
    top = os.path.normpath(os.path.abspath(os.path.expanduser(str(books.path))))
    text = staged.get(Path(top).resolve())
    if text is None:
        raise NotProven("the main file is not among the staged files")
    files = [top]
    for match in _INCLUDE.finditer(text):
        name = match.group(1)
        if _GLOB.search(name):
            raise NotProven(f"{top} includes files by a glob pattern")
        files.append(os.path.normpath(os.path.join(os.path.dirname(top), name)))
    for path, other in staged.items():
        # (A file without the word includes nothing: a year's file, searched in C.)
        if path != closing and "include" in other and any(
                _GLOB.search(m.group(1)) for m in _INCLUDE.finditer(other)):
            raise NotProven(f"{path} includes files by a glob pattern")
    if (len(set(files)) != len(files) or Path(files[-1]).resolve() != closing
            or set(files[:-1]) != set(books.options.get("include", []))):
        raise NotProven("the main file does not include every file itself")
    return files


def _computed_entries(
    options: Mapping[str, Any], closing: str, body: str,
) -> tuple[list[data.Transaction], dict[str, Any]]:
    parsed, errors, parsed_options = parser.parse_string(body, report_filename=closing)
    if errors or parsed_options["include"] or parsed_options["plugin"]:
        raise NotProven("the closing file does not parse to plain entries")
    booked, errors = booking.book(parsed, options)  # type: ignore[no-untyped-call]
    if errors:
        raise NotProven("the computed entries do not book")
    transactions = [e for e in booked if isinstance(e, data.Transaction)]
    if len(transactions) != len(booked):
        raise NotProven("the closing file holds other directives than transactions")
    return transactions, parsed_options


def _complete(
    plugins: Plugins, options: dict[str, Any], context: _Context,
    computed: list[data.Transaction],
) -> tuple[list[data.Transaction], list[data.Open]]:
    """The computed entries as the entities plugin completes them, and the ``open``
    directives of the clearing accounts they use first (or earlier than the books did).

    The plugin completes each transaction on its own, from the declarations and the
    ``open`` directives, so it runs over those and the computed entries only.
    """
    entries: list[data.Directive] = sorted([*context.customs, *context.opens, *computed],
                                           key=data.entry_sortkey)
    entries = _run_plugins(plugins, entries, options)
    completed = [e for e in entries if isinstance(e, data.Transaction)]
    opens = [e for e in entries if isinstance(e, data.Open)
             and e.meta.get("filename") == _GENERATED_OPENS
             and (e.account not in context.generated
                  or e.date < context.generated[e.account].date)]
    return completed, opens


def _movements(completed: list[data.Transaction], currency: str) -> Moves:
    """Per account, the computed postings' ``(date, units)``; plain units only."""
    moves: Moves = defaultdict(list)
    for entry in completed:
        for posting in entry.postings:
            units = posting.units
            if (posting.cost is not None or posting.price is not None or units is None
                    or units.currency != currency or not isinstance(units.number, Decimal)):
                raise NotProven(f"a computed posting on {posting.account} is not plain "
                                f"{currency}")
            moves[posting.account].append((entry.date, units.number))
    return moves


def _number(
    entries: list[data.Directive], numbered: Sequence[Assignment],
    added: list[data.Directive], files: list[str],
) -> list[data.Directive]:
    """The entries with their voucher ids and their line numbers after the inserted
    lines, ``added`` merged in (a clearing account's ``open`` replacing the books' one),
    in the order of the reload: Beancount's sort, ties in the order the files are parsed.
    """
    values = {id(a.entry): a.value for a in numbered}
    headers: dict[str, list[int]] = defaultdict(list)
    for assignment in numbered:
        meta = assignment.entry.meta
        headers[str(meta["filename"])].append(int(meta["lineno"]))
    for lines in headers.values():
        lines.sort()
    reopened = {e.account for e in added if isinstance(e, data.Open)}
    result: list[data.Directive] = []
    append = result.append
    for entry in entries:
        meta = entry.meta
        filename = meta.get("filename")
        inserted = headers.get(filename)  # type: ignore[arg-type]
        if inserted is None:
            if not (reopened and filename == _GENERATED_OPENS
                    and isinstance(entry, data.Open) and entry.account in reopened):
                append(entry)
            continue
        lineno = meta["lineno"]
        shift = bisect.bisect_left(inserted, lineno)
        value = values.get(id(entry))
        if value is None:
            if not shift:
                append(entry)
                continue
            # Moved down only: the parser's meta (where first) with the new line number.
            replaced = dict(meta)
            replaced["lineno"] = lineno + shift
        else:
            # As the parser builds it: where first, then the inserted ver, then the rest.
            replaced = {"filename": filename, "lineno": lineno + shift, VOUCHER_KEY: value}
            replaced.update((k, v) for k, v in meta.items() if k not in replaced)
        # The entry with its new meta (the first field of every directive), as
        # ``_replace`` makes it.
        append(type(entry)(replaced, *entry[1:]))
    result.extend(added)
    rank = {name: position for position, name in enumerate(files)}
    last = len(files)
    order = data.SORT_ORDER

    def key(entry: data.Directive) -> tuple[datetime.date, int, int, int]:
        meta = entry.meta
        return (entry.date, order.get(type(entry), 0), meta["lineno"],
                rank.get(meta["filename"], last))

    result.sort(key=key)
    return result


def _check_history(entries: Iterable[data.Directive], moves: Moves, currency: str) -> None:
    """Raise unless the computed postings leave the load of every other entry as it was."""
    parents = {account.rsplit(":", depth)[0] for account in moves
               for depth in range(account.count(":") + 1)}
    for entry in entries:
        if isinstance(entry, data.Transaction):
            for posting in entry.postings:
                if posting.account in moves and (
                        posting.cost is not None or posting.units is None
                        or posting.units.currency != currency):
                    raise NotProven(f"the books hold more than plain {currency} on "
                                    f"{posting.account}")
        elif isinstance(entry, data.Pad):
            raise NotProven("the books use pad directives")
        elif isinstance(entry, data.Balance) and entry.account in parents:
            _check_assertion(entry, moves, currency)


def _check_assertion(entry: data.Balance, moves: Moves, currency: str) -> None:
    # Beancount checks an assertion against the postings dated before it, on the
    # account and its sub-accounts; the computed ones are all in ``currency``.
    if entry.amount.currency != currency:
        return
    prefix = entry.account + ":"
    moved = sum((number for account, items in moves.items()
                 if account == entry.account or account.startswith(prefix)
                 for date, number in items if date < entry.date), Decimal(0))
    if moved:
        raise NotProven(f"the computed entries move {entry.account}, asserted on {entry.date}")


def _options(options: Mapping[str, Any], closing: str,
             parsed: Mapping[str, Any]) -> dict[str, Any]:
    """The options map a load of the closed books gives: one more file, its precisions."""
    result = dict(options)
    result["include"] = sorted({*options.get("include", []), closing})
    context = display_context.DisplayContext()
    context.update_from(options["dcontext"])
    context.update_from(parsed["dcontext"])
    result["dcontext"] = context
    return result
