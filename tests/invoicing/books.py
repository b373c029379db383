"""A member that invoices a municipality and pays a supplier, for the invoicing tests."""

from __future__ import annotations

import datetime
from pathlib import Path

from coopledger.chart import open_directives
from coopledger.entities import EntityKind

START = datetime.date(2025, 1, 1)

PARTIES = '''
2025-01-01 custom "coop-invoicing" "Stad"
  street: "Storgatan 1"
  postcode: "582 22"
  city: "Linköping"
  bankgiro: "5050-1055"
  email: "faktura@glansen.example"

2025-01-01 custom "coop-customer" "Kommunen"
  entity: "Stad"
  name: "Linköpings kommun"
  orgnr: "212000-0449"
  street: "Box 1000"
  postcode: "581 81"
  city: "Linköping"
  peppol: "0007:2120000449"
  reference: "STAD-4711"
  terms: 30
  einvoice: TRUE

2025-01-01 custom "coop-customer" "Privat"
  entity: "Stad"
  name: "Anna Andersson"
  street: "Ågatan 3"
  postcode: "582 24"
  city: "Linköping"
  terms: 20

2025-01-01 custom "coop-customer" "Utanadress"
  entity: "Stad"
  name: "Okänd kund"

2025-01-01 custom "coop-supplier" "Grossisten"
  entity: "Stad"
  name: "Grossisten i Linköping AB"
  orgnr: "556000-0001"
  bankgiro: "1234-5674"
  terms: 30

2025-01-01 custom "coop-supplier" "Utland"
  entity: "Stad"
  name: "Reinigung GmbH"
  iban: "DE89370400440532013000"
  bic: "COBADEFFXXX"
'''


def ledger_text() -> str:
    """Options, an umbrella, the member Stad with its chart, bank account and parties."""
    return "\n".join([
        'option "operating_currency" "SEK"\nplugin "coopledger.plugins.entities"\n',
        f'{START} custom "coop-entity" "Paraply"\n  name: "Paraplyet"\n  kind: "umbrella"\n',
        open_directives("Paraply", EntityKind.UMBRELLA, START),
        f'{START} custom "coop-entity" "Stad"\n  name: "Städkooperativet Glansen ek. för."\n'
        '  kind: "member"\n  orgnr: "769623-4561"\n',
        open_directives("Stad", EntityKind.MEMBER, START).replace(
            "Assets:Stad:1930-Företagskonto SEK\n",
            'Assets:Stad:1930-Företagskonto SEK\n  iban: "SE1550000049666577099004"\n'
            '  bankgiro: "5050-1055"\n'),
        PARTIES])


def write_ledger(folder: Path) -> Path:
    """Write the ledger as ``main.beancount`` in ``folder`` and return its path."""
    path = folder / "main.beancount"
    path.write_text(ledger_text(), encoding="utf-8")
    return path
