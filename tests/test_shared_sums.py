"""The figures a page shares between entities are the ones each reads alone.

The group page asks for the group's sums first and every entity's after them; an
entity's sums are then split from the group's, its people from one pass over the
months, the fund's postings read from the posting index. Each must equal what the entity
reads on its own, from books that remember nothing yet.
"""

from __future__ import annotations

import pytest

from coopledger.balances import balances, changes, monthly_changes
from coopledger.books import Books, books_from_entries
from coopledger.entities import EntityKind
from coopledger.fava_ext.views import _headcounts, headcounts, whole_books_period
from coopledger.fund.capital import entity_postings
from coopledger.money import ZERO
from coopledger.people import SUBSIDY_BAS, people
from coopledger.periods import Period, parse_period, parse_span
from coopledger.services.subsidies import SALARY_COST_BAS

PERIODS = ["2026-10", "2026", "2025-Q2", "2026-10-05..2026-11-03"]


@pytest.fixture
def books(example_books: Books) -> Books:
    return example_books


def fresh(books: Books) -> Books:
    """The same books with nothing remembered."""
    return books_from_entries(books.path, books.entries, books.errors, books.options)


@pytest.mark.parametrize("text", PERIODS)
def test_entity_sums_split_from_the_groups_equal_their_own(books: Books, text: str) -> None:
    period = parse_span(text)
    alone, shared = fresh(books), fresh(books)
    changes(shared, period)
    balances(shared, period.last_day)
    assert shared.memo.known(("balances.group_sums", period.start, period.end, True))
    for code in books.entities:
        own = changes(alone, period, entity=code)
        split = changes(shared, period, entity=code)
        assert list(split.items()) == list(own.items())  # the same sums, in the same order
        assert list(balances(shared, period.last_day, entity=code).items()) == list(
            balances(alone, period.last_day, entity=code).items())
    assert any(changes(alone, period, entity=code) for code in books.entities)
    # a caller's copy: changing it changes nothing remembered
    first = next(iter(books.entities))
    changes(shared, period, entity=first).clear()
    assert changes(shared, period, entity=first) == changes(alone, period, entity=first)


def test_the_groups_monthly_sums_are_copies(books: Books) -> None:
    shared = fresh(books)
    period = parse_period("2026")
    first = monthly_changes(shared, period)
    first["2026-01"].clear()
    assert monthly_changes(shared, period) == monthly_changes(fresh(books), period)
    assert monthly_changes(shared, period)["2026-01"]


@pytest.mark.parametrize("text", PERIODS)
def test_each_entitys_people_are_its_part_of_the_groups(books: Books, text: str) -> None:
    """Read from one pass for every entity, each entity's people and salary sums are its
    own: the group's people of its own, its own accounts' movements of the month."""
    period = parse_span(text)
    shared = fresh(books)
    group = people(shared, None, period)
    paid = 0
    for code in books.entities:
        for month, whole in zip(people(shared, code, period), group, strict=True):
            assert month.employed == {p for p in whole.employed if p[0] == code}
            assert month.target_group == {p for p in whole.target_group if p[0] == code}
            assert month.subsidised == {p for p in whole.subsidised if p[0] == code}
            inside = Period(max(month.month.start, period.start),
                            min(month.month.end, period.end), "inside")
            own = changes(fresh(books), inside, entity=code)
            assert month.salary_cost == sum((v for a, v in own.items()
                                             if books.bas(a) in SALARY_COST_BAS), ZERO)
            assert month.subsidy == -sum((v for a, v in own.items()
                                          if books.bas(a) == SUBSIDY_BAS), ZERO)
            paid += len(month.employed)
    assert paid  # the example books pay people


def test_the_funds_postings_come_from_the_posting_index(books: Books) -> None:
    fund = next(e.code for e in books.entities.values() if e.kind is EntityKind.FUND)
    rows = books.postings.entity_rows(fund)
    assert rows == entity_postings(books.transactions, fund, books.operating_currency)
    assert rows
    assert books.postings.entity_rows("Nobody") == []


def test_an_empty_period_has_no_sums(books: Books) -> None:
    shared = fresh(books)
    empty = Period(books.transactions[0].date, books.transactions[0].date, "empty")
    changes(shared, empty)
    assert all(changes(shared, empty, entity=code) == {} for code in books.entities)


@pytest.mark.parametrize("text", ["2026-10", "2026", "2025-Q2", "2025..2026", "whole",
                                  "2026-10-05..2026-11-03"])
def test_headcounts_of_whole_months_are_the_ledgers_own(books: Books, text: str) -> None:
    """Whole months count the people paid from the months' payroll, read once per load;
    the same as reading the period's salary postings again."""
    period = whole_books_period(books) if text == "whole" else parse_span(text)
    counted = headcounts(fresh(books), period)
    assert counted == _headcounts(fresh(books), period)
    assert counted  # the example books pay people in each of these periods
