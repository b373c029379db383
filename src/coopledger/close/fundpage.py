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
from coopledger.close.charts import line_chart
from coopledger.close.packsummary import percent
from coopledger.close.render import render
from coopledger.fund import FIGURE_LABELS, capital_lines, first_reportable_day
from coopledger.fund.report import PAR_DAYS, STATUSES, FundReport, fund_report
from coopledger.money import format_sek
from coopledger.seals import month_bounds, previous_month


def _csv(header: list[str], rows: Iterable[Iterable[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(header)
    writer.writerows([list(r) for r in rows])
    return out.getvalue()


def key_figures(report: FundReport) -> list[tuple[str, Decimal]]:
    """The fund's key figures, labelled in Swedish, in reading order.

    The capital's lines are :func:`coopledger.fund.capital_lines`, signed and labelled as
    the Fonden page shows them; the loan book's labels are
    :data:`coopledger.fund.FIGURE_LABELS`.
    """
    figures = [(FIGURE_LABELS["gross_portfolio"][0], report.gross_portfolio)]
    for days in PAR_DAYS:
        figures.append((f"PAR{days} (andel)", report.par.get(days, Decimal(0))))
        figures.append((f"PAR{days} (belopp i risk)", report.par_amounts.get(days, Decimal(0))))
    figures += [(FIGURE_LABELS[key][0], getattr(report, key))
                for key in ("written_off", "recovered", "interest_earned",
                            "provision_required")]
    figures += [(line.sv, line.amount) for line in capital_lines(report)]
    return figures


def fund_html(books: Books, month: str) -> tuple[str, dict[str, str]]:
    """The fund section's HTML and its CSV files (by file name).

    Args:
        books: The books (they declare a fund).
        month: ``YYYY-MM``; the report is at the month's last day.

    Returns:
        HTML and ``{file name: text}``.
    """
    _, end = month_bounds(month)
    report = fund_report(books, end - datetime.timedelta(days=1))
    figures = key_figures(report)
    files = {"fund.csv": _csv(["figure", "value"], figures)}
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
    portfolio, par = _history_charts(books, month)
    page = render(
        "fund.html", currency=report.currency,
        figures=[[label, percent(value * 100, 2) if "andel" in label else format_sek(value)]
                 for label, value in figures],
        statuses=[[s, str(n), format_sek(a)] for s, n, a in status_rows],
        loans=[[a, b, format_sek(c), percent(d, 2), e, format_sek(f), str(g), format_sek(h)]
               for a, b, c, d, e, f, g, h in loan_rows],
        members=[[a, format_sek(b), percent(c * 100, 2)] for a, b, c in member_rows],
        portfolio_chart=Markup(portfolio), par_chart=Markup(par))  # noqa: S704  # escaped SVG
    return page, files


def _history_charts(books: Books, month: str) -> tuple[str, str]:
    months = [month]
    while len(months) < 12:
        months.insert(0, previous_month(months[0]))
    first = first_reportable_day(books)  # daily books: no loan history before the cut
    if first is not None:
        months = [m for m in months if month_bounds(m)[1] > first] or [month]
    history = [fund_report(books, month_bounds(m)[1] - datetime.timedelta(days=1))
               for m in months]
    portfolio = line_chart({"Bruttoportfölj": [r.gross_portfolio for r in history],
                            "Avskrivet": [r.written_off for r in history]}, months)
    par = line_chart({f"PAR{d}": [r.par.get(d, Decimal(0)) for r in history]
                      for d in PAR_DAYS}, months, percent=True)
    return portfolio, par
