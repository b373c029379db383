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
and whether their metadata marks them interpolated or as a rounding residual) and the
tolerance options, nothing else. A file booked alone keeps which of its booked
transactions that check rejects, and which balance exactly (their residual is zero, so
no tolerance is needed) (:func:`balance_marks`); :class:`Balanced` then lets the check
skip every transaction that is, after the plugins, still the very object booked, with the
very same postings, each marked as it was (:func:`checked`). A plugin that replaced or
changed a transaction has it checked again, but for one kind of change the check's
answer is known without it: a transaction that balanced exactly, given more postings
that cancel out in pairs (the clearing postings of :mod:`coopledger.clearing`; see
:meth:`Balanced.holds`).
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from beancount.core import data, interpolate
from beancount.core.amount import Amount
from beancount.core.number import MISSING
from beancount.ops import validation
from beancount.parser import booking

from coopledger.plugins import SortedEntries

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
    entries = SortedEntries(entry for part in booked for entry in part)
    entries.sort(key=data.entry_sortkey)  # and remembers it (the plugins' sorts skip)
    return entries


def balance_marks(booked: Sequence[data.Directive],
                  options: Mapping[str, Any]) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The places of the booked transactions Beancount's balance check rejects, and of
    those that balance exactly.

    The check is ``validation.validate_check_transaction_balances``'s, transaction by
    transaction: a transaction whose residual (``interpolate.compute_residual``) is empty
    passes whatever the tolerances (the residual's inventory drops a position whose
    number becomes zero, and never adds one of zero); the others are compared with the
    tolerances inferred from their postings.

    Args:
        booked: One file's booked entries.
        options: The load's options map.
    """
    rejected: list[int] = []
    exact: list[int] = []
    residual_of = interpolate.compute_residual
    tolerances = interpolate.infer_tolerances
    for place, entry in enumerate(booked):
        if not isinstance(entry, data.Transaction):
            continue
        residual = residual_of(entry.postings)  # type: ignore[no-untyped-call]
        if not len(residual):  # is_empty(), without the method call
            exact.append(place)
        elif not residual.is_small(tolerances(entry.postings, options)):  # type: ignore[no-untyped-call]
            rejected.append(place)
    return tuple(rejected), tuple(exact)


_ABSENT = object()
_INTERPOLATED, _RESIDUAL = interpolate.AUTOMATIC_META, interpolate.AUTOMATIC_RESIDUAL


def _marks(postings: Iterable[data.Posting]) -> list[object]:
    """What the balance check reads of the postings' metadata, to compare by identity.

    The interpolation mark (the tolerances skip a posting that has it) and the rounding
    mark (the residual skips a posting that has it), each as the value the metadata
    holds (or a marker for none). A plain loop: it runs twice for every transaction of
    a load, and this is its fastest form.
    """
    marks: list[object] = []
    append = marks.append
    for posting in postings:
        meta = posting.meta
        if meta is None:
            append(_ABSENT)
            append(_ABSENT)
        else:
            append(meta.get(_INTERPOLATED, _ABSENT))
            append(meta.get(_RESIDUAL, _ABSENT))
    return marks


def _cancel(first: data.Posting, second: data.Posting) -> bool:
    """Whether two postings' weights add up to exactly nothing in the residual."""
    units, other = first.units, second.units
    return (type(units) is Amount and type(other) is Amount
            and units.currency == other.currency
            and type(units.number) is Decimal and type(other.number) is Decimal
            and units.number.is_finite() and units.number.copy_negate() == other.number
            and first.cost is None and first.price is None
            and second.cost is None and second.price is None
            and not (first.meta and first.meta.get(_RESIDUAL, False))
            and not (second.meta and second.meta.get(_RESIDUAL, False)))


Known = tuple[data.Transaction, tuple[data.Posting, ...], list[object]]


class Balanced:
    """Booked transactions known to pass Beancount's balance check while unchanged.

    Attributes:
        settings: The options the check read when it passed them (:func:`settings`).
    """

    def __init__(self, options: Mapping[str, Any]) -> None:
        self.settings = settings(options)
        self._known: dict[int, Known] = {}
        self._exact: dict[int, Known] = {}  # by id of the transaction's metadata

    def add(self, booked: Sequence[data.Directive], rejected: Iterable[int],
            exact: Iterable[int] = ()) -> None:
        """Remember a file's booked transactions but those at the ``rejected`` places,
        and which of them (the ``exact`` places) balance exactly."""
        skip = set(rejected)
        known = self._known
        for place, entry in enumerate(booked):
            if isinstance(entry, data.Transaction) and place not in skip:
                # The entry itself is kept: its id cannot name another object later.
                known[id(entry)] = (entry, tuple(entry.postings), _marks(entry.postings))
        for place in exact:
            entry = booked[place]
            # By its metadata's id: a dict of its own (None would name every such entry).
            if isinstance(entry, data.Transaction) and type(entry.meta) is dict:
                self._exact[id(entry.meta)] = known[id(entry)]

    def holds(self, entry: data.Directive) -> bool:
        """Whether ``entry`` passes the balance check by what is known of it.

        It does if it is a remembered transaction, its postings as they were; or if it
        carries the metadata (the very object) of a remembered transaction that
        balanced exactly, its postings that transaction's (the very objects, marked as
        they were) followed by pairs that cancel out: no cost, no price, no rounding
        mark, the same currency, numbers of opposite sign and equal size. The residual
        Beancount computes for it then adds each pair's two weights to an empty
        inventory: the first makes one position (or none, if zero), the second takes it
        back to zero exactly (the sum of a number and its negation is exact) and the
        position is dropped, so the residual is empty again, which passes every
        tolerance.
        """
        known = self._known.get(id(entry))
        if known is not None and known[0] is entry:
            return self._same(entry.postings, known)
        if not isinstance(entry, data.Transaction):
            return False
        exact = self._exact.get(id(entry.meta))
        if exact is None or exact[0].meta is not entry.meta:
            return False
        postings = entry.postings
        count = len(exact[1])
        if len(postings) <= count or (len(postings) - count) % 2:
            return False
        return (self._same(postings[:count], exact)
                and all(map(_cancel, postings[count::2], postings[count + 1::2])))

    @staticmethod
    def _same(postings: Sequence[data.Posting], known: Known) -> bool:
        if len(postings) != len(known[1]) or not all(map(operator.is_, postings, known[1])):
            return False
        marks = _marks(postings)
        return len(marks) == len(known[2]) and all(map(operator.is_, marks, known[2]))


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
