"""The board pack: one self-contained HTML page per closed month, plus CSV files.

Written by ``coopledger close`` into ``boardpack/YYYY-MM/`` beside the main file:

- ``index.html``: the close's checks; each member's monthly result over the last twelve
  months (table and inline SVG chart); the fund's report (portfolio and PAR, with charts)
  when the fund module is installed; then for the group (consolidated, intra-group
  eliminated) and each entity the month's income statement, the fiscal year to date and
  the balance sheet at the month's end. No scripts, no external files: it opens offline.
- ``income-<Entity>.csv`` / ``balance-<Entity>.csv`` (``Group`` for the consolidated
  statements): ``section;bas;account;name;amount`` rows, amounts as plain decimals.
- ``results.csv``: ``entity;month;result`` per member and month; ``checks.csv``.

Every figure comes from :mod:`coopledger.statements`, so the pack agrees with
``coopledger report`` by construction (and a test compares them).
"""

from __future__ import annotations

import csv
import html
import importlib
import io
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

from coopledger.books import Books
from coopledger.close.charts import bar_chart
from coopledger.close.preflight import CheckResult
from coopledger.entities import EntityKind
from coopledger.money import format_sek
from coopledger.periods import Period, fiscal_year_of, month_period
from coopledger.seals import previous_month
from coopledger.statements import BalanceSheet, IncomeStatement, balance_sheet, income_statement

BOARDPACK_DIR = "boardpack"
GROUP = "Group"
_STYLE = """body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222;max-width:60em}
table{border-collapse:collapse;margin:.5em 0 1.5em}
td,th{padding:2px 8px;border-bottom:1px solid #ddd}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}tr.total td{font-weight:bold}
.ok{color:#176117}.fail{color:#a01010}h2{border-bottom:2px solid #444;margin-top:2em}"""


def board_pack_dir(main: Path, month: str) -> Path:
    """The folder of a month's board pack."""
    return main.parent / BOARDPACK_DIR / month


def member_results(
    books: Books, month: str, count: int = 12,
) -> dict[str, list[tuple[str, Decimal]]]:
    """Each member's result per month for the ``count`` months ending with ``month``."""
    months = [month]
    while len(months) < count:
        months.insert(0, previous_month(months[0]))
    members = [c for c, e in books.entities.items() if e.kind is EntityKind.MEMBER]
    return {code: [(m, income_statement(books, code, _month(m)).result) for m in months]
            for code in members}


def _month(label: str) -> Period:
    return month_period(int(label[:4]), int(label[5:]))


def statement_rows(
    statement: IncomeStatement | BalanceSheet,
) -> list[tuple[str, str, str, str, Decimal]]:
    """``(section, bas, account, name, amount)`` rows of a statement, in order."""
    sections = (statement.sections if isinstance(statement, IncomeStatement)
                else statement.assets + statement.equity_and_liabilities)
    return [(s.title, line.bas or "", line.account, line.name, line.amount)
            for s in sections for line in s.lines]


def _csv(rows: Iterable[Iterable[Any]], header: Iterable[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(list(header))
    writer.writerows([list(r) for r in rows])
    return out.getvalue()


def _table(header: list[str], rows: list[list[str]], numeric_from: int = 1,
           total: list[str] | None = None) -> str:
    def cells(values: list[str], tag: str) -> str:
        return "".join(f'<{tag}{" class=n" if i >= numeric_from else ""}>{html.escape(v)}'
                       f"</{tag}>" for i, v in enumerate(values))
    body = "".join(f"<tr>{cells(r, 'td')}</tr>" for r in rows)
    foot = f'<tr class="total">{cells(total, "td")}</tr>' if total else ""
    return f"<table><tr>{cells(header, 'th')}</tr>{body}{foot}</table>"


def _statement_html(title: str, statement: IncomeStatement | BalanceSheet) -> str:
    rows = [[f"{bas} {name}".strip(), format_sek(amount)]
            for _, bas, _, name, amount in statement_rows(statement)]
    if isinstance(statement, IncomeStatement):
        total = ["Resultat", format_sek(statement.result)]
    else:
        total = ["Summa tillgångar / eget kapital och skulder",
                 f"{format_sek(statement.total_assets)} / "
                 f"{format_sek(statement.total_equity_and_liabilities)}"]
    return f"<h3>{html.escape(title)}</h3>" + _table(["Konto", "Belopp"], rows, total=total)


def _check_status(check: CheckResult) -> tuple[str, str]:
    """A check's state for the pack: CSV word and Swedish label (accepted: review)."""
    if check.ok:
        return "ok", "OK"
    return ("accepted", "ACCEPTERAD") if check.accepted else ("failed", "FEL")


def _checks_html(checks: list[CheckResult]) -> str:
    rows = []
    for c in checks:
        label = _check_status(c)[1]
        accepted = (f"<br><strong>Accepterad av {html.escape(c.accepted)}</strong>"
                    if c.accepted else "")
        rows.append(f'<tr><td class="{"ok" if c.ok else "fail"}">{label}</td>'
                    f"<td>{html.escape(c.title_sv)}</td>"
                    f"<td>{html.escape('; '.join(c.details))}{accepted}</td></tr>")
    return ("<table><tr><th></th><th>Kontroll</th><th>Resultat</th></tr>"
            f"{''.join(rows)}</table>")


def _fund_section(books: Books, month: str) -> tuple[str, dict[str, str]]:
    try:
        importlib.import_module("coopledger.fund")
    except ModuleNotFoundError as exc:
        if exc.name != "coopledger.fund":
            raise
        return "<p>Fondens rapport: modulen coopledger.fund är inte installerad.</p>", {}
    if not any(e.kind is EntityKind.FUND for e in books.entities.values()):
        return "<p>Böckerna har ingen fond.</p>", {}
    from coopledger.close.fundpage import fund_html

    return fund_html(books, month)


def board_pack_files(books: Books, month: str, checks: list[CheckResult]) -> dict[Path, str]:
    """Every file of a month's board pack, by path, as text.

    Args:
        books: The books after the close's entries.
        month: ``YYYY-MM``.
        checks: The preflight results to show.

    Returns:
        Path to content for ``index.html`` and the CSV files.
    """
    folder = board_pack_dir(books.path.resolve(), month)
    period = _month(month)
    files: dict[Path, str] = {}
    parts = [f"<h1>Styrelserapport {html.escape(month)}</h1>",
             f"<p>{html.escape(str(books.options.get('title') or books.path.name))}</p>",
             "<h2>Kontroller vid bokslutet</h2>", _checks_html(checks)]
    files[folder / "checks.csv"] = _csv(((c.name, _check_status(c)[0],
                                          " | ".join(c.details), c.accepted) for c in checks),
                                        ["check", "status", "details", "accepted"])

    results = member_results(books, month)
    months = [m for m, _ in next(iter(results.values()), [])]
    parts.append("<h2>Medlemmarnas resultat per månad</h2>")
    parts.append(bar_chart({code: [v for _, v in series] for code, series in results.items()},
                           months))
    parts.append(_table(["Medlem", *months],
                        [[code, *(format_sek(v, decimals=0) for _, v in series)]
                         for code, series in results.items()]))
    files[folder / "results.csv"] = _csv(((code, m, v) for code, series in results.items()
                                          for m, v in series), ["entity", "month", "result"])

    fund_part, fund_files = _fund_section(books, month)
    parts.append("<h2>Fonden</h2>" + fund_part)
    files.update({folder / name: text for name, text in fund_files.items()})

    for code in [None, *books.entities]:
        name = GROUP if code is None else code
        year = (fiscal_year_of(period.start) if code is None
                else books.entities[code].fiscal_year_of(period.start))
        to_date = Period(year.start, period.end, f"{year.start:%Y-%m}..{month}")
        label = ("Koncernen (internt eliminerat)" if code is None
                 else f"{code}: {books.entities[code].name}")
        month_is = income_statement(books, code, period)
        ytd_is = income_statement(books, code, to_date)
        sheet = balance_sheet(books, code, period.last_day)
        parts.append(f"<h2>{html.escape(label)}</h2>")
        parts.append(_statement_html(f"Resultaträkning {month}", month_is))
        parts.append(_statement_html(f"Resultaträkning {to_date.label}", ytd_is))
        parts.append(_statement_html(f"Balansräkning {period.last_day}", sheet))
        header = ["section", "bas", "account", "name", "amount"]
        files[folder / f"income-{name}.csv"] = _csv(statement_rows(month_is), header)
        files[folder / f"income-ytd-{name}.csv"] = _csv(statement_rows(ytd_is), header)
        files[folder / f"balance-{name}.csv"] = _csv(statement_rows(sheet), header)
    files[folder / "index.html"] = (
        f'<!DOCTYPE html>\n<html lang="sv"><head><meta charset="utf-8">'
        f"<title>Styrelserapport {html.escape(month)}</title><style>{_STYLE}</style></head>"
        f"<body>{''.join(parts)}</body></html>\n")
    return files


__all__ = ["GROUP", "board_pack_dir", "board_pack_files", "member_results",
           "statement_rows"]
