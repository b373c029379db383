"""Thresholds of the key ratios: the defaults and a ledger's ``coop-thresholds``.

Each ratio (:mod:`coopledger.ratios`) has a pair: ``good`` and ``bad``. For a ratio where
more is better the verdict is *good* at or above ``good``, *bad* below ``bad``, and
*watch* between; for one where less is better (PAR30, provisions) *good* at or below
``good``, *bad* above ``bad``. The defaults are in :data:`RATIOS` (docs/ratios.md gives
their reasons); a ledger changes them for every entity or for one::

    2026-01-01 custom "coop-thresholds" "all"
      equity-ratio-good: 25
      equity-ratio-bad: 10
    2026-01-01 custom "coop-thresholds" "Fonden"
      par30-good: 3

Each field is optional: what is left out keeps the earlier or default value. A pair in
the wrong order is an error at its line.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Literal

from pydantic import model_validator

from coopledger.declarations import Declaration, declaration
from coopledger.i18n import message

if TYPE_CHECKING:
    from coopledger.books import Books

ZERO = Decimal(0)


@dataclass(frozen=True)
class RatioKind:
    """What a ratio is and its default thresholds.

    Attributes:
        key: Its name in ``coop-thresholds`` (``equity-ratio``).
        unit: ``%`` or ``months``.
        higher_is_better: Whether more is better.
        good: The default boundary of *good*.
        bad: The default boundary of *bad*.
    """

    key: str
    unit: Literal["%", "months"]
    higher_is_better: bool
    good: Decimal
    bad: Decimal

    # The names are the message catalogue's (ratio.<key>), read when first asked for:
    # reading the catalogue when this module is imported would cost every command.
    @property
    def sv(self) -> str:
        """Its Swedish name."""
        return message("sv", f"ratio.{self.key}")

    @property
    def en(self) -> str:
        """Its English name."""
        return message("en", f"ratio.{self.key}")


RATIOS: dict[str, RatioKind] = {kind.key: kind for kind in (
    RatioKind("equity-ratio", "%", True, Decimal(30), Decimal(15)),
    RatioKind("quick-ratio", "%", True, Decimal(100), Decimal(75)),
    RatioKind("cash-months", "months", True, Decimal(3), Decimal(1)),
    RatioKind("margin", "%", True, Decimal(5), ZERO),
    RatioKind("par30", "%", False, Decimal(5), Decimal(10)),
    RatioKind("provisions", "%", False, Decimal(5), Decimal(15)),
    RatioKind("available", "%", True, Decimal(20), Decimal(5)),
)}

@declaration("coop-thresholds")
class Thresholds(Declaration):
    """Thresholds for every entity (``all``) or one (its code), from the declared date.

    Each field is optional; what is left out keeps the earlier or default value.
    """

    equity_ratio_good: Decimal | None = None
    equity_ratio_bad: Decimal | None = None
    quick_ratio_good: Decimal | None = None
    quick_ratio_bad: Decimal | None = None
    cash_months_good: Decimal | None = None
    cash_months_bad: Decimal | None = None
    margin_good: Decimal | None = None
    margin_bad: Decimal | None = None
    par30_good: Decimal | None = None
    par30_bad: Decimal | None = None
    provisions_good: Decimal | None = None
    provisions_bad: Decimal | None = None
    available_good: Decimal | None = None
    available_bad: Decimal | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Thresholds:
        for kind in RATIOS.values():
            field = kind.key.replace("-", "_")
            good, bad = getattr(self, f"{field}_good"), getattr(self, f"{field}_bad")
            if good is None or bad is None:
                continue
            if kind.higher_is_better and good < bad:
                raise ValueError(f"{kind.key}: good ({good}) is below bad ({bad}); more is "
                                 "better for this ratio")
            if not kind.higher_is_better and good > bad:
                raise ValueError(f"{kind.key}: good ({good}) is above bad ({bad}); less is "
                                 "better for this ratio")
        return self


def thresholds_for(books: Books, entity: str | None, date: datetime.date) -> dict[
        str, tuple[Decimal, Decimal]]:
    """Each ratio's (good, bad) for an entity (None: the group) on a date.

    The defaults, then every ``all`` declaration dated on or before ``date`` in date
    order, then the entity's own: each sets only the fields it names.
    """
    limits = {key: (kind.good, kind.bad) for key, kind in RATIOS.items()}
    declared = [d for d in books.declarations.of(Thresholds) if d.date <= date]
    for scope in ("all", entity):
        for decl in declared:
            if decl.id != scope:
                continue
            for key in limits:
                field = key.replace("-", "_")
                good, bad = getattr(decl, f"{field}_good"), getattr(decl, f"{field}_bad")
                limits[key] = (good if good is not None else limits[key][0],
                               bad if bad is not None else limits[key][1])
    return limits
