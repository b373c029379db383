"""What a board decides on, in Chromium on the example books: the open month marked and
drawn dashed, budget and last year beside each result, ratios in colour and in words, the
people month by month; the pages on a 390 px phone and printed on A4.

Every figure is compared with the library's own computation. Screenshots (and the A4
printouts as PDF) are left in ``artifacts/screenshots/`` for CI to keep.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from coopledger.books import Books, load_books
from coopledger.compare import compare
from coopledger.fava_ext.decide_view import books_period, last_day, preliminary_months
from coopledger.fava_ext.format import format_amount
from coopledger.fava_ext.views import whole_books_period
from coopledger.people import people
from coopledger.periods import parse_period
from coopledger.ratios import key_ratios
from tests.browser.conftest import (
    ARTIFACTS,
    EXAMPLE,
    Server,
    Tab,
    board_ledger,
    start_server,
    stop_server,
)

pytestmark = pytest.mark.browser

PAGES = ("CoopGroup/", "CoopMember/?entity=Omsorg", "CoopFund/", "CoopClose/")
#: A4's width less the print CSS's 12 mm margins, in CSS pixels (96 per inch).
A4_PRINTABLE = round((210 - 2 * 12) / 25.4 * 96)
#: Verdict colours of the print and screen CSS (border-left of a ratio card).
VERDICT_COLOURS = {"good": "rgb(23, 97, 23)", "watch": "rgb(179, 134, 0)",
                   "bad": "rgb(179, 38, 30)", "none": "rgb(136, 136, 136)"}


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``coopledger serve`` on the example books."""
    assert EXAMPLE.is_file(), "the example books are built by scripts/build_example.py"
    running = start_server(board_ledger(tmp_path_factory.mktemp("decide")))
    yield running
    stop_server(running)


@pytest.fixture(scope="module")
def books(example: Server) -> Books:
    return load_books(example.ledger)


def open_page(tab: Tab, server: Server, page: str) -> None:
    tab.page.goto(server.url + "/")
    slug = str(tab.page.url).removeprefix(server.url + "/").split("/")[0]
    tab.page.goto(f"{server.url}/{slug}/extension/{page}")
    tab.page.wait_for_selector(".coop-page")
    assert "Internal Server Error" not in tab.page.content()
    assert tab.page.locator('[data-testid="coop-message"]').count() == 0


def row_texts(tab: Tab, selector: str) -> list[str]:
    return [t.strip() for t in tab.page.locator(f"{selector} td").all_inner_texts()]


def test_the_open_month_is_marked_and_drawn_dashed(example: Server, books: Books,
                                                   tab: Tab) -> None:
    open_page(tab, example, "CoopMember/?entity=Omsorg")
    period = whole_books_period(books)
    prelim = preliminary_months(books, period)
    open_month = f"{last_day(books):%Y-%m}"
    notice = tab.page.locator('[data-testid="coop-preliminary"]')
    assert notice.is_visible()
    assert open_month in notice.inner_text()
    assert "Preliminärt" in notice.inner_text()
    months = tab.page.locator('[data-testid="member-months"] tbody tr').evaluate_all(
        "rows => rows.map(r => r.dataset.month)")
    assert months == [m.label for m in period.months()]  # no phantom next month
    row = tab.page.locator(f'[data-testid="member-months"] tr[data-month="{open_month}"]')
    assert "preliminär" in row.inner_text()
    assert row.evaluate("r => getComputedStyle(r.cells[0]).borderLeftStyle") == "dashed"
    chart = tab.page.locator('svg[data-testid="coop-chart"]').first
    dashed = chart.locator("polyline.coop-series-preliminary")
    assert dashed.count() == 2
    assert dashed.first.evaluate("p => getComputedStyle(p).strokeDasharray") != "none"
    bands = chart.locator("rect.coop-prelim-band").evaluate_all(
        "rs => rs.map(r => r.dataset.month)")
    assert bands == [m for m in prelim if m in months]
    # The solid line stops at the last sealed month: its last point is not the open one's.
    solid_points = chart.locator("polyline.coop-series").first.get_attribute("points")
    assert solid_points is not None
    assert len(solid_points.split()) == len(months) - len(bands)
    tab.screenshot("decide-preliminary")
    assert tab.errors == []


def test_budget_and_last_year_beside_each_result(example: Server, books: Books,
                                                 tab: Tab) -> None:
    open_page(tab, example, "CoopGroup/?time=2026-10")
    period = parse_period("2026-10")
    for code in books.entities:
        budget = compare(books, code, period, "budget")
        last = compare(books, code, period, "last-year")
        cells = row_texts(tab, f'[data-testid="group-compare"] tr[data-key="{code}"]')
        assert cells[1:4] == [format_amount(budget.total("actual")),
                              format_amount(budget.total("reference")),
                              format_amount(budget.total("deviation"))], code
        assert cells[4] == format_amount(last.total("reference")), code
        assert cells[6] == format_amount(budget.total("ytd_actual")), code
    tab.screenshot("decide-group-compare")
    open_page(tab, example, "CoopMember/?entity=Kafe&time=2026-Q3")
    budget = compare(books, "Kafe", parse_period("2026-Q3"), "budget")
    result = row_texts(tab, '[data-testid="member-compare"] tr[data-key="result"]')
    assert result[1:4] == [format_amount(budget.total("actual")),
                           format_amount(budget.total("reference")),
                           format_amount(budget.total("deviation"))]
    tab.screenshot("decide-member-compare")
    assert tab.errors == []


def test_ratios_in_colour_and_in_words(example: Server, books: Books, tab: Tab) -> None:
    open_page(tab, example, "CoopGroup/")
    ratios = key_ratios(books, None, whole_books_period(books))
    cards = tab.page.locator('[data-testid="coop-ratios"] li')
    assert cards.count() == len(ratios)
    for index, ratio in enumerate(ratios):
        card = cards.nth(index)
        verdict = ratio.verdict or "none"
        assert card.get_attribute("data-ratio") == ratio.kind.key
        assert card.get_attribute("data-verdict") == verdict
        colour = card.evaluate("c => getComputedStyle(c).borderLeftColor")
        assert colour == VERDICT_COLOURS[verdict], (ratio.kind.key, colour)
        text = card.inner_text()
        if ratio.value is not None:
            assert ratio.number(ratio.value, "sv") in text
            assert ratio.rule("sv") in text  # the threshold, for print and colour-blind
    par30 = tab.page.locator('[data-testid="coop-ratios"] li[data-ratio="par30"]')
    assert par30.count() == 1
    tab.screenshot("decide-ratios")
    open_page(tab, example, "CoopFund/")
    fund_card = tab.page.locator('[data-testid="coop-ratios"] li[data-ratio="par30"]')
    assert fund_card.get_attribute("data-verdict") == par30.get_attribute("data-verdict")
    tab.screenshot("decide-fund-ratios")
    assert tab.errors == []


def test_the_people_month_by_month(example: Server, books: Books, tab: Tab) -> None:
    open_page(tab, example, "CoopMember/?entity=Omsorg&time=2026")
    period = books_period(books, parse_period("2026"))
    expected = people(books, "Omsorg", period)
    rows = tab.page.locator('[data-testid="coop-people"] tbody tr')
    assert rows.count() == len(expected)
    for index, month in enumerate(expected):
        row = rows.nth(index)
        assert row.get_attribute("data-month") == month.month.label
        if not month.booked:
            assert "ej bokförd" in row.inner_text()
            continue
        employed = row.locator('td[data-key="employed"]').inner_text().strip()
        target = row.locator('td[data-key="target_group"]').inner_text().strip()
        assert (employed, target) == (str(len(month.employed)), str(len(month.target_group)))
    tab.screenshot("decide-people")
    assert tab.errors == []


def test_a_members_own_view_shows_its_people(example: Server, books: Books,
                                             tab: Tab) -> None:
    """``serve --entity Omsorg``: the target group and full-time equivalents its own
    books carry as counts are the group's for Omsorg, in the browser too."""
    member = start_server(example.ledger, "--entity", "Omsorg")
    try:
        open_page(tab, member, "CoopMember/?time=2026")
        period = books_period(books, parse_period("2026"))
        expected = people(books, "Omsorg", period)
        rows = tab.page.locator('[data-testid="coop-people"] tbody tr')
        assert rows.count() == len(expected)
        for index, month in enumerate(expected):
            row = rows.nth(index)
            if not month.booked:
                assert "ej bokförd" in row.inner_text()
                continue
            cells = [row.locator(f'td[data-key="{key}"]').inner_text().strip().split()[0]
                     for key in ("employed", "target_group", "fte")]
            assert cells == [str(len(month.employed)), str(len(month.target_group)),
                             format_amount(month.fte, 2)]
        assert any(m.target_group for m in expected)
        assert tab.page.locator('[data-testid="people-counted-by-group"]').is_visible()
        tab.screenshot("decide-member-people")
        assert tab.errors == []
    finally:
        stop_server(member)


@pytest.mark.parametrize("page", PAGES)
def test_a_phone_needs_no_sideways_scrolling(example: Server, browser: Any, page: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="sv-SE",
                                  is_mobile=True, has_touch=True)
    try:
        tab = Tab(context.new_page(), [])
        tab.page.on("pageerror", lambda exc: tab.errors.append(f"pageerror: {exc}"))
        open_page(tab, example, page)
        assert tab.page.evaluate("document.documentElement.scrollWidth") <= 390
        # Nor inside the page: no table or block wider than its box.
        wide = tab.page.evaluate("""() => [...document.querySelectorAll(
            '.coop-page .coop-scroll, .coop-page table, .coop-page svg')].filter(
            e => e.getBoundingClientRect().right > 391).map(
            e => (e.dataset.testid || e.className.baseVal || e.className || e.tagName))""")
        assert wide == []
        tab.screenshot("phone-" + page.split("/", maxsplit=1)[0].lower())
        assert tab.errors == []
    finally:
        context.close()


@pytest.mark.parametrize("page", PAGES[:3])
def test_pages_print_whole_on_a4(example: Server, browser: Any, page: str) -> None:
    context = browser.new_context(viewport={"width": A4_PRINTABLE, "height": 1100},
                                  locale="sv-SE")
    try:
        tab = Tab(context.new_page(), [])
        open_page(tab, example, page)
        tab.page.emulate_media(media="print")
        assert not tab.page.locator("aside").first.is_visible()  # Fava's sidebar
        overflow = tab.page.evaluate("""width => [...document.querySelectorAll(
            '.coop-page table, .coop-page svg, .coop-page .coop-ratio')].filter(
            e => e.getBoundingClientRect().right > width + 1).map(
            e => e.dataset.testid || e.tagName)""", A4_PRINTABLE)
        assert overflow == []  # nothing is cut at the page's right edge
        breaks = tab.page.evaluate("""() => [...document.querySelectorAll('.coop-page tr')]
            .map(r => getComputedStyle(r).breakInside)""")
        assert breaks
        assert set(breaks) == {"avoid"}  # no row is split between two sheets
        assert tab.page.evaluate("getComputedStyle(document.querySelector("
                                 "'.coop-page thead')).display") == "table-header-group"
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        pdf = ARTIFACTS / f"print-{page.split('/', maxsplit=1)[0].lower()}.pdf"
        tab.page.pdf(path=str(pdf), format="A4", print_background=True,
                     prefer_css_page_size=True)
        assert Path(pdf).stat().st_size > 10_000
    finally:
        context.close()


def test_the_cooperative_start_page_offers_a_choice(example: Server, books: Books,
                                                    tab: Tab) -> None:
    """Without an entity the page lists them by name: a choice, not an error."""
    open_page(tab, example, "CoopMember/")
    choices = tab.page.locator('[data-testid="coop-choices"] li')
    assert choices.count() == len(books.entities)
    names = choices.locator("a").all_inner_texts()
    assert sorted(n.strip() for n in names) == sorted(e.name for e in books.entities.values())
    choices.first.locator("a").click()
    tab.page.wait_for_selector('[data-testid="member-compare"]')
    tab.screenshot("decide-choose")
    assert tab.errors == []
