"""Typed, frozen records of a SIE file, as the reader returns them.

Amounts are :class:`~decimal.Decimal` with the file's sign (debit positive, credit
negative, as in Beancount); dates are :class:`datetime.date`; account numbers and object
codes stay strings. Year numbers are SIE's relative years: 0 is the file's current fiscal
year, -1 the one before (``#RAR``).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType

#: An object reference on a row or balance: (dimension number, object code).
ObjectRef = tuple[int, str]


class Severity(StrEnum):
    """How bad a problem is: an error makes the data untrustworthy, a warning does not."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong or odd in a SIE file, at a line (0: the file as a whole)."""

    severity: Severity
    line: int
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line else ""
        return f"{where}{self.message}"


@dataclass(frozen=True, slots=True)
class Account:
    """An account from ``#KONTO`` with ``#KTYP``, ``#ENHET`` and ``#SRU``."""

    number: str
    name: str = ""
    kind: str = ""
    unit: str = ""
    sru: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Dimension:
    """A dimension from ``#DIM`` (or ``#UNDERDIM``, which names its parent)."""

    number: int
    name: str
    parent: int | None = None


@dataclass(frozen=True, slots=True)
class Row:
    """One row of a voucher (``#TRANS``, ``#RTRANS`` or ``#BTRANS``).

    Attributes:
        account: The account number.
        objects: Object references, e.g. ``((1, "7"), (6, "P1"))``.
        amount: Debit positive, credit negative.
        date: The row's own date, if given.
        text: The row's text.
        quantity: The quantity, if given.
        sign: Who registered the row.
        line: The line in the file.
        added: ``#RTRANS``: a row added after the voucher was first registered.
    """

    account: str
    objects: tuple[ObjectRef, ...]
    amount: Decimal
    date: datetime.date | None
    text: str
    quantity: Decimal | None
    sign: str
    line: int
    added: bool = False


@dataclass(frozen=True, slots=True)
class Voucher:
    """A voucher (``#VER``) with the rows that count and the rows removed.

    Attributes:
        series: The series (``A``; may be empty).
        number: The number as written (may be empty in a 4I file).
        date: The voucher date.
        text: The voucher text.
        registered: The registration date, if given.
        sign: Who registered it.
        rows: The rows that count: ``#TRANS`` and ``#RTRANS``, without the ``#TRANS`` copy
            that follows each ``#RTRANS`` for older readers.
        removed: ``#BTRANS`` rows: removed later, kept for the audit trail, not counted.
        line: The line of ``#VER``.
    """

    series: str
    number: str
    date: datetime.date
    text: str
    registered: datetime.date | None
    sign: str
    rows: tuple[Row, ...]
    removed: tuple[Row, ...]
    line: int

    @property
    def total(self) -> Decimal:
        """The sum of the rows that count (zero in a balanced voucher)."""
        return sum((row.amount for row in self.rows), Decimal(0))


@dataclass(frozen=True, slots=True)
class Balance:
    """A balance record: ``#IB``, ``#UB``, ``#RES``, ``#OIB``, ``#OUB``, ``#PSALDO``, ``#PBUDGET``.

    Attributes:
        kind: The label without ``#`` (``IB``).
        year: The relative year (0 current, -1 previous).
        account: The account number.
        amount: The balance or amount.
        quantity: The quantity, if given.
        period: ``YYYYMM`` for ``#PSALDO``/``#PBUDGET``, else empty.
        objects: Object references for object balances.
        line: The line in the file.
    """

    kind: str
    year: int
    account: str
    amount: Decimal
    quantity: Decimal | None
    period: str
    objects: tuple[ObjectRef, ...]
    line: int


def _empty() -> Mapping[str, Account]:
    return MappingProxyType({})


@dataclass(frozen=True)
class SieFile:
    """Everything read from one SIE file.

    Attributes:
        sie_type: ``#SIETYP`` (``1``, ``2``, ``3`` or ``4``); 4E or 4I is :attr:`kind`.
        kind: ``1``, ``2``, ``3``, ``4E`` or ``4I`` (4I: a 4 file without balances).
        encoding: The encoding the file was read in (``ascii``, ``utf-8``, ``cp437``,
            ``latin-1``, or ``cp437+latin-1`` for a file that mixes them).
        header: The single-valued identification records, label without ``#`` to fields
            (``FNAMN``, ``ORGNR``, ``FTYP``, ``PROGRAM``, ``GEN``, ``FORMAT`` ...).
        years: ``#RAR``: relative year to (first day, last day).
        accounts: Accounts by number.
        dimensions: Dimensions by number.
        objects: ``#OBJEKT`` names by (dimension, code).
        balances: Every balance record, in file order.
        vouchers: Every voucher, in file order.
        checksum: (declared, computed) when the file carries a ``#KSUMMA``.
        problems: Errors and warnings, in line order.
    """

    sie_type: str
    kind: str
    encoding: str
    header: Mapping[str, tuple[str, ...]]
    years: Mapping[int, tuple[datetime.date, datetime.date]]
    accounts: Mapping[str, Account] = field(default_factory=_empty)
    dimensions: Mapping[int, Dimension] = field(default_factory=dict)
    objects: Mapping[ObjectRef, str] = field(default_factory=dict)
    balances: tuple[Balance, ...] = ()
    vouchers: tuple[Voucher, ...] = ()
    checksum: tuple[int, int] | None = None
    problems: tuple[Problem, ...] = ()

    @property
    def errors(self) -> list[Problem]:
        """The problems of error severity."""
        return [p for p in self.problems if p.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        """The problems of warning severity."""
        return [p for p in self.problems if p.severity is Severity.WARNING]

    def first(self, label: str, default: str = "") -> str:
        """The first field of a header record (``first("FNAMN")``), or ``default``."""
        values = self.header.get(label)
        return values[0] if values else default

    def balances_of(self, kind: str, year: int = 0) -> dict[str, Decimal]:
        """Account to amount for one kind of balance (``IB``, ``UB``, ``RES``) and year.

        Object balances (``OIB``/``OUB``) and period balances are not summed here.
        """
        totals: dict[str, Decimal] = {}
        for item in self.balances:
            if item.kind == kind and item.year == year:
                totals[item.account] = totals.get(item.account, Decimal(0)) + item.amount
        return totals
