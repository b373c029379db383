"""The close page's filing calendar: each entity's next VAT return and AGI.

A small block of its own under the close page's months. The rows come from
:func:`coopledger.filings.calendar.filing_calendar` as of today in Sweden; the labels are
the message catalogue's (:mod:`coopledger.i18n`), in Swedish and English.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from coopledger.books import Books
from coopledger.fava_ext.format import language_of
from coopledger.filings.calendar import CalendarRow, filing_calendar
from coopledger.i18n import LANGUAGES, section

#: The block's labels per language, from the message catalogue (ids ``due.*``).
LABELS: dict[str, dict[str, str]] = {language: section(language, "due.")
                                     for language in LANGUAGES}


@dataclass(frozen=True)
class DueView:
    """The filing calendar block: its rows, the day it looks ahead from, its labels."""

    rows: tuple[CalendarRow, ...]
    on: datetime.date
    t: dict[str, str]


def today() -> datetime.date:
    """Today in Sweden, where the due dates are."""
    return datetime.datetime.now(tz=ZoneInfo("Europe/Stockholm")).date()


def due_view(books: Books, fava_language: str | None,
             on: datetime.date | None = None) -> DueView:
    """The block's figures.

    Args:
        books: The group's books.
        fava_language: Fava's ``language`` option (English labels for ``en``, else
            Swedish).
        on: The day to look ahead from (default: today in Sweden).

    Returns:
        One row per entity, with the labels in the page's language.
    """
    day = on or today()
    return DueView(tuple(filing_calendar(books, day)), day,
                   LABELS[language_of(fava_language)])
