"""Reminders: late-payment interest (räntelagen) and fees (lag 1981:739) on overdue invoices.

Interest runs from the day after the due date at the Riksbank's reference rate plus eight
percentage points (räntelagen 6 §); the reference rate is set for each calendar half-year
(9 §), so the interest of a period is summed day by day over the half-years it spans, on
the unpaid principal, actual days over 365, rounded to the öre. Interest already charged
by an earlier reminder is not charged again (it runs from that reminder's date), and no
interest is charged on interest or fees (payments are applied to the principal first).

A reminder fee (:data:`REMINDER_FEE`, 60 SEK) is charged only where the seller has agreed
it with the customer beforehand (``reminder-fee: TRUE`` on ``coop-invoicing``); between
businesses, a flat late-payment compensation (:data:`COMPENSATION`, 450 SEK, lag
1981:739 4 a §) may be charged once per invoice. Both are outside the scope of VAT.

The reminder is booked on the invoice's receivable (1510, naming the invoice, so the
customer's payment with the same OCR settles it) against 8313 Ränteintäkter
kundfordringar and 3990 Övriga ersättningar och intäkter.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from beancount.core import data

from coopledger.books import Books
from coopledger.errors import CoopException
from coopledger.invoicing.invoice import RECEIVABLE_BAS, link_of
from coopledger.invoicing.receivables import OpenItem
from coopledger.money import ZERO, round_ore
from coopledger.services.entries import AccountIndex, Line, make_transaction

GENERATED_BY = "coopledger.invoicing.reminders"
INTEREST_BAS = "8313"
FEE_BAS = "3990"
REMINDER_FEE = Decimal("60.00")
COMPENSATION = Decimal("450.00")
#: Percentage points above the reference rate (räntelagen 6 §).
MARGIN = Decimal(8)
#: The Riksbank's reference rate (räntelagen 9 §) by the first day of its half-year:
#: the policy rate at the end of the previous half-year, rounded up to a half point.
#: Re-check against the Riksbank's decision each January and July.
REFERENCE_RATES: tuple[tuple[datetime.date, Decimal], ...] = (
    (datetime.date(2024, 1, 1), Decimal("4.00")),
    (datetime.date(2024, 7, 1), Decimal("4.00")),
    (datetime.date(2025, 1, 1), Decimal("2.50")),
    (datetime.date(2025, 7, 1), Decimal("2.00")),
    (datetime.date(2026, 1, 1), Decimal("2.00")),
    (datetime.date(2026, 7, 1), Decimal("2.00")),
)


def reference_rate(date: datetime.date) -> Decimal:
    """The reference rate in force on ``date``.

    Raises:
        CoopException: ``date`` is before the table or after its last half-year.
    """
    found = None
    for start, rate in REFERENCE_RATES:
        if start <= date:
            found = rate
    last = REFERENCE_RATES[-1][0]
    end = datetime.date(last.year + (last.month == 7), 1 if last.month == 7 else 7, 1)
    if found is None or date >= end:
        raise CoopException(f"no reference rate for {date}: add the Riksbank's rate for its "
                            "half-year to coopledger.invoicing.reminders.REFERENCE_RATES")
    return found


def late_interest(principal: Decimal, start: datetime.date, end: datetime.date) -> Decimal:
    """Late-payment interest on ``principal`` for the days after ``start`` up to ``end``.

    Args:
        principal: The unpaid amount.
        start: The due date (or the date interest was last charged to).
        end: The last day interest runs to (inclusive).

    Returns:
        The interest, rounded to the öre half up; zero when ``end`` is not after ``start``.
    """
    if end <= start or principal <= 0:
        return ZERO
    total = ZERO
    day = start + datetime.timedelta(days=1)
    while day <= end:
        rate = reference_rate(day) + MARGIN
        # Run to the end of this half-year or to ``end``, whichever comes first.
        half_end = datetime.date(day.year, 6, 30) if day.month <= 6 else datetime.date(
            day.year, 12, 31)
        last = min(half_end, end)
        days = (last - day).days + 1
        total += principal * rate / 100 * days / 365
        day = last + datetime.timedelta(days=1)
    return total.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Reminder:
    """A reminder on one overdue invoice.

    Attributes:
        entity: The seller.
        invoice: The invoice number.
        date: The reminder date.
        principal: The unpaid principal interest runs on.
        interest_from: The day interest was last charged to (or the due date).
        interest: The interest charged now.
        rate: The rate charged, percent a year (on the reminder date).
        fee: The reminder fee and any compensation charged now.
    """

    entity: str
    invoice: str
    date: datetime.date
    principal: Decimal
    interest_from: datetime.date
    interest: Decimal
    rate: Decimal
    fee: Decimal

    @property
    def number(self) -> str:
        """The reminder's id."""
        return f"{self.invoice}-P{self.date:%Y%m%d}"

    @property
    def charged(self) -> Decimal:
        """Interest plus fees."""
        return self.interest + self.fee


def _charges(books: Books, entity: str, invoice: str) -> list[data.Transaction]:
    return [e for e in books.transactions
            if e.meta.get("generated-by") == GENERATED_BY and e.meta.get("seller") == entity
            and e.meta.get("invoice") == invoice]


def reminder_for(books: Books, item: OpenItem, date: datetime.date, *,
                 reminder_fee: bool, compensation: bool = False) -> Reminder | None:
    """The reminder an overdue item gets on ``date``, or None if nothing is due.

    Args:
        books: The books (for earlier reminders on the same invoice).
        item: The open item (a customer invoice).
        date: The reminder date.
        reminder_fee: A reminder fee is agreed with the customer.
        compensation: Charge the 450 SEK compensation (a business customer), once.

    Returns:
        The reminder, or None when the item is not overdue or has nothing unpaid.
    """
    if item.invoice is None or item.days_overdue(date) <= 0:
        return None
    earlier = _charges(books, item.entity, item.invoice)
    charged = sum((Decimal(e.meta["charged"]) for e in earlier), ZERO)
    principal = item.balance - charged
    if principal <= 0:
        return None
    start = max([item.due, *(e.date for e in earlier)])
    interest = late_interest(principal, start, date)
    fee = REMINDER_FEE if reminder_fee else ZERO
    if compensation and not any("compensation" in e.meta for e in earlier):
        fee += COMPENSATION
    if any(e.date == date for e in earlier):
        return None
    return Reminder(item.entity, item.invoice, date, principal, start, interest,
                    reference_rate(date) + MARGIN, round_ore(fee))


def reminder_entry(books: Books, reminder: Reminder, payee: str,
                   compensation: bool) -> data.Transaction:
    """The entry booking a reminder's interest and fees on the invoice's receivable.

    Raises:
        CoopException: The entity has not opened 1510, 8313 or 3990.
    """
    index = AccountIndex(books)
    lines = [Line(index.get(reminder.entity, RECEIVABLE_BAS), reminder.charged,
                  {"invoice": reminder.invoice})]
    if reminder.interest:
        lines.append(Line(index.get(reminder.entity, INTEREST_BAS), -reminder.interest))
    if reminder.fee:
        lines.append(Line(index.get(reminder.entity, FEE_BAS), -reminder.fee))
    meta: dict[str, object] = {
        "seller": reminder.entity, "invoice": reminder.invoice, "reminder": reminder.number,
        "charged": str(reminder.charged), "interest-from": reminder.interest_from,
        "rate": str(reminder.rate), "principal": str(reminder.principal)}
    if compensation:
        meta["compensation"] = str(COMPENSATION)
    return make_transaction(
        date=reminder.date, payee=payee, narration=f"Påminnelse {reminder.number}",
        coop_id=f"reminder:{reminder.entity}:{reminder.number}", generated_by=GENERATED_BY,
        link=link_of(reminder.entity, reminder.invoice), meta=meta, lines=lines,
        currency=books.operating_currency)
