"""SWIFT MT940 customer statements (legacy), read with the maintained ``mt-940`` package.

The file is split into its statements (each starts with a ``:20:`` line) and each is
parsed by ``mt940.parse``; ``:60F:``/``:60M:`` give the opening and ``:62F:``/``:62M:``
the closing booked balance, ``:25:`` the account, ``:61:`` the entries (booking date
where given, else value date) and ``:86:`` their text. The bank's reference (``//`` part
of ``:61:``), else the customer reference, with date and amount is the dedup key.
MT942 interim reports (``:34F:`` and no opening balance) are refused: they are not
booked statements.
"""

from __future__ import annotations

import datetime
import logging
import re
from decimal import Decimal
from typing import Any, ClassVar

import mt940 as mt940_package

from coopledger.bank.model import (
    BankFileError,
    BankTxn,
    Leg,
    Statement,
    StatementBalance,
    normalise_account_id,
)
from coopledger.importers.base import BankImporter, read_bytes, read_head

STATEMENT_START = re.compile(r"^:20:", re.MULTILINE)

# The parser logs every line it cannot match at ERROR; with no handler configured Python
# would print them on stderr. Its errors reach the user as one BankFileError instead.
logging.getLogger("mt940").addHandler(logging.NullHandler())


def sniff_mt940(path: str) -> bool:
    """Whether a file holds MT940 (or MT942) tags ``:20:`` and ``:25:`` at line starts."""
    head = read_head(path)
    return bool(re.search(rb"^:20:", head, re.MULTILINE)
                and re.search(rb"^:25:", head, re.MULTILINE))


def _decode(path: str, raw: bytes) -> str:
    if b"\x00" in raw:
        raise BankFileError(path, "", "NUL byte: the file is binary or UTF-16, not MT940 "
                            "text")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("iso-8859-1")


def read_mt940(path: str) -> list[Statement]:
    """Read an MT940 file: one statement per ``:20:`` block.

    Raises:
        BankFileError: A block the parser cannot read, an MT942 report, no currency.
    """
    text = _decode(path, read_bytes(path)).replace("\r\n", "\n")
    starts = [m.start() for m in STATEMENT_START.finditer(text)]
    if not starts:
        raise BankFileError(path, "", "no :20: statement in the file")
    statements = []
    for index, start in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else len(text)
        line = text.count("\n", 0, start) + 1
        try:
            statements.append(_statement(path, text[start:end], line))
        except BankFileError:
            raise
        # The parser's result objects hold what it could read; odd input leaves odd
        # values (a missing amount, a date it could not build): one error for all.
        except (AttributeError, TypeError, ValueError, ArithmeticError, KeyError) as exc:
            raise BankFileError(path, f"statement at line {line}",
                                f"unreadable field: {exc}") from None
    return statements


def _parse(path: str, block: str, line: int) -> Any:
    try:
        return mt940_package.parse(block)
    # The third-party parser raises assorted types (RuntimeError, ValueError, KeyError,
    # ...) for malformed input; each becomes this importer's one error type.
    except Exception as exc:
        first = str(exc.args[0] if exc.args else exc).splitlines()[0]
        reason = re.sub(r"<[^>]* at 0x[0-9a-f]+>", "a field", first)[:120]
        raise BankFileError(path, f"statement at line {line}",
                            f"MT940 parser: {reason}") from None


def _balance(value: Any) -> tuple[StatementBalance, str | None] | None:
    if value is None:
        return None
    amount = Decimal(str(value.amount.amount))
    date = datetime.date(value.date.year, value.date.month, value.date.day)
    return StatementBalance(date, amount), value.amount.currency


def _statement(path: str, block: str, line: int) -> Statement:
    parsed = _parse(path, block, line)
    info: dict[str, Any] = dict(parsed.data)
    where = f"statement at line {line}"
    opened = _balance(info.get("final_opening_balance") or info.get("opening_balance"))
    closed = _balance(info.get("final_closing_balance") or info.get("closing_balance"))
    if opened is None and re.search(r"^:34F:", block, re.MULTILINE):
        raise BankFileError(path, where, "an MT942 interim report is not a booked "
                            "statement; import the day's MT940 instead")
    currency = next((c for c in (opened and opened[1], closed and closed[1]) if c), None)
    txns = []
    seen: dict[tuple[datetime.date, Decimal], int] = {}
    for number, transaction in enumerate(parsed, 1):
        data: dict[str, Any] = dict(transaction.data)
        amount_obj = data.get("amount")
        currency = currency or data.get("currency") or getattr(amount_obj, "currency", None)
        if amount_obj is None:
            raise BankFileError(path, f"{where}, entry {number}", "amount missing")
        amount = Decimal(str(amount_obj.amount))
        raw_date = data.get("entry_date") or data.get("date")
        if raw_date is None:
            raise BankFileError(path, f"{where}, entry {number}", "date missing")
        date = datetime.date(raw_date.year, raw_date.month, raw_date.day)
        txns.append(_txn(data, date, amount, seen, f"{where}, entry {number}"))
    if currency is None:
        raise BankFileError(path, where, "no currency in the balances or entries")
    account = info.get("account_identification")
    ids = tuple(normalise_account_id(p) for p in re.split(r"[/]", str(account)) if p) \
        if account else ()
    if account:
        ids = (normalise_account_id(str(account)), *ids)
    return Statement(path, "mt940", tuple(dict.fromkeys(ids)), str(currency), tuple(txns),
                     opened[0] if opened else None, closed[0] if closed else None,
                     ident=str(info.get("transaction_reference") or "") or None)


def _txn(data: dict[str, Any], date: datetime.date, amount: Decimal,
         seen: dict[tuple[datetime.date, Decimal], int], where: str) -> BankTxn:
    reference = data.get("bank_reference") or data.get("customer_reference")
    if reference in (None, "", "NONREF"):
        count = seen.get((date, amount), 0) + 1
        seen[(date, amount)] = count
        ref = f"mt940/{date}/{amount}/{count}"
    else:
        ref = f"{reference}/{date}/{amount}"
    details = data.get("purpose") or data.get("transaction_details") or ""
    message = " ".join(str(details).split()) or None
    payee = data.get("applicant_name") or data.get("recipient_name")
    counterparty = data.get("applicant_iban") or data.get("gvc_applicant_iban")
    leg = Leg(amount, str(payee) if payee else None, message, None,
              normalise_account_id(str(counterparty)) if counterparty else None)
    return BankTxn(date, amount, ref, (leg,), where=where)


class Mt940Importer(BankImporter):
    """SWIFT MT940 statements."""

    kind: ClassVar[str] = "mt940"

    def sniff(self, filepath: str) -> bool:
        """Whether the file is an MT940 statement."""
        return sniff_mt940(filepath)

    def read(self, filepath: str) -> list[Statement]:
        """The file's statements."""
        return read_mt940(filepath)
