"""Loading the books: one Beancount ledger, read once, with its entities and declarations.

:func:`load_books` is the one entry point the commands, the Fava extension and other tools
share. It loads the ledger through Beancount's full pipeline (the ledger's own plugins
included), takes coopledger's declarations as its plugins validated them (or validates
them, for entries loaded without the plugins) and indexes the accounts once, so that the
reports built on it do no parsing of their own.
"""

from __future__ import annotations

import bisect
import datetime
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

from beancount import loader
from beancount.core import data

from coopledger import loadcache
from coopledger.collector import paused_if_allowed
from coopledger.declarations import Declarations, parse_declarations
from coopledger.entities import Entity, EntityKind, entity_of, index_entities
from coopledger.errors import CoopException
from coopledger.i18n import Message
from coopledger.loadcache import LoadCache
from coopledger.loadindex import scan, shared_index

ENTITIES_PLUGIN = "coopledger.plugins.entities"
T = TypeVar("T")
#: Tag of the year-end entries that book each entity's result to equity (on 8999 Årets
#: resultat against 2099; in books closed before, out of each income and expense account).
#: Their postings on income and expense accounts are left out of results (an income
#: statement of a closed year shows the year's result, not the zero 8999 makes of it),
#: not out of balances.
YEAR_END_TAG = "year-end"


@dataclass(frozen=True)
class PostingIndex:
    """The postings of one currency as parallel lists in date order, for range sums.

    Attributes:
        dates: Each posting's transaction date, ascending.
        accounts: Each posting's account.
        numbers: Each posting's units.
        result_transfer: Whether the posting books a closed year's result on an income
            or expense account (a year-end entry's 8999 posting).
    """

    dates: list[datetime.date]
    accounts: list[str]
    numbers: list[Decimal]
    result_transfer: list[bool]

    @classmethod
    def build(cls, transactions: list[data.Transaction], currency: str) -> PostingIndex:
        """Index the postings in ``currency`` of date-ordered transactions."""
        dates: list[datetime.date] = []
        accounts: list[str] = []
        numbers: list[Decimal] = []
        transfer: list[bool] = []
        for entry in transactions:
            year_end = bool(entry.tags) and YEAR_END_TAG in entry.tags
            for posting in entry.postings:
                units = posting.units
                if units is None or units.currency != currency or units.number is None:
                    continue
                dates.append(entry.date)
                accounts.append(posting.account)
                numbers.append(units.number)
                transfer.append(year_end and posting.account.startswith(("Income:",
                                                                         "Expenses:")))
        return cls(dates, accounts, numbers, transfer)

    def span(self, start: datetime.date | None, end: datetime.date | None) -> range:
        """Positions of the postings dated ``start <= date < end`` (None: unbounded)."""
        lo = 0 if start is None else bisect.bisect_left(self.dates, start)
        hi = len(self.dates) if end is None else bisect.bisect_left(self.dates, end)
        return range(lo, hi)

    @cached_property
    def by_entity(self) -> dict[str, list[int]]:
        """The positions of each entity's postings, ascending (built on first use)."""
        owners = {account: entity_of(account) for account in set(self.accounts)}
        positions: dict[str, list[int]] = {code: [] for code in owners.values()
                                           if code is not None}
        for i, account in enumerate(self.accounts):
            code = owners[account]
            if code is not None:
                positions[code].append(i)
        return positions

    def entity_rows(self, entity: str) -> list[tuple[datetime.date, str, Decimal]]:
        """``(date, account, units)`` of every posting of one entity, in date order."""
        dates, accounts, numbers = self.dates, self.accounts, self.numbers
        return [(dates[i], accounts[i], numbers[i]) for i in self.by_entity.get(entity, [])]

    def entity_span(self, entity: str, start: datetime.date | None,
                    end: datetime.date | None) -> list[int]:
        """Positions of one entity's postings dated ``start <= date < end``, ascending.

        The positions of :meth:`span` whose account belongs to ``entity``, found without
        looking at the other entities' postings.
        """
        positions = self.by_entity.get(entity, [])
        whole = self.span(start, end)
        lo = bisect.bisect_left(positions, whole.start)
        hi = bisect.bisect_left(positions, whole.stop)
        return positions[lo:hi]


#: How many results of one kind (a key's first item) the books keep by default.
MEMO_KEEP = 32


class Memo:
    """Results computed from one load's books: the one cache of per-load results.

    Held by :class:`Books`, so it lives exactly as long as the books (a new load makes
    new books and a new memo). Bounded: each kind of result (a key's first item) keeps
    its most recently used results, the oldest dropped first. Safe to share between a
    server's request threads (two threads may both compute a missing result once).
    """

    def __init__(self) -> None:
        self._kinds: dict[object, OrderedDict[tuple[object, ...], Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple[object, ...], compute: Callable[[], T],
            keep: int = MEMO_KEEP) -> T:
        """The result remembered for ``key``, or ``compute()`` remembered.

        Args:
            key: What is computed and from which arguments, hashable; its first item
                names the kind of result.
            compute: Computes it.
            keep: How many results of this kind to keep.

        Returns:
            The remembered or newly computed result.
        """
        with self._lock:
            kind = self._kinds.setdefault(key[0], OrderedDict())
            if key in kind:
                kind.move_to_end(key)
                found: T = kind[key]
                return found
        value = compute()
        with self._lock:
            kind[key] = value
            while len(kind) > keep:
                kind.popitem(last=False)
        return value

    def known(self, key: tuple[object, ...]) -> bool:
        """Whether a result is remembered for ``key`` (without computing it)."""
        with self._lock:
            return key in self._kinds.get(key[0], {})

    def __len__(self) -> int:
        with self._lock:
            return sum(len(kind) for kind in self._kinds.values())


@dataclass(frozen=True)
class Books:
    """A loaded ledger: its directives, errors, options and coopledger's view of them.

    Attributes:
        path: The main file.
        entries: Every directive after Beancount's and the ledger's plugins, sorted.
        errors: Beancount's and the plugins' errors.
        options: Beancount's options map.
        declarations: The valid ``coop-...`` declarations.
        memo: Results computed from these books that several readers share (a view's
            figures, the loan book), keyed by their reader; they live as long as the
            books do (see :meth:`remember`).
    """

    path: Path
    entries: list[data.Directive]
    errors: list[Any]
    options: dict[str, Any]
    declarations: Declarations = field(default_factory=Declarations)
    memo: Memo = field(default_factory=Memo, compare=False, repr=False)

    def remember(self, key: tuple[object, ...], compute: Callable[[], T], *,
                 keep: int = MEMO_KEEP) -> T:
        """``compute()``, once per key for these books (the books never change).

        The one cache of results computed from a load: bounded, and dropped with the
        books.

        Args:
            key: What is computed and from which arguments, hashable; its first item
                names the kind of result (``"fund.loan_book"``).
            compute: Computes it.
            keep: How many results of this kind the books keep (most recently used).

        Returns:
            The remembered or newly computed result.
        """
        return self.memo.get(key, compute, keep)

    @cached_property
    def entities(self) -> dict[str, Entity]:
        """Declared entities by code, in declaration order."""
        entities, _ = index_entities(self.declarations.of(Entity))
        return entities

    @cached_property
    def opens(self) -> dict[str, data.Open]:
        """The ``open`` directive of every account, by account name."""
        return {e.account: e for e in self.entries if isinstance(e, data.Open)}

    @cached_property
    def transactions(self) -> list[data.Transaction]:
        """Every transaction, in date order."""
        return [e for e in self.entries if isinstance(e, data.Transaction)]

    @cached_property
    def postings(self) -> PostingIndex:
        """Every posting in the operating currency, indexed by date (built once)."""
        return PostingIndex.build(self.transactions, self.operating_currency)

    @property
    def operating_currency(self) -> str:
        """The ledger's first operating currency (SEK unless the ledger says otherwise)."""
        currencies = self.options.get("operating_currency") or ["SEK"]
        return str(currencies[0])

    @property
    def umbrella(self) -> Entity | None:
        """The umbrella entity, if declared."""
        return next((e for e in self.entities.values()
                     if e.kind is EntityKind.UMBRELLA), None)

    def entity(self, code: str) -> Entity:
        """The entity with this code.

        Raises:
            CoopException: No such entity; the message lists the known codes.
        """
        try:
            return self.entities[code]
        except KeyError:
            known = ", ".join(self.entities) or Message.of("error.none")
            raise CoopException(Message.of("error.unknown_entity", code=repr(code),
                                           known=known)) from None

    def bas(self, account: str) -> str | None:
        """The BAS number of an account, from its ``open`` metadata."""
        return self.bas_numbers.get(account)

    @cached_property
    def bas_numbers(self) -> dict[str, str]:
        """Every opened account's BAS number (``bas`` metadata), by account; read once,
        since the pages and reports ask for it for every posting they sum."""
        return {account: str(entry.meta["bas"]) for account, entry in self.opens.items()
                if entry.meta and entry.meta.get("bas") is not None}

    def is_intragroup(self, account: str) -> bool:
        """Whether an account holds intra-group positions eliminated on consolidation."""
        entry = self.opens.get(account)
        return bool(entry is not None and entry.meta.get("intragroup"))

    def accounts_of(self, code: str) -> list[str]:
        """Every opened account of one entity, sorted."""
        return sorted(a for a in self.opens if entity_of(a) == code)

    @property
    def last_date(self) -> datetime.date:
        """The date of the last dated entry (today for empty books)."""
        if self.entries:
            return self.entries[-1].date
        return datetime.datetime.now().astimezone().date()


def load_books(path: str | Path, *, pause_collector: bool = False,
               cache: bool | LoadCache | None = None) -> Books:
    """Load a ledger through Beancount and index coopledger's declarations.

    The load changes nothing in the process: Beancount's loader keeps the cache setting
    the caller gave it (the ``coopledger`` command turns its pickle cache off), and the
    garbage collector runs unless asked (see :mod:`coopledger.collector`).

    Args:
        path: The main ledger file.
        pause_collector: Pause the cyclic garbage collector during the load (about a
            third faster on large books); also on inside
            :func:`coopledger.collector.pausing_allowed`.
        cache: Load through coopledger's content-keyed load cache
            (:mod:`coopledger.loadcache`): True for the default folder, a
            :class:`~coopledger.loadcache.LoadCache` for another, False for none. None
            (the default) uses it only inside
            :func:`coopledger.loadcache.caching_allowed`, as the command does. The
            books are the same either way.

    Returns:
        The books, errors included: loading never raises on a bad ledger.

    Raises:
        CoopException: The file does not exist.
    """
    main = Path(path)
    if not main.is_file():
        raise CoopException(f"{main}: no such ledger file")
    # The load allocates millions of long-lived objects and no reference cycles; the
    # cyclic collector rescanning them costs about a third of the load (measured in
    # docs/performance.md).
    chosen = cache_for(cache)
    with paused_if_allowed(asked=pause_collector):
        if chosen is None:
            entries, errors, options = loader.load_file(str(main))
        else:
            entries, errors, options = loadcache.load_file(main, chosen)
    return books_from_entries(main, entries, errors, options)


def cache_for(cache: bool | LoadCache | None) -> LoadCache | None:
    """The load cache ``load_books(..., cache=cache)`` uses (None: a plain load)."""
    if isinstance(cache, LoadCache):
        return cache
    if cache is None:
        return loadcache.allowed_cache()
    if cache:
        directory = loadcache.default_cache_dir()
        return LoadCache(directory) if directory is not None else None
    return None


def books_from_entries(
    path: str | Path, entries: list[data.Directive], errors: list[Any], options: dict[str, Any],
) -> Books:
    """Wrap already loaded entries (from Fava, a test or another tool) as books.

    Args:
        path: The main file the entries came from.
        entries: The loaded directives.
        errors: The load's errors.
        options: The options map.

    Returns:
        The books.
    """
    return Books(Path(path), entries, list(errors), options, declarations_of(entries, options))


def declarations_of(entries: list[data.Directive], options: dict[str, Any]) -> Declarations:
    """The valid declarations of loaded entries, validated once per load.

    coopledger's plugins leave the declarations they validated in the load's options map
    (:mod:`coopledger.loadindex`); when that index describes the entries' custom
    directives it is used as it is (a load served by the load cache carries it too),
    otherwise they are validated here. Either way the result is the same.

    Args:
        entries: The loaded directives.
        options: The load's options map.

    Returns:
        The declarations by type, each list in date order.
    """
    index = shared_index(options)
    if index is not None and index.describes(scan(entries)[0]):
        return index.declarations
    declarations, _ = parse_declarations(entries)
    return declarations


def uses_entities_plugin(options: dict[str, Any]) -> bool:
    """Whether the ledger loads coopledger's entities plugin."""
    return any(name == ENTITIES_PLUGIN for name, _ in options.get("plugin", []))
