"""Supplier invoices: booked on 2440 Leverantörsskulder with due date and OCR.

A supplier invoice is one transaction in the buyer's books: the net amount on a cost
account (BAS 4010 by default), the input VAT on 2641, the total on 2440 naming the invoice
and the supplier::

    2026-11-03 * "Grossisten i Linköping AB" "Leverantörsfaktura 88231"
      coop-id: "supplier-invoice:Stad:Grossisten:88231"
      generated-by: "coopledger.payables"
      supplier: "Grossisten"
      invoice: "88231"
      due: 2026-12-03
      ocr: "1234567897"
      Expenses:Stad:4010-Inköp-varor-och-material      800.00 SEK
      Liabilities:Stad:2641-Ingående-moms               200.00 SEK
      Liabilities:Stad:2440-Leverantörsskulder        -1000.00 SEK

:func:`due_payments` lists what falls due by a date and has not been paid or sent to the
bank yet: the input of the payment file.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal

from beancount.core import data
from stdnum import luhn

from coopledger.books import Books
from coopledger.errors import CoopException
from coopledger.invoicing.invoice import latest
from coopledger.invoicing.parties import Supplier
from coopledger.invoicing.receivables import PAYABLES_BAS, open_items
from coopledger.money import round_ore
from coopledger.services.entries import ID_KEY, AccountIndex, Line, make_transaction

GENERATED_BY = "coopledger.payables"


def supplier_of(books: Books, entity: str, ident: str, date: datetime.date) -> Supplier:
    """The supplier declaration of ``entity`` in force on ``date``.

    Raises:
        CoopException: No such supplier for that entity.
    """
    supplier: Supplier | None = latest(books.declarations.of(Supplier), ident, date)
    if supplier is None or supplier.entity != entity:
        raise CoopException(f"supplier {ident}: not declared for entity {entity} on {date} "
                            "(add a coop-supplier declaration)")
    return supplier


def check_ocr(ocr: str) -> str:
    """A supplier's OCR reference: digits with a valid Luhn check digit.

    Raises:
        CoopException: Not digits, or a wrong check digit.
    """
    digits = re.sub(r"\s", "", ocr)
    if not re.fullmatch(r"\d{2,25}", digits) or not luhn.is_valid(digits):
        raise CoopException(f"OCR {ocr}: not a valid OCR reference (digits, Luhn check "
                            "digit last)")
    return digits


def supplier_invoice_entry(books: Books, *, entity: str, supplier_id: str,
                           date: datetime.date, number: str, net: Decimal, vat: Decimal,
                           due: datetime.date | None = None, ocr: str | None = None,
                           expense_bas: str = "4010") -> data.Transaction:
    """The entry booking a supplier invoice on 2440.

    Args:
        books: The books.
        entity: The buyer.
        supplier_id: The supplier's id.
        date: The invoice date.
        number: The supplier's invoice number.
        net: Amount excluding VAT.
        vat: Input VAT.
        due: The due date (default: the date plus the supplier's terms).
        ocr: The supplier's OCR reference, checked.
        expense_bas: The cost account.

    Returns:
        The transaction.

    Raises:
        CoopException: Unknown supplier, a bad OCR, negative or unrounded amounts, an
            invoice of this supplier already booked, or an account not opened.
    """
    supplier = supplier_of(books, entity, supplier_id, date)
    if net < 0 or vat < 0 or net + vat <= 0 or round_ore(net) != net or round_ore(vat) != vat:
        raise CoopException(f"supplier invoice {number}: net and VAT must be non-negative "
                            "amounts in whole öre, the total positive")
    coop_id = f"supplier-invoice:{entity}:{supplier_id}:{number}"
    if any(e.meta.get(ID_KEY) == coop_id for e in books.transactions):
        raise CoopException(f"supplier invoice {number} from {supplier_id}: already booked")
    meta: dict[str, object] = {
        "supplier": supplier_id, "invoice": number,
        "due": due or date + datetime.timedelta(days=supplier.terms)}
    if ocr:
        meta["ocr"] = check_ocr(ocr)
    index = AccountIndex(books)
    lines = [Line(index.get(entity, expense_bas), net)]
    if vat:
        lines.append(Line(index.get(entity, "2641"), vat))
    lines.append(Line(index.get(entity, PAYABLES_BAS), -(net + vat)))
    return make_transaction(
        date=date, payee=supplier.name, narration=f"Leverantörsfaktura {number}",
        coop_id=coop_id, generated_by=GENERATED_BY,
        link="supplier-" + re.sub(r"[^A-Za-z0-9._-]", "-", f"{entity}-{supplier_id}-{number}"),
        meta=meta, lines=lines, currency=books.operating_currency)


@dataclass(frozen=True)
class DuePayment:
    """A supplier invoice to pay.

    Attributes:
        entity: The payer.
        supplier: The supplier's declaration.
        invoice: The supplier's invoice number.
        amount: What is still owed (positive).
        due: The due date.
        ocr: The OCR reference, if the supplier gave one.
    """

    entity: str
    supplier: Supplier
    invoice: str
    amount: Decimal
    due: datetime.date
    ocr: str | None

    @property
    def end_to_end_id(self) -> str:
        """The payment's id through the bank (at most 35 characters)."""
        return re.sub(r"[^A-Za-z0-9-]", "-", f"{self.supplier.id}-{self.invoice}")[:35]


def due_payments(books: Books, entity: str, date: datetime.date, *,
                 sent: Collection[str] = ()) -> list[DuePayment]:
    """The entity's open supplier invoices due on or before ``date``, not sent already.

    Args:
        books: The books.
        entity: The payer.
        date: Pay what falls due up to this date.
        sent: End-to-end ids already in an earlier payment file.

    Returns:
        The payments in due-date order (only invoices booked with a supplier).
    """
    found = []
    for item in open_items(books, PAYABLES_BAS, entity=entity):
        if item.invoice is None or item.balance >= 0 or item.due > date:
            continue
        supplier: Supplier | None = latest(books.declarations.of(Supplier), item.party,
                                           date)
        if supplier is None or supplier.entity != entity:
            continue
        payment = DuePayment(entity, supplier, item.invoice, -item.balance, item.due,
                             item.ocr)
        if payment.end_to_end_id not in sent:
            found.append(payment)
    return sorted(found, key=lambda p: (p.due, p.supplier.id, p.invoice))
