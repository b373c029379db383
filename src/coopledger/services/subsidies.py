"""Wage subsidies: monthly claims on Arbetsförmedlingen, one per decision.

Each decision is declared per employee, with the decision number as its id::

    2025-03-01 custom "coop-subsidy" "2025-0412345"
      employee: "E203"
      member: "Stad"
      type: "lönebidrag"
      percent: 80
      cap: 18000.00
      until: 2026-02-28

- ``type``: ``lönebidrag``, ``nystartsjobb`` or ``introduktionsjobb``;
- ``percent``: the share of the salary cost that is paid back;
- ``cap``: the decision's monthly maximum, SEK (caps vary by decision; never a constant);
- valid from the declaration's date to ``until`` (inclusive; open-ended if absent).

The salary cost of a month is taken from that member's payroll entries for the employee
(metadata ``employee``): gross pay (BAS 7010/7210) plus employer contributions (7510).
The claim is ``min(percent * salary cost, cap)``, booked on the month's last day as a
receivable: debit the member's BAS 1689, credit its BAS 3988, with ``decision`` metadata
on the transaction. When Arbetsförmedlingen pays, the bank importer matches the payment
by that decision number (:func:`open_claims` lists what is still to be paid) and books
debit 1930, credit 1689. A decision covering only part of a month claims on the whole
month's payroll; split such a month by hand.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Literal

from beancount.core import data
from pydantic import Field, model_validator

from coopledger.declarations import Declaration, declaration
from coopledger.entities import entity_of
from coopledger.money import ZERO, round_ore
from coopledger.periods import Period
from coopledger.services.entries import (
    AccountIndex,
    Line,
    make_transaction,
    month_link,
    posting_number,
)

if TYPE_CHECKING:
    from coopledger.books import Books

GENERATED_BY = "coopledger.services.subsidies"
PAYROLL_GENERATOR = "coopledger.services.payroll"
DECISION_KEY = "decision"
SALARY_COST_BAS = ("7010", "7210", "7510")


@declaration("coop-subsidy")
class SubsidyDecision(Declaration):
    """A wage-subsidy decision for one employee.

    Attributes:
        employee: The employee id used in the payroll export.
        member: The employing entity's code.
        type: lönebidrag, nystartsjobb or introduktionsjobb.
        percent: Share of the salary cost paid back, in percent.
        cap: Monthly maximum, SEK.
        until: Last day covered (inclusive), if the decision ends.
    """

    employee: str = Field(min_length=1)
    member: str = Field(min_length=1)
    type: Literal["lönebidrag", "nystartsjobb", "introduktionsjobb"]
    percent: Decimal = Field(gt=0, le=100)
    cap: Decimal = Field(ge=0)
    until: datetime.date | None = None

    @model_validator(mode="after")
    def _until_after_start(self) -> SubsidyDecision:
        if self.until is not None and self.until < self.date:
            raise ValueError("until is before the decision's start")
        return self

    def covers(self, period: Period) -> bool:
        """Whether the decision is in force on any day of the month."""
        return self.date <= period.last_day and (self.until is None
                                                  or self.until >= period.start)


def salary_costs(books: Books, period: Period) -> dict[tuple[str, str], Decimal]:
    """Each (member, employee)'s salary cost in a month, from the payroll entries."""
    costs: dict[tuple[str, str], Decimal] = {}
    for entry in books.transactions:
        if (entry.date not in period or entry.meta.get("generated-by") != PAYROLL_GENERATOR
                or "employee" not in entry.meta):
            continue
        employee = str(entry.meta["employee"])
        for posting in entry.postings:
            code = entity_of(posting.account)
            number = posting_number(posting)
            if (code is not None and books.bas(posting.account) in SALARY_COST_BAS
                    and number is not None):
                key = (code, employee)
                costs[key] = costs.get(key, ZERO) + number
    return costs


def subsidy_entries(books: Books, period: Period) -> list[data.Transaction]:
    """The month's subsidy claims, one per decision in force with a salary cost."""
    decisions = [d for d in books.declarations.of(SubsidyDecision) if d.covers(period)]
    if not decisions:
        return []
    index = AccountIndex(books)
    costs = salary_costs(books, period)
    entries = []
    for decision in sorted(decisions, key=lambda d: d.id):
        cost = costs.get((decision.member, decision.employee), ZERO)
        claim = min(round_ore(cost * decision.percent / 100), decision.cap)
        if claim <= 0:
            continue
        meta = {DECISION_KEY: decision.id, "employee": decision.employee,
                "subsidy-type": decision.type, "salary-cost": cost,
                "percent": decision.percent, "cap": decision.cap}
        entries.append(make_transaction(
            date=period.last_day, payee="Arbetsförmedlingen",
            narration=f"{decision.type.capitalize()} {period.label}, beslut {decision.id}",
            coop_id=f"subsidy:{period.label}:{decision.id}", generated_by=GENERATED_BY,
            link=month_link("services", period), meta=meta,
            lines=[Line(index.get(decision.member, "1689"), claim),
                   Line(index.get(decision.member, "3988"), -claim)],
            currency=books.operating_currency))
    return entries


def open_claims(books: Books, as_of: datetime.date) -> dict[str, Decimal]:
    """Claimed but unpaid subsidy per decision number, for matching bank payments.

    A claim counts as paid by any later transaction with the same ``decision`` metadata
    that credits the member's BAS 1689.

    Returns:
        Decision number to the amount still receivable (only non-zero ones).
    """
    left: dict[str, Decimal] = {}
    for entry in books.transactions:
        if entry.date > as_of or DECISION_KEY not in entry.meta:
            continue
        decision = str(entry.meta[DECISION_KEY])
        for posting in entry.postings:
            number = posting_number(posting)
            if books.bas(posting.account) == "1689" and number is not None:
                left[decision] = left.get(decision, ZERO) + number
    return {k: v for k, v in sorted(left.items()) if v != 0}
