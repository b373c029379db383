"""One way to say things: the project's formatter and message catalogue.

Every page, the board pack and the command line format numbers, amounts, percentages and
dates through :mod:`coopledger.i18n.format` (Babel) and take every label, status and
check detail from :mod:`coopledger.i18n.catalogue` (gettext ``.po`` files, compiled by
Babel and read with the standard library's ``gettext``), in Swedish or English. The
library's data stays language-neutral (status codes, check codes, :class:`Message`
values with their dates, amounts and :class:`MonthLabel` months); the words, and the way
a date is written, are chosen where a page or a pack is drawn. The command line and the
files keep the messages' plain English and ISO dates.
"""

from __future__ import annotations

from coopledger.i18n.catalogue import (
    Message,
    MonthLabel,
    labels,
    language_of,
    ledger_language,
    message,
    section,
    translations,
)
from coopledger.i18n.format import (
    LANGUAGES,
    format_amount,
    format_date,
    format_month,
    format_month_span,
    format_percent,
    format_period,
    format_sek,
    format_span,
    group_separator,
    minus_sign,
)

__all__ = ["LANGUAGES", "Message", "MonthLabel", "format_amount", "format_date", "format_month",
           "format_month_span", "format_percent", "format_period", "format_sek", "format_span",
           "group_separator", "labels", "language_of", "ledger_language", "message",
           "minus_sign", "section", "translations"]
