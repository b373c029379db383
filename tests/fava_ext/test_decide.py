"""The decision figures on the pages: honest periods, budget and last year, key ratios, the
people; through Fava's own application on the example books, compared with the library.
"""

from __future__ import annotations

import datetime
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coopledger.books import Books, load_books
from coopledger.compare import compare
from coopledger.entities import EntityKind
from coopledger.fava_ext.decide_view import (
    books_period,
    compared_period,
    final_months,
    last_day,
    member_comparison,
    preliminary_months,
    ratio_cell,
)
from coopledger.fava_ext.format import format_amount, format_percent
from coopledger.fava_ext.views import whole_books_period
from coopledger.fund import fund_report
from coopledger.i18n import format_month, format_month_span
from coopledger.people import employed_in_period, people
from coopledger.periods import Period, parse_period
from coopledger.ratios import entity_ratios, fund_ratios, key_ratios
from coopledger.seals import sealed_months
from coopledger.svgchart import first_preliminary, line_chart, svg
from tests.charts import assert_drawn_preliminary
from tests.conftest import ROOT
from tests.fava_ext.conftest import BOARD_LEDGER

EXAMPLE = ROOT / "ledgers" / "example" / "main.beancount"


@pytest.fixture(scope="module")
def books() -> Books:
    return load_books(EXAMPLE)


@pytest.fixture(scope="module")
def client() -> Any:
    from coopledger.cli.serve import build_app

    app: Any = build_app(EXAMPLE, entity=None, read_only=True)
    test_client = app.test_client()
    location = str(test_client.get("/").headers["Location"])
    test_client.slug = location.removeprefix("http://localhost").split("/")[1]
    return test_client


def get(client: Any, url: str) -> str:
    response = client.get(f"/{client.slug}/extension/{url}")
    assert response.status_code == 200
    text = str(response.get_data(as_text=True))
    assert 'data-testid="coop-message"' not in text, text[:3000]
    return text


def text_of(cell: str) -> str:
    return re.sub(r"<[^>]+>", "", cell).strip()


def row_cells(html: str, testid: str, key: str) -> list[str]:
    table = re.search(rf'data-testid="{testid}">(.*?)</table>', html, re.S)
    assert table, f"no table {testid}"
    row = re.search(rf'<tr data-key="{re.escape(key)}"[^>]*>(.*?)</tr>', table[1], re.S)
    assert row, f"no row {key} in {testid}"
    return [text_of(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row[1], re.S)]


def amounts(*values: Decimal) -> list[str]:
    return [format_amount(v) for v in values]


# Honest periods


def test_the_default_period_ends_on_the_books_last_day(books: Books) -> None:
    period = whole_books_period(books)
    # The bank balances asserted on the next month's first day prove the books through
    # the day before: that is their last day, not a month of its own.
    assert books.last_date > books.transactions[-1].date
    assert period.last_day == last_day(books) == books.last_date - datetime.timedelta(days=1)
    assert period.months()[-1].label == f"{books.transactions[-1].date:%Y-%m}"


def test_a_filter_past_the_books_is_cut_at_their_last_day(books: Books) -> None:
    year = parse_period(str(last_day(books).year))
    cut = books_period(books, year)
    assert cut.start == year.start
    assert cut.last_day == last_day(books)
    assert str(last_day(books)) in cut.label
    inside = parse_period(f"{books.transactions[0].date.year}")
    assert books_period(books, inside) == inside  # a period inside the books is kept


def test_preliminary_months_are_the_unsealed_ones(books: Books) -> None:
    period = whole_books_period(books)
    sealed = sealed_months(books)
    prelim = preliminary_months(books, period)
    assert prelim == tuple(m.label for m in period.months() if m.label not in sealed)
    assert prelim  # the example books leave their last month open
    assert f"{last_day(books):%Y-%m}" in prelim
    assert final_months(books) == frozenset(sealed)


def test_the_chart_draws_preliminary_months_dashed() -> None:
    labels = ["2026-09", "2026-10", "2026-11"]
    chart = line_chart("t", labels, {"a": [Decimal(1), Decimal(2), Decimal(3)]},
                       preliminary_from=first_preliminary(labels, {"2026-11"}))
    series = chart.series[0]
    assert len(series.final_points.split()) == 2  # solid through the final months
    assert series.preliminary_points.split() == [
        f"{x},{y}" for x, y in series.coords[1:]]  # dashed from the last final one
    assert [band.label for band in chart.bands] == ["2026-11"]
    assert 'fill="#fff"' in series.circles  # a hollow dot for the open month
    drawn = svg(chart, "sv")
    assert "<title>t (preliminär: nov. 2026)</title>" in drawn
    assert drawn.count('class="coop-prelim-band"') == 1
    final = line_chart("t", labels, {"a": [Decimal(1), Decimal(2), Decimal(3)]},
                       preliminary_from=first_preliminary(labels, ()))
    assert final.series[0].preliminary_points == ""
    assert not final.bands
    assert "preliminär" not in svg(final, "sv")


def test_pages_mark_the_open_month_and_show_no_phantom_month(client: Any, books: Books) -> None:
    last = last_day(books)
    open_month = f"{last:%Y-%m}"
    phantom = f"{last + datetime.timedelta(days=1):%Y-%m}"
    for url in ("CoopGroup/", "CoopMember/?entity=Omsorg", "CoopFund/"):
        html = get(client, url)
        notice = re.search(r'data-testid="coop-preliminary" data-months="([^"]*)"', html)
        assert notice, url
        assert open_month in notice[1].split()
        assert f'data-month="{phantom}"' not in html, url
        assert f'class="coop-prelim-band" data-month="{open_month}"' in html, url
        assert 'class="coop-series-preliminary"' in html, url
        # every chart of the page: the open month off the solid line, over its band
        assert assert_drawn_preliminary(html, open_month) == (2 if "Fund" in url else 1)
    member = get(client, "CoopMember/?entity=Omsorg")
    for testid in ("income-statement", "balance-sheet"):
        head = re.search(rf'data-testid="{testid}">\s*<thead>(.*?)</thead>', member, re.S)
        assert head
        assert 'data-testid="preliminary-tag"' in head[1], testid
    sealed_page = get(client, f"CoopMember/?entity=Omsorg&time={sorted(sealed_months(books))[-1]}")
    assert 'data-testid="preliminary-tag"' not in sealed_page
    assert 'data-testid="coop-preliminary"' not in sealed_page
    row = re.search(rf'<tr data-month="{open_month}"([^>]*)>(.*?)</tr>', member, re.S)
    assert row
    assert 'data-preliminary="true"' in row[1]
    assert "preliminär" in row[2]
    sealed = sorted(sealed_months(books))[-1]
    closed_row = re.search(rf'<tr data-month="{sealed}"([^>]*)>', member)
    assert closed_row
    assert "coop-prelim" not in closed_row[1]


# Budget, last year, year to date


def test_group_page_compares_each_result(client: Any, books: Books) -> None:
    html = get(client, "CoopGroup/?time=2026-10")
    period = parse_period("2026-10")
    for code in books.entities:
        budget = compare(books, code, period, "budget")
        last = compare(books, code, period, "last-year")
        actual, planned, before = (budget.total("actual"), budget.total("reference"),
                                   last.total("reference"))
        assert row_cells(html, "group-compare", code)[1:] == amounts(
            actual, planned, actual - planned, before, actual - before,
            budget.total("ytd_actual"), budget.total("ytd_reference"),
            budget.total("ytd_actual") - budget.total("ytd_reference"))
    group = compare(books, None, period, "budget")
    assert row_cells(html, "group-compare", "group")[1] == format_amount(group.total("actual"))
    assert any(compare(books, code, period, "budget").total("reference")
               for code in books.entities)  # the example books have budgets


def test_member_page_compares_line_by_line(client: Any, books: Books) -> None:
    html = get(client, "CoopMember/?entity=Kafe&time=2026-Q3")
    period = parse_period("2026-Q3")
    budget = compare(books, "Kafe", period, "budget")
    last = compare(books, "Kafe", period, "last-year")
    for line in budget.lines:
        cells = row_cells(html, "member-compare", line.account)
        assert cells[1:4] == amounts(line.actual, line.reference, line.deviation)
    result = row_cells(html, "member-compare", "result")
    assert result[1:] == amounts(
        budget.total("actual"), budget.total("reference"), budget.total("deviation"),
        last.total("reference"), budget.total("actual") - last.total("reference"),
        budget.total("ytd_actual"), budget.total("ytd_reference"),
        budget.total("ytd_deviation"))


def test_a_short_filter_prorates_the_budget_as_the_report_does(
        client: Any, books: Books, capsys: pytest.CaptureFixture[str]) -> None:
    """A filter of five days: the page's budget is those days' share of October's, the
    same as ``coopledger report --compare budget`` for the same days."""
    from coopledger.cli import main

    html = get(client, "CoopMember/?entity=Kafe&time=2026-10-05%20-%202026-10-09")
    assert main(["report", str(EXAMPLE), "--entity", "Kafe", "--period",
                 "2026-10-05..2026-10-09", "--compare", "budget", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    for line in report["lines"]:
        cells = row_cells(html, "member-compare", line["account"])
        assert cells[1:4] == amounts(*(Decimal(line[f]) for f in
                                       ("actual", "reference", "deviation")))
    result = row_cells(html, "member-compare", "result")
    figures = report["result"]
    assert [result[i] for i in (1, 2, 3, 6, 7, 8)] == amounts(*(Decimal(figures[f]) for f in (
        "actual", "reference", "deviation", "ytd_actual", "ytd_reference", "ytd_deviation")))
    month = compare(books, "Kafe", parse_period("2026-10"), "budget").total("reference")
    assert month  # the example books budget October
    five_days = Decimal(figures["reference"])
    assert abs(five_days - month * 5 / 31) <= Decimal("0.01") * len(report["lines"])


# Key ratios


def ratio_items(html: str, testid: str = "coop-ratios") -> dict[str, tuple[str, str]]:
    block = re.search(rf'data-testid="{testid}">(.*?)</ul>', html, re.S)
    assert block, testid
    return {key: (verdict, text_of(body)) for key, verdict, body in re.findall(
        r'data-ratio="([^"]+)" data-verdict="([^"]+)">(.*?)</li>', block[1], re.S)}


def test_ratios_on_the_pages_are_the_librarys(client: Any, books: Books) -> None:
    period = whole_books_period(books)
    for url, ratios in (("CoopGroup/", key_ratios(books, None, period)),
                        ("CoopMember/?entity=Snickeri", key_ratios(books, "Snickeri", period))):
        shown = ratio_items(get(client, url))
        assert list(shown) == [r.kind.key for r in ratios]
        for ratio in ratios:
            verdict, text = shown[ratio.kind.key]
            cell = ratio_cell(ratio, "sv")
            assert verdict == (ratio.verdict or "none")
            assert cell.verdict_text in text
            assert cell.rule in text  # the threshold, in words
            if ratio.value is not None:
                assert ratio.number(ratio.value, "sv") in text


def test_fund_page_shows_par30_with_its_verdict(client: Any, books: Books) -> None:
    date = min(whole_books_period(books).last_day, books.last_date)
    shown = ratio_items(get(client, "CoopFund/"))
    ratios = fund_ratios(books, date)
    assert list(shown) == ["par30", "provisions", "available"]
    par30 = ratios[0]
    assert par30.value == (fund_report(books, date).par[30] * 100).quantize(Decimal("0.01"))
    assert shown["par30"][0] == par30.verdict
    assert "dåligt" in shown["par30"][1] or par30.verdict != "bad"


def test_group_page_lists_each_entitys_ratios(client: Any, books: Books) -> None:
    html = get(client, "CoopGroup/?time=2026-Q3")
    period = parse_period("2026-Q3")
    for code, entity in books.entities.items():
        row = re.search(rf'data-testid="group-ratios">.*?<tr data-entity="{code}">(.*?)</tr>',
                        html, re.S)
        assert row, code
        verdicts = re.findall(r'data-ratio="([^"]+)" data-verdict="([^"]+)"', row[1])
        ratios = (fund_ratios(books, period.last_day) if entity.kind is EntityKind.FUND
                  else entity_ratios(books, code, period))
        assert verdicts == [(r.kind.key, r.verdict or "none") for r in ratios]


# The people


def people_rows(html: str) -> dict[str, dict[str, str]]:
    table = re.search(r'data-testid="coop-people">(.*?)</table>', html, re.S)
    assert table
    rows = {}
    for month, body in re.findall(r'<tr data-month="([^"]+)"[^>]*>(.*?)</tr>', table[1], re.S):
        rows[month] = {key: text_of(value) for key, value in re.findall(
            r'data-key="([^"]+)">(.*?)</td>', body, re.S)}
    return rows


@pytest.mark.parametrize(("url", "entity"), [("CoopGroup/?time=2026", None),
                                             ("CoopMember/?entity=Omsorg&time=2026", "Omsorg")])
def test_people_month_by_month(client: Any, books: Books, url: str, entity: str | None) -> None:
    html = get(client, url)
    period = books_period(books, parse_period("2026"))
    expected = people(books, entity, period)
    shown = people_rows(html)
    assert list(shown) == [m.month.label for m in expected]
    for month in expected:
        row = shown[month.month.label]
        if not month.booked:
            assert row == {}  # "not booked", never zeros
            continue
        assert row["employed"] == str(len(month.employed))
        assert row["target_group"] == str(len(month.target_group))
        assert row["subsidised"] == str(len(month.subsidised))
        assert row["fte"].split()[0] == format_amount(month.fte, 2)
        assert row["starts"] == str(len(month.starts))
        assert row["leavers"] == str(len(month.leavers))
    assert any(len(m.target_group) for m in expected)  # the example books declare some
    assert any(not m.booked for m in expected)  # and the open month has no payroll yet


def test_people_per_member_on_the_group_page(client: Any, books: Books) -> None:
    html = get(client, "CoopGroup/?time=2026-Q3")
    period = parse_period("2026-Q3")
    for code, entity in books.entities.items():
        if entity.kind is not EntityKind.MEMBER:
            continue
        booked = [m for m in people(books, code, period) if m.booked]
        row = re.search(rf'data-testid="coop-people-members">.*?<tr data-entity="{code}" '
                        r'data-month="([^"]+)"', html, re.S)
        if not booked:
            assert row is None
            continue
        assert row, code
        assert row[1] == booked[-1].month.label


def test_period_helpers_on_books_without_transactions(books: Books) -> None:
    period = Period(datetime.date(2030, 1, 1), datetime.date(2030, 2, 1), "2030-01")
    assert books_period(books, period) == period  # after the books: nothing to cut
    assert preliminary_months(books, period) == ("2030-01",)


def test_without_a_filter_the_comparison_is_the_last_year_to_date(client: Any,
                                                                  books: Books) -> None:
    period = whole_books_period(books)
    compared = compared_period(books, None, period)
    assert compared.start == datetime.date(last_day(books).year, 1, 1)
    assert compared.end == period.end
    assert compared_period(books, None, parse_period("2026-Q3")) == parse_period("2026-Q3")
    html = get(client, "CoopMember/?entity=Kafe")
    title = re.search(r'data-testid="compare-title">(.*?)</h3>', html, re.S)
    assert title
    assert format_month_span(compared.start, compared.last_day, "sv") in title[1]
    assert title[1].endswith(f"jan.–{format_month(compared.last_day, 'sv')}")
    budget = compare(books, "Kafe", compared, "budget")
    assert row_cells(html, "member-compare", "result")[1:3] == amounts(
        budget.total("actual"), budget.total("reference"))


def test_a_members_own_view_shows_its_figures_as_the_group_sees_them(
        client: Any, books: Books, tmp_path: Path) -> None:
    """Kafe's own books (its projection) give the same comparison, ratios and people on
    its page as the group's books do for Kafe."""
    from coopledger.cli.serve import build_app

    app: Any = build_app(EXAMPLE, entity="Kafe", read_only=True, folder=tmp_path)
    own = app.test_client()
    own.slug = str(own.get("/").headers["Location"]).removeprefix(
        "http://localhost").split("/")[1]
    url = "CoopMember/?entity=Kafe&time=2026-Q3"
    group_html, own_html = get(client, url), get(own, url)
    for key in ("result", "Rörelsens intäkter"):
        assert row_cells(own_html, "member-compare", key) == row_cells(
            group_html, "member-compare", key)
    assert ratio_items(own_html) == ratio_items(group_html)
    # The member's own books hold no employee declarations (personal data), but its
    # projection carries the people as counts computed on the group's books: the target
    # group and the full-time equivalents are the group page's, and the library's.
    for time in ("2026-Q3", "2026", "2025"):
        url = f"CoopMember/?entity=Kafe&time={time}"
        own_people, group_people = people_rows(get(own, url)), people_rows(get(client, url))
        assert own_people == group_people, time
        expected = people(books, "Kafe", books_period(books, parse_period(time)))
        assert [own_people[m.month.label].get("target_group") for m in expected] == [
            str(len(m.target_group)) if m.booked else None for m in expected]
        assert [own_people[m.month.label].get("fte", "").split()[:1] for m in expected] == [
            [format_amount(m.fte, 2)] if m.booked else [] for m in expected]
    assert any(len(m.target_group) for m in people(books, "Kafe", parse_period("2026")))
    own_html, group_html = get(own, url), get(client, url)
    in_period = r'data-testid="coop-people">.*?<p class="coop-note">([^<]*)'
    own_note, group_note = re.search(in_period, own_html, re.S), re.search(
        in_period, group_html, re.S)
    assert own_note
    assert group_note
    assert own_note[1].strip() == group_note[1].strip()  # distinct people paid
    assert str(employed_in_period(books, "Kafe", parse_period("2025"))) in own_note[1]
    assert 'data-testid="people-counted-by-group"' in own_html
    assert 'data-testid="people-counted-by-group"' not in group_html
    own_group = get(own, "CoopGroup/?time=2026-Q3")
    assert 'data-entity="Stad"' not in own_group
    assert people_rows(own_group) == people_rows(
        get(client, "CoopMember/?entity=Kafe&time=2026-Q3"))
    assert row_cells(own_group, "group-compare", "Kafe") == row_cells(
        get(client, "CoopGroup/?time=2026-Q3"), "group-compare", "Kafe")


def test_a_later_price_or_note_is_not_a_day_of_the_books(tmp_path: Path) -> None:
    text = BOARD_LEDGER.read_text(encoding="utf-8")
    before = load_books(BOARD_LEDGER)
    path = tmp_path / "main.beancount"
    path.write_text(text + '\n2027-06-01 price EUR 11.50 SEK\n2027-07-01 custom "fava-option" '
                    '"language" "en"\n', encoding="utf-8")
    after = load_books(path)
    assert after.last_date == datetime.date(2027, 7, 1)
    assert last_day(after) == last_day(before)
    assert whole_books_period(after) == whole_books_period(before)


def test_people_shares_are_percentages_of_the_librarys(client: Any, books: Books) -> None:
    html = get(client, "CoopGroup/?time=2026-Q3")
    for month in people(books, None, parse_period("2026-Q3")):
        row = people_rows(html)[month.month.label]
        assert month.subsidised_share is not None
        assert row["subsidised_share"] == format_percent(month.subsidised_share / 100, 1)
        assert month.subsidy_share is not None
        assert row["subsidy_share"] == format_percent(month.subsidy_share / 100, 1)


@given(values=st.lists(st.integers(-10**9, 10**9), min_size=1, max_size=30),
       open_count=st.integers(0, 30))
def test_solid_and_dashed_lines_cover_every_month_once(values: list[int],
                                                       open_count: int) -> None:
    """The solid line runs through the final months, the dashed one from the last final
    month through the open ones: together every point, sharing only the joint."""
    labels = [f"m{i}" for i in range(len(values))]
    preliminary = set(labels[len(labels) - min(open_count, len(labels)):]) if open_count \
        else set()
    chart = line_chart("t", labels, {"a": [Decimal(v).scaleb(-2) for v in values]},
                       preliminary_from=first_preliminary(labels, preliminary))
    series = chart.series[0]
    points = [f"{x},{y}" for x, y in series.coords]
    solid = svg(chart).split('class="coop-series" data-series="a" points="')[1].split('"')[0]
    dashed = series.preliminary_points.split()
    final = len(labels) - len(preliminary)
    assert solid.split() == points[:final]
    assert dashed == (points[max(final - 1, 0):] if preliminary else [])
    assert [band.label for band in chart.bands] == labels[final:]
    assert series.circles.count('fill="#fff"') == len(preliminary)


@pytest.mark.parametrize("code", ["Kafe", "Omsorg", "Cykel", "Fonden", "Paraply"])
@pytest.mark.parametrize("label", ["2026-01", "2026-Q2", "2026"])
def test_member_comparison_lines_add_up(books: Books, code: str, label: str) -> None:
    """Every line of either comparison is shown, and the lines sum to the result in
    every column (a line with figures only last year included)."""
    period = books_period(books, parse_period(label))
    view = member_comparison(books, code, period)
    lines = [row for row in view.rows if row.kind == "line"]
    budget = compare(books, code, view.period, "budget")
    last = compare(books, code, view.period, "last-year")
    assert {row.key for row in lines} == {line.account for line in (*budget.lines,
                                                                     *last.lines)}
    result = view.rows[-1]
    assert result.key == "result"
    for field in ("actual", "budget", "last_year", "ytd_actual", "ytd_budget",
                  "ytd_last_year"):
        assert sum((getattr(row, field) for row in lines), Decimal(0)) == getattr(
            result, field), field
    assert result.last_year == last.total("reference")
    assert result.budget == budget.total("reference")


def test_a_line_with_figures_only_last_year_is_shown(board_books: Books) -> None:
    """The test ledger ends in 2025: in 2026 every line has only last year's figure."""
    period = parse_period("2026-Q1")
    view = member_comparison(board_books, "Kafe", period)
    last = compare(board_books, "Kafe", period, "last-year")
    assert last.lines
    assert not compare(board_books, "Kafe", period, "budget").lines
    lines = {row.key: row for row in view.rows if row.kind == "line"}
    assert set(lines) == {line.account for line in last.lines}
    for line in last.lines:
        assert lines[line.account].last_year == line.reference
        assert lines[line.account].actual == 0
    assert view.rows[-1].last_year == last.total("reference")
