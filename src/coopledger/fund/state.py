"""The actual state of a loan at any date, recomputed from its whole history.

Nothing is patched: every question (what is outstanding, what is overdue, how to split a
payment) replays the loan's disbursements, payments, write-offs and recoveries from the
ledger in date order. A back-dated, early, partial or over-payment therefore gives the
same result as if it had been booked in order.

The day model: events happen at the start of their day; interest for a day accrues at its
end, on the principal then outstanding (declining balance, the loan's day count and the
rate in force). A payment settles, in the loan's allocation order (default fees, then
interest, then principal), the fees owed (coopledger books no loan fees yet: always
zero), the interest accrued and unpaid, and the principal; what is left is an
overpayment. An instalment is unpaid while the principal repaid (or written off) falls
short of what the schedule wants repaid by its due date, or while interest accrued up to
its due date is unpaid, by more than a tolerance of 1.00 (rounding). Days past due count
from the oldest unpaid instalment's due date.
A reschedule supersedes the instalments due before it: arrears start afresh.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from enum import StrEnum

from coopledger.errors import CoopException
from coopledger.fund.ledger import LoanEvent, LoanRecord
from coopledger.fund.loans import DayCount
from coopledger.fund.schedule import Instalment, Terms, build_schedule, interest_between
from coopledger.money import ZERO, round_ore

ONE_DAY = datetime.timedelta(days=1)
DEFAULT_AFTER_DAYS = 90
#: An instalment short by no more than this is not in arrears: a borrower who pays the
#: scheduled amounts can fall an öre or two behind the day-by-day interest, through
#: rounding, and must not show as late for it (Fineract's "in arrears tolerance").
ARREARS_TOLERANCE = Decimal("1.00")


class LoanStatus(StrEnum):
    """Where a loan stands on a day; each member is its text (``"written-off"``)."""

    COMMITTED = "committed"
    """Granted, nothing disbursed yet."""
    CURRENT = "current"
    """Disbursed, nothing overdue."""
    DELINQUENT = "delinquent"
    """An instalment 1 to 90 days past due."""
    DEFAULT = "default"
    """An instalment more than 90 days past due."""
    REPAID = "repaid"
    """Paid back in full."""
    WRITTEN_OFF = "written-off"
    """Written off, nothing left outstanding."""


@dataclass(frozen=True)
class LoanState:
    """A loan at the end of a day.

    Attributes:
        loan_id: The loan.
        date: The day (its end: that day's events and interest included).
        disbursed: Principal paid out so far.
        principal_repaid: Principal repaid so far.
        written_off: Principal written off so far.
        outstanding_principal: disbursed - repaid - written off, never below zero.
        accrued_interest: Interest accrued and not yet paid (nor written off).
        interest_earned: All interest accrued since the start, to the öre.
        interest_paid: Interest paid so far.
        interest_written_off: Unpaid interest given up at a full write-off.
        recovered: Money received after a write-off.
        credit: Overpayments held for the borrower.
        principal_due: Principal due on or before the day and unpaid.
        interest_due: Interest due on or before the day and unpaid.
        principal_overdue: Principal due before the day and unpaid.
        interest_overdue: Interest due before the day and unpaid.
        days_past_due: Days since the due date of the oldest unpaid instalment (0 if none).
        oldest_unpaid: That due date, or None.
        next_due: The next due date after the day, or None.
        next_payment: The scheduled payment on that date.
        status: The loan's :class:`LoanStatus` (a string: ``"current"``...).
    """

    loan_id: str
    date: datetime.date
    disbursed: Decimal
    principal_repaid: Decimal
    written_off: Decimal
    outstanding_principal: Decimal
    accrued_interest: Decimal
    interest_earned: Decimal
    interest_paid: Decimal
    interest_written_off: Decimal
    recovered: Decimal
    credit: Decimal
    principal_due: Decimal
    interest_due: Decimal
    principal_overdue: Decimal
    interest_overdue: Decimal
    days_past_due: int
    oldest_unpaid: datetime.date | None
    next_due: datetime.date | None
    next_payment: Decimal
    status: LoanStatus


@dataclass
class Replay:
    """The running totals of a replay of a loan's events (internal, mutable)."""

    balance: Decimal = ZERO
    accrued: Decimal = ZERO  # exact, not rounded
    disbursed: Decimal = ZERO
    repaid: Decimal = ZERO
    written_off: Decimal = ZERO
    interest_paid: Decimal = ZERO
    interest_written_off: Decimal = ZERO
    recovered: Decimal = ZERO
    credit: Decimal = ZERO
    accrued_at: dict[datetime.date, Decimal] = field(default_factory=dict)

    @property
    def unpaid_interest(self) -> Decimal:
        """Interest accrued (to the öre) and neither paid nor written off."""
        return round_ore(self.accrued) - self.interest_paid - self.interest_written_off

    def allocate(self, amount: Decimal, order: Sequence[str]) -> dict[str, Decimal]:
        """Split a payment over fees, interest and principal in ``order``; rest = over."""
        owed = {"fees": ZERO, "interest": max(ZERO, self.unpaid_interest),
                "principal": self.balance}
        parts = dict.fromkeys(("fees", "interest", "principal"), ZERO)
        left = amount
        for part in order:
            parts[part] = min(left, owed[part])
            left -= parts[part]
        parts["overpayment"] = left
        return parts

    def apply(self, event: LoanEvent, order: Sequence[str]) -> None:
        """Apply one event to the totals."""
        if event.kind == "disbursement":
            self.balance += event.amount
            self.disbursed += event.amount
        elif event.kind == "payment":
            parts = self.allocate(event.amount, order)
            self.interest_paid += parts["interest"]
            self.repaid += parts["principal"]
            self.balance -= parts["principal"]
            self.credit += parts["overpayment"]
        elif event.kind == "writeoff":
            amount = min(event.amount, self.balance)
            self.written_off += amount
            self.balance -= amount
            if self.balance == 0:
                self.interest_written_off += max(ZERO, self.unpaid_interest)
        else:
            self.recovered += event.amount


def conventions(record: LoanRecord) -> list[tuple[datetime.date, DayCount]]:
    """The day count in force from each date (the loan's, then its reschedules')."""
    found = [(record.loan.date, record.loan.day_count)]
    for resched in record.reschedules:
        if resched.day_count is not None:
            found.append((resched.date, resched.day_count))
    return found


def _start(record: LoanRecord, last_event_day: datetime.date,
           accrue_to: datetime.date) -> tuple[Replay, datetime.date]:
    """Where a replay starts: the loan's start, or in daily books its opening snapshot.

    Raises:
        CoopException: Daily books asked about a day before their opening.
    """
    opening = record.opening
    if opening is None:
        return Replay(), record.loan.date
    if last_event_day < opening.anchor or accrue_to < opening.anchor:
        # (no movement falls between the anchor and the cut: the snapshot holds there)
        raise CoopException(f"loan {record.loan.id}: these daily books start after "
                            f"{opening.date}; ask the full books about {last_event_day}")
    state = Replay(balance=opening.outstanding_principal, accrued=opening.interest_accrued,
                   disbursed=opening.disbursed, repaid=opening.principal_repaid,
                   written_off=opening.written_off, interest_paid=opening.interest_paid,
                   interest_written_off=opening.interest_written_off,
                   recovered=opening.recovered, credit=opening.credit)
    return state, opening.anchor


def replay(record: LoanRecord, last_event_day: datetime.date, accrue_to: datetime.date,
           checkpoints: Sequence[datetime.date] = ()) -> Replay:
    """Replay a loan's events up to a day and accrue its interest up to another.

    In daily books the replay starts from the loan's opening snapshot, at its anchor,
    with the interest accrued at due dates before the anchor taken from the snapshot.

    Args:
        record: The loan.
        last_event_day: Events on or before this day are applied.
        accrue_to: Interest accrues up to the start of this day.
        checkpoints: Days (at most ``accrue_to``) at whose start the accrued interest is
            recorded in ``accrued_at``.

    Returns:
        The totals.

    Raises:
        CoopException: Daily books asked about a day before their opening.
    """
    return _replay(record, last_event_day, accrue_to, checkpoints, ())[0]


def _replay(record: LoanRecord, last_event_day: datetime.date, accrue_to: datetime.date,
            checkpoints: Sequence[datetime.date],
            taps: Sequence[datetime.date]) -> tuple[Replay, dict[datetime.date, Replay]]:
    # replay(), and at each day D of ``taps`` (before accrue_to) a copy of the totals as
    # replay(record, D, D + 1 day, the checkpoints up to D) would end: the points up to
    # D are the same in both, and that replay's last step (interest from the last point
    # to the start of D + 1 day) is taken on the copy. A checkpoint after D, absent
    # from that replay, only splits interest after D: the caller must not pass
    # checkpoints before D that it would not (see states_of).
    state, last = _start(record, last_event_day, accrue_to)
    day_counts = conventions(record)
    splits = sorted({d for d, _ in day_counts} | set(checkpoints))
    order = record.loan.allocation
    points: list[tuple[datetime.date, int, LoanEvent | None]] = [
        (day, 0, None) for day in splits if last <= day <= accrue_to]
    points += [(e.date, 1, e) for e in record.events
               if e.date <= last_event_day and not (record.opening and e.date <= last)]
    points.append((accrue_to, 2, None))
    points.sort(key=lambda p: (p[0], p[1]))
    convention = [c for d, c in day_counts if d <= last][-1] if record.opening \
        else day_counts[0][1]
    checkpoint_set = set(checkpoints)
    if record.opening is not None:
        known = record.opening.due_interest
        state.accrued_at.update({d: known[d] for d in checkpoint_set if d < last and d in known})
    pending = sorted(set(taps), reverse=True)
    taken: dict[datetime.date, Replay] = {}
    for day, _, event in points:
        while pending and day > pending[-1]:
            tap = pending.pop()
            taken[tap] = _tapped(state, last, tap + ONE_DAY, record, convention)
        if day > last:
            state.accrued += interest_between(state.balance, last, day, record.rates,
                                              convention)
            last = day
        for effective, count in day_counts:
            if effective <= day:
                convention = count
        if event is not None:
            state.apply(event, order)
        elif day in checkpoint_set:
            state.accrued_at[day] = round_ore(state.accrued)
    for tap in pending:  # (none when every tap is before accrue_to)
        taken[tap] = _tapped(state, last, tap + ONE_DAY, record, convention)
    return state, taken


def _tapped(state: Replay, last: datetime.date, accrue_to: datetime.date,
            record: LoanRecord, convention: DayCount) -> Replay:
    # A copy of the totals with the interest up to accrue_to, as replay() ends.
    copy = replace(state, accrued_at=dict(state.accrued_at))
    if accrue_to > last:
        copy.accrued += interest_between(state.balance, last, accrue_to, record.rates,
                                         convention)
    return copy


def snapshot_replay(record: LoanRecord, cut: datetime.date) -> tuple[
        datetime.date, Replay, dict[datetime.date, Decimal], dict[datetime.date, Decimal]]:
    """The loan's replay stopped at its anchor before ``cut``.

    Args:
        record: The loan, with its whole history.
        cut: The first day of the open year.

    Returns:
        The anchor, the totals at it, the interest accrued at each due date the daily
        books need (see :mod:`coopledger.fund.opening`), and the principal outstanding
        at each reschedule before the cut.
    """
    last = cut - ONE_DAY
    carried = record.opening.reschedule_balances if record.opening else {}
    anchor = max([record.loan.date]
                 + [d for d, _ in conventions(record) if d < cut]
                 + [e.date for e in record.events if e.date < cut]
                 + ([record.opening.anchor] if record.opening else []))
    active = _active(schedule_segments(record), last)
    run = replay(record, anchor, anchor, [i.due for i in active if i.due <= anchor])
    reduced = run.repaid + run.written_off
    settled = run.interest_paid + run.interest_written_off
    dues: dict[datetime.date, Decimal] = {}
    before = [i for i in active if i.due < anchor]
    for index, inst in enumerate(before):
        short = max(ZERO, max(ZERO, run.disbursed - inst.remaining) - reduced)
        unpaid = max(ZERO, run.accrued_at.get(inst.due, ZERO) - settled)
        if (short + unpaid > 0 or index == len(before) - 1) and inst.due in run.accrued_at:
            dues[inst.due] = run.accrued_at[inst.due]
    rescheduled = {r.date: carried[r.date] if r.date in carried else replay(
        record, r.date - ONE_DAY, r.date).balance for r in record.reschedules if r.date < cut}
    return anchor, run, dues, rescheduled


def _active(segments: list[tuple[datetime.date, list[Instalment]]],
            date: datetime.date) -> list[Instalment]:
    """The instalments due by ``date`` of the segment in force on it."""
    active: list[Instalment] = []
    for start, items in segments:
        if start <= date:
            active = [i for i in items if i.due <= date]
    return active


def schedule_segments(record: LoanRecord) -> list[tuple[datetime.date, list[Instalment]]]:
    """The schedule as segments: the loan's terms, then each reschedule's.

    Each segment is ``(start, instalments)``; a reschedule keeps the earlier segments'
    instalments due before its date and schedules the principal outstanding at its start.
    """
    loan = record.loan
    months = loan.frequency.months
    frequency, amortization = loan.frequency, loan.amortization
    rates = tuple(record.rates)
    day_counts = conventions(record)
    first = Terms(loan.principal, loan.date, rates, loan.first(months, loan.date),
                  loan.count(months, loan.date), months, amortization, loan.day_count,
                  loan.grace_principal)
    segments = [(loan.date, build_schedule(first))]
    for resched in record.reschedules:
        segments = [(start, [i for i in items if i.due < resched.date])
                    for start, items in segments]
        frequency = resched.frequency or frequency
        amortization = resched.amortization or amortization
        months = frequency.months
        convention = [c for d, c in day_counts if d <= resched.date][-1]
        carried = record.opening.reschedule_balances if record.opening else {}
        outstanding = carried[resched.date] if resched.date in carried else replay(
            record, resched.date - ONE_DAY, resched.date).balance
        number = sum(len(items) for _, items in segments) + 1
        if outstanding <= 0:
            continue
        terms = Terms(outstanding, resched.date, rates, resched.first(months, resched.date),
                      resched.count(months, resched.date), months, amortization, convention,
                      resched.grace_principal, number)
        segments.append((resched.date, build_schedule(terms)))
    return segments


def contractual_schedule(record: LoanRecord) -> list[Instalment]:
    """The loan's whole schedule, reschedules applied."""
    return [i for _, items in schedule_segments(record) for i in items]


def state_of(record: LoanRecord, date: datetime.date, segments: list[
        tuple[datetime.date, list[Instalment]]] | None = None) -> LoanState:
    """The loan's state at the end of ``date``.

    Args:
        record: The loan.
        date: The day.
        segments: The loan's :func:`schedule_segments`, when the caller has them already
            (a report at several days builds them once); None: built here.

    Returns:
        Its state, every figure recomputed from the loan's events.
    """
    return _state(record, schedule_segments(record) if segments is None else segments, date)


def states_of(record: LoanRecord, dates: Sequence[datetime.date]) -> list[LoanState]:
    """The loan's state at the end of each of several days (a history, for charts).

    The same as :func:`state_of` for each day, computed in one walk through the loan's
    events per schedule segment instead of one per day: the schedule is built once, and
    the days on which the same segment is in force share one replay (state_of's replay
    for a day applies the same steps in the same order up to that day, then accrues
    the interest to its end; see ``_replay``).

    Args:
        record: The loan.
        dates: The days.

    Returns:
        One state per day, in the order of ``dates``.

    Raises:
        CoopException: Daily books asked about a day before their opening.
    """
    segments = schedule_segments(record)
    anchor = record.opening.anchor if record.opening is not None else None
    found: dict[datetime.date, LoanState] = {}
    groups: dict[int, list[datetime.date]] = {}
    for date in sorted(set(dates)):
        if anchor is not None and date < anchor:
            found[date] = _state(record, segments, date)  # raises, as state_of does
        else:
            groups.setdefault(_in_force(segments, date), []).append(date)
    for days in groups.values():
        last = days[-1]
        dues = [i.due for i in _active(segments, last)]
        _, runs = _replay(record, last, last + ONE_DAY, dues, days)
        for date in days:
            found[date] = _state_of_run(record, segments, date, runs[date])
    return [found[date] for date in dates]


def _in_force(segments: list[tuple[datetime.date, list[Instalment]]],
              date: datetime.date) -> int:
    # The index of the segment whose instalments _active() takes (-1: none yet).
    index = -1
    for number, (start, _) in enumerate(segments):
        if start <= date:
            index = number
    return index


def _state(record: LoanRecord, segments: list[tuple[datetime.date, list[Instalment]]],
           date: datetime.date) -> LoanState:
    # state_of's body, given the loan's schedule segments.
    dues = [i.due for i in _active(segments, date)]
    return _state_of_run(record, segments, date, replay(record, date, date + ONE_DAY, dues))


def _state_of_run(record: LoanRecord, segments: list[tuple[datetime.date, list[Instalment]]],
                  date: datetime.date, run: Replay) -> LoanState:
    # The state at the end of ``date`` from the replay up to it.
    active = _active(segments, date)
    reduced = run.repaid + run.written_off
    settled = run.interest_paid + run.interest_written_off
    oldest: datetime.date | None = None
    principal_due = interest_due = principal_overdue = interest_overdue = ZERO
    for inst in active:
        required = max(ZERO, run.disbursed - inst.remaining)
        short = max(ZERO, required - reduced)
        unpaid = max(ZERO, run.accrued_at.get(inst.due, ZERO) - settled)
        if (short + unpaid > ARREARS_TOLERANCE) and oldest is None:
            oldest = inst.due
        principal_due, interest_due = short, unpaid
        if inst.due < date:
            principal_overdue, interest_overdue = short, unpaid
    upcoming = next((i for _, items in segments for i in items if i.due > date), None)
    days = (date - oldest).days if oldest is not None else 0
    return LoanState(
        loan_id=record.loan.id, date=date, disbursed=run.disbursed,
        principal_repaid=run.repaid, written_off=run.written_off,
        outstanding_principal=run.balance,
        accrued_interest=max(ZERO, run.unpaid_interest), interest_earned=round_ore(
            run.accrued), interest_paid=run.interest_paid,
        interest_written_off=run.interest_written_off, recovered=run.recovered,
        credit=run.credit, principal_due=principal_due, interest_due=interest_due,
        principal_overdue=principal_overdue, interest_overdue=interest_overdue,
        days_past_due=days, oldest_unpaid=oldest,
        next_due=upcoming.due if upcoming and run.balance > 0 else None,
        next_payment=upcoming.payment if upcoming and run.balance > 0 else ZERO,
        status=status_of(run, days))


def status_of(run: Replay, days_past_due: int) -> LoanStatus:
    """Committed, current, delinquent (1-90 days), default (over 90), repaid, written off."""
    if run.disbursed == 0:
        return LoanStatus.COMMITTED
    if run.balance == 0:
        return LoanStatus.WRITTEN_OFF if run.written_off > 0 else LoanStatus.REPAID
    if days_past_due > DEFAULT_AFTER_DAYS:
        return LoanStatus.DEFAULT
    return LoanStatus.DELINQUENT if days_past_due > 0 else LoanStatus.CURRENT


def split_payment(record: LoanRecord, date: datetime.date,
                  amount: Decimal) -> dict[str, Decimal]:
    """How a payment of ``amount`` received on ``date`` settles the loan.

    Args:
        record: The loan.
        date: The day the money arrives (events already booked that day come first).
        amount: The amount received, positive.

    Returns:
        ``fees``, ``interest``, ``principal`` and ``overpayment``, summing to ``amount``.
    """
    run = replay(record, date, date)
    return run.allocate(amount, record.loan.allocation)
