"""Options of the importer tests: ``pytest tests/importers --update-golden``."""

from __future__ import annotations

import contextlib

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add ``--update-golden``: rewrite the expected ``.beancount`` files from the output."""
    # Another test folder may register the same option; one registration is enough.
    with contextlib.suppress(ValueError):
        parser.addoption("--update-golden", action="store_true", default=False,
                         help="rewrite the importers' expected output files; review the "
                              "diff by hand before committing")
