"""Where a SIE file's data lives in the books: the metadata keys and directives.

The import writes them and the export reads them back, so that a file imported and
exported again gives back every record (docs/sie.md, "Where the data lives"):

- ``open``: ``bas`` (the account number), ``name`` (the ``#KONTO`` name as written),
  ``ktyp`` (``#KTYP``), ``unit`` (``#ENHET``), ``sru`` (``#SRU`` codes, space-separated).
- a voucher's transaction: ``sie-series``, ``sie-number``, ``sie-registered`` (the
  registration date), ``sie-sign`` (who registered it), ``sie-btrans-1``... (rows removed
  in the old program, as the ``#BTRANS`` record, not booked).
- a posting: ``dim-1: "7"`` per object (dimension 1, object 7), ``sie-text``,
  ``sie-date`` (a row date other than the voucher's), ``sie-quantity``, ``sie-sign``,
  ``sie-added: TRUE`` (a ``#RTRANS`` row).
- ``sie-source: "IB"`` marks the opening balances of a fiscal year, dated its first day;
  ``sie-source: "UB"`` the year's movements that the file gives as balances only
  (``#UB``/``#RES`` of a previous year, or of a SIE 1-3 file), dated its last day. Neither
  is a voucher.
- ``custom "sie-dimension" "Kafe" 1 "Kostnadsställe"`` (``#DIM``; a fourth value, the
  parent, for ``#UNDERDIM``), ``custom "sie-object" "Kafe" 1 "7" "Nord"`` (``#OBJEKT``),
  ``custom "sie-header" "Kafe" "ADRESS" ...`` (identification the entity does not hold),
  ``custom "sie-balance" "PSALDO" <account> <amount>`` with ``period``, ``dim-N`` and
  ``quantity`` metadata (``#OIB``, ``#OUB``, ``#PSALDO``, ``#PBUDGET``: the old program's
  object and period balances and budgets, kept as it reported them).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from coopledger.sie.records import ObjectRef

SOURCE = "sie-source"
OPENING = "IB"
MOVEMENTS = "UB"
DIMENSION = "sie-dimension"
OBJECT = "sie-object"
HEADER = "sie-header"
BALANCE = "sie-balance"
REMOVED_PREFIX = "sie-btrans-"
#: On a voucher without rows: the entity whose voucher it is (no posting says it).
ENTITY_KEY = "sie-entity"
#: Identification kept in ``sie-header`` (the rest the new file states itself).
KEPT_HEADER = ("FNR", "ORGNR", "FNAMN", "ADRESS", "BKOD", "FTYP", "TAXAR", "OMFATTN",
               "KPTYP", "VALUTA", "PROSA")
_DIM_KEY = re.compile(r"^dim-(\d+)$")


def object_key(dimension: int) -> str:
    """The metadata key of an object of a dimension: ``dim-1``."""
    return f"dim-{dimension}"


def objects_of(meta: Mapping[str, Any] | None) -> tuple[ObjectRef, ...]:
    """The object references held in metadata (``dim-N`` keys), by dimension."""
    if not meta:
        return ()
    refs = []
    for key, value in meta.items():
        if not key.startswith("dim-"):
            continue
        match = _DIM_KEY.match(key)
        if match is not None:
            refs.append((int(match.group(1)), str(value)))
    return tuple(sorted(refs))
