"""Add invoicing to the example books: a member e-invoicing its municipality, paid by camt.

Run from the repository root after ``scripts/example_services.py`` (``build_example.py``
does)::

    python scripts/example_invoicing.py

Omsorgskooperativet Varsam (``Omsorg``) sells home care (exempt from VAT) and cleaning of
shared rooms (25 %) to Linköpings kommun, a public buyer that must receive e-invoices.
The script writes ``ledgers/example/invoicing.beancount`` (the member's invoicing
settings, the municipality as customer, three suppliers paid by bankgiro, plusgiro and
IBAN), then, with coopledger's own commands, for every month from 2025-01 to 2026-11:

- ``coopledger invoice``: the month's invoice to the municipality, on the last day
  (e-invoices under ``documents/invoices/Omsorg/``; no PDF, which Chromium does not print
  byte for byte the same twice);
- ``coopledger supplier-invoice``: the month's invoices from the suppliers;
- ``coopledger pay``: the pain.001 file paying what is due by the 25th
  (``payments/Omsorg/``);

and the bank's side as camt.054 notifications (``bank/omsorg-in-*.camt054.xml`` and
``bank/omsorg-out-*.camt054.xml``):
the municipality paying each invoice on its due date with the OCR (one invoice in two
parts, one by its number in the message, one late after a reminder with interest from
``coopledger remind``), and each payment of the pain.001 files. ``coopledger import``
books them into ``omsorg-bank.beancount``, and every payment settles its invoice. The
November 2026 invoices stay open.
Finally it recomputes the month-end bank balance assertions, since the payments move the
bank.

Running it again gives the same bytes: it first removes what it wrote before.
"""

from __future__ import annotations

import datetime
import re
import shutil
import sys
from decimal import Decimal
from pathlib import Path

import defusedxml.ElementTree as SafeET
from dateutil.relativedelta import relativedelta
from stdnum import luhn

from coopledger.books import load_books
from coopledger.cli import main as coopledger
from coopledger.files import read_text
from coopledger.invoicing.invoice import issued_invoices

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "ledgers" / "example"
MAIN = OUT / "main.beancount"
BANK = OUT / "bank"
FIRST = datetime.date(2025, 1, 1)
LAST = datetime.date(2026, 11, 1)
ENTITY = "Omsorg"
IBAN = "SE7350012886541538376705"
PAIN = "{urn:iso:std:iso:20022:tech:xsd:pain.001.001.03}"
#: Where the imports of these bank files go (``imports/`` is left to the reader's own).
BOOKED = OUT / "omsorg-bank.beancount"

DECLARATIONS = """\
; Invoicing in the example books: written by scripts/example_invoicing.py.

2025-01-01 custom "coop-invoicing" "Omsorg"
  street: "Hemtjänstgatan 4"
  postcode: "582 25"
  city: "Linköping"
  bankgiro: "5402-9681"
  email: "faktura@varsam.example"
  reminder-fee: TRUE

2025-01-01 custom "coop-customer" "LkpgKommun"
  entity: "Omsorg"
  name: "Linköpings kommun"
  orgnr: "212000-0449"
  street: "Box 1000"
  postcode: "581 81"
  city: "Linköping"
  peppol: "0007:2120000449"
  reference: "VO-HEMTJ-4711"
  terms: 30
  einvoice: TRUE

2025-01-01 custom "coop-supplier" "Apoteket"
  entity: "Omsorg"
  name: "Apoteket AB"
  orgnr: "556138-6532"
  bankgiro: "5671-2383"
  terms: 20

2025-01-01 custom "coop-supplier" "Medservice"
  entity: "Omsorg"
  name: "Medicinsk Service i Linköping AB"
  plusgiro: "431822-6"
  terms: 20

2025-01-01 custom "coop-supplier" "Pflege"
  entity: "Omsorg"
  name: "Pflegebedarf Müller GmbH"
  iban: "DE89370400440532013000"
  bic: "COBADEFFXXX"
  terms: 20
"""

#: Invoices paid in two parts (the first part), by number only, and late after a reminder.
PARTLY = datetime.date(2025, 6, 1)
BY_NUMBER = datetime.date(2026, 3, 1)
LATE = datetime.date(2026, 6, 1)
REMINDER_DATE = datetime.date(2026, 8, 14)
LATE_PAID = datetime.date(2026, 9, 4)


def command(*args: str) -> None:
    """Run a coopledger command in this process; stop if it fails."""
    status = coopledger(list(args))
    if status != 0:
        raise SystemExit(f"coopledger {' '.join(args)} failed with status {status}")


def months() -> list[datetime.date]:
    """The first day of every month from FIRST to LAST."""
    found, month = [], FIRST
    while month <= LAST:
        found.append(month)
        month += relativedelta(months=1)
    return found


def month_end(month: datetime.date) -> datetime.date:
    """The last day of the month."""
    return month + relativedelta(months=1) - relativedelta(days=1)


def hours(month: datetime.date) -> int:
    """Home-care hours of a month: a steady service with seasonal variation."""
    return 410 + 15 * ((month.month * 7) % 5) - (40 if month.month in (7, 8) else 0)


def issue(month: datetime.date) -> None:
    """The month's invoice to the municipality and the month's supplier invoices."""
    end = month_end(month)
    command("invoice", str(MAIN), "--entity", ENTITY, "--customer", "LkpgKommun",
            "--date", str(end), "--no-pdf",
            "--line", f"Hemtjänst {month:%Y-%m};{hours(month)};465;0;HUR",
            "--line", f"Städning gemensamma utrymmen {month:%Y-%m};12;395;25;HUR")
    number = f"AP{month:%y%m}01"
    base = f"{month:%y%m}0017"
    command("supplier-invoice", str(MAIN), "--entity", ENTITY, "--supplier", "Apoteket",
            "--date", str(month + relativedelta(days=2)), "--number", number,
            "--net", f"{1800 + 40 * month.month}.00", "--vat", f"{450 + 10 * month.month}.00",
            "--ocr", base + str(luhn.calc_check_digit(base)), "--account", "4010")
    if month.month % 3 == 1:
        command("supplier-invoice", str(MAIN), "--entity", ENTITY, "--supplier", "Medservice",
                "--date", str(month + relativedelta(days=4)), "--number",
                f"MS-{month:%Y}-{month.month:02d}", "--net", "3200.00", "--vat", "800.00",
                "--account", "5410")
    if month.month in (2, 9):
        command("supplier-invoice", str(MAIN), "--entity", ENTITY, "--supplier", "Pflege",
                "--date", str(month + relativedelta(days=1)), "--number",
                f"PB{month:%Y%m}", "--net", "5600.00", "--vat", "0", "--account", "5410")


def _entry(date: datetime.date, amount: Decimal, ref: str, name: str, *,
           ocr: str | None = None, message: str | None = None) -> tuple[datetime.date, str]:
    side = "CRDT" if amount > 0 else "DBIT"
    party = "Dbtr" if amount > 0 else "Cdtr"
    remittance = (f"<Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry></Tp>"
                  f"<Ref>{ocr}</Ref></CdtrRefInf></Strd>" if ocr
                  else f"<Ustrd>{message}</Ustrd>")
    text = (f'      <Ntry>\n        <Amt Ccy="SEK">{abs(amount):.2f}</Amt>\n'
            f"        <CdtDbtInd>{side}</CdtDbtInd>\n        <Sts>BOOK</Sts>\n"
            f"        <BookgDt><Dt>{date}</Dt></BookgDt>\n"
            f"        <AcctSvcrRef>{ref}</AcctSvcrRef>\n"
            f"        <NtryDtls><TxDtls>\n"
            f'          <Amt Ccy="SEK">{abs(amount):.2f}</Amt>\n'
            f"          <CdtDbtInd>{side}</CdtDbtInd>\n"
            f"          <RltdPties><{party}><Nm>{name}</Nm></{party}></RltdPties>\n"
            f"          <RmtInf>{remittance}</RmtInf>\n"
            f"        </TxDtls></NtryDtls>\n      </Ntry>\n")
    return date, text


def write_camt054(label: str, entries: list[tuple[datetime.date, str]]) -> Path:
    """The bank's notification of booked payments on Omsorg's account."""
    path = BANK / f"omsorg-{label}.camt054.xml"
    month = min(date for date, _ in entries)
    body = "".join(text for _, text in sorted(entries, key=lambda e: e[0]))
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<!-- Example: Omsorgskooperativet Varsam's payments notified by its bank "
        f"({label}), camt.054.001.02. -->\n"
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.02">\n'
        "  <BkToCstmrDbtCdtNtfctn>\n"
        f"    <GrpHdr><MsgId>OMSORG-NTF-{label}</MsgId>"
        f"<CreDtTm>{month_end(month)}T18:00:00</CreDtTm></GrpHdr>\n"
        f"    <Ntfctn>\n      <Id>OMSORG-{label}</Id>\n"
        f"      <Acct><Id><IBAN>{IBAN}</IBAN></Id><Ccy>SEK</Ccy></Acct>\n"
        f"{body}    </Ntfctn>\n  </BkToCstmrDbtCdtNtfctn>\n</Document>\n",
        encoding="utf-8")
    return path


def customer_payments() -> dict[datetime.date, list[tuple[datetime.date, str]]]:
    """The municipality's payments of every invoice, by the month they reach the bank."""
    books = load_books(MAIN)
    by_month: dict[datetime.date, list[tuple[datetime.date, str]]] = {}

    def add(date: datetime.date, amount: Decimal, ref: str, **remittance: str) -> None:
        if date < LAST + relativedelta(months=1):
            by_month.setdefault(date.replace(day=1), []).append(
                _entry(date, amount, ref, "Linköpings kommun", **remittance))

    for n, invoice in enumerate(i for i in issued_invoices(books) if i.entity == ENTITY):
        ref = f"OMS-IN-{n + 1:04d}"
        month = invoice.date.replace(day=1)
        if month == PARTLY:
            part = Decimal("30000.00")
            add(invoice.due, part, ref + "A", ocr=invoice.ocr)
            add(invoice.due + relativedelta(days=21), invoice.total - part, ref + "B",
                ocr=invoice.ocr)
        elif month == BY_NUMBER:
            add(invoice.due, invoice.total, ref,
                message=f"Hemtjänst faktura {invoice.number}")
        elif month != LATE:
            add(invoice.due, invoice.total, ref, ocr=invoice.ocr)
    return by_month


def late_payment() -> tuple[datetime.date, str]:
    """The late invoice, paid with the reminder's interest and fee after the reminder."""
    books = load_books(MAIN)
    invoice = next(i for i in issued_invoices(books)
                   if i.entity == ENTITY and i.date.replace(day=1) == LATE)
    charged = sum((Decimal(e.meta["charged"]) for e in books.transactions
                   if e.meta.get("reminder") and e.meta.get("invoice") == invoice.number),
                  Decimal(0))
    return _entry(LATE_PAID, invoice.total + charged, "OMS-IN-LATE", "Linköpings kommun",
                  ocr=invoice.ocr)


def supplier_payments(pain: Path) -> list[tuple[datetime.date, str]]:
    """The bank's debit of each transfer of a pain.001 file, on its execution date."""
    root = SafeET.parse(pain).getroot()
    found = []
    for block in root.iter(f"{PAIN}PmtInf"):
        date = datetime.date.fromisoformat(block.findtext(f"{PAIN}ReqdExctnDt") or "")
        for transfer in block.iter(f"{PAIN}CdtTrfTxInf"):
            amount = Decimal(transfer.findtext(f"{PAIN}Amt/{PAIN}InstdAmt") or "0")
            name = transfer.findtext(f"{PAIN}Cdtr/{PAIN}Nm") or ""
            ocr = transfer.findtext(f".//{PAIN}CdtrRefInf/{PAIN}Ref")
            message = transfer.findtext(f".//{PAIN}Ustrd")
            ref = "OMS-OUT-" + (transfer.findtext(f"{PAIN}PmtId/{PAIN}EndToEndId") or "")
            found.append(_entry(date, -amount, ref, name, ocr=ocr, message=message))
    return found


def clean() -> None:
    """Remove what an earlier run wrote."""
    for folder in ("invoices", "supplier-invoices", "reminders", "payments", "documents"):
        shutil.rmtree(OUT / folder, ignore_errors=True)
    for old in BANK.glob("omsorg-*.camt054.xml"):
        old.unlink()
    (OUT / "invoicing.beancount").unlink(missing_ok=True)
    BOOKED.unlink(missing_ok=True)
    text = read_text(MAIN)
    kept = [line for line in text.splitlines(keepends=True)
            if not re.match(r'include "(invoicing\.beancount|invoices/|supplier-invoices/|'
                            r'reminders/|omsorg-bank\.beancount)', line)]
    MAIN.write_text("".join(kept), encoding="utf-8")


def main() -> int:
    """Write the declarations, then the invoices, payments and bank files, month by month."""
    sys.path.insert(0, str(ROOT / "scripts"))
    import make_example  # a sibling script, not an installed module

    clean()
    balances = OUT / "bank-balances.beancount"
    balances.write_text("", encoding="utf-8")  # the payments move the bank: recomputed
    BANK.mkdir(exist_ok=True)
    (OUT / "invoicing.beancount").write_text(DECLARATIONS, encoding="utf-8")
    text = read_text(MAIN)
    MAIN.write_text(text + 'include "invoicing.beancount"\n', encoding="utf-8")
    for month in months():
        print(f"== invoicing {month:%Y-%m}", flush=True)
        issue(month)
    # The municipality's payments (the reminder looks only at what was paid by its date).
    incoming = [write_camt054(f"in-{month:%Y-%m}", entries)
                for month, entries in sorted(customer_payments().items())]
    command("import", str(MAIN), "--into", str(BOOKED), *map(str, incoming))
    command("remind", str(MAIN), "--entity", ENTITY, "--date", str(REMINDER_DATE),
            "--min-days", "10", "--no-pdf")
    late = late_payment()
    command("import", str(MAIN), "--into", str(BOOKED),
            str(write_camt054(f"in-{late[0]}", [late])))
    outgoing = []
    for month in months():
        pay_date = month.replace(day=25)
        command("pay", str(MAIN), "--entity", ENTITY, "--date", str(pay_date))
        pain = OUT / "payments" / ENTITY / f"{ENTITY}-{pay_date}.pain001.xml"
        if pain.exists():
            outgoing.append(write_camt054(f"out-{month:%Y-%m}", supplier_payments(pain)))
    command("import", str(MAIN), "--into", str(BOOKED), *map(str, outgoing))
    balances.write_text(make_example.bank_assertions_text(MAIN), encoding="utf-8")
    command("check", "-q", str(MAIN))
    return 0


if __name__ == "__main__":
    from coopledger.cli import command_process

    # As the coopledger command does for its process: no pickle cache beside the books.
    with command_process():
        status = main()
    sys.exit(status)
