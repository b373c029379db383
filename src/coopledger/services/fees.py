"""Service fees: what each member pays the umbrella each month, by dated rules.

A fee rule is a fixed monthly part plus a percentage of the member's month turnover or
gross margin, with an optional minimum and cap::

    2025-01-01 custom "coop-fee" "standard-2025"
      member: "all"
      fixed: 1500.00
      percent: 4.5
      base: "turnover"
      minimum: 2000.00
      cap: 25000.00

- ``member``: an entity code, or ``"all"`` (every member cooperative).
- ``base``: ``"turnover"`` (income on BAS 3000-3799, intra-group accounts excluded) or
  ``"margin"`` (turnover minus direct costs on BAS 4000-4999, intra-group excluded; a
  negative margin counts as zero).
- A rule is valid from its date until superseded: for a member and month, the latest rule
  dated on or before the month's last day that names the member or ``"all"`` applies
  (on the same date a rule naming the member wins over ``"all"``). A rule with
  ``fixed: 0`` and ``percent: 0`` ends the fees.

The month's fee is booked on its last day: an expense on the member's BAS 6550 and income
on the umbrella's BAS 3920, one cross-entity transaction (the entities plugin adds the
clearing postings), with the base, rate and fixed part in metadata. A separate member is
charged VAT on the fee (:mod:`coopledger.services.vat`); a unit is not.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Literal

from beancount.core import data
from pydantic import Field, field_validator, model_validator

from coopledger.balances import changes
from coopledger.declarations import Declaration, declaration
from coopledger.entities import EntityKind
from coopledger.money import ZERO, round_ore
from coopledger.periods import Period
from coopledger.services.entries import AccountIndex, Line, make_transaction, month_link
from coopledger.services.vat import buyer_lines, output_line, vat_charge

if TYPE_CHECKING:
    from coopledger.books import Books

GENERATED_BY = "coopledger.services.fees"
ALL = "all"


@declaration("coop-fee")
class FeeRule(Declaration):
    """A dated service-fee rule.

    Attributes:
        member: The member's entity code, or ``"all"``.
        fixed: Fixed part per month, SEK.
        percent: Percentage of the base.
        base: ``turnover`` or ``margin``.
        minimum: Smallest monthly fee (optional).
        cap: Largest monthly fee (optional).
    """

    member: str = ALL
    fixed: Decimal = ZERO
    percent: Decimal = ZERO
    base: Literal["turnover", "margin"] = "turnover"
    minimum: Decimal | None = Field(default=None, ge=0)
    cap: Decimal | None = Field(default=None, ge=0)

    @field_validator("fixed", "percent")
    @classmethod
    def _not_negative(cls, value: Decimal) -> Decimal:
        if value < 0:
            raise ValueError("must not be negative")
        return value

    @model_validator(mode="after")
    def _cap_above_minimum(self) -> FeeRule:
        if self.minimum is not None and self.cap is not None and self.cap < self.minimum:
            raise ValueError("cap must not be below minimum")
        return self


def in_range(bas: str | None, low: int, high: int) -> bool:
    """Whether a BAS number lies in ``low..high`` (inclusive)."""
    return bas is not None and bas.isdigit() and low <= int(bas) <= high


def turnover_and_costs(books: Books, period: Period, member: str) -> tuple[Decimal, Decimal]:
    """A member's month turnover (BAS 3000-3799) and direct costs (4000-4999).

    Intra-group accounts (``intragroup: TRUE``) are left out of both.

    Returns:
        Turnover (income as a positive number) and direct costs (positive).
    """
    turnover = costs = ZERO
    for account, amount in changes(books, period, entity=member).items():
        if books.is_intragroup(account):
            continue
        bas = books.bas(account)
        if account.startswith("Income:") and in_range(bas, 3000, 3799):
            turnover -= amount
        elif account.startswith("Expenses:") and in_range(bas, 4000, 4999):
            costs += amount
    return turnover, costs


def rule_for(rules: list[FeeRule], member: str, period: Period) -> FeeRule | None:
    """The rule in force for a member in a month (see the module docstring)."""
    best: FeeRule | None = None
    for rule in rules:  # date order, as parsed
        if rule.date > period.last_day or rule.member not in (member, ALL):
            continue
        if best is None or rule.date > best.date or rule.member == member:
            best = rule
    return best


def fee_amount(rule: FeeRule, base_amount: Decimal) -> Decimal:
    """The month's fee under a rule for a base amount (negative bases count as zero)."""
    fee = rule.fixed + round_ore(max(base_amount, ZERO) * rule.percent / 100)
    if rule.minimum is not None:
        fee = max(fee, rule.minimum)
    if rule.cap is not None:
        fee = min(fee, rule.cap)
    return round_ore(fee)


def fee_entries(books: Books, period: Period) -> list[data.Transaction]:
    """The month's service-fee entries, one per member with a fee.

    Args:
        books: The books.
        period: The month.

    Returns:
        The entries, in member code order.
    """
    umbrella = books.umbrella
    rules = books.declarations.of(FeeRule)
    if umbrella is None or not rules:
        return []
    index = AccountIndex(books)
    entries = []
    for code, entity in sorted(books.entities.items()):
        if entity.kind is not EntityKind.MEMBER or entity.start > period.last_day:
            continue
        rule = rule_for(rules, code, period)
        if rule is None:
            continue
        turnover, costs = turnover_and_costs(books, period, code)
        base_amount = turnover if rule.base == "turnover" else turnover - costs
        fee = fee_amount(rule, base_amount)
        if fee == 0:
            continue
        meta = {"fee-rule": rule.id, "base": rule.base, "base-amount": round_ore(base_amount),
                "percent": rule.percent, "fixed": rule.fixed}
        if rule.minimum is not None:
            meta["minimum"] = rule.minimum
        if rule.cap is not None:
            meta["cap"] = rule.cap
        charge = vat_charge(books, umbrella.code, code, fee, period.last_day)
        if charge.vat:
            meta["vat"] = charge.vat
        entries.append(make_transaction(
            date=period.last_day, payee=umbrella.name,
            narration=f"Tjänsteavgift {period.label}: {rule.fixed} kr + {rule.percent} % av "
                      f"{'omsättning' if rule.base == 'turnover' else 'täckningsbidrag'}",
            coop_id=f"fee:{period.label}:{code}", generated_by=GENERATED_BY,
            link=month_link("services", period), meta=meta,
            lines=[*buyer_lines(index, code, index.get(code, "6550"), fee, charge),
                   Line(index.get(umbrella.code, "3920"), -fee),
                   *output_line(index, umbrella.code, [charge])],
            currency=books.operating_currency))
    return entries
