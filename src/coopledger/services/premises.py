"""Premises: the umbrella's properties and leases, rent charged to members, depreciation.

Each property or lease is declared with the members renting part of it::

    2025-01-01 custom "coop-premises" "Verkstan"
      tenure: "owned"
      rent-per-m2: 1200.00
      tenants: "Snickeri:300 Kafe:120"
      building-cost: 4800000.00
      useful-life: 50

- ``tenure``: ``owned`` or ``lease``.
- ``rent-per-m2``: the yearly rent per m2 charged to members, SEK.
- ``tenants``: ``Code:m2`` pairs; each member pays ``m2 * rent-per-m2 / 12`` a month.
- ``building-cost`` and ``useful-life`` (years), for owned property: straight-line
  depreciation of the building (land excluded) from ``in-service`` (default: the
  declaration's date) over ``useful-life * 12`` months.
- ``voluntary-vat``: ``TRUE`` when the umbrella chose voluntary tax liability for letting
  these premises (frivillig skattskyldighet): separate members then pay 25 % VAT on the
  rent, which the umbrella books on BAS 3913 (box 08 of the VAT return). Without it rent
  is exempt and carries no VAT. Units never pay VAT to their umbrella.

A later declaration with the same id replaces the earlier one from its date (a new
tenant, a new rent); one without ``tenants`` stops the rent. Rent is booked on the month's
last day, one transaction per property: members' BAS 5010 debited, the umbrella's BAS 3910
credited. Depreciation: the umbrella's BAS 7820 debited, BAS 1119 credited. Month ``n``'s
depreciation is the rounded cumulative amount after ``n`` months minus that after
``n - 1``, so the months sum exactly to the building cost.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Literal

from beancount.core import data
from pydantic import Field, field_validator, model_validator

from coopledger.declarations import Declaration, declaration
from coopledger.money import ZERO, round_ore
from coopledger.periods import Period
from coopledger.services.entries import (
    AccountIndex,
    Line,
    make_transaction,
    month_link,
    parse_weights,
)
from coopledger.services.vat import NO_VAT, buyer_lines, output_line, vat_charge

if TYPE_CHECKING:
    from coopledger.books import Books

GENERATED_BY = "coopledger.services.premises"


@declaration("coop-premises")
class Premises(Declaration):
    """A property or lease of the umbrella, with the members renting it.

    Attributes:
        tenure: owned or lease.
        rent_per_m2: Yearly rent per m2 charged to members.
        tenants: ``Code:m2`` pairs (optional).
        building_cost: Depreciable cost of an owned building.
        useful_life: Years over which the building is depreciated.
        in_service: First month of depreciation (default: the declaration's date).
    """

    tenure: Literal["owned", "lease"]
    rent_per_m2: Decimal = Field(default=ZERO, ge=0)
    tenants: str | None = None
    building_cost: Decimal | None = Field(default=None, ge=0)
    useful_life: int | None = Field(default=None, gt=0, le=200)
    in_service: datetime.date | None = None
    voluntary_vat: bool = False

    @field_validator("tenants")
    @classmethod
    def _tenants(cls, value: str | None) -> str | None:
        if value is not None and value.strip():
            parse_weights(value)
        return value

    @model_validator(mode="after")
    def _owned_needs_life(self) -> Premises:
        if self.building_cost is not None and self.tenure != "owned":
            raise ValueError("building-cost is for owned property (tenure: \"owned\")")
        if (self.building_cost is None) != (self.useful_life is None):
            raise ValueError("building-cost and useful-life go together")
        return self

    def areas(self) -> dict[str, Decimal]:
        """Member code to rented m2."""
        if self.tenants is None or not self.tenants.strip():
            return {}
        return parse_weights(self.tenants)


def active_premises(books: Books, period: Period) -> list[Premises]:
    """Each property's declaration in force in the month, by id."""
    latest: dict[str, Premises] = {}
    for item in books.declarations.of(Premises):  # date order
        if item.date <= period.last_day:
            latest[item.id] = item
    return [latest[k] for k in sorted(latest)]


def rented_area(books: Books, period: Period) -> dict[str, Decimal]:
    """Each member's rented m2 over all premises in force in the month."""
    area: dict[str, Decimal] = {}
    for item in active_premises(books, period):
        for code, m2 in item.areas().items():
            area[code] = area.get(code, ZERO) + m2
    return area


def _months_between(start: datetime.date, end: datetime.date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month


def depreciation(cost: Decimal, life_years: int, month_number: int) -> Decimal:
    """Straight-line depreciation in the ``month_number``-th month (1-based) of use.

    The cumulative amount is rounded to the öre, so the months sum to ``cost`` exactly
    and nothing is depreciated after the useful life.
    """
    months = life_years * 12
    if month_number < 1 or month_number > months:
        return ZERO

    def cumulative(n: int) -> Decimal:
        return round_ore(cost * n / months)

    return cumulative(month_number) - cumulative(month_number - 1)


def premises_entries(books: Books, period: Period) -> list[data.Transaction]:
    """The month's rent and depreciation entries for every property in force."""
    umbrella = books.umbrella
    items = active_premises(books, period)
    if umbrella is None or not items:
        return []
    index = AccountIndex(books)
    first_date: dict[str, datetime.date] = {}
    for item in books.declarations.of(Premises):
        first_date.setdefault(item.id, item.date)
    currency = books.operating_currency
    entries = []
    for item in items:
        rents = {code: round_ore(m2 * item.rent_per_m2 / 12)
                 for code, m2 in sorted(item.areas().items())}
        total = sum(rents.values(), ZERO)
        if total > 0:
            lines: list[Line] = []
            income = {"3910": ZERO, "3913": ZERO}
            charges = []
            for code, rent in rents.items():
                if rent <= 0:
                    continue
                charge = (vat_charge(books, umbrella.code, code, rent, period.last_day)
                          if item.voluntary_vat else NO_VAT)
                charges.append(charge)
                income["3913" if charge.vat else "3910"] += rent
                lines += buyer_lines(index, code, index.get(code, "5010"), rent, charge,
                                     {"area-m2": item.areas()[code]})
            lines += [Line(index.get(umbrella.code, bas), -amount)
                      for bas, amount in income.items() if amount]
            lines += output_line(index, umbrella.code, charges)
            entries.append(make_transaction(
                date=period.last_day, payee=umbrella.name,
                narration=f"Lokalhyra {period.label}: {item.id}",
                coop_id=f"rent:{period.label}:{item.id}", generated_by=GENERATED_BY,
                link=month_link("services", period),
                meta={"premises": item.id, "rent-per-m2-year": item.rent_per_m2},
                lines=lines, currency=currency))
        if item.building_cost is not None and item.useful_life is not None:
            start = item.in_service or first_date[item.id]
            number = _months_between(start, period.start) + 1
            amount = depreciation(item.building_cost, item.useful_life, number)
            if amount > 0:
                entries.append(make_transaction(
                    date=period.last_day, payee=umbrella.name,
                    narration=f"Avskrivning byggnad {period.label}: {item.id}",
                    coop_id=f"depreciation:{period.label}:{item.id}",
                    generated_by=GENERATED_BY, link=month_link("services", period),
                    meta={"premises": item.id, "building-cost": item.building_cost,
                          "useful-life-years": Decimal(item.useful_life),
                          "month-of-use": Decimal(number)},
                    lines=[Line(index.get(umbrella.code, "7820"), amount),
                           Line(index.get(umbrella.code, "1119"), -amount)],
                    currency=currency))
    return entries
