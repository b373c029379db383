"""Shared fixtures: ledgers written in test docstrings, real sample files, hypothesis profiles."""

from __future__ import annotations

import os
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from beancount import loader
from hypothesis import HealthCheck, settings

from coopledger.books import Books, books_from_entries

ROOT = Path(__file__).resolve().parent.parent
#: Third-party sample files live next to the checkout, never inside it (or where
#: ``COOPLEDGER_FIXTURES`` points: a test runs the suite without them).
FIXTURES = Path(os.environ.get("COOPLEDGER_FIXTURES") or ROOT.parent / "shared" / "fixtures")
#: The shared sample files the tests expect, as paths inside FIXTURES: names only (the
#: files stay outside the checkout), so that a test over them is collected, and reported
#: as skipped with its reason, when the folder is absent. ``test_fixture_list`` keeps
#: the list equal to the folder.
SHARED_FILES: tuple[str, ...] = tuple(
    (ROOT / "tests" / "shared_fixtures.txt").read_text(encoding="utf-8").split())

# The test process's own choice, as the command's (coopledger.cli.command_process): no
# pickle cache beside the example books or a copied ledger. The library sets nothing.
loader.initialize(use_cache=False)


@pytest.fixture(autouse=True, scope="session")
def _load_cache_in_tmp(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The commands the tests run keep their load cache in a temporary folder."""
    os.environ["COOPLEDGER_CACHE_DIR"] = str(tmp_path_factory.mktemp("load-cache"))



@pytest.fixture(autouse=True, scope="module")
def _fava_watchers_stopped() -> Iterator[None]:
    """Stops the file-watching threads that a module's Fava ledgers started.

    Fava watches each ledger's files from two threads that otherwise run until the
    process exits; left running, they change what later modules see (the load cache
    stores in a detached child only in a process that runs no other thread).
    """
    before = set(threading.enumerate())
    yield
    for thread in set(threading.enumerate()) - before:
        stop = getattr(thread, "stop", None)
        if type(thread).__module__ == "fava.core.watcher" and callable(stop):
            stop()


settings.register_profile(
    "ci", derandomize=True, max_examples=60, deadline=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=30, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--update-golden`` rewrites expected outputs of golden-folder tests."""
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite the expected output files of golden tests (review the diff)")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    """Whether golden tests should rewrite their expected files instead of comparing."""
    return bool(request.config.getoption("--update-golden"))


def load_text(text: str, filename: str = "<string>") -> Books:
    """Load ledger text through Beancount's full pipeline, plugins included."""
    entries, errors, options = loader.load_string(textwrap.dedent(text))
    return books_from_entries(Path(filename), entries, errors, options)


@pytest.fixture(scope="session")
def example_books() -> Books:
    """The example books (``ledgers/example``), loaded once for the tests that only read
    them; they load without errors."""
    from coopledger.books import load_books

    books = load_books(ROOT / "ledgers" / "example" / "main.beancount")
    assert not books.errors, books.errors[:3]
    return books


@pytest.fixture
def load_doc(request: pytest.FixtureRequest) -> Books:
    """The test function's docstring, loaded as a ledger (Fava's ``load_doc`` idea)."""
    doc = request.function.__doc__
    if not doc:
        raise ValueError(f"{request.function.__name__} has no ledger docstring")
    return load_text(doc)


def fixture_path(*parts: str) -> Path:
    """A real sample file from the shared fixtures, or a skip naming why it is absent."""
    path = FIXTURES.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared sample file {'/'.join(parts)} is absent: the shared fixtures "
                    "folder must sit next to the checkout")
    return path
