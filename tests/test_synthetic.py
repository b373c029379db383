"""The benchmark books generator: valid books, the same bytes for the same seed."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from beancount import loader
from beancount.core import data

from benchmarks.synthetic import generate, write_books
from coopledger.books import books_from_entries
from coopledger.clearing import CLEARING_PREFIX


def _load(folder: Path, name: str) -> tuple[list[data.Directive], list[Any]]:
    entries, errors, _ = loader.load_file(str(folder / name))
    return entries, list(errors)


def test_tiny_books_load_without_errors_through_the_plugins(tmp_path: Path) -> None:
    files = generate(members=3, years=1, transactions=300, seed=7)
    main = write_books(tmp_path, files)
    assert 'plugin "coopledger.plugins.entities"' in files["main.beancount"]
    assert "plugin" not in files["bare.beancount"]
    entries, errors, options = loader.load_file(str(main))
    assert errors == []
    books = books_from_entries(main, entries, errors, options)
    assert len(books.transactions) == 300
    assert set(books.entities) == {"Paraply", "Fonden", "M001", "M002", "M003"}
    # Cross-entity payments were completed by the clearing plugin, and each entity
    # balances on its own in every transaction (recomputed here from the postings).
    cleared = [t for t in books.transactions
               if any(CLEARING_PREFIX in p.account for p in t.postings)]
    assert cleared
    for txn in books.transactions:
        per_entity: dict[str, Decimal] = {}
        for posting in txn.postings:
            code = posting.account.split(":")[1]
            assert posting.units is not None
            assert posting.units.number is not None
            per_entity[code] = per_entity.get(code, Decimal(0)) + posting.units.number
        assert all(total == 0 for total in per_entity.values()), txn
    # Balance assertions exist and hold (Beancount checked them: no errors above).
    assertions = [e for e in entries if isinstance(e, data.Balance)]
    assert len(assertions) == 12 * 5
    assert assertions[-1].date == datetime.date(2017, 1, 1)
    # Loan movements carry their link on the fund's and the borrower's loan accounts.
    linked = [t for t in books.transactions if t.links]
    assert linked
    for txn in linked:
        (link,) = txn.links
        assert link.startswith("L-")
        accounts = {p.account for p in txn.postings}
        assert "Assets:Fonden:1380-Lånefordringar-medlemmar" in accounts


def test_bare_books_load_without_errors_and_without_clearing(tmp_path: Path) -> None:
    write_books(tmp_path, generate(members=3, years=1, transactions=300, seed=7))
    entries, errors = _load(tmp_path, "bare.beancount")
    assert errors == []
    assert not any(CLEARING_PREFIX in p.account
                   for e in entries if isinstance(e, data.Transaction) for p in e.postings)


def test_generator_is_deterministic() -> None:
    first = generate(members=3, years=1, transactions=300, seed=11)
    second = generate(members=3, years=1, transactions=300, seed=11)
    other = generate(members=3, years=1, transactions=300, seed=12)
    assert first == second
    assert first["years/2016.beancount"] != other["years/2016.beancount"]


def test_too_few_transactions_is_refused() -> None:
    with pytest.raises(ValueError, match="at least"):
        generate(members=10, years=2, transactions=100)
