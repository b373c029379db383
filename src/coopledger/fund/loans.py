"""Loan and fund declarations: the terms of every loan, and the rules of the fund.

A loan is declared once, on the day it starts (the day interest starts to run)::

    2025-03-01 custom "coop-loan" "L-2025-01"
      lender: "Fonden"
      borrower: "Kafe"
      principal: "200000.00"
      currency: "SEK"
      rate: "4.50"
      term: 36
      frequency: "monthly"
      amortization: "annuity"
      day-count: "ACT/365"
      first-due: 2025-03-31
      ocr: "20250100"

``rate`` is the annual rate **in percent**, a plain decimal: ``"4.50"`` is 4.5 % a year.
``"4,5 %"``, ``"4.5%"`` and ``"0.045"`` written as a fraction are not guessed at: a comma
or a percent sign is an error, the number is always percent, and a rate above 0 but
below 0.1 (%) is refused as a fraction written by mistake. ``term`` is the number
of instalments; ``maturity`` (the last due date) may be given instead.

Later declarations refine a loan from their date on: ``coop-loan-rate`` (a new annual
rate), ``coop-loan-reschedule`` (new terms for the principal then outstanding). The fund's
rules: ``coop-provision`` (loan-loss provision percentages by days past due) and
``coop-capital-rule`` (withdrawals of members' capital).
"""

from __future__ import annotations

import calendar
import datetime
import re
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from dateutil.relativedelta import relativedelta
from pydantic import field_validator, model_validator

from coopledger.declarations import Declaration, declaration

LOAN_ID = re.compile(r"^[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*$")
ALLOCATION_PARTS = ("fees", "interest", "principal")


class Amortization(StrEnum):
    """How principal is repaid: equal instalments (annuity) or equal principal parts."""

    ANNUITY = "annuity"
    EQUAL_PRINCIPAL = "equal-principal"


class DayCount(StrEnum):
    """Day-count conventions: ACT/365 Fixed, ACT/360 and 30/360 (ISDA bond basis)."""

    ACT_365 = "ACT/365"
    ACT_360 = "ACT/360"
    THIRTY_360 = "30/360"


class Frequency(StrEnum):
    """How often an instalment falls due."""

    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    SEMIANNUAL = "semiannual"
    ANNUAL = "annual"

    @property
    def months(self) -> int:
        """The number of months between two due dates."""
        return {"monthly": 1, "quarterly": 3, "semiannual": 6, "annual": 12}[self.value]


class Overpayment(StrEnum):
    """What may happen to a payment above everything owed on a loan."""

    REFUSE = "refuse"  # an error in the books
    HOLD = "hold"  # kept as a credit on the loan account, owed back to the borrower


def parse_rate(value: Any) -> Decimal:
    """An annual rate in percent, from ``"4.50"`` or an unquoted ``4.50``.

    Raises:
        ValueError: A comma, a percent sign, a float-like or negative value; the message
            shows the one accepted form.
    """
    form = 'write the annual rate in percent as a plain decimal, e.g. rate: "4.50" for 4.5 %'
    if isinstance(value, bool) or not isinstance(value, str | Decimal | int):
        raise ValueError(f"{form}; got {value!r}")
    text = str(value).strip()
    if "," in text or "%" in text or not text:
        raise ValueError(f"{form}; got {value!r}")
    try:
        rate = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{form}; got {value!r}") from None
    if not rate.is_finite() or rate < 0 or rate >= 100:
        raise ValueError(f"rate {text} is not a percentage from 0 to below 100")
    if 0 < rate < Decimal("0.1"):
        raise ValueError(f"rate {text} looks like a fraction, but the rate is in percent: "
                         f'write "{rate * 100}" for {rate * 100} % (rates from 0 to 0.1 % are '
                         "refused as likely mistakes)")
    return rate


def parse_money(value: Any, what: str) -> Decimal:
    """A positive amount in whole öre from ``"200000.00"`` or an unquoted number."""
    if isinstance(value, bool) or not isinstance(value, str | Decimal | int):
        raise ValueError(f"{what} must be an amount like \"200000.00\"; got {value!r}")
    text = str(value).strip()
    if "," in text or " " in text or not text:
        raise ValueError(f"{what} must be a plain decimal amount like \"200000.00\" "
                         f"(no comma, no spaces); got {value!r}")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{what} is not an amount: {value!r}") from None
    if not amount.is_finite() or amount <= 0:
        raise ValueError(f"{what} must be positive; got {text}")
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError(f"{what} {text} has more than two decimals (whole öre only)")
    return amount


def _amount_number(value: Any) -> Any:
    # ``principal: 200000.00 SEK`` reaches us as a Beancount Amount.
    number = getattr(value, "number", None)
    return number if number is not None and hasattr(value, "currency") else value


def due_date(first_due: datetime.date, index: int, months: int) -> datetime.date:
    """The due date of instalment ``index`` (0 = the first), counted from the first.

    A first due date at a month's end keeps every due date at a month's end (31 Jan,
    28/29 Feb, 31 Mar); otherwise the same day of the month, clipped to short months.
    """
    # ``first_due + relativedelta(months=index * months)`` (then ``day=31`` at a month's
    # end), in plain arithmetic: a schedule asks for every instalment's date.
    counted = first_due.month - 1 + index * months
    year, month = first_due.year + counted // 12, counted % 12 + 1
    last_day = calendar.monthrange(year, month)[1]
    if (first_due + datetime.timedelta(days=1)).day == 1:
        return datetime.date(year, month, last_day)
    return datetime.date(year, month, min(first_due.day, last_day))


class _Terms(Declaration):
    """Fields shared by a loan and a reschedule."""

    term: int | None = None
    maturity: datetime.date | None = None
    first_due: datetime.date | None = None
    grace_principal: int = 0

    @field_validator("term", "grace_principal", mode="before")
    @classmethod
    def _whole(cls, value: Any) -> Any:
        if isinstance(value, Decimal) and value == value.to_integral_value():
            return int(value)
        return value

    def _check_terms(self, months: int, start: datetime.date) -> None:
        if self.term is None and self.maturity is None:
            raise ValueError("give the number of instalments (term) or the last due date "
                             "(maturity)")
        if self.term is not None and self.maturity is not None:
            raise ValueError("give term or maturity, not both")
        if self.maturity is not None and self.maturity <= start:
            raise ValueError(f"maturity {self.maturity} is not after the start {start}")
        if self.first_due is not None and self.first_due <= start:
            raise ValueError(f"first-due {self.first_due} is not after the start {start}")
        if self.term is not None and not 1 <= self.term <= 600:
            raise ValueError(f"term must be 1 to 600 instalments; got {self.term}")
        first = self.first_due or start + relativedelta(months=months)
        if self.maturity is not None and self.maturity < first:
            raise ValueError(f"maturity {self.maturity} is before the first due date {first}")
        count = self.count(months, start)
        if not 0 <= self.grace_principal < count:
            raise ValueError(f"grace-principal must be 0 to {count - 1} instalments")

    def first(self, months: int, start: datetime.date) -> datetime.date:
        """The first due date: declared, or one period after the start."""
        if self.first_due is not None:
            return self.first_due
        first: datetime.date = start + relativedelta(months=months)
        return first

    def count(self, months: int, start: datetime.date) -> int:
        """The number of instalments, from the term or counted up to the maturity."""
        if self.term is not None:
            return self.term
        if self.maturity is None:  # not valid; _check_terms says why
            return 0
        first = self.first(months, start)
        count = 0
        while due_date(first, count, months) <= self.maturity:
            count += 1
        return count


@declaration("coop-loan")
class Loan(_Terms):
    """A loan from the fund (or a member) to a member cooperative.

    Attributes:
        id: The loan id, ASCII, used as the link ``^L-2025-01`` on every movement.
        date: The start: the schedule and the interest run from this day.
        lender: Entity code of the lender (the fund or a member).
        borrower: Entity code of the borrowing member.
        principal: The amount lent, in whole öre.
        currency: The loan's currency.
        rate: Annual rate in percent (``"4.50"``).
        term: Number of instalments (or ``maturity``, the last due date).
        frequency: monthly, quarterly, semiannual or annual.
        amortization: annuity or equal-principal.
        day_count: ACT/365, ACT/360 or 30/360.
        grace_principal: Number of first instalments that pay interest only.
        first_due: The first due date (default: one period after the start).
        ocr: The OCR reference the borrower pays with (digits, Luhn check digit).
        allocation: Order a payment settles fees, interest and principal.
        overpayment: refuse (default: an error) or hold (a credit owed back).
    """

    lender: str
    borrower: str
    principal: Decimal
    currency: str = "SEK"
    rate: Decimal
    frequency: Frequency = Frequency.MONTHLY
    amortization: Amortization = Amortization.ANNUITY
    day_count: DayCount = DayCount.ACT_365
    ocr: str | None = None
    allocation: tuple[str, ...] = ALLOCATION_PARTS
    overpayment: Overpayment = Overpayment.REFUSE

    @field_validator("id")
    @classmethod
    def _loan_id(cls, value: str) -> str:
        if not LOAN_ID.match(value):
            raise ValueError(f"loan id {value!r} must be ASCII capitals, digits and hyphens "
                             "(it is a link: ^L-2025-01)")
        return value

    @field_validator("principal", mode="before")
    @classmethod
    def _principal(cls, value: Any) -> Decimal:
        return parse_money(_amount_number(value), "principal")

    @field_validator("rate", mode="before")
    @classmethod
    def _rate(cls, value: Any) -> Decimal:
        return parse_rate(value)

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Z]{3}", value):
            raise ValueError(f"currency must be an ISO code like SEK; got {value!r}")
        return value

    @field_validator("ocr", mode="before")
    @classmethod
    def _ocr(cls, value: Any) -> str | None:
        if value is None:
            return None
        text = str(value).strip()
        if not re.fullmatch(r"\d{2,25}", text):
            raise ValueError(f"ocr must be 2 to 25 digits; got {value!r}")
        # Imported on first use, as in coopledger.entities.validate_orgnr.
        from stdnum import luhn

        if not luhn.is_valid(text):
            raise ValueError(f"ocr {text}: the last digit is not its check digit (mod 10); "
                             f"did you mean {text[:-1]}{luhn.calc_check_digit(text[:-1])}?")
        return text

    @field_validator("allocation", mode="before")
    @classmethod
    def _allocation(cls, value: Any) -> tuple[str, ...]:
        parts = tuple(p.strip() for p in str(value).split(",")) if isinstance(
            value, str) else tuple(value)
        if sorted(parts) != sorted(ALLOCATION_PARTS):
            raise ValueError('allocation must order all of fees, interest, principal, e.g. '
                             '"fees,interest,principal"')
        return parts

    @model_validator(mode="after")
    def _terms(self) -> Loan:
        if self.lender == self.borrower:
            raise ValueError(f"lender and borrower are both {self.lender}")
        self._check_terms(self.frequency.months, self.date)
        return self


@declaration("coop-loan-rate")
class LoanRate(Declaration):
    """A new annual rate for a loan from the declaration's date (id = the loan id)."""

    rate: Decimal

    @field_validator("rate", mode="before")
    @classmethod
    def _rate(cls, value: Any) -> Decimal:
        return parse_rate(value)


@declaration("coop-loan-reschedule")
class LoanReschedule(_Terms):
    """New terms for a loan from the declaration's date (id = the loan id).

    The principal outstanding on that date is scheduled afresh; unpaid instalments due
    before it are folded in. Fields left out keep the loan's current value.
    """

    rate: Decimal | None = None
    frequency: Frequency | None = None
    amortization: Amortization | None = None
    day_count: DayCount | None = None

    @field_validator("rate", mode="before")
    @classmethod
    def _rate(cls, value: Any) -> Decimal | None:
        return None if value is None else parse_rate(value)

    @model_validator(mode="after")
    def _terms(self) -> LoanReschedule:
        self._check_terms((self.frequency or Frequency.MONTHLY).months, self.date)
        return self


@declaration("coop-provision")
class ProvisionRule(Declaration):
    """Loan-loss provision by days past due, for one lender (id = the lender's code).

    ``buckets: "1:5 31:25 61:50 91:100"`` reads: from 1 day past due provide 5 % of the
    outstanding principal, from 31 days 25 %, and so on; current loans need none.
    """

    buckets: tuple[tuple[int, Decimal], ...]

    @field_validator("buckets", mode="before")
    @classmethod
    def _buckets(cls, value: Any) -> tuple[tuple[int, Decimal], ...]:
        if isinstance(value, tuple | list):
            return tuple(value)
        if not isinstance(value, str):  # a number or a date in the ledger: not buckets
            raise ValueError('write the buckets as a string of DAYS:PERCENT, e.g. '
                             '"1:5 31:25 91:100"')
        found: list[tuple[int, Decimal]] = []
        for part in value.split():
            days, _, pct = part.partition(":")
            if not days.isdigit() or int(days) < 1:
                raise ValueError(f"bucket {part!r}: write DAYS:PERCENT, e.g. \"31:25\"")
            found.append((int(days), parse_rate(pct)))
        if not found or [d for d, _ in found] != sorted({d for d, _ in found}):
            raise ValueError('buckets must be in increasing days, e.g. "1:5 31:25 91:100"')
        return tuple(found)

    def percent(self, days_past_due: int) -> Decimal:
        """The provision percentage for a loan this many days past due."""
        pct = Decimal(0)
        for days, bucket_pct in self.buckets:
            if days_past_due >= days:
                pct = bucket_pct
        return pct


@declaration("coop-capital-rule")
class CapitalRule(Declaration):
    """Rules for withdrawing members' capital from a fund (id = the fund's code).

    Attributes:
        minimum: A member may withdraw down to this holding, or everything (on leaving).
        withdrawals: FALSE forbids withdrawals altogether.
    """

    minimum: Decimal = Decimal(0)
    withdrawals: bool = True

    @field_validator("minimum", mode="before")
    @classmethod
    def _minimum(cls, value: Any) -> Decimal:
        value = _amount_number(value)
        if str(value).strip() in ("0", "0.00"):
            return Decimal(0)
        return parse_money(value, "minimum")
