"""Two SIE files compared record by record: what a round trip kept, lost or added.

:func:`compare_sie` reduces each file to multisets of records, one per kind (``#VER`` with
its rows, ``#KONTO``, ``#SRU``, ``#DIM``, ``#IB`` ...), and lists every record found in one
file and not in the other. Order does not count where the format gives it no meaning (the
order of vouchers, of rows inside a voucher, of balance records, of the chart, of the
pairs in an object list).

Only the differences that :data:`TOLERATED` names are left out, each for a reason written
in docs/sie.md:

- identification the writer states itself: ``#FLAGGA``, ``#PROGRAM``, ``#FORMAT``,
  ``#GEN``, ``#KSUMMA`` (the new file is a new file, in CP437, with its own checksum);
- ``#KTYP``, ``#KONTO`` and ``#RAR`` that the first file left out: the export types and
  names every account it holds and states its years;
- balance records of zero (``#IB 0 1510 0.00``): a zero balance is no balance;
- a row date equal to its voucher's date: the spec gives a row without a date its
  voucher's date;
- text as the writer must hold it: a backslash becomes ``/``, a line break a space.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Hashable, Iterable
from dataclasses import replace
from decimal import Decimal

from coopledger.sie.records import Balance, Row, SieFile, Voucher
from coopledger.sie.writer import clean

#: The differences a round trip may show, each with the reason docs/sie.md gives.
TOLERATED = {
    "identification": "#FLAGGA, #PROGRAM, #FORMAT, #GEN and #KSUMMA describe the new file",
    "#KTYP added": "the export types every account (T, S, I, K) where the file did not",
    "#KONTO added": "the export declares every account it uses, also those the file did not",
    "#RAR added": "the export states the years it holds where the file did not",
    "#IB on 2091": "#IB that do not sum to zero hold an unbooked result; the books carry "
                   "it on 2091 in #IB and #UB, so that they balance",
    "#VALUTA SEK": "SEK is the currency the format assumes without #VALUTA",
    "zero balance": "a balance record of 0.00 without a quantity says nothing",
    "row date": "a #TRANS without a date has its voucher's date (SIE 4, #TRANS)",
    "text": "a backslash becomes / and a line break a space (SIE has no escape for them)",
}

RETAINED = "2091"
#: Header labels compared (the others are the new file's own identification).
COMPARED_HEADER = ("SIETYP", "FNR", "ORGNR", "FNAMN", "ADRESS", "BKOD", "FTYP", "TAXAR",
                   "OMFATTN", "KPTYP", "VALUTA", "PROSA")


def _objects(refs: Iterable[tuple[int, str]]) -> tuple[tuple[int, str], ...]:
    return tuple(sorted((dim, clean(code)) for dim, code in refs))


def _number(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.normalize()


def _row(row: Row, voucher_date: datetime.date) -> tuple[Hashable, ...]:
    date = None if row.date == voucher_date else row.date
    return (row.account, _objects(row.objects), _number(row.amount), date, clean(row.text),
            _number(row.quantity), clean(row.sign), row.added)


def _voucher(voucher: Voucher) -> tuple[Hashable, ...]:
    rows = tuple(sorted((_row(r, voucher.date) for r in voucher.rows), key=repr))
    removed = tuple(sorted((_row(r, voucher.date) for r in voucher.removed), key=repr))
    return (voucher.series, voucher.number, voucher.date, clean(voucher.text),
            voucher.registered, clean(voucher.sign), rows, removed)


def _balance(item: Balance) -> tuple[Hashable, ...] | None:
    if item.amount == 0 and not item.quantity:
        return None
    return (item.kind, item.year, item.period, item.account, _objects(item.objects),
            _number(item.amount), _number(item.quantity))


def records(sie: SieFile, *, other: SieFile | None = None) -> dict[str, Counter[Hashable]]:
    """The file's records as multisets, by kind.

    With ``other`` (the original file), what the tolerated additions cover is left out:
    ``#KTYP`` of accounts ``other`` does not type, ``#KONTO`` of accounts ``other`` used
    without declaring them, ``#RAR`` when ``other`` states no year.
    """
    kinds: dict[str, Counter[Hashable]] = {}

    def put(kind: str, items: Iterable[Hashable | None]) -> None:
        kinds[kind] = Counter(item for item in items if item is not None)

    def known(number: str) -> bool:
        return other is None or number in other.accounts

    def typed(number: str) -> bool:
        return other is None or (number in other.accounts and bool(other.accounts[number].kind))

    put("#VER", (_voucher(v) for v in sie.vouchers))
    put("#KONTO", ((n, clean(a.name)) for n, a in sie.accounts.items() if known(n)))
    put("#KTYP", ((n, a.kind) for n, a in sie.accounts.items() if a.kind and typed(n)))
    put("#ENHET", ((n, clean(a.unit)) for n, a in sie.accounts.items() if a.unit))
    put("#SRU", ((n, code) for n, a in sie.accounts.items() for code in a.sru))
    put("#DIM", ((d.number, clean(d.name), d.parent) for d in sie.dimensions.values()))
    put("#OBJEKT", ((dim, clean(code), clean(name))
                    for (dim, code), name in sie.objects.items()))
    for kind in ("IB", "UB", "RES", "OIB", "OUB", "PSALDO", "PBUDGET"):
        put(f"#{kind}", (_balance(b) for b in sie.balances if b.kind == kind))
    if other is None or other.years:
        put("#RAR", ((y, s, e) for y, (s, e) in sie.years.items()))
    put("header", ((label, tuple(clean(f) for f in sie.header[label]))
                   for label in COMPARED_HEADER if any(sie.header.get(label, ()))
                   and not (other is not None and label == "VALUTA" and sie.header[label]
                            == ("SEK",) and not any(other.header.get(label, ())))))
    return kinds


def _carried(sie: SieFile) -> SieFile:
    """The file with each year's unbalanced ``#IB`` carried on 2091, as the books must.

    ``#IB`` that do not sum to zero hold a result not yet booked to equity; the books
    balance, and the export carries that result on 2091 in ``#IB`` and ``#UB``.
    """
    balances = list(sie.balances)
    for year in sorted({b.year for b in balances if b.kind == "IB"}):
        off = sum((b.amount for b in balances if b.kind == "IB" and b.year == year),
                  Decimal(0))
        if not off:
            continue
        for kind in ("IB", "UB"):
            found = [b for b in balances if b.kind == kind and b.year == year
                     and b.account == RETAINED and not b.objects]
            amount = -off + sum((b.amount for b in found), Decimal(0))
            balances = [b for b in balances if b not in found]
            balances.append(Balance(kind, year, RETAINED, amount, None, "", (), 0))
    return replace(sie, balances=tuple(balances))


def compare_sie(original: SieFile, again: SieFile) -> list[str]:
    """Every record of one file missing from the other, one line each.

    Args:
        original: The file as first read.
        again: The file written after the round trip, as read back.

    Returns:
        Lines ``#VER missing: ...`` (in the original only) and ``#VER added: ...`` (in
        the new file only); empty when the files hold the same records.
    """
    first = records(_carried(original))
    second = records(again, other=original)
    lines: list[str] = []
    for kind in first.keys() | second.keys():
        have, want = second.get(kind, Counter()), first.get(kind, Counter())
        lines.extend(f"{kind} missing: {item}" for item in sorted(
            (want - have).elements(), key=repr))
        lines.extend(f"{kind} added: {item}" for item in sorted(
            (have - want).elements(), key=repr))
    return sorted(lines)
