"""The board pack writes its numbers with the one formatter, in the books' language."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from pathlib import Path

from markupsafe import escape

from coopledger.books import load_books
from coopledger.close.boardpack import board_pack_files
from coopledger.close.preflight import preflight
from coopledger.i18n import format_amount
from tests.test_close_month import SAMPLE, write_ledger

MONTH = "2025-01"
SALE = Decimal("1234.50")


def _index(files: dict[Path, str]) -> str:
    return next(text for path, text in files.items() if path.name == "index.html")


def test_pack_numbers_follow_the_language(tmp_path: Path) -> None:
    main = write_ledger(tmp_path, SAMPLE)
    books = load_books(main)
    checks = preflight(books, datetime.date(2025, 1, 1), datetime.date(2025, 2, 1))
    swedish = _index(board_pack_files(books, MONTH, checks))
    english = _index(board_pack_files(books, MONTH, checks, "en"))
    # Kafe sold 1 234,50 in January: the same figure, written each language's way
    assert f"<td class=n>{format_amount(SALE, 2, 'sv')}</td>" in swedish
    assert f"<td class=n>{format_amount(SALE, 2, 'en')}</td>" in english
    assert "1\u00a0234,50" in swedish
    assert "1,234.50" in english
    # no English decimal point next to Swedish decimal commas
    assert not re.search(r"<td class=n>[\d\u00a0\u2212]*\d\.\d\d</td>", swedish)
    assert not re.search(r"<td class=n>[\d,\-]*\d,\d\d</td>", english)


def test_pack_language_is_fava_option_of_the_books(tmp_path: Path) -> None:
    main = write_ledger(tmp_path, SAMPLE)
    main.write_text(main.read_text(encoding="utf-8")
                    + '\n2025-01-01 custom "fava-option" "language" "en"\n', encoding="utf-8")
    books = load_books(main)
    checks = preflight(books, datetime.date(2025, 1, 1), datetime.date(2025, 2, 1))
    assert "1,234.50" in _index(board_pack_files(books, MONTH, checks))



def test_pack_words_follow_the_language(tmp_path: Path) -> None:
    main = write_ledger(tmp_path, SAMPLE)
    books = load_books(main)
    checks = preflight(books, datetime.date(2025, 1, 1), datetime.date(2025, 2, 1))
    swedish = _index(board_pack_files(books, MONTH, checks))
    english = _index(board_pack_files(books, MONTH, checks, "en"))
    assert '<html lang="sv">' in swedish
    assert '<html lang="en">' in english
    for sv, en in (("Styrelserapport januari 2025", "Board report January 2025"),
                   ("Kontroller vid bokslutet", "Checks at the close"),
                   ("Medlemmarnas resultat per månad", "Members' result by month"),
                   ("Koncernen (internt eliminerat)", "Group (intra-group eliminated)"),
                   ("Resultaträkning januari 2025", "Income statement January 2025"),
                   ("Balansräkning 31 jan. 2025", "Balance sheet 31 Jan 2025"),
                   ("<th>Konto</th>", "<th>Account</th>")):
        assert sv in swedish
        assert en in english.replace("&#39;", "'")
        assert sv not in english


def test_pack_checks_in_the_language(tmp_path: Path) -> None:
    main = write_ledger(tmp_path, SAMPLE)
    books = load_books(main)
    checks = preflight(books, datetime.date(2025, 1, 1), datetime.date(2025, 2, 1))
    swedish = _index(board_pack_files(books, MONTH, checks))
    english = _index(board_pack_files(books, MONTH, checks, "en"))
    for check in checks:
        assert check.title_in("sv") != check.title_in("en"), check.name
        assert f"<td>{escape(check.title_in('sv'))}</td>" in swedish
        assert f"<td>{escape(check.title_in('en'))}</td>" in english
        assert escape("; ".join(check.details_in("sv"))) in swedish
        assert escape("; ".join(check.details_in("en"))) in english
    assert "bankkonton har saldokontroll" in swedish
    assert "bank accounts asserted" in english
    assert "bank accounts asserted" not in swedish
