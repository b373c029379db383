"""Voucher ids: the number Swedish law requires on every entry, per entity and series.

A transaction's ``ver`` metadata holds one voucher id per entity it touches, separated by
spaces, each ``<Entity>:<Series>-<Year>-<Number>``::

    2026-10-05 * "Grossisten AB" "Kaffebönor"
      ver: "Kafe:A-2026-0042 Paraply:A-2026-0107"

The year is the fiscal year in which the series runs (the year it starts in); numbers are
gapless per entity, series and fiscal year, in date order. ``coopledger close`` writes
them; SIE export reads them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

VOUCHER_KEY = "ver"
_TOKEN = re.compile(r"^(?P<entity>[A-Z][A-Za-z0-9]*):(?P<series>[A-Z][A-Z0-9]*)-"
                    r"(?P<year>\d{4})-(?P<number>\d{1,7})$")


@dataclass(frozen=True, order=True)
class VoucherId:
    """One entity's voucher id: series, fiscal year and number."""

    entity: str
    series: str
    year: int
    number: int

    def __str__(self) -> str:
        return f"{self.entity}:{self.series}-{self.year}-{self.number:04d}"


def parse_voucher_ids(value: str) -> dict[str, VoucherId]:
    """Parse a ``ver`` value into voucher ids by entity.

    Args:
        value: The metadata value, e.g. ``"Kafe:A-2026-0042 Paraply:A-2026-0107"``.

    Returns:
        Entity code to its voucher id.

    Raises:
        ValueError: A token is malformed or an entity appears twice.
    """
    ids: dict[str, VoucherId] = {}
    for token in value.split():
        match = _TOKEN.match(token)
        if match is None:
            raise ValueError(f"voucher id {token!r} is not Entity:SERIES-YEAR-NUMBER "
                             "(like Kafe:A-2026-0042)")
        vid = VoucherId(match["entity"], match["series"], int(match["year"]),
                        int(match["number"]))
        if vid.entity in ids:
            raise ValueError(f"voucher ids name entity {vid.entity} twice: {value!r}")
        ids[vid.entity] = vid
    return ids


def voucher_ids(meta: dict[str, Any] | None) -> dict[str, VoucherId]:
    """The voucher ids in an entry's metadata (empty when it has none).

    Raises:
        ValueError: The ``ver`` value is malformed.
    """
    value = (meta or {}).get(VOUCHER_KEY)
    return parse_voucher_ids(str(value)) if value else {}


def format_voucher_ids(ids: dict[str, VoucherId]) -> str:
    """The ``ver`` metadata value for voucher ids, in entity-code order."""
    return " ".join(str(ids[code]) for code in sorted(ids))
