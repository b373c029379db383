"""What the import kept of a SIE file beside the transactions, read back for the export.

The ``sie-dimension``, ``sie-object``, ``sie-header`` and ``sie-balance`` custom
directives (see :mod:`coopledger.sie.keys`) of the exported entities: dimensions and
objects, identification the entity declaration does not hold, and the old program's
object balances, period balances and budgets.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal

from beancount.core import data
from beancount.core.amount import Amount

from coopledger.books import Books
from coopledger.entities import Entity, entity_of
from coopledger.periods import Period
from coopledger.sie.keys import BALANCE, DIMENSION, HEADER, OBJECT, objects_of
from coopledger.sie.records import Balance, Dimension, ObjectRef

_KINDS = (DIMENSION, OBJECT, HEADER, BALANCE)


@dataclass
class _Stored:
    """One ``sie-balance`` directive: its kind, account, amount, day and objects."""

    kind: str
    account: str
    amount: Decimal
    quantity: Decimal | None
    period: str
    objects: tuple[ObjectRef, ...]
    day: datetime.date


@dataclass
class Kept:
    """The kept records of the exported entities."""

    dimensions: dict[int, Dimension] = field(default_factory=dict)
    objects: dict[ObjectRef, str] = field(default_factory=dict)
    header: dict[str, tuple[str, ...]] = field(default_factory=dict)
    stored: list[_Stored] = field(default_factory=list)

    @property
    def accounts(self) -> set[str]:
        """The accounts the kept balances name (they need a BAS number too)."""
        return {item.account for item in self.stored}

    def header_for(self, entity: Entity) -> dict[str, tuple[str, ...]]:
        """Identification to write: the kept records, but the entity's own name and number.

        ``#ORGNR`` keeps the file's spelling when it is the entity's number.
        """
        header = dict(self.header)
        header.pop("FNAMN", None)
        orgnr = header.get("ORGNR")
        if entity.orgnr and (not orgnr or _digits(orgnr[0]) != _digits(entity.orgnr)):
            header["ORGNR"] = (entity.orgnr,)
        return header

    def balances_in(self, bas_of: dict[str, str], this: Period,
                    last: Period | None) -> list[Balance]:
        """The kept balances dated in the exported years, numbered 0 and -1."""
        rows = []
        for item in self.stored:
            if item.kind in ("IB", "UB", "RES"):
                continue  # a quantity only: see with_quantities
            year = self._year(item, this, last)
            if year is not None:
                rows.append(Balance(item.kind, year, bas_of[item.account], item.amount,
                                    item.quantity, item.period, item.objects, 0))
        return rows

    def with_quantities(self, balances: list[Balance], bas_of: dict[str, str], this: Period,
                        last: Period | None) -> list[Balance]:
        """``#IB``/``#UB``/``#RES`` with the quantity the old program gave them."""
        quantities = {}
        for item in self.stored:
            year = self._year(item, this, last)
            if item.kind in ("IB", "UB", "RES") and year is not None:
                quantities[(item.kind, year, bas_of[item.account])] = item.quantity
        if not quantities:
            return balances
        return [replace(b, quantity=quantities.get((b.kind, b.year, b.account), b.quantity))
                for b in balances]

    @staticmethod
    def _year(item: _Stored, this: Period, last: Period | None) -> int | None:
        if item.day in this:
            return 0
        if last is not None and item.day in last:
            return -1
        return None


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


def _values(entry: data.Custom) -> list[object]:
    return [value.value for value in entry.values]


def kept_records(books: Books, codes: Iterable[str]) -> Kept:
    """The kept SIE records of the given entities.

    Args:
        books: The loaded books.
        codes: The exported entities.

    Returns:
        Their dimensions, objects, identification and kept balances.
    """
    wanted = set(codes)
    kept = Kept()
    for entry in books.entries:
        if not isinstance(entry, data.Custom) or entry.type not in _KINDS:
            continue
        values = _values(entry)
        if entry.type == BALANCE:
            _balance(kept, entry, values, wanted)
            continue
        if not values or values[0] not in wanted:
            continue
        if entry.type == DIMENSION and len(values) >= 3:
            parent = int(str(values[3])) if len(values) > 3 else None
            number = int(str(values[1]))
            kept.dimensions[number] = Dimension(number, str(values[2]), parent)
        elif entry.type == OBJECT and len(values) >= 4:
            kept.objects[(int(str(values[1])), str(values[2]))] = str(values[3])
        elif entry.type == HEADER and len(values) >= 2:
            kept.header[str(values[1])] = tuple(str(v) for v in values[2:])
    return kept


def _balance(kept: Kept, entry: data.Custom, values: list[object], wanted: set[str]) -> None:
    if len(values) < 3 or not isinstance(values[2], Amount):
        return
    account = str(values[1])
    if entity_of(account) not in wanted or values[2].number is None:
        return
    quantity = entry.meta.get("quantity")
    kept.stored.append(_Stored(
        str(values[0]), account, values[2].number,
        quantity if isinstance(quantity, Decimal) else None,
        str(entry.meta.get("period", "")), objects_of(entry.meta), entry.date))
