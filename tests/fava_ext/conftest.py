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


def close_copy(folder: Path, months: str = "2025-01..2025-03") -> Path:
    """A copy of the test ledger in ``folder``, closed and sealed with ``coopledger close``."""
    from coopledger.cli import main

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "main.beancount"
    path.write_text(BOARD_LEDGER.read_text(encoding="utf-8"), encoding="utf-8")
    status = main(["close", str(path), months])
    assert status == 0, f"coopledger close {months} failed with status {status}"
    return path


@pytest.fixture(scope="session")
def closed_ledger(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The test ledger with January to March 2025 closed, sealed and board packs written."""
    return close_copy(tmp_path_factory.mktemp("closed"))
