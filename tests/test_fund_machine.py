"""A stateful property test of the fund: random loans, payments, reschedules, write-offs.

After every step the ledger text is loaded through Beancount with coopledger's plugins
and DESIGN.md's invariants 3 and 4 are asserted: the lender's receivable mirrors the
borrower's liability at every date, disbursed = repaid + outstanding + written off, the
fund's capital = contributions + retained income - losses and equals its net assets;
interest income of the lender equals the borrowers' interest expense; the outstanding
principal is never below zero. Month-end entries bring the ledger to the recomputed state.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from beancount.parser import printer
from dateutil.relativedelta import relativedelta
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from coopledger.books import Books
from coopledger.fund import (
    closing_entries,
    fund_report,
    loan_state,
    loan_states,
    split_repayment,
)
from coopledger.periods import month_period
from tests.conftest import load_text
from tests.fund_books import (
    FUND_ACCRUED,
    FUND_INTEREST,
    FUND_LOANS,
    FUND_LOSSES,
    OPENING,
    contribute,
    disburse,
    header,
    loan,
    repay,
    write_off,
)

D = datetime.date
ZERO = Decimal(0)
ORE = Decimal("0.01")
MEMBERS = ("Kafe", "Stad")


def linked(books: Books, account: str, link: str, date: D) -> Decimal:
    """The sum of one loan's postings on an account up to a date."""
    return sum((p.units.number or ZERO for t in books.transactions
                if t.date <= date and link in t.links
                for p in t.postings if p.account == account and p.units is not None), ZERO)


def total(books: Books, prefix: str) -> Decimal:
    """The balance of every account starting with ``prefix``."""
    return sum((p.units.number or ZERO for t in books.transactions for p in t.postings
                if p.account.startswith(prefix) and p.units is not None), ZERO)


@dataclass
class LoanInfo:
    """What the machine remembers of a loan."""

    borrower: str
    start: D
    last_change: D
    written_off: bool = False


class FundMachine(RuleBasedStateMachine):
    """Disburse, repay, reschedule, write off and close months at random."""

    def __init__(self) -> None:
        super().__init__()
        self.today = D(2025, 1, 2)
        self.contributed = Decimal("60000.00")
        self.text = (header() + contribute("Kafe", D(2025, 1, 1), Decimal("20000.00"))
                     + contribute("Stad", D(2025, 1, 1), Decimal("40000.00")))
        self.loans: dict[str, LoanInfo] = {"L-01": LoanInfo("Kafe", self.today, self.today)}
        self.text += loan("L-01", self.today, "Kafe", "20000.00", "6.00", 12) + disburse(
            "L-01", self.today, "Kafe", Decimal("20000.00"))
        self.closed_to = D(2025, 1, 1)  # the first month not yet closed
        self.books = load_text(self.text)

    def book(self, text: str) -> None:
        self.text += text
        self.books = load_text(self.text)
        assert self.books.errors == [], self.books.errors

    def open_loans(self) -> list[str]:
        return [k for k, info in self.loans.items() if not info.written_off
                and loan_state(self.books, k, self.today).outstanding_principal > 0]

    @rule(kronor=st.integers(1_000, 40_000), rate=st.sampled_from(["0", "3.50", "6.00",
                                                                    "12.25"]),
          term=st.integers(1, 12), borrower=st.sampled_from(MEMBERS),
          amortization=st.sampled_from(["annuity", "equal-principal"]),
          day_count=st.sampled_from(["ACT/365", "ACT/360", "30/360"]))
    def disburse(self, kronor: int, rate: str, term: int, borrower: str, amortization: str,
                 day_count: str) -> None:
        loan_id = f"L-{len(self.loans) + 1:02d}"
        principal = Decimal(kronor).quantize(ORE)
        self.loans[loan_id] = LoanInfo(borrower, self.today, self.today)
        self.book(loan(loan_id, self.today, borrower, str(principal), rate, term,
                       amortization=amortization, day_count=day_count)
                  + disburse(loan_id, self.today, borrower, principal))

    @rule(days=st.integers(1, 75))
    def advance(self, days: int) -> None:
        self.today += datetime.timedelta(days=days)
        self.close_months()

    @precondition(lambda self: bool(self.open_loans()))
    @rule(data=st.data(), kind=st.sampled_from(["instalment", "partial", "over", "payoff"]),
          days=st.integers(0, 45))
    def repay(self, data: st.DataObject, kind: str, days: int) -> None:
        loan_id = data.draw(st.sampled_from(self.open_loans()))
        self.today += datetime.timedelta(days=days)  # on time, early or late
        self.close_months()
        state = loan_state(self.books, loan_id, self.today)
        owed = state.outstanding_principal + state.accrued_interest
        instalment = max(state.next_payment, state.principal_due + state.interest_due, ORE)
        amount = {"instalment": instalment, "partial": (instalment / 2).quantize(ORE),
                  "over": instalment * 3, "payoff": owed}[kind]
        amount = max(ORE, amount)
        parts = split_repayment(self.books, loan_id, self.today, amount)
        if kind in ("over", "payoff") or amount <= owed:
            assert parts["overpayment"] == max(ZERO, amount - parts["interest"]
                                               - parts["principal"])
        if parts["interest"] + parts["principal"] == 0:
            return
        info = self.loans[loan_id]
        self.book(repay(loan_id, self.today, info.borrower, parts["interest"],
                        parts["principal"]))

    @precondition(lambda self: bool(self.open_loans()))
    @rule(data=st.data(), back=st.integers(1, 40), kronor=st.integers(50, 3_000))
    def repay_back_dated(self, data: st.DataObject, back: int, kronor: int) -> None:
        loan_id = data.draw(st.sampled_from(self.open_loans()))
        info = self.loans[loan_id]
        day = max(self.today - datetime.timedelta(days=back), info.last_change)
        parts = split_repayment(self.books, loan_id, day, Decimal(kronor).quantize(ORE))
        booked = linked(self.books, FUND_LOANS, loan_id, self.today)
        if parts["principal"] > booked or parts["interest"] + parts["principal"] == 0:
            return  # it would overdraw what the ledger shows as lent: not a valid story
        self.book(repay(loan_id, day, info.borrower, parts["interest"], parts["principal"]))

    @precondition(lambda self: bool(self.open_loans()))
    @rule(data=st.data(), term=st.integers(1, 24))
    def reschedule(self, data: st.DataObject, term: int) -> None:
        loan_id = data.draw(st.sampled_from(self.open_loans()))
        info = self.loans[loan_id]
        if self.today <= info.last_change:
            return
        info.last_change = self.today
        self.book(f'{self.today} custom "coop-loan-reschedule" "{loan_id}"\n  term: {term}\n')

    @precondition(lambda self: bool(self.open_loans()))
    @rule(data=st.data())
    def write_off(self, data: st.DataObject) -> None:
        loan_id = data.draw(st.sampled_from(self.open_loans()))
        info = self.loans[loan_id]
        state = loan_state(self.books, loan_id, self.today)
        amount = min(state.outstanding_principal,
                     linked(self.books, FUND_LOANS, loan_id, self.today))
        if amount <= 0:
            return
        info.written_off = True
        info.last_change = self.today
        self.book(write_off(loan_id, self.today, info.borrower, amount))

    def close_months(self) -> None:
        """Write the month-end entries of every month that has ended, as the close does."""
        while self.closed_to + relativedelta(months=1) <= self.today:
            period = month_period(self.closed_to.year, self.closed_to.month)
            entries = closing_entries(self.books, period)
            self.book("".join("\n" + printer.format_entry(e) for e in entries))
            assert closing_entries(self.books, period) == []  # closing twice: nothing
            for loan_id in self.loans:
                state = loan_state(self.books, loan_id, period.last_day)
                assert linked(self.books, FUND_LOANS, loan_id, period.last_day) == (
                    state.outstanding_principal - state.credit)
                assert linked(self.books, FUND_ACCRUED, loan_id, period.last_day) == (
                    state.accrued_interest)
            self.closed_to = period.end

    @invariant()
    def loans_mirror_and_add_up(self) -> None:
        for loan_id, info in self.loans.items():
            liability = f"Liabilities:{info.borrower}:2390-Lån-från-fonden"
            dates = sorted({t.date for t in self.books.transactions if loan_id in t.links})
            for day in dates:
                assert linked(self.books, FUND_LOANS, loan_id, day) == -linked(
                    self.books, liability, loan_id, day)
            state = loan_state(self.books, loan_id, self.today)
            assert state.disbursed == (state.principal_repaid + state.outstanding_principal
                                       + state.written_off)
            assert state.outstanding_principal >= 0
            assert state.accrued_interest >= 0

    @invariant()
    def history_equals_the_state_of_each_day(self) -> None:
        # loan_states walks a loan once per schedule segment; it must give exactly
        # loan_state's answer for every day: before the start, around every booked
        # event, and every third day up to a month after today.
        for loan_id, info in self.loans.items():
            events = {t.date for t in self.books.transactions if loan_id in t.links}
            days = {d + datetime.timedelta(days=n) for d in events for n in (-1, 0, 1)}
            day = info.start - datetime.timedelta(days=2)
            while day <= self.today + datetime.timedelta(days=30):
                days.add(day)
                day += datetime.timedelta(days=3)
            ordered = sorted(days, reverse=True)  # any order: the answer follows it
            assert loan_states(self.books, loan_id, ordered) == [
                loan_state(self.books, loan_id, d) for d in ordered]

    @invariant()
    def interest_income_equals_interest_expense(self) -> None:
        expense = sum((total(self.books, f"Expenses:{m}:8410") for m in MEMBERS), ZERO)
        assert -total(self.books, FUND_INTEREST) == expense

    @invariant()
    def capital_is_contributions_plus_income_kept_minus_losses(self) -> None:
        report = fund_report(self.books, max(self.today, self.books.last_date))
        income = -total(self.books, FUND_INTEREST)
        losses = total(self.books, FUND_LOSSES)
        expected = Decimal(OPENING["Fonden"]) + self.contributed + income - losses
        assert report.capital_base == expected
        net_assets = total(self.books, "Assets:Fonden:") + total(self.books,
                                                                 "Liabilities:Fonden:")
        assert report.capital_base == net_assets
        assert report.contributions == self.contributed


FundMachine.TestCase.settings = settings(max_examples=15, stateful_step_count=8,
                                         deadline=None)
TestFundMachine = FundMachine.TestCase
