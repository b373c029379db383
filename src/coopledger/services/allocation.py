"""Allocation of the umbrella's shared costs to its members, by dated keys.

An allocation names the umbrella's shared cost accounts and the key that splits their
month's cost over members::

    2025-01-01 custom "coop-allocation" "administration"
      accounts: "6310 6530 7610"
      key: "headcount"
      percent: 100

    2025-01-01 custom "coop-allocation" "lokalkostnader"
      accounts: "5020"
      key: "area"
      weights: "Kafe:120 Snickeri:300"

- ``accounts``: the umbrella's accounts, by BAS number or full account name.
- ``key``: ``headcount`` (people on the month's payroll, from the payroll entries),
  ``area`` (m2 rented in the month's premises declarations), ``turnover`` (the month's
  turnover, BAS 3000-3799), ``hours`` or ``fixed`` (shares as given). ``weights`` given
  explicitly override the derived ones (and are required for ``hours`` and ``fixed``).
- ``members``: optional, the members taking part (default: every member).
- ``percent``: the part of the cost allocated (default 100; the umbrella keeps the rest).

A later declaration with the same id replaces the key from its date; ``percent: 0`` ends
it. The cost allocated is exactly what the umbrella booked on the accounts in the month
(times ``percent``), so no more can be allocated than was incurred. The parts are
computed with :func:`coopledger.money.allocate`: largest remainder, exact to the öre,
deterministic. One transaction per allocation and month: each member's BAS 6590 is
debited, the umbrella's BAS 3930 credited.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import TYPE_CHECKING, Literal

from beancount.core import data
from pydantic import Field, field_validator

from coopledger.balances import changes
from coopledger.declarations import Declaration, declaration
from coopledger.entities import EntityKind
from coopledger.errors import CoopException
from coopledger.money import ZERO, allocate, round_ore
from coopledger.periods import Period
from coopledger.services.entries import (
    AccountIndex,
    Line,
    make_transaction,
    month_link,
    parse_weights,
)
from coopledger.services.fees import turnover_and_costs
from coopledger.services.premises import rented_area
from coopledger.services.vat import VatCharge, buyer_lines, output_line, vat_charge

if TYPE_CHECKING:
    from coopledger.books import Books

GENERATED_BY = "coopledger.services.allocation"
PAYROLL_GENERATOR = "coopledger.services.payroll"


@declaration("coop-allocation")
class AllocationKey(Declaration):
    """A dated key splitting shared umbrella cost accounts over members.

    Attributes:
        accounts: Space-separated BAS numbers or account names of the umbrella.
        key: headcount, area, turnover, hours or fixed.
        weights: Explicit ``Code:weight`` pairs (optional for derived keys).
        members: Space-separated member codes taking part (optional: all).
        percent: Percentage of the cost to allocate.
    """

    accounts: str = Field(min_length=1)
    key: Literal["headcount", "area", "turnover", "hours", "fixed"]
    weights: str | None = None
    members: str | None = None
    percent: Decimal = Field(default=Decimal(100), ge=0, le=100)

    @field_validator("weights")
    @classmethod
    def _weights(cls, value: str | None) -> str | None:
        if value is not None:
            parse_weights(value)
        return value

    def weight_map(self) -> dict[str, Decimal] | None:
        """The explicit weights, if any."""
        return parse_weights(self.weights) if self.weights is not None else None


def active_keys(keys: list[AllocationKey], period: Period) -> list[AllocationKey]:
    """For each allocation id, the declaration in force in the month (id order)."""
    latest: dict[str, AllocationKey] = {}
    for key in keys:  # date order
        if key.date <= period.last_day:
            latest[key.id] = key
    return [latest[k] for k in sorted(latest) if latest[k].percent > 0]


def headcount(books: Books, period: Period) -> dict[str, Decimal]:
    """People on each member's payroll in the month (from the payroll entries)."""
    people: defaultdict[str, set[str]] = defaultdict(set)
    for entry in books.transactions:
        if (entry.date in period and entry.meta.get("generated-by") == PAYROLL_GENERATOR
                and "employee" in entry.meta and "member" in entry.meta):
            people[str(entry.meta["member"])].add(str(entry.meta["employee"]))
    return {code: Decimal(len(ids)) for code, ids in people.items()}


def key_weights(books: Books, key: AllocationKey, period: Period,
                members: list[str]) -> dict[str, Decimal]:
    """The weights of a key for the month, restricted to the taking-part members.

    Raises:
        CoopException: Weights are required but absent, or name a non-member.
    """
    explicit = key.weight_map()
    if explicit is not None:
        unknown = sorted(set(explicit) - set(members))
        if unknown:
            raise CoopException(f"allocation {key.id}: {', '.join(unknown)} is not a member "
                                "taking part in it", key.meta)
        return explicit
    if key.key == "headcount":
        derived = headcount(books, period)
    elif key.key == "turnover":
        derived = {code: max(turnover_and_costs(books, period, code)[0], ZERO)
                   for code in members}
    elif key.key == "area":
        derived = rented_area(books, period)
    else:
        raise CoopException(f"allocation {key.id}: key {key.key!r} needs weights "
                            "(weights: \"Kafe:3 Stad:5\")", key.meta)
    return {code: derived.get(code, ZERO) for code in members}


def _cost_accounts(key: AllocationKey, umbrella: str, index: AccountIndex) -> list[str]:
    return sorted({token if ":" in token else index.get(umbrella, token)
                   for token in key.accounts.split()})


def allocation_entries(books: Books, period: Period) -> list[data.Transaction]:
    """The month's allocation entries, one per allocation key with a cost to allocate.

    Raises:
        CoopException: An account is allocated beyond 100 % by several keys, or a key
            lacks the weights it needs.
    """
    umbrella = books.umbrella
    keys = active_keys(books.declarations.of(AllocationKey), period)
    if umbrella is None or not keys:
        return []
    index = AccountIndex(books)
    all_members = sorted(code for code, e in books.entities.items()
                         if e.kind is EntityKind.MEMBER and e.start <= period.last_day)
    umbrella_changes = changes(books, period, entity=umbrella.code)
    used: dict[str, Decimal] = {}
    entries = []
    for key in keys:
        accounts = _cost_accounts(key, umbrella.code, index)
        for account in accounts:
            used[account] = used.get(account, ZERO) + key.percent
            if used[account] > 100:
                raise CoopException(f"allocation {key.id}: {account} is allocated beyond "
                                    "100 % by several keys in force", key.meta)
        cost = sum((umbrella_changes.get(a, ZERO) for a in accounts), ZERO)
        total = round_ore(cost * key.percent / 100)
        if total <= 0:
            continue
        members = key.members.split() if key.members else all_members
        weights = {c: w for c, w in key_weights(books, key, period, members).items() if w > 0}
        if not weights:
            continue
        parts = allocate(total, weights)
        lines: list[Line] = []
        charges: list[VatCharge] = []
        for code, part in parts.items():
            if part == 0:
                continue
            charge = vat_charge(books, umbrella.code, code, part, period.last_day)
            charges.append(charge)
            lines += buyer_lines(index, code, index.get(code, "6590"), part, charge,
                                 {"weight": weights[code]})
        lines.append(Line(index.get(umbrella.code, "3930"), -total))
        lines += output_line(index, umbrella.code, charges)
        meta = {"allocation": key.id, "key": key.key, "cost": round_ore(cost),
                "percent": key.percent, "cost-accounts": " ".join(accounts),
                "weights": " ".join(f"{c}:{w}" for c, w in sorted(weights.items()))}
        entries.append(make_transaction(
            date=period.last_day, payee=umbrella.name,
            narration=f"Fördelade gemensamma kostnader {period.label}: {key.id} ({key.key})",
            coop_id=f"allocation:{period.label}:{key.id}", generated_by=GENERATED_BY,
            link=month_link("services", period), meta=meta, lines=lines,
            currency=books.operating_currency))
    return entries
