"""coopledger's Fava extension: the board's view of the group, the members, the fund, the close.

Enable it in the main ledger file::

    2025-01-01 custom "fava-extension" "coopledger.fava_ext"

or, to open the cooperative page on one member by default::

    2025-01-01 custom "fava-extension" "coopledger.fava_ext" "{'entity': 'Kafe'}"

Four pages appear in Fava's sidebar: Grupp (every entity's key figures, the consolidated
result, monthly results), Kooperativ (one member's statements and its dealings with the
umbrella and the fund, ``?entity=Kafe``), Fonden (the fund's loan book) and Bokslut (the
close status of each month). Fava's time, account and advanced filters apply. Each class
here is a thin adapter; the figures come from :mod:`coopledger.fava_ext.views`.

In a member's own books (``coopledger serve --entity``, :mod:`coopledger.member`) the
pages show that member only: Grupp and Kooperativ its figures, Fonden its loans with
their schedules, Bokslut its months' close state and its own board pack.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

from fava.ext import extension_endpoint
from flask import Response, request, send_file

from coopledger.books import Books
from coopledger.close import MonthStatus, close_status
from coopledger.entities import EntityKind, LegalForm
from coopledger.fava_ext import close_view as _close
from coopledger.fava_ext import decide_view as _decide
from coopledger.fava_ext import due_view as _due
from coopledger.fava_ext import fund_view as _fund
from coopledger.fava_ext import page as _page
from coopledger.fava_ext import views as _views
from coopledger.fava_ext.ledgers_view import ledgers_view
from coopledger.i18n import language_of, message
from coopledger.member import member_code
from coopledger.periods import Period
from coopledger.ratios import Language

if TYPE_CHECKING:
    from fava.core import FavaLedger

_F = TypeVar("_F", bound=Callable[..., Any])


def _language(page: _page.Page) -> Language:
    """The page's language as the ratios take it."""
    return "en" if page.language == "en" else "sv"


def _endpoint(name: str) -> Callable[[_F], _F]:
    """Fava's ``@extension_endpoint(name)`` (GET), typed for mypy."""
    decorator: Callable[[_F], _F] = cast("Any", extension_endpoint)(name)
    return decorator


class CoopGroup(_page.BoardPage):
    """Grupp: every entity's turnover, result, equity, cash and fund loans."""

    report_title = "Grupp"
    title_key = "group"

    def build(self, books: Books, period: Period, page: _page.Page) -> _page.Page:
        """The group page's figures."""
        consolidate = member_code(books) is None
        view = books.remember(("fava-group", period, consolidate),
                              lambda: _views.group_view(books, period, consolidate=consolidate))
        language = _language(page)
        shown = [(row.code, row.name) for row in view.rows]
        members = [(row.code, row.name) for row in view.rows if row.kind == "member"]
        extra = {
            "compare": books.remember(
                ("fava-group-compare", period, consolidate),
                lambda: _decide.group_comparison(books, period, shown, consolidate=consolidate)),
            "ratios": books.remember(
                ("fava-group-ratios", period, consolidate, language),
                lambda: _decide.group_ratios(books, period, shown, language,
                                             consolidate=consolidate)),
            "people": books.remember(
                ("fava-group-people", period, consolidate),
                lambda: _decide.people_view(books, None if consolidate else shown[0][0],
                                            period, members if consolidate else ())),
        }
        return replace(page, view=view, extra=extra)


class CoopMember(_page.BoardPage):
    """Kooperativ: one member's statements, fees, subsidies and loans (``?entity=CODE``)."""

    report_title = "Kooperativ"
    title_key = "cooperative"

    def build(self, books: Books, period: Period, page: _page.Page) -> _page.Page:
        """The cooperative page's figures, or the list of entities to choose from."""
        code = (request.args.get("entity") or member_code(books)
                or self.config.get("entity"))
        choices = [e for e in books.entities.values() if e.kind is EntityKind.MEMBER]
        choices += [e for e in books.entities.values() if e.kind is not EntityKind.MEMBER]
        extra = {"entities": choices, "selected": code}
        if not code:  # a choice to make, not an error: the entities by name
            return replace(page, extra=extra)
        last_day = period.end - datetime.timedelta(days=1)
        code = str(code)
        language = _language(page)
        extra["ledgers"] = books.remember(
            ("fava-ledgers", code, last_day, page.language),
            lambda: ledgers_view(books, code, last_day, page.language))
        view = books.remember(("fava-member", code, period),
                              lambda: _views.member_view(books, code, period))
        extra["compare"] = books.remember(
            ("fava-member-compare", code, period),
            lambda: _decide.member_comparison(books, code, period))
        extra["ratios"] = books.remember(
            ("fava-member-ratios", code, period, language),
            lambda: _decide.member_ratios(books, code, period, language))
        extra["people"] = books.remember(
            ("fava-member-people", code, period),
            lambda: _decide.people_view(books, code, period))
        return replace(page, view=view, extra=extra)


class CoopFund(_page.BoardPage):
    """Fonden: capital base, cash, the loan book, PAR and provisions."""

    report_title = "Fonden"
    title_key = "fund"

    def build(self, books: Books, period: Period, page: _page.Page) -> _page.Page:
        """The fund page's figures; in a member's own books, that member's loans."""
        member = member_code(books)
        if member is not None and member in books.entities \
                and books.entities[member].kind is not EntityKind.FUND:
            loans = books.remember(("fava-member-loans", member, period),
                                   lambda: _fund.member_loans_view(books, member, period))
            return _page.Page(page.t, page.language, notices=page.notices, period=period,
                              extra={"member_loans": loans})
        view = books.remember(("fava-fund", period), lambda: _fund.fund_view(books, period))
        language = _language(page)
        ratios = books.remember(
            ("fava-fund-ratios", view.report.date, language),
            lambda: _decide.fund_page_ratios(books, view.report.date, language))
        return replace(page, view=view, extra={"ratios": ratios})


class CoopClose(_page.BoardPage):
    """Bokslut: each month's close status, its checks and board pack."""

    report_title = "Bokslut"
    title_key = "close"

    def __init__(self, ledger: FavaLedger, config: str | None = None) -> None:
        super().__init__(ledger, config)
        self._statuses: tuple[Books, list[MonthStatus]] | None = None

    def after_load_file(self) -> None:
        """Forget the books and the close statuses of the previous load."""
        super().after_load_file()
        self._statuses = None

    def due(self) -> _due.DueView | None:
        """The filing calendar block under the months (whole books, as of today).

        None in the own books of a member that is a unit of the umbrella: its filings
        are the umbrella's, whose books are not the member's.
        """
        books = self.books("", "")
        member = member_code(books)
        entity = books.entities.get(member) if member is not None else None
        if member is not None and (entity is None or entity.legal_form is LegalForm.UNIT):
            return None
        return _due.due_view(books, self.ledger.fava_options.language)

    def statuses(self) -> list[MonthStatus]:
        """The close status of the whole books (never filtered: seals cover everything)."""
        books = self.books("", "")
        cached = self._statuses
        if cached is None or cached[0] is not books:
            cached = (books, close_status(books))
            self._statuses = cached
        return cached[1]

    def build(self, books: Books, period: Period, page: _page.Page) -> _page.Page:
        """The close page's figures (in a member's books, its close marks and packs)."""
        if member_code(books) is not None:
            view = _close.member_close_view(books, period)
            return _page.Page(page.t, page.language, notices=page.notices, period=period,
                              view=view)
        packs = _close.read_board_packs(Path(self.ledger.beancount_file_path))
        view = _close.close_view(self.statuses(), packs, period)
        return _page.Page(page.t, page.language, notices=page.notices, period=period,
                          view=view)

    def _no_pack_file(self) -> Response:
        """The 404 of a board pack file that does not exist, in Fava's language."""
        text = message(language_of(self.ledger.fava_options.language), "error.no_pack_file")
        return Response(text, status=404, mimetype="text/plain")

    @_endpoint("board_pack")
    def board_pack(self) -> Response:
        """One file of a month's board pack (``?month=2026-10&file=index.html``).

        The printed pack (``file=boardpack-2026-10.pdf``) is offered as a download. In a
        member's own books, the member's pack of a closed month, built from its books
        (never the group's files), its PDF printed on request.
        """
        books = self.books("", "")
        name = request.args.get("file", "index.html")
        if member_code(books) is not None:
            content = _close.member_pack_file(books, request.args.get("month", ""), name)
            if content is None:
                return self._no_pack_file()
            if isinstance(content, bytes):
                return Response(content, mimetype="application/pdf", headers={
                    "Content-Disposition": f'attachment; filename="{name}"'})
            mimetype = "text/html" if name.endswith(".html") else "text/csv"
            return Response(content, mimetype=mimetype)
        path = _close.board_pack_file(Path(self.ledger.beancount_file_path),
                                      request.args.get("month", ""), name)
        if path is None:
            return self._no_pack_file()
        if path.suffix == ".pdf":
            return send_file(path, mimetype="application/pdf", as_attachment=True,
                             download_name=path.name)
        return send_file(path)
