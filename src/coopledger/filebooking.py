"""Booking file by file: which included files Beancount books the same on their own.

Beancount books all entries of a load in one pass (``booking.book``): for each
transaction, in date order, it groups the postings by currency, matches the postings
held at cost against the lots in their accounts' running balances, and interpolates the
one missing number from the transaction's own postings. The running balances are the
only state one transaction's booking reads from the others, and it reads them only
(Beancount 3.2, ``beancount/parser/booking_full.py``):

- for a posting with a cost (``{...}``): ``book_reductions`` asks the account's balance
  whether the posting reduces it and matches its lots, under the account's booking
  method (from the ``open`` directives of every file and ``option "booking_method"``);
- for a posting whose currency is not written (a number without a currency, a cost or
  price without one): ``categorize_by_currency`` takes it from the currencies the
  account holds.

Interpolation itself (``interpolate_group``) reads the transaction's own postings and the
tolerance options only. So a transaction none of whose postings has a cost or a missing
currency books the same whatever came before it, and so does a file made only of such
transactions: its booked entries depend on its own entries and the options that booking
reads (:data:`BOOKING_OPTIONS`) alone, and can be kept beside its parse.

The files that do not pass this rule, and every file that posts to an account one of
them reads (or opens such an account with a booking method), are booked together, in
one pass over their entries in date order, exactly as a plain load books them: the
balances they read are made of their own postings only, in the same order. A file whose
booking on its own gives an error joins them too, so the errors keep a plain load's
order. What each file booked alone gives is then merged with the rest in the load's
own order (:func:`merge`): the same entries, in the same order, as ``booking.book`` over
all of them. ``tests/test_loadcache.py`` compares the two, with lots at cost, postings
without a currency and booking errors spread over random files.

Beancount's last check of a load, ``validation.validate_check_transaction_balances``,
is per transaction too: it reads a transaction's postings (their units, costs and prices,
and whether their metadata marks them interpolated) and the tolerance options, nothing
else. A file booked alone keeps which of its booked transactions that check rejects;
:class:`Balanced` then lets the check skip every transaction that is, after the plugins,
still the very object booked, with the very same postings, each marked as it was
(:func:`checked`). A plugin that replaced or changed a transaction has it checked again.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from beancount.core import data, interpolate
from beancount.core.amount import Amount
from beancount.core.number import MISSING
from beancount.ops import validation
from beancount.parser import booking

#: The options ``booking.book`` reads (Beancount 3.2): the default booking method and
#: the tolerances interpolation rounds to (the balance check reads the latter too).
BOOKING_OPTIONS = ("booking_method", "use_precise_interpolation", "infer_tolerance_from_cost",
                   "tolerance_multiplier", "inferred_tolerance_default")

#: What booking needs to know of a file's parsed entries, as three sets of accounts: those
#: whose running balance its booking reads, those it posts to, those it opens with a
#: booking method.
Footprint = tuple[frozenset[str], frozenset[str], frozenset[str]]


def _written(amount: Any) -> bool:
    """Whether an amount (units or price) names its currency."""
    return isinstance(amount, Amount) and isinstance(amount.currency, str)


def footprint(entries: Iterable[data.Directive]) -> Footprint:
    """The accounts a file's booking reads, posts to and opens with a booking method.

    Args:
        entries: The file's parsed (not yet booked) entries.

    Returns:
        The three sets of :data:`Footprint`.
    """
    reads: set[str] = set()
    posts: set[str] = set()
    methods: set[str] = set()
    for entry in entries:
        if isinstance(entry, data.Transaction):
            for posting in entry.postings:
                posts.add(posting.account)
                units: Any = posting.units  # MISSING when left to interpolation
                price = posting.price
                if (posting.cost is not None
                        or not (units is MISSING or _written(units))
                        or not (price is None or _written(price))):
                    reads.add(posting.account)
        elif isinstance(entry, data.Open) and entry.booking:
            methods.add(entry.account)
    return frozenset(reads), frozenset(posts), frozenset(methods)


def settings(options: Mapping[str, Any]) -> str:
    """The options booking reads, as text for a cache key."""
    return repr([(name, options.get(name)) for name in BOOKING_OPTIONS])


def booked_together(prints: Mapping[str, Footprint]) -> set[str]:
    """The files that must be booked together (by key): see the module's rule.

    Args:
        prints: Each file's footprint, by its key.

    Returns:
        The keys of the files whose booking reads a balance, and of every file that
        posts to such a balance or opens its account with a booking method.
    """
    read = frozenset().union(*(reads for reads, _, _ in prints.values()))
    return {key for key, (reads, posts, methods) in prints.items()
            if reads or posts & read or methods & read}


def book_alone(entries: Sequence[data.Directive],
               options: Mapping[str, Any]) -> list[data.Directive] | None:
    """One file's entries booked on their own, or None when booking finds an error.

    Args:
        entries: The file's parsed entries, in the file's order.
        options: The load's options map.

    Returns:
        The booked entries in date order, as ``booking.book`` gives them.
    """
    ordered = sorted(entries, key=data.entry_sortkey)
    booked, errors = booking.book(ordered, options)  # type: ignore[no-untyped-call]
    return None if errors else list(booked)


def book_jointly(files: Sequence[tuple[str, Sequence[data.Directive]]],
                 options: Mapping[str, Any]) -> tuple[dict[str, list[data.Directive]],
                                                      list[Any]] | None:
    """Book several files' entries together, as a plain load books them.

    Args:
        files: Each file's name and parsed entries, in the load's order of files.
        options: The load's options map.

    Returns:
        Each file's booked entries (by its name, in date order) and the booking errors,
        or None when a booked entry names no file of ``files`` (its place in the load's
        order would be unknown).
    """
    entries = [entry for _, parsed in files for entry in parsed]
    entries.sort(key=data.entry_sortkey)
    booked, errors = booking.book(entries, options)  # type: ignore[no-untyped-call]
    by_file: dict[str, list[data.Directive]] = {name: [] for name, _ in files}
    for entry in booked:
        bucket = by_file.get(str(entry.meta.get("filename")) if entry.meta else "")
        if bucket is None:
            return None
        bucket.append(entry)
    return by_file, list(errors)


def book_all(parts: Iterable[Sequence[data.Directive]],
             options: Mapping[str, Any]) -> tuple[list[data.Directive], list[Any]]:
    """Every file's parsed entries (in the load's order of files) booked at once."""
    entries = [entry for part in parts for entry in part]
    entries.sort(key=data.entry_sortkey)
    booked, errors = booking.book(entries, options)  # type: ignore[no-untyped-call]
    return list(booked), list(errors)


def merge(booked: Iterable[list[data.Directive]]) -> list[data.Directive]:
    """Each file's booked entries (in the load's order of files) in the load's order.

    A plain load sorts the files' entries, concatenated in the order the files were
    read, with a stable sort on ``data.entry_sortkey``; each list here is one file's in
    that order, so the same stable sort of their concatenation puts every entry where
    the plain load does, ties between files included.
    """
    entries = [entry for part in booked for entry in part]
    entries.sort(key=data.entry_sortkey)
    return entries


def unbalanced(booked: Sequence[data.Directive], options: Mapping[str, Any]) -> tuple[int, ...]:
    """The places of the booked entries Beancount's balance check rejects.

    Args:
        booked: One file's booked entries.
        options: The load's options map.
    """
    errors = validation.validate_check_transaction_balances(  # type: ignore[no-untyped-call]
        booked, options)
    rejected = {id(error.entry) for error in errors}
    return tuple(place for place, entry in enumerate(booked) if id(entry) in rejected)


def _marks(entry: data.Transaction) -> tuple[bool, ...]:
    return tuple(posting.meta is not None and interpolate.AUTOMATIC_META in posting.meta
                 for posting in entry.postings)


class Balanced:
    """Booked transactions known to pass Beancount's balance check while unchanged.

    Attributes:
        settings: The options the check read when it passed them (:func:`settings`).
    """

    def __init__(self, options: Mapping[str, Any]) -> None:
        self.settings = settings(options)
        self._known: dict[int, tuple[data.Transaction, tuple[data.Posting, ...],
                                     tuple[bool, ...]]] = {}

    def add(self, booked: Sequence[data.Directive], rejected: Iterable[int]) -> None:
        """Remember a file's booked transactions but those at the ``rejected`` places."""
        skip = set(rejected)
        for place, entry in enumerate(booked):
            if isinstance(entry, data.Transaction) and place not in skip:
                # The entry itself is kept: its id cannot name another object later.
                self._known[id(entry)] = (entry, tuple(entry.postings), _marks(entry))

    def holds(self, entry: data.Directive) -> bool:
        """Whether ``entry`` is a remembered transaction, its postings as they were."""
        known = self._known.get(id(entry))
        if known is None or known[0] is not entry:
            return False
        postings = known[0].postings
        return (len(postings) == len(known[1]) and all(map(operator.is_, postings, known[1]))
                and _marks(known[0]) == known[2])


def checked(entries: Sequence[data.Directive], options: Mapping[str, Any],
            balanced: Balanced) -> list[Any]:
    """Beancount's validation (``validation.validate``) of a load's final entries.

    Each of ``validation.VALIDATIONS`` runs over the entries, as ``validate`` runs them,
    but for the balance check, which skips the transactions ``balanced`` holds: their
    result is known, and none of them gives an error, so the errors are the same, in the
    same order. Should a plugin have changed the tolerance options, every transaction is
    checked.
    """
    errors: list[Any] = []
    unchanged = settings(options) == balanced.settings
    for check in validation.VALIDATIONS:
        if check is validation.validate_check_transaction_balances and unchanged:
            errors.extend(check(  # type: ignore[no-untyped-call]
                [entry for entry in entries if not balanced.holds(entry)], options))
        else:
            errors.extend(check(entries, options))  # type: ignore[no-untyped-call]
    return errors
