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
   (:func:`coopledger.people.people_counts`: in a member's own books, the counts its
   projection carries), per member and for the group.
3. **Fund**: the capital base split as the Fonden page splits it
   (:func:`coopledger.fund.capital_lines`), the loan book's figures and the fund's ratios.
4. **Close**: the checks, passed or not.

A pack of a month that is not closed is *preliminary*: it says so at the top of every
page, its month is labelled preliminary in every table and drawn preliminary in every
chart (:mod:`coopledger.svgchart`), so that it never reads as a final result.

Every word is the message catalogue's (ids ``pack.*``, :mod:`coopledger.i18n`) and every
number, date and month goes through its formatter, in the pack's language
(``oktober 2026``; compact month heads with :func:`month_heads`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from babel.dates import format_skeleton

from coopledger.books import Books
from coopledger.close.preflight import CheckResult
from coopledger.compare import compare
from coopledger.entities import EntityKind
from coopledger.fund import capital_lines, fund_report
from coopledger.fund.report import PAR_DAYS
from coopledger.i18n import (
    format_amount,
    format_date,
    format_month,
    format_month_span,
    format_percent,
    labels,
    section,
)
from coopledger.i18n.format import locale_of
from coopledger.people import PeopleCount, people_counts
from coopledger.periods import Period, month_period
from coopledger.ratios import (
    ENTITY_RATIOS,
    RATIOS,
    Language,
    Ratio,
    entity_ratios,
    fund_ratios,
    has_fund,
)

#: The marks beside a verdict: a sign beside the word, never a colour alone.
VERDICT_MARK = {"good": "✓", "watch": "!", "bad": "✗", None: "–"}


def _language(language: str) -> Language:
    return "en" if language == "en" else "sv"


def month_heads(months: list[str], language: str) -> list[str]:
    """Short column heads for consecutive months (``YYYY-MM``): the month's abbreviation,
    with its year on the first column and on each January (``nov. 2025``, ``dec.``,
    ``jan. 2026``, ``feb.``)."""
    heads = []
    for index, label in enumerate(months):
        day = datetime.date(int(label[:4]), int(label[5:7]), 1)
        heads.append(format_month(day, language) if index == 0 or day.month == 1
                     else format_skeleton("MMM", day, locale=locale_of(language)))
    return heads


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
        who: The entity (or the group, or the close).
        text: What and why, in the pack's language.
    """

    kind: str
    verdict: str
    who: str
    text: str


def _ratio_cell(ratio: Ratio, language: Language, p: dict[str, str]) -> dict[str, str]:
    value = "–" if ratio.value is None else ratio.number(ratio.value, language)
    verdict = ratio.verdict
    return {"name": ratio.kind.en if language == "en" else ratio.kind.sv, "value": value,
            "verdict": verdict or "none", "mark": VERDICT_MARK[verdict],
            "word": p[f"verdict_{verdict or 'none'}"], "text": ratio.text(language)}


def _people_row(months: list[PeopleCount], label: str, final: set[str], short: str,
                language: str) -> dict[str, Any]:
    cells = []
    for month in months:
        name = month.month.label
        if not month.booked:
            cells.append({"month": name, "booked": False, "final": name in final})
            continue
        share = month.subsidised_share
        cells.append({
            "month": name, "booked": True, "final": name in final,
            "employed": month.employed, "target": month.target_group,
            "subsidised": month.subsidised,
            "subsidised_share": "–" if share is None else format_percent(
                share / 100, 1, language),
            "fte": format_amount(month.fte, 1, language),
            "without_extent": month.without_extent,
            "starts": month.starts, "leavers": month.leavers})
    return {"label": label, "short": short, "cells": cells,
            "now": cells[-1] if cells else None}


def _result_row(books: Books, code: str | None, label: str, period: Period,
                language: str) -> dict[str, Any]:
    budget = compare(books, code, period, "budget")
    last_year = compare(books, code, period, "last-year")
    figures = {
        "actual": budget.total("actual"), "budget": budget.total("reference"),
        "deviation": budget.total("deviation"), "last_year": last_year.total("reference"),
        "ytd_actual": budget.total("ytd_actual"), "ytd_budget": budget.total("ytd_reference"),
        "ytd_deviation": budget.total("ytd_deviation"),
        "ytd_last_year": last_year.total("ytd_reference")}
    return {"code": code, "label": label, "figures": figures,
            "cells": {k: format_amount(v, 0, language) for k, v in figures.items()},
            "negative": {k: v < 0 for k, v in figures.items()},
            "ytd_label": format_month_span(budget.year_to_date.start,
                                           budget.year_to_date.last_day, language)}


def _fund(books: Books, period: Period, language: Language) -> dict[str, Any] | None:
    if not has_fund(books):
        return None
    date = min(period.last_day, books.last_date)
    report = fund_report(books, date)
    t = labels(language)

    def amount(value: Decimal) -> str:
        return format_amount(value, 2, language)

    figures = [(t["fig_gross_portfolio"], amount(report.gross_portfolio))]
    figures += [(f"PAR{n}", f"{amount(report.par_amounts[n])} "
                            f"({format_percent(report.par[n], 2, language)})")
                for n in PAR_DAYS]
    figures += [(t[key], amount(value)) for key, value in (
        ("fig_provision_required", report.provision_required),
        ("written_off", report.written_off), ("recovered", report.recovered),
        ("interest_earned", report.interest_earned))]
    return {"date": date, "date_text": format_date(date, language),
            "name": books.entities[report.fund].name, "code": report.fund,
            "capital": [{"key": c.key, "label": t[c.label], "amount": amount(c.amount),
                         "total": c.total, "negative": c.amount < 0}
                        for c in capital_lines(report)],
            "figures": figures,
            "ratios": [_ratio_cell(r, language, section(language, "pack."))
                       for r in fund_ratios(books, date)]}


def pack_summary(books: Books, month: str, checks: list[CheckResult] | None, *,
                 final: bool, members: list[str] | None = None,
                 language: str = "sv") -> dict[str, Any]:
    """The summary's figures and words, ready for the templates.

    Args:
        books: The books (after the close's entries).
        month: ``YYYY-MM``.
        checks: The close's checks (None in a member's own pack: they are the group's).
        final: Whether the month is closed; if not, the pack is preliminary.
        members: The members shown (None: every member, and the group and the fund).
        language: ``sv`` or ``en``.

    Returns:
        The template context: ``warnings``, ``results``, ``ratios``, ``people``,
        ``fund``, ``checks``, ``preliminary``, the labels of the months and ``p`` (the
        catalogue's ``pack.*`` words).
    """
    lang = _language(language)
    p = section(lang, "pack.")
    t = labels(lang)
    period = month_period(int(month[:4]), int(month[5:]))
    month_name = format_month(month, lang, "long")
    group = members is None
    codes = members if members is not None else [
        c for c, e in books.entities.items() if e.kind is EntityKind.MEMBER]
    names = {c: f"{c}: {books.entities[c].name}" for c in codes}
    warnings: list[PackWarning] = []
    for check in checks or []:
        if not check.ok:
            text = f"{check.title_in(lang)}: {'; '.join(check.details_in(lang)[:3])}"
            if check.accepted:
                text += f" ({t['accepted_by'].format(who=check.accepted)})"
            warnings.append(PackWarning("check", "watch" if check.accepted else "bad",
                                        p["the_close"], text))
    ratio_rows = []
    for code in ([None] if group else []) + codes:
        label = p["group"] if code is None else names[code]
        ratios = entity_ratios(books, code, period)
        ratio_rows.append({"label": label, "cells": [_ratio_cell(r, lang, p) for r in ratios]})
        warnings += [PackWarning("ratio", r.verdict, label, r.text(lang))
                     for r in ratios if r.verdict in ("bad", "watch")]
    fund = _fund(books, period, lang) if group else None
    if fund is not None:
        warnings += [PackWarning("ratio", r.verdict, fund["name"], r.text(lang))
                     for r in fund_ratios(books, fund["date"])
                     if r.verdict in ("bad", "watch")]
    history = months_to(month)
    final_months = {m.label for m in history.months() if final or m.label != month}
    people_rows = [_people_row(people_counts(books, c, history), names[c], final_months, c, lang)
                   for c in codes]
    if group:
        people_rows.append(_people_row(people_counts(books, None, history), p["group"],
                                       final_months, p["group"], lang))
    if any(row["now"] is not None and not row["now"]["booked"] for row in people_rows):
        warnings.append(PackWarning("people", "watch", p["the_people"],
                                    p["no_payroll"].format(month=month_name)))
    results = [_result_row(books, c, names[c], period, lang) for c in codes]
    if group:
        results.append(_result_row(books, None, t["consolidated"], period, lang))
    order = {"bad": 0, "watch": 1}
    warnings.sort(key=lambda w: order.get(w.verdict, 2))
    month_label = month_name if final else p["preliminary_month"].format(month=month_name)
    return {
        "month": month, "month_name": month_name, "preliminary": not final,
        "month_label": month_label,
        "warnings": warnings, "results": results,
        "ytd_label": results[0]["ytd_label"] if results else "",
        "ratio_names": [RATIOS[key].en if lang == "en" else RATIOS[key].sv
                        for key in ENTITY_RATIOS],
        "ratios": ratio_rows, "people": people_rows,
        "people_months": [head if m.label in final_months
                          else p["preliminary_short"].format(month=head)
                          for m, head in zip(history.months(),
                                             month_heads([m.label for m in history.months()],
                                                         lang), strict=True)],
        "fund": fund, "checks": checks, "marks": VERDICT_MARK, "p": p, "lang": lang,
    }
