"""The books of one entity and fiscal year as a SIE 4 file.

Accounts map to BAS numbers through the ``bas`` metadata on their ``open`` directives
(several accounts with the same number are summed into one ``#KONTO``); an account used
in the exported years without a BAS number is an error that lists every such account,
unless a fallback number is given. Fiscal year N is the one that starts in N in the
entity's ``fiscal_year_start`` month; ``#RAR 0`` is that year, ``#RAR -1`` the one before.

Balances: ``#IB``/``#UB`` for balance-sheet accounts (BAS classes 1-2), ``#RES`` for
result accounts, for both years. A ledger keeps past results in its Income and Expenses
accounts until it books them to equity; in the file, the results of the years before each
year are carried on 2091 (Balanserad vinst eller förlust), so that every year's ``#IB``
sums to zero and ``#IB`` plus the vouchers gives ``#UB`` for every account.

Vouchers: one per transaction of the year, numbered from the transaction's voucher id for
the entity (``ver`` metadata), or for books imported from SIE from the old program's
series and number (``sie-series``/``sie-number``). Transactions without one (books not
yet closed) are numbered in date order in series A after the highest number already used;
the export says so.

Umbrella as one legal entity (``consolidated=True``): the umbrella's and every member's
accounts are merged by BAS number and each row carries its entity as an object of
dimension 1 (resultatenhet), so the auditor sees one set of books with a result per
member. Clearing accounts between these entities (BAS 1660) net out; the fund is a legal
entity of its own and stays outside.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from beancount.core import data

from coopledger import __version__
from coopledger.books import YEAR_END_TAG, Books
from coopledger.chart import YEAR_RESULT
from coopledger.clearing import CLEARING_BAS, clearing_counterparty
from coopledger.collector import paused_if_allowed
from coopledger.entities import Entity, EntityKind, entity_of
from coopledger.errors import CoopException
from coopledger.periods import Period
from coopledger.sie.kept import kept_records
from coopledger.sie.keys import ENTITY_KEY, MOVEMENTS, OPENING, REMOVED_PREFIX, SOURCE, objects_of
from coopledger.sie.records import Account, Balance, Dimension, ObjectRef, Row, SieFile, Voucher
from coopledger.sie.writer import WriteError, render_sie
from coopledger.vouchers import voucher_ids

ZERO = Decimal(0)
ORE = Decimal("0.01")
RETAINED = "2091"
RETAINED_NAME = "Balanserad vinst eller förlust"
_BAS = re.compile(r"^\d{1,10}$")
_KTYP = {"Assets": "T", "Liabilities": "S", "Equity": "S", "Income": "I", "Expenses": "K"}


@dataclass(frozen=True)
class Export:
    """An exported SIE file and what the caller should be told about it.

    Attributes:
        content: The file's bytes.
        sie: The records written.
        warnings: Notes for the user (unnumbered vouchers, results carried on 2091).
    """

    content: bytes
    sie: SieFile
    warnings: tuple[str, ...]


def is_balance_bas(bas: str) -> bool:
    """Whether a BAS number belongs to the balance sheet (classes 1 and 2)."""
    return bas[:1] in ("1", "2")


def _entities(books: Books, entity: Entity, consolidated: bool) -> list[Entity]:
    if not consolidated:
        return [entity]
    if entity.kind is not EntityKind.UMBRELLA:
        raise CoopException(f"entity {entity.code} is a {entity.kind}; only the umbrella can "
                            "be exported as one legal entity with its members as objects")
    members = [e for e in books.entities.values() if e.kind is EntityKind.MEMBER]
    return [entity, *members]


def _bas_map(books: Books, codes: set[str], used: set[str],
             fallback: str | None) -> dict[str, str]:
    mapping: dict[str, str] = {}
    missing: list[str] = []
    bad: list[str] = []
    for account in sorted(used | {a for a in books.opens if entity_of(a) in codes}):
        if entity_of(account) not in codes:
            continue
        bas = books.bas(account)
        if account.endswith(":" + YEAR_RESULT_LEAF):
            bas = YEAR_RESULT_BAS
        if bas is None:
            if account in used and fallback is None:
                missing.append(account)
            bas = fallback
        if bas is None:
            continue
        if not _BAS.match(bas):
            bad.append(f"{account} ({bas!r})")
            continue
        mapping[account] = bas
    if missing:
        raise CoopException(f"{len(missing)} account(s) have no BAS number (add bas: \"NNNN\" "
                            f"to their open directive, or give a fallback): "
                            f"{', '.join(missing)}")
    if bad:
        raise CoopException("account numbers for SIE must be digits (BAS: four): "
                            f"{', '.join(bad)}")
    return mapping


def _account_name(account: str) -> str:
    last = account.rsplit(":", 1)[-1]
    head, _, rest = last.partition("-")
    return (rest if head.isdigit() and rest else last).replace("-", " ")


def _voucher_text(entry: data.Transaction) -> str:
    parts = [p for p in (entry.payee, entry.narration) if p]
    return ": ".join(parts)


class _Numbering:
    """Voucher series and numbers: from voucher ids, else in date order in series A."""

    def __init__(self, code: str, consolidated: bool) -> None:
        self.code = code
        self.consolidated = consolidated
        self.used: defaultdict[str, int] = defaultdict(int)
        self.unnumbered = 0

    def of(self, entry: data.Transaction) -> tuple[str, str] | None:
        # Books imported from another program keep that program's series and number.
        series, number = entry.meta.get("sie-series"), entry.meta.get("sie-number")
        if series is not None and number is not None and not self.consolidated:
            return str(series), str(number)
        try:
            ids = voucher_ids(entry.meta)
        except ValueError as exc:
            raise CoopException(f"{_where(entry)}: {exc}") from None
        vid = ids.get(self.code)
        if vid is None and self.consolidated and ids:
            vid = ids[min(ids)]
        if vid is None:
            # Books imported from another program keep that program's numbering.
            series, number = entry.meta.get("sie-series"), entry.meta.get("sie-number")
            if series is not None and number:
                return str(series), str(number)
            self.unnumbered += 1
            return None
        series = vid.series if vid.entity == self.code else f"{vid.entity}-{vid.series}"
        self.used[series] = max(self.used[series], vid.number)
        return series, str(vid.number)

    def next_a(self) -> str:
        self.used["A"] += 1
        return str(self.used["A"])


def export_sie(books: Books, code: str, year: int, *, kind: str = "4E",
               consolidated: bool = False, fallback_bas: str | None = None,
               generated: datetime.date | None = None) -> Export:
    """Export one entity's fiscal year as SIE 4E or 4I.

    Args:
        books: The loaded books.
        code: The entity code.
        year: The fiscal year (the year it starts in).
        kind: ``4E`` (vouchers and balances) or ``4I`` (vouchers only).
        consolidated: Export the umbrella as one legal entity with members as objects of
            dimension 1.
        fallback_bas: BAS number for used accounts without one (default: an error).
        generated: The ``#GEN`` date (default: today).

    Returns:
        The file and its warnings.

    Raises:
        CoopException: Unknown entity, accounts without BAS numbers, a posting in another
            currency, a voucher that does not balance, or a value SIE cannot hold.
    """
    # An export builds a record per voucher and row and a line per record, and no
    # reference cycles; the cyclic collector's full passes over them and the loaded books
    # doubled the time of a large export (100 000 vouchers: 3.4 s of CPU, 1.7 s paused;
    # docs/performance.md). Pause it for the export only.
    with paused_if_allowed():
        return _export(books, code, year, kind=kind, consolidated=consolidated,
                       fallback_bas=fallback_bas, generated=generated)


def _export(books: Books, code: str, year: int, *, kind: str, consolidated: bool,
            fallback_bas: str | None, generated: datetime.date | None) -> Export:
    entity = books.entity(code)
    included = _entities(books, entity, consolidated)
    codes = {e.code for e in included}
    this = entity.fiscal_year(year)
    # The year before is written only when the entity had books then.
    last = entity.fiscal_year_of(this.start - datetime.timedelta(days=1))
    has_last = entity.start < this.start
    currency = books.operating_currency
    relevant, used = _postings(books, codes, currency, this.end)
    kept = kept_records(books, codes)
    used |= kept.accounts
    bas_of = _bas_map(books, codes, used, fallback_bas)
    warnings: list[str] = []
    _clearing_numbers(books, bas_of, consolidated, warnings)
    numbering = _Numbering(code, consolidated)
    split, earlier_result, pending = _split(relevant, bas_of, this, last, numbering)
    row_keys: dict[str, tuple[str, tuple[ObjectRef, ...]]] = {
        account: (bas, ((1, entity_of(account) or ""),) if consolidated else ())
        for account, bas in bas_of.items()}
    vouchers = [_voucher(entry, postings, ident or ("A", numbering.next_a()), row_keys,
                         code=code, keep_rows=not consolidated)
                for entry, postings, ident in pending]
    if numbering.unnumbered:
        warnings.append(f"{numbering.unnumbered} transaction(s) of {this.label} have no "
                        "voucher number (books not yet closed); numbered in date order in "
                        "series A")
    balances = _balances(split, earlier_result, warnings, has_last)
    if not vouchers and not balances:
        warnings.append(f"{code} has no transactions up to the end of {this.label}; the file "
                        "holds no vouchers or balances")
    if consolidated and kind == "4E":
        balances += _object_balances(relevant, bas_of, this, last)
    elif kind == "4E":
        balances = kept.with_quantities(balances, bas_of, this, last if has_last else None)
        balances += kept.balances_in(bas_of, this, last if has_last else None)
    header: dict[str, tuple[str, ...]] = {"FNAMN": (entity.name,), "FTYP": ("EK",),
                                          "FNR": (entity.code,), "VALUTA": (currency,)}
    if entity.orgnr:
        header["ORGNR"] = (entity.orgnr,)
    else:
        warnings.append(f"entity {code} has no orgnr; the file has no #ORGNR")
    if kept.header and not consolidated:
        # An entity imported from SIE: the old program's identification, as it was.
        header = {"FNAMN": (entity.name,), "VALUTA": (currency,), **kept.header_for(entity)}
    dimensions = {1: Dimension(1, "Resultatenhet")} if consolidated else dict(kept.dimensions)
    objects = {(1, e.code): e.name for e in included} if consolidated else dict(kept.objects)
    years = {0: (this.start, this.last_day)}
    if has_last:
        years[-1] = (last.start, last.last_day)
    sie = SieFile(
        sie_type="4", kind=kind, encoding="cp437", header=MappingProxyType(header),
        years=MappingProxyType(years),
        accounts=MappingProxyType(_accounts(books, bas_of, balances)),
        dimensions=MappingProxyType(dimensions), objects=MappingProxyType(objects),
        balances=tuple(balances), vouchers=tuple(vouchers))
    try:
        content = render_sie(sie, kind=kind, program=("coopledger", __version__),
                             generated=generated)
    except WriteError as exc:
        raise CoopException(f"SIE export of {code} {this.label}: {exc}") from None
    return Export(content, sie, tuple(warnings))


Postings = list[tuple[str, Decimal, dict[str, Any] | None]]


#: The year-end close books the year's result on 8999 Årets resultat against 2099, so #RES
#: keeps the year's result per account and the 8999 row brings the year's total to zero.
#: Books closed before it did so moved each result account's balance to 2099 one by one:
#: in SIE those postings become the same one row on 8999.
YEAR_RESULT_BAS = YEAR_RESULT.bas
YEAR_RESULT_LEAF = YEAR_RESULT.account("X").rsplit(":", 1)[-1]


def _year_result_account(code: str) -> str:
    return YEAR_RESULT.account(code)


def _where(entry: data.Transaction) -> str:
    return f"{entry.meta.get('filename')}:{entry.meta.get('lineno')}"


def _postings(books: Books, codes: set[str], currency: str,
              end: datetime.date) -> tuple[list[tuple[data.Transaction, Postings]], set[str]]:
    """The transactions before ``end`` with their postings on the exported entities.

    A voucher imported without rows has no posting to say whose it is; its ``sie-entity``
    metadata does.
    """
    relevant: list[tuple[data.Transaction, Postings]] = []
    used: set[str] = set()
    code_of: dict[str, str | None] = {}
    for entry in books.transactions:
        if entry.date >= end:
            break
        postings: Postings = []
        year_end = bool(entry.tags) and YEAR_END_TAG in entry.tags
        for posting in entry.postings:
            try:
                code = code_of[posting.account]
            except KeyError:
                code = code_of[posting.account] = entity_of(posting.account)
            if code not in codes:
                continue
            units = posting.units
            if units is None or units.currency != currency or units.number is None:
                raise CoopException(f"{_where(entry)}: posting on {posting.account} is not "
                                    f"in {currency}; SIE export handles one currency")
            account = posting.account
            if year_end and account.startswith(("Income:", "Expenses:")):
                account = _year_result_account(code)
            used.add(account)
            postings.append((account, units.number, posting.meta))
        if year_end:
            postings = _merged(postings)
        if postings or (not entry.postings and entry.meta.get(ENTITY_KEY) in codes):
            relevant.append((entry, postings))
    return relevant, used


def _merged(postings: Postings) -> Postings:
    totals: dict[str, Decimal] = {}
    for account, number, _ in postings:
        totals[account] = totals.get(account, ZERO) + number
    return [(account, number, None) for account, number in totals.items() if number]


@dataclass
class _Moves:
    """Balances by BAS number: before the year before, opening entries, movements."""

    before: defaultdict[str, Decimal]
    opening: dict[int, defaultdict[str, Decimal]]
    moves: dict[int, defaultdict[str, Decimal]]


def _split(relevant: list[tuple[data.Transaction, Postings]], bas_of: dict[str, str],
           this: Period, last: Period, numbering: _Numbering,
           ) -> tuple[_Moves, Decimal,
                      list[tuple[data.Transaction, Postings, tuple[str, str] | None]]]:
    """One pass: balances before last year, movements of last and this year, vouchers.

    An opening-balance entry (``sie-source: "IB"``, as the importer writes it) dated the
    first day of a year is part of that year's ``#IB``; a movements entry
    (``sie-source: "UB"``) is part of its year's movements. Neither is a voucher.
    """
    before: defaultdict[str, Decimal] = defaultdict(Decimal)
    opening: dict[int, defaultdict[str, Decimal]] = {-1: defaultdict(Decimal),
                                                     0: defaultdict(Decimal)}
    moves: dict[int, defaultdict[str, Decimal]] = {-1: defaultdict(Decimal),
                                                   0: defaultdict(Decimal)}
    earlier_result = ZERO
    pending = []
    for entry, postings in relevant:
        day = entry.date
        slot = 0 if day >= this.start else -1 if day >= last.start else None
        source = entry.meta.get(SOURCE)
        target = moves
        if source == OPENING and slot is not None and day == (this.start if slot == 0
                                                              else last.start):
            target = opening
        for account, number, _ in postings:
            bas = bas_of[account]
            if slot is not None:
                target[slot][bas] += number
            elif is_balance_bas(bas):
                before[bas] += number
            else:
                earlier_result += number
        if slot == 0 and source not in (OPENING, MOVEMENTS):
            pending.append((entry, postings, numbering.of(entry)))
    return _Moves(before, opening, moves), earlier_result, pending


def _voucher(entry: data.Transaction, postings: Postings, ident: tuple[str, str],
             row_keys: dict[str, tuple[str, tuple[ObjectRef, ...]]], *, code: str,
             keep_rows: bool = True) -> Voucher:
    """The voucher of one transaction; ``row_keys``: account to its BAS number and objects.

    With ``keep_rows``, what the import kept of the old program's voucher comes back:
    each row's objects, text, date, quantity and signature, the registration date, the
    signature and the removed rows.
    """
    rows = []
    total = ZERO  # summed in row order, as Voucher.total does
    meta = entry.meta
    for account, number, posting_meta in postings:
        bas, objects = row_keys[account]
        if keep_rows and posting_meta and len(posting_meta) > 2 and any(
                key not in _PLAIN_KEYS for key in posting_meta):
            rows.append(_kept_row(bas, objects, number, posting_meta))
        else:
            rows.append(Row(bas, objects, number, None, "", None, "", 0))
        total += number
    registered = meta.get("sie-registered") if keep_rows else None
    removed = _removed_rows(meta) if keep_rows else ()
    voucher = Voucher(ident[0], ident[1], entry.date, _voucher_text(entry),
                      registered if isinstance(registered, datetime.date) else None,
                      str(meta.get("sie-sign", "")) if keep_rows else "",
                      tuple(rows), removed, 0)
    if total != 0:
        raise CoopException(f"{_where(entry)}: the transaction does not balance within "
                            f"{code} (off by {total}); run coopledger check")
    for row in rows:
        if row.amount != row.amount.quantize(ORE):
            raise CoopException(f"{_where(entry)}: amount {row.amount} on BAS {row.account} "
                                "is finer than öre; SIE holds two decimals")
    return voucher


#: The metadata a posting has from Beancount: where it was written, whether interpolated.
_PLAIN_KEYS = frozenset({"filename", "lineno", "__automatic__"})


def _kept_row(bas: str, objects: tuple[ObjectRef, ...], number: Decimal,
              meta: dict[str, Any]) -> Row:
    own = objects_of(meta)
    date = meta.get("sie-date")
    quantity = meta.get("sie-quantity")
    return Row(bas, objects + own if objects else own, number,
               date if isinstance(date, datetime.date) else None,
               str(meta.get("sie-text", "")),
               quantity if isinstance(quantity, Decimal) else None,
               str(meta.get("sie-sign", "")), 0, meta.get("sie-added") is True)


def _removed_rows(meta: dict[str, Any]) -> tuple[Row, ...]:
    """The ``#BTRANS`` rows the import kept in ``sie-btrans-N`` metadata."""
    from coopledger.sie.tokens import tokenize
    from coopledger.sie.values import Context, text_field

    found = sorted((int(key[len(REMOVED_PREFIX):]), str(value)) for key, value in meta.items()
                   if key.startswith(REMOVED_PREFIX) and key[len(REMOVED_PREFIX):].isdigit())
    rows = []
    ctx = Context("<metadata>", strict=False)
    for _, text in found:
        record = tokenize(text)
        if record is None or len(record.fields) < 3:
            continue
        fields = record.fields
        objects = ctx.object_list(fields[1])
        amount = ctx.amount(text_field(fields, 2))
        date_text = text_field(fields, 3)
        date = ctx.date(date_text) if date_text else None
        quantity = ctx.optional_amount(text_field(fields, 5), "quantity")
        if amount is None:
            continue
        rows.append(Row(text_field(fields, 0), objects, amount, date, text_field(fields, 4),
                        quantity, text_field(fields, 6), 0))
    return tuple(rows)


def _balances(before: _Moves, earlier_result: Decimal, warnings: list[str],
              has_last: bool) -> list[Balance]:
    """``#IB``/``#UB``/``#RES`` of the year before (when ``has_last``) and of the year."""
    opening: dict[str, Decimal] = dict(before.before)
    opening[RETAINED] = opening.get(RETAINED, ZERO) + earlier_result
    rows: list[Balance] = []
    carried = earlier_result
    for year in (-1, 0):
        for bas, amount in before.opening[year].items():
            opening[bas] = opening.get(bas, ZERO) + amount
        movement = before.moves[year]
        closing = dict(opening)
        for bas, amount in movement.items():
            if is_balance_bas(bas):
                closing[bas] = closing.get(bas, ZERO) + amount
        result = {bas: a for bas, a in movement.items() if not is_balance_bas(bas)}
        if year == 0 or has_last:
            for bas in sorted(set(opening) | set(closing)):
                if opening.get(bas, ZERO) or closing.get(bas, ZERO):
                    rows.append(Balance("IB", year, bas, opening.get(bas, ZERO), None, "", (),
                                        0))
                    rows.append(Balance("UB", year, bas, closing.get(bas, ZERO), None, "", (),
                                        0))
            for bas in sorted(result):
                if result[bas]:
                    rows.append(Balance("RES", year, bas, result[bas], None, "", (), 0))
        year_result = sum(result.values(), ZERO)
        opening = dict(closing)
        opening[RETAINED] = opening.get(RETAINED, ZERO) + year_result
        carried += year_result if year == -1 else ZERO
    if carried:
        net = f"a profit of {-carried}" if carried < 0 else f"a loss of {carried}"
        warnings.append(f"the results of earlier years ({net}) are carried on {RETAINED} in "
                        "#IB, as if booked to equity at each year end")
    return rows


def _object_balances(relevant: list[tuple[data.Transaction, Postings]],
                     bas_of: dict[str, str], this: Period, last: Period) -> list[Balance]:
    """``#OIB``/``#OUB`` per member: each entity's balance-sheet accounts as objects.

    Each entity's results of the years before are carried on its own 2091, as in ``#IB``,
    so the object balances of an account sum to its ``#IB``/``#UB``.
    """
    balance: defaultdict[tuple[str, str], Decimal] = defaultdict(Decimal)
    result: defaultdict[str, Decimal] = defaultdict(Decimal)
    snapshots: list[tuple[dict[tuple[str, str], Decimal], dict[str, Decimal]]] = []
    bounds = [last.start, this.start, this.end]
    # Account to its entity and, for a balance-sheet account, its (entity, BAS) key.
    entity_keys = {account: (entity_of(account) or "",
                             (entity_of(account) or "", bas) if is_balance_bas(bas) else None)
                   for account, bas in bas_of.items()}
    for entry, postings in relevant:
        day = (entry.date - datetime.timedelta(days=1)
               if entry.meta.get(SOURCE) == OPENING else entry.date)
        while len(snapshots) < len(bounds) and day >= bounds[len(snapshots)]:
            snapshots.append((dict(balance), dict(result)))
        for account, number, _ in postings:
            code, key = entity_keys[account]
            if key is not None:
                balance[key] += number
            else:
                result[code] += number
    while len(snapshots) < len(bounds):
        snapshots.append((dict(balance), dict(result)))
    rows: list[Balance] = []
    for year, (opening, carried), (closing, _) in ((-1, snapshots[0], snapshots[1]),
                                                   (0, snapshots[1], snapshots[2])):
        keys = set(opening) | set(closing) | {(code, RETAINED) for code in carried}
        for code, bas in sorted(keys):
            extra = carried.get(code, ZERO) if bas == RETAINED else ZERO
            for kind, amount in (("OIB", opening.get((code, bas), ZERO) + extra),
                                 ("OUB", closing.get((code, bas), ZERO) + extra)):
                if amount:
                    rows.append(Balance(kind, year, bas, amount, None, "", ((1, code),), 0))
    return rows


def _accounts(books: Books, bas_of: dict[str, str],
              balances: list[Balance]) -> dict[str, Account]:
    """``#KONTO`` with ``#KTYP``, ``#ENHET`` and ``#SRU``, from each number's first account.

    The ``open`` directive's ``name``, ``ktyp``, ``unit`` and ``sru`` metadata (as the
    import writes them) win over what the account's name and root say.
    """
    first: dict[str, str] = {}
    for account in sorted(bas_of):
        first.setdefault(bas_of[account], account)
    accounts: dict[str, Account] = {}
    for bas, account in first.items():
        entry = books.opens.get(account)
        meta = entry.meta if entry is not None else {}
        name = meta.get("name")
        counterparty = clearing_counterparty(account)
        if name is None and counterparty is not None and bas != CLEARING_BAS:
            name = f"Avräkning {counterparty}"
        kind = meta.get("ktyp") or _KTYP[account.split(":")[0]]
        sru = meta.get("sru")
        accounts[bas] = Account(bas, str(name) if name is not None else _account_name(account),
                                str(kind), str(meta.get("unit") or ""),
                                tuple(str(sru).split()) if sru else ())
    for item in balances:
        if item.account not in accounts:
            accounts[item.account] = Account(item.account, RETAINED_NAME, "S")
    return accounts


def clearing_bas(books: Books, account: str) -> str | None:
    """The number a clearing account is exported under: 1660 + the counterparty's place.

    The place is the counterparty's among the declared entities, in declaration order,
    from 1 (1661, 1662 ...; from the tenth on 16600 + n). None for an account that is not
    a clearing account on BAS 1660, or whose counterparty is not declared.
    """
    counterparty = clearing_counterparty(account)
    if counterparty is None or books.bas(account) != CLEARING_BAS:
        return None
    order = list(books.entities)
    if counterparty not in order:
        return None
    position = order.index(counterparty) + 1
    return str(1660 + position) if position < 10 else str(16600 + position)


def _clearing_numbers(books: Books, bas_of: dict[str, str], consolidated: bool,
                      warnings: list[str]) -> dict[str, str]:
    """Give each clearing account against another entity a number of its own.

    Every clearing account is BAS 1660 (``Assets:Paraply:1660-Avräkning-Kafe``); merged
    into one ``#KONTO 1660`` the umbrella's positions against each member would become one
    balance. Outside the consolidated export (where they net out), the clearing account
    against the n-th other entity, in the order the entities are declared, is written as
    1660 + n (1661, 1662 ...; from the tenth on, 16600 + n). Changes ``bas_of``; returns
    account to its new number.
    """
    if consolidated:
        return {}
    clearing = {account: counterparty for account in bas_of
                if bas_of[account] == CLEARING_BAS
                and (counterparty := clearing_counterparty(account)) is not None}
    if not clearing:
        return {}
    taken = set(bas_of.values()) - {CLEARING_BAS}
    numbers: dict[str, str] = {}
    for account in sorted(clearing):
        number = clearing_bas(books, account)
        if number is None:
            continue
        if number in taken:
            raise CoopException(f"the clearing account {account} would be written as "
                                f"{number}, which another account already uses; give it "
                                "a bas number of its own")
        numbers[account] = number
    bas_of.update(numbers)
    shown = ", ".join(f"{clearing[a]} {n}" for a, n in sorted(numbers.items(),
                                                              key=lambda x: x[1]))
    warnings.append(f"clearing accounts (BAS 1660) are written one per counterparty: {shown}")
    return numbers
