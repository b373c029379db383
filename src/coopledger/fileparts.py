"""Parsing a large file in parts: an edit reparses and rebooks only its part.

A year's file of an umbrella's books holds some 10 000 transactions; an accountant's
edit changes one of them. The load cache (:mod:`coopledger.loadcache`) keeps each
file's parse and booking under a digest of its bytes, so one changed transaction would
still mean the whole file parsed and booked again. A large plain file is therefore cut
into parts of about :data:`PART_LINES` lines, each parsed on its own by Beancount's
parser, told the file's name and the part's first line (``report_firstline``), and
kept under a digest of its own bytes and place.

**Why a part parses as the file does.** A part begins at a line that starts with a
date at its first column: outside a string, such a line always begins a new directive,
and the parser, having finished the directive before it, is in the state it is in at
the start of a file, except for what a file's own directives change: ``option``,
``plugin``, ``include``, ``pushtag``/``poptag`` and ``pushmeta``/``popmeta``. A file
holding any of those is never cut. Inside a multi-line string a date can begin a line
too; cut there, the part before ends in an unterminated string, which the parser
reports as an error, and a file one of whose parts has any error is parsed whole
instead. So the parts' entries, each carrying the file's name and its true line, are
the file's entries; their errors are none, like the file's; and their options differ
only in the display context, which :func:`combine` adds up as Beancount's loader adds
up files' (``DisplayContext.update_from``). ``tests/test_fileparts.py`` compares the
two on every sample ledger, on generated files with multi-line strings, and through
the load cache's stateful tests, which cut every file into parts of a few lines.

The cut falls at the first entry at or after every :data:`PART_LINES`-th line, so an
edit that keeps the number of lines (a changed amount, account or narration) leaves
every other part's bytes and place as they were; one that adds lines changes the parts
after it too, which are parsed again.
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Sequence
from typing import Any

from beancount.core import data

#: About how many lines a part holds (it ends before the first entry after that many).
PART_LINES = 2000
#: Files smaller than this are parsed whole.
MIN_BYTES = 128 * 1024

_STATEFUL = re.compile(rb"^(?:option|plugin|include|pushtag|poptag|pushmeta|popmeta)\b", re.M)
#: The same after a line feed: a line start that is not the file's (searched in a tenth
#: of the time: ``^`` in multi-line mode is tried at every byte).
_STATEFUL_AFTER_LF = re.compile(
    rb"\n(?:option|plugin|include|pushtag|poptag|pushmeta|popmeta)\b")
_ENTRY = re.compile(rb"^\d{4,}[-/]\d+[-/]\d+", re.M)
_LONE_CR = re.compile(rb"\r(?!\n)")


def split(content: bytes) -> list[tuple[int, int, int]] | None:
    """A file's parts, each as its first line's number and its bytes' start and end.

    Args:
        content: The file's bytes, as the parser reads them.

    Returns:
        At least two parts that together are ``content``, or None (parse it whole) when
        the file is small,
        holds a directive that changes the parser's state, or has a line break the line
        count could misread (a carriage return alone).
    """
    if (len(content) < MIN_BYTES or _STATEFUL.match(content) is not None
            or _STATEFUL_AFTER_LF.search(content) is not None
            or (b"\r" in content and _LONE_CR.search(content) is not None)):
        return None
    cuts: list[tuple[int, int]] = [(0, 1)]  # (byte offset, line number)
    # From each cut, skip PART_LINES whole lines at once (the regular expression counts
    # them in C), then cut at the first entry from there: the first entry at least
    # PART_LINES lines after the cut.
    lines = _lines(PART_LINES)
    while (skipped := lines.match(content, cuts[-1][0])) is not None:
        found = _ENTRY.search(content, skipped.end())
        if found is None:
            break
        start = found.start()
        cuts.append((start, cuts[-1][1] + PART_LINES
                     + content.count(b"\n", skipped.end(), start)))
    if len(cuts) < 2:
        return None
    ends = [start for start, _ in cuts[1:]] + [len(content)]
    return [(first, start, end) for (start, first), end in zip(cuts, ends, strict=True)]


@functools.cache
def _lines(count: int) -> re.Pattern[bytes]:
    """``count`` whole lines, each up to and with its line feed."""
    return re.compile(rb"(?:[^\n]*\n){%d}" % count)


def combine(options: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The file's options from its parts' (each without errors): their display contexts added.

    Returns a new map; the parts' own maps are left as they are (they are stored).
    """
    first = dict(options[0])
    dcontext = copy.deepcopy(first["dcontext"])
    for other in options[1:]:
        dcontext.update_from(other["dcontext"])
    first["dcontext"] = dcontext
    return first


def entries_of(parts: Sequence[Sequence[data.Directive]]) -> list[data.Directive]:
    """The file's entries from its parts', in the order the parser gives a file's."""
    entries = [entry for part in parts for entry in part]
    entries.sort(key=data.entry_sortkey)
    return entries
