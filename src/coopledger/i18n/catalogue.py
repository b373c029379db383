"""The message catalogue: every label, status and check detail in Swedish and English.

The catalogue is one gettext ``.po`` file per language under ``i18n/locale/<lang>/
LC_MESSAGES/coopledger.po``, the text translators edit. Beside each is the same catalogue
compiled by Babel (:func:`babel.messages.mofile.write_mo`), named by a digest of the
``.po`` file's bytes (``coopledger-<digest>.mo``), which ``python scripts/compile.py``
writes: the standard library's :class:`gettext.GNUTranslations` reads it in well under a
millisecond, where importing Babel's catalogue modules and parsing the ``.po`` costs a
command about 40 ms. A ``.mo`` file is used only when it was made from the ``.po`` file
as it is now; otherwise the ``.po`` file is read with Babel (:func:`read_catalogue`), as
before, and ``tests/i18n/test_catalogue_compiled.py`` fails until the compiled file
is written.

A message id is a language-neutral key (``status_current``, ``check.balanced.title``)
or, for the statements' section titles, the Swedish title the library writes; each
language's file translates every id (a test fails on a missing one).

The language follows Fava's own option, ``custom "fava-option" "language" "en"``:
English when it says so, Swedish otherwise. It is read from the books each time, so a
board can switch language without touching a sealed month.
"""

from __future__ import annotations

import datetime
import functools
import gettext
import hashlib
import io
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from typing import TYPE_CHECKING, Any

from coopledger.i18n.format import LANGUAGES, format_amount, format_date, format_month

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog
    from babel.support import Translations

DOMAIN = "coopledger"


def language_of(fava_language: str | None) -> str:
    """The language for Fava's ``language`` option: ``en`` or ``sv`` (the default)."""
    if fava_language and fava_language.lower().startswith("en"):
        return "en"
    return "sv"


def ledger_language(entries: Iterable[Any]) -> str:
    """The language the books ask for, from their last ``fava-option`` ``language``.

    Args:
        entries: The books' directives.

    Returns:
        ``en`` or ``sv``.
    """
    chosen: str | None = None
    for entry in entries:
        if type(entry).__name__ != "Custom" or getattr(entry, "type", "") != "fava-option":
            continue
        values = [getattr(v, "value", v) for v in entry.values]
        if len(values) >= 2 and values[0] == "language":
            chosen = str(values[1])
    return language_of(chosen)


def read_catalogue(language: str) -> Catalog:
    """The ``.po`` catalogue of one language, as Babel reads it.

    Raises:
        FileNotFoundError: The project has no catalogue for ``language``.
    """
    # Babel's catalogue modules (its dates and the local time zone with them, about
    # 20 ms) are imported when a message is first said, not by every command.
    from babel.messages.pofile import read_po

    path = resources.files("coopledger.i18n").joinpath(
        "locale", language, "LC_MESSAGES", f"{DOMAIN}.po")
    with path.open("rb") as handle:
        return read_po(handle, locale=language, domain=DOMAIN)


def _folder(language: str) -> Any:
    return resources.files("coopledger.i18n").joinpath("locale", language, "LC_MESSAGES")


def compiled_name(po: bytes) -> str:
    """The file name of the ``.mo`` compiled from a ``.po`` file's bytes."""
    return f"{DOMAIN}-{hashlib.sha256(po).hexdigest()[:16]}.mo"


def compile_catalogue(language: str) -> tuple[str, bytes]:
    """The compiled catalogue of one language: its file name and bytes (Babel's ``.mo``)."""
    from babel.messages.mofile import write_mo

    po = _folder(language).joinpath(f"{DOMAIN}.po").read_bytes()
    catalogue = read_catalogue(language)
    if b"POT-Creation-Date:" not in po:  # Babel would write the time of the run
        catalogue.creation_date = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
    buffer = io.BytesIO()
    write_mo(buffer, catalogue)
    return compiled_name(po), buffer.getvalue()


@functools.lru_cache(maxsize=len(LANGUAGES))
def _compiled(language: str) -> bytes | None:
    """The ``.mo`` compiled from the language's ``.po`` as it is now, or None."""
    folder = _folder(language)
    try:
        compiled: bytes = folder.joinpath(
            compiled_name(folder.joinpath(f"{DOMAIN}.po").read_bytes())).read_bytes()
    except FileNotFoundError:
        return None
    return compiled


@functools.lru_cache(maxsize=len(LANGUAGES))
def translations(language: str) -> Translations:
    """The catalogue of ``language`` (Swedish for any other) as Babel translations."""
    from babel.support import Translations

    language = language if language in LANGUAGES else "sv"
    compiled = _compiled(language)
    if compiled is None:
        compiled = compile_catalogue(language)[1]
    return Translations(io.BytesIO(compiled), domain=DOMAIN)


@functools.lru_cache(maxsize=len(LANGUAGES))
def _labels(language: str) -> dict[str, str]:
    language = language if language in LANGUAGES else "sv"
    compiled = _compiled(language)
    if compiled is not None:
        # GNUTranslations keeps what it read in ``_catalog`` (Babel's own Translations
        # reads and merges it there too); the header (the empty id) is left out.
        read: dict[str, str] = gettext.GNUTranslations(io.BytesIO(compiled))._catalog  # type: ignore[attr-defined]
        return {key: text for key, text in read.items() if key and text}
    catalogue = read_catalogue(language)
    return {str(m.id): str(m.string) for m in catalogue if m.id and m.string}


def labels(language: str) -> dict[str, str]:
    """Every message of the catalogue in ``language`` (Swedish for any other), by id.

    A new dict each call: the caller may add to it.
    """
    return dict(_labels(language))


def section(language: str, prefix: str) -> dict[str, str]:
    """The messages whose id starts with ``prefix``, by the rest of their id.

    ``section("en", "due.")["title"]`` is the filing calendar's title in English.
    """
    return {key[len(prefix):]: text for key, text in _labels(language).items()
            if key.startswith(prefix)}


def message(language: str, key: str, **values: object) -> str:
    """One message in ``language``, its ``{name}`` fields filled from ``values``.

    An id the catalogue lacks comes back as itself (entity codes, free text).
    """
    text = _labels(language if language in LANGUAGES else "sv").get(key, key)
    return text.format(**values) if values else text


class MonthLabel(str):
    """A month as the books label it (``2026-10``), said ``oktober 2026`` in a message.

    It is the plain label in :meth:`Message.plain` (the command line, files).
    """

    __slots__ = ()


def _said(value: object, language: str) -> object:
    # An amount, a date and a month the language's way; a nested message in the same
    # language.
    if isinstance(value, Message):
        return value.text(language)
    if isinstance(value, MonthLabel):
        return format_month(value, language, "long")
    if isinstance(value, Decimal):
        return format_amount(value, 2, language)
    if isinstance(value, datetime.date):
        return format_date(value, language, "long")
    return value


@dataclass(frozen=True)
class Message:
    """A sentence not yet said in any language: a message id and its values.

    The library returns these (a check's findings, a status, a refusal) and the page or
    pack says them in its language with :meth:`text` (amounts and dates through the
    formatter: ``1 250,00``, ``31 okt. 2026``); :meth:`plain` is the English sentence
    with the values as the books write them (``1250.00``, ``2026-10-31``), for the
    command line and files.

    Attributes:
        key: The message id.
        values: The ``{name}`` fields, as pairs.
    """

    key: str
    values: tuple[tuple[str, object], ...] = ()

    @classmethod
    def of(cls, key: str, **values: object) -> Message:
        """The message ``key`` with its fields."""
        return cls(key, tuple(values.items()))

    def text(self, language: str) -> str:
        """The sentence in ``language``: amounts and dates formatted its way, nested
        messages too."""
        return message(language, self.key,
                       **{name: _said(value, language) for name, value in self.values})

    def plain(self) -> str:
        """The English sentence with the values as they are (``1250.00``, ``2026-10-31``)."""
        return message("en", self.key, **{
            name: value.plain() if isinstance(value, Message)
            else str(value) if isinstance(value, MonthLabel) else value
            for name, value in self.values})
