"""A small umbrella with two members, for the shared-services tests."""

from __future__ import annotations

import datetime
from decimal import Decimal

from beancount.core import data

from coopledger.chart import open_directives
from coopledger.entities import EntityKind
from coopledger.periods import month_period

START = datetime.date(2025, 1, 1)
APRIL_2026 = month_period(2026, 4)


def header(members: tuple[str, ...] = ("Kafe", "Stad")) -> str:
    """Options, the entities plugin, an umbrella and members with their charts."""
    parts = ['option "operating_currency" "SEK"\nplugin "coopledger.plugins.entities"\n',
             f'{START} custom "coop-entity" "Paraply"\n  name: "Paraplyet"\n'
             '  kind: "umbrella"\n',
             open_directives("Paraply", EntityKind.UMBRELLA, START)]
    for code in members:
        parts.append(f'{START} custom "coop-entity" "{code}"\n  name: "{code} ek för"\n'
                     '  kind: "member"\n')
        parts.append(open_directives(code, EntityKind.MEMBER, START))
    return "\n".join(parts)


def sale(date: str, member: str, net: str) -> str:
    """A member's sale of ``net`` (25 % VAT) paid to its bank."""
    vat = (Decimal(net) * Decimal("0.25")).quantize(Decimal("0.01"))
    return (f'{date} * "Kund" "Försäljning"\n'
            f"  Assets:{member}:1930-Företagskonto  {Decimal(net) + vat} SEK\n"
            f"  Income:{member}:3001-Försäljning-25  -{net} SEK\n"
            f"  Liabilities:{member}:2611-Utgående-moms-25  -{vat} SEK\n")


def cost(date: str, account: str, amount: str, entity: str = "Paraply") -> str:
    """A cost paid from ``entity``'s bank."""
    return (f'{date} * "Leverantör" "Kostnad"\n  {account}  {amount} SEK\n'
            f"  Assets:{entity}:1930-Företagskonto  -{amount} SEK\n")


def number(posting: data.Posting) -> Decimal:
    """A posting's number (the tests only see fully written amounts)."""
    assert posting.units is not None
    assert posting.units.number is not None
    return posting.units.number
