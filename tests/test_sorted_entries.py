"""The entities plugin's entries skip Beancount's sorts only while they stay sorted."""

from __future__ import annotations

import copy
import datetime
import pickle
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from beancount import loader
from beancount.core import data
from beancount.core.amount import Amount
from hypothesis import given
from hypothesis import strategies as st

from coopledger.plugins import SortedEntries

EXAMPLE = Path(__file__).resolve().parents[1] / "ledgers" / "example" / "main.beancount"


def note(day: int, lineno: int) -> data.Note:
    meta = data.new_metadata("<test>", lineno)
    return data.Note(meta, datetime.date(2026, 1, 1) + datetime.timedelta(days=day),
                     "Assets:Paraply:1930-Företagskonto", f"note {day} {lineno}", None, None)


def balance(day: int, lineno: int) -> data.Balance:
    meta = data.new_metadata("<test>", lineno)
    return data.Balance(meta, datetime.date(2026, 1, 1) + datetime.timedelta(days=day),
                        "Assets:Paraply:1930-Företagskonto", Amount(Decimal(0), "SEK"), None,
                        None)


entry = st.builds(lambda kind, day, lineno: kind(day, lineno),
                  st.sampled_from([note, balance]), st.integers(0, 5), st.integers(0, 5))
entries = st.lists(entry, max_size=12)
operation = st.one_of(
    st.tuples(st.just("sort"), st.booleans()),
    st.tuples(st.just("append"), entry),
    st.tuples(st.just("extend"), entries),
    st.tuples(st.just("insert"), st.tuples(st.integers(-3, 12), entry)),
    st.tuples(st.just("setitem"), st.tuples(st.integers(0, 11), entry)),
    st.tuples(st.just("setslice"), st.tuples(st.integers(0, 11), entries)),
    st.tuples(st.just("iadd"), entries),
    st.tuples(st.just("imul"), st.integers(0, 2)),
    st.tuples(st.just("reverse"), st.none()),
    st.tuples(st.just("pop"), st.none()),
    st.tuples(st.just("delitem"), st.integers(0, 11)),
)


def _sort(target: list[Any], by_date: bool) -> None:
    # Beancount's own sort, or another one that must not count as it.
    if by_date:
        target.sort(key=data.entry_sortkey)
    else:
        target.sort(key=lambda e: e.meta["lineno"], reverse=True)


def _setitem(target: list[Any], argument: tuple[int, data.Directive]) -> None:
    if target:
        target[argument[0] % len(target)] = argument[1]


def _setslice(target: list[Any], argument: tuple[int, list[data.Directive]]) -> None:
    target[argument[0]:argument[0] + 1] = argument[1]


def _iadd(target: list[Any], items: list[data.Directive]) -> None:
    target += items


def _imul(target: list[Any], count: int) -> None:
    target *= count


def _delitem(target: list[Any], index: int) -> None:
    if target:
        del target[index % len(target)]


OPERATIONS: dict[str, Callable[[list[Any], Any], None]] = {
    "sort": _sort,
    "append": lambda target, item: target.append(item),
    "extend": lambda target, items: target.extend(items),
    "insert": lambda target, argument: target.insert(*argument),
    "setitem": _setitem,
    "setslice": _setslice,
    "iadd": _iadd,
    "imul": _imul,
    "reverse": lambda target, _: target.reverse(),
    "pop": lambda target, _: target.pop() if target else None,
    "delitem": _delitem,
}


def apply(target: list[Any], name: str, argument: Any) -> None:
    OPERATIONS[name](target, argument)


@given(entries, st.lists(operation, max_size=12))
def test_same_as_a_plain_list_whatever_is_done_to_it(
        start: list[data.Directive], operations: list[tuple[str, object]]) -> None:
    remembering, plain = SortedEntries(start), list(start)
    for name, argument in operations:
        apply(remembering, name, argument)
        apply(plain, name, argument)
        assert list(remembering) == plain
    remembering.sort(key=data.entry_sortkey)
    plain.sort(key=data.entry_sortkey)
    assert list(remembering) == plain


def test_an_unchanged_sorted_list_is_not_sorted_again() -> None:
    entries = SortedEntries([note(2, 1), note(1, 1)])
    entries.sort(key=data.entry_sortkey)
    assert [e.date.day for e in entries] == [2, 3]
    # Written behind the list's back (as C code could): the next sort by Beancount's key
    # trusts its memory and is skipped, which shows that it is.
    list.__setitem__(entries, 0, note(5, 1))
    entries.extend([])  # extended by nothing (Beancount's documents plugin): still sorted
    entries += []
    entries.sort(key=data.entry_sortkey)
    assert [e.date.day for e in entries] == [6, 3]
    entries.sort(key=lambda e: e.meta["lineno"])  # another key: sorted, memory forgotten
    entries.sort(key=data.entry_sortkey)
    assert [e.date.day for e in entries] == [3, 6]
    entries.append(note(0, 1))  # a change through the list forgets the sort
    entries.sort(key=data.entry_sortkey)
    assert [e.date.day for e in entries] == [1, 3, 6]


def test_copies_and_pickles_are_plain_lists() -> None:
    entries = SortedEntries([note(1, 1), balance(1, 2)])
    for copied in (copy.copy(entries), copy.deepcopy(entries),
                   pickle.loads(pickle.dumps(entries)), entries[:]):
        assert type(copied) is list
        assert copied == list(entries)


def test_the_loaded_example_books_are_sorted() -> None:
    """With the sorts after the loans and seals plugins skipped, the load is still sorted."""
    loaded, errors, _ = loader.load_file(str(EXAMPLE))
    assert not errors
    assert type(loaded) is list  # Beancount's last stages build their own lists
    assert loaded == sorted(loaded, key=data.entry_sortkey)
