"""Ledger text for the fund tests: entities, charts, loans and their movements."""

from __future__ import annotations

import datetime
from decimal import Decimal

from coopledger.chart import open_directives
from coopledger.entities import EntityKind

START = datetime.date(2025, 1, 1)
FUND_BANK = "Assets:Fonden:1930-Företagskonto"
FUND_LOANS = "Assets:Fonden:1380-Lånefordringar-medlemmar"
FUND_ACCRUED = "Assets:Fonden:1682-Upplupna-räntor-medlemslån"
FUND_INTEREST = "Income:Fonden:8250-Ränteintäkter-medlemslån"
FUND_RESERVE = "Assets:Fonden:1389-Reserv-för-kreditförluster"
FUND_LOSSES = "Expenses:Fonden:6351-Kreditförluster"
FUND_CAPITAL = "Equity:Fonden:2083-Medlemsinsatser-fonden"
KINDS = {"Paraply": EntityKind.UMBRELLA, "Fonden": EntityKind.FUND,
         "Kafe": EntityKind.MEMBER, "Stad": EntityKind.MEMBER}
OPENING = {"Paraply": "100000.00", "Fonden": "500000.00", "Kafe": "400000.00",
           "Stad": "400000.00"}


def bank(code: str) -> str:
    """The entity's bank account."""
    return f"Assets:{code}:1930-Företagskonto"


def header() -> str:
    """Options, plugins, four entities with their standard charts and opening cash."""
    lines = ['option "operating_currency" "SEK"', 'plugin "coopledger.plugins.entities"',
             'plugin "coopledger.plugins.loans"', ""]
    for code, kind in KINDS.items():
        lines += [f'{START} custom "coop-entity" "{code}"', f'  name: "{code} ek. för."',
                  f'  kind: "{kind.value}"', open_directives(code, kind, START)]
    for code, cash in OPENING.items():
        lines += [f'{START} * "Ingående balans"', f"  {bank(code)}  {cash} SEK",
                  f"  Equity:{code}:2091-Balanserad-vinst-eller-förlust  -{cash} SEK", ""]
    return "\n".join(lines) + "\n"


def loan(loan_id: str, date: datetime.date, borrower: str, principal: str, rate: str,
         term: int, **fields: str | int) -> str:
    """A ``coop-loan`` declaration lent by Fonden; extra fields as ``key=value``."""
    lines = [f'{date} custom "coop-loan" "{loan_id}"', '  lender: "Fonden"',
             f'  borrower: "{borrower}"', f'  principal: "{principal}"', f'  rate: "{rate}"',
             f"  term: {term}"]
    for key, value in fields.items():
        text = value if isinstance(value, int) or key in ("first_due", "maturity") \
            else f'"{value}"'
        lines.append(f"  {key.replace('_', '-')}: {text}")
    return "\n".join(lines) + "\n"


def disburse(loan_id: str, date: datetime.date, borrower: str, amount: Decimal) -> str:
    """The disbursement, written as one natural transaction over both entities."""
    return (f'{date} * "Fonden" "Utbetalning {loan_id}" ^{loan_id}\n'
            f"  {FUND_LOANS}  {amount} SEK\n  {FUND_BANK}  {-amount} SEK\n"
            f"  {bank(borrower)}  {amount} SEK\n"
            f"  Liabilities:{borrower}:2390-Lån-från-fonden  {-amount} SEK\n")


def repay(loan_id: str, date: datetime.date, borrower: str, interest: Decimal,
          principal: Decimal) -> str:
    """A repayment: interest to 8250/8410, principal to 1380/2390, cash between banks."""
    total = interest + principal
    lines = [f'{date} * "{borrower}" "Amortering och ränta {loan_id}" ^{loan_id}']
    if principal:
        lines += [f"  {FUND_LOANS}  {-principal} SEK",
                  f"  Liabilities:{borrower}:2390-Lån-från-fonden  {principal} SEK"]
    if interest:
        lines += [f"  {FUND_INTEREST}  {-interest} SEK",
                  f"  Expenses:{borrower}:8410-Räntekostnader-medlemslån  {interest} SEK"]
    lines += [f"  {bank(borrower)}  {-total} SEK", f"  {FUND_BANK}  {total} SEK"]
    return "\n".join(lines) + "\n"


def write_off(loan_id: str, date: datetime.date, borrower: str, amount: Decimal) -> str:
    """Write the outstanding principal off against credit losses; the borrower's mirror."""
    return (f'{date} * "Fonden" "Avskrivning {loan_id}" ^{loan_id}\n'
            f"  {FUND_LOSSES}  {amount} SEK\n  {FUND_LOANS}  {-amount} SEK\n"
            f"  Liabilities:{borrower}:2390-Lån-från-fonden  {amount} SEK\n"
            f"  Income:{borrower}:8390-Övriga-finansiella-intäkter  {-amount} SEK\n")


def contribute(member: str, date: datetime.date, amount: Decimal) -> str:
    """A member's capital contribution to the fund (negative: a withdrawal)."""
    return (f'{date} * "{member}" "Insats i fonden"\n'
            f"  Assets:{member}:1385-Insats-i-fonden  {amount} SEK\n"
            f"  {bank(member)}  {-amount} SEK\n  {FUND_BANK}  {amount} SEK\n"
            f"  {FUND_CAPITAL}  {-amount} SEK\n")
