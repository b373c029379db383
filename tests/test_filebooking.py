"""The balance check of booked transactions: what is kept of it, and what it lets a load skip.

A load from the cache does not put through Beancount's balance check the transactions
whose answer it knows (:class:`coopledger.filebooking.Balanced`). These properties hold
the shortcut to Beancount's own check on random transactions: amounts of up to 30 digits
(past the 28 digits of Decimal's default context), at cost or at a price, in two
currencies, with pairs of postings appended as the entities plugin appends its clearing
postings.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from beancount import loader
from beancount.core import data, interpolate
from beancount.core.amount import Amount
from beancount.core.position import Cost
from beancount.ops import validation
from hypothesis import event, given
from hypothesis import strategies as st

from coopledger import filebooking

OPTIONS: dict[str, Any] = loader.load_string("")[2]
DAY = datetime.date(2026, 1, 2)

numbers = st.builds(lambda digits, exponent: Decimal(f"{digits}E{exponent}"),  # exact
                    st.integers(-10**30, 10**30), st.integers(-12, 4))
currencies = st.sampled_from(["SEK", "EUR"])


@st.composite
def postings(draw: st.DrawFn) -> data.Posting:
    """A posting: units, maybe at cost or at a price."""
    units = Amount(draw(numbers), draw(currencies))
    kind = draw(st.sampled_from(["units", "units", "cost", "price"]))
    cost = (Cost(draw(numbers).copy_abs(), "SEK", DAY, None) if kind == "cost" else None)
    price = Amount(draw(numbers).copy_abs(), "SEK") if kind == "price" else None
    meta = {"__automatic__": True} if draw(st.booleans()) and kind == "units" else {}
    return data.Posting("Assets:Bank", units, cost, price, None, meta)


@st.composite
def transactions(draw: st.DrawFn) -> data.Transaction:
    """A transaction: random postings, and often one more that balances them."""
    drawn = draw(st.lists(postings(), min_size=1, max_size=4))
    if draw(st.integers(0, 3)):  # mostly: a last posting that balances the others
        residual = interpolate.compute_residual(drawn)  # type: ignore[no-untyped-call]
        for position in residual:
            drawn.append(data.Posting("Income:Sales", -position.units, None, None, None, {}))
    return data.Transaction({"filename": "<test>", "lineno": 1}, DAY, "*", None, "t",
                            data.EMPTY_SET, data.EMPTY_SET, drawn)


@st.composite
def pairs(draw: st.DrawFn) -> list[data.Posting]:
    """Two postings, mostly a number and its negation (clearing postings), else any two."""
    number, currency = draw(numbers), draw(currencies)
    other = (number.copy_negate() if draw(st.integers(0, 3)) else draw(numbers),
             currency if draw(st.integers(0, 5)) else "USD")
    return [data.Posting("Assets:A:1660-Avräkning-B", Amount(number, currency), None, None,
                         None, {"generated-by": "coopledger.clearing"}),
            data.Posting("Assets:B:1660-Avräkning-A", Amount(*other), None, None, None,
                         {"generated-by": "coopledger.clearing"})]


def units(posting: data.Posting) -> tuple[Decimal, str]:
    """A posting's number and currency, all of them given here."""
    assert posting.units is not None
    assert isinstance(posting.units.number, Decimal)
    return posting.units.number, posting.units.currency


def beancount_rejects(entries: list[data.Transaction]) -> set[int]:
    """The places of the entries Beancount's balance check rejects."""
    errors = validation.validate_check_transaction_balances(  # type: ignore[no-untyped-call]
        entries, OPTIONS)
    return {next(i for i, entry in enumerate(entries) if entry is error.entry)
            for error in errors}


@given(st.lists(transactions(), max_size=6))
def test_the_marks_kept_are_beancounts_check(entries: list[data.Transaction]) -> None:
    rejected, exact = filebooking.balance_marks(entries, OPTIONS)
    assert set(rejected) == beancount_rejects(entries)
    assert set(exact) == {place for place, entry in enumerate(entries)
                          if interpolate.compute_residual(  # type: ignore[no-untyped-call]
                              entry.postings).is_empty()}
    assert not set(rejected) & set(exact)


@given(transactions(), st.lists(pairs(), max_size=3), st.booleans())
def test_a_transaction_completed_with_cancelling_pairs_is_known_exactly_when_it_balances(
        entry: data.Transaction, added: list[list[data.Posting]], marked: bool) -> None:
    rejected, exact = filebooking.balance_marks([entry], OPTIONS)
    balanced = filebooking.Balanced(OPTIONS)
    balanced.add([entry], rejected, exact)
    completed = entry._replace(postings=[*entry.postings,
                                         *(posting for pair in added for posting in pair)])
    if marked:  # a plugin made the residual skip one of the transaction's own postings
        marks = entry.postings[0].meta
        assert marks is not None
        marks[interpolate.AUTOMATIC_RESIDUAL] = True
    cancel = all(units(a)[0].copy_negate() == units(b)[0]  # no rounding
                 and units(a)[1] == units(b)[1] for a, b in added)
    # The rule, as documented: known when the booked transaction balanced exactly, its
    # postings are unchanged and every appended pair cancels.
    assert balanced.holds(completed) == (bool(exact) and bool(added) and cancel and not marked)
    event(f"completed transaction known: {balanced.holds(completed)}")
    if balanced.holds(completed):  # ... and then Beancount's check agrees
        assert not beancount_rejects([completed])
    # The booked transaction itself: known unless rejected or marked since.
    assert balanced.holds(entry) == (not rejected and not marked)
    if balanced.holds(entry):
        assert not beancount_rejects([entry])


def test_a_replaced_transaction_with_new_metadata_or_changed_postings_is_not_known() -> None:
    entry = data.Transaction({"lineno": 1}, DAY, "*", None, "t", data.EMPTY_SET,
                             data.EMPTY_SET, [
                                 data.Posting("Assets:Bank", Amount(Decimal("1.00"), "SEK"),
                                              None, None, None, {}),
                                 data.Posting("Income:Sales", Amount(Decimal("-1.00"), "SEK"),
                                              None, None, None, {})])
    balanced = filebooking.Balanced(OPTIONS)
    balanced.add([entry], *filebooking.balance_marks([entry], OPTIONS))
    pair = [data.Posting("Assets:A", Amount(Decimal("5"), "SEK"), None, None, None, {}),
            data.Posting("Assets:B", Amount(Decimal("-5"), "SEK"), None, None, None, {})]
    assert balanced.holds(entry._replace(postings=[*entry.postings, *pair]))
    assert not balanced.holds(entry._replace(meta=dict(entry.meta),
                                             postings=[*entry.postings, *pair]))
    other = entry.postings[0]._replace(units=Amount(Decimal("2.00"), "SEK"))
    assert not balanced.holds(entry._replace(postings=[other, entry.postings[1], *pair]))
    assert not balanced.holds(entry._replace(postings=[*entry.postings, pair[0]]))
    at_price = pair[0]._replace(price=Amount(Decimal("1"), "SEK"))
    assert not balanced.holds(entry._replace(postings=[*entry.postings, at_price, pair[1]]))
