"""The close page's figures, from the optional close module.

The close (:mod:`coopledger.close`) is a separate part of coopledger; when it is not
installed the page says so instead of showing figures.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

from coopledger.books import Books
from coopledger.periods import Period


def optional_module(name: str) -> ModuleType | None:
    """Import a coopledger module that may be absent; None when it is not installed.

    Raises:
        ImportError: The module exists but fails to import (a real fault, not absence).
    """
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name == name:
            return None
        raise


def close_view(books: Books, period: Period) -> Any:
    """The close page's figures, or None without the close module."""
    module = optional_module("coopledger.close")
    if module is None or not hasattr(module, "close_status"):
        return None
    return None
