"""The small board ledger shared by the extension's tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from coopledger.books import Books, load_books

BOARD_LEDGER = Path(__file__).resolve().parent / "board.beancount"


@pytest.fixture(scope="session")
def board_books() -> Books:
    """The test ledger: Paraply, Fonden, Kafe and Stad through 2025, loaded once."""
    books = load_books(BOARD_LEDGER)
    assert not books.errors, books.errors
    return books
