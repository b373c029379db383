"""``coopledger invoice LEDGER --entity CODE --customer ID --date D --line ...``.

Books one customer invoice (or, with ``--credits NUMBER``, a credit note) in the seller's
books and writes its documents:

- the entry, appended to ``<ledger dir>/invoices/YYYY-MM.beancount`` (included from the
  main file), with its invoice number, OCR reference, due date and voucher id;
- the Peppol BIS Billing 3.0 e-invoice, ``<ledger dir>/documents/invoices/<entity>/
  <number>.xml`` (for every customer; a public buyer must receive it);
- the printable PDF beside it (unless ``--no-pdf``).

A line is ``"description;quantity;unit price;VAT rate[;unit]"``, e.g.
``"Städning oktober;40;250;25;HUR"``. Everything is checked before anything is written:
an unknown customer, a customer without an address (or, for e-invoicing, without a
Peppol id: its declaration does not check), a duplicate invoice number or a bad line is
one line on stderr, exit 2, and nothing is written.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import os
import sys
from pathlib import Path

from coopledger.books import Books
from coopledger.cli.common import load_clean_books, party_declaration
from coopledger.errors import CoopException, InputRefused
from coopledger.files import FileTransaction
from coopledger.invoicing.invoice import (
    Invoice,
    customer_of,
    invoice_entry,
    new_invoice,
    parse_line,
    seller_of,
)
from coopledger.invoicing.pdf import invoice_html, write_pdf
from coopledger.invoicing.ubl import ubl_document
from coopledger.services.entries import render
from coopledger.services.output import stage_month_entries


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``invoice`` subcommand."""
    parser = subparsers.add_parser(
        "invoice", help="book a customer invoice and write its e-invoice and PDF",
        description="Book a customer invoice (1510 against sales and output VAT per rate) "
                    "with OCR, due date and voucher id; write its Peppol e-invoice and PDF.")
    parser.add_argument("ledger", help="the main ledger file")
    parser.add_argument("--entity", required=True, help="the seller's entity code")
    parser.add_argument("--customer", required=True, help="the customer's id")
    parser.add_argument("--date", required=True, help="invoice date, YYYY-MM-DD")
    parser.add_argument("--line", action="append", required=True, dest="lines",
                        help='"description;quantity;unit price;VAT rate[;unit]" (repeat)')
    parser.add_argument("--number", help="the invoice number (default: the next one)")
    parser.add_argument("--credits", metavar="NUMBER",
                        help="write a credit note correcting this invoice")
    parser.add_argument("--due", help="due date (default: the customer's terms)")
    parser.add_argument("--no-pdf", action="store_true", help="write no PDF")
    parser.add_argument("--dry-run", action="store_true",
                        help="print the entry, write nothing")
    parser.set_defaults(run=run)


def document_folder(books: Books, entity: str) -> Path:
    """Where an entity's invoice documents go, beside the main file."""
    return books.path.parent / "documents" / "invoices" / entity


def ubl_of(books: Books, invoice: Invoice) -> bytes:
    """The e-invoice of a booked invoice, from the declarations in force on its date."""
    customer = customer_of(books, invoice.entity, invoice.customer, invoice.date)
    return ubl_document(invoice, books.entity(invoice.entity),
                        seller_of(books, invoice.entity, invoice.date), customer,
                        books.operating_currency)


def html_of(books: Books, invoice: Invoice) -> str:
    """The printable page of a booked invoice."""
    customer = customer_of(books, invoice.entity, invoice.customer, invoice.date)
    return invoice_html(invoice, books.entity(invoice.entity),
                        seller_of(books, invoice.entity, invoice.date), customer)


def run(args: argparse.Namespace) -> int:
    """Check, book and write one invoice or credit note."""
    try:
        date = datetime.date.fromisoformat(args.date)
        due = datetime.date.fromisoformat(args.due) if args.due else None
        lines = [parse_line(text) for text in args.lines]
    except ValueError as exc:
        raise CoopException(str(exc)) from None
    customer_or_seller = (party_declaration("coop-customer", entity=args.entity,
                                            name=args.customer),
                          party_declaration("coop-invoicing", name=args.entity))
    books = load_clean_books(args.ledger,
                             inputs=lambda e: any(f(e) for f in customer_or_seller))
    try:
        invoice, customer = new_invoice(books, entity=args.entity,
                                        customer_id=args.customer, date=date, lines=lines,
                                        number=args.number, credits=args.credits, due=due)
    except CoopException as exc:
        raise InputRefused(f"{exc.message}; nothing was written") from None
    entry = invoice_entry(books, invoice, customer)
    print(render([entry]), end="")
    if args.dry_run:
        return 0
    folder = document_folder(books, invoice.entity)
    tx = FileTransaction()
    target = stage_month_entries(tx, books, "invoices", f"{date:%Y-%m}", [entry],
                                 f"Customer invoices, {date:%Y-%m}")
    xml = folder / f"{invoice.number}.xml"
    tx.write(xml, ubl_of(books, invoice).decode("utf-8"))
    pdf_temp = None
    if not args.no_pdf:
        pdf_temp = write_pdf(html_of(books, invoice), folder / f".{invoice.number}.pdf.new")
    try:
        tx.commit()
    except BaseException:
        if pdf_temp is not None:
            with contextlib.suppress(OSError):
                pdf_temp.unlink()
        raise
    if pdf_temp is not None:
        os.replace(pdf_temp, folder / f"{invoice.number}.pdf")
    print(f"invoice {invoice.number}: OCR {invoice.ocr}, due {invoice.due}, "
          f"{invoice.total} {books.operating_currency}; wrote {target} and {folder}",
          file=sys.stderr)
    return 0
