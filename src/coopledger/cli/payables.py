"""``coopledger supplier-invoice``, ``payables`` and ``pay``: the supplier ledger.

``supplier-invoice LEDGER --entity CODE --supplier ID --date D --number N --net X --vat Y``
books a supplier invoice on 2440 (cost account 4010 by default, input VAT on 2641) with
its due date and OCR, appended to ``<ledger dir>/supplier-invoices/YYYY-MM.beancount``.

``payables LEDGER [--entity CODE] [--date D]`` lists the open supplier invoices by age; the
total equals 2440.

``pay LEDGER --entity CODE --date D`` writes the ISO 20022 pain.001.001.03 file paying
every open supplier invoice of the entity due on or before the date, from the entity's
bank account (the first with an ``iban`` on its ``open``), to
``<ledger dir>/payments/<entity>/<entity>-<date>.pain001.xml``. Invoices already in an
earlier file of that folder are not paid again; the bank's camt.054 debit report, imported
with ``coopledger import``, then settles each invoice. The file's creation time is the
payment date, so that it is reproducible.

A supplier of the entity whose bankgiro, plusgiro or IBAN fails validation is refused
before anything is written: one line naming the supplier and the account, exit 2 (the
same error makes ``coopledger check`` exit 1: the books do not check).
"""

from __future__ import annotations

import argparse
import datetime
import sys
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree

from coopledger.books import Books, load_books
from coopledger.cli.common import load_clean_books, party_declaration
from coopledger.cli.receivables import account_total, render_ledger
from coopledger.errors import CoopException, InputRefused
from coopledger.files import FileTransaction
from coopledger.invoicing.receivables import PAYABLES_BAS, open_items
from coopledger.money import ZERO, parse_amount
from coopledger.payables.invoices import due_payments, supplier_invoice_entry
from coopledger.payables.pain001 import credit_transfer, sent_ids
from coopledger.services.entries import render
from coopledger.services.output import stage_month_entries


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``supplier-invoice``, ``payables`` and ``pay`` subcommands."""
    parser = subparsers.add_parser(
        "supplier-invoice", help="book a supplier invoice on 2440 with due date and OCR",
        description="Book a supplier invoice: cost and input VAT against 2440, with the "
                    "supplier, the due date and the OCR to pay it with.")
    parser.add_argument("ledger", help="the main ledger file")
    parser.add_argument("--entity", required=True, help="the buyer's entity code")
    parser.add_argument("--supplier", required=True, help="the supplier's id")
    parser.add_argument("--date", required=True, help="invoice date, YYYY-MM-DD")
    parser.add_argument("--number", required=True, help="the supplier's invoice number")
    parser.add_argument("--net", required=True, help="amount excluding VAT, e.g. 800.00")
    parser.add_argument("--vat", default="0", help="input VAT, e.g. 200.00")
    parser.add_argument("--due", help="due date (default: the supplier's terms)")
    parser.add_argument("--ocr", help="the OCR reference to pay with (Luhn checked)")
    parser.add_argument("--account", default="4010",
                        help="the cost account, BAS number (default 4010)")
    parser.add_argument("--dry-run", action="store_true", help="print, write nothing")
    parser.set_defaults(run=run_supplier_invoice)
    report = subparsers.add_parser(
        "payables", help="open supplier invoices by age (leverantörsreskontra)",
        description="Open supplier invoices on a date with their age; the total equals "
                    "2440 Leverantörsskulder.")
    report.add_argument("ledger", help="the main ledger file")
    report.add_argument("--entity", help="one entity's suppliers only")
    report.add_argument("--date", help="the report date (default: the books' last date)")
    report.set_defaults(run=run_payables)
    pay = subparsers.add_parser(
        "pay", help="write the pain.001 payment file for supplier invoices due",
        description="Write an ISO 20022 pain.001.001.03 credit-transfer file for every "
                    "open supplier invoice due on or before the date.")
    pay.add_argument("ledger", help="the main ledger file")
    pay.add_argument("--entity", required=True, help="the paying entity's code")
    pay.add_argument("--date", required=True, help="pay what is due by this date")
    pay.add_argument("--out", help="the file to write (default: under payments/)")
    pay.add_argument("--dry-run", action="store_true", help="print the file, write nothing")
    pay.set_defaults(run=run_pay)


def _date(text: str, option: str = "--date") -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CoopException(f"{option} {text}: not a date (YYYY-MM-DD)") from None


def run_supplier_invoice(args: argparse.Namespace) -> int:
    """Book one supplier invoice."""
    date = _date(args.date)
    due = _date(args.due, "--due") if args.due else None
    try:
        net, vat = parse_amount(args.net), parse_amount(args.vat)
    except ValueError as exc:
        raise CoopException(str(exc)) from None
    books = load_clean_books(args.ledger, inputs=party_declaration(
        "coop-supplier", entity=args.entity, name=args.supplier))
    try:
        entry = supplier_invoice_entry(books, entity=args.entity, supplier_id=args.supplier,
                                       date=date, number=args.number, net=net, vat=vat,
                                       due=due, ocr=args.ocr, expense_bas=args.account)
    except CoopException as exc:
        raise InputRefused(f"{exc.message}; nothing was written") from None
    print(render([entry]), end="")
    if args.dry_run:
        return 0
    tx = FileTransaction()
    target = stage_month_entries(tx, books, "supplier-invoices", f"{date:%Y-%m}", [entry],
                                 f"Supplier invoices, {date:%Y-%m}")
    tx.commit()
    print(f"supplier invoice {args.number}: wrote {target}", file=sys.stderr)
    return 0


def run_payables(args: argparse.Namespace) -> int:
    """Print the payables ledger; status 1 if it disagrees with 2440 (it never should)."""
    books = load_books(args.ledger)
    if args.entity is not None and args.entity not in books.entities:
        raise CoopException(f"--entity {args.entity}: not declared in the books")
    date = _date(args.date) if args.date else books.last_date
    items = open_items(books, PAYABLES_BAS, entity=args.entity, date=date)
    print(render_ledger(items, date, "Leverantörsreskontra / payables", Decimal(-1)), end="")
    total = sum((i.balance for i in items), ZERO)
    ledger = account_total(books, PAYABLES_BAS, args.entity, date)
    if total != ledger:
        print(f"the open items ({total}) differ from 2440 ({ledger})", file=sys.stderr)
        return 1
    return 0


def debtor_account(books: Books, entity: str) -> tuple[str, str | None]:
    """The IBAN (and BIC, if declared) of the entity's first bank account with an IBAN.

    Raises:
        CoopException: The entity declares no account with an ``iban``.
    """
    for account in books.accounts_of(entity):
        meta = books.opens[account].meta or {}
        if meta.get("iban"):
            iban = str(meta["iban"]).replace(" ", "")
            return iban, str(meta["bic"]) if meta.get("bic") else None
    raise CoopException(f"entity {entity}: no bank account with an iban: to pay from "
                        "(add iban: to the open directive of its bank account)")


def run_pay(args: argparse.Namespace) -> int:
    """Write the payment file for what falls due."""
    date = _date(args.date)
    # A supplier account that fails validation is bad input to the payment file.
    books = load_clean_books(args.ledger,
                             inputs=party_declaration("coop-supplier", entity=args.entity))
    if args.entity not in books.entities:
        raise CoopException(f"--entity {args.entity}: not declared in the books")
    folder = books.path.parent / "payments" / args.entity
    target = Path(args.out) if args.out else folder / f"{args.entity}-{date}.pain001.xml"
    earlier = [p.read_bytes() for p in sorted(folder.glob("*.pain001.xml")) if p != target]
    try:
        sent = sent_ids(earlier)
    except (ElementTree.ParseError, ValueError) as exc:  # defusedxml's refusals too
        raise CoopException(f"{folder}: an earlier payment file does not read ({exc}); "
                            "nothing was written") from None
    payments = due_payments(books, args.entity, date, sent=sent)
    if not payments:
        print(f"{args.entity}: no supplier invoice is due by {date} and unpaid; nothing "
              "written", file=sys.stderr)
        return 0
    iban, bic = debtor_account(books, args.entity)
    entity = books.entity(args.entity)
    document = credit_transfer(
        message_id=f"{args.entity}-{date:%Y%m%d}", debtor_name=entity.name,
        created=datetime.datetime.combine(date, datetime.time(6, 0)),
        debtor_orgnr=entity.orgnr, debtor_iban=iban, debtor_bic=bic, payments=payments,
        execution=date, currency=books.operating_currency)
    if args.dry_run:
        print(document.decode("utf-8"))
        return 0
    tx = FileTransaction()
    tx.write(target, document.decode("utf-8"))
    tx.commit()
    total = sum((p.amount for p in payments), ZERO)
    print(f"{args.entity}: {len(payments)} payment(s), {total} {books.operating_currency}; "
          f"wrote {target}", file=sys.stderr)
    return 0
