"""The VAT return (momsdeklaration, SKV 4700) of one taxable person, and its settlement.

The return is computed from the books: every posting of the taxable person's entities in
the VAT period, on an account that a box takes, counts in that box. Which box an account
feeds follows from its BAS number (:func:`box_of`), or from ``vat-box`` metadata on its
``open`` directive (``vat-box: "05"``, or ``"none"``), which wins. Boxes are reported in
whole kronor with the öre dropped (towards zero, never rounded up; the sources are in
docs/vat.md, "Whole kronor"); box 49 is the output VAT boxes minus box 48, from the
reported boxes.

Sales between entities of one taxable person (the umbrella and its units) are not sales
and count in no box; the settlement entries themselves, and carried opening balances,
count in none either.

At the end of each VAT period the close books the settlement (:func:`settlement_entries`):
every VAT account's movement of the period moves to the head entity's BAS 2650, which is
credited with box 49 in whole kronor; the öre difference goes to BAS 3740.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from beancount.core import data
from beancount.core.amount import Amount

from coopledger.books import Books
from coopledger.entities import Entity, VatPeriod, VatSales, entity_of
from coopledger.errors import CoopException
from coopledger.filings import TaxablePerson, taxable_person, taxable_persons
from coopledger.filings.boxes import (
    BOX_BY_NUMBER,
    BOX_KEY,
    BOXES,
    INPUT_BOX,
    OUTPUT_BOXES,
    PAYABLE_BOX,
    SALES_BOXES,
    SETTLEMENT_BAS,
    Box,
    box_of,
    is_vat_account,
)
from coopledger.i18n import Message
from coopledger.periods import Period, fiscal_year_of, month_period, parse_period
from coopledger.seals import sealed_months

GENERATED_BY = "coopledger.filings.vat"
ROUNDING_BAS = "3740"
ZERO = Decimal(0)


@dataclass(frozen=True)
class Trace:
    """One posting counted in a box: where it is and how much it adds."""

    date: datetime.date
    account: str
    amount: Decimal
    narration: str
    filename: str
    lineno: int


@dataclass
class BoxValue:
    """A box's amount, exact and in whole kronor, with the postings it comes from."""

    box: Box
    exact: Decimal = ZERO
    accounts: dict[str, Decimal] = field(default_factory=dict)
    traces: list[Trace] = field(default_factory=list)

    @property
    def kronor(self) -> Decimal:
        """The amount as reported: whole kronor, öre dropped (99.99 is 99, -0.50 is 0)."""
        reported = self.exact.quantize(Decimal(1), rounding=ROUND_DOWN)
        return reported if reported else ZERO  # never "-0" in a return


@dataclass(frozen=True)
class VatReturn:
    """One taxable person's VAT return for one VAT period.

    Attributes:
        person: The taxable person.
        period: The VAT period.
        boxes: Box number to value, for every box with an amount (49 always).
    """

    person: TaxablePerson
    period: Period
    boxes: dict[str, BoxValue]

    @property
    def payable(self) -> Decimal:
        """Box 49 in whole kronor: output VAT minus input VAT (negative: to get back)."""
        return self.boxes[PAYABLE_BOX].exact

    @property
    def eskd_period(self) -> str:
        """The return's period as eSKD writes it: the last month, ``YYYYMM``."""
        return f"{self.period.last_day:%Y%m}"


def _sign(box: str) -> Decimal:
    # Income and liabilities are credits (negative); a return shows them positive.
    return Decimal(1) if box == INPUT_BOX else Decimal(-1)


def _internal(entry: data.Transaction, codes: frozenset[str]) -> bool:
    """Whether an entry only moves money between entities of one taxable person."""
    touched = {entity_of(p.account) for p in entry.postings
               if (p.meta or {}).get("generated-by") != "coopledger.clearing"}
    return len(touched) > 1 and touched <= codes


def _counts(entry: data.Transaction) -> bool:
    meta = entry.meta or {}
    return meta.get("generated-by") != GENERATED_BY and "opening-balances" not in meta


def compute_return(books: Books, person: TaxablePerson, period: Period,
                   transactions: Iterable[data.Transaction] | None = None) -> VatReturn:
    """The boxes of a taxable person's return for a period, traced to their postings.

    Args:
        books: The books (accounts and their BAS numbers).
        person: The taxable person.
        period: The VAT period.
        transactions: The transactions to read (default: the books'); the close passes
            the books' and the month's computed entries not yet written.

    Returns:
        The return; box 49 is always present.
    """
    codes = person.codes
    boxes: dict[str, BoxValue] = {}
    feeds: dict[str, str | None] = {}
    for entry in books.transactions if transactions is None else transactions:
        if entry.date not in period or not _counts(entry):
            continue
        internal: bool | None = None
        for posting in entry.postings:
            if entity_of(posting.account) not in codes or posting.units is None:
                continue
            account = posting.account
            if account not in feeds:
                opened = books.opens.get(account)
                feeds[account] = box_of(books.bas(account),
                                        opened.meta.get(BOX_KEY) if opened else None)
            box = feeds[account]
            if box is None or posting.units.number is None:
                continue
            if box in SALES_BOXES:
                internal = _internal(entry, codes) if internal is None else internal
                if internal:
                    continue
            amount = _sign(box) * posting.units.number
            value = boxes.setdefault(box, BoxValue(BOX_BY_NUMBER[box]))
            value.exact += amount
            value.accounts[account] = value.accounts.get(account, ZERO) + amount
            value.traces.append(Trace(entry.date, account, amount, entry.narration or "",
                                      str(entry.meta.get("filename", "")),
                                      int(entry.meta.get("lineno", 0) or 0)))
    payable = sum((boxes[b].kronor for b in OUTPUT_BOXES if b in boxes), ZERO)
    if INPUT_BOX in boxes:
        payable -= boxes[INPUT_BOX].kronor
    boxes[PAYABLE_BOX] = BoxValue(BOX_BY_NUMBER[PAYABLE_BOX], payable)
    ordered = {b.number: boxes[b.number] for b in BOXES if b.number in boxes}
    return VatReturn(person, period, ordered)


def vat_period_of(head: Entity, date: datetime.date) -> Period:
    """The VAT period of a taxable person's head that a date falls in.

    Quarters are calendar quarters; a yearly return covers the fiscal year.
    """
    if head.vat_period is VatPeriod.MONTH:
        return month_period(date.year, date.month)
    if head.vat_period is VatPeriod.QUARTER:
        first = (date.month - 1) // 3 * 3 + 1
        start = month_period(date.year, first)
        return Period(start.start, month_period(date.year, first + 2).end,
                      f"{date.year}-Q{(first + 2) // 3}")
    return fiscal_year_of(date, head.fiscal_year_start)


def filing_period(head: Entity, text: str) -> Period:
    """Read a VAT period for a taxable person, refusing one that is not its VAT period.

    Raises:
        CoopException: The text is not a period, or not one of the head's VAT periods.
    """
    fiscal = head.vat_period is VatPeriod.YEAR
    period = parse_period(text, head.fiscal_year_start if fiscal else 1)
    expected = vat_period_of(head, period.start)
    if (expected.start, expected.end) != (period.start, period.end):
        raise CoopException(f"{head.code} files VAT by {head.vat_period.value} "
                            f"(vat-period); {text} is not one of its VAT periods, "
                            f"ask for {expected.label}")
    return expected


def _unsealed(books: Books, period: Period) -> list[str]:
    sealed = sealed_months(books)
    return [m.label for m in period.months() if m.label not in sealed]


def vat_return(books: Books, code: str, text: str) -> VatReturn:
    """The VAT return an entity files for a period, refusing what cannot be filed.

    Args:
        books: The books.
        code: The entity (a unit gives its umbrella's return).
        text: The period: ``2026-10``, ``2026-Q3`` or ``2026``.

    Returns:
        The return.

    Raises:
        CoopException: Unknown entity, no orgnr, sales exempt from VAT (no registration),
            a period that is not the entity's VAT period, or a month of it not closed.
    """
    person = taxable_person(books.entities, code)
    head = person.head
    if head.orgnr is None:
        raise CoopException(f"{head.code} has no orgnr: declare it on its coop-entity "
                            "before filing")
    if head.vat_sales is VatSales.EXEMPT:
        raise CoopException(f"{head.code}'s sales are exempt from VAT (vat-sales): it is "
                            "not registered for VAT and files no return")
    period = filing_period(head, text)
    open_months = _unsealed(books, period)
    if open_months:
        raise CoopException(f"{period.label} is not closed ({', '.join(open_months)} still "
                            "open): close it first, the settlement is booked by the close")
    return compute_return(books, person, period)


def settlement_entry(books: Books, person: TaxablePerson, period: Period,
                     transactions: Iterable[data.Transaction]) -> data.Transaction | None:
    """The entry settling a VAT period: VAT accounts to 2650, öre to 3740.

    Args:
        books: The books (accounts by BAS number).
        person: The taxable person.
        period: Its VAT period.
        transactions: Every transaction of the period (booked and about to be).

    Returns:
        The entry, or None when no VAT account moved.

    Raises:
        CoopException: The head entity has no open 2650 or 3740.
    """
    vat_return = compute_return(books, person, period, transactions)
    moved: dict[str, Decimal] = {}
    for number in (*OUTPUT_BOXES, INPUT_BOX):
        value = vat_return.boxes.get(number)
        for account, amount in (value.accounts.items() if value else ()):
            moved[account] = moved.get(account, ZERO) + _sign(number) * amount
    moved = {a: n for a, n in sorted(moved.items()) if n}
    if not moved:
        return None
    payable = vat_return.payable
    rounding = sum(moved.values(), ZERO) + payable
    head, currency = person.code, books.operating_currency
    postings = [_posting(account, -amount, currency) for account, amount in moved.items()]
    postings.append(_posting(_account(books, head, SETTLEMENT_BAS), -payable, currency))
    if rounding:
        postings.append(_posting(_account(books, head, ROUNDING_BAS), rounding, currency))
    meta = data.new_metadata(f"<{GENERATED_BY}>", 0, {
        "coop-id": f"vat:{period.label}:{head}", "generated-by": GENERATED_BY,
        "vat-period": period.label, "box-49": payable})
    return data.Transaction(meta, period.last_day, "*", "Skatteverket",
                            f"Momsredovisning {period.label}", frozenset(),
                            frozenset({f"vat-{period.label}"}), postings)


def _posting(account: str, number: Decimal, currency: str) -> data.Posting:
    return data.Posting(account, Amount(number, currency), None, None, None, None)


def _account(books: Books, code: str, bas: str) -> str:
    for account in books.accounts_of(code):
        if books.bas(account) == bas:
            return account
    raise CoopException(f"entity {code} has no open account with bas: \"{bas}\"; open it "
                        "before the VAT settlement is booked")


def settlement_entries(books: Books, month: Period,
                       pending: Iterable[data.Transaction] = ()) -> list[data.Transaction]:
    """The VAT settlements due at the end of a month, one per taxable person.

    Args:
        books: The books.
        month: The month being closed.
        pending: Computed entries of the month that the close writes with them.

    Returns:
        The settlement of every VAT-registered taxable person whose VAT period ends
        with the month and whose settlement is not booked yet.
    """
    booked = {str(e.meta.get("coop-id")) for e in books.transactions
              if e.meta.get("generated-by") == GENERATED_BY}
    transactions = [*books.transactions, *pending]
    entries = []
    for person in taxable_persons(books.entities):
        head = person.head
        if head.vat_sales is VatSales.EXEMPT or head.start > month.last_day:
            continue
        period = vat_period_of(head, month.start)
        if period.end != month.end or f"vat:{period.label}:{head.code}" in booked:
            continue
        entry = settlement_entry(books, person, period, transactions)
        if entry is not None:
            entries.append(entry)
    return entries


def _exempt(entities: Mapping[str, Entity], code: str, known: dict[str, bool]) -> bool:
    # Whether the entity's taxable person sells exempt from VAT (once per entity).
    if code not in known:
        known[code] = taxable_person(entities, code).head.vat_sales is VatSales.EXEMPT
    return known[code]


def unboxed_vat(books: Books, start: datetime.date, end: datetime.date,
                ) -> list[tuple[data.Transaction, str, Decimal, Message]]:
    """VAT postings of a month that no box of any return takes.

    A posting on a VAT account (BAS 2600-2699 but 2650) is unboxed when its account
    feeds no box, or when its entity's taxable person is not registered for VAT (its
    sales are exempt).

    Returns:
        ``(entry, account, amount, why)`` for each such posting; ``why`` is the
        catalogue's message (``vat.no_box``, ``vat.exempt``).
    """
    entities: Mapping[str, Entity] = books.entities
    exempt: dict[str, bool] = {}  # by entity: its taxable person's sales are exempt
    found = []
    for entry in books.transactions:
        if not start <= entry.date < end or not _counts(entry):
            continue
        for posting in entry.postings:
            bas = books.bas(posting.account)
            if not is_vat_account(bas) or posting.units is None:
                continue
            code = entity_of(posting.account)
            opened = books.opens.get(posting.account)
            box = box_of(bas, opened.meta.get(BOX_KEY) if opened else None)
            number = posting.units.number or ZERO
            if box is None or box in SALES_BOXES:
                found.append((entry, posting.account, number, Message.of("vat.no_box")))
            elif code is not None and code in entities and _exempt(entities, code, exempt):
                found.append((entry, posting.account, number,
                              Message.of("vat.exempt", code=code)))
    return found
