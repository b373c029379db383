"""The chart of accounts coopledger opens for an entity, mapped to BAS numbers.

Account names follow one pattern, ``<Root>:<Entity>:<BAS>-<Swedish name>`` (for example
``Assets:Kafe:1930-Företagskonto``), so that Fava lists them in BAS order and an
accountant finds them by number; the ``bas`` metadata on the ``open`` directive is the
authoritative mapping used by SIE and the Swedish reports. Only the BAS accounts that
coopledger uses are listed here, by number and short name (DOMAIN.md, section 3).
Accounts whose positions are eliminated on consolidation carry ``intragroup: TRUE``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from coopledger.entities import EntityKind


@dataclass(frozen=True)
class ChartAccount:
    """One account of the chart: BAS number, short Swedish name, Beancount root."""

    bas: str
    name: str
    root: str
    intragroup: bool = False

    def account(self, entity: str) -> str:
        """The full Beancount account name in ``entity``'s tree."""
        return f"{self.root}:{entity}:{self.bas}-{self.name.replace(' ', '-')}"


def _a(bas: str, name: str, root: str, *, intragroup: bool = False) -> ChartAccount:
    return ChartAccount(bas, name, root, intragroup)


#: 8999 Årets resultat: the year-end close books each entity's result here against 2099,
#: so the income statement of a closed year nets to zero and its accounts keep the year.
YEAR_RESULT = _a("8999", "Årets resultat", "Expenses")

#: Every entity has these: bank, VAT, payables and receivables, equity of an ekonomisk
#: förening (2083/2091/2099, not an AB's 2081), and 8999 for the year-end close.
COMMON = (
    _a("1930", "Företagskonto", "Assets"),
    _a("1510", "Kundfordringar", "Assets"),
    _a("1630", "Skattekonto", "Assets"),
    _a("1689", "Övriga kortfristiga fordringar", "Assets"),
    _a("2083", "Medlemsinsatser", "Equity"),
    _a("2091", "Balanserad vinst eller förlust", "Equity"),
    _a("2099", "Årets resultat", "Equity"),
    _a("2440", "Leverantörsskulder", "Liabilities"),
    _a("2611", "Utgående moms 25", "Liabilities"),
    _a("2621", "Utgående moms 12", "Liabilities"),
    _a("2631", "Utgående moms 6", "Liabilities"),
    _a("2641", "Ingående moms", "Liabilities"),
    _a("2650", "Momsredovisning", "Liabilities"),
    _a("6570", "Bankkostnader", "Expenses"),
    _a("3740", "Öresutjämning", "Income"),
    YEAR_RESULT,
)

#: A member cooperative that sells, employs and buys the umbrella's services.
MEMBER = (
    _a("3001", "Försäljning 25", "Income"),
    _a("3002", "Försäljning 12", "Income"),
    _a("3003", "Försäljning 6", "Income"),
    _a("3004", "Försäljning momsfri", "Income"),
    _a("3988", "Bidrag för personal", "Income"),
    _a("4010", "Inköp varor och material", "Expenses"),
    _a("5010", "Lokalhyra", "Expenses", intragroup=True),
    _a("5410", "Förbrukningsinventarier", "Expenses"),
    _a("6110", "Kontorsmateriel", "Expenses"),
    _a("6550", "Tjänsteavgift paraplyet", "Expenses", intragroup=True),
    _a("6590", "Fördelade gemensamma kostnader", "Expenses", intragroup=True),
    _a("7010", "Löner kollektivanställda", "Expenses"),
    _a("7090", "Förändring semesterlöneskuld", "Expenses"),
    _a("7510", "Arbetsgivaravgifter", "Expenses"),
    _a("7519", "Sociala avgifter semesterlöner", "Expenses"),
    _a("8410", "Räntekostnader medlemslån", "Expenses", intragroup=True),
    _a("2390", "Lån från fonden", "Liabilities", intragroup=True),
    _a("2710", "Personalskatt", "Liabilities"),
    _a("2731", "Avräkning sociala avgifter", "Liabilities"),
    _a("2920", "Upplupna semesterlöner", "Liabilities"),
    _a("2941", "Upplupna sociala avgifter", "Liabilities"),
    _a("1385", "Insats i fonden", "Assets", intragroup=True),
    _a("2960", "Upplupna räntekostnader", "Liabilities", intragroup=True),
    _a("8390", "Övriga finansiella intäkter", "Income"),
    _a("8313", "Ränteintäkter kundfordringar", "Income"),
    _a("3990", "Övriga ersättningar och intäkter", "Income"),
)

#: The umbrella: shared premises, central staff, and the income from its services.
UMBRELLA = (
    _a("1110", "Byggnader", "Assets"),
    _a("1119", "Ackumulerade avskrivningar byggnader", "Assets"),
    _a("3001", "Försäljning 25", "Income"),
    _a("4010", "Inköp varor och material", "Expenses"),
    _a("3910", "Hyresintäkter medlemmar", "Income", intragroup=True),
    _a("3913", "Frivilligt momspliktiga hyresintäkter", "Income", intragroup=True),
    _a("3920", "Tjänsteavgifter medlemmar", "Income", intragroup=True),
    _a("3930", "Fördelade gemensamma kostnader", "Income", intragroup=True),
    _a("3987", "Kommunala bidrag", "Income"),
    _a("3988", "Bidrag för personal", "Income"),
    _a("5010", "Lokalhyra", "Expenses"),
    _a("5020", "El och värme", "Expenses"),
    _a("6110", "Kontorsmateriel", "Expenses"),
    _a("6310", "Försäkringar", "Expenses"),
    _a("6530", "Redovisningstjänster", "Expenses"),
    _a("7210", "Löner tjänstemän", "Expenses"),
    _a("7090", "Förändring semesterlöneskuld", "Expenses"),
    _a("7510", "Arbetsgivaravgifter", "Expenses"),
    _a("7519", "Sociala avgifter semesterlöner", "Expenses"),
    _a("7610", "Utbildning", "Expenses"),
    _a("7820", "Avskrivningar byggnader", "Expenses"),
    _a("2710", "Personalskatt", "Liabilities"),
    _a("2731", "Avräkning sociala avgifter", "Liabilities"),
    _a("2920", "Upplupna semesterlöner", "Liabilities"),
    _a("2941", "Upplupna sociala avgifter", "Liabilities"),
)

#: The fund: members' capital, loans to members, interest, provisions and write-offs.
FUND = (
    _a("1380", "Lånefordringar medlemmar", "Assets", intragroup=True),
    _a("1389", "Reserv för kreditförluster", "Assets"),
    _a("1682", "Upplupna räntor medlemslån", "Assets", intragroup=True),
    _a("2083", "Medlemsinsatser fonden", "Equity", intragroup=True),
    _a("8250", "Ränteintäkter medlemslån", "Income", intragroup=True),
    _a("6351", "Kreditförluster", "Expenses"),
)

CHARTS: dict[EntityKind, tuple[ChartAccount, ...]] = {
    EntityKind.MEMBER: COMMON + MEMBER,
    EntityKind.UMBRELLA: COMMON + UMBRELLA,
    EntityKind.FUND: COMMON + FUND,
}


def chart_for(kind: EntityKind) -> tuple[ChartAccount, ...]:
    """The accounts an entity of this kind starts with, in BAS order."""
    return tuple(sorted(CHARTS[kind], key=lambda a: a.bas))


def account_for(entity: str, bas: str, kind: EntityKind = EntityKind.MEMBER) -> str:
    """The account name for a BAS number in an entity's standard chart.

    Raises:
        KeyError: The chart of that kind has no such BAS number.
    """
    for item in CHARTS[kind]:
        if item.bas == bas:
            return item.account(entity)
    raise KeyError(f"no BAS {bas} in the {kind} chart")


def open_directives(entity: str, kind: EntityKind, date: datetime.date,
                    currency: str = "SEK") -> str:
    """Beancount text opening an entity's standard chart on ``date``."""
    lines = []
    for item in chart_for(kind):
        lines.append(f"{date} open {item.account(entity)} {currency}")
        lines.append(f'  bas: "{item.bas}"')
        if item.intragroup:
            lines.append("  intragroup: TRUE")
    return "\n".join(lines) + "\n"
