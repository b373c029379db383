"""Pausing Python's cyclic garbage collector around work that builds many objects.

A load, a plugin, a close, an export or an import builds hundreds of thousands of
long-lived objects (entries, postings, records) and no reference cycles among them. The
cyclic collector rescans everything alive each time the heap has grown by a quarter, so
while the loaded books are in memory each of its full passes costs as much as a good
part of the work itself: a third of a load, half of a large SIE export or read
(measured: docs/performance.md). Reference counting still frees everything as usual;
only the search for cycles waits until the block ends.

The collector belongs to the whole process, so the library never pauses it on its own:

- :func:`collector_paused` pauses it inside a block, for a caller that wants exactly that;
- :func:`pausing_allowed` lets coopledger's heavy steps (the loads, the plugins, the
  importers, the close, the SIE reader and export) pause it while each of them runs,
  inside the block; the ``coopledger`` command (``serve`` included) runs inside one.
  Outside such a block those steps leave the collector as they find it;
- ``load_books(path, pause_collector=True)`` pauses it for that one load.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

#: Whether the caller allowed the heavy steps to pause the collector: set only by
#: :func:`pausing_allowed`, for the process (a server's request threads included).
_allowed = False


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic collector inside the block; restore its state afterwards.

    Nested use is safe: only the outermost block that found it running restarts it.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextlib.contextmanager
def pausing_allowed() -> Iterator[None]:
    """Let coopledger's heavy steps pause the collector while each runs, inside the block.

    The ``coopledger`` command wraps each run in one. A tool that wants the same speed
    may too; the collector runs as usual between the steps.
    """
    global _allowed  # noqa: PLW0603 - the caller's explicit, block-scoped choice
    before = _allowed
    _allowed = True
    try:
        yield
    finally:
        _allowed = before


def is_pausing_allowed() -> bool:
    """Whether the current code runs inside :func:`pausing_allowed`."""
    return _allowed


@contextlib.contextmanager
def paused_if_allowed(*, asked: bool = False) -> Iterator[None]:
    """Pause the collector inside the block when the caller allowed or asked for it.

    Args:
        asked: Pause it even outside :func:`pausing_allowed` (an explicit option of the
            calling function, such as ``load_books(..., pause_collector=True)``).
    """
    if asked or _allowed:
        with collector_paused():
            yield
    else:
        yield
