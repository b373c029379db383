"""Pausing Python's cyclic garbage collector around work that builds many objects.

A load, a plugin, a close, an export or an import builds hundreds of thousands of
long-lived objects (entries, postings, records) and no reference cycles among them. The
cyclic collector rescans everything alive each time the heap has grown by a quarter, so
while the loaded books are in memory each of its full passes costs as much as a good
part of the work itself: a third of a load, half of a large SIE export or read
(measured: docs/performance.md). Reference counting still frees everything as usual;
only the search for cycles waits until the block ends.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


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
