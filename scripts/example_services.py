"""Add the shared services to the example books, deterministically, with coopledger's commands.

Run from the repository root after ``scripts/make_example.py``::

    python scripts/example_services.py

It writes

- ``ledgers/example/services.beancount``: the umbrella's service declarations (fee rules,
  allocation keys, premises, vacation pay, three wage-subsidy decisions), the opening
  value of the umbrella's own building, and each employee's ``coop-employee`` declaration
  (fictitious personnummer) with the payroll office's ``coop-contact``, for the AGI;
- ``ledgers/example/payroll/YYYY-MM.csv``: a payroll export per month, 2025-01 to 2026-10
  (the salary keeps being paid during vacation, as for monthly paid staff);

then runs ``coopledger payroll`` and ``coopledger services`` for every month (they write
``payroll/YYYY-MM.beancount`` and ``services/YYYY-MM.beancount``), and writes
``ledgers/example/service-payments.beancount``: what the bank statements would show as a
consequence (tax and contributions paid via the tax account, Arbetsförmedlingen paying
each subsidy claim, members settling the month's service charges with the umbrella) and
the vacation taken each summer (the vacation pay liability earned April to March is
reduced on 31 July).
Finally it recomputes the month-end bank balance assertions (``bank-balances.beancount``,
with ``make_example.bank_assertions_text``) since payroll moves the banks.

Running it again gives the same bytes: it first removes what it wrote before.
"""

from __future__ import annotations

import contextlib
import datetime
import io
import shutil
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal
from pathlib import Path

from dateutil.relativedelta import relativedelta
from stdnum import luhn

from coopledger.books import Books, load_books
from coopledger.cli import main as coopledger
from coopledger.entities import entity_of
from coopledger.files import read_text
from coopledger.services.entries import posting_number
from coopledger.services.payroll import COLUMNS

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "ledgers" / "example"
MAIN = OUT / "main.beancount"
FIRST = datetime.date(2025, 1, 1)
LAST = datetime.date(2026, 10, 1)  # the last payroll and services month
SERVICE_GENERATORS = ("coopledger.services.fees", "coopledger.services.allocation",
                      "coopledger.services.premises")
OWN_INCLUDES = ("services.beancount", "service-payments.beancount", "payroll/", "services/")

# (id, employer, birth year, gross pay 2025, taxable benefits). Birth years cover every
# rate group: 1936 (no contributions), 1957/1958 (10.21 %), 2003-2007 (youth reduction
# from April 2026, one of them above the 25,000 ceiling), 2008 (too young for it).
EMPLOYEES = (
    ("P01", "Paraply", 1958, 31500, 0), ("P02", "Paraply", 1975, 29000, 0),
    ("P03", "Paraply", 1936, 6000, 0),
    ("S01", "Stad", 1985, 24500, 0),
    ("S03", "Stad", 2005, 26500, 0), ("S04", "Stad", 1960, 23000, 0),
    ("S05", "Stad", 2007, 21000, 0),
    ("K01", "Kafe", 1990, 22500, 0), ("K02", "Kafe", 2003, 21500, 0),
    ("K03", "Kafe", 1958, 23500, 0),
    ("T01", "Tradgard", 1982, 25500, 0), ("T02", "Tradgard", 2008, 20000, 0),
    ("T03", "Tradgard", 1957, 24000, 0),
    ("O01", "Omsorg", 1978, 27000, 0), ("O02", "Omsorg", 1988, 26500, 0),
    ("O03", "Omsorg", 1995, 25500, 0), ("O04", "Omsorg", 1969, 26000, 0),
    ("O05", "Omsorg", 2004, 24500, 0), ("O06", "Omsorg", 1966, 27500, 0),
    ("N01", "Snickeri", 1980, 29500, 1200), ("N03", "Snickeri", 2006, 23000, 0),
    ("C01", "Cykel", 1999, 23000, 0),  # a unit's staff: the umbrella declares its pay
)

# The board's people figures: who was hired from the target group (the long-term
# unemployed the umbrella exists for), and the extent of each job (percent of full time;
# full time unless listed).
TARGET_GROUP = frozenset({"S01", "S04", "S05", "K02", "K03", "T02", "O03", "O05", "N03"})
EXTENT = {"P03": 25, "S04": 75, "K03": 75, "T03": 50, "O05": 75, "C01": 100}
# A start and a leaver: the first and the last month each is paid.
FIRST_PAID = {"T02": datetime.date(2025, 8, 1)}
LAST_PAID = {"O06": datetime.date(2026, 3, 1)}

DECLARATIONS = """\
; The umbrella's shared services: fee rules, allocation keys, premises, vacation pay and
; wage-subsidy decisions. Written by scripts/example_services.py.

; The umbrella's own workshop building, owned before the books moved to coopledger
; (building only; the land is not depreciated and not shown here).
2025-01-01 * "Ingående balans" "Byggnad Verkstan, Gottfridsberg"
  Assets:Paraply:1110-Byggnader  2400000.00 SEK
  Equity:Paraply:2091-Balanserad-vinst-eller-förlust  -2400000.00 SEK

2025-01-01 custom "coop-fee" "standard-2025"
  member: "all"
  fixed: 1500.00
  percent: 4
  base: "turnover"
  minimum: 2000.00
  cap: 15000.00

2025-07-01 custom "coop-fee" "snickeri-tb"
  member: "Snickeri"
  fixed: 1000.00
  percent: 10
  base: "margin"
  cap: 15000.00

2026-01-01 custom "coop-fee" "standard-2026"
  member: "all"
  fixed: 1800.00
  percent: 4.5
  base: "turnover"
  minimum: 2500.00
  cap: 16000.00

2025-01-01 custom "coop-allocation" "administration"
  accounts: "6310 6530"
  key: "headcount"

2025-01-01 custom "coop-allocation" "el-och-varme"
  accounts: "5020"
  key: "area"
  percent: 80

2025-01-01 custom "coop-allocation" "utbildning"
  accounts: "7610"
  key: "hours"
  weights: "Stad:40 Kafe:25 Tradgard:20 Omsorg:60 Snickeri:15"

2026-01-01 custom "coop-allocation" "utbildning"
  accounts: "7610"
  key: "fixed"
  weights: "Stad:1 Kafe:1 Tradgard:1 Omsorg:1 Snickeri:1"

2025-01-01 custom "coop-premises" "Stångån"
  tenure: "lease"
  rent-per-m2: 1400.00
  tenants: "Stad:40 Kafe:150 Omsorg:60 Tradgard:50"
  voluntary-vat: TRUE

2025-01-01 custom "coop-premises" "Verkstan"
  tenure: "owned"
  rent-per-m2: 1000.00
  tenants: "Snickeri:200"
  building-cost: 2400000.00
  useful-life: 50

2025-09-01 custom "coop-premises" "Stångån"
  tenure: "lease"
  rent-per-m2: 1400.00
  tenants: "Stad:40 Kafe:150 Omsorg:60 Tradgard:80"
  voluntary-vat: TRUE

2025-01-01 custom "coop-vacation-pay" "all"
  percent: 12

2025-01-01 custom "coop-subsidy" "2024-0412345"
  employee: "S04"
  member: "Stad"
  type: "lönebidrag"
  percent: 80
  cap: 18000.00
  until: 2026-06-30

2025-04-01 custom "coop-subsidy" "2025-0567890"
  employee: "O05"
  member: "Omsorg"
  type: "nystartsjobb"
  percent: 25
  cap: 7000.00

2026-02-01 custom "coop-subsidy" "2026-0101010"
  employee: "K02"
  member: "Kafe"
  type: "introduktionsjobb"
  percent: 50
  cap: 12000.00
  until: 2026-12-31
"""


def personnummer(index: int, born: int) -> str:
    """A fictitious personnummer for the example's employee number ``index``.

    Not a real person's: a date in the birth year and a birth number in the 980s (the
    range of Skatteverket's published test numbers), with a correct check digit.
    """
    date = datetime.date(born, index % 12 + 1, index * 7 % 28 + 1)
    digits = f"{date:%y%m%d}98{index % 10}"
    return f"{date:%Y%m%d}-98{index % 10}{luhn.calc_check_digit(digits)}"


# Each employer's place of work, for the AGI (fields 245/246): the shared premises at
# Stångån, the workshop at Gottfridsberg, the umbrella's office.
WORKPLACES = {"Paraply": "Ågatan 40", "Snickeri": "Verkstadsvägen 3",
              "Cykel": "Ekholmsvägen 8"}
SHARED_PREMISES = "Stångågatan 12"


def employee_declarations() -> str:
    """Each employee's identity for the employer declaration, and who answers for it."""
    blocks = ['\n; The employees, for the employer declarations (AGI). The personnummer are\n'
              '; fictitious: valid check digits, birth numbers 980-989.\n'
              '2025-01-01 custom "coop-contact" "all"\n'
              '  name: "Lönekontoret, Kooperativa Paraplyet"\n'
              '  phone: "013-10 20 30"\n'
              '  email: "lon@paraplyet.example"\n']
    for index, (employee, member, born, _, _) in enumerate(EMPLOYEES, start=1):
        blocks.append(f'\n2025-01-01 custom "coop-employee" "{employee}"\n'
                      f'  employer: "{member}"\n'
                      f'  personnummer: "{personnummer(index, born)}"\n'
                      f'  workplace: "{WORKPLACES.get(member, SHARED_PREMISES)}"\n'
                      f'  workplace-city: "Linköping"\n'
                      + ('  target-group: TRUE\n' if employee in TARGET_GROUP else '')
                      + f'  extent: {EXTENT.get(employee, 100)}\n')
    return "".join(blocks)


def months() -> list[datetime.date]:
    """The first day of every payroll month."""
    result, first = [], FIRST
    while first <= LAST:
        result.append(first)
        first += relativedelta(months=1)
    return result


def payroll_csv(first: datetime.date) -> str:
    """The month's payroll export: gross pay with a 2.5 % raise from 2026, tax by a
    simple table (22 %, 30 % for the pensioner's side income)."""
    lines = [",".join(COLUMNS)]
    for employee, member, born, gross_2025, benefits in EMPLOYEES:
        if not FIRST_PAID.get(employee, first) <= first <= LAST_PAID.get(employee, first):
            continue
        gross = Decimal(gross_2025)
        if first.year >= 2026:
            gross = (gross * Decimal("1.025") / 100).to_integral_value(ROUND_FLOOR) * 100
        rate = Decimal("0.30") if born < 1940 else Decimal("0.22")
        tax = ((gross + benefits) * rate).to_integral_value(ROUND_FLOOR)
        lines.append(f"{employee},{member},{first:%Y-%m},{gross:.2f},{benefits:.2f},"
                     f"{tax:.2f},{gross - tax:.2f},{born}")
    return "\n".join(lines) + "\n"


def clean() -> None:
    """Remove what an earlier run wrote, so that a run always starts from the base books."""
    text = read_text(MAIN)
    kept = [line for line in text.splitlines(keepends=True)
            if not any(f'include "{name}' in line for name in OWN_INCLUDES)]
    MAIN.write_text("".join(kept), encoding="utf-8")
    for folder in ("payroll", "services"):
        shutil.rmtree(OUT / folder, ignore_errors=True)
    for name in ("services.beancount", "service-payments.beancount"):
        (OUT / name).unlink(missing_ok=True)


def add_include(name: str) -> None:
    """Append an include line to the main file."""
    text = read_text(MAIN)
    MAIN.write_text(text + ("" if text.endswith("\n") else "\n") + f'include "{name}"\n',
                    encoding="utf-8")


def run(*argv: str) -> None:
    """Run a coopledger command in this process; stop on failure."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = coopledger(list(argv))
    if status != 0:
        sys.stderr.write(err.getvalue())
        raise SystemExit(f"coopledger {' '.join(argv)} failed with status {status}")


@dataclass
class BankSide:
    """What the payroll and service entries imply for the banks, summed per entity."""

    taxes: defaultdict[tuple[datetime.date, str, str], Decimal] = field(
        default_factory=lambda: defaultdict(Decimal))
    earned: defaultdict[tuple[int, str, str], Decimal] = field(
        default_factory=lambda: defaultdict(Decimal))
    charges: defaultdict[tuple[datetime.date, str], Decimal] = field(
        default_factory=lambda: defaultdict(Decimal))
    claims: list[tuple[datetime.date, str, str, Decimal]] = field(default_factory=list)


def collect(books: Books) -> BankSide:
    """Sum tax, vacation pay, subsidy claims and service charges from generated entries."""
    side = BankSide()
    for entry in books.transactions:
        generator = str(entry.meta.get("generated-by", ""))
        first = entry.date.replace(day=1)
        if generator == "coopledger.services.subsidies":
            code = entity_of(entry.postings[0].account) or ""
            side.claims.append((first, code, str(entry.meta["decision"]),
                                posting_number(entry.postings[0]) or Decimal(0)))
            continue
        for posting in entry.postings:
            code = entity_of(posting.account) or ""
            number = posting_number(posting) or Decimal(0)
            bas = books.bas(posting.account) or ""
            if generator == "coopledger.services.payroll" and bas in ("2710", "2731"):
                side.taxes[(first, code, bas)] -= number
            elif generator == "coopledger.services.payroll" and bas in ("2920", "2941"):
                # Vacation pay earned April to March is taken the following summer.
                year = entry.date.year + (1 if entry.date.month >= 4 else 0)
                side.earned[(year, code, bas)] -= number
            elif (generator in SERVICE_GENERATORS and code != "Paraply"
                    and posting.account.startswith("Expenses:")):
                side.charges[(first, code)] += number
    return side


def tax_text(side: BankSide) -> list[str]:
    """Deposits to the tax account and the monthly employer declaration's charge."""
    blocks = []
    for first, code in sorted({(first, code) for first, code, _ in side.taxes}):
        tax, fees = side.taxes[(first, code, "2710")], side.taxes[(first, code, "2731")]
        due = first + relativedelta(months=1, day=17 if first.month in (12, 7) else 12)
        blocks.append(
            f'\n{due} * "Skatteverket" "Insättning skattekonto, lön {first:%Y-%m}"\n'
            f"  Assets:{code}:1630-Skattekonto  {tax + fees:.2f} SEK\n"
            f"  Assets:{code}:1930-Företagskonto  {-(tax + fees):.2f} SEK\n"
            f'\n{due} * "Skatteverket" "Arbetsgivardeklaration {first:%Y-%m}"\n'
            f"  Liabilities:{code}:2710-Personalskatt  {tax:.2f} SEK\n"
            f"  Liabilities:{code}:2731-Avräkning-sociala-avgifter  {fees:.2f} SEK\n"
            f"  Assets:{code}:1630-Skattekonto  {-(tax + fees):.2f} SEK\n")
    return blocks


def vacation_text(side: BankSide) -> list[str]:
    """The summer's vacation: the liability earned April to March is used up."""
    blocks = []
    for year, code in sorted({(year, code) for year, code, _ in side.earned}):
        taken = datetime.date(year, 7, 31)
        if taken > LAST + relativedelta(months=1):
            continue
        pay, fees = side.earned[(year, code, "2920")], side.earned[(year, code, "2941")]
        blocks.append(
            f'\n{taken} * "Semester" "Semesteruttag sommaren {year}: intjänad semesterlön '
            f'{year - 1}-04 -- {year}-03"\n'
            f"  Liabilities:{code}:2920-Upplupna-semesterlöner  {pay:.2f} SEK\n"
            f"  Expenses:{code}:7090-Förändring-semesterlöneskuld  {-pay:.2f} SEK\n"
            f"  Liabilities:{code}:2941-Upplupna-sociala-avgifter  {fees:.2f} SEK\n"
            f"  Expenses:{code}:7519-Sociala-avgifter-semesterlöner  {-fees:.2f} SEK\n")
    return blocks


def payments_text() -> str:
    """The bank side of payroll and services, computed from the loaded books."""
    side = collect(load_books(MAIN))
    blocks = ["; The bank side of payroll and services: tax account payments, vacation\n"
              "; taken, payments from Arbetsförmedlingen, members settling service charges.\n"
              "; Written by scripts/example_services.py.\n"]
    blocks += tax_text(side) + vacation_text(side)
    for first, code, decision, amount in sorted(side.claims):
        paid = first + relativedelta(months=1, day=20)
        blocks.append(
            f'\n{paid} * "Arbetsförmedlingen" "Utbetalning stöd {first:%Y-%m}"\n'
            f'  decision: "{decision}"\n'
            f"  Assets:{code}:1930-Företagskonto  {amount:.2f} SEK\n"
            f"  Assets:{code}:1689-Övriga-kortfristiga-fordringar  {-amount:.2f} SEK\n")
    for (first, code), amount in sorted(side.charges.items()):
        settle = first + relativedelta(months=1, day=15)
        blocks.append(
            f'\n{settle} * "Kooperativa Paraplyet" "Betalning tjänster, hyra och '
            f'fördelade kostnader {first:%Y-%m}"\n'
            f"  Assets:Paraply:1930-Företagskonto  {amount:.2f} SEK\n"
            f"  Assets:{code}:1930-Företagskonto  {-amount:.2f} SEK\n")
    return "".join(blocks)


def main() -> int:
    """Write declarations and payroll exports, run the commands, write the bank side."""
    sys.path.insert(0, str(ROOT / "scripts"))
    import make_example  # a sibling script, not an installed module

    clean()
    balances = OUT / "bank-balances.beancount"
    balances.write_text("", encoding="utf-8")  # recomputed at the end
    (OUT / "services.beancount").write_text(DECLARATIONS + employee_declarations(),
                                            encoding="utf-8")
    add_include("services.beancount")
    (OUT / "payroll").mkdir(exist_ok=True)
    for first in months():
        csv_file = OUT / "payroll" / f"{first:%Y-%m}.csv"
        csv_file.write_text(payroll_csv(first), encoding="utf-8")
        run("payroll", str(MAIN), str(csv_file))
        run("services", str(MAIN), f"{first:%Y-%m}")
        print(f"{first:%Y-%m}: payroll and services written")
    (OUT / "service-payments.beancount").write_text(payments_text(), encoding="utf-8")
    add_include("service-payments.beancount")
    balances.write_text(make_example.bank_assertions_text(MAIN), encoding="utf-8")
    run("check", "-q", str(MAIN))
    print("example services written; coopledger check finds no errors")
    return 0


if __name__ == "__main__":
    from coopledger.cli import command_process

    # As the coopledger command does for its process: no pickle cache beside the books.
    with command_process():
        status = main()
    sys.exit(status)
