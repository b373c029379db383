"""The compiled catalogues (``coopledger-<digest>.mo``) are current and say what the ``.po`` says.

``python scripts/compile.py`` writes them; a ``.po`` edited without it fails the first
test, and the command then reads the ``.po`` with Babel (the last test).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from coopledger.i18n import catalogue, labels, message
from coopledger.i18n.catalogue import DOMAIN, compile_catalogue, read_catalogue, translations
from coopledger.i18n.format import LANGUAGES


def _babel(language: str) -> dict[str, str]:
    """What Babel reads in the ``.po`` file: each translated id's text."""
    return {str(m.id): str(m.string) for m in read_catalogue(language) if m.id and m.string}


@pytest.fixture
def fresh() -> Iterator[None]:
    """Every catalogue read again, before and after the test."""
    for cached in (catalogue._compiled, catalogue._labels, translations):
        cached.cache_clear()
    yield
    for cached in (catalogue._compiled, catalogue._labels, translations):
        cached.cache_clear()


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalogue_is_the_current_po_compiled(language: str) -> None:
    name, content = compile_catalogue(language)
    folder = catalogue._folder(language)
    kept = sorted(entry.name for entry in folder.iterdir() if entry.name.endswith(".mo"))
    assert kept == [name], "run python scripts/compile.py"
    assert folder.joinpath(name).read_bytes() == content
    assert compile_catalogue(language) == (name, content)  # the same at every run


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalogue_says_what_babel_reads(language: str, fresh: None) -> None:
    assert catalogue._compiled(language) is not None
    read = _babel(language)
    assert len(read) > 100
    assert labels(language) == read
    said = translations(language)
    for key, text in read.items():
        assert said.gettext(key) == text
        assert message(language, key) == text
    assert message(language, "no such id") == "no such id"


@pytest.mark.parametrize("language", LANGUAGES)
def test_without_a_current_compiled_file_the_po_is_read(
        language: str, fresh: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(catalogue, "compiled_name", lambda po: f"{DOMAIN}-stale.mo")
    assert catalogue._compiled(language) is None
    assert labels(language) == _babel(language)
    assert translations(language).gettext("status_current") == _babel(language)[
        "status_current"]
