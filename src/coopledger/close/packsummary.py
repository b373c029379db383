"""The board pack's summary: what a board decides on, before the statements.

In reading order, as the printed pack (:mod:`coopledger.close.packprint`) and the top of
``index.html`` show it:

1. **Warnings**: every check of the close that failed, every key ratio judged *bad* or
   *to watch* (group, each member, the fund), and months whose payroll is not booked;
   each with its reason in words (the colour is never the only sign).
2. **Members**: each member's and the group's result for the month and the fiscal year
   to date beside the budget and the same period a year before
   (:func:`coopledger.compare.compare`); the key ratios with their thresholds
   (:func:`coopledger.ratios.key_ratios`); the people employed month by month
   (:func:`coopledger.people.people`), per member and for the group.
3. **Fund**: the capital base split as the Fonden page splits it
   (:func:`coopledger.fund.capital_lines`), the loan book's figures and the fund's ratios.
4. **Close**: the checks, passed or not.

A pack of a month that is not closed is *preliminary*: it says so at the top of every
page, its month is labelled preliminary in every table and left out of the charts, so
that it never reads as a final result.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from babel.numbers import format_decimal

from coopledger.books import Books
from coopledger.close.preflight import CheckResult
from coopledger.compare import compare
from coopledger.entities import EntityKind
from coopledger.fund import FIGURE_LABELS, capital_lines, fund_report
from coopledger.fund.report import PAR_DAYS
from coopledger.money import format_sek
from coopledger.people import PeopleMonth, people
from coopledger.periods import Period, month_period
from coopledger.ratios import ENTITY_RATIOS, RATIOS, Ratio, entity_ratios, fund_ratios, has_fund

#: The marks beside a verdict: a word and a sign, never a colour alone.
VERDICT_MARK = {"good": "✓", "watch": "!", "bad": "✗", None: "–"}
PRELIMINARY = "preliminär"


def percent(value: Decimal | None, decimals: int = 1) -> str:
    """A percentage the Swedish way (``29,1 %``); a dash for none."""
    if value is None:
        return "–"
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale="sv_SE") + "\u00a0%"


def months_to(month: str, count: int = 12) -> Period:
    """The ``count`` months ending with ``month`` (``YYYY-MM``)."""
    last = month_period(int(month[:4]), int(month[5:]))
    first_year, first_month = divmod(last.start.year * 12 + last.start.month - count, 12)
    start = datetime.date(first_year, first_month + 1, 1)
    return Period(start, last.end, f"{start:%Y-%m}..{month}")


@dataclass(frozen=True)
class PackWarning:
    """One warning of the summary.

    Attributes:
        kind: ``check``, ``ratio`` or ``people``.
        verdict: ``bad`` or ``watch``.
        who: The entity (or ``Koncernen``, ``Bokslutet``).
        text: What and why, in Swedish.
    """

    kind: str
    verdict: str
    who: str
    text: str


def _ratio_cell(ratio: Ratio) -> dict[str, str]:
    value = "–" if ratio.value is None else ratio.number(ratio.value, "sv")
    verdict = ratio.verdict
    word = {"good": "bra", "watch": "bevaka", "bad": "dåligt", None: "saknas"}[verdict]
    return {"name": ratio.kind.sv, "value": value, "verdict": verdict or "none",
            "mark": VERDICT_MARK[verdict], "word": word, "text": ratio.text("sv")}


def _people_row(months: list[PeopleMonth], label: str, final: set[str],
                short: str) -> dict[str, Any]:
    cells = []
    for month in months:
        name = month.month.label
        if not month.booked:
            cells.append({"month": name, "booked": False, "final": name in final})
            continue
        cells.append({
            "month": name, "booked": True, "final": name in final,
            "employed": len(month.employed), "target": len(month.target_group),
            "subsidised": len(month.subsidised),
            "subsidised_share": percent(month.subsidised_share),
            "fte": format_decimal(month.fte, format="#,##0.0", locale="sv_SE"),
            "without_extent": month.without_extent,
            "starts": len(month.starts), "leavers": len(month.leavers)})
    return {"label": label, "short": short, "cells": cells,
            "now": cells[-1] if cells else None}


def _result_row(books: Books, code: str | None, label: str,
                period: Period) -> dict[str, Any]:
    budget = compare(books, code, period, "budget")
    last_year = compare(books, code, period, "last-year")
    figures = {
        "actual": budget.total("actual"), "budget": budget.total("reference"),
        "deviation": budget.total("deviation"), "last_year": last_year.total("reference"),
        "ytd_actual": budget.total("ytd_actual"), "ytd_budget": budget.total("ytd_reference"),
        "ytd_deviation": budget.total("ytd_deviation"),
        "ytd_last_year": last_year.total("ytd_reference")}
    return {"code": code, "label": label, "figures": figures,
            "cells": {k: format_sek(v, decimals=0) for k, v in figures.items()},
            "negative": {k: v < 0 for k, v in figures.items()},
            "ytd_label": budget.year_to_date.label}


def _fund(books: Books, period: Period) -> dict[str, Any] | None:
    if not has_fund(books):
        return None
    date = min(period.last_day, books.last_date)
    report = fund_report(books, date)
    figures = [(FIGURE_LABELS["gross_portfolio"][0], format_sek(report.gross_portfolio))]
    figures += [(f"PAR{n}", f"{format_sek(report.par_amounts[n])} "
                            f"({percent(report.par[n] * 100, 2)})") for n in PAR_DAYS]
    figures += [(FIGURE_LABELS[key][0], format_sek(getattr(report, key)))
                for key in ("provision_required", "written_off", "recovered",
                            "interest_earned")]
    return {"date": date, "name": books.entities[report.fund].name, "code": report.fund,
            "capital": [{"key": c.key, "label": c.sv, "amount": format_sek(c.amount),
                         "total": c.total, "negative": c.amount < 0}
                        for c in capital_lines(report)],
            "figures": figures,
            "ratios": [_ratio_cell(r) for r in fund_ratios(books, date)]}


def pack_summary(books: Books, month: str, checks: list[CheckResult] | None, *,
                 final: bool, members: list[str] | None = None) -> dict[str, Any]:
    """The summary's figures, ready for the templates.

    Args:
        books: The books (after the close's entries).
        month: ``YYYY-MM``.
        checks: The close's checks (None in a member's own pack: they are the group's).
        final: Whether the month is closed; if not, the pack is preliminary.
        members: The members shown (None: every member, and the group and the fund).

    Returns:
        The template context: ``warnings``, ``results``, ``ratios``, ``people``,
        ``fund``, ``checks``, ``preliminary`` and the labels of the months.
    """
    period = month_period(int(month[:4]), int(month[5:]))
    group = members is None
    codes = members if members is not None else [
        c for c, e in books.entities.items() if e.kind is EntityKind.MEMBER]
    names = {c: f"{c}: {books.entities[c].name}" for c in codes}
    warnings: list[PackWarning] = []
    for check in checks or []:
        if not check.ok:
            reason = "; ".join(check.details[:3])
            warnings.append(PackWarning("check", "bad" if not check.accepted else "watch",
                                     "Bokslutet", f"{check.title_sv}: {reason}"
                                     + (f" (accepterad av {check.accepted})"
                                        if check.accepted else "")))
    ratio_rows = []
    for code in ([None] if group else []) + codes:
        label = "Koncernen" if code is None else names[code]
        ratios = entity_ratios(books, code, period)
        ratio_rows.append({"label": label, "cells": [_ratio_cell(r) for r in ratios]})
        warnings += [PackWarning("ratio", r.verdict, label, r.text("sv"))
                     for r in ratios if r.verdict in ("bad", "watch")]
    fund = _fund(books, period) if group else None
    if fund is not None:
        fund_label = fund["name"]
        date = fund["date"]
        warnings += [PackWarning("ratio", r.verdict, fund_label, r.text("sv"))
                     for r in fund_ratios(books, date) if r.verdict in ("bad", "watch")]
    history = months_to(month)
    final_months = {m.label for m in history.months() if final or m.label != month}
    people_rows = [_people_row(people(books, c, history), names[c], final_months, c)
                   for c in codes]
    if group:
        people_rows.append(_people_row(people(books, None, history), "Koncernen",
                                       final_months, "Koncernen"))
    for row in people_rows:
        now = row["now"]
        if now is not None and not now["booked"]:
            warnings.append(PackWarning("people", "watch", row["label"],
                                     f"ingen lön bokförd för {month}: personalsiffrorna "
                                     "saknas, de är inte noll"))
            break
    results = [_result_row(books, c, names[c], period) for c in codes]
    if group:
        results.append(_result_row(books, None, "Koncernen (internt eliminerat)", period))
    order = {"bad": 0, "watch": 1}
    warnings.sort(key=lambda w: order.get(w.verdict, 2))
    return {
        "month": month, "preliminary": not final,
        "month_label": month if final else f"{month} ({PRELIMINARY})",
        "warnings": warnings, "results": results,
        "ytd_label": results[0]["ytd_label"] if results else "",
        "ratio_names": [RATIOS[key].sv for key in ENTITY_RATIOS],
        "ratios": ratio_rows, "people": people_rows,
        "people_months": [m.label if m.label in final_months else f"{m.label} (prel.)"
                          for m in history.months()],
        "fund": fund, "checks": checks,
        "marks": VERDICT_MARK,
    }

