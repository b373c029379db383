"""The pages in Swedish and in English: words from the catalogue, numbers from Babel.

Each page is read through Fava (Flask's test client) once in Swedish and once with
``custom "fava-option" "language" "en"`` added to the main file; the figures are
compared with the library's, formatted by :mod:`coopledger.i18n` in the page's language.
"""

from __future__ import annotations

import re
from pathlib import Path

from coopledger.books import Books
from coopledger.close.preflight import check_seals, check_vouchers
from coopledger.fund.report import fund_report
from coopledger.i18n import format_amount, format_percent, labels
from coopledger.periods import parse_period
from coopledger.statements import income_statement
from tests.fava_ext.test_pages import get, ledger, row

ENGLISH = '\n2025-01-01 custom "fava-option" "language" "en"\n'


def _both(tmp_path: Path, url: str) -> tuple[str, str]:
    """The page in Swedish (the default) and in English (Fava's option)."""
    for language in ("sv", "en"):
        (tmp_path / language).mkdir()
    return (get(ledger(tmp_path / "sv"), url),
            get(ledger(tmp_path / "en", extra=ENGLISH), url))


def _cell(html: str, testid: str, key: str, index: int = 1) -> str:
    table = re.search(rf'data-testid="{testid}">(.*?)</table>', html, re.S)
    assert table, testid
    match = re.search(rf'<tr[^>]*data-key="{key}"[^>]*>(.*?)</tr>', table[1], re.S)
    assert match, key
    cells = re.findall(r"<td[^>]*>(.*?)</td>", match[1], re.S)
    return re.sub(r"<[^>]+>", "", cells[index]).strip()


def test_group_page_numbers_and_words(tmp_path: Path, board_books: Books) -> None:
    swedish, english = _both(tmp_path, "CoopGroup/?time=2025")
    statement = income_statement(board_books, "Kafe", parse_period("2025"))
    assert row(swedish, "Kafe")[1:4] == [
        format_amount(v, 0, "sv") for v in (statement.revenue, statement.costs,
                                            statement.result)]
    assert row(english, "Kafe")[1:4] == [
        format_amount(v, 0, "en") for v in (statement.revenue, statement.costs,
                                            statement.result)]
    assert abs(statement.revenue) >= 1000  # the test needs a thousands separator
    assert "," not in row(swedish, "Kafe")[1]
    assert "\u00a0" not in row(english, "Kafe")[1]
    assert f">{labels('sv')['turnover']}<" in swedish
    assert f">{labels('en')['turnover']}<" in english
    assert f">{labels('sv')['turnover']}<" not in english
    # the chart's axis speaks the page's language too
    chart_sv = re.search(r'<svg[^>]*data-testid="coop-chart".*?</svg>', swedish, re.S)
    chart_en = re.search(r'<svg[^>]*data-testid="coop-chart".*?</svg>', english, re.S)
    assert chart_sv
    assert chart_en
    assert re.search(r">\d{1,3}(\u00a0\d{3})+<", chart_sv[0])
    assert re.search(r">\d{1,3}(,\d{3})+<", chart_en[0])
    assert f"<title>{labels('sv')['monthly_result']}" in chart_sv[0]
    assert f"<title>{labels('en')['monthly_result']}" in chart_en[0]


def test_fund_page_statuses_and_percentages(tmp_path: Path, board_books: Books) -> None:
    swedish, english = _both(tmp_path, "CoopFund/?time=2025")
    report = fund_report(board_books, parse_period("2025").last_day)
    assert report.status_counts, "the test ledger has loans"
    for status in report.status_counts:
        for html, language in ((swedish, "sv"), (english, "en")):
            match = re.search(rf'<tr data-status="{status}"><td>(.*?)</td>', html)
            assert match, status
            assert match[1] == labels(language)[f"status_{status}"]
    assert labels("sv")["status_current"] != labels("en")["status_current"]
    par30 = report.par.get(30)
    assert par30 is not None
    assert _cell(swedish, "fund-par", "PAR30", 2) == format_percent(par30, 2, "sv")
    assert _cell(english, "fund-par", "PAR30", 2) == format_percent(par30, 2, "en")
    assert _cell(english, "fund-capital", "capital_base") == format_amount(
        report.capital_base, 0, "en")


def test_close_checks_say_their_findings_in_the_pages_language(
        tmp_path: Path, board_books: Books) -> None:
    swedish, english = _both(tmp_path, "CoopClose/")
    assert 'data-testid="close-checks"' in swedish
    vouchers = check_vouchers(board_books)
    assert vouchers.ok
    assert f"<li>{vouchers.details_in('sv')[0]}</li>" in swedish
    assert f"<li>{vouchers.details_in('en')[0]}</li>" in english
    assert "<li>voucher numbers are gapless</li>" in english
    assert "<li>verifikationsnumren är obrutna</li>" in swedish
    assert "<li>voucher numbers are gapless</li>" not in swedish
    seals = check_seals(board_books)
    assert seals.details_in("sv")[0].endswith("förseglingar håller")
    assert seals.details_in("en")[0].endswith("seals hold")
    assert seals.details == seals.details_in("en")  # the English record is unchanged


def test_page_messages_in_the_pages_language(tmp_path: Path) -> None:
    """What is wrong (an unknown entity, a filter Fava cannot read) in the page's words."""
    swedish, english = _both(tmp_path, "CoopMember/?entity=Nope")
    assert "okänd enhet &#39;Nope&#39; (kända: " in swedish
    assert "unknown entity &#39;Nope&#39; (known: " in english
    assert "okänd enhet" not in english
    assert "unknown entity" not in swedish
    for language in ("sv", "en"):
        (tmp_path / "time" / language).mkdir(parents=True)
    swedish = get(ledger(tmp_path / "time" / "sv"), "CoopGroup/?time=someday")
    english = get(ledger(tmp_path / "time" / "en", extra=ENGLISH), "CoopGroup/?time=someday")
    assert "tidsfiltret &#39;someday&#39; är inget datum eller intervall" in swedish
    assert "the time filter &#39;someday&#39; is not a date or range" in english


def test_favas_own_words_under_the_catalogues_heading(tmp_path: Path) -> None:
    """A filter Fava cannot read: Fava's own message, after the page's heading."""
    swedish, english = _both(tmp_path, "CoopGroup/?filter=%28%28")
    assert "Fava kan inte läsa filtret: Failed to parse filter" in swedish
    assert "Fava cannot read the filter: Failed to parse filter" in english


def test_a_loans_rate_is_a_percentage_in_the_pages_language(
        tmp_path: Path, board_books: Books) -> None:
    swedish, english = _both(tmp_path, "CoopFund/?time=2025")
    report = fund_report(board_books, parse_period("2025").last_day)
    line = report.loans[0]
    rate = re.compile(rf'<tr data-loan="{line.loan_id}">.*?data-label="[^"]*">[^<]*</td>\s*'
                      r'<td class="num" data-label="[^"]*">([^<]*)</td>', re.S)
    for html, language in ((swedish, "sv"), (english, "en")):
        shown = rate.search(html)
        assert shown, language
        assert shown[1] == format_percent(line.rate / 100, 2, language)
    assert format_percent(line.rate / 100, 2, "en").endswith("%")
    assert "\u00a0%" in format_percent(line.rate / 100, 2, "sv")
