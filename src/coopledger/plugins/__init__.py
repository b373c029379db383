"""Beancount plugins of coopledger, imported as ``coopledger.plugins.<name>``.

Each plugin is a thin adapter over the core: it calls core functions and returns
``(entries, errors)``. None takes a configuration: a ``plugin`` line that gives one
returns an error and the entries untouched (see :func:`no_configuration`), rather than
ignore it silently. A ledger enables them with::

    plugin "coopledger.plugins.entities"
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Self, SupportsIndex

from beancount.core import data

from coopledger.errors import CoopError


class ConfigurationError(CoopError):
    """A plugin given a configuration it does not take."""


def no_configuration(plugin: str, config: str | None) -> list[CoopError]:
    """The error for a configuration given to a plugin that takes none.

    Args:
        plugin: The plugin's module name, as the ``plugin`` line names it.
        config: The configuration string from the ``plugin`` line (None: none given).

    Returns:
        One error naming the plugin and the configuration, or none.
    """
    if config is None or not config.strip():
        return []
    return [ConfigurationError(
        data.new_metadata(f"<{plugin}>", 0),
        f'plugin "{plugin}" takes no configuration; remove {config!r} from its plugin line',
        None)]


class SortedEntries(list[data.Directive]):
    """A plugin's entries that remember being sorted by Beancount, until they change.

    Beancount sorts the entries again after every plugin module
    (``entries.sort(key=data.entry_sortkey)``, about 0.05 s of CPU on 100 000 entries,
    even when nothing moved). The entities plugin returns its entries as this list:
    Beancount sorts it after that plugin as usual, and when the loans and seals plugins
    return the same list untouched, the sorts after them find it sorted by that key and
    unchanged since, and return at once. A load from coopledger's cache hands the plugins
    its entries as this list, sorted (:func:`coopledger.filebooking.merge`), so Beancount's
    documents plugin (which extends the list by nothing and sorts it) and the sort after
    it return at once too. Every method that adds or moves an entry forgets
    the sort (removing entries keeps the order); a copy, a slice or a pickled list is a
    plain list. C code that writes into a list directly (``heapq`` on the entries, say)
    bypasses the methods; no plugin of Beancount or coopledger does that.
    """

    __slots__ = ("_sorted",)

    def __init__(self, entries: Iterable[data.Directive] = ()) -> None:
        super().__init__(entries)
        self._sorted = False

    def sort(self, *, key: Callable[[Any], Any] | None = None,
             reverse: bool = False) -> None:
        """``list.sort``; a no-op when already sorted by Beancount's key and unchanged."""
        by_date = key is data.entry_sortkey and not reverse
        if by_date and self._sorted:
            return
        self._sorted = False
        super().sort(key=key, reverse=reverse)
        self._sorted = by_date

    def __reduce__(self) -> tuple[type[list[data.Directive]], tuple[list[data.Directive]]]:
        return list, (list(self),)

    def append(self, entry: data.Directive) -> None:
        self._sorted = False
        super().append(entry)

    def extend(self, entries: Iterable[data.Directive]) -> None:
        count = len(self)
        super().extend(entries)
        if len(self) != count:  # Beancount's documents plugin extends by nothing
            self._sorted = False

    def insert(self, index: SupportsIndex, entry: data.Directive) -> None:
        self._sorted = False
        super().insert(index, entry)

    def reverse(self) -> None:
        self._sorted = False
        super().reverse()

    def __setitem__(self, index: Any, value: Any) -> None:
        self._sorted = False
        super().__setitem__(index, value)

    def __iadd__(self, entries: Iterable[data.Directive]) -> Self:  # type: ignore[override,misc]
        count = len(self)
        result = super().__iadd__(entries)
        if len(self) != count:
            self._sorted = False
        return result

    def __imul__(self, count: SupportsIndex) -> Self:
        self._sorted = False
        return super().__imul__(count)
