"""Write the example umbrella's books in ``ledgers/example/``, deterministically.

The example is an umbrella in Östergötland (Paraply), its loan fund (Fonden) and five
member cooperatives with real trades: cleaning (Stad), a café (Kafe), gardening
(Tradgard), home care (Omsorg) and carpentry (Snickeri), each a separate ekonomisk
förening with its own orgnr and VAT registration; and one unit inside the umbrella
(Cykel, a bicycle workshop: no orgnr, it files with the umbrella). Home care is mostly
exempt from VAT, so Omsorg declares mixed sales and deducts a share of its input VAT.
This script writes the base books: declarations, charts of accounts, opening balances,
and every month's sales with VAT, purchases, customer and supplier payments, bank fees,
the umbrella's shared costs and grants, and one cross-entity payment a month (the
umbrella pays a member's supplier, the member settles the clearing account the month
after). The VAT settlements are booked by the monthly close at each VAT period's end.

Run from the repository root::

    python scripts/make_example.py

The same seed always gives the same bytes. Loans, member capital, payroll, service fees
and the monthly closes are added on top by the commands that own them:
``scripts/build_example.py`` runs every step in order.
"""

from __future__ import annotations

import datetime
import random
import sys
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from dateutil.relativedelta import relativedelta
from stdnum import iban

from coopledger.chart import open_directives
from coopledger.entities import EntityKind

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "ledgers" / "example"
START = datetime.date(2025, 1, 1)
END = datetime.date(2026, 11, 30)  # through November 2026; closed through October
SEED = 20250101
ORE = Decimal("0.01")


@dataclass(frozen=True)
class Member:
    """A member cooperative's trade, for generating believable months."""

    code: str
    name: str
    orgnr: str
    vat: Decimal  # 0 for VAT-exempt sales
    sales_low: int
    sales_high: int
    customers: tuple[str, ...]
    suppliers: tuple[str, ...]
    what: str
    cash_sales: bool = False
    legal: str = '  legal-form: "separate"\n'  # legal form and VAT fields, declared as-is
    deduction: Decimal = Decimal(1)  # the deductible share of input VAT


UMBRELLA = ("Paraply", "Kooperativa Paraplyet i Östergötland ekonomisk förening",
            "769600-0012")
FUND = ("Fonden", "Paraplyets lokala fond ekonomisk förening", "769612-3459")
MEMBERS = (
    Member("Stad", "Städkooperativet Glansen ekonomisk förening", "769623-4561",
           Decimal("0.25"), 150_000, 210_000,
           ("HSB Östergötland", "Linköpings Stadsmission", "Tekniska verken", "Ryds Bilglas"),
           ("Städgrossisten Öst AB", "Ahlsell Sverige AB"), "Städning"),
    Member("Kafe", "Kafé Linnéa ekonomisk förening", "769634-5672",
           Decimal("0.12"), 130_000, 175_000, (), ("Martin & Servera AB", "Lövbergs Kafferosteri"),
           "Kaféförsäljning", cash_sales=True),
    Member("Tradgard", "Gröna Händer trädgårdskooperativ ekonomisk förening", "769645-6784",
           Decimal("0.25"), 90_000, 240_000,
           ("Riksbyggen Linköping", "Stångåstaden AB", "Svenska kyrkan Linköping"),
           ("Plantagen Linköping", "Granngården AB"), "Trädgårdsskötsel"),
    Member("Omsorg", "Omsorgskooperativet Varsam ekonomisk förening", "769656-7895",
           Decimal(0), 250_000, 300_000, ("Linköpings kommun",), ("Apoteket AB",),
           "Hemtjänst enligt LOV",
           legal='  legal-form: "separate"\n  vat-sales: "mixed"\n  vat-deduction: 0.10\n',
           deduction=Decimal("0.10")),
    Member("Snickeri", "Snickarglädjen ekonomisk förening", "769667-8908",
           Decimal("0.25"), 120_000, 220_000,
           ("Stångåstaden AB", "Privatkund Lindqvist", "Linköpings kommun"),
           ("Beijer Byggmaterial AB", "Woodproducts Sverige AB"), "Snickeriarbete"),
)

#: Units inside the umbrella: no orgnr, no VAT registration of their own. Kept apart from
#: MEMBERS (and given their own random numbers) so that the members' books stay as they are.
UNITS = (
    Member("Cykel", "Cykelverkstaden Ekholmen (resultatenhet i paraplyet)", "",
           Decimal("0.25"), 30_000, 60_000, ("Privatkund Ek", "Linköpings cykelklubb"),
           ("Cykelgrossisten AB",), "Cykelreparationer", legal='  legal-form: "unit"\n'),
)

SALES_BAS = {Decimal("0.25"): "3001-Försäljning-25", Decimal("0.12"): "3002-Försäljning-12",
             Decimal("0.06"): "3003-Försäljning-6", Decimal(0): "3004-Försäljning-momsfri"}
OUTPUT_VAT = {Decimal("0.25"): "2611-Utgående-moms-25", Decimal("0.12"): "2621-Utgående-moms-12",
              Decimal("0.06"): "2631-Utgående-moms-6"}


def money(value: Decimal) -> str:
    """An amount with two decimals, as Beancount text."""
    return f"{value.quantize(ORE, rounding=ROUND_HALF_UP)} SEK"


class Journal:
    """Collects dated transaction texts, then writes them sorted by date."""

    def __init__(self) -> None:
        self.entries: list[tuple[datetime.date, int, str]] = []

    def add(self, date: datetime.date, payee: str, narration: str,
            postings: list[tuple[str, Decimal | None]], flag: str = "*",
            meta: dict[str, str] | None = None) -> None:
        """Add a transaction; a posting with amount None is left for Beancount to fill."""
        if date > END:
            return
        lines = [f'{date} {flag} "{payee}" "{narration}"']
        for key, value in (meta or {}).items():
            lines.append(f'  {key}: "{value}"')
        width = max(len(account) for account, _ in postings) + 2
        for account, amount in postings:
            lines.append(f"  {account}" if amount is None
                         else f"  {account.ljust(width)}{money(amount):>16}")
        self.entries.append((date, len(self.entries), "\n".join(lines)))

    def text(self, year: int) -> str:
        """The year's transactions, by date, with a comment heading each month."""
        out: list[str] = []
        month = 0
        for date, _, text in sorted(self.entries):
            if date.year != year:
                continue
            if date.month != month:
                month = date.month
                out.append(f"\n; ---- {year}-{month:02d} ----\n")
            out.append(text + "\n")
        return "".join(out).lstrip("\n")


def months() -> list[datetime.date]:
    """The first day of every month from START to END."""
    first, result = START, []
    while first <= END:
        result.append(first)
        first += relativedelta(months=1)
    return result


def day(first: datetime.date, rng: random.Random, low: int = 1, high: int = 28) -> datetime.date:
    """A random day of the month starting on ``first``."""
    return first.replace(day=rng.randint(low, high))


def round10(rng: random.Random, low: int, high: int) -> Decimal:
    """A random whole amount rounded to ten kronor."""
    return Decimal(rng.randint(low // 10, high // 10) * 10)


def member_month(j: Journal, m: Member, first: datetime.date, rng: random.Random) -> None:
    """One month of a member's trade: sales, purchases, payments, bank fees."""
    a = f"Assets:{m.code}"
    li = f"Liabilities:{m.code}"
    bank = f"{a}:1930-Företagskonto"
    season = Decimal("1.0")
    if m.code == "Tradgard":  # gardening lives in the summer half-year
        season = Decimal("1.3") if 4 <= first.month <= 9 else Decimal("0.45")
    target = round10(rng, m.sales_low, m.sales_high) * season
    if m.cash_sales:
        weeks = [first + datetime.timedelta(days=d) for d in (6, 13, 20, 27)]
        for i, settle in enumerate(weeks):
            net = (target / 4 * Decimal(rng.randint(85, 115)) / 100).quantize(ORE)
            vat = (net * m.vat).quantize(ORE, rounding=ROUND_HALF_UP)
            j.add(settle, "Kortinlösen Nets", f"Kort- och Swishförsäljning vecka {i + 1}", [
                (bank, net + vat), (f"Income:{m.code}:{SALES_BAS[m.vat]}", -net),
                (f"{li}:{OUTPUT_VAT[m.vat]}", -vat)])
    else:
        invoices = 1 if len(m.customers) == 1 else rng.randint(3, 5)
        for n in range(invoices):
            net = (target / invoices * Decimal(rng.randint(80, 120)) / 100).quantize(Decimal(1))
            vat = (net * m.vat).quantize(ORE, rounding=ROUND_HALF_UP)
            date = day(first, rng, 1, 25) if invoices > 1 else first.replace(day=25)
            customer = m.customers[(n + first.month) % len(m.customers)]
            invoice = f"{m.code[:2].upper()}{date:%y%m}{n + 1:02d}"
            postings: list[tuple[str, Decimal | None]] = [
                (f"{a}:1510-Kundfordringar", net + vat),
                (f"Income:{m.code}:{SALES_BAS[m.vat]}", -net)]
            if vat:
                postings.append((f"{li}:{OUTPUT_VAT[m.vat]}", -vat))
            j.add(date, customer, f"{m.what}, faktura {invoice}", postings,
                  meta={"invoice": invoice})
            paid = date + datetime.timedelta(days=rng.choice((10, 20, 30, 30)))
            j.add(paid, customer, f"Betalning faktura {invoice}",
                  [(bank, net + vat), (f"{a}:1510-Kundfordringar", -(net + vat))],
                  meta={"invoice": invoice})
    for n in range(rng.randint(1, 3)):
        supplier = m.suppliers[n % len(m.suppliers)]
        net = round10(rng, 4_000, 22_000)
        rate = Decimal("0.25")
        vat = net * rate
        deductible = (vat * m.deduction).quantize(ORE, rounding=ROUND_HALF_UP)
        date = day(first, rng)
        j.add(date, supplier, "Inköp varor och material", [
            (f"Expenses:{m.code}:4010-Inköp-varor-och-material", net + vat - deductible),
            (f"{li}:2641-Ingående-moms", deductible),
            (f"{li}:2440-Leverantörsskulder", -(net + vat))])
        j.add(date + datetime.timedelta(days=30), supplier, "Betalning leverantörsfaktura", [
            (f"{li}:2440-Leverantörsskulder", net + vat), (bank, -(net + vat))])
    j.add(first + relativedelta(day=31), "Swedbank", "Månadsavgift företagskonto",
          [(f"Expenses:{m.code}:6570-Bankkostnader", Decimal(125)), (bank, Decimal(-125))])


def umbrella_month(j: Journal, first: datetime.date, rng: random.Random) -> None:
    """The umbrella's shared costs, grants and its cross-entity payment of the month."""
    p = "Paraply"
    bank = f"Assets:{p}:1930-Företagskonto"
    costs = [("Fastighets AB Stångån", "Hyra kontor och lokaler", "5010-Lokalhyra",
              Decimal(42_000)),
             ("Tekniska verken", "El och värme", "5020-El-och-värme", round10(rng, 3_500, 7_500)),
             ("Fortnox AB", "Ekonomisystem och lönesystem", "6530-Redovisningstjänster",
              Decimal(2_400))]
    if first.month in (1, 4, 7, 10):
        costs.append(("Folksam", "Försäkringar kvartal", "6310-Försäkringar", Decimal(9_600)))
    if first.month in (2, 5, 9, 11):
        costs.append(("Coompanion Östergötland", "Utbildning för medlemmar", "7610-Utbildning",
                      round10(rng, 6_000, 14_000)))
    for payee, what, account, net in costs:
        vat = net * Decimal("0.25") if account != "6310-Försäkringar" else Decimal(0)
        postings: list[tuple[str, Decimal | None]] = [(f"Expenses:{p}:{account}", net)]
        if vat:
            postings.append((f"Liabilities:{p}:2641-Ingående-moms", vat))
        postings.append((bank, -(net + vat)))
        j.add(day(first, rng, 1, 10), payee, what, postings)
    if first.month in (1, 4, 7, 10):
        j.add(first.replace(day=15), "Region Östergötland", "Verksamhetsbidrag kvartal", [
            (bank, Decimal(150_000)), (f"Income:{p}:3987-Kommunala-bidrag", Decimal(-150_000))])
    j.add(first + relativedelta(day=31), "Swedbank", "Månadsavgift företagskonto",
          [(f"Expenses:{p}:6570-Bankkostnader", Decimal(125)), (bank, Decimal(-125))])

    # The cross-entity payment: the umbrella pays a member's supplier for a joint order,
    # written as the natural entry; the entities plugin adds the clearing postings.
    member = MEMBERS[(first.year * 12 + first.month) % len(MEMBERS)]
    net = round10(rng, 2_000, 9_000)
    vat = net * Decimal("0.25")
    date = day(first, rng, 5, 20)
    j.add(date, member.suppliers[0], f"Samordnat inköp för {member.code}, betalt av paraplyet", [
        (f"Expenses:{member.code}:4010-Inköp-varor-och-material", net),
        (f"Liabilities:{member.code}:2641-Ingående-moms", vat),
        (bank, -(net + vat))])
    settle = first + relativedelta(months=1, day=20)
    j.add(settle, member.name.split(" ekonomisk")[0], "Reglering av avräkning mot paraplyet", [
        (f"Assets:{member.code}:1660-Avräkning-Paraply", net + vat),
        (f"Assets:{member.code}:1930-Företagskonto", -(net + vat)),
        (bank, net + vat),
        (f"Assets:{p}:1660-Avräkning-{member.code}", -(net + vat))])


def iban_of(code: str) -> str:
    """A valid Swedish IBAN for an entity's business account (Kafe's is the bank's example)."""
    if code == "Kafe":
        return "SE4550000000058398257466"
    bban = "500" + f"{sum(ord(c) * 7919 ** i for i, c in enumerate(code)) % 10**17:017d}"
    return f"SE{iban.calc_check_digits('SE00' + bban)}{bban}"


def with_iban(chart: str, code: str) -> str:
    """The chart text with the bank's IBAN on the business account, for the importers."""
    opening = f"open Assets:{code}:1930-Företagskonto SEK\n  bas: \"1930\"\n"
    return chart.replace(opening, f'{opening}  iban: "{iban_of(code)}"\n')


def entities_text() -> str:
    """Entity declarations and every entity's chart of accounts."""
    parts = ["; Entities of the example umbrella and their charts of accounts (BAS).\n"]
    declared = [(UMBRELLA, EntityKind.UMBRELLA, ""), (FUND, EntityKind.FUND, "")] + [
        ((m.code, m.name, m.orgnr), EntityKind.MEMBER, m.legal) for m in MEMBERS + UNITS]
    for (code, name, orgnr), kind, legal in declared:
        number = f'  orgnr: "{orgnr}"\n' if orgnr else ""
        parts.append(f'\n{START} custom "coop-entity" "{code}"\n  name: "{name}"\n'
                     f'  kind: "{kind}"\n{number}{legal}\n')
        parts.append(with_iban(open_directives(code, kind, START), code))
    return "".join(parts)


def opening_text(rng: random.Random) -> str:
    """Opening balances on the first day: cash, members' equity and earlier results."""
    lines = ["; Opening balances, carried over from the books kept before coopledger.\n"]
    codes = [UMBRELLA[0], FUND[0]] + [m.code for m in MEMBERS + UNITS]
    for code in codes:
        cash = Decimal(600_000) if code == "Fonden" else round10(rng, 180_000, 320_000)
        insats = Decimal(0) if code == "Fonden" else Decimal(len(code) * 2_000)
        lines.append(f'\n{START} * "Ingående balans" "Ingående balanser {code}"\n'
                     f"  Assets:{code}:1930-Företagskonto  {money(cash)}\n")
        if insats:
            lines.append(f"  Equity:{code}:2083-Medlemsinsatser  {money(-insats)}\n")
        lines.append(f"  Equity:{code}:2091-Balanserad-vinst-eller-förlust  "
                     f"{money(-(cash - insats))}\n")
    return "".join(lines)


MAIN = """\
; The example umbrella's books: Kooperativa Paraplyet i Östergötland, its loan fund and
; five member cooperatives and a unit. Base books written by scripts/make_example.py;
; loans, payroll, service fees and the monthly closes are written by coopledger's own
; commands.
option "title" "Kooperativa Paraplyet i Östergötland"
option "operating_currency" "SEK"
option "render_commas" "TRUE"

plugin "coopledger.plugins.entities"
plugin "coopledger.plugins.seals"

2025-01-01 custom "fava-extension" "coopledger.fava_ext"

include "entities.beancount"
include "opening.beancount"
include "transactions/2025.beancount"
include "transactions/2026.beancount"
include "bank-balances.beancount"
"""


def write_example(out: Path = OUT) -> list[Path]:
    """Write the base example books; return the files written."""
    rng = random.Random(SEED)
    unit_rng = random.Random(SEED + 2)
    journal = Journal()
    for first in months():
        for member in MEMBERS:
            member_month(journal, member, first, rng)
        umbrella_month(journal, first, rng)
        for unit in UNITS:
            member_month(journal, unit, first, unit_rng)
    files = {
        out / "main.beancount": MAIN,
        out / "entities.beancount": entities_text(),
        out / "opening.beancount": opening_text(random.Random(SEED + 1)),
        out / "transactions" / "2025.beancount": journal.text(2025),
        out / "transactions" / "2026.beancount": journal.text(2026),
    }
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return list(files)


def bank_assertions_text(main: Path) -> str:
    """A balance assertion for every bank account (BAS 19xx) after every month end.

    In real books these come from the imported bank statements' closing balances; here
    they are computed from the loaded example, after every other step has written its
    entries, so that the monthly close's preflight finds each month's bank balances
    asserted. Beancount checks a balance at the start of its day: the assertion dated the
    1st of the next month is the month's closing balance.
    """
    from coopledger.balances import account_balance
    from coopledger.books import load_books

    books = load_books(main)
    banks = sorted(a for a in books.opens if (books.bas(a) or "").startswith("19"))
    lines = ["; Closing bank balances per month, as the bank statements show them.\n"]
    for first in months():
        last = first + relativedelta(day=31)
        if last > END:
            break
        lines.append("\n")
        for account in banks:
            balance = account_balance(books, account, last)
            lines.append(f"{last + datetime.timedelta(days=1)} balance {account}  "
                         f"{money(balance)}\n")
    return "".join(lines)


def main() -> int:
    """Write the example and say where."""
    for path in write_example():
        print(f"wrote {path.relative_to(ROOT)}")
    assertions = OUT / "bank-balances.beancount"
    assertions.write_text("", encoding="utf-8")
    assertions.write_text(bank_assertions_text(OUT / "main.beancount"), encoding="utf-8")
    print(f"wrote {assertions.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    from coopledger.cli import command_process

    # As the coopledger command does for its process: no pickle cache beside the books.
    with command_process():
        status = main()
    sys.exit(status)
