"""Income statements and balance sheets, per entity or consolidated, in BAS order.

Amounts are shown the Swedish way: in the income statement (resultaträkning) income is
positive and costs negative, so the lines sum to the result; in the balance sheet
(balansräkning) assets are positive and equity and liabilities positive on their side.

The consolidated statements (``entity=None``) leave out every account marked
``intragroup`` (clearing accounts, loans and interest between members and the fund,
service fees, rent and allocations charged by the umbrella): what the group owes itself
and earns from itself. Those accounts net to zero across the group when the books are
right; any remainder is shown as ``elimination_difference`` rather than hidden.

An entity's statement shows one line per account: accounts that share a BAS number
(``1660 Avräkning Paraply`` and ``1660 Avräkning Tradgard`` in Kafé's books) stay apart,
each under its own name (a clearing account's names its counterpart), and are summed
only in their BAS subtotal
(:meth:`Section.rows`). The consolidated statements show one line per BAS number: the
group's 1930 is every entity's 1930.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from coopledger.balances import balances, changes
from coopledger.books import Books
from coopledger.periods import Period

ZERO = Decimal(0)

#: Income-statement sections by BAS range (first, last), in reading order.
INCOME_SECTIONS: tuple[tuple[str, str, str], ...] = (
    ("Rörelsens intäkter", "3000", "3999"),
    ("Varor och material", "4000", "4999"),
    ("Övriga externa kostnader", "5000", "6999"),
    ("Personalkostnader", "7000", "7699"),
    ("Avskrivningar", "7700", "7899"),
    ("Övriga rörelsekostnader", "7900", "7999"),
    ("Finansiella poster", "8000", "8799"),
    ("Bokslutsdispositioner och skatt", "8800", "8999"),
)

BALANCE_SECTIONS: tuple[tuple[str, str, str], ...] = (
    ("Anläggningstillgångar", "1000", "1399"),
    ("Omsättningstillgångar", "1400", "1999"),
    ("Eget kapital", "2000", "2099"),
    ("Obeskattade reserver och avsättningar", "2100", "2299"),
    ("Långfristiga skulder", "2300", "2399"),
    ("Kortfristiga skulder", "2400", "2999"),
)

UNCLOSED_RESULT = "Resultat som inte förts till eget kapital"
#: How many statements of each kind the books remember: a board pack lays out three per
#: entity (the group's fifty members and more).
STATEMENTS_KEEP = 256


@dataclass(frozen=True)
class Line:
    """One account's figure in a statement."""

    account: str
    bas: str | None
    name: str
    amount: Decimal


@dataclass(frozen=True)
class BasSubtotal:
    """The sum of the lines of one section that share a BAS number (two or more)."""

    bas: str
    amount: Decimal
    count: int

    @property
    def name(self) -> str:
        """The subtotal's label: ``Summa 1660``."""
        return f"Summa {self.bas}"


@dataclass(frozen=True)
class Section:
    """A titled group of lines with their total."""

    title: str
    lines: tuple[Line, ...]

    @property
    def total(self) -> Decimal:
        """The sum of the section's lines."""
        return sum((line.amount for line in self.lines), ZERO)

    def rows(self) -> tuple[Line | BasSubtotal, ...]:
        """The lines in order, each BAS number shared by several lines followed by its
        subtotal (the only place where they are summed)."""
        shared: dict[str, list[Line]] = {}
        for line in self.lines:
            if line.bas:
                shared.setdefault(line.bas, []).append(line)
        out: list[Line | BasSubtotal] = []
        for index, line in enumerate(self.lines):
            out.append(line)
            group = shared.get(line.bas or "", [])
            following = self.lines[index + 1] if index + 1 < len(self.lines) else None
            if len(group) > 1 and (following is None or following.bas != line.bas):
                out.append(BasSubtotal(line.bas or "", sum((g.amount for g in group), ZERO),
                                       len(group)))
        return tuple(out)


@dataclass(frozen=True)
class IncomeStatement:
    """An entity's (or the group's) result for a period."""

    entity: str | None
    period: Period
    sections: tuple[Section, ...]
    elimination_difference: Decimal = ZERO

    @property
    def result(self) -> Decimal:
        """Årets resultat: income minus costs."""
        return sum((s.total for s in self.sections), ZERO)

    @property
    def revenue(self) -> Decimal:
        """Operating income (BAS 3xxx)."""
        return self.section("Rörelsens intäkter").total

    @property
    def costs(self) -> Decimal:
        """Operating costs (BAS 4xxx-7xxx), as a negative figure."""
        return sum((s.total for s in self.sections
                    if s.title not in ("Rörelsens intäkter", "Finansiella poster",
                                       "Bokslutsdispositioner och skatt")), ZERO)

    def section(self, title: str) -> Section:
        """The section with this title (empty if the period has no such lines)."""
        return next((s for s in self.sections if s.title == title), Section(title, ()))

    def amount(self, bas_prefix: str) -> Decimal:
        """The sum of the lines whose BAS number starts with ``bas_prefix``."""
        return sum((line.amount for s in self.sections for line in s.lines
                    if line.bas and line.bas.startswith(bas_prefix)), ZERO)


@dataclass(frozen=True)
class BalanceSheet:
    """An entity's (or the group's) assets, equity and liabilities at the end of a day."""

    entity: str | None
    date: datetime.date
    assets: tuple[Section, ...]
    equity_and_liabilities: tuple[Section, ...]
    elimination_difference: Decimal = ZERO

    @property
    def total_assets(self) -> Decimal:
        """Summa tillgångar."""
        return sum((s.total for s in self.assets), ZERO)

    @property
    def total_equity_and_liabilities(self) -> Decimal:
        """Summa eget kapital och skulder (the unclosed result included)."""
        return sum((s.total for s in self.equity_and_liabilities), ZERO)

    def amount(self, bas_prefix: str) -> Decimal:
        """The sum of the lines whose BAS number starts with ``bas_prefix`` (as shown)."""
        return sum((line.amount for s in self.assets + self.equity_and_liabilities
                    for line in s.lines if line.bas and line.bas.startswith(bas_prefix)),
                   ZERO)


def _name(account: str) -> str:
    leaf = account.rsplit(":", 1)[-1]
    number, _, name = leaf.partition("-")
    return name.replace("-", " ") if number.isdigit() and name else leaf


def _split(books: Books, sums: dict[str, Decimal], entity: str | None,
           roots: tuple[str, ...]) -> tuple[list[tuple[str, Decimal]], Decimal]:
    kept: list[tuple[str, Decimal]] = []
    eliminated = ZERO
    for account, amount in sums.items():
        if account.split(":", 1)[0] not in roots:
            continue
        if entity is None and books.is_intragroup(account):
            eliminated += amount
            continue
        kept.append((account, amount))
    return kept, eliminated


def _sections(books: Books, rows: list[tuple[str, Decimal]],
              layout: tuple[tuple[str, str, str], ...], sign: int,
              fallback: str, *, per_account: bool) -> list[Section]:
    # Per entity: one line per account, in BAS order (accounts that share a number stay
    # apart). Consolidated: one line per BAS number, the same BAS account of several
    # entities being one line (its ``account`` the first of them); without BAS, one per
    # account.
    grouped: dict[str, dict[tuple[str, str], Line]] = {title: {} for title, _, _ in layout}
    grouped[fallback] = {}
    for account, amount in rows:
        bas = books.bas(account)
        title = next((t for t, lo, hi in layout if bas and lo <= bas <= hi), fallback)
        key = (bas or account, account if per_account or not bas else "")
        line = grouped[title].get(key)
        total = (line.amount if line else ZERO) + sign * amount
        grouped[title][key] = Line(line.account if line else account, bas,
                                   line.name if line else _name(account), total)
    return [Section(title, tuple(line for _, line in sorted(lines.items()) if line.amount))
            for title, lines in grouped.items() if any(ln.amount for ln in lines.values())]


def income_statement(books: Books, entity: str | None, period: Period) -> IncomeStatement:
    """The income statement of an entity, or of the group with intra-group eliminated.

    Args:
        books: The books.
        entity: An entity code, or None for the consolidated group.
        period: The period.

    Returns:
        The statement; lines are per account for an entity, per BAS number for the
        group (accounts without one are listed by name under "Övrigt").
    """
    if entity is not None:
        books.entity(entity)
    # Remembered with the books: a board pack lays out each entity's month for its
    # section and again for its ratios (statements are frozen, so shared safely).
    return books.remember(
        ("statements.income_statement", entity, period),
        lambda: income_statement_of(books, entity, period,
                                    changes(books, period, entity=entity)),
        keep=STATEMENTS_KEEP)


def income_statement_of(books: Books, entity: str | None, period: Period,
                        sums: dict[str, Decimal]) -> IncomeStatement:
    """An income statement laid out from given account sums (movements or a budget).

    Args:
        books: The books (for BAS numbers and the intra-group marks).
        entity: The entity the sums belong to, or None for the group.
        period: The period the sums cover.
        sums: Account to amount in the books' own sign (income negative).

    Returns:
        The statement, laid out as :func:`income_statement` lays out the movements.
    """
    rows, eliminated = _split(books, sums, entity, ("Income", "Expenses"))
    sections = _sections(books, rows, INCOME_SECTIONS, -1, "Övrigt",
                         per_account=entity is not None)
    return IncomeStatement(entity, period, tuple(sections), -eliminated)


def balance_sheet(books: Books, entity: str | None, date: datetime.date) -> BalanceSheet:
    """The balance sheet at the end of ``date``, per entity or consolidated.

    The result of income and expense accounts not yet moved to equity by a year-end
    close is shown as its own line in equity, so both sides always agree.

    Args:
        books: The books.
        entity: An entity code, or None for the consolidated group.
        date: The last day counted.

    Returns:
        The balance sheet.
    """
    if entity is not None:
        books.entity(entity)
    return books.remember(("statements.balance_sheet", entity, date),
                          lambda: _balance_sheet(books, entity, date), keep=STATEMENTS_KEEP)


def _balance_sheet(books: Books, entity: str | None, date: datetime.date) -> BalanceSheet:
    sums = balances(books, date, entity=entity)
    asset_rows, asset_elim = _split(books, sums, entity, ("Assets",))
    other_rows, other_elim = _split(books, sums, entity, ("Liabilities", "Equity"))
    result_rows, result_elim = _split(books, sums, entity, ("Income", "Expenses"))
    per_account = entity is not None
    assets = _sections(books, asset_rows, BALANCE_SECTIONS, 1, "Övriga tillgångar",
                       per_account=per_account)
    other = _sections(books, other_rows, BALANCE_SECTIONS, -1, "Övriga skulder",
                      per_account=per_account)
    unclosed = -sum((amount for _, amount in result_rows), ZERO)
    if unclosed:
        line = Line("", None, UNCLOSED_RESULT, unclosed)
        equity = next((s for s in other if s.title == "Eget kapital"), None)
        if equity is None:
            other.insert(0, Section("Eget kapital", (line,)))
        else:
            other[other.index(equity)] = Section("Eget kapital", (*equity.lines, line))
    difference = asset_elim + other_elim + result_elim
    return BalanceSheet(entity, date, tuple(assets), tuple(other), difference)
