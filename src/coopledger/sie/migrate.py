"""A member's earlier books brought into books whose years may be sealed.

A cooperative that joins the umbrella (``coopledger new-coop``, whose declaration dates
its first day in the umbrella's books) brings its history from another program as a SIE
file. That history is not booked into the umbrella's books: those years may be sealed,
and the law forbids writing into them. Instead the member **joins with opening
balances** on its first day, and its history is **archived beside the books**:

- the history: a ledger of its own (the entity's declaration dated at the history's
  first day, its accounts, ``#IB`` and every voucher, as :func:`~coopledger.sie.importer.
  import_sie` writes them), which ``coopledger check``, Fava and ``coopledger sie export``
  read like any books; it is not included from the main file;
- the opening balances: one transaction on the entity's first day (metadata
  ``sie-source: "IB"``, so a SIE export counts it in ``#IB``; ``migrated-from:`` names
  the history file) holding the history's closing balance of every balance-sheet
  account, mapped by BAS number onto the member's accounts (missing ones are opened on
  that day); the result of the history's last year, not yet booked to equity there,
  goes to 2091 Balanserad vinst eller förlust, so the entry balances. This file is
  included from the main file.

Nothing of the sealed months or years changes, so every seal still holds.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from beancount import loader
from beancount.core import data

from coopledger.books import Books
from coopledger.errors import CoopException, format_error
from coopledger.files import FileTransaction, include_line, read_text, with_include
from coopledger.sie.importer import Imported, import_sie
from coopledger.sie.records import SieFile

ZERO = Decimal(0)
RETAINED = "2091"
BALANCE_ROOTS = ("Assets", "Liabilities", "Equity")


@dataclass(frozen=True)
class Migration:
    """What a migration writes, and what the user should know.

    Attributes:
        history: The archived history: a ledger of its own.
        opening: The opening-balance file for the books (opens and one transaction).
        start: The member's first day in the books (the opening balances' date).
        last: The history's last day.
        warnings: Notes from the import.
        differences: Accounts whose imported closing balance differs from ``#UB``/``#RES``.
    """

    history: str
    opening: str
    start: datetime.date
    last: datetime.date
    warnings: tuple[str, ...]
    differences: tuple[str, ...]


def history_ledger(sie: SieFile, code: str, *, currency: str,
                   title: str) -> tuple[str, Imported]:
    """The history as a ledger of its own, and the import it holds.

    Returns:
        The ledger text (options, the entities plugin, the declaration, the books) and
        the import (its warnings and differences against ``#UB``/``#RES``).
    """
    imported = import_sie(sie, code, currency=currency, declare=True)
    quoted = title.replace("\\", "\\\\").replace('"', '\\"')
    head = (f"; {title}: archived beside the books, not included in them "
            "(coopledger sie import --ledger; see docs/sie.md).\n"
            f'option "title" "{quoted}"\n'
            f'option "operating_currency" "{currency}"\n'
            'plugin "coopledger.plugins.entities"\n\n')
    return head + imported.text, imported


def migrate_sie(sie: SieFile, books: Books, code: str, *, currency: str = "SEK",
                history_name: str, source: str) -> Migration:
    """Archive a member's SIE history and compute its opening balances in the books.

    Args:
        sie: The member's SIE file, read.
        books: The umbrella's books, which declare the member (``coopledger new-coop``).
        code: The member's entity code.
        currency: The currency of the amounts.
        history_name: The history file's name as the opening entry cites it.
        source: The SIE file's name, for the history's title.

    Returns:
        The two texts to write.

    Raises:
        CoopException: The member is not declared, the history does not load on its own,
            or it reaches the member's first day in the books.
    """
    if code not in books.entities:
        raise CoopException(f"entity {code} is not declared in {books.path.name}: launch it "
                            "first (coopledger new-coop), with --start its first day in "
                            "these books")
    start = books.entities[code].start
    title = f"{code}: books before {start} (from {source})"
    text, imported = history_ledger(sie, code, currency=currency, title=title)
    entries, errors, _ = loader.load_string(text)
    if errors:
        raise CoopException(f"the history does not load on its own: {format_error(errors[0])}")
    history = [e for e in entries if isinstance(e, data.Transaction)]
    if not history:
        raise CoopException("the SIE file holds no balances and no vouchers: nothing to "
                            "migrate")
    last = max(e.date for e in history)
    if last >= start:
        raise CoopException(f"the history runs to {last}, but {code} starts in these books "
                            f"on {start}: declare the member from the day after its history "
                            "ends (its earlier books are archived, never booked here)")
    opening = opening_text(books, code, history, start, history_name, currency)
    return Migration(text, opening, start, last, imported.warnings, imported.differences)


def closing_by_bas(history: list[data.Transaction], currency: str,
                   ) -> tuple[dict[str, tuple[str, Decimal]], Decimal]:
    """The history's closing balance per BAS number (with its account), and its result.

    Returns:
        BAS number (from the account name) to (account, balance) for balance-sheet
        accounts; and the sum of the result accounts (income and expenses).
    """
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for entry in history:
        for posting in entry.postings:
            units = posting.units
            if units is None or units.number is None:
                continue
            if units.currency != currency:
                raise CoopException(f"the history holds {units.currency}, not {currency}: "
                                    "migrate one currency")
            totals[posting.account] += units.number
    balances: dict[str, tuple[str, Decimal]] = {}
    result = ZERO
    for account, amount in sorted(totals.items()):
        if account.split(":", 1)[0] not in BALANCE_ROOTS:
            result += amount
            continue
        bas = account.rsplit(":", 1)[1].split("-", 1)[0]
        held = balances.get(bas)
        balances[bas] = (held[0] if held else account, (held[1] if held else ZERO) + amount)
    return balances, result


def opening_text(books: Books, code: str, history: list[data.Transaction],
                 start: datetime.date, history_name: str, currency: str) -> str:
    """The opening-balance file: missing accounts opened, then one balanced entry."""
    balances, result = closing_by_bas(history, currency)
    if result:
        account, amount = balances.get(RETAINED, (
            f"Equity:{code}:{RETAINED}-Balanserad-vinst-eller-förlust", ZERO))
        balances[RETAINED] = (account, amount + result)
    known: dict[str, str] = {}
    for account in books.accounts_of(code):
        bas = books.bas(account)
        if bas is not None:
            known.setdefault(bas, account)
    lines = [f"; {code}: opening balances on joining, from its earlier books "
             f"({history_name}).\n"]
    rows = []
    for bas, (account, amount) in sorted(balances.items()):
        if not amount:
            continue
        target = known.get(bas, account)
        if target not in books.opens and bas not in known:
            lines.append(f'{start} open {target} {currency}\n  bas: "{bas}"\n')
            known[bas] = target
        rows.append(f"  {target}  {amount} {currency}")
    if not rows:
        return "".join(lines)
    quoted = history_name.replace("\\", "\\\\").replace('"', '\\"')
    lines.append(f'\n{start} * "Ingående balans vid inträdet" '
                 f'"{code}: balanser från tidigare bokföring"\n'
                 f'  sie-source: "IB"\n  migrated-from: "{quoted}"\n'
                 + "\n".join(rows) + "\n")
    return "".join(lines)


def history_end(sie: SieFile) -> datetime.date | None:
    """The last day a SIE file's books reach: its fiscal year's end or last voucher."""
    days = [v.date for v in sie.vouchers]
    year = sie.years.get(0)
    if year is not None:
        days.append(year[1])
    return max(days) if days else None


def is_migration(sie: SieFile, books: Books, code: str) -> bool:
    """Whether importing this file for ``code`` into these books is a migration: the
    member is declared there and its history ends before its first day in them."""
    entity = books.entities.get(code)
    end = history_end(sie)
    return entity is not None and end is not None and end < entity.start


def write_migration(books: Books, migration: Migration, history_path: Path,
                    opening_path: Path) -> list[Path]:
    """Write the history and the opening balances, and include the latter; atomically.

    Args:
        books: The books migrated into (their main file gets the ``include``; daily
            books also their full main file).
        migration: What :func:`migrate_sie` computed.
        history_path: Where the history goes (a new file).
        opening_path: Where the opening balances go (a new file).

    Returns:
        The files written.

    Raises:
        CoopException: The books do not check, a file exists already, or the member's
            first day is in a sealed month; nothing is written then.
    """
    from coopledger.close.yearseal import main_files
    from coopledger.seals import month_label, sealed_months

    for path in (history_path, opening_path):
        if path.exists():
            raise CoopException(f"{path} exists; a migration writes new files (move it away "
                                "or choose another name with -o)")
    month = month_label(migration.start)
    if month in sealed_months(books):
        raise CoopException(f"{migration.start}: month {month} is sealed; the member's "
                            "opening balances must be booked in an open month (declare its "
                            "first day there)")
    if books.errors:
        raise CoopException(f"the books have {len(books.errors)} error(s); nothing was "
                            "written (run coopledger check first)")
    with FileTransaction() as tx:
        tx.write(history_path, migration.history)
        tx.write(opening_path, migration.opening)
        for main in main_files(books.path, books.entries):
            tx.write(main, with_include(read_text(main), include_line(main, opening_path)))
    return [history_path, opening_path]
