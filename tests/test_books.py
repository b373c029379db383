"""Books: loading errors and the per-load memo that readers share."""

from __future__ import annotations

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
