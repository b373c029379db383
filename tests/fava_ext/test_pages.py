"""The pages through Fava itself (Flask's test client): figures, filters and bad input.

Bad input never gives a server error page: each case is a 200 with a readable message.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from coopledger.books import Books
from coopledger.cli.serve import build_app
from coopledger.fava_ext.format import format_amount
from coopledger.periods import parse_period
from coopledger.statements import income_statement
from tests.fava_ext.conftest import BOARD_LEDGER

EXTENSION_LINE = '2025-01-01 custom "fava-extension" "coopledger.fava_ext"'


def ledger(tmp_path: Path, replace: str = EXTENSION_LINE, extra: str = "") -> Path:
    """The board ledger with its extension line replaced and text appended."""
    text = BOARD_LEDGER.read_text(encoding="utf-8")
    assert EXTENSION_LINE in text
    path = tmp_path / "main.beancount"
    path.write_text(text.replace(EXTENSION_LINE, replace) + extra, encoding="utf-8")
    return path


def get(path: Path, url: str, *, entity: str | None = None) -> str:
    folder = None
    if entity is not None:  # the member's ledger file beside the test's own ledger
        folder = path.parent / f"serve-{entity}"
        folder.mkdir(exist_ok=True)
    client: Any = build_app(path, entity=entity, read_only=True, folder=folder).test_client()
    slug = "testparaplyet" if entity is None else f"testparaplyet-{entity.lower()}"
    response = client.get(f"/{slug}/extension/{url}")
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    return str(response.get_data(as_text=True))


def row(html: str, entity: str) -> list[str]:
    """The cells of the group table's row for an entity."""
    match = re.search(rf'<tr data-entity="{entity}">(.*?)</tr>', html, re.S)
    assert match, f"no row for {entity}"
    return [re.sub(r"<[^>]+>", "", c).strip()
            for c in re.findall(r"<td[^>]*>(.*?)</td>", match[1], re.S)]


def message(html: str) -> str:
    match = re.search(r'data-testid="coop-message">(.*?)</p>', html, re.S)
    return match[1] if match else ""


def test_group_page_shows_the_statements_figures(tmp_path: Path, board_books: Books) -> None:
    html = get(ledger(tmp_path), "CoopGroup/?time=2025-Q2")
    statement = income_statement(board_books, "Kafe", parse_period("2025-Q2"))
    cells = row(html, "Kafe")
    assert cells[1:4] == [format_amount(statement.revenue), format_amount(statement.costs),
                          format_amount(statement.result)]
    assert 'data-testid="coop-chart"' in html


def test_account_filter_applies(tmp_path: Path, board_books: Books) -> None:
    html = get(ledger(tmp_path), "CoopGroup/?time=2025&account=Kafe")
    year = parse_period("2025")
    assert row(html, "Kafe")[3] == format_amount(income_statement(board_books, "Kafe",
                                                                  year).result)
    assert row(html, "Stad")[1:4] == ["0", "0", "0"]


def test_english_follows_favas_language(tmp_path: Path) -> None:
    path = ledger(tmp_path, extra='\n2025-01-01 custom "fava-option" "language" "en"\n')
    html = get(path, "CoopGroup/")
    assert "<th class=\"num\">Turnover</th>" in html
    assert "Omsättning" not in html
    assert '"report_title":"Cooperative"' in html  # Fava's sidebar
    # The decision figures speak English too: no Swedish word of theirs on the page.
    for page in ("CoopGroup/", "CoopMember/?entity=Kafe", "CoopFund/"):
        html = get(path, page)
        assert "Key ratios at" in html
        for swedish in ("preliminär", "Nyckeltal", "Fjolår", "Anställda", "bra från",
                        "dåligt", "bevaka", "lön ej bokförd", "Utfall"):
            assert swedish not in html, (page, swedish)
    assert "Result against budget and last year" in get(path, "CoopMember/?entity=Kafe")


@pytest.mark.parametrize("config", ['"{oops"', '"Kafe"', '"[1, 2]"', "\"{'colour': 1}\""])
def test_bad_configuration_is_a_message(tmp_path: Path, config: str) -> None:
    path = ledger(tmp_path, replace=f"{EXTENSION_LINE} {config}")
    html = get(path, "CoopGroup/")
    assert "coopledger.fava_ext: the extension configuration" in html
    assert 'data-entity="Kafe"' in html  # the figures still show


def test_configured_default_entity(tmp_path: Path) -> None:
    path = ledger(tmp_path, replace=f"{EXTENSION_LINE} \"{{'entity': 'Stad'}}\"")
    assert "Kooperativ: Städkooperativet" in get(path, "CoopMember/")


def test_unknown_entity_is_a_message(tmp_path: Path) -> None:
    html = get(ledger(tmp_path), "CoopMember/?entity=Nope")
    assert "unknown entity &#39;Nope&#39;" in message(html)


def test_no_entity_offers_a_choice(tmp_path: Path) -> None:
    html = get(ledger(tmp_path), "CoopMember/")
    assert message(html) == ""  # a choice, not an error
    assert "Välj kooperativ" in html
    choice = re.search(r'<li data-entity="Kafe"><a href="[^"]*\?entity=Kafe">([^<]+)</a>', html)
    assert choice
    assert choice[1] == "Kafé Linnéa"  # the name, not only the code


def test_bad_time_filter_is_a_message(tmp_path: Path) -> None:
    html = get(ledger(tmp_path), "CoopGroup/?time=someday")
    assert "the time filter &#39;someday&#39; is not a date or range" in message(html)


def test_ledger_with_errors_warns_and_still_shows(tmp_path: Path) -> None:
    broken = '\n2025-06-01 * "Obalanserad"\n  Assets:Kafe:1930-Företagskonto  5.00 SEK\n' \
             '  Expenses:Kafe:6110-Kontorsmateriel  1.00 SEK\n'
    html = get(ledger(tmp_path, extra=broken), "CoopGroup/")
    assert re.search(r"Böckerna har [1-9]\d* fel", html)
    assert 'data-entity="Kafe"' in html


def test_ledger_without_entities_is_a_message(tmp_path: Path) -> None:
    path = tmp_path / "main.beancount"
    path.write_text('option "title" "Testparaplyet"\n' + EXTENSION_LINE + "\n",
                    encoding="utf-8")
    assert "declare no entity" in message(get(path, "CoopGroup/"))


def test_entity_view_shows_only_the_member(tmp_path: Path) -> None:
    html = get(ledger(tmp_path), "CoopGroup/", entity="Kafe")
    assert 'data-entity="Kafe"' in html
    assert "Stad" not in html


@pytest.mark.parametrize("page", ["CoopFund/", "CoopClose/"])
def test_optional_pages_render(tmp_path: Path, page: str) -> None:
    html = get(ledger(tmp_path), page)
    assert 'class="coop-page"' in html


def test_fund_page_in_the_views(tmp_path: Path) -> None:
    path = ledger(tmp_path)
    fund = get(path, "CoopFund/?time=2025", entity="Fonden")
    assert 'data-loan="L-2025-01"' in fund
    assert 'data-loan="L-2025-02"' in fund
    own = get(path, "CoopFund/?time=2025", entity="Kafe")
    assert 'data-testid="member-loans"' in own
    assert 'data-loan="L-2025-01"' in own
    assert 'data-loan="L-2025-02"' not in own  # Stad's loan is not Kafe's business
    assert 'data-testid="loan-schedule"' in own
    assert "Amorteringsplan för L-2025-01" in own
    close = get(path, "CoopClose/?time=2025", entity="Kafe")
    assert 'data-testid="close-months"' in close
    assert 'data-state="open"' in close


def test_group_page_in_the_funds_view_charts_the_fund(tmp_path: Path) -> None:
    html = get(ledger(tmp_path), "CoopGroup/?time=2025", entity="Fonden")
    assert 'data-series="Fonden"' in html
    assert 'data-entity="consolidated"' not in html


def test_close_checks_in_the_pages_language(tmp_path: Path) -> None:
    from coopledger.close.preflight import TITLES_SV

    swedish = get(ledger(tmp_path), "CoopClose/")
    assert 'data-testid="close-checks"' in swedish
    assert TITLES_SV["vouchers"] in swedish
    assert "Voucher numbers are gapless" not in swedish
    (tmp_path / "en").mkdir()
    english = get(ledger(tmp_path / "en", extra='\n2025-01-01 custom "fava-option" '
                         '"language" "en"\n'), "CoopClose/")
    assert "Voucher numbers are gapless per entity and series" in english
    assert TITLES_SV["vouchers"] not in english


def test_close_page_shows_a_month_sealed_with_an_acceptance(tmp_path: Path) -> None:
    """A `!` entry in January, sealed with ``--accept``: the page says who accepted what."""
    from coopledger.cli import main

    path = ledger(tmp_path, extra='\n2025-01-20 ! "Okänd" "Inbetalning att utreda"\n'
                  "  Assets:Paraply:1510-Kundfordringar  100.00 SEK\n"
                  "  Income:Paraply:3001-Försäljning-25  -100.00 SEK\n")
    assert main(["close", str(path), "2025-01"]) == 1
    assert main(["close", str(path), "2025-01", "--accept", "utreds i februari",
                 "--by", "Anna Berg"]) == 0
    page = get(path, "CoopClose/")
    checks = re.search(r'<table data-testid="close-checks" data-month="2025-01">(.*?)</table>',
                       page, re.S)
    assert checks, "no checks shown for the sealed month"
    assert 'data-check="review"' in checks[1]
    assert 'data-accepted="true"' in checks[1]
    assert "Accepterad av Anna Berg: utreds i februari" in checks[1]
    assert "Inbetalning att utreda" in checks[1]
    assert "1 accepterade vid förseglingen" in page
