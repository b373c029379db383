"""Books: loading errors and the per-load memo that readers share."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from coopledger.books import load_books
from coopledger.entities import entity_of
from coopledger.errors import CoopException
from tests.conftest import load_text


def test_missing_ledger_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CoopException, match="no such ledger file"):
        load_books(tmp_path / "saknas.beancount")


def test_remember_computes_once_per_key_and_books() -> None:
    books = load_text('option "operating_currency" "SEK"\n')
    calls: list[str] = []

    def compute(tag: str) -> str:
        calls.append(tag)
        return tag.upper()

    assert books.remember(("a",), lambda: compute("a")) == "A"
    assert books.remember(("a",), lambda: compute("again")) == "A"
    assert books.remember(("b",), lambda: compute("b")) == "B"
    assert calls == ["a", "b"]
    other = load_text('option "operating_currency" "SEK"\n')
    assert other.remember(("a",), lambda: compute("c")) == "C"


def test_entity_span_is_the_span_of_the_entitys_accounts() -> None:
    books = load_books(Path(__file__).resolve().parents[1] / "ledgers" / "example"
                       / "main.beancount")
    index = books.postings
    dates = sorted(set(index.dates))
    assert len(dates) > 10
    bounds = [None, dates[0], dates[len(dates) // 3], dates[len(dates) // 2], dates[-1]]
    codes = [*books.entities, "Saknas"]
    for code in codes:
        for start in bounds:
            for end in bounds:
                expected = [i for i in index.span(start, end)
                            if entity_of(index.accounts[i]) == code]
                assert index.entity_span(code, start, end) == expected
    assert sum(len(positions) for positions in index.by_entity.values()) == len(index.accounts)


def test_remember_keeps_the_most_recent_results_of_each_kind() -> None:
    books = load_text('option "operating_currency" "SEK"\n')
    calls: list[int] = []

    def compute(n: int) -> int:
        calls.append(n)
        return n

    for n in range(5):
        books.remember(("kind", n), functools.partial(compute, n), keep=3)
    books.remember(("other",), lambda: compute(99), keep=3)
    assert len(books.memo) == 4  # three of "kind", one of "other"
    books.remember(("kind", 4), lambda: compute(-1), keep=3)  # kept: not recomputed
    books.remember(("kind", 0), lambda: compute(0), keep=3)  # dropped: recomputed
    assert calls == [0, 1, 2, 3, 4, 99, 0]


def test_the_loan_book_lives_with_its_books() -> None:
    from coopledger.fund.ledger import loan_book

    books = load_books(Path(__file__).resolve().parents[1] / "ledgers" / "example"
                       / "main.beancount")
    first = loan_book(books)
    assert loan_book(books) is first
    again = load_books(books.path)
    assert loan_book(again) is not first
