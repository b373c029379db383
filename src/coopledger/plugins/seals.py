"""Seals: every sealed month must be exactly as it was when it was closed.

``coopledger close`` ends a month with a ``coop-seal`` declaration holding a digest of the
month's entries (see :mod:`coopledger.seals`). This plugin recomputes every seal at
load, in one pass, and reports a changed, added or removed entry in a sealed month as an
error naming the month and, where it can, the entry at its file and line. It changes no
entry, except in the daily books written by the year-end close (those with a
``custom "coop-opening"`` declaration), where it first leaves out what files mixing both
years hold of the closed years. Enable it after the entities plugin::

    plugin "coopledger.plugins.entities"
    plugin "coopledger.plugins.seals"

With October sealed, changing an amount of a sealed entry::

    2026-10-05 * "Grossisten AB" "Kaffebönor"
      ver: "Kafe:A-2026-0042"
      Expenses:Kafe:4010-Inköp-varor-och-material   800.00 SEK  ; was 700.00
      Assets:Kafe:1930-Företagskonto

gives ``main.beancount:120: sealed month 2026-10: this entry of 2026-10-05 (Kafe:
Assets:Kafe:1930-Företagskonto, Expenses:Kafe:4010-Inköp-varor-och-material) was changed
after sealing; book a correction in an open month instead``. A year seal whose closing
balances no longer hold names each entity and account that differs. Corrections are new
entries dated in an open month (``coopledger correct``).
"""

from __future__ import annotations

from typing import Any

from beancount.core import data

from coopledger.close.yearseal import drop_closed_years, verify_year_seals
from coopledger.errors import CoopError
from coopledger.loadindex import load_index, scan
from coopledger.plugins import no_configuration
from coopledger.seals import SEAL, read_seals, verify_month_seals

__plugins__ = ("drop_closed_years_from_daily_books", "validate_seals")


class SealError(CoopError):
    """A sealed month or year whose entries changed after it was sealed."""


def drop_closed_years_from_daily_books(
    entries: list[data.Directive], options_map: dict[str, Any], config: str | None = None,
) -> tuple[list[data.Directive], list[CoopError]]:
    """In daily books (``custom "coop-opening"``), drop closed-year entries; else no-op.

    Args:
        entries: The ledger's directives.
        options_map: The ledger's options (unused).
        config: None: this plugin takes no configuration (one given is an error, the
            entries returned untouched).

    Returns:
        The entries (closed-year ones left out in daily books) and no errors.
    """
    del options_map
    errors = no_configuration(__name__, config)
    if errors:
        return entries, errors
    return drop_closed_years(entries), []


def validate_seals(
    entries: list[data.Directive], options_map: dict[str, Any], config: str | None = None,
) -> tuple[list[data.Directive], list[CoopError]]:
    """Recompute every seal and report the months whose entries changed.

    Args:
        entries: The ledger's directives (returned unchanged).
        options_map: The ledger's options; they carry the declarations that the entities
            plugin validated for this load (see :mod:`coopledger.loadindex`).
        config: None: this plugin takes no configuration (one given is reported by
            :func:`drop_closed_years_from_daily_books`; nothing is checked here).

    Returns:
        The entries, untouched, and one error per change found.
    """
    if no_configuration(__name__, config):
        return entries, []
    customs, _ = scan(entries)
    if not any(entry.type == SEAL for entry in customs):
        return entries, []  # nothing sealed: nothing to recompute
    index = load_index(customs, options_map)
    seals, duplicates = read_seals(customs, index.declaration_of)
    errors: list[CoopError] = [
        SealError(entry.meta, f"{SEAL} {entry.values[0].value}: the period is sealed twice",
                  entry)
        for entry in duplicates]
    for month, problems in sorted(verify_month_seals(entries, seals).items()):
        seal_meta = seals[month].meta
        for message, entry in problems:
            source = entry.meta if entry is not None else seal_meta
            errors.append(SealError(source, message.plain(), entry))
    errors.extend(SealError(meta, message, None)
                  for message, meta in verify_year_seals(entries, seals))
    return entries, errors
