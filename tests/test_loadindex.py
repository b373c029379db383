"""The plugins' shared index: the same entries and errors as each plugin working alone.

The entities plugin validates the declarations once per load and leaves them in the
options map; the loans and seals plugins reuse them. Loading a ledger that way must give
exactly what it gives when every plugin builds its own index, as if it were the only
coopledger plugin of the load.
"""

from __future__ import annotations

import os
import pickle
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from beancount import loader
from beancount.core import data

from coopledger import books, loadindex
from coopledger.declarations import parse_declarations
from coopledger.loadindex import INDEX_KEY, LoadIndex, load_index, scan
from coopledger.plugins import entities, loans, seals

EXAMPLE = Path(__file__).resolve().parent.parent / "ledgers" / "example"
PluginFunction = Callable[..., tuple[list[data.Directive], list[Any]]]
#: Every function of the three plugins, as Beancount runs them.
FUNCTIONS = ((entities, "validate_and_clear_entities"), (loans, "validate_loans"),
             (seals, "drop_closed_years_from_daily_books"), (seals, "validate_seals"))

#: Faults for every plugin, appended to a copy of the example books: a declaration that
#: does not validate (entities), a loan movement that does not mirror and a posting on a
#: loan account without its link (loans), an entry added in a sealed month and a month
#: sealed twice (seals).
BROKEN = """
2026-11-02 custom "coop-loan" "L-2026-99"
  lender: "Fonden"

2025-03-20 * "Kafe" "Amortering L-2025-01" ^L-2025-01
  Assets:Fonden:1380-Lånefordringar-medlemmar  -900.00 SEK
  Assets:Fonden:1930-Företagskonto  900.00 SEK
  Assets:Kafe:1930-Företagskonto  -800.00 SEK
  Liabilities:Kafe:2390-Lån-från-fonden  800.00 SEK

2026-11-03 * "Kafe" "Utan länk"
  Liabilities:Kafe:2390-Lån-från-fonden  10.00 SEK
  Assets:Kafe:1930-Företagskonto  -10.00 SEK

2026-11-30 custom "coop-seal" "2025-03"
  digest: "0000000000000000000000000000000000000000000000000000000000000000"
"""


def broken_books(folder: Path) -> Path:
    """A copy of the example's full books with :data:`BROKEN` included."""
    copy = folder / "example"
    shutil.copytree(EXAMPLE, copy)
    (copy / "broken.beancount").write_text(BROKEN, encoding="utf-8")
    main = copy / "main.beancount"
    main.write_text(main.read_text(encoding="utf-8") + 'include "broken.beancount"\n',
                    encoding="utf-8")
    return main


@pytest.fixture(autouse=True)
def _uncached() -> Iterator[None]:
    # Every load here must run the plugins: no pickle cache read, none left beside the
    # example books.
    loader.initialize(use_cache=False)
    yield
    loader.initialize(os.getenv("BEANCOUNT_DISABLE_LOAD_CACHE") is None)


def alone(function: PluginFunction) -> PluginFunction:
    """The plugin function as if no other coopledger plugin ran before it in the load."""
    def run(entries: list[data.Directive], options_map: dict[str, Any],
            *config: str) -> tuple[list[data.Directive], list[Any]]:
        fresh = {key: value for key, value in options_map.items() if key != INDEX_KEY}
        return function(entries, fresh, *config)
    return run


@pytest.fixture
def validated(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The ids of the custom directives validated, one item per validation."""
    seen: list[int] = []
    real = loadindex.validate

    def counting(entry: data.Custom) -> loadindex.Outcome:
        seen.append(id(entry))
        return real(entry)

    monkeypatch.setattr(loadindex, "validate", counting)
    return seen


def load(path: Path) -> tuple[list[data.Directive], list[tuple[Any, ...]],
                              dict[str, Any]]:
    entries, errors, options = loader.load_file(str(path))
    return entries, [(type(e).__name__, e.source, e.message, e.entry) for e in errors], options


@pytest.mark.parametrize("name", ["main.beancount", "daily.beancount", "broken"])
def test_shared_index_gives_what_each_plugin_gives_alone(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, validated: list[int],
) -> None:
    path = broken_books(tmp_path) if name == "broken" else EXAMPLE / name
    together, together_errors, options = load(path)
    assert isinstance(options[INDEX_KEY], LoadIndex)
    assert validated
    assert len(set(validated)) == len(validated), "a declaration was validated twice"

    validated.clear()
    for module, function in FUNCTIONS:
        monkeypatch.setattr(module, function, alone(getattr(module, function)))
    each, each_errors, _ = load(path)
    assert len(set(validated)) < len(validated), "the plugins did not each work alone"

    assert together == each
    assert together_errors == each_errors
    if name == "broken":
        kinds = {kind for kind, *_ in together_errors}
        assert {"DeclarationError", "LoanError", "SealError"} <= kinds


def test_an_index_that_no_longer_describes_the_entries_is_rebuilt() -> None:
    """A plugin between two coopledger plugins replaces a seal: the change is not missed."""
    entries, _, options = loader.load_file(str(EXAMPLE / "main.beancount"))
    first = options[INDEX_KEY]
    seal = next(e for e in entries if isinstance(e, data.Custom) and e.type == "coop-seal")
    forged = seal._replace(meta={**seal.meta, "digest": "0" * 64})
    changed = [forged if entry is seal else entry for entry in entries]

    shared = {**options}
    _, shared_errors = seals.validate_seals(changed, shared)
    _, fresh_errors = seals.validate_seals(changed, {})
    assert shared_errors
    assert shared_errors == fresh_errors
    assert shared[INDEX_KEY] is not first
    assert shared[INDEX_KEY].describes(scan(changed)[0])


def test_each_load_has_its_own_index() -> None:
    full, _, full_options = loader.load_file(str(EXAMPLE / "main.beancount"))
    daily, _, daily_options = loader.load_file(str(EXAMPLE / "daily.beancount"))
    assert full_options[INDEX_KEY] is not daily_options[INDEX_KEY]
    assert full_options[INDEX_KEY].describes(scan(full)[0])
    assert daily_options[INDEX_KEY].describes(scan(daily)[0])


def test_the_index_survives_pickling() -> None:
    """Beancount's load cache pickles the options map; the index still finds its seals."""
    entries, _, options = loader.load_file(str(EXAMPLE / "main.beancount"))
    entries_back, options_back = pickle.loads(pickle.dumps((entries, options)))
    customs = scan(entries_back)[0]
    index = load_index(customs, options_back)
    assert index is options_back[INDEX_KEY]
    found = [index.declaration_of(c) for c in customs if c.type == "coop-seal"]
    assert found
    assert all(d is not None for d in found)


@pytest.mark.parametrize("name", ["main.beancount", "daily.beancount", "broken"])
def test_books_take_the_declarations_the_plugins_validated(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """load_books validates no declaration again, and has what validating them gives."""
    path = broken_books(tmp_path) if name == "broken" else EXAMPLE / name
    again: list[int] = []

    def counting(entries: Any) -> Any:
        again.append(1)
        return parse_declarations(entries)

    monkeypatch.setattr(books, "parse_declarations", counting)
    loaded = books.load_books(path)
    assert again == []
    assert loaded.declarations is loaded.options[INDEX_KEY].declarations
    assert loaded.declarations == parse_declarations(loaded.entries)[0]
    assert loaded.entities


def test_books_validate_entries_the_index_does_not_describe() -> None:
    """Entries changed after the load (a tool's own filter): validated from the entries."""
    entries, errors, options = loader.load_file(str(EXAMPLE / "main.beancount"))
    entity = next(e for e in entries if isinstance(e, data.Custom) and e.type == "coop-entity")
    changed = [e for e in entries if e is not entity]
    built = books.books_from_entries(EXAMPLE / "main.beancount", changed, errors, options)
    assert built.declarations is not options[INDEX_KEY].declarations
    assert built.declarations == parse_declarations(changed)[0]
    assert entity.values[0].value not in built.entities
    without_index = {key: value for key, value in options.items() if key != INDEX_KEY}
    plain = books.books_from_entries(EXAMPLE / "main.beancount", entries, errors,
                                     without_index)
    assert plain.declarations == options[INDEX_KEY].declarations
