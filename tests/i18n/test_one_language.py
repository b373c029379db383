"""One language at a time: a page or a pack in English shows no Swedish words of the
catalogue, in Swedish no English ones, and no date in ISO form.

Each board page (the group's view and a member's own) and each board pack (the group's,
a member's, the printed one) is drawn in both languages from the test books with three
months closed and sealed. Its visible text (the page's own part, not Fava's frame) is
searched for every phrase of the *other* language's catalogue that the own language does
not share; words of the books themselves (account and entity names, narrations) are
left out, since the books keep their own language. Beancount's errors, shown as they are
under the errors check, are left out too. A date or month written ``2025-01-31`` or
``2025-01`` in the text fails the test: dates go through Babel (identifiers such as the
loan ``L-2025-01`` are no dates).
"""

from __future__ import annotations

import datetime
import html
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from coopledger.books import Books, load_books
from coopledger.close.boardpack import (
    board_pack_files,
    board_pack_print_html,
    member_pack_files,
    member_pack_print_html,
)
from coopledger.close.preflight import preflight
from coopledger.i18n.catalogue import read_catalogue
from tests.fava_ext.conftest import BOARD_LEDGER, close_copy
from tests.fava_ext.test_pages import get

#: Fava's language option, dated in a month that is not sealed (a line dated in a sealed
#: month would break its seal).
ENGLISH = '\n2025-06-01 custom "fava-option" "language" "en"\n'
MONTH = "2025-03"
PAGES = ("CoopGroup/", "CoopGroup/?time=2025", "CoopGroup/?time=2025-Q2", "CoopMember/",
         "CoopMember/?entity=Kafe", "CoopMember/?entity=Fonden", "CoopFund/",
         "CoopFund/?time=2025-03", "CoopClose/", "CoopMember/?entity=Nope",
         "CoopGroup/?time=someday")
MEMBER_PAGES = ("CoopGroup/", "CoopMember/", "CoopFund/", "CoopClose/")
#: A date or a month in ISO form, not inside an identifier (``L-2025-01``, ``A-2025-0001``).
ISO = re.compile(r"(?<![\w-])\d{4}-\d{2}(?:-\d{2})?(?![\w-])")
#: Phrases shorter than this are too often part of names or of the other language.
SHORTEST = 4


def _phrases(language: str) -> set[str]:
    """The literal parts of every message of ``language`` (between its ``{fields}``)."""
    found = set()
    for message in read_catalogue(language):
        if not message.id or not message.string:
            continue
        for piece in re.split(r"\{[^}]*\}", str(message.string)):
            part = piece.strip(" .,:;()–-!?'\"")
            if len(part) >= SHORTEST:
                found.add(part)
    return found


def _books_words() -> str:
    """The books' own text (account names with spaces, as the statements show them)."""
    text = BOARD_LEDGER.read_text(encoding="utf-8")
    return text + "\n" + text.replace("-", " ")


def _foreign(language: str, other: str) -> set[str]:
    """The phrases of ``other`` that ``language`` never uses as words of its own
    (``period`` and ``Budget`` are Swedish and English alike) and the books do not."""
    own = "\n".join(str(m.string) for m in read_catalogue(language) if m.id)
    return {phrase for phrase in _phrases(other) - _phrases(language)
            if phrase not in _books_words()
            and not re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", own)}


FOREIGN = {"sv": _foreign("sv", "en"), "en": _foreign("en", "sv")}


def visible(document: str) -> str:
    """The text a reader sees (and the titles and labels a screen reader says)."""
    document = re.sub(r"<(style|script)\b.*?</\1>", " ", document, flags=re.S)
    # Beancount's own errors, under the catalogue's heading: shown as they are
    document = re.sub(r'(<tr data-check="errors"[^>]*>.*?)<ul>.*?</ul>', r"\1", document,
                      flags=re.S)
    said = " ".join(re.findall(r'(?:title|aria-label|data-label)="([^"]*)"', document))
    return html.unescape(re.sub(r"<[^>]+>", "\n", document) + "\n" + said)


def page_part(document: str) -> str:
    """The extension's own part of a Fava page: its ``coop-page`` element."""
    start = document.index('<div class="coop-page"')
    depth = 0
    for tag in re.finditer(r"<(/?)div\b", document[start:]):
        depth += -1 if tag[1] else 1
        if depth == 0:
            return document[start:start + tag.end()]
    raise AssertionError("the coop-page element does not end")


def foreign_words(text: str, language: str) -> list[str]:
    """The other language's phrases found in ``text`` (as whole words)."""
    return sorted(phrase for phrase in FOREIGN[language]
                  if re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text))


def assert_one_language(document: str, language: str, where: str) -> None:
    text = visible(document)
    assert not foreign_words(text, language), (where, language, foreign_words(text, language))
    assert not ISO.findall(text), (where, language, ISO.findall(text)[:5])


@pytest.fixture(scope="module")
def ledgers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The test books with January to March sealed, in Swedish and in English."""
    folder = tmp_path_factory.mktemp("languages")
    swedish = close_copy(folder / "sv", f"2025-01..{MONTH}")
    english = close_copy(folder / "en", f"2025-01..{MONTH}")
    english.write_text(english.read_text(encoding="utf-8") + ENGLISH, encoding="utf-8")
    return {"sv": swedish, "en": english}


def test_the_check_finds_the_other_language() -> None:
    """The test itself: it sees a foreign phrase and an ISO date when there is one."""
    assert "Styrelserapport" in FOREIGN["en"]
    assert "Board report" in FOREIGN["sv"]
    assert "Resultat per månad" in foreign_words("<p>Resultat per månad</p>", "en")
    assert foreign_words("Marginal", "sv") == []  # "Margin" is English, not in a word
    with pytest.raises(AssertionError):
        assert_one_language("<p>per 2025-03-31</p>", "sv", "test")
    assert_one_language("<p>lån L-2025-01, 31 mars 2025</p>", "sv", "test")


@pytest.mark.parametrize("url", PAGES)
def test_each_page_speaks_one_language(ledgers: dict[str, Path], url: str) -> None:
    for language, path in ledgers.items():
        assert_one_language(page_part(get(path, url)), language, url)


@pytest.mark.parametrize("url", MEMBER_PAGES)
def test_a_members_pages_speak_one_language(ledgers: dict[str, Path], url: str) -> None:
    for language, path in ledgers.items():
        assert_one_language(page_part(get(path, url, entity="Kafe")), language, url)


def test_a_broken_seal_is_said_in_the_pages_language(ledgers: dict[str, Path],
                                                     tmp_path: Path) -> None:
    """The findings of a broken seal, and its month, in the page's words."""
    for language, path in ledgers.items():
        shutil.copytree(path.parent, tmp_path / language)
        copy = tmp_path / language / path.name
        text = path.read_text(encoding="utf-8")
        copy.write_text(text + '\n2025-02-10 * "Sent bokförd"\n'
                        "  Assets:Kafe:1930-Företagskonto  1.00 SEK\n"
                        "  Income:Kafe:3004-Försäljning-momsfri  -1.00 SEK\n", encoding="utf-8")
        page = page_part(get(copy, "CoopClose/"))
        assert 'data-state="seal broken"' in page
        assert_one_language(page, language, "broken seal")
        said = {"sv": ("Månaden februari 2025 är oförändrad sedan förseglingen",
                       "har lagts till efter förseglingen", "10 februari 2025"),
                "en": ("Month February 2025 is unchanged since its seal",
                       "was added after sealing", "10 February 2025")}[language]
        for words in said:
            assert words in html.unescape(page), (language, words)


def _packs(path: Path, language: str) -> Iterator[tuple[str, str]]:
    books: Books = load_books(path)
    start, end = datetime.date(2025, 3, 1), datetime.date(2025, 4, 1)
    checks = preflight(books, start, end)
    files = board_pack_files(books, MONTH, checks, language)
    yield "index.html", next(text for p, text in files.items() if p.name == "index.html")
    yield "printed", board_pack_print_html(books, MONTH, checks, language)
    yield "preliminary", board_pack_print_html(books, "2025-04", checks, language,
                                               final=False)
    yield "member", member_pack_files(books, "Kafe", MONTH, "sealed", language)["index.html"]
    yield "member printed", member_pack_print_html(books, "Kafe", MONTH, "sealed", language)


def test_each_pack_speaks_one_language(ledgers: dict[str, Path]) -> None:
    for language, path in ledgers.items():
        shown = 0
        for name, document in _packs(path, language):
            assert f'<html lang="{language}">' in document
            assert_one_language(document, language, name)
            shown += 1
        assert shown == 5


def test_the_written_pack_speaks_the_books_language(ledgers: dict[str, Path]) -> None:
    """The pack ``coopledger close`` wrote, in the language of the books."""
    for language, path in ledgers.items():
        if language == "en":  # the option came after the close: the pack is Swedish
            continue
        index = path.parent / "boardpack" / MONTH / "index.html"
        assert_one_language(index.read_text(encoding="utf-8"), language, str(index.name))


def test_findings_say_their_dates_in_the_language(tmp_path: Path) -> None:
    """A finding's date: Babel's long form on a page or in a pack, ISO in the record."""
    from coopledger.close.preflight import check_bank_assertions, check_review
    from tests.test_close_month import SAMPLE, write_ledger

    main = write_ledger(tmp_path, SAMPLE, assertions=False)
    main.write_text(main.read_text(encoding="utf-8") + '\n2025-01-20 ! "Kvitto saknas"\n'
                    "  Assets:Kafe:1930-Företagskonto  -10.00 SEK\n"
                    "  Expenses:Kafe:6110-Kontorsmateriel  10.00 SEK\n", encoding="utf-8")
    books = load_books(main)
    start, end = datetime.date(2025, 1, 1), datetime.date(2025, 2, 1)
    bank = check_bank_assertions(books, start, end)
    assert not bank.ok
    assert "31 januari 2025 eller 1 februari 2025" in bank.details_in("sv")[0]
    assert "31 January 2025 or 1 February 2025" in bank.details_in("en")[0]
    assert "2025-01-31 or 2025-02-01" in bank.details[0]  # the record: ISO
    review = check_review(books, start, end)
    assert review.details_in("sv")[0].endswith("20 januari 2025 ! Kvitto saknas")
    assert review.details_in("en")[0].endswith("20 January 2025 ! Kvitto saknas")
    assert review.details[0].endswith("2025-01-20 ! Kvitto saknas")
