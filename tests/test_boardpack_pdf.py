"""The printed board pack of the example books: A4, a few pages, summary first, and its
text read back and compared with the library's figures (none written here by hand)."""

from __future__ import annotations

import datetime
import io
import re
from dataclasses import dataclass
from decimal import Decimal

import pytest
from pypdf import PdfReader

from coopledger.books import Books, load_books
from coopledger.close.boardpack import board_pack_files, board_pack_pdf, board_pack_print_html
from coopledger.close.preflight import preflight
from coopledger.compare import compare
from coopledger.entities import EntityKind
from coopledger.fund import capital_lines, fund_report
from coopledger.i18n import format_amount, format_month, labels
from coopledger.people import people
from coopledger.periods import month_period
from coopledger.printing import CHROMIUM
from coopledger.ratios import entity_ratios, fund_ratios
from tests.charts import assert_drawn_preliminary
from tests.conftest import ROOT

EXAMPLE = ROOT / "ledgers" / "example" / "main.beancount"
MONTH = "2026-10"
OPEN_MONTH = "2026-11"
#: The months as the Swedish pack names them (Babel's CLDR data).
MONTH_NAME = format_month(MONTH, "sv", "long")
OPEN_NAME = format_month(OPEN_MONTH, "sv", "long")
#: A4 in PostScript points; Chromium rounds to its own units, within a point.
A4 = (Decimal("595.28"), Decimal("841.89"))

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="Chromium prints the pack (apt-get install chromium)")


def normal(text: str) -> str:
    """Whitespace (no-break spaces and line breaks of the layout too) as single spaces."""
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()


@dataclass(frozen=True)
class Printed:
    pages: list[str]
    reader: PdfReader
    pdf: bytes

    @property
    def text(self) -> str:
        return " ".join(self.pages)


@pytest.fixture(scope="module")
def books() -> Books:
    loaded = load_books(EXAMPLE)
    assert not loaded.errors, loaded.errors[:3]
    return loaded


def _print(books: Books, month: str, *, final: bool) -> Printed:
    period = month_period(int(month[:4]), int(month[5:]))
    start, end = period.start, period.end
    checks = preflight(books, start, end)
    pdf = board_pack_pdf(board_pack_print_html(books, month, checks, final=final), month)
    reader = PdfReader(io.BytesIO(pdf))
    return Printed([normal(page.extract_text()) for page in reader.pages], reader, pdf)


@pytest.fixture(scope="module")
def printed(books: Books) -> Printed:
    return _print(books, MONTH, final=True)


@pytest.fixture(scope="module")
def preliminary(books: Books) -> Printed:
    return _print(books, OPEN_MONTH, final=False)


def members(books: Books) -> list[str]:
    return [c for c, e in books.entities.items() if e.kind is EntityKind.MEMBER]


def test_a_few_a4_pages(printed: Printed) -> None:
    assert 2 <= len(printed.pages) <= 6
    for page in printed.reader.pages:
        width, height = (Decimal(str(v)) for v in (page.mediabox.width,
                                                    page.mediabox.height))
        assert abs(width - A4[0]) <= 1, width
        assert abs(height - A4[1]) <= 1, height
    assert printed.reader.metadata is not None
    assert MONTH_NAME == "oktober 2026"
    assert printed.reader.metadata.title == f"Styrelserapport {MONTH_NAME}: " \
        "Kooperativa Paraplyet i Östergötland"


def test_the_summary_comes_first_in_reading_order(printed: Printed) -> None:
    first = printed.pages[0]
    assert first.startswith(f"{MONTH_NAME} · sida 1 av {len(printed.pages)} "
                            f"Styrelserapport {MONTH_NAME}")  # the page's foot, then the page
    assert first.index("Styrelserapport") < first.index("Varningar")
    text = printed.text
    positions = [text.index(heading) for heading in
                 ("Varningar", "Medlemmarna", "Fonden:", "Kontroller vid bokslutet")]
    assert positions == sorted(positions)


def test_results_beside_budget_and_last_year_are_the_librarys(books: Books,
                                                              printed: Printed) -> None:
    period = month_period(2026, 10)
    for code in [*members(books), None]:
        budget = compare(books, code, period, "budget")
        last_year = compare(books, code, period, "last-year")
        figures = [budget.total("actual"), budget.total("reference"),
                   budget.total("deviation"), last_year.total("reference"),
                   budget.total("ytd_actual"), budget.total("ytd_reference"),
                   budget.total("ytd_deviation"), last_year.total("ytd_reference")]
        row = " ".join(normal(format_amount(v, 0, "sv")) for v in figures)
        assert row in printed.text, (code, row)
    # the example has budgets: the month's budget is not zero for every member
    assert any(compare(books, c, period, "budget").total("reference")
               for c in members(books))


def test_key_ratios_and_their_verdicts_are_the_librarys(books: Books,
                                                        printed: Printed) -> None:
    period = month_period(2026, 10)
    for code in [None, *members(books)]:
        for ratio in entity_ratios(books, code, period):
            if ratio.value is None:
                continue
            assert normal(ratio.number(ratio.value, "sv")) in printed.text
            if ratio.verdict in ("bad", "watch"):  # each warning with its reason, in words
                assert normal(ratio.text("sv")) in printed.text
    fund = fund_ratios(books, period.last_day)
    bad = [r for r in fund if r.verdict == "bad"]
    assert bad, "the example's PAR30 is over its threshold"
    for ratio in bad:
        assert normal(ratio.text("sv")) in printed.pages[0]


def test_the_fund_is_split_as_the_library_splits_it(books: Books, printed: Printed) -> None:
    report = fund_report(books, datetime.date(2026, 10, 31))
    lines = capital_lines(report)
    assert sum((line.amount for line in lines[:3]), Decimal(0)) == lines[3].amount
    t = labels("sv")
    for line in lines:
        assert f"{t[line.label]} {normal(format_amount(line.amount, 2, 'sv'))}" \
            in printed.text, line
    # one meaning each: interest over the loans' lives is not "upplupen" (unpaid) interest
    assert t["interest_earned"].startswith("Intjänad ränta")
    assert t["accrued"].startswith("Upplupen ränta")


def test_the_people_month_by_month_are_the_librarys(books: Books, printed: Printed) -> None:
    period = month_period(2026, 10)
    history = type(period)(datetime.date(2025, 11, 1), period.end, "")
    group = people(books, None, history)
    assert len(group) == 12
    row = " ".join(str(len(m.employed)) if m.booked else "·" for m in group)
    assert f"Koncernen {row}" in printed.text
    for code in members(books):
        now = people(books, code, period)[0]
        assert f"{len(now.employed)} {len(now.target_group)} {len(now.subsidised)}" \
            in printed.text


def test_an_open_month_is_preliminary_on_every_page(books: Books,
                                                    preliminary: Printed) -> None:
    for page in preliminary.pages:  # the running head, repeated on each page
        assert f"PRELIMINÄR: {OPEN_NAME} är inte stängd" in page
    assert f"Styrelserapport {OPEN_NAME} (preliminär)" in preliminary.text


def test_an_open_month_is_not_drawn_as_a_result(books: Books) -> None:
    checks = preflight(books, datetime.date(2026, 11, 1), datetime.date(2026, 12, 1))
    html = board_pack_print_html(books, OPEN_MONTH, checks, final=False)
    # the open month's bar is drawn preliminary (a bar's tip names its month, Babel's way)
    assert assert_drawn_preliminary(html, OPEN_MONTH) >= 1  # pale, dashed bars
    assert "<title>okt. 2026:" in html
    assert f"<title>{OPEN_MONTH}:" not in html
    files = board_pack_files(books, OPEN_MONTH, checks, final=False)
    index = next(text for path, text in files.items() if path.name == "index.html")
    assert assert_drawn_preliminary(index, OPEN_MONTH) >= 1
    assert f"{OPEN_NAME} (preliminär)" in index


def test_the_pack_is_dated_by_its_month_not_by_the_printing(printed: Printed) -> None:
    assert b"/CreationDate (D:20261031000000" in printed.pdf
    assert b"/ModDate (D:20261031000000" in printed.pdf
    assert printed.reader.metadata is not None
    assert printed.reader.metadata.creation_date is not None
    assert printed.reader.metadata.creation_date.date() == datetime.date(2026, 10, 31)


def test_the_printed_pack_speaks_the_books_language(books: Books) -> None:
    checks = preflight(books, datetime.date(2026, 10, 1), datetime.date(2026, 11, 1))
    english = board_pack_print_html(books, MONTH, checks, "en")
    swedish = board_pack_print_html(books, MONTH, checks, "sv")
    assert '<html lang="en">' in english
    for sv, en in (("Varningar", "Warnings"), ("Medlemmarna", "The members"),
                   ("Hittills i år", "Year to date"), ("De anställda", "The people employed")):
        assert sv in swedish
        assert en in english
        assert sv not in english
    group = compare(books, None, month_period(2026, 10), "budget").total("actual")
    assert format_amount(group, 0, "en") in english
    assert format_amount(group, 0, "sv") in swedish
