"""What every generated service entry shares: accounts by BAS, ids, dedup, rendering.

Each computed transaction carries three things that make it reviewable and idempotent:

- ``generated-by``: the module that computed it (``"coopledger.services.fees"``);
- ``coop-id``: a stable id (``"fee:2026-10:Kafe"``): a second run recognises the entry
  by it and writes nothing new;
- a link tying it to its month (``^services-2026-10``, ``^payroll-2026-10``).
"""

from __future__ import annotations

import datetime
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from beancount.core import data
from beancount.core.amount import Amount
from beancount.parser import parser, printer

from coopledger.entities import entity_of
from coopledger.errors import CoopException
from coopledger.periods import Period

if TYPE_CHECKING:
    from coopledger.books import Books

ID_KEY = "coop-id"
GENERATED_KEY = "generated-by"


@dataclass(frozen=True)
class Line:
    """One posting of a generated entry: account, signed amount, optional metadata."""

    account: str
    amount: Decimal
    meta: dict[str, Any] | None = None


class AccountIndex:
    """Find an entity's opened account by BAS number (from the ``bas`` open metadata)."""

    def __init__(self, books: Books) -> None:
        self._by_bas: dict[tuple[str, str], str] = {}
        for account, entry in sorted(books.opens.items()):
            bas = entry.meta.get("bas")
            code = entity_of(account)
            if bas is not None and code is not None:
                self._by_bas.setdefault((code, str(bas)), account)

    def get(self, entity: str, bas: str) -> str:
        """The account of ``entity`` with BAS number ``bas``.

        Raises:
            CoopException: The entity has no open account with that BAS number.
        """
        try:
            return self._by_bas[(entity, bas)]
        except KeyError:
            raise CoopException(
                f"entity {entity} has no open account with bas: \"{bas}\"; open it (see "
                "coopledger.chart) before generating service entries") from None

    def find(self, entity: str, bas: str) -> str | None:
        """The account, or None if the entity has none with that BAS number."""
        return self._by_bas.get((entity, bas))


def month_link(kind: str, period: Period) -> str:
    """The link tying generated entries to their month, e.g. ``services-2026-10``."""
    return f"{kind}-{period.label}"


def make_transaction(*, date: datetime.date, payee: str, narration: str, coop_id: str,
                     generated_by: str, link: str, meta: dict[str, Any],
                     lines: Sequence[Line], currency: str) -> data.Transaction:
    """A generated transaction with provenance metadata, its id and its month's link.

    Args:
        date: The entry date.
        payee: The counterparty.
        narration: What the entry is.
        coop_id: The stable id a second run recognises.
        generated_by: The computing module.
        link: The month's link.
        meta: Further metadata explaining the computation.
        lines: The postings.
        currency: The currency of every posting.

    Returns:
        The transaction.
    """
    full = {ID_KEY: coop_id, GENERATED_KEY: generated_by, **meta}
    postings = [data.Posting(line.account, Amount(line.amount, currency), None, None,
                             None, dict(line.meta) if line.meta else None)
                for line in lines]
    return data.Transaction(data.new_metadata(f"<{generated_by}>", 0, full), date, "*",
                            payee, narration, frozenset(), frozenset({link}), postings)


def posting_number(posting: data.Posting) -> Decimal | None:
    """A posting's number, or None when Beancount left it to interpolation."""
    return posting.units.number if posting.units is not None else None


def _own_postings(entry: data.Transaction) -> dict[str, Decimal]:
    """The entry's postings by account, ignoring clearing postings the plugin added."""
    sums: dict[str, Decimal] = {}
    for posting in entry.postings:
        if posting.meta and posting.meta.get(GENERATED_KEY) == "coopledger.clearing":
            continue
        number = posting_number(posting)
        if number is None:
            continue
        sums[posting.account] = sums.get(posting.account, Decimal(0)) + number
    return sums


@dataclass(frozen=True)
class Stale:
    """A computed entry whose id is already booked with different amounts."""

    coop_id: str
    booked: data.Transaction
    computed: data.Transaction

    def message(self) -> str:
        """One line for the user: what differs and what to do."""
        where = self.booked.meta.get("filename"), self.booked.meta.get("lineno")
        return (f"{self.coop_id} is already booked ({where[0]}:{where[1]}) with other amounts "
                f"than computed now; book a correction by hand if the difference is real")


def split_new(books: Books, computed: Iterable[data.Transaction],
              ) -> tuple[list[data.Transaction], list[Stale]]:
    """Leave out computed entries whose ``coop-id`` is already in the books.

    Args:
        books: The books.
        computed: Freshly computed entries.

    Returns:
        The entries still to write, and the already booked ones whose amounts differ.
    """
    booked = {str(e.meta[ID_KEY]): e for e in books.transactions if ID_KEY in e.meta}
    new: list[data.Transaction] = []
    stale: list[Stale] = []
    seen: set[str] = set()
    for entry in computed:
        coop_id = str(entry.meta[ID_KEY])
        if coop_id in seen:
            continue
        seen.add(coop_id)
        old = booked.get(coop_id)
        if old is None:
            new.append(entry)
        elif _own_postings(old) != _own_postings(entry):
            stale.append(Stale(coop_id, old, entry))
    return new, stale


def check_open(books: Books, entries: Iterable[data.Transaction]) -> None:
    """Refuse entries that post to an account the books do not open on their date.

    Raises:
        CoopException: Names the first such account and entry.
    """
    for entry in entries:
        for posting in entry.postings:
            opened = books.opens.get(posting.account)
            if opened is None or opened.date > entry.date:
                raise CoopException(
                    f"{entry.meta[ID_KEY]}: account {posting.account} is not open on "
                    f"{entry.date}; open it before generating this entry")


def render(entries: Sequence[data.Transaction]) -> str:
    """Beancount text for generated entries, checked to re-parse to the same numbers.

    Raises:
        CoopException: The text does not read back identically (a printer problem).
    """
    text = "\n".join(printer.format_entry(e) for e in entries)
    parsed, errors, _ = parser.parse_string(text)
    back = [e for e in parsed if isinstance(e, data.Transaction)]
    same = len(back) == len(entries) and all(
        [(p.account, posting_number(p)) for p in a.postings]
        == [(p.account, posting_number(p)) for p in b.postings]
        and a.meta.get(ID_KEY) == b.meta.get(ID_KEY)
        for a, b in zip(back, entries, strict=True))
    if errors or not same:
        raise CoopException("generated entries do not read back as written; nothing was "
                            "written (please report this)")
    return text


def file_header(title: str) -> str:
    """The comment at the top of a generated month file."""
    return textwrap.dedent(f"""\
        ; {title}
        ; Written by coopledger; entries carry coop-id and are never rewritten.
        ; Corrections are new entries, dated in an open period.

        """)


def parse_weights(text: str) -> dict[str, Decimal]:
    """Read ``"Kafe:3 Stad:5.5"`` into entity code to weight.

    Raises:
        ValueError: A token is not ``Code:number``, a weight is negative, or a code repeats.
    """
    weights: dict[str, Decimal] = {}
    for token in text.replace(",", " ").split():
        code, sep, number = token.partition(":")
        try:
            value = Decimal(number) if sep else None
        except ArithmeticError:
            value = None
        if value is None or not code or not value.is_finite() or value < 0:
            raise ValueError(f"{token!r} is not Code:weight (like Kafe:3)")
        if code in weights:
            raise ValueError(f"{code} is weighted twice")
        weights[code] = value
    if not weights:
        raise ValueError("no weights given")
    return weights
