"""Handlers for the SIE labels outside vouchers: identification, chart, balances, checksum.

:class:`Labels` collects what these records say (``#FNAMN``, ``#RAR``, ``#KONTO`` and its
``#KTYP``/``#ENHET``/``#SRU``, ``#DIM``/``#UNDERDIM``/``#OBJEKT``, the balance records
and ``#KSUMMA``) and reports bad values through the reader's :class:`Context`.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from coopledger.sie.checksum import Checksum
from coopledger.sie.records import Account, Balance, Dimension, ObjectRef
from coopledger.sie.tokens import Record
from coopledger.sie.values import DATE, NUMBER, Context, text_field

HEADER_LABELS = frozenset({
    "FLAGGA", "PROGRAM", "FORMAT", "GEN", "SIETYP", "PROSA", "FTYP", "FNR", "ORGNR", "BKOD",
    "ADRESS", "FNAMN", "TAXAR", "OMFATTN", "KPTYP", "VALUTA"})
#: Identification records of one text field, which some programs write unquoted.
ONE_TEXT_LABELS = frozenset({"FNAMN", "PROSA", "BKOD"})
BALANCE_LABELS = frozenset({"#IB", "#UB", "#RES", "#OIB", "#OUB", "#PSALDO", "#PBUDGET"})


@dataclass
class _Draft:
    """An account while its records are read (``#KONTO`` may come after ``#KTYP``)."""

    name: str = ""
    kind: str = ""
    unit: str = ""
    sru: list[str] = field(default_factory=list)


class Labels:
    """What the non-voucher records of one file say."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.header: dict[str, tuple[str, ...]] = {}
        self.years: dict[int, tuple[datetime.date, datetime.date]] = {}
        self.accounts: dict[str, _Draft] = {}
        self.dimensions: dict[int, Dimension] = {}
        self.objects: dict[ObjectRef, str] = {}
        self.balances: list[Balance] = []
        self.checksum: Checksum | None = None
        self.checksum_result: tuple[int, int] | None = None
        self.checksum_closed = False
        #: Labels read but not used (not in the SIE 4 spec), with their count.
        self.skipped: dict[str, int] = {}

    def handlers(self) -> dict[str, Callable[[Record], None]]:
        """Label to handler, for the labels this class reads."""
        handlers: dict[str, Callable[[Record], None]] = {
            "#RAR": self._rar, "#KONTO": self._konto, "#KTYP": self._ktyp,
            "#ENHET": self._enhet, "#SRU": self._sru, "#DIM": self._dim,
            "#UNDERDIM": self._dim, "#OBJEKT": self._objekt, "#KSUMMA": self._ksumma,
            "#SIETYP": self._sietyp, "#GEN": self._gen,
        }
        for label in BALANCE_LABELS:
            handlers[label] = self._balance
        return handlers

    def account_records(self) -> dict[str, Account]:
        """The accounts read, as frozen records."""
        return {number: Account(number, a.name, a.kind, a.unit, tuple(a.sru))
                for number, a in self.accounts.items()}

    def other(self, record: Record) -> None:
        """A label without a handler: keep identification records, ignore the rest."""
        label = record.label[1:].upper()
        if label in HEADER_LABELS:
            fields = tuple(f for f in record.fields if isinstance(f, str))
            if label in ONE_TEXT_LABELS and len(fields) > 1:
                # ``#FNAMN Övningsbolaget AB`` without quotes: one name, not its first word.
                self.ctx.warn(f"#{label} has {len(fields)} fields (a name with spaces not "
                              "quoted?); read as one text")
                fields = (" ".join(fields),)
            self.header.setdefault(label, fields)
        else:
            self.skipped[record.label] = self.skipped.get(record.label, 0) + 1

    def _balance(self, record: Record) -> None:
        label = record.label.upper()
        if label == "#PBUDGET":
            # Budgets are no part of the books: a malformed one is skipped, not fatal.
            self.ctx.skipping = label
            try:
                self._read_balance(label, record)
            finally:
                self.ctx.skipping = ""
            return
        self._read_balance(label, record)

    def _read_balance(self, label: str, record: Record) -> None:
        fields = record.fields
        year = self.ctx.year(text_field(fields, 0))
        period = ""
        index = 1
        if label in ("#PSALDO", "#PBUDGET"):
            period = text_field(fields, 1)
            if not re.match(r"\d{6}$", period):
                self.ctx.error(f"{label} period {period!r} is not YYYYMM")
                return
            index = 2
        account = text_field(fields, index)
        if year is None or not self.ctx.account(account):
            return
        objects: tuple[ObjectRef, ...] = ()
        if index + 1 < len(fields) and isinstance(fields[index + 1], tuple):
            objects = self.ctx.object_list(fields[index + 1])
            index += 1
        elif label in ("#OIB", "#OUB"):
            self.ctx.error(f"{label} needs an object list {{dimension object}}")
            return
        amount = self.ctx.amount(text_field(fields, index + 1), f"{label} amount")
        if amount is None:
            return
        quantity = self.ctx.optional_amount(text_field(fields, index + 2), f"{label} quantity")
        self.balances.append(Balance(label[1:], year, account, amount, quantity, period,
                                     objects, self.ctx.line))

    def _account_entry(self, number: str) -> _Draft | None:
        if not self.ctx.account(number):
            return None
        return self.accounts.setdefault(number, _Draft())

    def _konto(self, record: Record) -> None:
        entry = self._account_entry(text_field(record.fields, 0))
        if entry is not None:
            entry.name = text_field(record.fields, 1)

    def _ktyp(self, record: Record) -> None:
        kind = text_field(record.fields, 1).upper()
        if kind not in ("T", "S", "K", "I"):
            self.ctx.warn(f"#KTYP {kind!r} is not T, S, K or I")
        entry = self._account_entry(text_field(record.fields, 0))
        if entry is not None:
            entry.kind = kind

    def _enhet(self, record: Record) -> None:
        entry = self._account_entry(text_field(record.fields, 0))
        if entry is not None:
            entry.unit = text_field(record.fields, 1)

    def _sru(self, record: Record) -> None:
        entry = self._account_entry(text_field(record.fields, 0))
        if entry is not None:
            entry.sru.append(text_field(record.fields, 1))

    def _dim(self, record: Record) -> None:
        text = text_field(record.fields, 0)
        if not NUMBER.match(text):
            self.ctx.error(f"{record.label} dimension {text!r} is not a number")
            return
        underdim = record.label.upper() == "#UNDERDIM"
        parent_text = text_field(record.fields, 2) if underdim else ""
        parent = int(parent_text) if NUMBER.match(parent_text) else None
        self.dimensions[int(text)] = Dimension(int(text), text_field(record.fields, 1), parent)

    def _objekt(self, record: Record) -> None:
        text = text_field(record.fields, 0)
        if not NUMBER.match(text):
            self.ctx.error(f"#OBJEKT dimension {text!r} is not a number")
            return
        self.objects[(int(text), text_field(record.fields, 1))] = text_field(record.fields, 2)

    def _rar(self, record: Record) -> None:
        if not text_field(record.fields, 1) and not text_field(record.fields, 2):
            self.ctx.warn("#RAR without dates is ignored")
            return
        year = self.ctx.year(text_field(record.fields, 0))
        start = self.ctx.date(text_field(record.fields, 1), "#RAR start")
        end = self.ctx.date(text_field(record.fields, 2), "#RAR end")
        if year is None or start is None or end is None:
            return
        if end < start:
            self.ctx.error(f"#RAR {year}: the year ends ({end}) before it starts ({start})")
            return
        self.years[year] = (start, end)

    def _sietyp(self, record: Record) -> None:
        value = text_field(record.fields, 0)
        if value not in ("1", "2", "3", "4"):
            self.ctx.warn(f"#SIETYP {value!r} is not 1, 2, 3 or 4")
        self.header.setdefault("SIETYP", (value,))

    def _gen(self, record: Record) -> None:
        fields = tuple(f for f in record.fields if isinstance(f, str))
        if fields and not DATE.match(fields[0]):
            self.ctx.warn(f"#GEN date {fields[0]!r} is not YYYYMMDD")
        self.header.setdefault("GEN", fields)

    def _ksumma(self, record: Record) -> None:
        value = text_field(record.fields, 0)
        if self.checksum is None:
            if self.checksum_closed:
                self.ctx.warn("a second #KSUMMA block is ignored")
            elif value:
                self.ctx.warn("#KSUMMA with a sum but no opening #KSUMMA before it; not verified")
            else:
                self.checksum = Checksum()
            return
        computed = self.checksum.value
        self.checksum = None
        self.checksum_closed = True
        if not NUMBER.match(value):
            self.ctx.error(f"closing #KSUMMA {value!r} is not a number")
            return
        declared = int(value)
        self.checksum_result = (declared, computed)
        if declared != computed:
            self.ctx.error(f"#KSUMMA {declared} does not match the records (computed {computed}): "
                       "the file was changed after it was written")
