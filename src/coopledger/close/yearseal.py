"""Year seals: the year-end entries and the closing balances of a closed fiscal year.

A year seal (``custom "coop-seal" "2025"``) holds:

- ``digest``: SHA-256 of the year-end entries (metadata ``year-end: "2025"``) dated in
  the closed year (the result booked on 8999 Årets resultat against 2099 on its last
  day);
- ``carry``: SHA-256 of those dated after it (2099 moved to 2091 on the next year's
  first day);
- ``balances``: SHA-256 of the balance sheet's accounts (Assets, Liabilities, Equity)
  at the end of the year's last day, after the year-end entries;
- ``accounts``: per entity, 8 hex digits of each of those balances;
- ``loans`` (books with loans): SHA-256 of every loan's opening snapshot for the next
  year (``coop-loan-opening``, see :mod:`coopledger.fund.opening`);
- ``version: 2``: the balances are the balance sheet's. The income and expense accounts
  keep the year's figures (the month seals cover every entry of them) and start the
  next year from zero, as Beancount and Fava report per period. A year seal without
  ``version`` (version 1, written when the year-end entries zeroed every income and
  expense account into 2099) digests every account's balance, and is checked so.

In the full books, the history yields the closing balances; in the daily books (see
:mod:`coopledger.close.yearend`) the opening-balance entries do. Both must give the
sealed digest, so a full check proves the opening balances equal the sealed closing
balances, and a daily check proves the opening balances were not touched.
"""

from __future__ import annotations

import datetime
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from beancount.core import data

from coopledger.declarations import Declaration, declaration, parse_declarations
from coopledger.fund.ledger import LoanBook, build_loan_book
from coopledger.fund.opening import declared_openings, snapshots_digest
from coopledger.fund.snapshots import history_snapshots
from coopledger.seals import SEAL, YEAR_END_KEY, Seal, entry_digest

OPENING_KEY = "opening-balances"
OPENING = "coop-opening"
#: The year seal the close writes: version 2 digests the balance sheet's accounts only.
YEAR_SEAL_VERSION = 2
#: The roots of the balance sheet's accounts, whose balances carry into the next year.
BALANCE_ROOTS = ("Assets", "Liabilities", "Equity")
_KEPT = (data.Open, data.Close, data.Commodity, data.Price, data.Query)


@declaration(OPENING)
class Opening(Declaration):
    """Marks the daily books: they start from the opening balances of year ``id``.

    Written by the year-end close into the opening-balance file, dated the closed year's
    last day; entries dated before the next day, other than the opening balances and
    the declarations, are dropped at load (see :func:`drop_closed_years`).

    Attributes:
        full: The full books' main file, relative to the daily file: every file a close
            or a correction adds to the daily books is included from it too.
    """

    full: str = ""


def main_files(path: Path, entries: Iterable[data.Directive]) -> list[Path]:
    """The main file and, for daily books, the full books' main file too."""
    files = [path.resolve()]
    for entry in entries:
        if isinstance(entry, data.Custom) and entry.type == OPENING:
            full = str((entry.meta or {}).get("full") or "")
            if full and (path.parent / full).resolve() not in files:
                files.append((path.parent / full).resolve())
    return files


def closed_years_cut(entries: Iterable[data.Directive]) -> datetime.date | None:
    """In daily books, the first day after the closed years; None in the full books.

    Args:
        entries: The ledger's directives (its ``custom`` directives are enough).

    Returns:
        The day after the latest ``coop-opening`` declaration, or None without one.
    """
    custom = data.Custom
    dates = [e.date for e in entries if type(e) is custom and e.type == OPENING]
    return max(dates) + datetime.timedelta(days=1) if dates else None


def drop_closed_years(entries: list[data.Directive]) -> list[data.Directive]:
    """In daily books, leave out what files mixing both years hold of the closed years.

    Returns the entries unchanged when there is no ``coop-opening`` declaration (the
    full books). Otherwise keeps, before the cut: ``open``, ``close``, commodities,
    prices, queries, declarations other than month seals, and the opening balances.
    """
    cut = closed_years_cut(entries)
    if cut is None:
        return entries
    kept = []
    for entry in entries:
        if entry.date >= cut or isinstance(entry, _KEPT):
            kept.append(entry)
        elif isinstance(entry, data.Custom):
            if not (entry.type == SEAL and len(str(entry.values[0].value)) == 7):
                kept.append(entry)
        elif isinstance(entry, data.Transaction) and OPENING_KEY in (entry.meta or {}):
            kept.append(entry)
    return kept


def year_end_digest(entries: Iterable[data.Directive], year: str,
                    end: datetime.date, *, carry: bool) -> str:
    """SHA-256 over the year's year-end entries before ``end`` (or, with carry, after)."""
    digests = sorted(entry_digest(e) for e in entries
                     if isinstance(e, data.Transaction)
                     and str((e.meta or {}).get(YEAR_END_KEY)) == year
                     and (e.date >= end) == carry)
    return hashlib.sha256("\n".join(digests).encode("ascii")).hexdigest()


def closing_balances(entries: Iterable[data.Directive],
                     end: datetime.date) -> dict[tuple[str, str], Decimal]:
    """Every account's units per currency from transactions dated before ``end``."""
    totals: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for entry in entries:
        if not isinstance(entry, data.Transaction) or entry.date >= end:
            continue
        for posting in entry.postings:
            units = posting.units
            if units is not None and units.number is not None:
                totals[(posting.account, units.currency)] += units.number
    return {key: value for key, value in totals.items() if value}


def sealed_balances(balances: Mapping[tuple[str, str], Decimal],
                    version: int = YEAR_SEAL_VERSION) -> dict[tuple[str, str], Decimal]:
    """The balances a year seal of ``version`` digests (see the module docstring).

    Args:
        balances: Every account's closing balance per currency.
        version: The year seal's version: 2 keeps the balance sheet's accounts, 1 all.

    Returns:
        The balances the seal covers.
    """
    if version < 2:
        return dict(balances)
    return {key: value for key, value in balances.items()
            if key[0].split(":", 1)[0] in BALANCE_ROOTS}


def _balance_line(account: str, currency: str, value: Decimal) -> str:
    return f"{account} {value.normalize():f} {currency}"


def balances_digest(balances: Mapping[tuple[str, str], Decimal]) -> str:
    """SHA-256 of balances, independent of order and of trailing zeros."""
    lines = sorted(_balance_line(account, currency, value)
                   for (account, currency), value in balances.items() if value)
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def _by_entity(balances: Mapping[tuple[str, str], Decimal]) -> dict[str, dict[str, str]]:
    """Entity to (8 hex digits of a balance line to the line)."""
    found: dict[str, dict[str, str]] = defaultdict(dict)
    for (account, currency), value in balances.items():
        if value:
            line = _balance_line(account, currency, value)
            short = hashlib.sha256(line.encode("utf-8")).hexdigest()[:8]
            found[account.split(":")[1] if ":" in account else account][short] = line
    return found


def account_digests(balances: Mapping[tuple[str, str], Decimal]) -> str:
    """A year seal's ``accounts``: per entity, 8 hex digits of each account's balance."""
    return " ".join(f"{entity}:" + ",".join(sorted(shorts))
                    for entity, shorts in sorted(_by_entity(balances).items()))


_NAMED = 8


def explain_balances(seal: Seal, balances: Mapping[tuple[str, str], Decimal]) -> str:
    """Which entities and accounts differ from a year seal's closing balances.

    Returns:
        ``"entity Kafe: Assets:Kafe:1930-Företagskonto 1200 SEK is not as sealed; ..."``,
        or a note that the seal is too old to say (it has no ``accounts``).
    """
    if not seal.accounts:
        return ("the seal holds no per-account digests (written before they existed): "
                "compare the accounts with the next year's opening balances")
    sealed: dict[str, set[str]] = {}
    for item in seal.accounts.split():
        entity, _, shorts = item.partition(":")
        sealed[entity] = {s for s in shorts.split(",") if s}
    now = _by_entity(balances)
    parts = []
    for entity in sorted(set(sealed) | set(now)):
        mine = now.get(entity, {})
        before = sealed.get(entity, set())
        changed = sorted(line for short, line in mine.items() if short not in before)
        # a changed balance is one line not sealed and one sealed line gone: count only
        # the sealed lines gone beyond those (accounts that have no balance any more)
        gone = len(before - set(mine)) - len(changed)
        if not changed and gone <= 0:
            continue
        text = "; ".join(changed[:_NAMED])
        if len(changed) > _NAMED:
            text += f"; and {len(changed) - _NAMED} more"
        what = f"not as sealed: {text}" if changed else ""
        if gone > 0:
            what += f"{'; ' if what else ''}{gone} sealed balance(s) gone"
        new = "" if entity in sealed else " (not in the sealed year)"
        parts.append(f"entity {entity}{new}: {what}")
    return " | ".join(parts) or "the balances differ in a way no account shows"


def loan_snapshots(entries: list[data.Directive],
                   cut: datetime.date) -> dict[str, dict[str, str]]:
    """Every loan's opening snapshot for daily books starting on ``cut``, from the full
    history in ``entries`` (empty when no loan is declared)."""
    book = history_loan_book(entries)
    return history_snapshots(book.loans.values(), cut) if book is not None else {}


def history_loan_book(entries: list[data.Directive]) -> LoanBook | None:
    """The loan book of the full history, or None when no loan is declared."""
    if not any(isinstance(e, data.Custom) and e.type == "coop-loan" for e in entries):
        return None
    declarations, _ = parse_declarations(entries)
    opens = [e for e in entries if isinstance(e, data.Open)]
    return build_loan_book(entries, declarations, opens)


def closing_balances_at(entries: list[data.Directive], ends: Iterable[datetime.date],
                        ) -> dict[datetime.date, dict[tuple[str, str], Decimal]]:
    """:func:`closing_balances` at several ends, in one pass over entries in date order.

    The running totals at each end are the very sums :func:`closing_balances` makes
    (the same postings added in the same order); entries that are not in date order
    get one pass per end instead.
    """
    every = sorted(set(ends))
    pending = list(every)
    found: dict[datetime.date, dict[tuple[str, str], Decimal]] = {}
    totals: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    last: datetime.date | None = None
    for entry in entries:
        if not isinstance(entry, data.Transaction):
            continue
        date = entry.date
        if last is not None and date < last:
            return {end: closing_balances(entries, end) for end in every}
        last = date
        while pending and date >= pending[0]:
            found[pending.pop(0)] = {key: value for key, value in totals.items() if value}
        if not pending:
            continue  # every end is passed: only the order of the rest is checked
        for posting in entry.postings:
            units = posting.units
            if units is not None and units.number is not None:
                totals[(posting.account, units.currency)] += units.number
    for end in pending:
        found[end] = {key: value for key, value in totals.items() if value}
    return found


def year_bounds(year: str, seal: Seal) -> tuple[datetime.date, datetime.date]:
    """First day of the sealed fiscal year and first day of the next (from the seal)."""
    start_month = seal.fiscal_year_start
    start = datetime.date(int(year), start_month, 1)
    return start, datetime.date(int(year) + 1, start_month, 1)


def verify_year_seals(
    entries: list[data.Directive], seals: Mapping[str, Seal],
) -> list[tuple[str, dict[str, Any]]]:
    """Check every year seal against the loaded entries.

    Args:
        entries: The loaded ledger (full history or daily books).
        seals: Seals by id; month seals are ignored.

    Returns:
        ``(message, meta of the seal)`` per problem.
    """
    problems: list[tuple[str, dict[str, Any]]] = []
    cut = closed_years_cut(entries)
    checked = []
    for label, seal in sorted(seals.items()):
        if not seal.is_year:
            continue
        _, end = year_bounds(label, seal)
        if cut is not None and end < cut:
            # Daily books start after this year and the next: they hold neither its
            # entries nor its opening balances. The full check proves it.
            continue
        checked.append((label, seal, end))
    if not checked:
        return problems
    # A pass or two for every sealed year together (not a few per year): the year-end
    # entries by year, the days that hold opening balances, the balances at each end.
    year_end, opening_days = _year_end_and_opening_days(entries)
    balances = closing_balances_at(entries, [end for _, _, end in checked])
    history: list[LoanBook | None] = []  # built on first need, once for every year
    for label, seal, end in checked:
        daily = (end - datetime.timedelta(days=1), str(end.year)) in opening_days
        mine = year_end.get(label, [])
        if not daily and year_end_digest(mine, label, end, carry=False) != seal.digest:
            problems.append((f"sealed year {label}: its year-end entries changed", seal.meta))
        if seal.carry and year_end_digest(mine, label, end, carry=True) != seal.carry:
            problems.append((f"sealed year {label}: the carry-forward of its result changed",
                             seal.meta))
        covered = sealed_balances(balances[end], seal.version)
        if balances_digest(covered) != seal.balances:
            where = "the opening balances of the next year" if daily else "the closing balances"
            problems.append((f"sealed year {label}: {where} differ from the sealed closing "
                             f"balances: {explain_balances(seal, covered)}", seal.meta))
        if seal.loans and snapshots_digest(
                _snapshots(entries, end, daily=daily, history=history)) != seal.loans:
            where = ("the loans' opening snapshots (coop-loan-opening) differ from"
                     if daily else "the loans' history no longer gives")
            problems.append((f"sealed year {label}: {where} the sealed snapshots",
                             seal.meta))
    return problems


def _year_end_and_opening_days(
    entries: Iterable[data.Directive],
) -> tuple[dict[str, list[data.Directive]], set[tuple[datetime.date, str]]]:
    """The year-end entries by year, and the (day, year) of every opening-balance entry."""
    year_end: dict[str, list[data.Directive]] = defaultdict(list)
    opening_days: set[tuple[datetime.date, str]] = set()
    for entry in entries:
        if isinstance(entry, data.Transaction) and entry.meta:
            if YEAR_END_KEY in entry.meta:
                year_end[str(entry.meta[YEAR_END_KEY])].append(entry)
            if OPENING_KEY in entry.meta:
                opening_days.add((entry.date, str(entry.meta[OPENING_KEY])))
    return year_end, opening_days


def _snapshots(entries: list[data.Directive], end: datetime.date, *, daily: bool,
               history: list[LoanBook | None]) -> dict[str, dict[str, str]]:
    """The loans' snapshots a year seal is checked against; ``history`` keeps the full
    history's loan book, built on first need and once for every year."""
    if daily:
        return declared_openings(entries)
    if not history:
        history.append(history_loan_book(entries))
    book = history[0]
    return history_snapshots(book.loans.values(), end) if book is not None else {}
