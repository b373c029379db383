"""Voucher numbering: every transaction gets a gapless number per entity, series and year.

Swedish law wants every entry (verifikation) numbered in a series, in registration order
(DOMAIN.md, section 2). ``coopledger close`` gives every transaction of the month that has
no ``ver`` yet one voucher id per entity it touches (see :mod:`coopledger.vouchers`),
numbered in date order (then file and line) and continuing from the highest number already
used in that entity, series and fiscal year, and writes it into the ledger text as one
metadata line right after the transaction's first line::

    2026-10-05 * "Grossisten AB" "Kaffebönor"
      ver: "Kafe:A-2026-0042 Paraply:A-2026-0107"
      Expenses:Kafe:4010-Inköp-varor-och-material   800.00 SEK
      ...

Series: ``A`` for the entries people write, ``B`` for the entries ``coopledger close``
computes (interest, fees, allocations; see :mod:`coopledger.close.computed`) and ``Y`` for
the year-end entries. The fiscal year of a voucher is the year its entity's fiscal year
starts in. No other byte of a file changes: the line is inserted with the indentation of
the line that follows and the file's own line ending.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from beancount.core import data, flags

from coopledger.entities import entity_of
from coopledger.errors import CoopException
from coopledger.i18n import Message
from coopledger.vouchers import VOUCHER_KEY, VoucherId, format_voucher_ids, voucher_ids

DEFAULT_SERIES = "A"
COMPUTED_SERIES = "B"
YEAR_END_SERIES = "Y"
_HEADER = re.compile(r"^\d{4}-\d{2}-\d{2}\s+(txn|[*!&#?%PSTCURM])(\s|$)")

SeriesKey = tuple[str, str, int]


def fiscal_year(date: datetime.date, start_month: int = 1) -> int:
    """The year in which the fiscal year holding ``date`` starts."""
    return date.year if date.month >= start_month else date.year - 1


def touched_entities(entry: data.Transaction) -> list[str]:
    """The entity codes a transaction posts to, sorted."""
    return sorted({code for p in entry.postings if (code := entity_of(p.account))})


def is_numberable(entry: data.Directive) -> bool:
    """Whether a directive is a transaction written in a file (not padding or generated)."""
    if not isinstance(entry, data.Transaction) or entry.flag == flags.FLAG_PADDING:
        return False
    filename = str((entry.meta or {}).get("filename") or "")
    return not filename.startswith("<") or filename == "<string>"


def _order(entry: data.Transaction) -> tuple[datetime.date, str, int]:
    meta = entry.meta or {}
    return entry.date, str(meta.get("filename") or ""), int(meta.get("lineno") or 0)


def used_numbers(entries: Iterable[data.Directive]) -> dict[SeriesKey, list[int]]:
    """Every voucher number in use, by (entity, series, fiscal year).

    Raises:
        CoopException: A ``ver`` value is malformed (names its file and line).
    """
    used: dict[SeriesKey, list[int]] = defaultdict(list)
    for entry in entries:
        if not isinstance(entry, data.Transaction) or VOUCHER_KEY not in (entry.meta or {}):
            continue
        try:
            ids = voucher_ids(entry.meta)
        except ValueError as exc:
            raise CoopException(str(exc), entry.meta) from None
        for vid in ids.values():
            used[(vid.entity, vid.series, vid.year)].append(vid.number)
    return used


@dataclass(frozen=True)
class Assignment:
    """The voucher ids given to one transaction."""

    entry: data.Transaction
    ids: dict[str, VoucherId]

    @property
    def value(self) -> str:
        """The ``ver`` metadata value."""
        return format_voucher_ids(self.ids)


def assign_vouchers(
    all_entries: Iterable[data.Directive],
    to_number: Iterable[data.Transaction],
    fiscal_year_start: Mapping[str, int],
    series_of: Callable[[data.Transaction], str] = lambda _: DEFAULT_SERIES,
) -> list[Assignment]:
    """Number transactions that have no ``ver`` yet, continuing each series.

    Args:
        all_entries: Every entry of the books (for the numbers already used).
        to_number: The transactions to number (those with a ``ver`` are left alone).
        fiscal_year_start: Entity code to the month its fiscal year starts (default 1).
        series_of: The series of a transaction.

    Returns:
        One assignment per numbered transaction, in numbering order.

    Raises:
        CoopException: A transaction touches no entity, or a ``ver`` is malformed.
    """
    used = used_numbers(all_entries)
    last = {key: max(numbers) for key, numbers in used.items()}
    assignments = []
    for entry in sorted((e for e in to_number if VOUCHER_KEY not in (e.meta or {})),
                        key=_order):
        codes = touched_entities(entry)
        if not codes:
            raise CoopException("transaction posts to no entity; cannot number it",
                                entry.meta)
        series = series_of(entry)
        ids = {}
        for code in codes:
            year = fiscal_year(entry.date, fiscal_year_start.get(code, 1))
            key = (code, series, year)
            last[key] = last.get(key, 0) + 1
            ids[code] = VoucherId(code, series, year, last[key])
        assignments.append(Assignment(entry, ids))
    return assignments


def numbering_problems(
    entries: Iterable[data.Directive], fiscal_year_start: Mapping[str, int],
) -> list[tuple[Message, dict[str, object] | None]]:
    """Check that voucher ids are complete, consistent, gapless and in date order.

    Args:
        entries: The books' entries.
        fiscal_year_start: Entity code to the month its fiscal year starts.

    Returns:
        ``(message, meta)`` for each problem (empty when all is well); the messages
        are the catalogue's (``voucher.*``), said in a page's or a pack's language.
    """
    problems: list[tuple[Message, dict[str, object] | None]] = []
    series: dict[SeriesKey, list[tuple[int, datetime.date, dict[str, object]]]] = \
        defaultdict(list)
    for entry in entries:
        if not isinstance(entry, data.Transaction) or VOUCHER_KEY not in (entry.meta or {}):
            continue
        try:
            ids = voucher_ids(entry.meta)
        except ValueError:
            problems.append((Message.of("voucher.unreadable",
                                        value=str(entry.meta[VOUCHER_KEY])), entry.meta))
            continue
        if sorted(ids) != touched_entities(entry):
            problems.append((Message.of("voucher.entities", named=", ".join(sorted(ids)),
                                        touched=", ".join(touched_entities(entry))),
                             entry.meta))
        for vid in ids.values():
            expected = fiscal_year(entry.date, fiscal_year_start.get(vid.entity, 1))
            if vid.year != expected:
                problems.append((Message.of("voucher.year", voucher=str(vid),
                                            year=expected), entry.meta))
            series[(vid.entity, vid.series, vid.year)].append((vid.number, entry.date,
                                                                entry.meta))
    for (code, name, year), numbers in sorted(series.items()):
        numbers.sort(key=lambda item: item[0])
        for position, (number, date, meta) in enumerate(numbers, start=1):
            if number != position:
                problems.append((Message.of("voucher.gap", series=f"{code}:{name}-{year}",
                                            number=number, expected=position), meta))
                break
            if position > 1 and date < numbers[position - 2][1]:
                problems.append((Message.of("voucher.order",
                                            voucher=f"{code}:{name}-{year}-{number:04d}",
                                            date=date), meta))
                break
    return problems


def insert_voucher_lines(text: str, lines: Mapping[int, str], filename: Path) -> str:
    """Insert ``ver`` metadata lines after transaction header lines of one file's text.

    Args:
        text: The file's whole text.
        lines: 1-based header line number to the ``ver`` value to insert after it.
        filename: The file, for error messages.

    Returns:
        The text with one line inserted per header; every other byte unchanged.

    Raises:
        CoopException: A line number does not hold a transaction header.
    """
    source = text.splitlines(keepends=True)
    out: list[str] = []
    copied = 0  # the lines of ``source`` already in ``out``
    for number in sorted(n for n in lines if 1 <= n <= len(source)):
        out.extend(source[copied:number - 1])  # the lines between, as they are
        copied = number
        line = source[number - 1]
        if not _HEADER.match(line):
            raise CoopException(f"{filename}:{number}: expected a transaction's first line "
                                "here; the file changed while closing? nothing was written")
        body = line.rstrip("\r\n")
        eol = line[len(body):] or _line_ending(text)
        following = source[number] if number < len(source) else ""
        stripped = following.lstrip(" \t")
        indent = following[:len(following) - len(stripped)] if stripped.strip() else ""
        out.append(body + eol)
        out.append(f'{indent or "  "}{VOUCHER_KEY}: "{lines[number]}"{eol}')
    out.extend(source[copied:])
    return "".join(out)


def _line_ending(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"
