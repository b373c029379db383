"""The fund's part of the board pack, from ``coopledger.fund.fund_report(books, date)``.

The report object is rendered as it is: its scalar fields as a two-column table, each
list of records as a table of their fields (``fund.csv`` holds the scalar fields,
``fund-<field>.csv`` each list). The portfolio and PAR charts follow the last twelve
month ends: every numeric field whose name mentions ``portfolio``, ``outstanding`` or
``par`` is drawn.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime
import html
import io
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from coopledger.books import Books
from coopledger.close.charts import line_chart
from coopledger.close.seal import month_bounds, previous_month

FundReportFunction = Callable[[Books, datetime.date], Any]
_CHARTED = ("portfolio", "outstanding")


def _fields(obj: Any) -> dict[str, Any]:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}
    if hasattr(obj, "model_dump"):
        return dict(obj.model_dump())
    if hasattr(obj, "_asdict"):
        return dict(obj._asdict())
    if isinstance(obj, dict):
        return dict(obj)
    return {}


def _text(value: Any) -> str:
    if isinstance(value, Decimal):
        return f"{value:,.2f}".replace(",", " ")
    return str(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, Decimal | int) and not isinstance(value, bool)


def _table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>"
                   for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _csv(header: list[str], rows: list[list[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def fund_html(books: Books, report_of: FundReportFunction, month: str,
              end: datetime.date) -> tuple[str, dict[str, str]]:
    """The fund section's HTML and its CSV files (by file name).

    Args:
        books: The books.
        report_of: ``coopledger.fund.fund_report``.
        month: ``YYYY-MM``.
        end: The first day after the month.

    Returns:
        HTML and ``{file name: text}``.
    """
    report = report_of(books, end - datetime.timedelta(days=1))
    fields = _fields(report)
    scalars = {k: v for k, v in fields.items() if not isinstance(v, list | tuple | dict)}
    parts = [_table(["", ""], [[k.replace("_", " "), _text(v)] for k, v in scalars.items()])]
    files = {"fund.csv": _csv(["field", "value"], [[k, v] for k, v in scalars.items()])}
    for name, value in fields.items():
        if not isinstance(value, list | tuple) or not value:
            continue
        rows = [_fields(item) for item in value]
        header = list(rows[0])
        parts.append(f"<h3>{html.escape(name.replace('_', ' '))}</h3>")
        parts.append(_table(header, [[_text(r.get(h)) for h in header] for r in rows]))
        files[f"fund-{name}.csv"] = _csv(header, [[r.get(h) for h in header] for r in rows])
    parts.extend(_history_charts(books, report_of, month, scalars))
    return "".join(parts), files


def _history_charts(books: Books, report_of: FundReportFunction, month: str,
                    scalars: dict[str, Any]) -> list[str]:
    amounts = [k for k, v in scalars.items()
               if _is_number(v) and any(word in k.lower() for word in _CHARTED)]
    ratios = [k for k, v in scalars.items() if _is_number(v) and "par" in k.lower()]
    if not amounts and not ratios:
        return []
    months = [month]
    while len(months) < 12:
        months.insert(0, previous_month(months[0]))
    history = [_fields(report_of(books, month_bounds(m)[1] - datetime.timedelta(days=1)))
               for m in months]
    charts = []
    if amounts:
        charts.append("<h3>Portfölj</h3>" + line_chart(
            {k: [Decimal(h.get(k) or 0) for h in history] for k in amounts}, months))
    if ratios:
        charts.append("<h3>PAR</h3>" + line_chart(
            {k: [Decimal(h.get(k) or 0) for h in history] for k in ratios}, months,
            percent=True))
    return charts
