"""Numbers, amounts, percentages and dates in Swedish or English, through Babel.

One formatter for the pages, the board pack and the command line: Babel's CLDR data
says how each language writes a number (``−1 234 567,89`` in Swedish, ``-1,234,567.89``
in English), a percentage (``29,1 %``, ``29.1%``) and a date (``6 dec. 2026``,
``6 Dec 2026``), a month (``okt. 2026``) and a range of days (``1 jan.–30 nov.
2026``). Amounts are rounded half up to the decimals shown before Babel sees
them (Babel rounds half to even), and a rounded zero never shows a sign.

Babel writes a hyphen for the minus sign whatever the language; the locale's own minus
sign (Swedish U+2212, which does not wrap and lines up with the digits) is put back here.

Babel is imported by each function when it first formats something, not with this
module: the error messages and every command import the package, and Babel's number and
date modules cost about 20 ms that a command which formats nothing need not pay.

Where a locale's pattern is a plain grouped one (groups of three, no prefix, a literal
suffix: Swedish and English), amounts and percentages are written with Python's own
format and the locale's signs read from Babel once: the same text, without Babel's
parsing of the locale and the pattern at every call (a page or a board pack writes
thousands of numbers). Month names are remembered per month and language.
"""

from __future__ import annotations

import datetime
import functools
import re
from decimal import ROUND_HALF_UP, Decimal

#: The languages the project speaks, Swedish first.
LANGUAGES = ("sv", "en")
#: The Babel locale of each language (British English: day before month in dates).
LOCALES = {"sv": "sv_SE", "en": "en_GB"}
#: The currency the books are kept in.
CURRENCY = "SEK"

_FRACTION = re.compile(r"0(?:\.[0#]+)?")


def locale_of(language: str) -> str:
    """The Babel locale of a language (Swedish for any language the project lacks)."""
    return LOCALES.get(language, LOCALES["sv"])


@functools.lru_cache(maxsize=16)
def minus_sign(language: str = "sv") -> str:
    """The language's minus sign (Swedish: U+2212)."""
    from babel.numbers import get_minus_sign_symbol
    return str(get_minus_sign_symbol(locale_of(language)))


@functools.lru_cache(maxsize=16)
def group_separator(language: str = "sv") -> str:
    """The language's thousands separator (Swedish: a no-break space)."""
    from babel.numbers import get_group_symbol
    return str(get_group_symbol(locale_of(language)))


@functools.lru_cache(maxsize=64)
def _pattern(language: str, kind: str, decimals: int) -> str:
    # The locale's own pattern with exactly ``decimals`` fraction digits.
    from babel import Locale
    locale = Locale.parse(locale_of(language))
    base = {"decimal": locale.decimal_formats, "percent": locale.percent_formats,
            "currency": locale.currency_formats}[kind][None].pattern
    positive = base.split(";")[0]
    digits = "0." + "0" * decimals if decimals > 0 else "0"
    return _FRACTION.sub(digits, positive, count=1)


#: Babel's scale of each kind of number (a percentage is shown times 10 ** 2).
_SCALES = {"decimal": 0, "percent": 2}


@functools.lru_cache(maxsize=64)
def _plain_form(language: str, kind: str, decimals: int) -> tuple[dict[int, str], str] | None:
    # The language's group and decimal signs (a table from Python's own ``,`` and ``.``)
    # and the suffix (`` %``), when its pattern is a plain grouped one (``#,##0.00``:
    # groups of three, no prefix but the minus, a literal suffix) that Python's format
    # writes the same way; None when only Babel writes it. A page or a board pack
    # formats thousands of numbers, and Babel parses the locale and the pattern at
    # every call (about 40 µs).
    from babel.numbers import get_decimal_symbol, get_group_symbol, parse_pattern

    pattern = parse_pattern(_pattern(language, kind, decimals))
    suffix = pattern.suffix[0]
    if (pattern.grouping != (3, 3) or pattern.prefix != ("", "-")
            or pattern.suffix != (suffix, suffix) or "'" in suffix or "¤" in suffix
            or pattern.int_prec[0] != 1 or pattern.frac_prec != (decimals, decimals)
            or pattern.scale != _SCALES[kind]):
        return None
    locale = locale_of(language)
    return str.maketrans({",": str(get_group_symbol(locale)),
                          ".": str(get_decimal_symbol(locale))}), suffix


def _rounded(value: Decimal, decimals: int) -> Decimal:
    rounded = value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return abs(rounded) if rounded == 0 else rounded


def _signed(text: str, language: str) -> str:
    return text.replace("-", minus_sign(language), 1) if text.startswith("-") else text


def format_amount(value: Decimal | None, decimals: int = 0, language: str = "sv") -> str:
    """An amount in the language's way: ``−1 234 567,89`` (sv), ``-1,234,567.89`` (en).

    Args:
        value: The amount (None gives an empty string).
        decimals: Decimals shown; rounded half up.
        language: ``sv`` or ``en``.

    Returns:
        The formatted number, never ``−0``.
    """
    if value is None:
        return ""
    rounded = _rounded(value, decimals)
    plain = _plain_form(language, "decimal", decimals)
    if plain is not None:
        # The same text as Babel's (tests/i18n/test_format.py compares both).
        signs, suffix = plain
        text = f"{rounded:,.{decimals}f}".translate(signs) + suffix
    else:
        from babel.numbers import format_decimal
        text = format_decimal(rounded, format=_pattern(language, "decimal", decimals),
                              locale=locale_of(language))
    return _signed(text, language)


def format_sek(value: Decimal | None, decimals: int = 0, language: str = "sv") -> str:
    """An amount in kronor: ``12 500 kr`` (sv), ``SEK 12,500`` (en); empty for None."""
    if value is None:
        return ""
    amount = format_amount(value, decimals, language)
    return f"{amount}\u00a0kr" if language != "en" else f"{CURRENCY}\u00a0{amount}"


def format_percent(value: Decimal | None, decimals: int = 1, language: str = "sv") -> str:
    """A ratio (0.125) as a percentage: ``12,5 %`` (sv), ``12.5%`` (en); empty for None."""
    if value is None:
        return ""
    shown = _rounded(value * 100, decimals)
    plain = _plain_form(language, "percent", decimals)
    if plain is not None:
        # The same text as Babel's (tests/i18n/test_format.py compares both).
        signs, suffix = plain
        text = f"{shown:,.{decimals}f}".translate(signs) + suffix
    else:
        from babel.numbers import format_percent as babel_format_percent
        text = babel_format_percent(shown / 100, format=_pattern(language, "percent",
                                                                decimals),
                                    locale=locale_of(language))
    return _signed(text, language)


def format_date(value: datetime.date | None, language: str = "sv",
                width: str = "medium") -> str:
    """A date: ``6 dec. 2026`` (sv), ``6 Dec 2026`` (en); ``short`` gives ``2026-12-06``
    in Swedish and ``06/12/2026`` in English; ``iso`` the ISO date in both. Empty for None.
    """
    if value is None:
        return ""
    if width == "iso":
        return value.isoformat()
    return _date_text(value, language, width)


@functools.lru_cache(maxsize=1024)
def _date_text(value: datetime.date, language: str, width: str) -> str:
    # A board pack dates each of its sections with the month's last day: Babel parses
    # the locale and the pattern at every call.
    from babel.dates import format_date as babel_format_date
    return str(babel_format_date(value, width, locale=locale_of(language)))


#: The month's forms: ``okt. 2026`` (short), ``oktober 2026`` (long).
MONTH_SKELETONS = {"short": "yMMM", "long": "yMMMM"}


def format_month(value: datetime.date | str, language: str = "sv",
                 width: str = "short") -> str:
    """A month (a date in it, or ``YYYY-MM``): ``okt. 2026`` (sv), ``Oct 2026`` (en);
    ``long`` gives ``oktober 2026``, ``October 2026``."""
    if isinstance(value, str):
        return _month_text(int(value[:4]), int(value[5:7]), language, width)
    return _month_text(value.year, value.month, language, width)


@functools.lru_cache(maxsize=1024)
def _month_text(year: int, month: int, language: str, width: str) -> str:
    # A page names the same few months hundreds of times (table heads, chart labels);
    # Babel parses the locale and the skeleton at every call.
    from babel.dates import format_skeleton
    return str(format_skeleton(MONTH_SKELETONS[width], datetime.date(year, month, 1),
                               locale=locale_of(language)))


@functools.lru_cache(maxsize=256)
def format_span(start: datetime.date, last: datetime.date, language: str = "sv") -> str:
    """The days from ``start`` to ``last``, both included, as the language writes a range:
    ``1 jan.–30 nov. 2026`` (sv), ``1 Jan – 30 Nov 2026`` (en)."""
    from babel.dates import format_interval
    return str(format_interval(start, last, "yMMMd", locale=locale_of(language)))


@functools.lru_cache(maxsize=256)  # the pack's entities share their fiscal year
def format_month_span(start: datetime.date, last: datetime.date, language: str = "sv") -> str:
    """The months from ``start``'s to ``last``'s: ``jan.–nov. 2026``, ``Jan – Nov 2026``."""
    from babel.dates import format_interval
    return str(format_interval(start, last, "yMMM", locale=locale_of(language)))


_MONTH_LABEL = re.compile(r"\d{4}-\d{2}")
_QUARTER_LABEL = re.compile(r"\d{4}-Q[1-4]")


def format_period(label: str, start: datetime.date, last: datetime.date,
                  language: str = "sv") -> str:
    """A period's label in the language, where the label is made of its dates.

    A month (``2026-10``: ``oktober 2026``), a quarter (``2026-Q3``: ``K3 2026``,
    ``Q3 2026``), days (``2025-01-02 – 2025-12-31``: ``2 jan.–31 dec. 2025``), months
    (``2026-01 – 2026-11``: ``jan.–nov. 2026``), and a label cut at the books' last day
    (``2026 (2026-01-01 – 2026-11-30)``: ``2026 (1 jan.–30 nov. 2026)``); any other
    label (``2026``, a filter as typed) as it is.

    Args:
        label: The period's label.
        start: Its first day.
        last: Its last day.
        language: ``sv`` or ``en``.
    """
    days = f"{start.isoformat()} – {last.isoformat()}"
    if label == days:
        return format_span(start, last, language)
    if label.endswith(f" ({days})"):
        return f"{label[:-len(days) - 3]} ({format_span(start, last, language)})"
    if label == f"{start:%Y-%m} – {last:%Y-%m}":
        return format_month_span(start, last, language)
    if _MONTH_LABEL.fullmatch(label) and label == f"{start:%Y-%m}" == f"{last:%Y-%m}":
        return format_month(start, language, "long")
    if _QUARTER_LABEL.fullmatch(label):
        from babel.dates import format_skeleton
        return str(format_skeleton("yQQQ", start, locale=locale_of(language)))
    return label
