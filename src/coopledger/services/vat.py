"""VAT on what one entity charges another: 25 % between legal persons, none inside one.

The umbrella's service fees, re-invoiced shared costs, joint purchases passed on and rent
(only where the umbrella chose voluntary tax liability for the premises) are supplies of
services (DOMAIN.md section 7). Whether VAT applies follows from the legal form:

- between two entities of one taxable person (the umbrella and its units) there is no
  VAT at all;
- to a separate member, the seller charges the general rate of the dated rate table
  (:mod:`coopledger.services.rates`) on its BAS 2611;
- the buyer deducts the share its own sales allow (``vat-deduction``: 1 for taxable
  sales, 0 for exempt ones, the declared share for mixed ones) on its BAS 2641; the rest
  is a cost, booked on the same cost account as the charge.

Every amount is rounded to the öre once, half up, per buyer and charge; the deductible
part is rounded the same way and the cost takes the remainder, so VAT = deductible +
cost exactly.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from coopledger.books import Books
from coopledger.entities import VatSales
from coopledger.filings import taxable_person
from coopledger.money import ZERO, round_ore
from coopledger.services.entries import AccountIndex, Line
from coopledger.services.rates import vat_rates_on

#: Posting metadata on the part of charged VAT the buyer may not deduct.
NONDEDUCTIBLE_KEY = "vat-nondeductible"


@dataclass(frozen=True)
class VatCharge:
    """The VAT on one charge from a seller to a buyer.

    Attributes:
        percent: The rate applied (0 when no VAT applies).
        vat: The VAT charged, to the öre.
        deductible: The part the buyer deducts as input VAT.
    """

    percent: Decimal
    vat: Decimal
    deductible: Decimal

    @property
    def nondeductible(self) -> Decimal:
        """The part of the VAT that is a cost for the buyer."""
        return self.vat - self.deductible


NO_VAT = VatCharge(ZERO, ZERO, ZERO)


def vat_applies(books: Books, seller: str, buyer: str) -> bool:
    """Whether a charge from ``seller`` to ``buyer`` carries VAT.

    Args:
        books: The books (for the entities' legal forms).
        seller: The charging entity's code.
        buyer: The charged entity's code.

    Returns:
        True when they are different taxable persons and the seller's sales are not
        exempt from VAT.
    """
    entities = books.entities
    if entities[seller].vat_sales is VatSales.EXEMPT:
        return False
    return taxable_person(entities, seller).code != taxable_person(entities, buyer).code


def vat_charge(books: Books, seller: str, buyer: str, net: Decimal,
               supplied: datetime.date) -> VatCharge:
    """The VAT on a charge of ``net`` from ``seller`` to ``buyer`` supplied on a date.

    Args:
        books: The books.
        seller: The charging entity's code.
        buyer: The charged entity's code.
        net: The amount charged excluding VAT (negative for a credit).
        supplied: The supply date (it picks the rate).

    Returns:
        The VAT and the buyer's deductible part (:data:`NO_VAT` when none applies).

    Raises:
        CoopException: The rate table has no rates for the date.
    """
    if net == 0 or not vat_applies(books, seller, buyer):
        return NO_VAT
    percent = vat_rates_on(supplied).general
    vat = round_ore(net * percent / 100)
    deductible = round_ore(vat * books.entities[buyer].vat_deduction)
    return VatCharge(percent, vat, deductible)


def buyer_lines(index: AccountIndex, buyer: str, cost_account: str, net: Decimal,
                charge: VatCharge, meta: dict[str, object] | None = None) -> list[Line]:
    """The buyer's postings for a charge: the cost, its deductible VAT, the rest as cost.

    Args:
        index: The books' accounts by BAS number.
        buyer: The charged entity's code.
        cost_account: The buyer's cost account for the net amount.
        net: The net amount.
        charge: Its VAT.
        meta: Metadata for the net cost posting.

    Returns:
        One to three lines summing to ``net + charge.vat``.
    """
    lines = [Line(cost_account, net, dict(meta) if meta else None)]
    if charge.deductible:
        lines.append(Line(index.get(buyer, "2641"), charge.deductible))
    if charge.nondeductible:
        lines.append(Line(cost_account, charge.nondeductible,
                          {NONDEDUCTIBLE_KEY: charge.percent}))
    return lines


def output_line(index: AccountIndex, seller: str, charges: list[VatCharge]) -> list[Line]:
    """The seller's output VAT on a set of charges, as one line (none when no VAT)."""
    total = sum((c.vat for c in charges), ZERO)
    return [Line(index.get(seller, "2611"), -total)] if total else []
