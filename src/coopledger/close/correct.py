"""Corrections (rättelse): a new entry in an open month that corrects a booked one.

A booked entry in a sealed month is never edited (BFNAR 2013:2: corrections are new
entries, dated when the error was found, saying by whom). :func:`correction_entry`
builds the correcting entry for a voucher: by default the full reversal (storno) of the
original, after which the right entry is booked as usual; with ``moves`` it instead
moves the original's amounts from one account to another (a wrong account). The entry
carries ``corrects:`` (the original's voucher id), ``corrected-by:`` and the original's
links, and is written into ``corrections/YYYY-MM.beancount`` (included from the main
file); the next close numbers it. Accounts may be named by their BAS number, resolved
within the voucher's entity (:func:`resolve_account`). A wrong amount is corrected by the
reversal and a new entry with the right amounts (:func:`amended_entry`), linked to each
other by ``^corr-<voucher>``.

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
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal

from beancount.core import data
from beancount.core.amount import Amount

from coopledger.books import Books
from coopledger.close.computed import render_entry
from coopledger.close.yearseal import main_files
from coopledger.entities import entity_of
from coopledger.errors import CoopException
from coopledger.files import FileTransaction, include_line, read_text, with_include
from coopledger.seals import is_derived_posting, month_label
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


def resolve_account(books: Books, code: str, name: str,
                    among: Sequence[str] | None = None) -> str:
    """An account named in a correction: its full name, or a BAS number in ``code``'s tree.

    Args:
        books: The books.
        code: The voucher's entity.
        name: ``Expenses:Kafe:4010-...`` or ``4010``.
        among: The accounts to look in (the voucher's own, for the account moved from);
            by default every open account of the entity.

    Returns:
        The account's full name.

    Raises:
        CoopException: No open account, or more than one, has that BAS number.
    """
    if not re.fullmatch(r"\d{4}", name):
        if name not in books.opens:
            raise CoopException(f"{name} is not an open account")
        return name
    pool = among if among is not None else books.accounts_of(code)
    found = sorted({a for a in pool if entity_of(a) == code and books.bas(a) == name})
    if len(found) == 1:
        return found[0]
    if not found:
        where = "the voucher" if among is not None else f"{code}'s open accounts"
        raise CoopException(f"no account with BAS {name} among {where}")
    raise CoopException(f"BAS {name} is {len(found)} accounts of {code} "
                        f"({', '.join(found)}); name the account")


def amended_entry(original: data.Transaction, voucher: str, date: datetime.date, by: str,
                  amounts: Mapping[str, Decimal], reason: str = "") -> data.Transaction:
    """The entry that books ``original`` again with the right amounts (after its reversal).

    Args:
        original: The entry being corrected.
        voucher: Its voucher id.
        date: The correction's date.
        by: Who makes the correction.
        amounts: Account to its right amount; the other postings are kept as they were.

    Returns:
        The new entry, carrying ``corrects:`` and the original's links.

    Raises:
        CoopException: An account has no posting in the original, or the new amounts
            do not balance.
    """
    postings = [p for p in original.postings if not is_derived_posting(p)]
    for account in amounts:
        if not any(p.account == account for p in postings):
            raise CoopException(f"voucher {voucher} has no posting on {account}")
    new = [data.Posting(p.account, Amount(amounts.get(p.account, p.units.number),
                                          p.units.currency), None, None, None, None)
           for p in postings if p.units is not None and p.units.number is not None]
    if sum((p.units.number for p in new if p.units is not None and p.units.number is not None),
           Decimal(0)):
        raise CoopException(f"the new amounts of {voucher} do not balance: give the "
                            "amount of every posting that changes (ACCOUNT=AMOUNT)")
    meta = data.new_metadata("<coopledger.correct>", 0,
                             {"corrects": voucher, "corrected-by": by})
    text = reason or original.narration
    return data.Transaction(meta, date, "*", original.payee or "Rättelse",
                            f"Rätt belopp för {voucher}: {text}", frozenset(),
                            original.links, new)


def correction_link(voucher: str) -> str:
    """The link between a reversal and the entry that books the right amounts."""
    return "corr-" + re.sub(r"[^A-Za-z0-9\-_/.]", "-", voucher)


def amount_changes(original: data.Transaction, voucher: str,
                   changes: Mapping[str, Decimal]) -> dict[str, Decimal]:
    """The right amount per account, from ``ACCOUNT=AMOUNT`` pairs or one plain amount.

    A plain amount (key ``""``) is allowed on a two-posting voucher: the posting that was
    positive gets it, the other its negation.

    Raises:
        CoopException: A plain amount on a voucher with more than two postings.
    """
    if "" not in changes:
        return dict(changes)
    postings = [p for p in original.postings
                if not is_derived_posting(p) and p.units is not None]
    if len(postings) != 2 or len(changes) != 1:
        raise CoopException(f"voucher {voucher} has {len(postings)} postings: give the "
                            "right amount of each as --amount ACCOUNT=AMOUNT")
    amount = changes[""]
    first, second = postings
    positive, other = ((first, second) if first.units and (first.units.number or 0) >= 0
                       else (second, first))
    return {positive.account: abs(amount), other.account: -abs(amount)}


def stage_correction(books: Books,
                     entry: data.Transaction | Sequence[data.Transaction]) -> FileTransaction:
    """Stage the correction in ``corrections/YYYY-MM.beancount`` and its include line.

    Args:
        books: The books.
        entry: The correcting entry, or entries (a reversal and the new amounts), all
            dated in one month.

    Raises:
        PeriodLocked: The correction's month is sealed, or it posts to an account not
            open on its date.
    """
    entries = [entry] if isinstance(entry, data.Transaction) else list(entry)
    month = month_label(entries[0].date)
    main = books.path.resolve()
    target = main.parent / CORRECTIONS_DIR / f"{month}.beancount"
    old = read_text(target) if target.exists() else (
        f"; Corrections booked in {month}, written by coopledger correct.\n")
    separator = "" if old.endswith("\n") else "\n"
    tx = FileTransaction()
    text = "".join(f"\n{render_entry(e, None)}" for e in entries)
    tx.write_entries(target, f"{old}{separator}{text}", books,
                     entries, "nothing was written; date the correction in an open month "
                     "(the day the error was found) with --date")
    for file in main_files(main, books.entries):
        tx.write(file, with_include(read_text(file), include_line(file, target)))
    return tx
