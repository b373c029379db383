"""Every ledger under ``ledgers/`` loads with zero errors: the example books must not rot."""

from __future__ import annotations

from pathlib import Path

import pytest

from coopledger.books import load_books, uses_entities_plugin
from coopledger.errors import format_error

LEDGERS = Path(__file__).resolve().parent.parent / "ledgers"
MAIN_FILES = sorted(p for p in LEDGERS.rglob("*.beancount")
                    if 'option "operating_currency"' in p.read_text(encoding="utf-8"))


def test_there_are_ledgers() -> None:
    assert any(p.name == "main.beancount" for p in MAIN_FILES)


@pytest.mark.parametrize("path", MAIN_FILES, ids=lambda p: str(p.relative_to(LEDGERS)))
def test_ledger_loads_without_errors(path: Path) -> None:
    books = load_books(path)
    assert [format_error(e) for e in books.errors] == []
    assert uses_entities_plugin(books.options)
    assert books.transactions
