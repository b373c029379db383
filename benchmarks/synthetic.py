"""Synthetic coopledger books: deterministic, seeded, valid, at any size.

The generator writes the books of an umbrella (``Paraply``), a loan fund (``Fonden``) and
N member cooperatives (``M001`` ...) over Y years with a given total number of
transactions: sales and purchases with VAT, payroll with employer contributions and tax
payments, wage subsidies claimed and paid, monthly service fees to the umbrella and their
settlement, invoices the umbrella pays for a member and joint purchases (cross-entity:
the clearing plugin completes them), bank fees, member capital paid into the fund, and
loans from the fund, disbursed and repaid monthly with their link ``^L-...`` on the
chart's loan accounts. Every bank account gets a balance assertion on the first of every
month, computed here independently of Beancount.

Output, in a folder of its own::

    main.beancount      options, the coopledger plugins, includes
    bare.beancount      the same without the ``plugin "coopledger..."`` lines
    accounts.beancount  entity declarations and the chart of every entity
    years/YYYY.beancount  one file per year, in date order

The same arguments give the same bytes. Run it as::

    python -m benchmarks.synthetic OUT --members 50 --years 10 --transactions 100000
"""

from __future__ import annotations

import argparse
import datetime
import random
from dataclasses import dataclass, field
from pathlib import Path

from coopledger.chart import account_for, open_directives
from coopledger.entities import EntityKind

START_YEAR = 2016
UMBRELLA = "Paraply"
FUND = "Fonden"
#: The plugins a full coopledger ledger loads, in this order; any other module of
#: ``coopledger.plugins`` is loaded after them (see :func:`available_plugins`).
PLUGINS: tuple[str, ...] = ("coopledger.plugins.entities", "coopledger.plugins.loans",
                            "coopledger.plugins.seals")
#: Plugins that make another ledger out of the group's (a member's own books), never
#: loaded by the group's main file.
VIEW_PLUGINS = frozenset({"coopledger.plugins.member"})
#: Fixed entries per member and month: salary, contributions, tax payment, fee and fee
#: settlement; every second member (``M002``, ``M004`` ...) also claims a wage subsidy
#: and is paid it (two more).
FIXED_PER_MEMBER_MONTH = 5
FIXED_SUBSIDY_MONTH = 2
FIXED_UMBRELLA_MONTH = 3

PAYEES = ("Grossisten AB", "Bygghandeln", "Kontorsvaror Öst", "Städgrossen", "ICA Kvantum",
          "Elbolaget", "Verktygsboden", "Café-leverantören", "Trädgårdsmästaren", "Tryckeriet")
CUSTOMERS = ("Linköpings kommun", "Norrköpings kommun", "Region Östergötland",
             "Bostadsbolaget", "Privatkund", "Skolan", "Föreningen", "Kyrkan")


def available_plugins() -> list[str]:
    """Every coopledger plugin this installation provides, in load order."""
    import importlib
    import pkgutil

    package = importlib.import_module("coopledger.plugins")
    found = sorted(f"coopledger.plugins.{m.name}" for m in pkgutil.iter_modules(
        package.__path__) if not m.name.startswith("_"))
    return [name for name in PLUGINS if name in found] + [
        name for name in found if name not in PLUGINS and name not in VIEW_PLUGINS]


def has_loan_declarations() -> bool:
    """Whether this installation knows ``custom "coop-loan"`` (the fund's loan book)."""
    from coopledger.declarations import registry

    return "coop-loan" in registry()


def sek(ore: int) -> str:
    """An amount in öre written as Beancount SEK text."""
    sign = "-" if ore < 0 else ""
    ore = abs(ore)
    return f"{sign}{ore // 100}.{ore % 100:02d} SEK"


@dataclass
class Ledger:
    """Transactions being written, each with its postings in öre (for the assertions)."""

    entries: list[tuple[datetime.date, int, str, list[tuple[str, int]]]] = field(
        default_factory=list)

    def txn(self, date: datetime.date, payee: str, narration: str,
            postings: list[tuple[str, int]], links: str = "") -> None:
        """Add a balanced transaction; the last posting's amount is the negated sum."""
        total = sum(amount for _, amount in postings[:-1])
        postings = [*postings[:-1], (postings[-1][0], -total)]
        lines = [f'{date} * "{payee}" "{narration}"{links}']
        lines.extend(f"  {account}  {sek(amount)}" for account, amount in postings)
        self.entries.append((date, len(self.entries), "\n".join(lines), postings))


@dataclass(frozen=True)
class Loan:
    """A loan from the fund to a member: equal principal repaid monthly."""

    ident: str
    borrower: str
    start: datetime.date
    principal: int
    rate_bp: int
    months: int


def _months(first: datetime.date, count: int) -> list[datetime.date]:
    out = []
    year, month = first.year, first.month
    for _ in range(count):
        out.append(datetime.date(year, month, 1))
        month += 1
        if month > 12:
            year, month = year + 1, 1
    return out


def _add_months(day: datetime.date, months: int, dom: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, dom)


def members_of(count: int) -> list[str]:
    """Member entity codes: ``M001``, ``M002`` ..."""
    return [f"M{i:03d}" for i in range(1, count + 1)]


def header_text(members: list[str], loans: list[Loan], start: datetime.date) -> str:
    """Entity declarations and the chart of every entity."""
    parts = [f'{start} custom "coop-entity" "{UMBRELLA}"\n'
             '  name: "Paraplyet ekonomisk förening"\n  kind: "umbrella"\n',
             f'{start} custom "coop-entity" "{FUND}"\n'
             '  name: "Lånefonden"\n  kind: "fund"\n']
    for code in members:
        parts.append(f'{start} custom "coop-entity" "{code}"\n'
                     f'  name: "Kooperativ {code} ekonomisk förening"\n  kind: "member"\n')
    parts.append("\n")
    parts.append(open_directives(UMBRELLA, EntityKind.UMBRELLA, start))
    parts.append(open_directives(FUND, EntityKind.FUND, start))
    for code in members:
        parts.append(open_directives(code, EntityKind.MEMBER, start))
    if has_loan_declarations():
        parts.extend(loan_declaration(loan) for loan in loans)
    return "\n".join(parts)


def loan_declaration(loan: Loan) -> str:
    """The ``coop-loan`` declaration of a loan (equal principal, monthly, 30/360)."""
    return (f'{loan.start} custom "coop-loan" "{loan.ident}"\n  lender: "{FUND}"\n'
            f'  borrower: "{loan.borrower}"\n  principal: "{sek(loan.principal)[:-4]}"\n'
            f'  currency: "SEK"\n  rate: "{loan.rate_bp // 100}.{loan.rate_bp % 100:02d}"\n'
            f'  term: {loan.months}\n  frequency: "monthly"\n'
            f'  amortization: "equal-principal"\n  day-count: "30/360"\n'
            f"  first-due: {_add_months(loan.start, 1, 28)}\n")


def plan_loans(rng: random.Random, members: list[str], count: int,
               start: datetime.date, years: int) -> list[Loan]:
    """Loans spread over the years, each repaid within the books' span."""
    loans = []
    span = years * 12
    for i in range(count):
        months = rng.choice((12, 24, 36, 60))
        months = min(months, max(span - 2, 1))
        offset = rng.randrange(0, max(span - months - 1, 1))
        first = _add_months(start, offset, 15)
        loans.append(Loan(f"L-{first.year}-{i + 1:03d}", members[i % len(members)], first,
                          rng.randrange(50, 500) * 1000 * 100, rng.choice((300, 400, 550)),
                          months))
    return loans


def fixed_count(members: int, loans: list[Loan], years: int) -> int:
    """How many transactions the fixed monthly work takes."""
    repayments = sum(loan.months + 1 for loan in loans)  # disbursement + instalments
    monthly = (members * FIXED_PER_MEMBER_MONTH + members // 2 * FIXED_SUBSIDY_MONTH
               + FIXED_UMBRELLA_MONTH) * 12 * years
    return monthly + repayments + members  # capital contributions


def _fixed_month(ledger: Ledger, rng: random.Random, members: list[str],
                 month: datetime.date) -> None:
    for number, code in enumerate(members, start=1):
        bank = account_for(code, "1930")
        gross = rng.randrange(18_000, 32_000) * 100
        tax = gross * 30 // 100
        contributions = gross * 3142 // 10000
        pay_day = month.replace(day=25)
        ledger.txn(pay_day, code, "Löner", [
            (account_for(code, "7010"), gross), (account_for(code, "2710"), -tax),
            (bank, 0)])
        ledger.txn(pay_day, code, "Arbetsgivaravgifter", [
            (account_for(code, "7510"), contributions), (account_for(code, "2731"), 0)])
        ledger.txn(month.replace(day=12), "Skatteverket", "Skatt och avgifter", [
            (account_for(code, "2710"), tax), (account_for(code, "2731"), contributions),
            (bank, 0)])
        fee = 150_000 + gross * 5 // 100
        ledger.txn(month.replace(day=28), UMBRELLA, f"Tjänsteavgift {code}", [
            (account_for(code, "6550"), fee),
            (account_for(UMBRELLA, "3920", EntityKind.UMBRELLA), 0)])
        ledger.txn(month.replace(day=5), code, "Betalning tjänsteavgift", [
            (account_for(UMBRELLA, "1930", EntityKind.UMBRELLA), fee), (bank, 0)])
        if number % 2:
            continue
        subsidy = gross * 40 // 100
        ledger.txn(month.replace(day=26), "Arbetsförmedlingen", "Lönebidrag, rekvisition", [
            (account_for(code, "1689"), subsidy), (account_for(code, "3988"), 0)])
        ledger.txn(month.replace(day=20), "Arbetsförmedlingen", "Lönebidrag, utbetalning", [
            (bank, subsidy), (account_for(code, "1689"), 0)])
    umbrella = EntityKind.UMBRELLA
    gross = rng.randrange(90_000, 120_000) * 100
    tax = gross * 30 // 100
    bank = account_for(UMBRELLA, "1930", umbrella)
    ledger.txn(month.replace(day=25), UMBRELLA, "Löner kansliet", [
        (account_for(UMBRELLA, "7210", umbrella), gross),
        (account_for(UMBRELLA, "2710", umbrella), -tax), (bank, 0)])
    ledger.txn(month.replace(day=25), UMBRELLA, "Arbetsgivaravgifter kansliet", [
        (account_for(UMBRELLA, "7510", umbrella), gross * 3142 // 10000),
        (account_for(UMBRELLA, "2731", umbrella), 0)])
    ledger.txn(month.replace(day=12), "Skatteverket", "Skatt och avgifter kansliet", [
        (account_for(UMBRELLA, "2710", umbrella), tax),
        (account_for(UMBRELLA, "2731", umbrella), gross * 3142 // 10000), (bank, 0)])


def _loan_entries(ledger: Ledger, loan: Loan) -> None:
    fund, kind = FUND, EntityKind.FUND
    link = f" ^{loan.ident}"
    borrower = loan.borrower
    ledger.txn(loan.start, FUND, f"Utbetalning lån {loan.ident}", [
        (account_for(fund, "1380", kind), loan.principal),
        (account_for(fund, "1930", kind), -loan.principal),
        (account_for(borrower, "1930"), loan.principal),
        (account_for(borrower, "2390"), -loan.principal)], link)
    outstanding = loan.principal
    part = loan.principal // loan.months
    for n in range(1, loan.months + 1):
        due = _add_months(loan.start, n, 28)
        principal = part if n < loan.months else outstanding
        interest = outstanding * loan.rate_bp // 120000
        outstanding -= principal
        ledger.txn(due, borrower, f"Amortering och ränta {loan.ident}", [
            (account_for(borrower, "2390"), principal),
            (account_for(borrower, "8410"), interest),
            (account_for(borrower, "1930"), -(principal + interest)),
            (account_for(fund, "1930", kind), principal + interest),
            (account_for(fund, "1380", kind), -principal),
            (account_for(fund, "8250", kind), -interest)], link)


def _random_entry(ledger: Ledger, rng: random.Random, members: list[str],
                  day: datetime.date) -> None:
    kind = rng.random()
    code = rng.choice(members)
    if kind < 0.40:
        net = rng.randrange(200, 40_000) * 100 + rng.randrange(100)
        vat = net * 25 // 100
        ledger.txn(day, rng.choice(CUSTOMERS), "Försäljning", [
            (account_for(code, "1930"), net + vat), (account_for(code, "2611"), -vat),
            (account_for(code, "3001"), 0)])
    elif kind < 0.70:
        net = rng.randrange(50, 8_000) * 100 + rng.randrange(100)
        vat = net * 25 // 100
        ledger.txn(day, rng.choice(PAYEES), "Inköp", [
            (account_for(code, "4010"), net), (account_for(code, "2641"), vat),
            (account_for(code, "1930"), 0)])
    elif kind < 0.85:
        amount = rng.randrange(100, 20_000) * 100
        ledger.txn(day, rng.choice(PAYEES), f"Faktura betald av paraplyet för {code}", [
            (account_for(code, "4010"), amount),
            (account_for(UMBRELLA, "1930", EntityKind.UMBRELLA), 0)])
    elif kind < 0.92:
        other = rng.choice(members)
        ledger.txn(day, rng.choice(PAYEES), "Gemensamt inköp", [
            (account_for(code, "5410"), rng.randrange(100, 5_000) * 100),
            (account_for(other, "5410"), rng.randrange(100, 5_000) * 100),
            (account_for(UMBRELLA, "1930", EntityKind.UMBRELLA), 0)])
    elif kind < 0.97:
        ledger.txn(day, "Banken", "Bankavgift", [
            (account_for(code, "6570"), rng.randrange(2_000, 20_000)),
            (account_for(code, "1930"), 0)])
    else:
        umbrella = EntityKind.UMBRELLA
        ledger.txn(day, "Elbolaget", "El och värme", [
            (account_for(UMBRELLA, "5020", umbrella), rng.randrange(1_000, 30_000) * 100),
            (account_for(UMBRELLA, "1930", umbrella), 0)])


def generate(members: int = 3, years: int = 1, transactions: int = 300, loans: int = -1,
             seed: int = 2026, start_year: int = START_YEAR) -> dict[str, str]:
    """The books as text, by relative file name.

    Args:
        members: Number of member cooperatives.
        years: Number of calendar years.
        transactions: Total number of transactions (exactly).
        loans: Number of loans from the fund (default: one per three members, at least 1).
        seed: The random seed; the same arguments give the same text.
        start_year: The first year of the books.

    Returns:
        File name (relative to the books' folder) to its text.

    Raises:
        ValueError: Too few transactions for the fixed monthly work of that many members.
    """
    rng = random.Random(seed)
    codes = members_of(members)
    start = datetime.date(start_year, 1, 1)
    loan_count = max(1, members // 3) if loans < 0 else loans
    planned = plan_loans(rng, codes, loan_count, start, years)
    fixed = fixed_count(members, planned, years)
    if fixed > transactions:
        raise ValueError(f"{members} members over {years} years need at least {fixed} "
                         f"transactions for payroll, fees and loans; asked for {transactions}")
    ledger = Ledger()
    for code in codes:
        ledger.txn(datetime.date(start_year, 1, 2), code, "Insats i fonden", [
            (account_for(code, "1385"), 5_000_000), (account_for(code, "1930"), -5_000_000),
            (account_for(FUND, "1930", EntityKind.FUND), 5_000_000),
            (account_for(FUND, "2083", EntityKind.FUND), 0)])
    months = _months(start, years * 12)
    for month in months:
        _fixed_month(ledger, rng, codes, month)
    for loan in planned:
        _loan_entries(ledger, loan)
    days = (datetime.date(start_year + years, 1, 1) - start).days
    for _ in range(transactions - fixed):
        _random_entry(ledger, rng, codes, start + datetime.timedelta(days=rng.randrange(days)))
    return _files(ledger, codes, planned, start, years)


def _files(ledger: Ledger, codes: list[str], loans: list[Loan], start: datetime.date,
           years: int) -> dict[str, str]:
    banks = [account_for(UMBRELLA, "1930", EntityKind.UMBRELLA),
             account_for(FUND, "1930", EntityKind.FUND)] + [account_for(c, "1930")
                                                            for c in codes]
    ledger.entries.sort()
    by_year: dict[int, list[str]] = {start.year + y: [] for y in range(years)}
    running = dict.fromkeys(banks, 0)
    index = 0
    ends = [*_months(start, years * 12)[1:], datetime.date(start.year + years, 1, 1)]
    for month_end in ends:
        while index < len(ledger.entries) and ledger.entries[index][0] < month_end:
            date, _, text, postings = ledger.entries[index]
            by_year[date.year].append(text)
            for account, amount in postings:
                if account in running:
                    running[account] += amount
            index += 1
        assertions = [f"{month_end} balance {a}  {sek(running[a])}" for a in banks]
        year = month_end.year if month_end.year in by_year else month_end.year - 1
        by_year[year].append("\n".join(assertions))
    files = {"accounts.beancount": header_text(codes, loans, start)}
    for year, texts in by_year.items():
        files[f"years/{year}.beancount"] = "\n\n".join(texts) + "\n"
    includes = "".join(f'include "{name}"\n' for name in files)
    options = 'option "title" "Syntetiska böcker"\noption "operating_currency" "SEK"\n'
    plugins = "".join(f'plugin "{name}"\n' for name in available_plugins())
    files["main.beancount"] = options + plugins + "\n" + includes
    files["bare.beancount"] = options + "\n" + includes
    return files


def write_books(folder: Path, files: dict[str, str]) -> Path:
    """Write generated books into ``folder``; returns the main file."""
    for name, text in files.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return folder / "main.beancount"


def main(argv: list[str] | None = None) -> int:
    """Command line: write synthetic books into a folder."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder to write the books into")
    parser.add_argument("--members", type=int, default=50)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--transactions", type=int, default=100_000)
    parser.add_argument("--loans", type=int, default=-1)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    files = generate(args.members, args.years, args.transactions, args.loans, args.seed)
    print(write_books(args.out, files))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
