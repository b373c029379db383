"""The month's computed entries, collected from the fund and shared services, as text.

Entries that move money and are computed (loan interest and instalments due, service
fees, cost allocations, rent, depreciation, wage-subsidy claims) are not invented at load
time: ``coopledger close`` asks each computing module for the month's entries and writes
them, numbered in the closing series, into ``closing/YYYY-MM.beancount`` beside the main
file, which includes it. At the end of a VAT period the VAT settlement of each taxable
person (:mod:`coopledger.filings.vat`) comes last, over the books and these entries. Each
module offers ``closing_entries(books, period)`` returning
Beancount transactions with provenance metadata; they are imported lazily so that the
close works (with fewer entries) when a module is not installed.
"""

from __future__ import annotations

import datetime
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from beancount.core import data
from beancount.parser import printer

from coopledger.books import Books
from coopledger.errors import CoopException
from coopledger.periods import month_period
from coopledger.vouchers import VOUCHER_KEY

#: Modules that compute closing entries, each with ``closing_entries(books, period)``.
SOURCES: tuple[str, ...] = ("coopledger.fund", "coopledger.services")
CLOSING_DIR = "closing"


@dataclass(frozen=True)
class Computed:
    """The computed entries of a month and where they came from.

    Attributes:
        entries: The transactions, sorted by date.
        sources: Module name to the number of entries it gave.
        missing: Computing modules that are not installed.
    """

    entries: list[data.Transaction] = field(default_factory=list)
    sources: dict[str, int] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)


def closing_file(main: Path, month: str) -> Path:
    """The file that holds a month's computed entries and its seal."""
    return main.parent / CLOSING_DIR / f"{month}.beancount"


def _period(start: datetime.date, end: datetime.date) -> Any:
    period = month_period(start.year, start.month)
    if period.end != end:
        raise CoopException(f"{start} to {end} is not one calendar month")
    return period


def _loader(module_name: str) -> Callable[[Books, Any], list[data.Directive]] | None:
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:
            return None
        raise
    function = getattr(module, "closing_entries", None)
    return function if callable(function) else None


def collect_computed(books: Books, start: datetime.date, end: datetime.date) -> Computed:
    """Ask every computing module for the month's entries.

    Args:
        books: The books as loaded.
        start: The month's first day.
        end: The next month's first day.

    Returns:
        The entries (transactions only, dated inside the month), by date.

    Raises:
        CoopException: A module returned an entry outside the month or one that is not a
            transaction (a bug in that module, reported rather than written).
    """
    entries: list[data.Transaction] = []
    sources: dict[str, int] = {}
    missing: list[str] = []
    for name in SOURCES:
        function = _loader(name)
        if function is None:
            missing.append(name)
            continue
        found = function(books, _period(start, end))
        for entry in found:
            if not isinstance(entry, data.Transaction) or not start <= entry.date < end:
                raise CoopException(f"{name}.closing_entries gave an entry that is not a "
                                    f"transaction of the month {start:%Y-%m}: {entry.date}")
        entries.extend(e for e in found if isinstance(e, data.Transaction))
        sources[name] = len(found)
    from coopledger.filings.vat import GENERATED_BY, settlement_entries

    # Last: a VAT period's settlement includes the VAT of the month's computed entries.
    settlements = settlement_entries(books, _period(start, end), entries)
    entries.extend(settlements)
    sources[GENERATED_BY] = len(settlements)
    entries.sort(key=lambda e: (e.date, e.narration, sorted(e.links)))
    return Computed(entries, sources, missing)


def render_entry(entry: data.Transaction, ver: str | None) -> str:
    """One computed transaction as ledger text, its ``ver`` first among its metadata."""
    meta: dict[str, Any] = {"filename": entry.meta.get("filename", "<computed>"),
                            "lineno": entry.meta.get("lineno", 0)}
    if ver:
        meta[VOUCHER_KEY] = ver
    meta.update({k: v for k, v in (entry.meta or {}).items()
                 if k not in ("filename", "lineno", VOUCHER_KEY)})
    postings = [p._replace(meta={k: v for k, v in (p.meta or {}).items()
                                 if k not in ("filename", "lineno")
                                 and not str(k).startswith("__")} or None)
                for p in entry.postings
                if (p.meta or {}).get("generated-by") != "coopledger.clearing"]
    return str(printer.format_entry(entry._replace(meta=meta, postings=postings)))


def closing_text(month: str, entries: list[tuple[data.Transaction, str | None]]) -> str:
    """The text of a month's closing file: a header comment, then the entries."""
    head = (f"; Computed entries for {month}, written by coopledger close.\n"
            "; Do not edit: the month is sealed. Book corrections in an open month.\n")
    body = "\n".join(render_entry(entry, ver) for entry, ver in entries)
    return head + ("\n" + body if body else "")
