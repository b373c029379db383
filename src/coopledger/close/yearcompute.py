"""Year-end close, step 2 of 3: compute every text the close writes (see :mod:`.yearend`).

From what :mod:`.yeargather` read: the year-end and carry-forward entries, numbered in
the year-end series (per entity, the year's result booked on 8999 Årets resultat against
2099 on the year's last day, opening 8999 there when the entity has none; 2099 moved to
2091 on the next year's first day); the main file with their include lines; the books as they load
with those (staged in a private folder, nothing written); from them the year seal's
digests, the opening balances (loan accounts split per loan, each loan's snapshot) and
the daily books' main file, whose load is checked too. The result is every file's new
text, or why the close fails.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from beancount.core import amount, data

from coopledger.books import YEAR_END_TAG, Books
from coopledger.chart import YEAR_RESULT
from coopledger.close.computed import render_entry
from coopledger.close.numbering import YEAR_END_SERIES, assign_vouchers
from coopledger.close.staging import load_staged, translate
from coopledger.close.yeargather import YearInputs
from coopledger.close.yearseal import (
    OPENING,
    OPENING_KEY,
    YEAR_SEAL_VERSION,
    account_digests,
    balances_digest,
    closing_balances,
    loan_snapshots,
    sealed_balances,
    year_end_digest,
)
from coopledger.entities import entity_of
from coopledger.errors import CoopException, format_error
from coopledger.files import include_line, with_include
from coopledger.fund.ledger import LoanRecord, loan_book
from coopledger.fund.opening import snapshot_text, snapshots_digest
from coopledger.money import ZERO
from coopledger.seals import SEAL, YEAR_END_KEY

_INCLUDE = re.compile(r'^include\s+"([^"]+)"')


@dataclass
class YearTexts:
    """What the close would write, or why it fails.

    Attributes:
        staged: Each file's whole new text (empty when the close fails).
        failure: Why the close fails (empty when it does not).
        notes: What the user should know (files that mix both years).
    """

    staged: dict[Path, str] = field(default_factory=dict)
    failure: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def compute_year(inputs: YearInputs) -> YearTexts:
    """Every text closing the year writes, checked by loading the books with them.

    Raises:
        CoopException: A missing equity account, or an entity whose closing balances
            do not sum to zero.
    """
    books, year, end, files = inputs.books, inputs.year, inputs.end, inputs.files
    accounts, opens = year_result_accounts(books, year, end)
    entries = result_entries(books, year, inputs.start, end, accounts)
    numbered = {id(a.entry): a.value for a in assign_vouchers(
        books.entries, entries, dict.fromkeys(books.entities, inputs.first_month),
        lambda _: YEAR_END_SERIES)}
    head = f"; Year-end close of {year}, written by coopledger close --year.\n"
    staged = {
        files.year_end: head + "".join("\n" + open_text(o) for o in opens)
        + "".join("\n" + render_entry(e, numbered[id(e)]) for e in entries if e.date < end),
        files.carry: head + "".join("\n" + render_entry(e, numbered[id(e)])
                                    for e in entries if e.date >= end)}
    main_text = inputs.main_text
    for file in (files.year_end, files.carry, files.seal):
        main_text = with_include(main_text, include_line(files.main, file))
    staged[files.main] = main_text
    staged[files.seal] = ""  # written below, once the digests are known
    after, names = load_staged(books, staged)
    if after.errors:
        return YearTexts(failure=[translate(format_error(e), names)
                                  for e in after.errors[:30]])
    snapshots = loan_snapshots(after.entries, end)
    staged[files.seal] = seal_text(after, year, end, snapshots, len(entries),
                                   inputs.first_month)
    staged[files.opening] = opening_text(after, year, end, snapshots, opens)
    daily, notes = daily_text(books, main_text, end, {
        files.year_end: False, files.carry: True, files.seal: True}, files.opening)
    if daily is not None:
        staged[files.daily] = daily
        checked, names = load_staged(books, staged, files.daily)
        if checked.errors:
            return YearTexts(failure=["the daily books would not load cleanly:"] + [
                translate(format_error(e), names) for e in checked.errors[:30]], notes=notes)
    return YearTexts(staged, notes=notes)


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


def year_result_accounts(books: Books, year: int,
                         end: datetime.date) -> tuple[dict[str, str], list[data.Open]]:
    """Each entity's 8999 Årets resultat account, and the ``open`` of those not yet open.

    An entity without an open account with ``bas: "8999"`` gets
    ``Expenses:<E>:8999-Årets-resultat``, opened on the year's last day by the year-end
    file itself (metadata ``year-end``, so no month seal covers it: an ``open`` written
    by hand in the sealed year would break its seal).

    Returns:
        Entity code to its 8999 account, and the ``open`` directives to write.
    """
    last = end - datetime.timedelta(days=1)
    accounts: dict[str, str] = {}
    opens: list[data.Open] = []
    for code in books.entities:
        found = [a for a in books.accounts_of(code) if books.bas(a) == YEAR_RESULT.bas]
        if found:
            accounts[code] = found[0]
            continue
        accounts[code] = YEAR_RESULT.account(code)
        opens.append(data.Open(
            data.new_metadata("<coopledger.close.yearend>", 0,
                              {"bas": YEAR_RESULT.bas, YEAR_END_KEY: str(year)}),
            last, accounts[code], [books.operating_currency], None))
    return accounts, opens


def open_text(entry: data.Open) -> str:
    """An ``open`` the close writes, as ledger text with its metadata."""
    meta = "".join(f'  {key}: "{value}"\n' for key, value in entry.meta.items()
                   if key not in ("filename", "lineno"))
    return f"{entry.date} open {entry.account} {' '.join(entry.currencies or ())}\n{meta}"


def result_entries(books: Books, year: int, start: datetime.date, end: datetime.date,
                   result_accounts: Mapping[str, str]) -> list[data.Transaction]:
    """Per entity: the year's result on 8999 against 2099 on the last day; 2099 to 2091
    the next day.

    The income and expense accounts keep the year's figures (BAS): the one 8999 posting
    brings the year's income statement to zero, and 2099 shows the result in the balance
    sheet at the year's end.

    Args:
        books: The books before the close.
        year: The fiscal year closed.
        start: Its first day.
        end: The next year's first day.
        result_accounts: Each entity's 8999 account (:func:`year_result_accounts`).

    Returns:
        The year-end entries (dated the year's last day) and the carry-forward entries
        (dated ``end``), in entity order.
    """
    currency = books.operating_currency
    results: dict[str, Decimal] = defaultdict(Decimal)
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
                results[code] += units.number
            if books.bas(posting.account) == "2099":
                result_2099[code] += units.number
    last = end - datetime.timedelta(days=1)
    meta = {YEAR_END_KEY: str(year)}
    entries = []
    for code in books.entities:
        total = results[code]  # the books' sign: a profit is negative
        if total:
            entries.append(_txn(meta, last, f"Årets resultat {year}, {code}",
                                [(result_accounts[code], -total),
                                 (_equity_account(books, code, "2099"), total)], currency))
        carried = result_2099[code] + total
        if carried:
            entries.append(_txn(meta, end, f"Årets resultat {year} till balanserad vinst, "
                                f"{code}", [(_equity_account(books, code, "2099"), -carried),
                                            (_equity_account(books, code, "2091"), carried)],
                                currency))
    return entries


def seal_text(after: Books, year: int, end: datetime.date,
              snapshots: Mapping[str, Mapping[str, str]], count: int, first_month: int) -> str:
    """The year seal (see :mod:`coopledger.close.yearseal`) of the books after the close."""
    loans = f'  loans: "{snapshots_digest(snapshots)}"\n' if snapshots else ""
    balances = sealed_balances(closing_balances(after.entries, end))
    return (f'{end - datetime.timedelta(days=1)} custom "{SEAL}" "{year}"\n'
            f'  digest: "{year_end_digest(after.entries, str(year), end, carry=False)}"\n'
            f'  carry: "{year_end_digest(after.entries, str(year), end, carry=True)}"\n'
            f'  balances: "{balances_digest(balances)}"\n'
            f'  accounts: "{account_digests(balances)}"\n'
            f"{loans}  count: {count}\n  fiscal-year-start: {first_month}\n"
            f"  version: {YEAR_SEAL_VERSION}\n")


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


def loan_account_parts(entries: Iterable[data.Directive], records: Mapping[str, LoanRecord],
                       end: datetime.date) -> dict[str, dict[str, Decimal]]:
    """Each loan's part of its loan accounts' balances before ``end``.

    The lender's receivable and accrued interest (BAS 1380, 1682) and the borrower's
    liability and accrued interest (2390, 2960) are shared by an entity's loans; a
    loan's part is the sum of the postings on them in the transactions linked to it.

    Returns:
        Account to loan id to amount (zero parts left out).
    """
    parts: dict[str, dict[str, Decimal]] = {}
    for entry in entries:
        if not isinstance(entry, data.Transaction) or entry.date >= end or not entry.links:
            continue
        for link in entry.links:
            record = records.get(link)
            if record is None:
                continue
            mine = {record.accounts.lender["principal"], record.accounts.lender["accrued"],
                    record.accounts.borrower["principal"], record.accounts.borrower["accrued"]}
            for posting in entry.postings:
                units = posting.units
                if posting.account in mine and units is not None and units.number is not None:
                    by_loan = parts.setdefault(posting.account, {})
                    by_loan[link] = by_loan.get(link, ZERO) + units.number
    return {account: {k: v for k, v in by_loan.items() if v}
            for account, by_loan in parts.items()}


def opening_text(after: Books, year: int, end: datetime.date,
                 snapshots: Mapping[str, Mapping[str, str]],
                 opens: Iterable[data.Open] = ()) -> str:
    """The opening-balance entries of the next year, one per entity, dated the last day.

    They hold the balance sheet's accounts (Assets, Liabilities, Equity): the income and
    expense accounts start the next year from zero (their year nets to zero with 8999).
    The loan accounts' balances are split per loan (posting metadata ``loan``, the
    entry linked to each of its loans), and each loan's snapshot follows. ``opens``,
    the 8999 accounts the year-end file opens, are opened here too, so the daily books
    know every account the full books do.

    Raises:
        CoopException: An entity's balances do not sum to zero in a currency.
    """
    last = end - datetime.timedelta(days=1)
    records = loan_book(after).loans
    split = loan_account_parts(after.entries, records, end)
    by_entity: dict[str, list[tuple[str, str, Decimal]]] = defaultdict(list)
    balances = sealed_balances(closing_balances(after.entries, end))
    for account, parts in split.items():
        currency = next(records[k].loan.currency for k in parts) if parts else ""
        if parts and (account, currency) not in balances:
            balances[(account, currency)] = Decimal(0)
    for (account, currency), value in sorted(balances.items()):
        by_entity[entity_of(account) or ""].append((account, currency, value))
    parts_text = [f"; Opening balances of {end.year}: the closing balances of {year}, sealed. "
                  "Included by the daily books only.\n"]
    parts_text.extend("\n" + open_text(o) for o in opens)
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
        if _dated_content(entry) or YEAR_END_KEY in entry.meta:
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
