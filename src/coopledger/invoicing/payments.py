"""Which invoice a bank payment settles: by OCR reference, else by invoice number.

The bank import asks :func:`find_invoice` for every payment before it falls back to rules
and the suspense account. Money in is matched against the receiving entity's open
customer invoices (1510), money out against its open supplier invoices (2440): first by
the payment's OCR reference (the structured reference, or a number in the message),
then by an invoice number written in the message. The payment is booked on the invoice's
account with the invoice named in the posting's metadata, so it settles the invoice in
full, in part (the rest stays open) or too much (the item turns into a credit to the
customer, flagged for review).

An OCR reference that is one of ours but for its check digit (a typing error at the
payer's bank) is refused (:class:`~coopledger.errors.InputRefused`, exit status 2) with
one line naming the payment, the OCR and the invoice it would have matched: the import
then writes nothing, and the accountant decides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from stdnum import luhn

from coopledger.books import Books
from coopledger.errors import InputRefused
from coopledger.invoicing.invoice import link_of
from coopledger.invoicing.receivables import PAYABLES_BAS, RECEIVABLES_BAS, open_items


@dataclass
class OpenInvoice:
    """An open invoice as the bank import sees it; ``balance`` moves as payments match.

    Attributes:
        entity: The entity whose books hold it.
        number: The invoice number.
        account: 1510 or 2440 account.
        balance: Still open, in the account's sign.
        ocr: Its OCR reference, if any.
        party: The customer or supplier.
        receivable: A customer invoice (1510), not a supplier invoice (2440).
    """

    entity: str
    number: str
    account: str
    balance: Decimal
    ocr: str | None
    party: str
    receivable: bool

    @property
    def link(self) -> str:
        """The invoice's link."""
        return link_of(self.entity, self.number)


@dataclass
class InvoiceIndex:
    """Open invoices by (entity, customer side, OCR or normalised invoice number)."""

    by_ocr: dict[tuple[str, bool, str], OpenInvoice]
    by_number: dict[tuple[str, bool, str], OpenInvoice]
    ocr_bases: dict[tuple[str, bool, str], OpenInvoice]


def _norm(number: str) -> str:
    return re.sub(r"[\s\-/.]", "", number).upper()


def invoice_index(books: Books) -> InvoiceIndex:
    """Every open customer and supplier invoice of the books, for the bank import."""
    index = InvoiceIndex({}, {}, {})
    for bas in (RECEIVABLES_BAS, PAYABLES_BAS):
        for item in open_items(books, bas):
            if item.invoice is None:
                continue
            found = OpenInvoice(item.entity, item.invoice, item.account, item.balance,
                                item.ocr, item.party, bas == RECEIVABLES_BAS)
            side = found.receivable
            index.by_number.setdefault((item.entity, side, _norm(item.invoice)), found)
            if item.ocr:
                index.by_ocr[(item.entity, side, item.ocr)] = found
                index.ocr_bases[(item.entity, side, item.ocr[:-1])] = found
    return index


def find_invoice(index: InvoiceIndex, entity: str, amount: Decimal, ocr: str | None,
                 message: str | None) -> OpenInvoice | None:
    """The open invoice a payment settles, if any.

    Args:
        index: The open invoices.
        entity: The entity whose bank account the payment is on.
        amount: The payment, signed from the bank account's side (in > 0).
        ocr: The structured reference (digits), if any.
        message: The free text.

    Returns:
        The invoice (a customer invoice for money in, a supplier invoice for money out),
        or None.

    Raises:
        InputRefused: The OCR reference is one of ours with a wrong check digit.
    """
    side = amount > 0  # money in settles a customer invoice, money out a supplier's

    digits = [ocr] if ocr else []
    digits += re.findall(r"\d{5,25}", (message or "").replace(" ", ""))
    for candidate in dict.fromkeys(digits):
        hit = index.by_ocr.get((entity, side, candidate))
        if hit is not None:
            return hit
    if ocr and not luhn.is_valid(ocr):
        near = index.ocr_bases.get((entity, side, ocr[:-1]))
        if near is not None:
            raise InputRefused(f"OCR {ocr} has a wrong check digit (invoice {near.number} "
                               f"has OCR {near.ocr})")
    for token in re.findall(r"[A-Za-z0-9][A-Za-z0-9\-/.]{2,}", message or ""):
        hit = index.by_number.get((entity, side, _norm(token)))
        if hit is not None:
            return hit
    return None


def settle(found: OpenInvoice, amount: Decimal) -> bool:
    """Apply a payment to an invoice; return whether it paid more than was open.

    Args:
        found: The invoice.
        amount: The payment, signed from the bank's side (in > 0).

    Returns:
        True when the payment exceeds the open amount (an overpayment to review).
    """
    over = abs(amount) > abs(found.balance)
    found.balance -= amount
    return over
