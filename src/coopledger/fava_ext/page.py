"""The adapter between Fava and the board pages: request in, a :class:`Page` out.

:class:`BoardPage` is the one place that reads what Fava hands an extension (the ledger,
the request's filters, Fava's language option and its incognito filter). It turns them
into books and a period, calls one pure function from :mod:`coopledger.fava_ext.views`
and wraps the result, or a readable message, in a :class:`Page` for the template. Bad
input (an extension configuration that does not parse, a filter Fava cannot read, an
unknown entity) becomes a message on the page, never a server error.
"""

from __future__ import annotations

import ast
import datetime
import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from fava.core.filters import FilterError
from fava.ext import FavaExtensionBase
from fava.util.date import parse_date
from flask import current_app, request
from markupsafe import Markup, escape

from coopledger.books import Books, books_from_entries
from coopledger.errors import CoopException
from coopledger.fava_ext.decide_view import books_period, preliminary_months
from coopledger.fava_ext.format import (
    format_amount,
    format_date,
    format_month,
    format_percent,
    format_sek,
    labels,
    language_of,
)
from coopledger.fava_ext.views import keep_transactions, period_between, whole_books_period
from coopledger.i18n import Message, format_period, format_span, message
from coopledger.periods import Period
from coopledger.svgchart import BarChart, LineChart, svg

if TYPE_CHECKING:
    from fava.core import FavaLedger

    from coopledger.close.preflight import CheckResult

log = logging.getLogger(__name__)

#: The page that keeps the books of Fava's current load for all four (a load is
#: wrapped once); the filtered books are remembered with them (Books.remember).
KEEPER = "CoopGroup"

#: The configuration keys the extension understands.
CONFIG_KEYS = ("entity",)


def parse_config(text: str | None) -> tuple[dict[str, Any], Message | None]:
    """Read the extension's configuration: a Python dict literal, or nothing.

    ``custom "fava-extension" "coopledger.fava_ext" "{'entity': 'Kafe'}"`` opens the
    cooperative page on Kafe by default.

    Args:
        text: The configuration string from the ledger (None: no configuration).

    Returns:
        The configuration and None, or an empty configuration and the catalogue's
        message saying what is wrong (``config.*``).
    """
    if not text or not text.strip():
        return {}, None
    try:
        value = ast.literal_eval(text)
    except (SyntaxError, ValueError, TypeError, MemoryError, RecursionError) as exc:
        return {}, Message.of("config.unreadable", text=repr(text),
                              error=exc.__class__.__name__)
    if not isinstance(value, dict):
        return {}, Message.of("config.not_dict", text=repr(text))
    unknown = sorted(str(key) for key in value if key not in CONFIG_KEYS)
    if unknown:
        return {}, Message.of("config.unknown_keys", keys=", ".join(unknown),
                              known=", ".join(CONFIG_KEYS))
    return value, None


def shown(text: str) -> str:
    """Numbers as they are (Fava's ``incognito`` filter when incognito mode is off)."""
    return text


#: A date or month as the page shows it, with its ISO form for programs.
TIME = Markup('<time datetime="{}">{}</time>')
#: An amount's cell, as the templates wrote it (``Markup.format`` escapes the amount).
AMOUNT_CELL = Markup('<td class="num {}">{}</td>')
#: The same with its column's name, which a narrow screen shows beside the amount.
LABELLED_CELL = Markup('<td class="num {}" data-label="{}">{}</td>')


@functools.lru_cache(maxsize=4096, typed=True)
def amount_cell(value: Decimal | None, numbers: Callable[[str], str],
                language: str = "sv") -> Markup:
    """An amount's table cell: ``td`` of class ``num`` (and ``neg`` when negative).

    Remembered per value: a page shows the same amounts at every render, and equal
    decimals (``1.0``, ``1.00``) format alike, since the amount is rounded first.

    Args:
        value: The amount (None: an empty cell).
        numbers: Fava's ``incognito`` filter (or :func:`shown`).
        language: The page's language (``sv`` or ``en``).

    Returns:
        The cell's markup.
    """
    negative = " neg" if value is not None and value < 0 else ""
    return AMOUNT_CELL.format(negative, numbers(format_amount(value, 0, language)))


@dataclass(frozen=True)
class Page:
    """What a template renders: labels, formatters, and either a view or a message.

    Attributes:
        t: The labels in the page's language.
        language: ``sv`` or ``en``.
        view: The page's figures (None when there is only a message).
        message: Why there are no figures (None when there are).
        notices: Warnings shown above the figures (errors in the books, configuration).
        period: The period shown.
        extra: Page-specific values (the entity list of the cooperative page).
        numbers: Fava's ``incognito`` filter: digits hidden in incognito mode.
        preliminary: The period's months that are not sealed (their figures may change).
    """

    t: dict[str, str]
    language: str
    view: Any = None
    message: str | None = None
    notices: tuple[str, ...] = ()
    period: Period | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    numbers: Callable[[str], str] = shown
    preliminary: tuple[str, ...] = ()

    def amount(self, value: Decimal | None, decimals: int = 0) -> str:
        """An amount in the page's language (:func:`coopledger.i18n.format_amount`)."""
        return format_amount(value, decimals, self.language)

    def sek(self, value: Decimal | None, decimals: int = 0) -> str:
        """An amount in kronor in the page's language."""
        return format_sek(value, decimals, self.language)

    def percent(self, value: Decimal | None, decimals: int = 1) -> str:
        """A ratio as a percentage in the page's language."""
        return format_percent(value, decimals, self.language)

    def date(self, value: datetime.date | str | None, width: str = "medium") -> str:
        """A date in the page's language (:func:`coopledger.i18n.format_date`):
        ``6 dec. 2026``, ``6 Dec 2026``.

        An ISO string (``2026-12-06``, as a library's row may hold) is read first;
        None or an empty string gives an empty string.
        """
        if isinstance(value, str):
            value = datetime.date.fromisoformat(value) if value else None
        return format_date(value, self.language, width)

    def time(self, value: datetime.date | None, width: str = "medium") -> Markup:
        """:meth:`date` as a ``time`` element that keeps the ISO date for programs."""
        if value is None:
            return Markup("")
        return TIME.format(value.isoformat(), format_date(value, self.language, width))

    def month(self, label: str, width: str = "short") -> str:
        """A month (``YYYY-MM``) in the page's language: ``okt. 2026``, ``Oct 2026``
        (``long``: ``oktober 2026``)."""
        return format_month(label, self.language, width)

    def months(self, labels: tuple[str, ...] | list[str]) -> str:
        """Months (``YYYY-MM``) in the page's language, separated by commas."""
        return ", ".join(format_month(label, self.language) for label in labels)

    def span(self, start: datetime.date, last: datetime.date) -> str:
        """The days from ``start`` to ``last`` (inclusive): ``1 jan.–30 nov. 2026``."""
        return format_span(start, last, self.language)

    def period_label(self, period: Period | None = None) -> str:
        """A period's label (default: the page's) in the page's language: Fava's filter
        as typed where it is no date (``2026``), its dates through Babel where it is
        (``oktober 2026``, ``K3 2026``, ``2026 (1 jan.–30 nov. 2026)``,
        :func:`coopledger.i18n.format_period`)."""
        period = period or self.period
        if period is None:
            return ""
        return format_period(period.label, period.start, period.last_day, self.language)

    def num(self, value: Decimal | None) -> Markup:
        """An amount's table cell, red when negative (one call per cell, no macro).

        The markup is the one a template would write for
        ``page.amount(value)|incognito`` in a ``td`` of class ``num`` (and ``neg``).
        """
        return amount_cell(value, self.numbers, self.language)

    def cell(self, value: Decimal | None, label: str) -> Markup:
        """An amount's cell that names its column (shown beside it on a narrow screen)."""
        negative = " neg" if value is not None and value < 0 else ""
        text = self.numbers(format_amount(value, 0, self.language))
        # LABELLED_CELL.format(negative, label, text), written directly: a page has
        # thousands of cells and Markup.format goes through string.Formatter per field;
        # escape() is what it applies to each (tests/fava_ext/test_format.py).
        return Markup(f'<td class="num {negative}" data-label="{escape(label)}">'  # noqa: S704
                      f"{escape(text)}</td>")  # every field escaped above

    def is_preliminary(self, month: str) -> bool:
        """Whether a month (``YYYY-MM``) of the period is not sealed yet."""
        return month in self.preliminary

    def label(self, key: str) -> str:
        """A label, or the key itself when it has none (entity codes, section titles)."""
        return self.t.get(key, key)

    def check_title(self, check: CheckResult) -> str:
        """A close check's title in the page's language."""
        return check.title_in(self.language)

    def check_details(self, check: CheckResult) -> list[str]:
        """What a close check found, one line each, in the page's language."""
        return check.details_in(self.language)

    def chart(self, chart: LineChart | BarChart) -> Markup:
        """A chart drawn in the page's language: its names through the labels, its
        numbers through Fava's incognito filter (:func:`coopledger.svgchart.svg`)."""
        return svg(chart, self.language, label=self.label, numbers=self.numbers)

    def negate(self, value: Decimal) -> Decimal:
        """The value with its sign turned (costs shown as positive amounts)."""
        return -value


class BoardPage(FavaExtensionBase):
    """Shared adapter for the four board pages (not itself an extension page).

    Subclasses set ``report_title`` (Swedish), ``title_key`` (its label, for the title in
    Fava's language) and implement :meth:`build`.
    """

    title_key = ""

    def __init__(self, ledger: FavaLedger, config: str | None = None) -> None:
        # Fava's own parsing lets a ValueError escape and stops the server; parse here.
        super().__init__(ledger, None)
        self.config, self.config_error = parse_config(config)
        #: The entries list of a load and its books (kept by the KEEPER page).
        self.loaded: tuple[object, Books] | None = None

    def after_load_file(self) -> None:
        """Title the page in the language of Fava's options (read at each load)."""
        if self.title_key:
            language = language_of(self.ledger.fava_options.language)
            self.report_title = labels(language)[self.title_key]

    def loaded_books(self) -> Books:
        """The books of Fava's current load, wrapped once for the four pages.

        They are kept by one page (:data:`KEEPER`) while its ledger holds that load.
        """
        ledger = self.ledger
        keeper = ledger.extensions.get_extension(KEEPER)
        owner = keeper if isinstance(keeper, BoardPage) else self
        loaded = owner.loaded
        if loaded is None or loaded[0] is not ledger.all_entries:
            # Fava types its entries with its own protocols; they are Beancount's own.
            entries: list[Any] = list(ledger.all_entries)
            options: Any = ledger.options
            loaded = (ledger.all_entries, books_from_entries(
                ledger.beancount_file_path, entries, list(ledger.errors), options))
            owner.loaded = loaded
        return loaded[1]

    def books(self, account: str, advanced: str) -> Books:
        """The books as Fava's account and advanced filters show them (cached per load)."""
        whole = self.loaded_books()
        if not account and not advanced.strip():
            return whole

        def filtered() -> Books:
            ledger = self.ledger
            shown: Any = ledger.get_filtered(account=account, filter=advanced, time="")
            return books_from_entries(whole.path, keep_transactions(whole.entries,
                                                                    shown.entries),
                                      whole.errors, whole.options)

        return whole.remember(("fava.filtered", account, advanced), filtered, keep=8)

    def period(self, books: Books, time: str) -> Period:
        """The period of Fava's time filter, or the whole books without one.

        Raises:
            CoopException: Fava cannot read the time filter.
        """
        if not time.strip():
            return whole_books_period(books)
        start, end = parse_date(time, self.ledger.fava_options.fiscal_year_end)
        if start is None or end is None:
            raise CoopException(Message.of("error.time_filter", time=repr(time)))
        return books_period(books, period_between(start, end, time.strip()))

    def build(self, books: Books, period: Period, page: Page) -> Page:
        """Build the page's figures (each page implements this)."""
        raise NotImplementedError

    def page(self) -> Page:
        """Read Fava's request and build the page, or a page with a readable message."""
        page = self.page_of_request()
        # Fava's incognito filter, for the amounts the page writes itself.
        numbers = current_app.jinja_env.filters.get("incognito", shown)
        return replace(page, numbers=numbers)

    def page_of_request(self) -> Page:
        """The page for Fava's request, before Fava's number filter is attached."""
        language = language_of(self.ledger.fava_options.language)
        base = Page(labels(language), language)
        notices = []
        if self.config_error:
            notices.append(f"coopledger.fava_ext: {self.config_error.text(language)}")
        args = request.args
        try:
            books = self.books(args.get("account", ""), args.get("filter", ""))
            if books.errors:
                notices.append(base.t["errors"].format(n=len(books.errors)))
            period = self.period(books, args.get("time", ""))
            base = Page(base.t, language, notices=tuple(notices), period=period,
                        preliminary=preliminary_months(books, period))
            built = self.build(books, period, base)
            return replace(built, preliminary=base.preliminary)
        except CoopException as exc:
            return Page(base.t, language, message=exc.text(language), notices=tuple(notices))
        except FilterError as exc:  # Fava's own words, under the catalogue's heading
            return Page(base.t, language, notices=tuple(notices), message=message(
                language, "error.filter", error=str(getattr(exc, "message", exc))))
        except Exception as exc:  # the page shows the fault instead of a server error
            log.exception("coopledger page %s failed", self.name)
            return Page(base.t, language, notices=tuple(notices), message=message(
                language, "error.page", error=f"{type(exc).__name__}: {exc}"))
