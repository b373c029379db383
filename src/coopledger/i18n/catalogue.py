"""The message catalogue: every label, status and check detail in Swedish and English.

The catalogue is one gettext ``.po`` file per language under ``i18n/locale/<lang>/
LC_MESSAGES/coopledger.po``, read at run time: no compile step, no ``.mo`` file to keep
in step. :func:`read_messages` reads the plain messages these files hold (an id and its
text, comments, continued lines) the way Babel (:mod:`babel.messages.pofile`) reads
them, about five times faster (Babel's catalogue modules and its three parses cost a
close about 40 ms of CPU); a file that uses more of the format (plural forms, contexts, fuzzy
or obsolete entries, a message given twice) is read by Babel and said through
:class:`babel.support.Translations`, as :func:`translations` returns it.

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
import io
import re
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


_ESCAPE = re.compile(r'\\([\\abfnrtv"])')
_ESCAPED = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}
_BLANK = " \t\r\x0b\x0c"  # what Babel strips around a line (bytes.strip)
_CHARSET = re.compile(r"charset=([^\s;]+)", re.IGNORECASE)


def _unquote(text: str) -> str | None:
    # A quoted string of a .po file without its quotes, its escapes undone (as Babel's
    # ``unescape`` does); None when it is not one quoted string.
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        return None
    inner = text[1:-1]
    if "\\" not in inner:
        return inner
    return _ESCAPE.sub(lambda m: _ESCAPED.get(m.group(1), m.group(1)), inner)


def _entries(text: str) -> list[tuple[list[str], list[str]]] | None:
    # Each message's id and text as the pieces written on its lines; None on anything
    # but ids, texts, continued lines and plain comments.
    pairs: list[tuple[list[str], list[str]]] = []
    current: list[str] | None = None  # the msgid or msgstr being read
    for raw in text.split("\n"):  # as Babel reads the file's bytes: lines end at \n only
        line = raw.strip(_BLANK)
        if not line:
            continue
        if line[0] == "#":
            if line[1:2] in ("~", "-") or (line[1:2] == "," and "fuzzy" in line):
                return None
            current = None
            continue
        keyword, _, rest = line.partition(" ")
        # Babel strips each quoted string again, of any white space (str.strip).
        piece = _unquote(rest.strip() if keyword in ("msgid", "msgstr") else line.strip())
        if piece is None:
            return None
        if keyword == "msgid":
            pairs.append(([piece], []))
            current = pairs[-1][0]
        elif keyword == "msgstr":
            if not pairs or current is not pairs[-1][0]:
                return None
            current = pairs[-1][1]
            current.append(piece)
        elif current is not None:
            current.append(piece)
        else:
            return None
    return pairs


def read_messages(text: str) -> dict[str, str] | None:
    """The translated messages of a ``.po`` file's text, by id, as Babel reads them.

    Reads what the project's catalogues hold: ``msgid`` and ``msgstr``, each perhaps
    continued on the lines below, and comments. Messages with an empty ``msgstr`` and
    the header (the empty id) are left out, as gettext leaves them out.

    Args:
        text: The file's text.

    Returns:
        The text of each id, or None when the file uses more of the format (plural
        forms, contexts, fuzzy or obsolete entries, a message given twice, a charset
        other than UTF-8, a line it does not know): Babel reads such a file.
    """
    pairs = _entries(text)
    if pairs is None:
        return None
    messages: dict[str, str] = {}
    for ids, strings in pairs:
        if not strings:
            return None
        key, string = "".join(ids), "".join(strings)
        if key in messages:
            return None
        messages[key] = string
    charset = _CHARSET.search(messages.get("", ""))
    if charset is not None and charset.group(1).lower().replace("_", "-") not in (
            "utf-8", "utf8"):
        return None
    return {key: string for key, string in messages.items() if key and string}


@functools.lru_cache(maxsize=len(LANGUAGES))
def _messages(language: str) -> dict[str, str] | None:
    """The catalogue of ``language`` by id, read by :func:`read_messages` (None: by Babel)."""
    path = resources.files("coopledger.i18n").joinpath(
        "locale", language, "LC_MESSAGES", f"{DOMAIN}.po")
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return None  # Babel reads it, in the charset its header names
    return read_messages(text)


@functools.lru_cache(maxsize=len(LANGUAGES))
def translations(language: str) -> Translations:
    """The catalogue of ``language`` (Swedish for any other) as Babel translations."""
    from babel.messages.mofile import write_mo
    from babel.support import Translations

    catalogue = read_catalogue(language if language in LANGUAGES else "sv")
    buffer = io.BytesIO()
    write_mo(buffer, catalogue)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


@functools.lru_cache(maxsize=len(LANGUAGES))
def _labels(language: str) -> dict[str, str]:
    language = language if language in LANGUAGES else "sv"
    read = _messages(language)
    if read is not None:
        return read
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
    language = language if language in LANGUAGES else "sv"
    read = _messages(language)
    text = read.get(key, key) if read is not None else translations(language).gettext(key)
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
