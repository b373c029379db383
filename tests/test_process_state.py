"""The library changes no process-wide state unless its caller asks (coopledger.collector).

Importing coopledger and using it (a load with its plugins, an SIE export and read, a
close's dry run) leaves the garbage collector running and Beancount's loader with the
cache setting it had; the collector is paused only inside ``pausing_allowed()``, with
``load_books(..., pause_collector=True)``, or by the command.
"""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from beancount import loader

from coopledger import collector
from coopledger.books import load_books
from coopledger.cli import command_process, main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "ledgers" / "example" / "main.beancount"

#: A fresh interpreter: imports every module of the package, then uses the library while
#: counting the collector's pauses; prints what it saw as JSON.
SCRIPT = """
import gc, json, pkgutil, importlib, sys, tempfile
from pathlib import Path
from beancount import loader
cache = loader._load_file
collector = (gc.get_threshold(), gc.get_freeze_count())
pauses = []
real = gc.disable
gc.disable = lambda: (pauses.append(1), real())[1]
import coopledger
for info in pkgutil.walk_packages(coopledger.__path__, "coopledger."):
    if not info.name.endswith("__main__"):
        importlib.import_module(info.name)
from coopledger.books import load_books
from coopledger.sie.export import export_sie
from coopledger.sie.reader import parse_sie
books = load_books(sys.argv[1])
code = next(iter(books.entities))
parse_sie(export_sie(books, code, books.last_date.year).content)
print(json.dumps({"errors": len(books.errors), "pauses": len(pauses),
                  "enabled": gc.isenabled(), "cache": loader._load_file is cache,
                  "collector": (gc.get_threshold(), gc.get_freeze_count()) == collector}))
"""


def test_importing_and_using_the_library_changes_nothing() -> None:
    """A fresh process: every module imported, books loaded, SIE written and read."""
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(EXAMPLE)], capture_output=True,
                          text=True, check=False, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.splitlines()[-1])
    assert seen == {"errors": 0, "pauses": 0, "enabled": True, "cache": True,
                    "collector": True}


@pytest.fixture
def pauses(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[bool]]:
    """Every pause of the collector, recorded with whether it was running before."""
    seen: list[bool] = []
    real: Callable[[], None] = gc.disable

    def disable() -> None:
        seen.append(gc.isenabled())
        real()

    monkeypatch.setattr(gc, "disable", disable)
    yield seen
    assert gc.isenabled()


def collector_state() -> tuple[bool, tuple[int, ...], int]:
    """Whether the collector runs, its thresholds and how many objects it keeps frozen."""
    return gc.isenabled(), gc.get_threshold(), gc.get_freeze_count()


def test_load_books_leaves_collector_and_cache_alone(pauses: list[bool]) -> None:
    cache = loader._load_file
    before = collector_state()
    books = load_books(EXAMPLE)
    assert not books.errors
    assert pauses == []
    assert loader._load_file is cache
    assert collector_state() == before
    load_books(EXAMPLE, pause_collector=True)  # asked: paused, never frozen
    assert collector_state() == before


def test_pause_only_when_asked(pauses: list[bool]) -> None:
    load_books(EXAMPLE, pause_collector=True)
    assert pauses  # the load and the entities plugin: nested, restarted once
    assert gc.isenabled()
    pauses.clear()
    with collector.pausing_allowed():
        assert collector.is_pausing_allowed()
        load_books(EXAMPLE)
    assert pauses
    assert not collector.is_pausing_allowed()
    assert gc.isenabled()


def test_the_command_turns_the_cache_off_and_allows_pausing(pauses: list[bool]) -> None:
    before = loader._load_file
    with command_process():
        assert collector.is_pausing_allowed()
        assert loader._load_file is not before
        load_books(EXAMPLE)
    assert pauses
    assert not collector.is_pausing_allowed()


def test_the_command_freezes_what_its_loads_built_and_unfreezes_after(
        pauses: list[bool]) -> None:
    """A one-shot command: each pause ends frozen; the process is left as found."""
    before = collector_state()
    assert before[2] == 0
    with command_process():
        books = load_books(EXAMPLE)
        # The books were alive when the load's pause ended: the collector passes over
        # them from then on (gc.freeze moves them to its permanent generation).
        assert gc.get_freeze_count() > len(books.entries)
        assert gc.isenabled()
        assert gc.is_tracked(books.entries)
        assert not any(o is books.entries for o in gc.get_objects())  # no generation has it
    assert pauses
    assert collector_state() == before


def test_pausing_allowed_freezes_only_when_asked(pauses: list[bool]) -> None:
    before = collector_state()
    with collector.pausing_allowed():
        load_books(EXAMPLE)
        assert gc.get_freeze_count() == 0
    assert pauses
    with collector.pausing_allowed(freeze=True):
        # A server nested in a command (serve): its loads end their pauses unfrozen.
        with collector.pausing_allowed():
            load_books(EXAMPLE)
            assert gc.get_freeze_count() == 0
        load_books(EXAMPLE)
        assert gc.get_freeze_count() > 0
    assert collector_state() == before


def test_a_block_that_finds_objects_frozen_leaves_them_frozen() -> None:
    """Only what the block froze may be unfrozen: a caller's own freeze is kept."""
    gc.freeze()
    try:
        found = gc.get_freeze_count()
        with collector.pausing_allowed(freeze=True):
            load_books(EXAMPLE)
        assert gc.get_freeze_count() >= found > 0
        assert gc.isenabled()
    finally:
        gc.unfreeze()


def test_a_command_run_in_process_leaves_the_collector_as_found(
        capsys: pytest.CaptureFixture[str]) -> None:
    before = collector_state()
    assert main(["check", "-q", str(EXAMPLE)]) == 0
    assert capsys.readouterr().out == ""
    assert collector_state() == before
