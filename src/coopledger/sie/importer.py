"""A member's old books from another program (SIE 4) as Beancount text for one entity.

Accounts are opened as ``<Root>:<Entity>:<BAS>-<Name>`` with ``bas`` metadata, the name
from ``#KONTO`` (spaces and punctuation become hyphens: Beancount account components hold
letters, digits and hyphens only). The root comes from ``#KTYP`` (T Assets, S Liabilities
or, for 20xx, Equity, I Income, K Expenses) or else from the BAS class. ``#IB`` becomes one
opening transaction on the first day of the fiscal year; each voucher becomes one
transaction with its series and number kept (``sie-series``/``sie-number``, and ``ver``
when they fit coopledger's voucher ids), its rows' objects in ``sie-objects`` posting
metadata. Rows removed in the old program (``#BTRANS``) are not booked; added rows
(``#RTRANS``) are.

Finally the closing balances of what was written are compared with the file's ``#UB`` and
``#RES``; every difference is reported. A file with errors (an unbalanced voucher, a bad
account or date) is refused: nothing half-imported is ever written.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from coopledger.entities import CODE_PATTERN, validate_orgnr
from coopledger.errors import CoopException
from coopledger.periods import fiscal_year_of
from coopledger.sie.consistency import is_balance_account
from coopledger.sie.keys import (
    BALANCE,
    DIMENSION,
    ENTITY_KEY,
    HEADER,
    KEPT_HEADER,
    MOVEMENTS,
    OBJECT,
    OPENING,
    REMOVED_PREFIX,
    SOURCE,
    object_key,
)
from coopledger.sie.records import ObjectRef, Row, SieFile, Voucher

ZERO = Decimal(0)
RETAINED = "2091"
_SERIES = re.compile(r"^[A-Z][A-Z0-9]*$")
_NUMBER = re.compile(r"^\d{1,7}$")


@dataclass(frozen=True)
class Imported:
    """The Beancount text of an import and what the user should know about it.

    Attributes:
        text: The ledger text (accounts, opening balances, one transaction per voucher).
        warnings: Notes (skipped empty vouchers, removed rows, opening difference).
        differences: Accounts whose imported closing balance differs from ``#UB``/``#RES``.
    """

    text: str
    warnings: tuple[str, ...]
    differences: tuple[str, ...]


#: ``#KTYP`` to root; S is Equity for BAS 20xx.
_KTYP_ROOT = {"T": "Assets", "S": "Liabilities", "I": "Income", "K": "Expenses"}
#: BAS number prefix to root when ``#KTYP`` is absent (longest prefix first).
_CLASS_ROOT = (("20", "Equity"), ("80", "Income"), ("81", "Income"), ("82", "Income"),
               ("83", "Income"), ("1", "Assets"), ("2", "Liabilities"), ("3", "Income"))


def root_of(sie: SieFile, number: str) -> str:
    """The Beancount root for an account number (``#KTYP`` first, then the BAS class)."""
    account = sie.accounts.get(number)
    root = _KTYP_ROOT.get(account.kind if account is not None else "")
    if root == "Liabilities" and number.startswith("20"):
        return "Equity"
    if root is not None:
        return root
    return next((r for prefix, r in _CLASS_ROOT if number.startswith(prefix)), "Expenses")


def account_component(number: str, name: str) -> str:
    """``1930-Företagskonto``: the BAS number and the name, hyphenated.

    Letters (Latin, å, ä, ö, é ...) and digits stay; everything else becomes a hyphen, and
    runs of hyphens collapse, so the component is valid in Beancount.
    """
    chars = [c if (c.isalpha() and ord(c) < 0x250) or (c.isdigit() and c.isascii()) else "-"
             for c in name]
    cleaned = re.sub(r"-{2,}", "-", "".join(chars)).strip("-")
    return f"{number}-{cleaned}" if cleaned else number


def _string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def _sie_string(text: str) -> str:
    """A SIE field as written: quoted, ``\\"`` for a quote."""
    return '"' + text.replace('"', '\\"') + '"'


def _objects_text(refs: tuple[ObjectRef, ...]) -> str:
    return "{" + " ".join(f"{dim} {_sie_string(code)}" for dim, code in refs) + "}"


def _removed_row(row: Row) -> str:
    """A removed row as its ``#BTRANS`` record, kept in the voucher's metadata."""
    fields = ["#BTRANS", row.account, _objects_text(row.objects), f"{row.amount}",
              row.date.strftime("%Y%m%d") if row.date else '""', _sie_string(row.text),
              f"{row.quantity}" if row.quantity is not None else '""', _sie_string(row.sign)]
    return " ".join(fields)


def _object_meta(refs: tuple[ObjectRef, ...], indent: str, warnings: list[str],
                 where: str) -> list[str]:
    lines = []
    seen: set[int] = set()
    for dim, code in refs:
        if dim in seen:
            warnings.append(f"{where}: dimension {dim} is given twice in one object list; "
                            "the first object is kept")
            continue
        seen.add(dim)
        lines.append(f"{indent}{object_key(dim)}: {_string(code)}")
    return lines


@dataclass
class _Years:
    """The file's fiscal years, oldest first, as (relative number, first day, last day)."""

    spans: list[tuple[int, datetime.date, datetime.date]]

    @property
    def start_month(self) -> int:
        """The month regular years start in: the one after the last year ends."""
        return (self.spans[-1][2] + datetime.timedelta(days=1)).month


def _years(sie: SieFile) -> _Years:
    """``#RAR`` years, or, without them, the calendar years of the vouchers."""
    if sie.years:
        return _Years(sorted((y, s, e) for y, (s, e) in sie.years.items()))
    dates = [v.date for v in sie.vouchers]
    if not dates:
        raise CoopException("the SIE file has no #RAR and no vouchers: no date to start "
                            "the books on")
    first, last = min(dates).year, max(dates).year
    return _Years([(year - last, datetime.date(year, 1, 1), datetime.date(year, 12, 31))
                   for year in range(first, last + 1)])


def _check_content(sie: SieFile) -> None:
    """A file with nothing to import is an error: truncated, or not what it claims."""
    main = [b for b in sie.balances if b.kind in ("IB", "UB", "RES")]
    if not sie.vouchers and not main:
        what = "no #VER (a SIE 4 file holds vouchers)" if sie.sie_type == "4" else \
            "no #IB, #UB or #RES"
        raise CoopException(f"the SIE file has {what}: nothing to import (truncated?)")


def import_sie(sie: SieFile, code: str, *, currency: str = "SEK", declare: bool = False,
               existing: Mapping[str, str] | None = None) -> Imported:
    """Turn a SIE file into Beancount text for one entity.

    Args:
        sie: The file as read (it must have no errors).
        code: The entity code whose account tree receives the books.
        currency: The currency of the amounts.
        declare: Also write the entity's ``coop-entity`` declaration (as a member, from
            ``#FNAMN``, ``#ORGNR`` and the fiscal years of ``#RAR``).
        existing: BAS number to the account the entity already has for it (from its
            ``open`` directives); those accounts are used and not opened again.

    Returns:
        The text, warnings, and differences between the file's vouchers and its
        ``#UB``/``#RES``.

    Raises:
        CoopException: The file has errors or nothing to import, the code is not an
            entity code, or the file has neither a fiscal year nor vouchers.
    """
    if not CODE_PATTERN.match(code):
        raise CoopException(f"entity code {code!r} must be a capital letter, then ASCII "
                            "letters and digits")
    if sie.errors:
        shown = "; ".join(str(p) for p in sie.errors[:3])
        more = f" (and {len(sie.errors) - 3} more)" if len(sie.errors) > 3 else ""
        raise CoopException(f"the SIE file has {len(sie.errors)} error(s), nothing imported: "
                            f"{shown}{more}")
    _check_content(sie)
    years = _years(sie)
    first_day = min([years.spans[0][1], *(v.date for v in sie.vouchers)])
    used = set(sie.accounts) | {b.account for b in sie.balances} | {
        r.account for v in sie.vouchers for r in (*v.rows, *v.removed)}
    used.add(RETAINED)
    names = {n: root_of(sie, n) + f":{code}:" + account_component(
        n, sie.accounts[n].name if n in sie.accounts else "") for n in sorted(used)}
    if RETAINED not in sie.accounts:
        names[RETAINED] = f"Equity:{code}:{RETAINED}-Balanserad-vinst-eller-förlust"
    known = dict(existing or {})
    names.update({n: known[n] for n in names if n in known})

    warnings: list[str] = []
    out: list[str] = []
    if declare:
        out.extend(_declaration(sie, code, first_day, years, warnings))
    out.extend(_chart(sie, code, names, known, first_day, currency))
    out.append("")
    ledger = _Ledger(sie, names, currency, warnings)
    balance_entries = ledger.entries(years)
    out.extend(balance_entries.before)
    out.extend(_vouchers(sie, code, names, currency=currency, years=years,
                         warnings=warnings))
    out.extend(balance_entries.after)
    out.extend(_kept_balances(sie, names, years, currency, warnings))
    return Imported("\n".join(out).rstrip("\n") + "\n", tuple(warnings),
                    tuple(ledger.differences))


def _chart(sie: SieFile, code: str, names: dict[str, str], known: Mapping[str, str],
           day: datetime.date, currency: str) -> list[str]:
    """``open`` directives with the chart's data, dimensions, objects, identification."""
    out: list[str] = []
    for number, account in names.items():
        if number in known:
            continue
        lines = [f"{day} open {account} {currency}", f'  bas: "{number}"']
        record = sie.accounts.get(number)
        if record is not None:
            lines.append(f"  name: {_string(record.name)}")
            if record.kind:
                lines.append(f"  ktyp: {_string(record.kind)}")
            if record.unit:
                lines.append(f"  unit: {_string(record.unit)}")
            if record.sru:
                lines.append(f"  sru: {_string(' '.join(record.sru))}")
        out.append("\n".join(lines))
    for dim_number, dim in sorted(sie.dimensions.items()):
        parent = f" {dim.parent}" if dim.parent is not None else ""
        out.append(f'{day} custom "{DIMENSION}" "{code}" {dim_number} {_string(dim.name)}'
                   f"{parent}")
    for (dim_number, obj), name in sorted(sie.objects.items()):
        out.append(f'{day} custom "{OBJECT}" "{code}" {dim_number} {_string(obj)} '
                   f"{_string(name)}")
    for label in KEPT_HEADER:
        values = sie.header.get(label)
        if values:
            shown = " ".join(_string(v) for v in values)
            out.append(f'{day} custom "{HEADER}" "{code}" "{label}" {shown}')
    return out


@dataclass
class _Entries:
    before: list[str]
    after: list[str]


class _Ledger:
    """The opening and movement entries that give the file's balances, year by year.

    The books keep a year's result in its Income and Expenses accounts; the export carries
    the results of the years before a year on 2091 in its ``#IB``. So the opening entry of
    a year books, per balance account, the file's ``#IB`` less what the books hold then,
    and on 2091 also less the results of the earlier years. A year whose movements the file
    gives only as ``#UB``/``#RES`` (a previous year; a SIE 1-3 file) gets one entry on its
    last day with them, less its vouchers. In a current year with vouchers, such an entry
    books the difference between the vouchers and the file's balances, and is reported.
    """

    def __init__(self, sie: SieFile, names: dict[str, str], currency: str,
                 warnings: list[str]) -> None:
        self.sie = sie
        self.names = names
        self.currency = currency
        self.warnings = warnings
        self.balance: defaultdict[str, Decimal] = defaultdict(Decimal)
        self.results = ZERO
        # What opening balances that did not sum to zero put on 2091 (a result the old
        # program had not booked): the file's own 2091 is that much more.
        self.unbooked = ZERO
        self.differences: list[str] = []

    def _post(self, number: str, amount: Decimal) -> None:
        if is_balance_account(self.sie, number):
            self.balance[number] += amount
        else:
            self.results += amount

    def entries(self, years: _Years) -> _Entries:
        sie = self.sie
        vouchers = sorted(sie.vouchers, key=lambda v: v.date)
        index = 0
        before: list[str] = []
        after: list[str] = []
        for year, start, end in years.spans:
            while index < len(vouchers) and vouchers[index].date < start:
                self._add_voucher(vouchers[index])
                index += 1
            target = before if year == years.spans[0][0] else after
            # The results of the years before, which the export carries on 2091.
            carried = self.results
            if any(b.kind == "IB" and b.year == year for b in sie.balances):
                target.append(self._opening(year, start))
            moves: defaultdict[str, Decimal] = defaultdict(Decimal)
            counted = 0
            while index < len(vouchers) and vouchers[index].date <= end:
                self._add_voucher(vouchers[index], moves)
                index += 1
                counted += 1
            declared = {**sie.balances_of("RES", year), **sie.balances_of("UB", year)}
            if declared:
                entry = self._movements(year, end, declared, moves, counted, carried)
                if entry:
                    after.append(entry)
        for voucher in vouchers[index:]:
            self._add_voucher(voucher)
        return _Entries(before, after)

    def _add_voucher(self, voucher: Voucher,
                     moves: defaultdict[str, Decimal] | None = None) -> None:
        for row in voucher.rows:
            self._post(row.account, row.amount)
            if moves is not None:
                moves[row.account] += row.amount

    def _entry(self, day: datetime.date, text: str, source: str,
               amounts: dict[str, Decimal], what: str) -> str:
        amounts = {n: a for n, a in amounts.items() if a}
        off = sum(amounts.values(), ZERO)
        if off:
            self.warnings.append(f"{what} sum to {off}, not zero; the difference is booked "
                                 f"on {RETAINED}")
            amounts[RETAINED] = amounts.get(RETAINED, ZERO) - off
            amounts = {n: a for n, a in amounts.items() if a}
            if source == OPENING:
                self.unbooked += off
        lines = [f"{day} * {_string(text)}", f'  {SOURCE}: "{source}"']
        for number, amount in sorted(amounts.items()):
            lines.append(f"  {self.names[number]}  {amount} {self.currency}")
            self._post(number, amount)
        return "\n".join(lines) + "\n" if amounts else ""

    def _opening(self, year: int, start: datetime.date) -> str:
        wanted = {a: v for a, v in self.sie.balances_of("IB", year).items()
                  if is_balance_account(self.sie, a)}
        amounts: dict[str, Decimal] = {}
        for number in set(wanted) | set(self.balance) | {RETAINED}:
            have = self.balance.get(number, ZERO)
            if number == RETAINED:
                have += self.results
            amounts[number] = wanted.get(number, ZERO) - have
        return self._entry(start, "Ingående balans", OPENING, amounts,
                           f"the opening balances (#IB {year})")

    def _movements(self, year: int, end: datetime.date, declared: dict[str, Decimal],
                   moves: dict[str, Decimal], counted: int, carried: Decimal) -> str:
        amounts: dict[str, Decimal] = {}
        for number in set(declared) | set(moves) | {RETAINED} | {
                n for n in self.balance if is_balance_account(self.sie, n)}:
            if number not in declared and not is_balance_account(self.sie, number):
                continue
            if is_balance_account(self.sie, number):
                have = self.balance.get(number, ZERO) + (
                    carried + self.unbooked if number == RETAINED else ZERO)
                amounts[number] = declared.get(number, ZERO) - have
            else:
                amounts[number] = declared.get(number, ZERO) - moves.get(number, ZERO)
        if counted:
            for number, amount in sorted(amounts.items()):
                if amount:
                    kind = "#UB" if is_balance_account(self.sie, number) else "#RES"
                    self.differences.append(
                        f"account {number}: the file's {kind} {year} is "
                        f"{declared.get(number, ZERO)}, its vouchers give "
                        f"{declared.get(number, ZERO) - amount} (difference {amount}, "
                        "booked as a movement of its own)")
        text = ("Skillnad mot filens saldon" if counted else "Årets rörelser enligt saldon")
        return self._entry(end, text, MOVEMENTS, amounts,
                           f"the movements of year {year} (#UB/#RES less vouchers)")


def _declaration(sie: SieFile, code: str, day: datetime.date, years: _Years,
                 warnings: list[str]) -> list[str]:
    lines = [f'{day} custom "coop-entity" "{code}"',
             f"  name: {_string(sie.first('FNAMN') or code)}", '  kind: "member"']
    orgnr = sie.first("ORGNR")
    if orgnr:
        try:
            lines.append(f'  orgnr: "{validate_orgnr(orgnr)}"')
        except ValueError as exc:
            warnings.append(f"#ORGNR left out of the declaration: {exc}")
    month = years.start_month
    if month != 1:
        lines.append(f"  fiscal-year-start: {month}")
    for number, (_, start, end) in enumerate(years.spans):
        regular = (start.day == 1 and start.month == month
                   and end == start + relativedelta(years=1, days=-1))
        if regular:
            continue
        if number == 0 and start == day and end < start + relativedelta(months=18):
            lines.append(f"  first-year-end: {end}")
        else:
            warnings.append(f"the fiscal year {start} - {end} is neither twelve months nor "
                            "a first year of at most eighteen; declare the entity's years "
                            "by hand")
    return ["\n".join(lines), ""]


def _vouchers(sie: SieFile, code: str, names: dict[str, str], *, currency: str,
              years: _Years, warnings: list[str]) -> list[str]:
    out: list[str] = []
    seen: set[tuple[str, str]] = set()
    removed = 0
    for voucher in sie.vouchers:
        removed += len(voucher.removed)
        where = f"voucher {voucher.series} {voucher.number}"
        lines = [f"{voucher.date} * {_string(voucher.text)}"]
        key = (voucher.series, voucher.number)
        if (_SERIES.match(voucher.series) and _NUMBER.match(voucher.number)
                and key not in seen):
            # The year in the id follows the voucher numbering's rule (close/numbering).
            fy = fiscal_year_of(voucher.date, years.start_month).start.year
            lines.append(f'  ver: "{code}:{voucher.series}-{fy}-{int(voucher.number):04d}"')
        seen.add(key)
        lines.append(f"  sie-series: {_string(voucher.series)}")
        lines.append(f"  sie-number: {_string(voucher.number)}")
        if not voucher.rows:
            lines.append(f'  {ENTITY_KEY}: "{code}"')
        if voucher.registered is not None:
            lines.append(f"  sie-registered: {voucher.registered}")
        if voucher.sign:
            lines.append(f"  sie-sign: {_string(voucher.sign)}")
        for number, row in enumerate(voucher.removed, 1):
            lines.append(f"  {REMOVED_PREFIX}{number}: {_string(_removed_row(row))}")
        for row in voucher.rows:
            lines.append(f"  {names[row.account]}  {row.amount} {currency}")
            lines.extend(_row_meta(row, voucher.date, warnings, where))
        out.append("\n".join(lines) + "\n")
    if removed:
        warnings.append(f"{removed} row(s) removed in the old program (#BTRANS) are kept "
                        "in their voucher's metadata, not booked")
    return out


def _row_meta(row: Row, day: datetime.date, warnings: list[str], where: str) -> list[str]:
    """A row's posting metadata: its objects, text, own date, quantity, signature."""
    lines = _object_meta(row.objects, "    ", warnings, where)
    if row.text:
        lines.append(f"    sie-text: {_string(row.text)}")
    if row.date is not None and row.date != day:
        lines.append(f"    sie-date: {row.date}")
    if row.quantity is not None:
        lines.append(f"    sie-quantity: {row.quantity}")
    if row.sign:
        lines.append(f"    sie-sign: {_string(row.sign)}")
    if row.added:
        lines.append("    sie-added: TRUE")
    return lines


def _kept_balances(sie: SieFile, names: dict[str, str], years: _Years, currency: str,
                   warnings: list[str]) -> list[str]:
    """``#OIB``/``#OUB``/``#PSALDO``/``#PBUDGET`` as ``sie-balance`` directives.

    Also ``#IB``/``#UB``/``#RES`` that carry a quantity: the entries give the amount, the
    directive keeps the quantity for the export.
    """
    spans = {year: (start, end) for year, start, end in years.spans}
    out: list[str] = []
    for item in sie.balances:
        if item.kind in ("IB", "UB", "RES") and item.quantity is None:
            continue  # the opening and movement entries give these
        span = spans.get(item.year)
        if span is None:
            warnings.append(f"line {item.line}: #{item.kind} of year {item.year}, which "
                            "#RAR does not give, is skipped")
            continue
        # Dated in the year the record names (a period may lie outside it).
        day = span[0] if item.kind in ("OIB", "IB") else span[1]
        lines = [f'{day} custom "{BALANCE}" "{item.kind}" {names[item.account]} '
                 f"{item.amount} {currency}"]
        if item.period:
            lines.append(f'  period: "{item.period}"')
        lines.extend(_object_meta(item.objects, "  ", warnings, f"line {item.line}"))
        if item.quantity is not None:
            lines.append(f"  quantity: {item.quantity}")
        out.append("\n".join(lines))
    if out:
        out.append("")
    return out
