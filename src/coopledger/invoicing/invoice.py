"""Customer invoices: what one is, how it is booked, and how it is read back from the books.

An invoice (or a credit note) is booked as one transaction in the seller's books: the
total on 1510 Kundfordringar, each line's net amount on the sales account of its VAT
rate (3001 25 %, 3002 12 %, 3003 6 %, 3004 exempt) and the VAT of each rate on 2611,
2621 or 2631. VAT is computed per rate on the sum of the lines' net amounts and rounded
to the öre, as EN 16931 computes it (BR-CO-17)::

    2026-10-31 * "Linköpings kommun" "Faktura Stad-2026-0010"
      coop-id: "invoice:Stad:Stad-2026-0010"
      generated-by: "coopledger.invoicing"
      invoice: "Stad-2026-0010"
      customer: "LkpgKommun"
      ocr: "2600001034"
      due: 2026-11-30
      ver: "Stad:F-2026-0010"
      Assets:Stad:1510-Kundfordringar             12500.00 SEK
      Income:Stad:3001-Försäljning-25            -10000.00 SEK
        description: "Städning oktober"
        quantity: 40
        unit-price: 250
        vat-rate: 25
      Liabilities:Stad:2611-Utgående-moms-25      -2500.00 SEK

The lines live in the income postings' metadata, so the books alone rebuild every invoice
(:func:`issued_invoices`), and the PDF and the e-invoice are functions of the books. A
credit note carries ``credits:`` (the invoice it corrects) and credits that invoice's
receivable. Invoices are numbered per entity and year, and vouchered in series ``F``.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from beancount.core import data
from stdnum import luhn

from coopledger.books import Books
from coopledger.close.numbering import fiscal_year
from coopledger.errors import CoopException
from coopledger.invoicing.parties import Customer, Seller
from coopledger.money import ZERO, round_ore
from coopledger.services.entries import ID_KEY, AccountIndex, Line, make_transaction
from coopledger.vouchers import VOUCHER_KEY, VoucherId, format_voucher_ids, voucher_ids

GENERATED_BY = "coopledger.invoicing"
INVOICE_SERIES = "F"
RECEIVABLE_BAS = "1510"
#: VAT rate in percent -> (sales account, output VAT account); 0 is exempt (momsfri).
RATE_ACCOUNTS: dict[Decimal, tuple[str, str | None]] = {
    Decimal(25): ("3001", "2611"),
    Decimal(12): ("3002", "2621"),
    Decimal(6): ("3003", "2631"),
    Decimal(0): ("3004", None),
}


@dataclass(frozen=True)
class InvoiceLine:
    """One line of an invoice.

    Attributes:
        description: What was sold.
        quantity: How many (hours, visits, pieces); negative only on a credit note.
        unit_price: The price per unit excluding VAT.
        vat_rate: 25, 12, 6 or 0 (exempt) percent.
        unit: The UN/ECE unit code (``HUR`` hours, ``H87`` pieces).
    """

    description: str
    quantity: Decimal
    unit_price: Decimal
    vat_rate: Decimal
    unit: str = "H87"

    @property
    def net(self) -> Decimal:
        """The line's amount excluding VAT, rounded to the öre."""
        return round_ore(self.quantity * self.unit_price)


@dataclass(frozen=True)
class Invoice:
    """An invoice or credit note as booked.

    Attributes:
        entity: The seller's entity code.
        number: The invoice number, unique within the entity.
        customer: The customer's id.
        date: The invoice date.
        due: The due date.
        ocr: The payment reference (Luhn check digit last).
        lines: The lines (amounts positive for both an invoice and a credit note).
        credits: For a credit note, the number of the invoice it corrects.
        voucher: The voucher id (``Stad:F-2026-0010``).
        buyer_reference: The customer's reference quoted on the invoice.
    """

    entity: str
    number: str
    customer: str
    date: datetime.date
    due: datetime.date
    ocr: str
    lines: tuple[InvoiceLine, ...]
    credits: str | None = None
    voucher: str = ""
    buyer_reference: str | None = None

    @property
    def is_credit_note(self) -> bool:
        """Whether this is a credit note."""
        return self.credits is not None

    def net_by_rate(self) -> dict[Decimal, Decimal]:
        """The net amount of each VAT rate, rates in descending order."""
        nets: dict[Decimal, Decimal] = {}
        for line in sorted(self.lines, key=lambda x: -x.vat_rate):
            nets[line.vat_rate] = nets.get(line.vat_rate, ZERO) + line.net
        return nets

    def vat_by_rate(self) -> dict[Decimal, Decimal]:
        """The VAT of each rate: the rate on that rate's net sum, rounded to the öre."""
        return {rate: round_ore(net * rate / 100) for rate, net in self.net_by_rate().items()}

    @property
    def net(self) -> Decimal:
        """The total excluding VAT."""
        return sum((line.net for line in self.lines), ZERO)

    @property
    def vat(self) -> Decimal:
        """The total VAT."""
        return sum(self.vat_by_rate().values(), ZERO)

    @property
    def total(self) -> Decimal:
        """The amount to pay (or, for a credit note, credited)."""
        return self.net + self.vat


def make_ocr(serial: int, year: int) -> str:
    """An OCR reference: two digits of the year, a six-digit serial, the Luhn digit.

    Args:
        serial: The invoice's serial number in the books (unique per year).
        year: The invoice year.

    Returns:
        Nine digits whose last is the Luhn (mod 10) check digit.
    """
    base = f"{year % 100:02d}{serial:06d}"
    return base + str(luhn.calc_check_digit(base))


def link_of(entity: str, number: str) -> str:
    """The link tying an invoice to its payments and reminders."""
    return "invoice-" + re.sub(r"[^A-Za-z0-9._-]", "-", f"{entity}-{number}")


def coop_id_of(entity: str, number: str) -> str:
    """The ``coop-id`` of an invoice or credit note."""
    return f"invoice:{entity}:{number}"


def latest(declarations: Sequence[Any], ident: str, date: datetime.date) -> Any:
    """The declaration with this id in force on ``date`` (the latest not after it)."""
    found = None
    for decl in declarations:
        if decl.id == ident and decl.date <= date:
            found = decl
    return found


def customer_of(books: Books, entity: str, ident: str, date: datetime.date) -> Customer:
    """The customer declaration of ``entity`` in force on ``date``.

    Raises:
        CoopException: No such customer, or it belongs to another entity.
    """
    customer: Customer | None = latest(books.declarations.of(Customer), ident, date)
    if customer is None or customer.entity != entity:
        raise CoopException(f"customer {ident}: not declared for entity {entity} on {date} "
                            "(add a coop-customer declaration)")
    return customer


def seller_of(books: Books, entity: str, date: datetime.date) -> Seller:
    """The invoicing settings of ``entity`` in force on ``date``.

    Raises:
        CoopException: The entity has no ``coop-invoicing`` declaration.
    """
    seller: Seller | None = latest(books.declarations.of(Seller), entity, date)
    if seller is None:
        raise CoopException(f"entity {entity}: no coop-invoicing declaration (address and "
                            f"bankgiro) on {date}; declare one before invoicing")
    return seller


def issued_invoices(books: Books) -> list[Invoice]:
    """Every invoice and credit note booked by ``coopledger invoice``, in date order.

    Args:
        books: The books.

    Returns:
        The invoices rebuilt from their entries' metadata.
    """
    def compute() -> list[Invoice]:
        return [invoice_from_entry(e) for e in books.transactions
                if e.meta.get("generated-by") == GENERATED_BY and "invoice" in e.meta]
    return books.remember(("issued_invoices",), compute)


def invoice_from_entry(entry: data.Transaction) -> Invoice:
    """Rebuild an invoice from its booked entry.

    Raises:
        CoopException: The entry's metadata is incomplete.
    """
    meta = entry.meta
    try:
        lines = tuple(
            InvoiceLine(str(p.meta["description"]), Decimal(p.meta["quantity"]),
                        Decimal(p.meta["unit-price"]), Decimal(p.meta["vat-rate"]),
                        str(p.meta.get("unit", "H87")))
            for p in entry.postings if p.meta and "description" in p.meta)
        ids = voucher_ids(meta)
        return Invoice(
            entity=str(meta["seller"]), number=str(meta["invoice"]),
            customer=str(meta["customer"]), date=entry.date, due=meta["due"],
            ocr=str(meta["ocr"]), lines=lines,
            credits=str(meta["credits"]) if "credits" in meta else None,
            voucher=format_voucher_ids(ids),
            buyer_reference=str(meta["buyer-reference"]) if "buyer-reference" in meta
            else None)
    except (KeyError, ValueError, ArithmeticError) as exc:
        raise CoopException(f"invoice entry without complete metadata ({exc})",
                            meta) from None


def next_numbers(books: Books, entity: str, date: datetime.date) -> tuple[str, str, str]:
    """The next invoice number, OCR reference and voucher id for ``entity``.

    Returns:
        ``(number, ocr, voucher)``: ``Stad-2026-0011``, a fresh OCR, ``Stad:F-2026-0011``.
    """
    issued = issued_invoices(books)
    this_year = [i for i in issued if i.entity == entity and i.date.year == date.year]
    seq = 1 + max((_serial(i.number) for i in this_year), default=0)
    serial = 1 + sum(1 for i in issued if i.date.year == date.year)
    taken = {i.ocr for i in issued}
    ocr = make_ocr(serial, date.year)
    while ocr in taken:
        serial += 1
        ocr = make_ocr(serial, date.year)
    year = fiscal_year(date, books.entity(entity).fiscal_year_start)
    used = [vid.number for e in books.transactions for vid in _ids(e)
            if vid.entity == entity and vid.series == INVOICE_SERIES and vid.year == year]
    voucher = VoucherId(entity, INVOICE_SERIES, year, 1 + max(used, default=0))
    return f"{entity}-{date.year}-{seq:04d}", ocr, format_voucher_ids({entity: voucher})


def _ids(entry: data.Transaction) -> list[VoucherId]:
    if VOUCHER_KEY not in entry.meta:
        return []
    try:
        return list(voucher_ids(entry.meta).values())
    except ValueError:
        return []


def _serial(number: str) -> int:
    match = re.search(r"(\d+)$", number)
    return int(match.group(1)) if match else 0


def invoice_entry(books: Books, invoice: Invoice, customer: Customer) -> data.Transaction:
    """The transaction booking an invoice or credit note in the seller's books.

    Args:
        books: The books (for the accounts).
        invoice: The invoice, its numbers assigned.
        customer: The customer.

    Returns:
        The transaction; a credit note has the signs reversed.

    Raises:
        CoopException: A VAT rate coopledger has no accounts for, or an account the
            entity has not opened.
    """
    index = AccountIndex(books)
    sign = Decimal(-1) if invoice.is_credit_note else Decimal(1)
    receivable_meta = {"invoice": invoice.credits} if invoice.credits else None
    lines = [Line(index.get(invoice.entity, RECEIVABLE_BAS), sign * invoice.total,
                  receivable_meta)]
    for line in invoice.lines:
        if line.vat_rate not in RATE_ACCOUNTS:
            raise CoopException(f"invoice {invoice.number}: VAT rate {line.vat_rate} % is not "
                                "25, 12, 6 or 0")
        sales_bas = RATE_ACCOUNTS[line.vat_rate][0]
        lines.append(Line(index.get(invoice.entity, sales_bas), -sign * line.net, {
            "description": line.description, "quantity": line.quantity,
            "unit-price": line.unit_price, "vat-rate": line.vat_rate, "unit": line.unit}))
    for rate, vat in invoice.vat_by_rate().items():
        vat_bas = RATE_ACCOUNTS[rate][1]
        if vat_bas is not None and vat:
            lines.append(Line(index.get(invoice.entity, vat_bas), -sign * vat))
    meta: dict[str, Any] = {
        "seller": invoice.entity, "invoice": invoice.number, "customer": invoice.customer,
        "ocr": invoice.ocr, "due": invoice.due, VOUCHER_KEY: invoice.voucher}
    if invoice.credits:
        meta["credits"] = invoice.credits
    if invoice.buyer_reference:
        meta["buyer-reference"] = invoice.buyer_reference
    kind = "Kreditfaktura" if invoice.is_credit_note else "Faktura"
    links = link_of(invoice.entity, invoice.credits or invoice.number)
    return make_transaction(
        date=invoice.date, payee=customer.name, narration=f"{kind} {invoice.number}",
        coop_id=coop_id_of(invoice.entity, invoice.number), generated_by=GENERATED_BY,
        link=links, meta=meta, lines=lines, currency=books.operating_currency)


def new_invoice(books: Books, *, entity: str, customer_id: str, date: datetime.date,
                lines: Sequence[InvoiceLine], number: str | None = None,
                credits: str | None = None,
                due: datetime.date | None = None) -> tuple[Invoice, Customer]:
    """A new invoice (or credit note) with its number, OCR, due date and voucher id.

    Args:
        books: The books.
        entity: The seller.
        customer_id: The customer's id.
        date: The invoice date.
        lines: The lines.
        number: The invoice number (default: the entity's next).
        credits: For a credit note, the invoice it corrects.
        due: The due date (default: the date plus the customer's terms).

    Returns:
        The invoice and its customer.

    Raises:
        CoopException: Unknown entity, customer or credited invoice; a duplicate number;
            an e-invoice customer without Peppol id or address; no lines; a total that
            is not positive.
    """
    if entity not in books.entities:
        raise CoopException(f"entity {entity}: not declared")
    customer = customer_of(books, entity, customer_id, date)
    seller_of(books, entity, date)
    if customer.einvoice and (customer.peppol is None or not customer.has_address):
        raise CoopException(f"customer {customer_id}: an e-invoice needs its Peppol id and "
                            "address")
    if not customer.has_address:
        raise CoopException(f"customer {customer_id}: no address (street, postcode, city) "
                            "to send the invoice to")
    if not lines:
        raise CoopException("an invoice needs at least one line")
    issued = {(i.entity, i.number): i for i in issued_invoices(books)}
    auto_number, ocr, voucher = next_numbers(books, entity, date)
    number = number or auto_number
    if (entity, number) in issued:
        raise CoopException(f"invoice {number}: already issued by {entity}; invoice numbers "
                            "are unique")
    if credits is not None:
        original = issued.get((entity, credits))
        if original is None:
            raise CoopException(f"credit note {number}: {entity} issued no invoice {credits}")
        if original.customer != customer_id:
            raise CoopException(f"credit note {number}: invoice {credits} was to "
                                f"{original.customer}, not {customer_id}")
    invoice = Invoice(entity=entity, number=number, customer=customer_id, date=date,
                      due=due or date + datetime.timedelta(days=customer.terms), ocr=ocr,
                      lines=tuple(lines), credits=credits, voucher=voucher,
                      buyer_reference=customer.reference)
    if invoice.total <= 0:
        raise CoopException(f"invoice {number}: the total must be positive (a credit note "
                            "is written with --credits and positive lines)")
    return invoice, customer


def parse_line(text: str) -> InvoiceLine:
    """Read ``"description;quantity;unit price;VAT rate[;unit]"`` into a line.

    Raises:
        ValueError: Missing fields or numbers that do not read.
    """
    parts = [p.strip() for p in text.split(";")]
    if len(parts) not in (4, 5) or not parts[0]:
        raise ValueError(f"{text!r}: write a line as 'description;quantity;price;vat[;unit]'")
    try:
        quantity, price, rate = (Decimal(p) for p in parts[1:4])
    except ArithmeticError:
        raise ValueError(f"{text!r}: quantity, price and VAT rate must be numbers") from None
    if not (quantity.is_finite() and price.is_finite()) or quantity <= 0 or price < 0:
        raise ValueError(f"{text!r}: quantity must be positive and the price not negative")
    if rate not in RATE_ACCOUNTS:
        raise ValueError(f"{text!r}: VAT rate must be 25, 12, 6 or 0")
    unit = parts[4] if len(parts) == 5 else "H87"
    if not re.fullmatch(r"[A-Z0-9]{2,3}", unit):
        raise ValueError(f"{text!r}: unit must be a UN/ECE code such as HUR or H87")
    return InvoiceLine(parts[0], quantity, price, Decimal(int(rate)), unit)


def existing_ids(books: Books) -> set[str]:
    """Every ``coop-id`` in the books (to recognise an invoice already written)."""
    return {str(e.meta[ID_KEY]) for e in books.transactions if ID_KEY in e.meta}
