"""Members' capital in the fund: contributions (insatser), shares and withdrawals.

A member puts capital in with one natural transaction that balances inside both entities::

    2025-01-15 * "Kafe" "Insats i fonden"
      Assets:Kafe:1385-Insats-i-fonden               10000.00 SEK
      Assets:Kafe:1930-Företagskonto                -10000.00 SEK
      Assets:Fonden:1930-Företagskonto               10000.00 SEK
      Equity:Fonden:2083-Medlemsinsatser-fonden     -10000.00 SEK

The fund's side is its members' capital (BAS 2083), the member's side its holding in the
fund (BAS 1385). A withdrawal is the same with the signs turned; it is allowed only under
a ``coop-capital-rule`` of the fund. Each member's holding is the sum of its 1385 postings
in transactions that move the fund's 2083; its share is that holding over the total.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from beancount.core import data

from coopledger.entities import entity_of
from coopledger.money import ZERO

CONTRIBUTION_BAS = ("2083", "2084")
HOLDING_BAS = "1385"


@dataclass(frozen=True)
class MemberShare:
    """One member's capital in the fund.

    Attributes:
        member: The member's entity code.
        capital: Its contributions less withdrawals.
        share: Its fraction of all members' capital (0 to 1, four decimals).
    """

    member: str
    capital: Decimal
    share: Decimal


def bas_of(opens: Mapping[str, data.Open], account: str) -> str | None:
    """The ``bas`` metadata of an account's ``open`` directive."""
    entry = opens.get(account)
    value = entry.meta.get("bas") if entry is not None and entry.meta else None
    return str(value) if value is not None else None


def capital_movements(
    transactions: Iterable[data.Transaction], opens: Mapping[str, data.Open], fund: str,
) -> list[tuple[data.Transaction, str, Decimal]]:
    """Every contribution (positive) or withdrawal (negative) by a member, in date order.

    Args:
        transactions: The ledger's transactions.
        opens: ``open`` directives by account.
        fund: The fund's entity code.

    Returns:
        ``(transaction, member, amount)`` for each member holding (1385) posting in a
        transaction that moves the fund's members' capital (2083/2084), or in an
        opening-balance entry of daily books (the holdings carried in).
    """
    found: list[tuple[data.Transaction, str, Decimal]] = []
    # Per account, computed once: whether it is the fund's members' capital, and the
    # member whose holding (1385) it is.
    capital: dict[str, bool] = {}
    holder: dict[str, str | None] = {}
    for txn in transactions:
        opening = bool(txn.meta and "opening-balances" in txn.meta)  # daily books
        if not opening:
            for p in txn.postings:
                account = p.account
                if account not in capital:
                    capital[account] = (entity_of(account) == fund
                                        and bas_of(opens, account) in CONTRIBUTION_BAS)
                if capital[account]:
                    break
            else:
                continue
        for posting in txn.postings:
            account = posting.account
            if account not in holder:
                member = entity_of(account)
                holder[account] = member if (member != fund and member is not None and bas_of(
                    opens, account) == HOLDING_BAS) else None
            member = holder[account]
            number = posting.units.number if posting.units is not None else None
            if member is not None and number is not None:
                found.append((txn, member, number))
    return found


def shares_at(
    movements: Iterable[tuple[data.Transaction, str, Decimal]], date: datetime.date,
) -> list[MemberShare]:
    """Each member's capital and share at the end of ``date``, from its movements.

    Args:
        movements: What :func:`capital_movements` found.
        date: The day.

    Returns:
        One line per member that contributed by ``date``, by member code.
    """
    capital: dict[str, Decimal] = {}
    for txn, member, amount in movements:
        if txn.date <= date:
            capital[member] = capital.get(member, ZERO) + amount
    total = sum(capital.values(), ZERO)
    return [MemberShare(member, amount,
                        (amount / total).quantize(Decimal("0.0001")) if total else ZERO)
            for member, amount in sorted(capital.items())]


def entity_balances(transactions: Iterable[data.Transaction], code: str,
                    date: datetime.date, currency: str) -> dict[str, Decimal]:
    """Every account balance of one entity at the end of ``date``, in one currency."""
    return balances_at(entity_postings(transactions, code, currency), date)


def entity_postings(transactions: Iterable[data.Transaction], code: str,
                    currency: str) -> list[tuple[datetime.date, str, Decimal]]:
    """``(date, account, units)`` of one entity's postings in one currency.

    Args:
        transactions: The ledger's transactions.
        code: The entity.
        currency: The currency.

    Returns:
        The postings, for :func:`balances_at` (which reads them for several dates).
    """
    found: list[tuple[datetime.date, str, Decimal]] = []
    for txn in transactions:
        for posting in txn.postings:
            units = posting.units
            if (units is not None and units.currency == currency and units.number is not None
                    and entity_of(posting.account) == code):
                found.append((txn.date, posting.account, units.number))
    return found


def balances_at(postings: Iterable[tuple[datetime.date, str, Decimal]],
                date: datetime.date) -> dict[str, Decimal]:
    """Every account's balance at the end of ``date``, from :func:`entity_postings`."""
    sums: dict[str, Decimal] = {}
    for day, account, number in postings:
        if day > date:
            continue
        sums[account] = sums.get(account, ZERO) + number
    return sums
