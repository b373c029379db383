"""Corrections (rättelse): a new entry in an open month that corrects a booked one.

A booked entry in a sealed month is never edited (BFNAR 2013:2: corrections are new
entries, dated when the error was found, saying by whom). :func:`correction_entry`
builds the correcting entry for a voucher: by default the full reversal (storno) of the
original, after which the right entry is booked as usual; with ``moves`` it instead
moves the original's amounts from one account to another (a wrong account). The entry
carries ``corrects:`` (the original's voucher id), ``corrected-by:`` and the original's
links, and is written into ``corrections/YYYY-MM.beancount`` (included from the main
file); the next close numbers it.

Example, the coffee booked on the wrong account::

    coopledger correct main.beancount Kafe:A-2026-0042 --by "Anna Berg" --move \\
        Expenses:Kafe:4010-Inköp-varor-och-material=Expenses:Kafe:5410-Förbrukningsinventarier

writes::

    2026-11-04 * "Rättelse" "Rättelse av Kafe:A-2026-0042: Kaffebönor"
      corrects: "Kafe:A-2026-0042"
      corrected-by: "Anna Berg"
      Expenses:Kafe:4010-Inköp-varor-och-material  -800.00 SEK
      Expenses:Kafe:5410-Förbrukningsinventarier    800.00 SEK
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping

from beancount.core import data

from coopledger.books import Books
from coopledger.close.computed import render_entry
from coopledger.close.month import sealed_months
from coopledger.close.seal import is_derived_posting, month_label
from coopledger.close.yearseal import main_files
from coopledger.errors import CoopException
from coopledger.files import FileTransaction, include_line, read_text, with_include
from coopledger.vouchers import voucher_ids

CORRECTIONS_DIR = "corrections"


def find_voucher(books: Books, voucher: str) -> data.Transaction:
    """The transaction whose ``ver`` holds this voucher id.

    Raises:
        CoopException: No transaction has it.
    """
    code = voucher.partition(":")[0]
    for entry in books.transactions:
        ids = voucher_ids(entry.meta) if "ver" in (entry.meta or {}) else {}
        if code in ids and str(ids[code]) == voucher:
            return entry
    raise CoopException(f"no transaction has voucher id {voucher} (write it as "
                        "Entity:SERIES-YEAR-NUMBER, e.g. Kafe:A-2026-0042)")


def correction_entry(
    original: data.Transaction, voucher: str, date: datetime.date, by: str,
    moves: Mapping[str, str] | None = None, reason: str = "",
) -> data.Transaction:
    """The entry correcting ``original``: its reversal, or moves between accounts.

    Args:
        original: The entry being corrected.
        voucher: Its voucher id.
        date: The correction's date (in an open month).
        by: Who makes the correction.
        moves: Account to the account its amounts should have been on; None reverses
            the whole entry.
        reason: What was wrong, for the narration.

    Returns:
        The correcting transaction (not yet numbered).

    Raises:
        CoopException: A moved account has no posting in the original.
    """
    postings = [p for p in original.postings if not is_derived_posting(p)]
    new: list[data.Posting] = []
    if moves:
        for source, target in moves.items():
            found = [p for p in postings if p.account == source]
            if not found:
                raise CoopException(f"voucher {voucher} has no posting on {source}")
            for posting in found:
                if posting.units is None:
                    continue
                new.append(data.Posting(source, -posting.units, None, None, None, None))
                new.append(data.Posting(target, posting.units, None, None, None, None))
    else:
        new = [data.Posting(p.account, -p.units, None, None, None, None) for p in postings
               if p.units is not None]
    text = reason or original.narration
    meta = data.new_metadata("<coopledger.correct>", 0,
                             {"corrects": voucher, "corrected-by": by})
    return data.Transaction(meta, date, "*", "Rättelse", f"Rättelse av {voucher}: {text}",
                            frozenset(), original.links, new)


def stage_correction(books: Books, entry: data.Transaction) -> FileTransaction:
    """Stage the correction in ``corrections/YYYY-MM.beancount`` and its include line.

    Raises:
        CoopException: The correction's month is sealed.
    """
    month = month_label(entry.date)
    if month in sealed_months(books):
        raise CoopException(f"{month} is sealed: date the correction in an open month "
                            "(the day the error was found)")
    main = books.path.resolve()
    target = main.parent / CORRECTIONS_DIR / f"{month}.beancount"
    old = read_text(target) if target.exists() else (
        f"; Corrections booked in {month}, written by coopledger correct.\n")
    separator = "" if old.endswith("\n") else "\n"
    tx = FileTransaction()
    tx.write(target, f"{old}{separator}\n{render_entry(entry, None)}")
    for file in main_files(main, books.entries):
        tx.write(file, with_include(read_text(file), include_line(file, target)))
    return tx
