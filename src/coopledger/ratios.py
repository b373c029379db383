"""Key ratios with thresholds: whether a figure is good, to watch, or bad, and why.

For a member, the umbrella or the group (consolidated), at the end of a period:

- **soliditet** (equity ratio) = adjusted equity / total assets, where adjusted equity is
  equity (the unclosed result included) plus untaxed reserves (BAS 21xx) less the
  deferred tax on them (20.6 %);
- **kassalikviditet** (quick ratio) = current assets (BAS 14xx-19xx) less inventories
  (14xx) / current liabilities (24xx-29xx);
- **months of costs in cash** = cash and bank (19xx) / the period's average monthly
  operating costs (4xxx-7xxx), over the months the books reach;
- **margin** (vinstmarginal) = the period's result / its operating income (3xxx).

For the fund (and, beside the group's own, for the group), from its report
(:func:`coopledger.fund.fund_report`):

- **PAR30**: the whole outstanding principal of loans more than 30 days past due / the
  gross portfolio;
- **provisions against capital**: the provisions the loans' days past due call for / the
  capital base;
- **available for new loans**: cash less what is committed but not disbursed / the
  capital base.

Each ratio has a threshold pair, ``good`` and ``bad``, by default or declared in the
ledger with ``coop-thresholds`` (:mod:`coopledger.thresholds`).

A ratio that cannot be computed (no assets, no current liabilities, no income, no
loans, or a denominator of zero or less, as a unit's net claim on the umbrella can make
its current liabilities) has no value and no verdict, and says why.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from coopledger.books import Books
from coopledger.entities import EntityKind
from coopledger.fund import fund_report
from coopledger.i18n import format_amount, format_percent, message
from coopledger.money import ZERO
from coopledger.periods import Period
from coopledger.statements import balance_sheet, income_statement
from coopledger.thresholds import RATIOS, RatioKind, thresholds_for

__all__ = ["ENTITY_RATIOS", "FUND_RATIOS", "RATIOS", "Ratio", "RatioKind", "entity_ratios",
           "fund_ratios", "key_ratios", "thresholds_for"]

Verdict = Literal["good", "watch", "bad"]
Language = Literal["sv", "en"]
HUNDRED = Decimal(100)
#: The share of untaxed reserves counted as equity (1 - the 20.6 % corporate tax).
UNTAXED_EQUITY_SHARE = Decimal("0.794")
ENTITY_RATIOS = ("equity-ratio", "quick-ratio", "cash-months", "margin")
FUND_RATIOS = ("par30", "provisions", "available")



def _missing(key: str) -> tuple[str, str]:
    """Why a ratio has no value, in Swedish and English (catalogue ``ratio.missing.*``)."""
    return message("sv", f"ratio.missing.{key}"), message("en", f"ratio.missing.{key}")


@dataclass(frozen=True)
class Ratio:
    """One key ratio with its verdict.

    Attributes:
        kind: What the ratio is.
        value: Its value (percent or months, two decimals), or None.
        good: The boundary of *good* in force.
        bad: The boundary of *bad* in force.
        missing: Why there is no value (Swedish, English), when there is none.
    """

    kind: RatioKind
    value: Decimal | None
    good: Decimal
    bad: Decimal
    missing: tuple[str, str] = ("", "")

    @property
    def verdict(self) -> Verdict | None:
        """good, watch or bad; None without a value."""
        if self.value is None:
            return None
        if self.kind.higher_is_better:
            return "good" if self.value >= self.good else "bad" if self.value < self.bad \
                else "watch"
        return "good" if self.value <= self.good else "bad" if self.value > self.bad \
            else "watch"

    def number(self, value: Decimal, language: Language) -> str:
        """A value of this ratio written with its unit, one decimal (the one formatter)."""
        if self.kind.unit == "%":
            return format_percent(value / HUNDRED, 1, language)
        return message(language, "ratio.months", value=format_amount(value, 1, language))

    def rule(self, language: Language) -> str:
        """The thresholds in words: ``bra från 30,0 %, dåligt under 15,0 %``."""
        good, bad = self.number(self.good, language), self.number(self.bad, language)
        key = "ratio.rule.higher" if self.kind.higher_is_better else "ratio.rule.lower"
        return message(language, key, good=good, bad=bad)

    def text(self, language: Language = "sv") -> str:
        """The ratio, its verdict and the reason, for a page, a pack or a printout."""
        name = self.kind.sv if language == "sv" else self.kind.en
        if self.value is None or self.verdict is None:
            reason = self.missing[0] if language == "sv" else self.missing[1]
            return message(language, "ratio.no_value", name=name, reason=reason)
        return message(language, "ratio.text", name=name,
                       value=self.number(self.value, language),
                       verdict=message(language, f"ratio.verdict.{self.verdict}"),
                       rule=self.rule(language))


def _ratio(limits: dict[str, tuple[Decimal, Decimal]], key: str, numerator: Decimal,
           denominator: Decimal, missing: tuple[str, str], *,
           scale: Decimal = HUNDRED) -> Ratio:
    good, bad = limits[key]
    if denominator <= 0:  # nothing to divide by, or a sign that makes the ratio meaningless
        return Ratio(RATIOS[key], None, good, bad, missing)
    value = (numerator * scale / denominator).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return Ratio(RATIOS[key], value, good, bad)


def entity_ratios(books: Books, entity: str | None, period: Period) -> tuple[Ratio, ...]:
    """Equity ratio, quick ratio, months of costs in cash and margin.

    Args:
        books: The books.
        entity: An entity code, or None for the group consolidated.
        period: The period (the balance sheet at its last day).

    Returns:
        The four ratios, in that order.
    """
    limits = thresholds_for(books, entity, period.last_day)
    sheet = balance_sheet(books, entity, period.last_day)
    statement = income_statement(books, entity, period)
    equity = next((s.total for s in sheet.equity_and_liabilities
                   if s.title == "Eget kapital"), ZERO)
    adjusted = equity + sheet.amount("21") * UNTAXED_EQUITY_SHARE
    current = next((s.total for s in sheet.assets if s.title == "Omsättningstillgångar"), ZERO)
    short = next((s.total for s in sheet.equity_and_liabilities
                  if s.title == "Kortfristiga skulder"), ZERO)
    # Months after the books' last entry hold no costs yet: they do not dilute the average.
    months = sum(1 for month in period.months() if month.start <= books.last_date) or 1
    monthly_costs = -statement.costs / months
    return (
        _ratio(limits, "equity-ratio", adjusted, sheet.total_assets,
               _missing("no_assets")),
        _ratio(limits, "quick-ratio", current - sheet.amount("14"), short,
               _missing("no_current_liabilities")),
        _ratio(limits, "cash-months", sheet.amount("19"), monthly_costs if monthly_costs > 0
               else ZERO, _missing("no_operating_costs"), scale=Decimal(1)),
        _ratio(limits, "margin", statement.result, statement.revenue,
               _missing("no_operating_income")),
    )


def fund_ratios(books: Books, date: datetime.date) -> tuple[Ratio, ...]:
    """PAR30, provisions against capital, available for new loans, on a date.

    Args:
        books: The books; they must declare a fund.
        date: The report date (the caller keeps it within the books).

    Returns:
        The three ratios, in that order.

    Raises:
        CoopException: No fund, or daily books that start after the date.
    """
    # Remembered with the books: the group page shows them twice (the fund's row and
    # the headline), the fund page once more.
    return books.remember(("ratios.fund_ratios", date), lambda: _fund_ratios(books, date))


def _fund_ratios(books: Books, date: datetime.date) -> tuple[Ratio, ...]:
    report = fund_report(books, date)
    limits = thresholds_for(books, report.fund, date)
    par30 = _ratio(limits, "par30", report.par_amounts[30], report.gross_portfolio,
                   _missing("no_loans"))
    if par30.value is not None:  # the fund report's own rounding of PAR30
        par30 = replace(par30, value=(report.par[30] * HUNDRED).quantize(Decimal("0.01")))
    no_capital = _missing("no_capital_base")
    return (par30,
            _ratio(limits, "provisions", report.provision_required, report.capital_base,
                   no_capital),
            _ratio(limits, "available", report.available, report.capital_base, no_capital))


def has_fund(books: Books) -> bool:
    """Whether the books declare a fund."""
    return any(e.kind is EntityKind.FUND for e in books.entities.values())


def key_ratios(books: Books, entity: str | None, period: Period) -> tuple[Ratio, ...]:
    """The ratios a board sees for an entity, the fund, or the group.

    A member or the umbrella: the four entity ratios. The fund: its three. The group:
    the four, consolidated, then the fund's three. The fund's date is the period's last
    day or the books' last entry, if earlier (no arrears are invented after it).
    """
    fund_date = min(period.last_day, books.last_date)
    if entity is not None and books.entity(entity).kind is EntityKind.FUND:
        return fund_ratios(books, fund_date)
    ratios = entity_ratios(books, entity, period)
    if entity is None and has_fund(books):
        ratios += fund_ratios(books, fund_date)
    return ratios
