"""Bankgirot's BgMax reports of incoming bankgiro payments (legacy, files up to Nov 2026).

Fixed-width records of 80 characters, one a line; trailing blanks may be trimmed, so each
line is padded before it is sliced, and TABs are expanded to 8 columns (Bankgirot's own
example file carries some). The layout, positions 1-based::

    01 start       3-22 "BGMAX", 45 T (test) or P (production)
    05 deposit     3-12 payee bankgiro, 23-25 currency
    20 payment     3-12 payer bankgiro, 13-37 reference, 38-55 amount in öre,
                   56 reference code (2 = valid OCR), 58-69 Bankgirot's serial number
    21 deduction   as 20, the amount is taken off the deposit
    22/23          extra reference (part of the payment before it)
    25 message     3-52;   26 name 3-37;   27/28 address;   29 org. number 3-14
    15 deposit end 3-37 bank account, 38-45 date, 46-50 deposit serial number,
                   51-68 amount in öre, 69-71 currency, 72-79 number of payments
    70 end         3-10 payments, 11-18 deductions, 19-26 extra references, 27-34 deposits

Each deposit (05 ... 15) becomes one bank entry whose legs are its payments; the
deposit amount must equal payments minus deductions, and the counts of record 70 must
match the file. The text is read as UTF-8 when it is valid UTF-8 (some exports are),
otherwise as ISO-8859-1, the format's own character set.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import ClassVar

from coopledger.bank.model import BankFileError, BankTxn, Leg, Statement
from coopledger.importers.base import BankImporter, read_bytes, read_head

RECORDS = {"01", "05", "20", "21", "22", "23", "25", "26", "27", "28", "29", "15", "70"}


def sniff_bgmax(path: str) -> bool:
    """Whether a file starts with a BgMax start record."""
    head = read_head(path, 64)
    return head.startswith(b"01BGMAX")


def decode(path: str, raw: bytes) -> str:
    """The file's text: UTF-8 if it is valid UTF-8, else ISO-8859-1.

    Raises:
        BankFileError: The file holds NUL bytes (binary, or UTF-16).
    """
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise BankFileError(path, f"line {line}", "NUL byte: the file is binary or UTF-16, "
                            "not a BgMax text file (ISO-8859-1)")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("iso-8859-1")


def bankgiro(digits: str) -> str:
    """A bankgiro number without its leading zeros (``0009912346`` -> ``9912346``)."""
    return digits.lstrip("0")


@dataclass
class _Deposit:
    payee: str
    currency: str
    line: int
    legs: list[Leg] = field(default_factory=list)
    payments: int = 0


@dataclass
class _Payment:
    amount: Decimal
    payer: str
    reference: str
    ocr: bool
    texts: list[str] = field(default_factory=list)
    name: str | None = None


@dataclass
class _Counts:
    payments: int = 0
    deductions: int = 0
    extra: int = 0
    deposits: int = 0


class _Parser:
    """The state of one pass over a BgMax file, one method per record type."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.number = 0
        self.record = ""
        self.counts = _Counts()
        self.deposits: list[tuple[str, str, BankTxn]] = []
        self.deposit: _Deposit | None = None
        self.payment: _Payment | None = None
        self.ended = False

    def error(self, message: str) -> BankFileError:
        """An error at the current line."""
        return BankFileError(self.path, f"line {self.number}", message)

    def digits(self, start: int, end: int, what: str) -> int:
        """The number at 1-based positions ``start``-``end`` of the current record."""
        value = self.record[start - 1:end]
        if not value.isdigit() or not value.isascii():
            raise self.error(f"{what} (positions {start}-{end}) is not a number: "
                             f"{value.strip()!r}")
        return int(value)

    def feed(self, number: int, line: str) -> None:
        """Read one line."""
        self.number, self.record = number, line.expandtabs(8).ljust(80)
        kind = self.record[:2]
        if self.ended:
            raise self.error("record after the end record 70")
        if number == 1 and (kind != "01" or self.record[2:7] != "BGMAX"):
            raise self.error("not a BgMax file: it must start with record 01 BGMAX")
        if kind not in RECORDS:
            raise self.error(f"unknown record type {kind!r}")
        if kind not in ("01", "05", "70") and self.deposit is None:
            raise self.error(f"record {kind} outside a deposit (05 ... 15)")
        handler = {"05": self.start_deposit, "20": self.start_payment,
                   "21": self.start_payment, "22": self.extra_reference,
                   "23": self.extra_reference, "15": self.end_deposit, "70": self.end,
                   "25": self.message, "26": self.name}.get(kind)
        if handler is not None:
            handler()

    def start_deposit(self) -> None:
        """Record 05: a deposit to a payee bankgiro starts."""
        if self.deposit is not None:
            raise self.error("deposit 05 before the previous one ended with 15")
        payee = bankgiro(str(self.digits(3, 12, "payee bankgiro")))
        self.deposit = _Deposit(payee, self.record[22:25].strip() or "SEK", self.number)

    def start_payment(self) -> None:
        """Record 20 (payment) or 21 (deduction)."""
        if self.deposit is None:
            return
        _finish(self.deposit, self.payment)
        deduction = self.record[:2] == "21"
        amount = Decimal(self.digits(38, 55, "amount")).scaleb(-2)
        self.payment = _Payment(-amount if deduction else amount,
                                self.record[2:12].lstrip("0"), self.record[12:37].strip(),
                                self.record[55] == "2")
        self.deposit.payments += 1
        if deduction:
            self.counts.deductions += 1
        else:
            self.counts.payments += 1

    def extra_reference(self) -> None:
        """Record 22/23: another reference of the payment before it."""
        self.digits(38, 55, "amount")
        self.counts.extra += 1
        if self.payment is not None and self.record[12:37].strip():
            self.payment.texts.append(self.record[12:37].strip())

    def message(self) -> None:
        """Record 25: a message line."""
        if self.payment is not None:
            self.payment.texts.append(self.record[2:52].strip())

    def name(self) -> None:
        """Record 26: the payer's name."""
        if self.payment is not None:
            self.payment.name = self.record[2:37].strip() or None

    def end_deposit(self) -> None:
        """Record 15: the deposit's date, amount and count; checked against its payments."""
        deposit = self.deposit
        if deposit is None:
            return
        _finish(deposit, self.payment)
        self.payment = None
        raw_date = self.record[37:45]
        try:
            date = datetime.datetime.strptime(raw_date, "%Y%m%d").date()  # noqa: DTZ007
        except ValueError:
            raise self.error(f"not a date (positions 38-45): {raw_date!r}") from None
        serial = self.digits(46, 50, "deposit serial number")
        amount = Decimal(self.digits(51, 68, "deposit amount")).scaleb(-2)
        stated = self.digits(72, 79, "number of payments")
        if stated != deposit.payments:
            raise self.error(f"deposit says {stated} payments, it holds "
                             f"{deposit.payments}")
        total = sum((leg.amount for leg in deposit.legs), Decimal(0))
        if total != amount:
            raise self.error(f"deposit amount {amount} is not the sum of its payments "
                             f"and deductions, {total}")
        ref = f"bgmax/{deposit.payee}/{date}/{serial}"
        txn = BankTxn(date, amount, ref, tuple(deposit.legs), where=f"line {self.number}")
        self.deposits.append((deposit.payee, deposit.currency, txn))
        self.counts.deposits += 1
        self.deposit = None

    def end(self) -> None:
        """Record 70: the file's record counts, checked."""
        if self.deposit is not None:
            raise self.error("end record 70 inside a deposit (no 15 before it)")
        for start, end, what, found in (
                (3, 10, "payment records (20)", self.counts.payments),
                (11, 18, "deduction records (21)", self.counts.deductions),
                (19, 26, "extra reference records (22/23)", self.counts.extra),
                (27, 34, "deposit records (15)", self.counts.deposits)):
            stated = self.digits(start, end, what)
            if stated != found:
                raise self.error(f"end record 70 counts {stated} {what}, the file has "
                                 f"{found}")
        self.ended = True


def read_bgmax(path: str) -> list[Statement]:
    """Read a BgMax file: one statement per payee bankgiro and currency.

    Raises:
        BankFileError: A malformed record, a wrong sum or count, or a truncated file.
    """
    parser = _Parser(path)
    for number, line in enumerate(decode(path, read_bytes(path)).splitlines(), 1):
        if line.strip():
            parser.feed(number, line)
    if not parser.ended:
        raise BankFileError(path, "end of file", "no end record 70: the file is truncated")
    grouped: dict[tuple[str, str], list[BankTxn]] = {}
    for payee, currency, txn in parser.deposits:
        grouped.setdefault((payee, currency), []).append(txn)
    return [Statement(path, "bgmax", (ident,), currency, tuple(txns))
            for (ident, currency), txns in grouped.items()]


def _finish(deposit: _Deposit, payment: _Payment | None) -> None:
    if payment is None:
        return
    message = " ".join(t for t in payment.texts if t) or None
    ocr = payment.reference if payment.ocr and payment.reference.isdigit() else None
    if payment.reference and not ocr:
        message = f"{payment.reference} {message or ''}".strip()
    deposit.legs.append(Leg(payment.amount, payment.name, message or ocr, ocr,
                            payment.payer or None))


class BgMaxImporter(BankImporter):
    """Bankgirot BgMax reports of incoming payments."""

    kind: ClassVar[str] = "bgmax"

    def sniff(self, filepath: str) -> bool:
        """Whether the file is a BgMax report."""
        return sniff_bgmax(filepath)

    def read(self, filepath: str) -> list[Statement]:
        """The file's statements, one per payee bankgiro."""
        return read_bgmax(filepath)
