"""Handelsbanken's account export: an ".xls" file that is really an HTML page.

The page (ISO-8859-1 unless it says otherwise) names the account as ``Konto: <number>``
above a table whose header row is ``Reskontradatum, Transaktionsdatum, Text, Belopp,
Saldo``; amounts are Swedish (``-1 234,50``). The table's rows are read like a bank CSV
(see :mod:`coopledger.importers.bankcsv`): booked in date order, the running balance
checked row by row and turned into the opening and closing balance assertions. Errors
name the line of the table row at fault.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from typing import ClassVar

from coopledger.bank.model import BankFileError, Statement
from coopledger.importers.bankcsv import Layout, ids_from_name, ids_in_text, statement_from_records
from coopledger.importers.base import BankImporter, read_bytes, read_head

LAYOUT = Layout("handelsbanken", ("Reskontradatum", "Transaktionsdatum", "Text", "Belopp",
                                  "Saldo"),
                "Reskontradatum", "Belopp", "Text", None, "Saldo")
ACCOUNT = re.compile(r"Konto:\s*([\d][\d \-]{5,}\d)")


def sniff_handelsbanken(path: str) -> bool:
    """Whether a file is an HTML page with Handelsbanken's transaction table."""
    head = read_head(path, 65536).lower()
    return b"<table" in head and b"reskontradatum" in head


class _Tables(HTMLParser):
    """Every table row of a page as (line, cell texts)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[tuple[int, list[str]]] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self._close_row()
            self._row = []
            self.rows.append((self.getpos()[0], self._row))
        elif tag in ("td", "th") and self._row is not None:
            self._close_cell()
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th"):
            self._close_cell()
        elif tag in ("tr", "table"):
            self._close_row()

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    def _close_cell(self) -> None:
        if self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
        self._cell = None

    def _close_row(self) -> None:
        self._close_cell()
        self._row = None


def _decode(path: str, raw: bytes) -> str:
    if b"\x00" in raw:
        raise BankFileError(path, "", "NUL byte: the file is binary, not Handelsbanken's "
                            "HTML export")
    declared = re.search(rb"charset=[\"']?([A-Za-z0-9_\-]+)", raw[:4096])
    encoding = declared.group(1).decode("ascii") if declared else "iso-8859-1"
    try:
        return raw.decode(encoding)
    except (LookupError, UnicodeDecodeError):
        return raw.decode("iso-8859-1")


def read_handelsbanken(path: str) -> list[Statement]:
    """Read Handelsbanken's HTML export.

    Raises:
        BankFileError: No transaction table, or a bad row (date, amount, balance).
    """
    text = _decode(path, read_bytes(path))
    parser = _Tables()
    parser.feed(text)
    parser.close()
    rows = parser.rows
    start = next((i for i, (_, cells) in enumerate(rows)
                  if all(name in cells for name in LAYOUT.header)), None)
    if start is None:
        raise BankFileError(path, "", "no table with the columns Reskontradatum, "
                            "Transaktionsdatum, Text, Belopp, Saldo")
    header = rows[start][1]
    records = []
    for line, cells in rows[start + 1:]:
        if len(cells) < len(header) or not any(cells):
            continue  # layout rows of the page, not transactions
        records.append((line, cells))
    found = ACCOUNT.search(html.unescape(text).replace("\xa0", " "))
    ids = ids_from_name(path) + (ids_in_text([found.group(1)]) if found else [])
    return [statement_from_records(path, LAYOUT, header, records, ids)]


class HandelsbankenImporter(BankImporter):
    """Handelsbanken's HTML-as-xls account export."""

    kind: ClassVar[str] = "handelsbanken"

    def sniff(self, filepath: str) -> bool:
        """Whether the file is Handelsbanken's export."""
        return sniff_handelsbanken(filepath)

    def read(self, filepath: str) -> list[Statement]:
        """The file's one statement."""
        return read_handelsbanken(filepath)
