"""Year-end close: result to equity, opening balances, year seal, daily books.

``coopledger close LEDGER --year 2025`` needs every month of the fiscal year sealed. It
writes, all at once or not at all:

- ``closing/2025-year-end.beancount``: per entity, on the year's last day, one entry
  (series ``Y``, metadata ``year-end: "2025"``) moving every income and expense account's
  result for the year to ``Equity:<E>:2099-Årets-resultat``; so the balance sheet at
  2025-12-31 shows the year's result on 2099, as a Swedish balance sheet does.
- ``closing/2026-carry-forward.beancount``: per entity, on the next year's first day,
  2099 moved to ``2091-Balanserad-vinst-eller-förlust`` (the annual meeting's
  disposition is booked on top of this by hand when it differs).
- ``closing/2025-seal.beancount``: the year seal (see :mod:`coopledger.close.yearseal`).
- ``closing/2026-opening-balances.beancount``: per entity one entry dated 2025-12-31
  (metadata ``opening-balances: "2026"``) holding every account's closing balance; only
  the daily books include it.
- ``daily.beancount`` beside the main file: the main file without the includes that
  hold only closed-year entries, plus the opening balances. Daily work (``check``,
  ``close``) loads it; the main file stays the full history, and a full check proves the
  opening balances equal the sealed closing balances. A file with entries of both years
  (or with declarations and opens, which the daily books need whatever their date) is
  kept and its closed-year entries are dropped at load; the report names the mixed ones
  (split them by year for a faster daily load).

The year-end entries are excluded from the month seals (December may be sealed before
the year is closed; the law allows closing entries in a special series) and covered by
the year seal. All entities must share one fiscal year. In books that declare loans,
the opening balances split each loan account per loan (posting metadata ``loan``) and
carry each loan's state at the cut (``coop-loan-opening``, see
:mod:`coopledger.fund.opening`); the year seal covers those snapshots.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from beancount.core import amount, data

from coopledger.books import YEAR_END_TAG, Books, load_books
from coopledger.close.computed import CLOSING_DIR, render_entry
from coopledger.close.month import sealed_months
from coopledger.close.numbering import YEAR_END_SERIES, assign_vouchers
from coopledger.close.seal import SEAL, YEAR_END_KEY, month_label, read_seals
from coopledger.close.staging import load_staged, translate
from coopledger.close.yearseal import (
    OPENING,
    OPENING_KEY,
    account_digests,
    balances_digest,
    closing_balances,
    loan_snapshots,
    verify_year_seals,
    year_end_digest,
)
from coopledger.entities import entity_of
from coopledger.errors import CoopException, format_error
from coopledger.files import FileTransaction, include_line, read_text, with_include
from coopledger.fund.ledger import loan_book
from coopledger.fund.opening import loan_account_parts, snapshot_text, snapshots_digest

DAILY_FILE = "daily.beancount"
_INCLUDE = re.compile(r'^include\s+"([^"]+)"')


@dataclass
class YearReport:
    """What a year-end close did or would do."""

    year: int
    status: str = "failed"
    failure: list[str] = field(default_factory=list)
    written: dict[Path, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _txn(meta: Mapping[str, object], date: datetime.date, narration: str,
         postings: list[tuple[str, Decimal]], currency: str) -> data.Transaction:
    return data.Transaction(
        data.new_metadata("<coopledger.close.yearend>", 0, dict(meta)), date, "*",
        "Bokslut", narration, frozenset({YEAR_END_TAG}), frozenset(),
        [data.Posting(a, amount.Amount(n, currency), None, None, None, None)
         for a, n in postings])


def _equity_account(books: Books, code: str, bas: str) -> str:
    found = [a for a in books.accounts_of(code) if books.bas(a) == bas]
    if not found:
        raise CoopException(f"entity {code} has no open account with bas \"{bas}\"; open it "
                            "(the year-end close moves the result there)")
    return found[0]


def result_entries(books: Books, year: int, start: datetime.date,
                   end: datetime.date) -> list[data.Transaction]:
    """Per entity: income and expense to 2099 on the last day; 2099 to 2091 the next day."""
    currency = books.operating_currency
    changes: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    result_2099: dict[str, Decimal] = defaultdict(Decimal)
    for entry in books.transactions:
        if entry.date >= end:
            break
        for posting in entry.postings:
            units = posting.units
            if units is None or units.number is None or units.currency != currency:
                continue
            code = entity_of(posting.account) or ""
            if entry.date >= start and posting.account.split(":")[0] in ("Income", "Expenses"):
                changes[code][posting.account] += units.number
            if books.bas(posting.account) == "2099":
                result_2099[code] += units.number
    last = end - datetime.timedelta(days=1)
    meta = {YEAR_END_KEY: str(year)}
    entries = []
    for code in books.entities:
        rows = [(a, -v) for a, v in sorted(changes[code].items()) if v]
        total = sum((v for v in changes[code].values()), Decimal(0))
        if rows:
            rows.append((_equity_account(books, code, "2099"), total))
            entries.append(_txn(meta, last, f"Årets resultat {year} till eget kapital, {code}",
                                rows, currency))
        carried = result_2099[code] + total
        if carried:
            entries.append(_txn(meta, end, f"Årets resultat {year} till balanserad vinst, "
                                f"{code}", [(_equity_account(books, code, "2099"), -carried),
                                            (_equity_account(books, code, "2091"), carried)],
                                currency))
    return entries


def _posting_lines(account: str, currency: str, value: Decimal, width: int,
                   parts: Mapping[str, Decimal]) -> str:
    """An account's opening posting; a loan account's split per loan (``loan: "<id>"``)."""
    lines = []
    rest = value
    for loan_id, part in sorted(parts.items()):
        lines.append(f"  {account:<{width}}{part:>16} {currency}\n    loan: \"{loan_id}\"\n")
        rest -= part
    if rest or not parts:
        lines.append(f"  {account:<{width}}{rest:>16} {currency}\n")
    return "".join(lines)


def opening_text(after: Books, year: int, end: datetime.date,
                 snapshots: Mapping[str, Mapping[str, str]]) -> str:
    """The opening-balance entries of the next year, one per entity, dated the last day.

    The loan accounts' balances are split per loan (posting metadata ``loan``, the
    entry linked to each of its loans), and each loan's snapshot follows.

    Raises:
        CoopException: An entity's balances do not sum to zero in a currency.
    """
    last = end - datetime.timedelta(days=1)
    records = loan_book(after).loans
    split = loan_account_parts(after.entries, records, end)
    by_entity: dict[str, list[tuple[str, str, Decimal]]] = defaultdict(list)
    balances = closing_balances(after.entries, end)
    for account, parts in split.items():
        currency = next(records[k].loan.currency for k in parts) if parts else ""
        if parts and (account, currency) not in balances:
            balances[(account, currency)] = Decimal(0)
    for (account, currency), value in sorted(balances.items()):
        by_entity[entity_of(account) or ""].append((account, currency, value))
    parts_text = [f"; Opening balances of {end.year}: the closing balances of {year}, sealed. "
                  "Included by the daily books only.\n"]
    for code, rows in by_entity.items():
        sums: dict[str, Decimal] = defaultdict(Decimal)
        for _, currency, value in rows:
            sums[currency] += value
        if any(sums.values()):
            raise CoopException(f"entity {code}'s closing balances do not sum to zero: {sums}")
        width = max(len(a) for a, _, _ in rows) + 2
        lines = "".join(_posting_lines(a, c, v, width, split.get(a, {})) for a, c, v in rows)
        links = sorted({k for a, _, _ in rows for k in split.get(a, {})})
        link_text = "".join(f" ^{k}" for k in links)
        parts_text.append(f'\n{last} * "Ingående balans" "Ingående balanser {end.year}, '
                          f'{code}"{link_text}\n  {OPENING_KEY}: "{end.year}"\n{lines}')
    parts_text.append(snapshot_text(snapshots, last))
    parts_text.append(f'\n{last} custom "{OPENING}" "{end.year}"\n  full: "{after.path.name}"\n')
    return "".join(parts_text)


def _dated_content(entry: data.Directive) -> bool:
    if isinstance(entry, data.Custom):
        return entry.type == SEAL and len(str(entry.values[0].value)) == 7
    return isinstance(entry, data.Transaction | data.Balance | data.Pad | data.Note |
                      data.Document | data.Event)


def daily_text(books: Books, main_text: str, end: datetime.date,
               new_files: dict[Path, bool], opening: Path) -> tuple[str | None, list[str]]:
    """The daily main file: the main file without closed-year includes, plus openings.

    Args:
        books: The books before the year-end close.
        main_text: The main file's text after the close's include lines were added.
        end: The first day of the open year.
        new_files: Files the close adds, each to whether it belongs to the daily books.
        opening: The opening-balance file.

    Returns:
        The text (None when some file mixes both years) and notes.
    """
    closed: dict[str, bool] = {}
    opened: dict[str, bool] = {}
    for entry in books.entries:
        name = str(Path(str(entry.meta.get("filename"))).resolve())
        if _dated_content(entry):
            (closed if entry.date < end else opened)[name] = True
        else:  # declarations and opens: the daily books need them whatever their date
            opened[name] = True
    main = books.path.resolve()
    lines: list[str] = []
    notes: list[str] = []
    if closed.get(str(main)):
        notes.append(f"{main} itself holds entries before {end}: the daily books drop "
                     "them at load")
    for line in main_text.splitlines(keepends=True):
        match = _INCLUDE.match(line)
        if match:
            target = (main.parent / match[1]).resolve()
            keep = new_files.get(target)
            if keep is None:
                mixed = bool(closed.get(str(target)) and opened.get(str(target)))
                if mixed:
                    notes.append(f"{target} holds entries of both years: the daily books "
                                 "parse it and drop its closed-year entries (split it by "
                                 "year for a faster daily load)")
                keep = mixed or not closed.get(str(target))
            if not keep:
                continue
        lines.append(line)
    header = (f"; Daily books: open years only, from the opening balances of {end.year}.\n"
              f"; The full history is {main.name}; run coopledger check on both now and then.\n")
    return header + "".join(lines) + include_line(main, opening), notes


def _shared_fiscal_start(books: Books) -> int:
    starts = {e.fiscal_year_start for e in books.entities.values()} or {1}
    if len(starts) > 1:
        raise CoopException("the entities have different fiscal years; the year-end close "
                            "handles one shared fiscal year only")
    return starts.pop()


def _shared_year(books: Books, year: int, first_month: int,
                 ) -> tuple[datetime.date, datetime.date]:
    """The fiscal year all entities share; an entity's first year may start another day.

    Raises:
        CoopException: An entity's year ``year`` (a long first year) ends at another time.
    """
    start, end = datetime.date(year, first_month, 1), datetime.date(year + 1, first_month, 1)
    for entity in books.entities.values():
        own = entity.fiscal_year(year)
        start = min(start, own.start)
        if own.end != end:
            raise CoopException(f"entity {entity.code}'s fiscal year {own.label} ends "
                                f"{own.last_day}, the others' {end - datetime.timedelta(1)}; "
                                "the year-end close handles one shared fiscal year only")
    return start, end


def _year_done_or_blocked(books: Books, report: YearReport, start: datetime.date,
                          end: datetime.date) -> bool:
    """Whether the year is already sealed or the books have errors (report filled in).

    Raises:
        CoopException: A month of the year is not sealed yet.
    """
    year = report.year
    seals, _ = read_seals(books.entries)
    if str(year) in seals:
        problems = verify_year_seals(books.entries, {str(year): seals[str(year)]})
        report.status = "failed" if problems else "already sealed"
        report.failure = [m for m, _ in problems]
        return True
    months = {month_label(e.date) for e in books.transactions if start <= e.date < end}
    missing = sorted(months - sealed_months(books))
    if missing:
        raise CoopException(f"close {missing[0]} first: every month of {year} must be sealed")
    if books.errors:
        report.failure = [format_error(e) for e in books.errors[:30]]
        return True
    return False


def close_year(path: str | Path, year: int, *, dry_run: bool = False) -> YearReport:
    """Close a fiscal year (see the module docstring).

    Raises:
        CoopException: Mixed fiscal years, a month of the year not sealed, a missing
            equity account, or a file that cannot be written.
    """
    report = YearReport(year)
    books = load_books(path)
    first_month = _shared_fiscal_start(books)
    start, end = _shared_year(books, year, first_month)
    if _year_done_or_blocked(books, report, start, end):
        return report
    entries = result_entries(books, year, start, end)
    numbered = {id(a.entry): a.value for a in assign_vouchers(
        books.entries, entries, dict.fromkeys(books.entities, first_month),
        lambda _: YEAR_END_SERIES)}
    folder = books.path.resolve().parent / CLOSING_DIR
    year_file, carry_file = folder / f"{year}-year-end.beancount", \
        folder / f"{end.year}-carry-forward.beancount"
    seal_file, opening_file = folder / f"{year}-seal.beancount", \
        folder / f"{end.year}-opening-balances.beancount"
    head = f"; Year-end close of {year}, written by coopledger close --year.\n"
    staged = {
        year_file: head + "".join("\n" + render_entry(e, numbered[id(e)])
                                  for e in entries if e.date < end),
        carry_file: head + "".join("\n" + render_entry(e, numbered[id(e)])
                                   for e in entries if e.date >= end)}
    main = books.path.resolve()
    main_text = read_text(main)
    for file in (year_file, carry_file, seal_file):
        main_text = with_include(main_text, include_line(main, file))
    staged[main] = main_text
    staged[seal_file] = ""  # written below, once the digests are known
    after, names = load_staged(books, staged)
    if after.errors:
        report.failure = [translate(format_error(e), names) for e in after.errors[:30]]
        return report
    snapshots = loan_snapshots(after.entries, end)
    loans = f'  loans: "{snapshots_digest(snapshots)}"\n' if snapshots else ""
    staged[seal_file] = (
        f'{end - datetime.timedelta(days=1)} custom "{SEAL}" "{year}"\n'
        f'  digest: "{year_end_digest(after.entries, str(year), end, carry=False)}"\n'
        f'  carry: "{year_end_digest(after.entries, str(year), end, carry=True)}"\n'
        f'  balances: "{balances_digest(closing_balances(after.entries, end))}"\n'
        f'  accounts: "{account_digests(closing_balances(after.entries, end))}"\n'
        f"{loans}  count: {len(entries)}\n  fiscal-year-start: {first_month}\n")
    staged[opening_file] = opening_text(after, year, end, snapshots)
    daily, report.notes = daily_text(books, main_text, end, {
        year_file: False, carry_file: True, seal_file: True}, opening_file)
    if daily is not None:
        staged[main.parent / DAILY_FILE] = daily
        checked, names = load_staged(books, staged, main.parent / DAILY_FILE)
        if checked.errors:
            report.failure = ["the daily books would not load cleanly:"] + [
                translate(format_error(e), names) for e in checked.errors[:30]]
            return report
    tx = FileTransaction()
    for file, text in staged.items():
        tx.write(file, text)
    report.written = tx.changed()
    report.status = "dry run" if dry_run else "closed"
    if not dry_run:
        tx.commit()
    return report

