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


#: The namespaces of the catalogue's dotted ids: a string literal in the code that starts
#: with one of them and a dot is an id (``"seal.removed"``, ``"error.no_fund"``).
NAMESPACES = ("check", "config", "due", "error", "ledgers", "pack", "ratio", "seal", "vat",
              "voucher")
ASKED = (  # a pattern for the way the code asks, and the prefix of the ids it reaches
    (".html", re.compile(r"\bpage\.t\.([a-z_0-9]+)"), ""),  # the pages' templates
    (".html", re.compile(r"(?<![.\w])t\.([a-z_0-9]+)\b(?!\()"), ""),  # the pack's
    (".html", re.compile(r"\bdue\.t\.([a-z_0-9]+)"), "due."),  # the filing calendar
    (".html", re.compile(r"(?<![.\w])(?:s\.)?p\.([a-z_0-9]+)\b(?!\()"), "pack."),  # pack.*
    (".html", re.compile(r"\bp\[['\"]([a-z_0-9]+)['\"]\]"), "pack."),
    (".html", re.compile(r"\bledgers\.labels\.(?!buckets\b)([a-z_0-9]+)"), "ledgers."),
    (".py", re.compile(r"\bt\[['\"]([^'\"{}]+)['\"]\]"), ""),  # t["key"]
    (".py", re.compile(r"\bp\[['\"]([^'\"{}]+)['\"]\]"), "pack."),  # p = section(.., "pack.")
    (".py", re.compile(r"\blabels\([^()]*\)\[['\"]([^'\"{}]+)['\"]\]"), ""),  # labels(..)["key"]
    (".py", re.compile(r"Message\.of\(\s*['\"]([^'\"{}]+)['\"]"), ""),  # a message
    (".py", re.compile(r"\bmessage\(\s*[\w.()]+,\s*['\"]([^'\"{}]+)['\"]"), ""),  # said now
    (".py", re.compile(r"['\"]((?:" + "|".join(NAMESPACES) + r")\.(?!(?:css|html)['\"])"
                       r"[a-z_0-9][a-z_0-9.]*)['\"]"), ""),  # any dotted id (not a file)
)


def test_every_message_the_code_asks_for_is_in_the_catalogue() -> None:
    asked: dict[str, set[str]] = {}
    for path in [*SRC.rglob("*.html"), *SRC.rglob("*.py")]:
        text = path.read_text(encoding="utf-8")
        for suffix, pattern, prefix in ASKED:
            for match in pattern.finditer(text) if path.suffix == suffix else ():
                asked.setdefault(prefix + match[1], set()).add(path.name)
    assert "pack_title" in asked, "the patterns found nothing: the test would prove nothing"
    for key in ("check.seals.ok", "due.title", "pack.warnings", "ledgers.party",
                "seal.removed_one", "seal.removed", "error.no_pack_file", "config.not_dict",
                "voucher.gap", "vat.exempt", "error.page"):
        assert key in asked, key
    for language in ("sv", "en"):
        known = {key for key, text in _messages(language).items() if text.strip()}
        assert not {key: sorted(files) for key, files in asked.items() if key not in known}


def _family(prefix: str, codes: list[str]) -> set[str]:
    return {f"{prefix}{code}" for code in codes}


def test_every_message_the_code_makes_from_a_code_is_in_the_catalogue() -> None:
    """Ids made from a code (``f"status_{status}"``): every code has its message."""
    from coopledger.close import MonthState
    from coopledger.close.preflight import CHECKS
    from coopledger.fund.report import STATUSES

    verdicts = ["good", "watch", "bad", "none"]
    made = (_family("status_", list(STATUSES))
            | _family("state_", [str(state.value) for state in MonthState])
            | _family("check.", list(CHECKS)) | _family("check_", ["ok", "accepted", "failed"])
            | _family("pack.verdict_", verdicts) | _family("ratio.verdict.", verdicts[:3]))
    for language in ("sv", "en"):
        known = {key for key, text in _messages(language).items() if text.strip()}
        assert not sorted(made - known), language


@pytest.mark.parametrize("language", ["sv", "en"])
def test_no_message_id_twice(language: str) -> None:
    """Babel keeps the last of two equal ids without a word: the file must not hold any."""
    path = SRC / "i18n" / "locale" / language / "LC_MESSAGES" / "coopledger.po"
    ids = [line for line in path.read_text(encoding="utf-8").splitlines()
           if line.startswith("msgid ")]
    assert len(ids) > 100
    assert not sorted({i for i in ids if ids.count(i) > 1})


def test_a_refusal_carries_its_message(load_doc: Books) -> None:
    """
    2025-01-01 custom "coop-entity" "Kafe"
      name: "Kafé Linnéa"
      kind: "member"
    """
    from coopledger.errors import CoopException

    with pytest.raises(CoopException) as raised:
        load_doc.entity("Nope")
    assert raised.value.message == "unknown entity 'Nope' (known: Kafe)"  # the CLI's line
    assert str(raised.value) == raised.value.message
    assert raised.value.text("sv") == "okänd enhet 'Nope' (kända: Kafe)"
    assert raised.value.text("en") == raised.value.message
    plain = CoopException("a line of its own")
    assert plain.said is None
    assert plain.text("sv") == "a line of its own"
