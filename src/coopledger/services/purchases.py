"""Joint purchases: one supplier invoice split over members by quantity or share.

The umbrella receives the invoice (its BAS 2440 is credited with the total); each member
takes its part of the net amount on its own cost account (BAS 4010 by default) and its
part of the input VAT on its BAS 2641. Net and VAT are split separately with
:func:`coopledger.money.allocate` by the same key, so each sums exactly to the invoice's
figures. A rebate (a credit note on a joint purchase) is split by the same key with the
signs reversed. The result is one natural cross-entity transaction; the entities plugin
adds the clearing postings::

    entry = joint_purchase_entry(
        books, date=datetime.date(2026, 10, 7), supplier="Grossisten AB",
        invoice="F-88231", net=Decimal("12000.00"), vat=Decimal("3000.00"),
        weights={"Kafe": Decimal(30), "Snickeri": Decimal(10)})

That is how a unit (no VAT registration of its own) takes its part. A separate member is
another legal person: the invoice is the umbrella's, so the umbrella deducts the input
VAT on its own BAS 2641 and passes the member's part on as a supply of its own (its cost
on BAS 4010, its income on BAS 3001), charging the member 25 % VAT on the net part
(:mod:`coopledger.services.vat`), of which the member deducts what its activity allows.

The entry carries ``coop-id: "purchase:F-88231"`` (``"rebate:..."`` for a rebate) so that
writing it twice is recognised.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING

from beancount.core import data

from coopledger.errors import CoopException
from coopledger.money import ZERO, allocate, round_ore
from coopledger.services.entries import AccountIndex, Line, make_transaction
from coopledger.services.vat import VatCharge, buyer_lines, output_line, vat_charge

if TYPE_CHECKING:
    from coopledger.books import Books

GENERATED_BY = "coopledger.services.purchases"


def split_purchase(net: Decimal, vat: Decimal, weights: Mapping[str, Decimal],
                   ) -> dict[str, tuple[Decimal, Decimal]]:
    """Split an invoice's net amount and VAT over members by one key.

    Args:
        net: The invoice's amount excluding VAT.
        vat: The invoice's VAT.
        weights: Member code to quantity or share (non-negative, not all zero).

    Returns:
        Member code to (net part, VAT part); each column sums exactly to its total.

    Raises:
        ValueError: Bad weights, or amounts not in whole öre.
    """
    nets = allocate(net, weights)
    vats = allocate(vat, weights)
    return {code: (nets[code], vats[code]) for code in nets}


def _link_safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "-", text)


def _passed_on(index: AccountIndex, umbrella: str, member: str, expense_bas: str,
               net: Decimal, vat: Decimal, charge: VatCharge, weight: Decimal) -> list[Line]:
    """A separate member's part: the umbrella's purchase, deduction and taxed resale."""
    lines = [Line(index.get(umbrella, "4010"), net, {"passed-on-to": member})]
    if vat:
        lines.append(Line(index.get(umbrella, "2641"), vat))
    lines.append(Line(index.get(umbrella, "3001"), -net, {"passed-on-to": member}))
    lines += output_line(index, umbrella, [charge])
    lines += buyer_lines(index, member, index.get(member, expense_bas), net, charge,
                         {"weight": weight})
    return lines


def joint_purchase_entry(books: Books, *, date: datetime.date, supplier: str, invoice: str,
                         net: Decimal, vat: Decimal, weights: Mapping[str, Decimal],
                         expense_bas: str = "4010", rebate: bool = False,
                         ) -> data.Transaction:
    """The entry splitting a joint purchase (or a rebate on one) over members.

    Args:
        books: The books (for the umbrella and the accounts).
        date: The invoice date.
        supplier: The supplier's name.
        invoice: The supplier's invoice or credit note number.
        net: Amount excluding VAT (positive).
        vat: VAT (positive or zero).
        weights: Member code to quantity or share.
        expense_bas: The members' cost account (BAS number).
        rebate: A rebate or credit note: members' costs and VAT are credited.

    Returns:
        The transaction.

    Raises:
        CoopException: No umbrella, negative or unrounded amounts, bad weights, or an
            account the books do not have.
    """
    umbrella = books.umbrella
    if umbrella is None:
        raise CoopException("the books declare no umbrella to receive the invoice")
    if net < 0 or vat < 0 or net != round_ore(net) or vat != round_ore(vat):
        raise CoopException(f"invoice {invoice}: net and VAT must be non-negative amounts in "
                            "whole öre")
    unknown = sorted(code for code in weights if code not in books.entities)
    if unknown:
        raise CoopException(f"invoice {invoice}: unknown entity {', '.join(unknown)}")
    try:
        parts = split_purchase(net, vat, weights)
    except ValueError as exc:
        raise CoopException(f"invoice {invoice}: {exc}") from None
    sign = Decimal(-1) if rebate else Decimal(1)
    index = AccountIndex(books)
    lines = []
    for code, (net_part, vat_part) in parts.items():
        charge = vat_charge(books, umbrella.code, code, sign * net_part, date)
        if charge.vat:
            lines += _passed_on(index, umbrella.code, code, expense_bas, sign * net_part,
                                sign * vat_part, charge, Decimal(weights[code]))
            continue
        if net_part:
            lines.append(Line(index.get(code, expense_bas), sign * net_part,
                              {"weight": Decimal(weights[code])}))
        if vat_part:
            lines.append(Line(index.get(code, "2641"), sign * vat_part))
    total = net + vat
    if total == ZERO:
        raise CoopException(f"invoice {invoice}: nothing to split")
    lines.append(Line(index.get(umbrella.code, "2440"), -sign * total))
    kind = "rebate" if rebate else "purchase"
    return make_transaction(
        date=date, payee=supplier,
        narration=f"{'Rabatt på gemensamt inköp' if rebate else 'Gemensamt inköp'}, "
                  f"faktura {invoice}",
        coop_id=f"{kind}:{invoice}", generated_by=GENERATED_BY,
        link=f"{kind}-{_link_safe(invoice)}",
        meta={"invoice": invoice, "net": net, "vat": vat,
              "weights": " ".join(f"{c}:{w}" for c, w in sorted(weights.items()))},
        lines=lines, currency=books.operating_currency)
