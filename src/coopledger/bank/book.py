"""A statement turned into Beancount entries: matched, deduplicated, balances asserted.

:func:`statement_entries` is the one function every importer and the ``import`` command
call after reading a file. It checks that opening balance + entries = closing balance,
books each entry through :func:`~coopledger.bank.match.categorise`, drops what the books
already hold (the bank's reference in ``bank-ref`` metadata, or the same movement booked
from the other side's statement) and asserts the booked balances: the opening balance on
its date, the closing balance on the day after its date, since Beancount checks a
``balance`` at the start of the day.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from beancount.core import data, flags
from beancount.core.amount import Amount

from coopledger.bank.context import BankContext, number_of
from coopledger.bank.match import Booking, categorise, placeholder_account, posting
from coopledger.bank.model import BankTxn, Leg, Statement
from coopledger.entities import entity_of
from coopledger.errors import InputRefused

#: How many days apart the two sides of one transfer may be booked by their banks.
COUNTERPART_WINDOW = datetime.timedelta(days=5)
#: How many days apart a bankgiro deposit may stand in Bankgirot's BgMax report and in
#: the bank's own statement of the account it is paid into.
OTHER_FILE_WINDOW = datetime.timedelta(days=3)
#: The start of the bank reference of a BgMax deposit (``bgmax/<bankgiro>/<date>/<n>``).
BGMAX_REF = "bgmax/"


@dataclass
class ImportCounts:
    """What one file gave: for the per-file summary."""

    entries: int = 0
    matched: int = 0
    categorised: int = 0
    to_categorise: int = 0
    duplicates: int = 0
    possible_duplicates: int = 0
    pending: int = 0
    balances: int = 0
    held: int = 0


@dataclass
class ImportResult:
    """The new entries of one statement and what happened to each of its entries."""

    entries: list[data.Directive] = field(default_factory=list)
    counts: ImportCounts = field(default_factory=ImportCounts)


_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f\"\\]+")


def clean_text(text: str | None) -> str | None:
    """Text safe to print in a Beancount string: one line, no quotes or backslashes."""
    if text is None:
        return None
    cleaned = _UNPRINTABLE.sub(" ", text)
    return " ".join(cleaned.split()) or None


def statement_entries(statement: Statement, bank: str, ctx: BankContext,
                      source: str = "") -> ImportResult:
    """Book a statement on a ledger bank account.

    Args:
        statement: The statement read from the file.
        bank: The ledger account it belongs to.
        ctx: The books as the matching sees them; updated with what is booked here, so
            the next statement of the same run does not book it again.
        source: The file name, for the entries' ``filename`` metadata.

    Returns:
        The new entries (transactions in file order, then balance assertions) and counts.

    Raises:
        BankFileError: The statement's balances do not add up.
        InputRefused: A payment carries input the import refuses (an OCR reference of
            ours with a wrong check digit); nothing of the statement is booked.
    """
    statement.check_balances()
    result = ImportResult()
    result.counts.pending = len(statement.pending)
    for index, txn in enumerate(statement.transactions):
        if (bank, txn.ref) in ctx.refs:
            result.counts.duplicates += 1
            continue
        ctx.refs.add((bank, txn.ref))
        legs = txn.legs or (Leg(txn.amount),)
        fresh = tuple(leg for leg in legs if not _counterpart_seen(ctx, bank, leg, txn.date))
        if not fresh:
            result.counts.duplicates += 1
            continue
        entry, bookings = _transaction(ctx, statement, bank, txn, fresh,
                                       source=source, index=index)
        result.counts.entries += 1
        held = any(b.held for b in bookings)  # matched, flagged, counted on its own
        result.counts.held += held
        if entry.flag == flags.FLAG_WARNING and not held:
            result.counts.to_categorise += 1
        elif any(b.matched for b in bookings):
            result.counts.matched += 1
        else:
            result.counts.categorised += 1
        amount = number_of(entry.postings[0])  # the bank posting
        if amount is not None:
            other = None if txn.reversal else _same_money_other_file(ctx, bank, amount, txn)
            if other is not None:
                entry = entry._replace(flag=flags.FLAG_WARNING,
                                       meta={**entry.meta, "possible-duplicate": other})
                result.counts.possible_duplicates += 1
            ctx.imported.setdefault((bank, amount), []).append((txn.date, txn.ref))
        result.entries.append(entry)
    for balance, day in ((statement.opening, 0), (statement.closing, 1)):
        if balance is None:
            continue
        date = balance.date + datetime.timedelta(days=day)
        if (bank, date) in ctx.balances:
            continue
        ctx.balances.add((bank, date))
        meta = data.new_metadata(source, 0)
        result.entries.append(data.Balance(
            meta, date, bank, Amount(balance.amount, statement.currency), None, None))
        result.counts.balances += 1
    return result


def _same_money_other_file(ctx: BankContext, bank: str, amount: Decimal,
                           txn: BankTxn) -> str | None:
    """The reference of this money already imported from a file of another kind.

    A bankgiro deposit is in Bankgirot's BgMax report (one entry per deposit, its
    payments as legs) and again, as one sum, in the bank's statement of the account it
    is paid into (camt, CSV, MT940): importing both books the money twice. The same
    amount on the same account within a few days, once from a BgMax report and once
    from another file, is taken for that; the entry is booked but flagged for the
    accountant, with the other entry's reference.
    """
    from_bgmax = txn.ref.startswith(BGMAX_REF)
    for day, ref in ctx.imported.get((bank, amount), []):
        if abs(day - txn.date) <= OTHER_FILE_WINDOW and ref.startswith(BGMAX_REF) != from_bgmax:
            return ref
    return None


def _counterpart_seen(ctx: BankContext, bank: str, leg: Leg, date: datetime.date) -> bool:
    """Whether the other side's statement already booked this payment on ``bank``.

    The same amount within a few days is the same payment, unless the payment names an
    account of its own that is not the one whose statement booked it (two members paying
    the same fee on the same day are two payments).
    """
    booked = ctx.counterparts.get((bank, leg.amount))
    if not booked:
        return False
    payer = ctx.accounts.find([leg.counterparty]) if leg.counterparty else None
    for i, (day, source) in enumerate(booked):
        if abs(day - date) <= COUNTERPART_WINDOW and (not leg.counterparty or payer == source):
            del booked[i]  # one booked movement answers for one entry only
            return True
    return False


def _categorised(ctx: BankContext, bank: str, txn: BankTxn, leg: Leg,
                 currency: str) -> Booking:
    """One payment's booking; a refusal names the payment (entry, date, amount, payer).

    Raises:
        InputRefused: The payment carries input the import refuses (an OCR reference of
            ours with a wrong check digit).
    """
    try:
        return categorise(ctx, bank, leg, txn.date, currency)
    except InputRefused as exc:
        where = f"{txn.where}, " if txn.where else ""
        raise InputRefused(f"{where}bank ref {txn.ref}: the payment of {leg.amount} "
                           f"{currency} on {txn.date} from {leg.payee or 'an unnamed payer'}"
                           f": {exc.message}") from None


def _transaction(ctx: BankContext, statement: Statement, bank: str, txn: BankTxn,
                 legs: tuple[Leg, ...], *, source: str,
                 index: int) -> tuple[data.Transaction, list[Booking]]:
    """One entry as a transaction; ``legs`` are its payments not booked already."""
    currency = statement.currency
    amount = sum((leg.amount for leg in legs), Decimal(0))
    # The payee and text of what is booked (the entry itself when all of it is).
    shown = txn if legs == txn.legs else dataclasses.replace(txn, legs=legs)
    if txn.reversal:
        # A reversal belongs with the entry it undoes: leave it for the accountant.
        code = entity_of(bank) or ""
        bookings = [Booking([posting(placeholder_account(code), -amount, currency)],
                            "open")]
    else:
        bookings = [_categorised(ctx, bank, txn, leg, currency) for leg in legs]
    meta: dict[str, Any] = {"bank-ref": txn.ref}
    if len(legs) == 1 and legs[0].ocr:
        meta["ocr"] = legs[0].ocr
    if len(legs) == 1 and legs[0].end_to_end:
        meta["end-to-end-id"] = clean_text(legs[0].end_to_end)
    if amount != txn.amount:
        meta["already-booked"] = f"{txn.amount - amount} {currency}"
    if txn.reversal:
        meta["reversal"] = True
    links: set[str] = set()
    postings = [posting(bank, amount, currency)]
    for leg, booking in zip(legs, bookings, strict=True):
        if len(legs) > 1 and booking.postings:  # a batch: each payment keeps its identity
            first, *rest = booking.postings
            postings += [first._replace(meta=leg_meta(leg, currency)), *rest]
        else:
            postings.extend(booking.postings)
        links |= booking.links
        for key, value in booking.meta.items():
            meta.setdefault(key, value)
    flag = (flags.FLAG_WARNING if any(b.kind == "open" or b.review for b in bookings)
            else flags.FLAG_OKAY)
    narration = clean_text(shown.narration) or ""
    if len(legs) > 1:
        narration = f"{len(legs)} betalningar: {narration}".rstrip(": ")
    if txn.reversal:
        narration = f"Återföring: {narration}".strip().rstrip(":")
    full_meta = data.new_metadata(source, index + 1, meta)
    entry = data.Transaction(full_meta, txn.date, flag, clean_text(shown.payee), narration,
                             data.EMPTY_SET, frozenset(links), postings)
    _remember(ctx, entry, bank)
    return entry, bookings


def leg_meta(leg: Leg, currency: str) -> dict[str, Any]:
    """One payment of a batch, as the metadata of the first posting that books it.

    Args:
        leg: The payment.
        currency: The statement's currency.

    Returns:
        Its reference (``ocr``, else ``message``), ``name``, ``end-to-end-id`` and
        ``leg-amount``, so that each payment can be matched later on its own.
    """
    meta: dict[str, Any] = {}
    for key, value in (("ocr", leg.ocr), ("message", None if leg.ocr else leg.message),
                       ("name", leg.payee), ("end-to-end-id", leg.end_to_end)):
        cleaned = clean_text(value)
        if cleaned:
            meta[key] = cleaned
    meta["leg-amount"] = f"{leg.amount} {currency}"
    return meta


def _remember(ctx: BankContext, entry: data.Transaction, bank: str) -> None:
    counterpart = entry.meta.get("counterpart")
    if counterpart is None:
        return
    for p in entry.postings:
        number = number_of(p)
        if p.account == counterpart and number is not None:
            ctx.counterparts.setdefault((counterpart, number), []).append((entry.date, bank))


def total(entries: list[data.Directive], account: str) -> Decimal:
    """The sum of the postings to ``account`` in ``entries`` (for tests and summaries)."""
    found = (number_of(p) for e in entries if isinstance(e, data.Transaction)
             for p in e.postings if p.account == account)
    return sum((n for n in found if n is not None), Decimal(0))
