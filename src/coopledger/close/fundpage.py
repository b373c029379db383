"""The fund's part of the board pack, from :func:`coopledger.fund.fund_report`.

Tables: the key figures (gross portfolio, PAR1/30/60/90 with the principal at risk,
write-offs, capital base, cash available for new loans), the portfolio by status, every
loan and every member's share. Charts over the last twelve month ends: the gross
portfolio with the amount written off, and PAR1/30/60/90. CSV files: ``fund.csv``,
``fund-status.csv``, ``fund-loans.csv``, ``fund-members.csv``. The HTML is the
``close/templates/fund.html`` Jinja2 template.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from markupsafe import Markup

from coopledger.books import Books
from coopledger.close.render import render
from coopledger.fund import capital_lines, first_reportable_day
from coopledger.fund.report import PAR_DAYS, STATUSES, FundReport, fund_report
from coopledger.i18n import format_amount, format_percent, labels
from coopledger.seals import month_bounds, previous_month
from coopledger.svgchart import line_chart, svg


def _csv(header: list[str], rows: Iterable[Iterable[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(header)
    writer.writerows([list(r) for r in rows])
    return out.getvalue()


def key_figures(report: FundReport, language: str = "sv") -> list[tuple[str, Decimal, bool]]:
    """The fund's key figures in reading order: label (in ``language``), value, and
    whether the value is a ratio (PAR shares) rather than an amount.

    The capital's lines are :func:`coopledger.fund.capital_lines`, split, signed and
    labelled as the Fonden page shows them.
    """
    t = labels(language)
    figures = [(t["fig_gross_portfolio"], report.gross_portfolio, False)]
    for days in PAR_DAYS:
        figures.append((t["fig_par_share"].format(days=days), report.par.get(days, Decimal(0)),
                        True))
        figures.append((t["fig_par_amount"].format(days=days),
                        report.par_amounts.get(days, Decimal(0)), False))
    figures += [(t[key], value, False) for key, value in (
        ("written_off", report.written_off), ("recovered", report.recovered),
        ("interest_earned", report.interest_earned),
        ("fig_provision_required", report.provision_required))]
    figures += [(t[line.label], line.amount, False) for line in capital_lines(report)]
    return figures


def fund_html(books: Books, month: str, language: str = "sv", *,
              final: bool = True) -> tuple[str, dict[str, str]]:
    """The fund section's HTML and its CSV files (by file name).

    Args:
        books: The books (they declare a fund).
        month: ``YYYY-MM``; the report is at the month's last day.
        language: ``sv`` or ``en``, for the numbers.
        final: Whether the month is closed (False: its month is drawn preliminary in
            the charts).

    Returns:
        HTML and ``{file name: text}``.
    """
    _, end = month_bounds(month)
    report = fund_report(books, end - datetime.timedelta(days=1))
    figures = key_figures(report, language)
    # The CSV keeps its Swedish labels whatever the pack's language: a file read by programs.
    files = {"fund.csv": _csv(["figure", "value"],
                              [(label, value) for label, value, _ in key_figures(report)])}
    status_rows = [(s, report.status_counts.get(s, 0),
                    report.status_amounts.get(s, Decimal(0))) for s in STATUSES]
    files["fund-status.csv"] = _csv(["status", "count", "amount"], status_rows)
    loan_rows = [(line.loan_id, line.borrower, line.principal, line.rate, line.state.status,
                  line.state.outstanding_principal, line.state.days_past_due, line.provision)
                 for line in report.loans]
    files["fund-loans.csv"] = _csv(["loan", "borrower", "principal", "rate", "status",
                                    "outstanding", "days_past_due", "provision"], loan_rows)
    member_rows = [(m.member, m.capital, m.share) for m in report.members]
    files["fund-members.csv"] = _csv(["member", "capital", "share"], member_rows)
    portfolio, par = _history_charts(books, month, language, final)
    t = labels(language)
    def amount(value: Decimal) -> str:
        return format_amount(value, 2, language)

    page = render(
        "fund.html", currency=report.currency,
        t=t, figures=[[label, format_percent(value, 2, language) if ratio else amount(value)]
                      for label, value, ratio in figures],
        statuses=[[t.get(f"status_{s}", s), str(n), amount(a)] for s, n, a in status_rows],
        loans=[[a, b, amount(c), amount(d), t.get(f"status_{e}", e), amount(f), str(g),
                amount(h)] for a, b, c, d, e, f, g, h in loan_rows],
        members=[[a, amount(b), format_percent(c, 2, language)] for a, b, c in member_rows],
        portfolio_chart=portfolio, par_chart=par)
    return page, files


def _history_charts(books: Books, month: str, language: str,
                    final: bool) -> tuple[Markup, Markup]:
    months = [month]
    while len(months) < 12:
        months.insert(0, previous_month(months[0]))
    first = first_reportable_day(books)  # daily books: no loan history before the cut
    if first is not None:
        months = [m for m in months if month_bounds(m)[1] > first] or [month]
    history = [fund_report(books, month_bounds(m)[1] - datetime.timedelta(days=1))
               for m in months]
    t = labels(language)
    preliminary = None if final else len(months) - 1  # the pack's own month is open
    portfolio = line_chart(t["portfolio_12_months"], months, {
        t["chart_gross_portfolio"]: [r.gross_portfolio for r in history],
        t["written_off"]: [r.written_off for r in history]}, preliminary_from=preliminary)
    par = line_chart(t["par_12_months"], months, {
        f"PAR{d}": [r.par.get(d, Decimal(0)) for r in history] for d in PAR_DAYS},
        percent=True, preliminary_from=preliminary)
    return svg(portfolio, language, testid="fund-portfolio"), svg(par, language,
                                                                  testid="fund-par")
