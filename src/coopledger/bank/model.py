"""The bank statement model every importer reads into, and the importers' one error type.

A :class:`Statement` is one account's movements over a period, with the booked opening
and closing balances when the file states them. Amounts are signed from the account
holder's side: positive money comes in, negative goes out. A :class:`BankTxn` is one
booked entry; a batch (one bank entry covering many payments) keeps its parts as
:class:`Leg` objects whose amounts sum to the entry.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal


class BankFileError(ValueError):
    """A bank file that cannot be read: one line naming the file and the element or line.

    Args:
        path: The file.
        where: The element path (``Stmt/Ntry[3]/Amt``) or ``line 12``; empty if none.
        message: What is wrong.
    """

    def __init__(self, path: str, where: str, message: str) -> None:
        self.path = str(path)
        self.where = where
        self.reason = message
        location = f"{self.path}: {where}" if where else self.path
        super().__init__(f"{location}: {message}")


@dataclass(frozen=True)
class Leg:
    """One payment inside a bank entry (a camt ``TxDtls``, a BgMax payment).

    Attributes:
        amount: Signed amount, in the statement's currency.
        payee: The other party's name, if given.
        message: Free text (unstructured remittance information).
        ocr: A structured creditor reference (OCR number), digits only.
        counterparty: The other party's account (IBAN, BBAN or bankgiro), normalised.
        end_to_end: The payer's own reference for the payment (camt ``EndToEndId``).
    """

    amount: Decimal
    payee: str | None = None
    message: str | None = None
    ocr: str | None = None
    counterparty: str | None = None
    end_to_end: str | None = None


@dataclass(frozen=True)
class BankTxn:
    """One booked entry on the statement.

    Attributes:
        date: The booking date.
        amount: Signed amount: positive in, negative out.
        ref: The bank's unique reference for the entry: the dedup key.
        legs: The payments the entry consists of; they sum to ``amount``.
        reversal: The entry reverses an earlier one (camt ``RvslInd``).
        where: The element or line in the file, for messages.
    """

    date: datetime.date
    amount: Decimal
    ref: str
    legs: tuple[Leg, ...]
    reversal: bool = False
    where: str = ""

    @property
    def payee(self) -> str | None:
        """The payee when the entry is one payment, or the first named one."""
        return next((leg.payee for leg in self.legs if leg.payee), None)

    @property
    def narration(self) -> str:
        """The messages of the entry's legs, joined."""
        texts = [leg.message for leg in self.legs if leg.message]
        unique = list(dict.fromkeys(texts))
        text = " / ".join(unique[:3])
        if len(unique) > 3:
            text += f" (+{len(unique) - 3})"
        return text


@dataclass(frozen=True)
class StatementBalance:
    """A booked balance: ``amount`` at the end of ``date`` (closing) or start (opening)."""

    date: datetime.date
    amount: Decimal


@dataclass(frozen=True)
class Statement:
    """One account's booked movements from one file.

    Attributes:
        path: The file it came from.
        kind: The format, for messages (``camt.053``, ``bgmax``...).
        account_ids: Normalised identifiers of the account (IBAN, BBAN, bankgiro).
        currency: The account's currency.
        transactions: Booked entries in file order.
        opening: The opening booked balance: the balance at the start of its date.
        closing: The closing booked balance: the balance at the end of its date.
        pending: Entries that are not booked yet (skipped, but reported).
        ident: The statement's own id, if any.
    """

    path: str
    kind: str
    account_ids: tuple[str, ...]
    currency: str
    transactions: tuple[BankTxn, ...]
    opening: StatementBalance | None = None
    closing: StatementBalance | None = None
    pending: tuple[BankTxn, ...] = field(default=())
    ident: str | None = None

    def check_balances(self) -> None:
        """Check that opening balance + entries = closing balance.

        Raises:
            BankFileError: They do not add up (nothing of the file should be imported).
        """
        if self.opening is None or self.closing is None:
            return
        where = f"statement {self.ident}" if self.ident else ""
        if self.closing.date < self.opening.date:
            raise BankFileError(self.path, where, f"the closing balance is dated "
                                f"{self.closing.date}, before the opening balance "
                                f"({self.opening.date})")
        moved = sum((t.amount for t in self.transactions), Decimal(0))
        if self.opening.amount + moved != self.closing.amount:
            raise BankFileError(
                self.path, where,
                f"opening balance {self.opening.amount} + entries {moved} = "
                f"{self.opening.amount + moved}, but the closing balance is "
                f"{self.closing.amount} {self.currency}")


_ACCOUNT_SEPARATORS = re.compile(r"[\s\-.]")
_OCR_SEPARATORS = re.compile(r"[\s\-]")
_OCR = re.compile(r"\d{2,25}")


def normalise_account_id(text: str) -> str:
    """An account identifier without spaces, hyphens and dots, upper case.

    ``"SE45 5000 0000 0583 9825 7466"`` and ``"se4550000000058398257466"`` compare equal,
    as do bankgiro ``"5050-1055"`` and ``"50501055"``.
    """
    return _ACCOUNT_SEPARATORS.sub("", text).upper()


def ocr_digits(text: str | None) -> str | None:
    """A reference reduced to its digits if it is an OCR-like number (2 to 25 digits)."""
    if not text:
        return None
    digits = _OCR_SEPARATORS.sub("", text)
    return digits if _OCR.fullmatch(digits) else None
