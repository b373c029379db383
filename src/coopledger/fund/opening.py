"""Loan openings: what daily books carry of each loan across a closed year's end.

Daily books (see :mod:`coopledger.close.yearend`) hold no movement of a closed year, so
the state engine cannot replay a loan's history from its start. The year-end close
writes, beside the opening balances and dated the closed year's last day, one snapshot
per loan that started before the cut::

    2025-12-31 custom "coop-loan-opening" "L-2025-01"
      anchor: 2025-11-28
      disbursed: "200000.00"
      principal-repaid: "18230.11"
      ...

The snapshot is the engine's replay stopped at the **anchor**: the loan's last day
before the cut on which a replay always splits (its last movement, its start or a
day-count change). The totals include that day's movements; ``interest-accrued`` is the
interest accrued from the start up to the anchor, unrounded. From the anchor on, the
daily books replay exactly as the full history does (same spans, same arithmetic), so
every figure of :func:`coopledger.fund.fund_report` is the same on both.

- ``disbursed``, ``principal-repaid``, ``written-off``, ``interest-paid``,
  ``interest-written-off``, ``recovered``, ``credit``: the running totals;
- ``outstanding-principal``: disbursed - repaid - written off (checked);
- ``interest-accrued``: unrounded interest accrued up to the anchor;
- ``dues``: ``"YYYY-MM-DD amount, ..."``: for each instalment due before the anchor
  that was unpaid (even partly) at the cut, and the last one due before the anchor, the
  interest accrued (to the öre) up to its due date; arrears, days past due and the
  amounts due are computed from these and the schedule;
- ``rescheduled``: ``"YYYY-MM-DD amount, ..."``: the principal outstanding at each
  reschedule dated before the cut (a reschedule's new schedule starts from it).

The year seal holds a digest of every snapshot (``loans``): a full check recomputes the
snapshots from the history, a daily check digests the declarations; each must give the
sealed digest.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from beancount.core import data
from pydantic import field_validator, model_validator

from coopledger.declarations import Declaration, declaration, parse_declaration
from coopledger.money import ZERO

LOAN_OPENING = "coop-loan-opening"
TOTALS = ("disbursed", "principal_repaid", "written_off", "interest_paid",
          "interest_written_off", "recovered", "credit", "interest_accrued")


def parse_dated(text: str) -> dict[datetime.date, Decimal]:
    """``"2025-11-30 1234.56, 2025-12-31 10.00"`` as a dict (empty text: empty dict).

    Raises:
        ValueError: A part that is not ``YYYY-MM-DD amount``.
    """
    found: dict[datetime.date, Decimal] = {}
    for part in text.split(","):
        if not part.strip():
            continue
        try:
            day, number = part.split()
            found[datetime.date.fromisoformat(day)] = Decimal(number)
        except (ValueError, InvalidOperation):
            raise ValueError(f"{part.strip()!r} is not 'YYYY-MM-DD amount'") from None
    return found


def render_dated(values: Mapping[datetime.date, Decimal]) -> str:
    """The inverse of :func:`parse_dated`, in date order."""
    return ", ".join(f"{day} {values[day]:f}" for day in sorted(values))


@declaration(LOAN_OPENING)
class LoanOpening(Declaration):
    """A loan's state carried into daily books (id = the loan id); see the module."""

    anchor: datetime.date
    disbursed: Decimal = ZERO
    principal_repaid: Decimal = ZERO
    written_off: Decimal = ZERO
    interest_paid: Decimal = ZERO
    interest_written_off: Decimal = ZERO
    recovered: Decimal = ZERO
    credit: Decimal = ZERO
    interest_accrued: Decimal = ZERO
    outstanding_principal: Decimal = ZERO
    dues: str = ""
    rescheduled: str = ""

    @field_validator(*TOTALS, "outstanding_principal", mode="before")
    @classmethod
    def _number(cls, value: Any) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, str | Decimal | int):
            raise ValueError(f"must be a decimal amount like \"1200.00\"; got {value!r}")
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise ValueError(f"not an amount: {value!r}") from None
        if not number.is_finite() or number < 0:
            raise ValueError(f"must be a finite amount, not negative; got {value!r}")
        return number

    @field_validator("dues", "rescheduled")
    @classmethod
    def _dated(cls, value: str) -> str:
        parse_dated(value)
        return value

    @model_validator(mode="after")
    def _consistent(self) -> LoanOpening:
        if self.anchor > self.date:
            raise ValueError(f"anchor {self.anchor} is after the snapshot's date {self.date}")
        balance = self.disbursed - self.principal_repaid - self.written_off
        if balance != self.outstanding_principal:
            raise ValueError(f"outstanding-principal {self.outstanding_principal} is not "
                             f"disbursed - principal-repaid - written-off = {balance}")
        return self

    @property
    def due_interest(self) -> dict[datetime.date, Decimal]:
        """Interest accrued up to each due date listed in ``dues``."""
        return parse_dated(self.dues)

    @property
    def reschedule_balances(self) -> dict[datetime.date, Decimal]:
        """Principal outstanding at each reschedule before the cut."""
        return parse_dated(self.rescheduled)


def declared_fields(opening: LoanOpening) -> dict[str, str]:
    """A declared snapshot's fields in the form
    :func:`coopledger.fund.snapshots.snapshot_fields` gives them."""
    fields = {"anchor": opening.anchor.isoformat()}
    for key in (*TOTALS, "outstanding_principal"):
        fields[key.replace("_", "-")] = f"{getattr(opening, key):f}"
    fields["dues"] = render_dated(opening.due_interest)
    fields["rescheduled"] = render_dated(opening.reschedule_balances)
    return fields


def snapshots_digest(snapshots: Mapping[str, Mapping[str, str]]) -> str:
    """SHA-256 of loan snapshots (loan id to fields), independent of trailing zeros."""
    lines = []
    for loan_id in sorted(snapshots):
        for key, raw in sorted(snapshots[loan_id].items()):
            text = raw
            if key in ("dues", "rescheduled"):
                text = render_dated({d: v.normalize() for d, v in parse_dated(raw).items()})
            elif key != "anchor":
                text = f"{Decimal(raw).normalize():f}"
            lines.append(f"{loan_id} {key} {text}")
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def snapshot_text(snapshots: Mapping[str, Mapping[str, str]], last: datetime.date) -> str:
    """The ``coop-loan-opening`` declarations, dated ``last`` (the closed year's end)."""
    parts = []
    for loan_id in sorted(snapshots):
        lines = [f'\n{last} custom "{LOAN_OPENING}" "{loan_id}"\n']
        for key, text in snapshots[loan_id].items():
            if key == "anchor":
                lines.append(f"  {key}: {text}\n")
            elif text or key not in ("dues", "rescheduled"):
                lines.append(f'  {key}: "{text}"\n')
        parts.append("".join(lines))
    return "".join(parts)


def declared_openings(entries: Iterable[data.Directive]) -> dict[str, dict[str, str]]:
    """The snapshots declared in daily books, as fields (invalid ones left out: the
    declaration check reports them)."""
    found: dict[str, dict[str, str]] = {}
    for entry in entries:
        if isinstance(entry, data.Custom) and entry.type == LOAN_OPENING:
            try:
                opening = parse_declaration(entry)
            except ValueError:
                continue
            if isinstance(opening, LoanOpening):
                found[opening.id] = declared_fields(opening)
    return found
