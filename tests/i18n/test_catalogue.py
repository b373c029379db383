"""The message catalogue: it loads, and every message exists in Swedish and English."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from coopledger.books import Books
from coopledger.i18n import labels, language_of, ledger_language, message, section
from coopledger.i18n.catalogue import read_catalogue, translations

SRC = Path(__file__).resolve().parents[2] / "src" / "coopledger"


def _messages(language: str) -> dict[str, str]:
    return {str(m.id): str(m.string) for m in read_catalogue(language) if m.id}


def test_catalogues_load_through_babel() -> None:
    for language in ("sv", "en"):
        catalogue = read_catalogue(language)
        assert str(catalogue.locale) == language
        assert len(_messages(language)) > 100
        assert not [m.id for m in catalogue if m.fuzzy and m.id], "fuzzy messages"
    assert translations("en").gettext("status_current") == "current"
    assert translations("sv").gettext("status_current") == "i fas"


@pytest.mark.parametrize(("language", "other"), [("sv", "en"), ("en", "sv")])
def test_every_message_is_translated_in_both_languages(language: str, other: str) -> None:
    mine, theirs = _messages(language), _messages(other)
    assert not sorted(set(theirs) - set(mine)), f"ids missing in {language}.po"
    assert not [key for key, text in mine.items() if not text.strip()], (
        f"untranslated in {language}.po")


def test_placeholders_agree() -> None:
    def fields(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    sv, en = _messages("sv"), _messages("en")
    assert {k: fields(sv[k]) for k in sv} == {k: fields(en[k]) for k in sv}


def test_labels_message_and_section() -> None:
    assert labels("en")["result"] == "Result"
    assert labels("sv")["result"] == "Resultat"
    assert labels("xx") == labels("sv")
    assert labels("en")["Rörelsens intäkter"] == "Operating income"
    assert message("en", "n_failed", n=3) == "3 failed"
    assert message("sv", "n_failed", n=3) == "3 underkända"
    assert message("sv", "Kafe") == "Kafe"  # not a message: itself
    assert section("en", "due.")["title"] == "Filings"
    assert section("sv", "due.")["title"] == "Deklarationer"
    first = labels("en")
    first["result"] = "changed"
    assert labels("en")["result"] == "Result"


def test_language_follows_fava_option() -> None:
    assert language_of(None) == "sv"
    assert language_of("sv") == "sv"
    assert language_of("en") == "en"
    assert language_of("en_GB") == "en"
    assert language_of("de") == "sv"


def test_ledger_language_reads_the_last_fava_option(load_doc: Books) -> None:
    """
    2025-01-01 custom "fava-option" "language" "sv"
    2025-01-02 custom "fava-option" "language" "en"
    2025-01-01 custom "fava-option" "locale" "de_DE"
    """
    assert ledger_language(load_doc.entries) == "en"
    assert ledger_language(load_doc.entries[:1]) == "sv"
    assert ledger_language([]) == "sv"


TEMPLATE_KEY = re.compile(r"\bpage\.t\.([a-z_0-9]+)|\bpage\.t\[['\"]([^'\"]+)['\"]\]")


def test_every_label_the_pages_ask_for_is_in_the_catalogue() -> None:
    asked = set()
    for path in [*(SRC / "fava_ext" / "templates").glob("*.html"),
                 *(SRC / "fava_ext").glob("*.py")]:
        for match in TEMPLATE_KEY.finditer(path.read_text(encoding="utf-8")):
            asked.add(match.group(1) or match.group(2))
    assert asked, "the pattern found no labels: the test would prove nothing"
    assert not sorted(asked - set(labels("sv")))
