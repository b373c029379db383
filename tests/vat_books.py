"""A small umbrella for the VAT tests: separate members, a mixed one, a unit and the fund."""

from __future__ import annotations

import datetime

from coopledger.chart import open_directives
from coopledger.entities import EntityKind

START = datetime.date(2026, 1, 1)

ENTITIES = (
    ("Paraply", "umbrella", '  orgnr: "769600-0012"\n'),
    ("Kafe", "member", '  orgnr: "769634-5672"\n'),
    ("Omsorg", "member", '  orgnr: "769656-7895"\n  vat-period: "month"\n'
                         '  vat-sales: "mixed"\n  vat-deduction: 0.40\n'),
    ("Bageri", "member", '  legal-form: "unit"\n'),
    ("Fonden", "fund", '  orgnr: "769612-3459"\n'),
)


def header(*, umbrella_orgnr: bool = True) -> str:
    """Options, the entities plugin and the entities with their standard charts."""
    parts = ['option "operating_currency" "SEK"\nplugin "coopledger.plugins.entities"\n']
    for code, kind, extra in ENTITIES:
        fields = "" if code == "Paraply" and not umbrella_orgnr else extra
        parts.append(f'{START} custom "coop-entity" "{code}"\n  name: "{code} ek för"\n'
                     f'  kind: "{kind}"\n{fields}')
        parts.append(open_directives(code, EntityKind(kind), START))
    return "\n".join(parts)


def sale(date: str, entity: str, net: str, vat: str) -> str:
    """An entity's sale at 25 % paid to its bank."""
    return (f'{date} * "Kund" "Försäljning"\n'
            f"  Assets:{entity}:1930-Företagskonto\n"
            f"  Income:{entity}:3001-Försäljning-25  -{net} SEK\n"
            f"  Liabilities:{entity}:2611-Utgående-moms-25  -{vat} SEK\n")


def purchase(date: str, entity: str, net: str, vat: str) -> str:
    """An entity's purchase with input VAT paid from its bank."""
    return (f'{date} * "Leverantör" "Inköp"\n'
            f"  Expenses:{entity}:4010-Inköp-varor-och-material  {net} SEK\n"
            f"  Liabilities:{entity}:2641-Ingående-moms  {vat} SEK\n"
            f"  Assets:{entity}:1930-Företagskonto\n")


FEE_RULE = """
2026-01-01 custom "coop-fee" "standard"
  member: "all"
  fixed: 1000.00
  percent: 0
"""
