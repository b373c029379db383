"""CSV exports of Swedish internet banks: Swedbank, Nordea, SEB and Länsförsäkringar.

The layout is recognised by its header line, wherever it is in the first lines of the
file; the delimiter (``,``, ``;`` or TAB), the decimal mark (``,`` or ``.``, with space
thousands separators) and the encoding (UTF-8 with or without BOM, else Windows-1252,
which covers the ISO-8859-1/15 of older exports) are sniffed. The layouts::

    Swedbank   Radnummer,Clearingnummer,Kontonummer,Produkt,Valuta,Bokföringsdag,
               Transaktionsdag,Valutadag,Referens,Beskrivning,Belopp,Bokfört saldo
    Nordea     Bokföringsdag;Belopp;Avsändare;Mottagare;Namn;Rubrik;Saldo;Valuta
    SEB        Bokföringsdatum;Valutadatum;Verifikationsnummer;Text/mottagare;Belopp;Saldo
    LF         "Bokföringsdatum";"Transaktionsdatum";"Transaktionstyp";"Meddelande";"Belopp"

Rows may come newest first; they are booked in date order. A running-balance column is
checked row by row and gives the opening and closing balance assertions. Nordea's
pending rows (``Reserverat``) are skipped and reported. The account is found from the
file (Swedbank's clearing and account number, the account lines above a Länsförsäkringar
header) or from an account number in the file name, such as
``Nordea 5000 0583 9825 7466 2026-10.csv``.
"""

from __future__ import annotations

import csv
import datetime
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import ClassVar

from coopledger.bank.model import (
    BankFileError,
    BankTxn,
    Leg,
    Statement,
    StatementBalance,
    normalise_account_id,
)
from coopledger.importers.base import BankImporter, read_bytes, read_head


@dataclass(frozen=True)
class Layout:
    """Where a bank's export keeps each field (column names)."""

    name: str
    header: tuple[str, ...]
    date: str
    amount: str
    payee: str | None
    message: str | None = None
    balance: str | None = None
    currency: str | None = None
    ref: str | None = None
    sender: str | None = None
    receiver: str | None = None


LAYOUTS = (
    Layout("swedbank", ("Radnummer", "Clearingnummer", "Kontonummer", "Bokföringsdag",
                        "Beskrivning", "Belopp"),
           "Bokföringsdag", "Belopp", "Beskrivning", "Referens", "Bokfört saldo", "Valuta"),
    Layout("nordea", ("Bokföringsdag", "Belopp", "Namn", "Rubrik", "Saldo"),
           "Bokföringsdag", "Belopp", "Namn", "Rubrik", "Saldo", "Valuta",
           sender="Avsändare", receiver="Mottagare"),
    Layout("seb", ("Bokföringsdatum", "Verifikationsnummer", "Text/mottagare", "Belopp"),
           "Bokföringsdatum", "Belopp", "Text/mottagare", None, "Saldo", None,
           "Verifikationsnummer"),
    Layout("lansforsakringar", ("Bokföringsdatum", "Transaktionstyp", "Meddelande",
                                "Belopp"),
           "Bokföringsdatum", "Belopp", "Meddelande", "Transaktionstyp"),
)
PENDING = {"reserverat", "reserverad", "prel"}
HEADER_LINES = 20


def decode(path: str, raw: bytes) -> str:
    """The file's text, its encoding sniffed.

    Raises:
        BankFileError: NUL bytes (a binary or UTF-16 file), or a UTF-8 byte-order mark
            on text that is not UTF-8.
    """
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise BankFileError(path, f"line {line}", "NUL byte: the file is binary or UTF-16; "
                            "export the CSV as UTF-8 or Windows-1252 text")
    if raw.startswith(b"\xef\xbb\xbf"):
        try:
            return raw[3:].decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            raise BankFileError(path, f"line {line}", "the file says UTF-8 (byte-order "
                                "mark) but is not valid UTF-8 there") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _header_of(line: str) -> tuple[Layout, str] | None:
    for delimiter in (";", ",", "\t"):
        cells = [c.strip().strip('"').strip() for c in line.split(delimiter)]
        for layout in LAYOUTS:
            if all(name in cells for name in layout.header):
                return layout, delimiter
    return None


def sniff_bankcsv(path: str) -> bool:
    """Whether a file is a bank CSV export in a known layout."""
    head = read_head(path, 8192)
    if b"\x00" in head:
        return False
    lines = []
    for raw in head.removeprefix(b"\xef\xbb\xbf").splitlines()[:HEADER_LINES]:
        try:
            lines.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            lines.append(raw.decode("cp1252", errors="replace"))
    return any(_header_of(line) for line in lines)


def parse_amount(text: str, decimal_mark: str) -> Decimal:
    """A Swedish bank amount: ``-1 234,50``, ``1234.50``, ``−12,00``.

    Raises:
        ValueError: Not an amount.
    """
    cleaned = re.sub(r"[\s\u00a0\u202f]", "", text).replace("\u2212", "-")
    if decimal_mark == ",":
        if "." in cleaned and not re.fullmatch(r"[+-]?\d{1,3}(\.\d{3})+(,\d+)?", cleaned):
            raise ValueError(text)
        cleaned = cleaned.replace(".", "").replace(",", ".")
    else:
        cleaned = cleaned.replace(",", "")
    if not re.fullmatch(r"[+-]?\d+(\.\d+)?", cleaned):
        raise ValueError(text)
    return Decimal(cleaned)


def _decimal_mark(values: list[str]) -> str:
    return "," if any(re.search(r",\d{1,2}\s*$", v) for v in values) else "."


def ids_from_name(path: str) -> list[str]:
    """Account numbers in a file name: each run of digit groups and each leading part."""
    ids = []
    for run in re.findall(r"\d[\d \-]*\d", Path(path).stem):
        groups = run.split()
        ids += [normalise_account_id("".join(groups[:n])) for n in range(len(groups), 0, -1)]
    return [i for i in dict.fromkeys(ids) if len(i) >= 7]


@dataclass
class _Row:
    line: int
    date: datetime.date | None
    amount: Decimal
    balance: Decimal | None
    payee: str | None
    message: str | None
    ref: str | None
    counterparty: str | None = None


def read_bankcsv(path: str) -> list[Statement]:
    """Read a bank CSV export.

    Raises:
        BankFileError: No known header, a bad date or amount, or a running balance that
            does not follow from the amounts.
    """
    text = decode(path, read_bytes(path))
    lines = text.splitlines()
    found = None
    index = 0
    for index, line in enumerate(lines[:HEADER_LINES]):  # noqa: B007 - index used below
        found = _header_of(line)
        if found:
            break
    if found is None:
        raise BankFileError(path, "", "no header line of a known bank CSV layout "
                            "(Swedbank, Nordea, SEB, Länsförsäkringar)")
    layout, delimiter = found
    preamble = lines[:index]
    try:
        parsed = list(csv.reader(lines[index:], delimiter=delimiter))
    except csv.Error as exc:
        raise BankFileError(path, "", f"not readable as CSV: {exc}") from None
    header = [c.strip().strip('"').strip() for c in parsed[0]]
    records = [(index + n, r) for n, r in enumerate(parsed[1:], 2) if any(c.strip() for c in r)]
    return [statement_from_records(path, layout, header, records,
                                   ids_from_name(path) + ids_in_text(preamble))]


def statement_from_records(path: str, layout: Layout, header: list[str],
                           records: list[tuple[int, list[str]]],
                           ids: list[str]) -> Statement:
    """The statement of a table of rows (from a CSV file or an HTML table).

    Args:
        path: The file, for messages.
        layout: The bank's layout.
        header: The column names.
        records: ``(line number, cells)`` of each non-empty row after the header.
        ids: Account identifiers found around the table (file name, preamble).

    Raises:
        BankFileError: A bad date, amount, currency or running balance.
    """
    columns = {name: i for i, name in enumerate(header)}
    mark = _decimal_mark([v for _, r in records for c in (layout.amount, layout.balance)
                          if (v := _cell(r, columns, c)) is not None])
    rows = [_row(path, layout, columns, mark, line=line, row=r) for line, r in records]
    first = records[0][1] if records else []
    if layout.name == "swedbank" and first:
        clearing = _cell(first, columns, "Clearingnummer") or ""
        account = _cell(first, columns, "Kontonummer") or ""
        ids = [normalise_account_id(clearing + account), normalise_account_id(account), *ids]
    currency = (_cell(first, columns, layout.currency) if first else None) or "SEK"
    if not re.fullmatch(r"[A-Z]{3}", currency):
        raise BankFileError(path, f"line {records[0][0]}", f"{layout.currency}: not a "
                            f"currency code: {currency!r}")
    return _statement(path, layout, rows, tuple(dict.fromkeys(ids)), currency)


def ids_in_text(preamble: list[str]) -> list[str]:
    """Account-number-like runs of digits (7 or more, spaces and hyphens allowed)."""
    ids = []
    for line in preamble:
        for run in re.findall(r"\d[\d \-]*\d", line):
            ident = normalise_account_id(run)
            if len(ident) >= 7:
                ids.append(ident)
    return ids


def _cell(row: list[str], columns: dict[str, int], name: str | None) -> str | None:
    if name is None or name not in columns or columns[name] >= len(row):
        return None
    return row[columns[name]].strip() or None


def _row(path: str, layout: Layout, columns: dict[str, int], mark: str, *, line: int,
         row: list[str]) -> _Row:
    where = f"line {line}"
    raw_date = _cell(row, columns, layout.date) or ""
    date: datetime.date | None = None
    if raw_date.casefold() not in PENDING:
        try:
            date = datetime.date.fromisoformat(raw_date.replace("/", "-"))
        except ValueError:
            raise BankFileError(path, where, f"{layout.date}: not a date: "
                                f"{raw_date!r}") from None
    values: list[Decimal | None] = []
    for name in (layout.amount, layout.balance):
        raw = _cell(row, columns, name)
        if raw is None:
            if name == layout.amount:
                raise BankFileError(path, where, f"{name}: the amount is missing")
            values.append(None)
            continue
        try:
            values.append(parse_amount(raw, mark))
        except (ValueError, InvalidOperation):
            raise BankFileError(path, where, f"{name}: not an amount: {raw!r}") from None
    amount = values[0] if values[0] is not None else Decimal(0)
    other = _cell(row, columns, layout.receiver if amount < 0 else layout.sender)
    return _Row(line, date, amount, values[1], _cell(row, columns, layout.payee),
                _cell(row, columns, layout.message), _cell(row, columns, layout.ref),
                normalise_account_id(other) if other else None)


def _statement(path: str, layout: Layout, rows: list[_Row], ids: tuple[str, ...],
               currency: str) -> Statement:
    booked = [(r.date, r) for r in rows if r.date is not None]
    if len(booked) > 1 and booked[0][0] > booked[-1][0]:
        booked.reverse()  # newest first in the file
    balances = [(date, r, r.balance) for date, r in booked if r.balance is not None]
    opening = closing = None
    if booked and len(balances) == len(booked):
        previous: Decimal | None = None
        for _, row, balance in balances:
            if previous is not None and previous + row.amount != balance:
                raise BankFileError(path, f"line {row.line}", f"running balance "
                                    f"{balance} does not follow from the previous "
                                    f"balance {previous} and the amount {row.amount}")
            previous = balance
        first_date, first, first_balance = balances[0]
        last_date, _, last_balance = balances[-1]
        opening = StatementBalance(first_date, first_balance - first.amount)
        closing = StatementBalance(last_date, last_balance)
    seen: dict[tuple[object, ...], int] = {}
    txns = []
    for date, row in booked:
        key = (date, row.amount, row.balance, row.ref, row.payee)
        seen[key] = seen.get(key, 0) + 1
        parts = [str(p) for p in key if p is not None]
        ref = f"{layout.name}/" + "/".join(parts) + f"/{seen[key]}"
        leg = Leg(row.amount, row.payee, row.message, None, row.counterparty)
        txns.append(BankTxn(date, row.amount, ref, (leg,), where=f"line {row.line}"))
    pending = tuple(BankTxn(datetime.date.min, r.amount, f"pending/{r.line}",
                            (Leg(r.amount, r.payee, r.message),), where=f"line {r.line}")
                    for r in rows if r.date is None)
    return Statement(path, f"csv ({layout.name})", ids, currency, tuple(txns), opening,
                     closing, pending)


class BankCsvImporter(BankImporter):
    """CSV exports of Swedbank, Nordea, SEB and Länsförsäkringar."""

    kind: ClassVar[str] = "bankcsv"

    def sniff(self, filepath: str) -> bool:
        """Whether the file is a bank CSV in a known layout."""
        return sniff_bankcsv(filepath)

    def read(self, filepath: str) -> list[Statement]:
        """The file's one statement."""
        return read_bankcsv(filepath)
