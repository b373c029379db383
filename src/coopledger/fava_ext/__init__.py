"""coopledger's Fava extension: the board's view of the group, each cooperative, the fund, the close.

Enable it in the main ledger file::

    2025-01-01 custom "fava-extension" "coopledger.fava_ext"

or, to open the cooperative page on one member by default::

    2025-01-01 custom "fava-extension" "coopledger.fava_ext" "{'entity': 'Kafe'}"

Four pages appear in Fava's sidebar: Grupp (every entity's key figures, the consolidated
result, monthly results), Kooperativ (one member's statements and its dealings with the
umbrella and the fund, ``?entity=Kafe``), Fonden (the fund's loan book) and Bokslut (the
close status of each month). Fava's time, account and advanced filters apply. Each class
here is a thin adapter; the figures come from :mod:`coopledger.fava_ext.views`.
"""

from __future__ import annotations

from flask import request

from coopledger.books import Books
from coopledger.entities import EntityKind
from coopledger.fava_ext import fund_view as _fund
from coopledger.fava_ext import page as _page
from coopledger.fava_ext import status_views as _status
from coopledger.fava_ext import views as _views
from coopledger.periods import Period


class CoopGroup(_page.BoardPage):
    """Grupp: every entity's turnover, result, equity, cash and fund loans."""

    report_title = "Grupp"

    def build(self, books: Books, period: Period, page: _page.Page) -> _page.Page:
        """The group page's figures."""
        return _page.Page(page.t, page.language, notices=page.notices, period=period,
                          view=_views.group_view(books, period))


class CoopMember(_page.BoardPage):
    """Kooperativ: one member's statements, fees, subsidies and loans (``?entity=CODE``)."""

    report_title = "Kooperativ"

    def build(self, books: Books, period: Period, page: _page.Page) -> _page.Page:
        """The cooperative page's figures, or the list of entities to choose from."""
        code = request.args.get("entity") or self.config.get("entity")
        choices = [e for e in books.entities.values() if e.kind is EntityKind.MEMBER]
        choices += [e for e in books.entities.values() if e.kind is not EntityKind.MEMBER]
        extra = {"entities": choices, "selected": code}
        if not code:
            return _page.Page(page.t, page.language, notices=page.notices, period=period,
                              message=page.t["choose_entity"], extra=extra)
        return _page.Page(page.t, page.language, notices=page.notices, period=period,
                          view=_views.member_view(books, str(code), period), extra=extra)


class CoopFund(_page.BoardPage):
    """Fonden: capital base, cash, the loan book, PAR and provisions."""

    report_title = "Fonden"

    def build(self, books: Books, period: Period, page: _page.Page) -> _page.Page:
        """The fund page's figures."""
        view = _fund.fund_view(books, period)
        return _page.Page(page.t, page.language, notices=page.notices, period=period,
                          view=view)


class CoopClose(_page.BoardPage):
    """Bokslut: each month's close status, its checks and board pack."""

    report_title = "Bokslut"

    def build(self, books: Books, period: Period, page: _page.Page) -> _page.Page:
        """The close page's figures, or a message that the close module is absent."""
        view = _status.close_view(books, period)
        if view is None:
            return _page.Page(page.t, page.language, notices=page.notices, period=period,
                              message=page.t["close_unavailable"])
        return _page.Page(page.t, page.language, notices=page.notices, period=period,
                          view=view)
