"""The board's pages in a real browser against ``coopledger serve``.

Every page loads without a JavaScript or console error, shows the figures of
coopledger's own statements for the period, draws its chart, and follows Fava's time
filter; bad input gives a readable message, never a server error page. Screenshots are
saved under ``artifacts/screenshots/``.
"""

from __future__ import annotations

from typing import Any

import pytest

from coopledger.books import Books, load_books
from coopledger.close import close_status
from coopledger.entities import EntityKind
from coopledger.fava_ext.close_view import read_board_packs
from coopledger.fava_ext.format import format_amount, format_date, format_month, format_percent
from coopledger.fava_ext.fund_view import report_date
from coopledger.fund import fund_report
from coopledger.periods import Period, month_period, parse_period
from coopledger.statements import income_statement
from tests.browser.conftest import Server, Tab, start_server, stop_server

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def books(server: Server) -> Books:
    """The served books, loaded independently of the server."""
    return load_books(server.ledger)


def year_of(books: Books) -> str:
    """The first calendar year of the books (a period every ledger here has)."""
    return str(books.transactions[0].date.year)


def members(books: Books) -> list[str]:
    return [e.code for e in books.entities.values() if e.kind is EntityKind.MEMBER]


def open_page(tab: Tab, server: Server, page: str) -> str:
    """Open an extension page (``CoopGroup/?time=2025``); return the ledger's slug."""
    tab.page.goto(server.url + "/")
    slug = str(tab.page.url).removeprefix(server.url + "/").split("/")[0]
    tab.page.goto(f"{server.url}/{slug}/extension/{page}")
    tab.page.wait_for_selector(".coop-page")
    assert "Internal Server Error" not in tab.page.content()
    return slug


def cells(tab: Tab, entity: str) -> list[str]:
    texts: list[str] = tab.page.locator(f'tr[data-entity="{entity}"] td').all_inner_texts()
    return [t.strip() for t in texts]


def result_cell(books: Books, code: str | None, period: Period) -> str:
    return format_amount(income_statement(books, code, period).result)


def assert_chart(tab: Tab, series: int) -> None:
    chart = tab.page.locator('svg[data-testid="coop-chart"]').first
    chart.wait_for()
    box: Any = chart.bounding_box()
    assert box is not None
    assert box["width"] > 200
    assert box["height"] > 100
    assert chart.locator("polyline.coop-series").count() == series
    first: Any = chart.locator("polyline.coop-series").first.bounding_box()
    assert first is not None
    assert first["width"] > 0


def test_group_page(server: Server, books: Books, tab: Tab) -> None:
    year = year_of(books)
    open_page(tab, server, f"CoopGroup/?time={year}")
    period = parse_period(year)
    for code in books.entities:
        row = cells(tab, code)
        assert row[3] == result_cell(books, code, period), code
        assert row[1] == format_amount(income_statement(books, code, period).revenue), code
    assert cells(tab, "consolidated")[3] == result_cell(books, None, period)
    assert_chart(tab, len(members(books)))
    tab.screenshot("group")
    assert tab.errors == []


def test_time_filter_changes_the_figures(server: Server, books: Books, tab: Tab) -> None:
    year = year_of(books)
    open_page(tab, server, f"CoopGroup/?time={year}")
    code = members(books)[0]
    before = cells(tab, code)[3]
    month = f"{year}-03"
    time_input = tab.page.locator("header input").first
    time_input.fill(month)
    time_input.press("Enter")
    tab.page.wait_for_function(
        "m => document.querySelector('[data-testid=coop-period]')?.textContent === m",
        arg=format_month(month, "sv", "long"))
    after = cells(tab, code)[3]
    expected = result_cell(books, code, month_period(int(year), 3))
    assert after == expected
    assert after != before
    assert f"time={month}" in tab.page.url
    tab.screenshot("group-month")
    assert tab.errors == []


def test_cooperative_page(server: Server, books: Books, tab: Tab) -> None:
    year = year_of(books)
    code = members(books)[0]
    open_page(tab, server, f"CoopMember/?entity={code}&time={year}")
    period = parse_period(year)
    statement = tab.page.locator('[data-testid="income-statement"] tr.total td').all_inner_texts()
    assert statement[-1].strip() == result_cell(books, code, period)
    months = tab.page.locator('[data-testid="member-months"] tbody tr')
    first_month = books.transactions[0].date.replace(day=1)
    expected_months = [m for m in period.months() if m.end > first_month
                       and m.start <= books.last_date]
    assert months.count() >= len(expected_months)
    march = month_period(int(year), 3)
    march_row = tab.page.locator(f'tr[data-month="{march.label}"] td').all_inner_texts()
    assert march_row[1].strip() == result_cell(books, code, march)
    assert_chart(tab, 2)
    tab.screenshot("cooperative")
    assert tab.errors == []


def test_cooperative_page_follows_the_entity_links(server: Server, books: Books,
                                                   tab: Tab) -> None:
    year = year_of(books)
    open_page(tab, server, f"CoopGroup/?time={year}")
    code = members(books)[-1]
    tab.page.locator(f'tr[data-entity="{code}"] a').click()
    tab.page.wait_for_selector('[data-testid="coop-member"] [data-testid="income-statement"]')
    assert f"entity={code}" in tab.page.url
    assert f"time={year}" in tab.page.url
    assert tab.errors == []


def test_fund_page(server: Server, books: Books, tab: Tab) -> None:
    year = year_of(books)
    open_page(tab, server, f"CoopFund/?time={year}")
    report = fund_report(books, report_date(books, parse_period(year)))
    shown_date = tab.page.locator('[data-testid="fund-date"]')
    assert shown_date.inner_text() == format_date(report.date, "sv")
    assert shown_date.locator("time").get_attribute("datetime") == report.date.isoformat()

    def cell(table: str, key: str, column: int = 1) -> str:
        texts = tab.page.locator(f'[data-testid="{table}"] tr[data-key="{key}"] td')
        return str(texts.nth(column).inner_text()).strip()

    assert cell("fund-capital", "capital_base") == format_amount(report.capital_base)
    assert cell("fund-capital", "available") == format_amount(report.available)
    assert cell("fund-par", "gross") == format_amount(report.gross_portfolio)
    assert cell("fund-par", "PAR30", 2) == format_percent(report.par[30], 2)
    loans = tab.page.locator('[data-testid="fund-loans"] tr[data-loan]')
    assert loans.count() == len(report.loans)
    for line in report.loans:
        row = tab.page.locator(f'tr[data-loan="{line.loan_id}"] td').all_inner_texts()
        assert row[4].strip() == format_amount(line.state.outstanding_principal)
        assert row[7].strip() == str(line.state.days_past_due)
    if report.loans:
        assert_chart(tab, 2)
    else:
        assert tab.page.locator('svg[data-testid="coop-chart"]').count() == 0
    tab.screenshot("fund")
    assert tab.errors == []


def test_close_page(server: Server, books: Books, tab: Tab) -> None:
    open_page(tab, server, "CoopClose/")
    assert tab.page.locator(".coop-page h2").inner_text().startswith("Bokslut")
    statuses = {s.month: str(s.state) for s in close_status(books)}
    rows = tab.page.locator('[data-testid="close-months"] tr[data-month]')
    shown = dict(zip(rows.evaluate_all("rs => rs.map(r => r.dataset.month)"),
                     rows.evaluate_all("rs => rs.map(r => r.dataset.state)"), strict=True))
    assert shown == statuses
    links = tab.page.locator('[data-testid="board-pack-link"]')
    sealed = [m for m, state in statuses.items() if state == "sealed"]
    assert links.count() == len(read_board_packs(server.ledger))
    if sealed:
        href = links.first.get_attribute("href")
        response = tab.page.request.get(server.url + str(href))
        assert response.status == 200
        assert "Styrelserapport" in response.text()
    tab.screenshot("close")
    assert tab.errors == []


@pytest.mark.parametrize(("url", "text"), [
    ("CoopMember/?entity=Nope", "okänd enhet 'Nope'"),
    ("CoopGroup/?time=someday", "tidsfiltret 'someday' är inget datum eller intervall"),
])
def test_bad_input_is_a_message(server: Server, tab: Tab, url: str, text: str) -> None:
    open_page(tab, server, url)
    shown = tab.page.locator('[data-testid="coop-message"]').inner_text()
    assert text in shown
    tab.screenshot("bad-" + url.split("?", maxsplit=1)[0].strip("/").lower())


def test_per_entity_view_shows_one_member(server: Server, books: Books, tab: Tab) -> None:
    code = members(books)[0]
    own = start_server(server.ledger, "--entity", code)
    try:
        year = year_of(books)
        open_page(tab, own, f"CoopGroup/?time={year}")
        rows = tab.page.locator('[data-testid="group-table"] tbody tr').evaluate_all(
            "rows => rows.map(r => r.dataset.entity)")
        assert rows == [code]  # no consolidation of one entity's half of each pair
        assert cells(tab, code)[3] == result_cell(books, code, parse_period(year))
        response = tab.page.request.get(f"{own.url}/{tab.page.url.split('/')[3]}/api/source")
        assert response.status == 403
        tab.screenshot("entity-view")
        assert tab.errors == []
    finally:
        stop_server(own)


#: Fava's own pages a member's board clicks, and the extension's.
MEMBER_PAGES = ("income_statement/", "balance_sheet/", "trial_balance/", "journal/",
                "errors/", "extension/CoopGroup/", "extension/CoopMember/",
                "extension/CoopFund/", "extension/CoopClose/")


def test_a_members_board_clicks_through_its_own_books(server: Server, books: Books,
                                                      tab: Tab) -> None:
    """Every page a member's board opens shows none of the other entities' tokens."""
    from tests.fava_ext.test_member_crawl import forbidden_for, leaks

    code = members(books)[0]
    forbidden = forbidden_for(books, code)
    own = start_server(server.ledger, "--entity", code)
    try:
        tab.page.goto(own.url + "/")
        slug = str(tab.page.url).removeprefix(own.url + "/").split("/")[0]
        for page in MEMBER_PAGES:
            tab.page.goto(f"{own.url}/{slug}/{page}?time={year_of(books)}")
            tab.page.wait_for_load_state("networkidle")
            shown = tab.page.inner_text("body")
            assert "Internal Server Error" not in shown, page
            assert not leaks(shown, forbidden), (page, leaks(shown, forbidden)[:5])
            assert not leaks(tab.page.content(), forbidden), page
        hidden = 0
        for refused in ("editor/", "import/", "query/", "options/", "documents/",
                        "download-journal"):
            links = tab.page.locator(f'a[href*="/{refused}"]')
            assert all(not link.is_visible() for link in links.all()), refused
            hidden += links.count()
        assert hidden  # Fava's sidebar offers them; the member's view hides them
        tab.page.goto(f"{own.url}/{slug}/extension/CoopFund/?time={year_of(books)}")
        tab.page.wait_for_selector('[data-testid="member-loans"]')
        tab.page.goto(f"{own.url}/{slug}/extension/CoopClose/")
        tab.page.wait_for_selector('[data-testid="close-months"]')
        links = tab.page.locator('[data-testid="board-pack-link"]')
        if links.count():
            href = str(links.first.get_attribute("href"))
            pack = tab.page.request.get(own.url + href)
            assert pack.status == 200
            assert "Styrelserapport" in pack.text()
            assert not leaks(pack.text(), forbidden)
        tab.screenshot("member-board")
        assert tab.errors == []
    finally:
        stop_server(own)


def test_read_only(server: Server, tab: Tab) -> None:
    slug = open_page(tab, server, "CoopGroup/")
    response = tab.page.request.put(f"{server.url}/{slug}/api/source", data={})
    assert response.status == 401
