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
- ``boardpack-YYYY-MM.pdf`` (with ``coopledger close --pdf``): the summary on a few A4
  pages, printed by Chromium from :func:`board_pack_print_html` (see :func:`board_pack_pdf`).

``index.html`` and the PDF open with the summary (:mod:`coopledger.close.packsummary`):
the warnings, then the members (result beside budget and last year, key ratios, the
people employed), the fund, the close's checks. A pack of a month that is not closed
(``final=False``) is marked preliminary throughout: its month is drawn preliminary in
every chart (a pale, dashed bar; a dashed line over a hatched band), never as a result.

Every figure comes from :mod:`coopledger.statements`, so the pack agrees with
``coopledger report`` by construction (and a test compares them). The HTML is rendered
from Jinja2 templates (``close/templates/``) with autoescaping. A member's board gets its
own pack (:func:`member_pack_files`), built on request from its own books by the Fava
extension: never the group's files.
"""

from __future__ import annotations

import csv
import datetime
import importlib
import io
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

from markupsafe import Markup

from coopledger.balances import changes
from coopledger.books import Books
from coopledger.close.packsummary import month_heads, pack_summary
from coopledger.close.preflight import CheckResult
from coopledger.close.render import render
from coopledger.entities import EntityKind
from coopledger.i18n import (
    format_amount,
    format_date,
    format_month,
    format_month_span,
    labels,
    ledger_language,
)
from coopledger.money import ZERO
from coopledger.periods import Period, fiscal_year_of, month_period
from coopledger.seals import month_bounds, previous_month
from coopledger.statements import BalanceSheet, IncomeStatement, balance_sheet, income_statement
from coopledger.svgchart import bar_charts, svg_bars

BOARDPACK_DIR = "boardpack"
GROUP = "Group"
#: The accounts a result is made of.
_RESULT_ROOTS = ("Income", "Expenses")


def _style() -> Markup:
    # The pack's own stylesheet, trusted text: not escaped inside <style>.
    return Markup((Path(__file__).parent / "templates" / "pack.css")  # noqa: S704
                  .read_text(encoding="utf-8"))


def board_pack_dir(main: Path, month: str) -> Path:
    """The folder of a month's board pack."""
    return main.parent / BOARDPACK_DIR / month


def pdf_name(month: str) -> str:
    """The file name of a month's printed pack (``boardpack-2026-10.pdf``)."""
    return f"boardpack-{month}.pdf"


def member_results(
    books: Books, month: str, count: int = 12, members: list[str] | None = None,
) -> dict[str, list[tuple[str, Decimal]]]:
    """Each member's (or each of ``members``') result per month for the ``count`` months
    ending with ``month``."""
    months = [month]
    while len(months) < count:
        months.insert(0, previous_month(months[0]))
    if members is None:
        members = [c for c, e in books.entities.items() if e.kind is EntityKind.MEMBER]
    return {code: [(m, _result(books, code, _month(m))) for m in months]
            for code in members}


def _result(books: Books, code: str, period: Period) -> Decimal:
    """``income_statement(books, code, period).result``, without laying out the statement.

    A member's statement has one line per income and expense account that moved, none
    eliminated, so its result is the sum of those movements with the sign turned, added
    from zero as the statement adds its lines (the same Decimal, exponent and sign of
    zero included; tests/test_statements.py compares both). The pack asks for twelve
    months of every member.
    """
    books.entity(code)
    return sum((-amount for account, amount in changes(books, period, entity=code).items()
                if account.split(":", 1)[0] in _RESULT_ROOTS), ZERO)


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


def _statement(title: str, statement: IncomeStatement | BalanceSheet,
               language: str) -> dict[str, Any]:
    t = labels(language)
    # an account's name stays the books' own; a line coopledger names is the catalogue's
    rows = [[f"{bas} {t.get(name, name)}".strip(), format_amount(amount, 2, language)]
            for _, bas, _, name, amount in statement_rows(statement)]
    if isinstance(statement, IncomeStatement):
        total = [t["result"], format_amount(statement.result, 2, language)]
    else:
        total = [t["total_assets_and_claims"],
                 f"{format_amount(statement.total_assets, 2, language)} / "
                 f"{format_amount(statement.total_equity_and_liabilities, 2, language)}"]
    return {"title": title, "rows": rows, "total": total}


def _check_status(check: CheckResult) -> str:
    """A check's state for the pack: ``ok``, ``accepted`` (review) or ``failed``."""
    if check.ok:
        return "ok"
    return "accepted" if check.accepted else "failed"


def _check_rows(checks: list[CheckResult], language: str) -> list[tuple[Any, ...]]:
    """Each check with its state code, state word, title and details in ``language``."""
    t = labels(language)
    return [(c, _check_status(c), t[f"check_{_check_status(c)}"], c.title_in(language),
             c.details_in(language)) for c in checks]


def _fund_section(books: Books, month: str, language: str,
                  final: bool = True) -> tuple[Markup, dict[str, str]]:
    try:
        importlib.import_module("coopledger.fund")
    except ModuleNotFoundError as exc:
        if exc.name != "coopledger.fund":
            raise
        return Markup("<p>{}</p>").format(labels(language)["fund_not_installed"]), {}
    if not any(e.kind is EntityKind.FUND for e in books.entities.values()):
        return Markup("<p>{}</p>").format(labels(language)["no_fund"]), {}
    from coopledger.close.fundpage import fund_html

    page, files = fund_html(books, month, language, final=final)
    return Markup(page), files  # noqa: S704  # rendered by fund.html, escaped there


def _entity_section(books: Books, code: str | None, month: str, language: str) -> tuple[
        dict[str, Any], dict[str, str]]:
    """One entity's (None: the consolidated group's) statements and their CSV files."""
    period = _month(month)
    name = GROUP if code is None else code
    year = (fiscal_year_of(period.start) if code is None
            else books.entities[code].fiscal_year_of(period.start))
    to_date = Period(year.start, period.end, f"{year.start:%Y-%m}..{month}")
    t = labels(language)
    label = t["consolidated"] if code is None else f"{code}: {books.entities[code].name}"
    month_is = income_statement(books, code, period)
    ytd_is = income_statement(books, code, to_date)
    sheet = balance_sheet(books, code, period.last_day)
    header = ["section", "bas", "account", "name", "amount"]
    files = {f"income-{name}.csv": _csv(statement_rows(month_is), header),
             f"income-ytd-{name}.csv": _csv(statement_rows(ytd_is), header),
             f"balance-{name}.csv": _csv(statement_rows(sheet), header)}
    section = {"label": label, "statements": [
        _statement(t["income_statement_of"].format(
            period=format_month(month, language, "long")), month_is, language),
        _statement(t["income_statement_of"].format(
            period=format_month_span(to_date.start, to_date.last_day, language)), ytd_is,
            language),
        _statement(t["balance_sheet_at"].format(date=format_date(period.last_day, language)),
                   sheet, language)]}
    return section, files


def _results(results: dict[str, list[tuple[str, Decimal]]], language: str,
             final: bool = True) -> dict[str, Any]:
    """The results table and chart; a preliminary last month is labelled so in the table
    and drawn pale with a dashed outline in the chart (it is no result yet)."""
    months = [m for m, _ in next(iter(results.values()), [])]
    preliminary = labels(language)["pack.preliminary_month"]
    heads = month_heads(months, language)
    shown = heads if final else [*heads[:-1], preliminary.format(month=heads[-1])]
    return {"months": shown,
            "results_chart": svg_bars(bar_charts(
                {code: [v for _, v in series] for code, series in results.items()},
                months, preliminary_from=None if final else len(months) - 1), language),
            "results_rows": [[code, *(format_amount(v, 0, language) for _, v in series)]
                             for code, series in results.items()]}


def _title(books: Books) -> str:
    return str(books.options.get("title") or books.path.name)


def board_pack_files(books: Books, month: str, checks: list[CheckResult],
                     language: str | None = None, *, final: bool = True) -> dict[Path, str]:
    """Every text file of a month's board pack, by path.

    Args:
        books: The books after the close's entries.
        month: ``YYYY-MM``.
        checks: The preflight results to show.
        language: ``sv`` or ``en`` (default: Fava's ``language`` option in the books).
        final: Whether the month is closed (False: a preliminary pack).

    Returns:
        Path to content for ``index.html`` and the CSV files.
    """
    folder = board_pack_dir(books.path.resolve(), month)
    language = language or ledger_language(books.entries)
    files: dict[str, str] = {"checks.csv": _csv(
        ((c.name, _check_status(c), " | ".join(c.details), c.accepted, c.title_in(language),
          " | ".join(c.details_in(language))) for c in checks),
        ["check", "status", "details", "accepted", "title", "findings"])}
    results = member_results(books, month)
    files["results.csv"] = _csv(((code, m, v) for code, series in results.items()
                                 for m, v in series), ["entity", "month", "result"])
    fund, fund_files = _fund_section(books, month, language, final)
    files.update(fund_files)
    sections = []
    for code in [None, *books.entities]:
        section, section_files = _entity_section(books, code, month, language)
        sections.append(section)
        files.update(section_files)
    t = labels(language)
    files["index.html"] = render(
        "boardpack.html", month=month, style=_style(), t=t, lang=language,
        title=_title(books), checks=_check_rows(checks, language), close_state=None,
        results_title=t["members_results"], results_label=t["member"],
        **_results(results, language, final), fund=fund, loans=None, sections=sections,
        s=pack_summary(books, month, checks, final=final, language=language))
    return {folder / name: text for name, text in files.items()}


def board_pack_print_html(books: Books, month: str, checks: list[CheckResult],
                          language: str | None = None, *, final: bool = True) -> str:
    """The printed pack's HTML: the summary in reading order, with print CSS for A4.

    Args:
        books: The books after the close's entries.
        month: ``YYYY-MM``.
        checks: The preflight results to show.
        language: ``sv`` or ``en`` (default: Fava's ``language`` option in the books).
        final: Whether the month is closed (False: marked preliminary on every page).

    Returns:
        The HTML document (no scripts, no external files).
    """
    language = language or ledger_language(books.entries)
    t = labels(language)
    return render("boardpack_print.html", style=_style(), t=t, lang=language,
                  s=pack_summary(books, month, checks, final=final, language=language),
                  title=_title(books), close_state=None, results_title=t["members_results"],
                  results_chart=_results(member_results(books, month), language,
                                         final)["results_chart"])


def member_pack_print_html(books: Books, code: str, month: str, state: str,
                           language: str | None = None) -> str:
    """A member's printed pack: its own summary (no group checks, no fund), A4.

    Args:
        books: The member's own books (:mod:`coopledger.member`), or the group's.
        code: The member.
        month: ``YYYY-MM``.
        state: The month's close state (a pack of a month not closed is preliminary).
        language: ``sv`` or ``en`` (default: Fava's ``language`` option in the books).

    Returns:
        The HTML document.
    """
    language = language or ledger_language(books.entries)
    final = state in ("closed", "sealed")
    t = labels(language)
    results = {code: member_results(books, month, members=[code])[code]}
    return render("boardpack_print.html", style=_style(), t=t, lang=language,
                  s=pack_summary(books, month, None, final=final, members=[code],
                                 language=language),
                  title=f"{code}: {books.entities[code].name}", close_state=state,
                  results_title=t["monthly_result"],
                  results_chart=_results(results, language, final)["results_chart"])


def board_pack_pdf(document: str, month: str) -> bytes:
    """Print a pack's HTML (:func:`board_pack_print_html`) to A4 PDF with Chromium.

    The PDF is dated the month's last day, not the day it was printed
    (:func:`coopledger.printing.print_pdf`).

    Raises:
        CoopException: Chromium is missing or failed.
    """
    _, end = month_bounds(month)
    from coopledger.printing import print_pdf  # Chromium's driver: only to print

    return print_pdf(document, f"the board pack of {month}",
                     stamp=end - datetime.timedelta(days=1))


def member_pack_files(books: Books, code: str, month: str, state: str,
                      language: str | None = None) -> dict[str, str]:
    """One member's board pack of a closed month, by file name, from its own books.

    The member's pack holds only its own figures: the month's close state (the checks
    are the group's), its result over the last twelve months, its loans from the fund
    (read from its own side, :func:`coopledger.member_loans.member_loans`) and its
    statements; CSV files ``results.csv``, ``loans.csv``, ``income-<code>.csv``,
    ``income-ytd-<code>.csv`` and ``balance-<code>.csv``.

    Args:
        books: The member's own books (:mod:`coopledger.member`), or the group's.
        code: The member.
        month: ``YYYY-MM``.
        state: The month's close state (``closed``, ``sealed``).
        language: ``sv`` or ``en`` (default: Fava's ``language`` option in the books).

    Returns:
        File name to text.
    """
    from coopledger.member_loans import member_loans

    language = language or ledger_language(books.entries)
    results = {code: member_results(books, month, members=[code])[code]}
    files = {"results.csv": _csv(((code, m, v) for m, v in results[code]),
                                 ["entity", "month", "result"])}
    loans = member_loans(books, code, _month(month).last_day)
    loan_rows = [(line.loan_id, line.lender, line.principal, line.rate, line.state.status,
                  line.state.outstanding_principal,
                  line.state.principal_overdue + line.state.interest_overdue,
                  line.state.days_past_due, line.state.next_due or "") for line in loans]
    files["loans.csv"] = _csv(loan_rows, ["loan", "lender", "principal", "rate", "status",
                                          "outstanding", "overdue", "days_past_due",
                                          "next_due"])
    section, section_files = _entity_section(books, code, month, language)
    files.update(section_files)
    t = labels(language)
    final = state in ("closed", "sealed")
    files["index.html"] = render(
        "boardpack.html", month=month, style=_style(), t=t, lang=language,
        title=f"{code}: {books.entities[code].name}", checks=None, close_state=state,
        results_title=t["monthly_result"], results_label=t["entity"],
        **_results(results, language, final), fund=None,
        s=pack_summary(books, month, None, final=final, members=[code], language=language),
        loans=[[a, b, format_amount(c, 2, language), format_amount(d, 2, language),
                t.get(f"status_{e}", e),
                format_amount(f, 2, language), format_amount(g, 2, language), str(h),
                format_date(i, language) if isinstance(i, datetime.date) else ""]
               for a, b, c, d, e, f, g, h, i in loan_rows],
        sections=[section])
    return files


__all__ = ["GROUP", "board_pack_dir", "board_pack_files", "board_pack_pdf",
           "board_pack_print_html", "member_pack_files", "member_pack_print_html",
           "member_results", "pdf_name", "render", "statement_rows"]
