"""The board pages' formatting and labels: a facade over :mod:`coopledger.i18n`.

Kept so that the pages' code and templates need no change: the numbers are Babel's
(:mod:`coopledger.i18n.format`), the labels are the message catalogue's
(:mod:`coopledger.i18n.catalogue`), in the language of Fava's own setting
(``custom "fava-option" "language" "en"``): English when it says so, Swedish otherwise.
"""

from __future__ import annotations

from coopledger.i18n import (
    format_amount,
    format_date,
    format_month,
    format_percent,
    format_sek,
    labels,
    language_of,
    minus_sign,
)
from coopledger.i18n.format import LANGUAGES, group_separator

#: The Swedish minus sign (U+2212): it does not wrap and lines up with the digits.
MINUS = minus_sign("sv")
#: The Swedish thousands separator (a no-break space, from Babel's CLDR data).
THOUSANDS = group_separator("sv")

#: The labels by language, from the message catalogue (read once, at import).
LABELS: dict[str, dict[str, str]] = {language: labels(language) for language in LANGUAGES}

__all__ = ["LABELS", "MINUS", "THOUSANDS", "format_amount", "format_date", "format_month",
           "format_percent", "format_sek", "labels", "language_of"]
