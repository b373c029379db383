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

When a pause ends, the collector's next pass would still walk every object the step
built (hundreds of thousands after a load of large books: about 0.4 s for 100k
transactions), although none of them is garbage. A one-shot process can skip that walk:
``pausing_allowed(freeze=True)``, which the ``coopledger`` command uses for every
command but ``serve``, ends each pause with :func:`gc.freeze`, so the collector passes
over what was alive then for the rest of the block. Frozen objects are still freed by
reference counting as usual; only cycles among them would wait, which is why a
long-running server (``serve``, whose reloads drop the old books) does not freeze. The
block unfreezes what it froze on the way out, unless it found objects frozen already.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

#: Whether the caller allowed the heavy steps to pause the collector, and whether their
#: pauses end frozen: set only by :func:`pausing_allowed`, for the process (a server's
#: request threads included).
_allowed = False
_freeze = False


@contextlib.contextmanager
def collector_paused(*, freeze: bool = False) -> Iterator[None]:
    """Pause the cyclic collector inside the block; restore its state afterwards.

    Nested use is safe: only the outermost block that found it running restarts it.

    Args:
        freeze: Before restarting it, move every object alive into the collector's
            permanent generation (:func:`gc.freeze`), so that its next passes do not
            walk what the block built. Only for a caller that owns the process and
            undoes it (:func:`pausing_allowed` with ``freeze=True``).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if freeze:
                gc.freeze()
            gc.enable()


@contextlib.contextmanager
def pausing_allowed(*, freeze: bool = False) -> Iterator[None]:
    """Let coopledger's heavy steps pause the collector while each runs, inside the block.

    The ``coopledger`` command wraps each run in one. A tool that wants the same speed
    may too; the collector runs as usual between the steps.

    Args:
        freeze: End each step's pause with :func:`gc.freeze` (see the module's
            docstring): for a one-shot process, never for a server that reloads. On the
            way out the block unfreezes (:func:`gc.unfreeze`) when it found nothing
            frozen, so the process leaves it as it found it.
    """
    global _allowed, _freeze  # the caller's explicit, block-scoped choice
    before = _allowed, _freeze
    found_frozen = gc.get_freeze_count()
    _allowed, _freeze = True, freeze
    try:
        yield
    finally:
        _allowed, _freeze = before
        if freeze and not found_frozen and not _freeze:
            gc.unfreeze()


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
        with collector_paused(freeze=_allowed and _freeze):
            yield
    else:
        yield
