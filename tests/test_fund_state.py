"""Loan state, payment splits, back-dated payments, month-end entries and PAR by hand."""

from __future__ import annotations

import datetime
from decimal import Decimal

from beancount.parser import printer

from coopledger.books import Books
from coopledger.fund import (
    closing_entries,
    fund_report,
    loan_by_ocr,
    loan_schedule,
    loan_state,
    loan_states,
    repayment_legs,
    split_repayment,
)
from coopledger.periods import month_period
from tests.conftest import load_text
from tests.fund_books import (
    FUND_ACCRUED,
    FUND_INTEREST,
    FUND_LOANS,
    contribute,
    disburse,
    header,
    loan,
    repay,
    write_off,
)

D = datetime.date
ZERO = Decimal(0)
EQUAL = {"amortization": "equal-principal", "day_count": "30/360"}


def balance(books: Books, account: str, date: D, link: str | None = None) -> Decimal:
    total = ZERO
    for txn in books.transactions:
        if txn.date <= date and (link is None or link in txn.links):
            for posting in txn.postings:
                if posting.account == account and posting.units is not None:
                    total += posting.units.number or ZERO
    return total


def with_close(text: str, months: list[tuple[int, int]]) -> tuple[str, Books]:
    """Append each month's closing entries, as the monthly close would, and reload."""
    books = load_text(text)
    for year, month in months:
        entries = closing_entries(books, month_period(year, month))
        text += "".join("\n" + printer.format_entry(e) for e in entries)
        books = load_text(text)
    return text, books


def test_missed_instalments_count_days_from_the_oldest_due_date() -> None:
    text = header() + loan("L-1", D(2025, 1, 1), "Kafe", "12000.00", "6.00", 12, **EQUAL) \
        + disburse("L-1", D(2025, 1, 1), "Kafe", Decimal("12000.00")) \
        + repay("L-1", D(2025, 2, 1), "Kafe", Decimal("60.00"), Decimal("1000.00"))
    books = load_text(text)
    assert books.errors == []
    state = loan_state(books, "L-1", D(2025, 4, 10))
    # Instalment 2 (due 1 March) is the oldest unpaid: 40 days to 10 April.
    assert state.oldest_unpaid == D(2025, 3, 1)
    assert state.days_past_due == 40
    assert state.principal_overdue == Decimal("2000.00")  # March and April instalments
    # 30/360: 11 000 x 6 % from 1 Feb to 1 Apr = 110.00 overdue; 1 to 10 April inclusive
    # (10 days) more accrued: 11 000 x 0.06 x 10 / 360 = 18.33.
    assert state.interest_overdue == Decimal("110.00")
    assert state.accrued_interest == Decimal("110.00") + Decimal("18.33")
    assert state.status == "delinquent"
    assert state.next_due == D(2025, 5, 1)
    assert loan_state(books, "L-1", D(2025, 3, 1)).days_past_due == 0  # due today, not late
    assert loan_state(books, "L-1", D(2025, 3, 2)).days_past_due == 1


def test_split_orders_interest_then_principal_then_overpayment() -> None:
    text = header() + loan("L-1", D(2025, 1, 1), "Kafe", "12000.00", "6.00", 12, **EQUAL,
                           ocr="20250015") \
        + disburse("L-1", D(2025, 1, 1), "Kafe", Decimal("12000.00"))
    books = load_text(text)
    partial = split_repayment(books, "L-1", D(2025, 2, 1), Decimal("50.00"))
    assert partial == {"fees": 0, "interest": Decimal("50.00"), "principal": 0,
                       "overpayment": 0}
    over = split_repayment(books, "L-1", D(2025, 2, 1), Decimal("13000.00"))
    assert over == {"fees": 0, "interest": Decimal("60.00"), "principal": Decimal("12000.00"),
                    "overpayment": Decimal("940.00")}
    legs = repayment_legs(books, "L-1", over)
    assert legs == [(FUND_LOANS, Decimal("-12940.00")), (FUND_INTEREST, Decimal("-60.00")),
                    ("Liabilities:Kafe:2390-Lån-från-fonden", Decimal("12940.00")),
                    ("Expenses:Kafe:8410-Räntekostnader-medlemslån", Decimal("60.00"))]
    found = loan_by_ocr(books, "2025 0015")
    assert found is not None
    assert found.id == "L-1"
    assert loan_by_ocr(books, "20250023") is None


def test_early_payoff_is_repaid_and_stops_interest() -> None:
    text = header() + loan("L-1", D(2025, 1, 1), "Kafe", "12000.00", "6.00", 12, **EQUAL) \
        + disburse("L-1", D(2025, 1, 1), "Kafe", Decimal("12000.00")) \
        + repay("L-1", D(2025, 3, 1), "Kafe", Decimal("120.00"), Decimal("12000.00"))
    books = load_text(text)
    assert books.errors == []
    state = loan_state(books, "L-1", D(2025, 12, 31))
    assert (state.status, state.outstanding_principal, state.accrued_interest) == (
        "repaid", ZERO, ZERO)
    assert state.interest_earned == Decimal("120.00")


def test_back_dated_repayment_gives_the_same_state_and_balances() -> None:
    base = header() + loan("L-1", D(2025, 1, 1), "Kafe", "12000.00", "6.00", 12) \
        + disburse("L-1", D(2025, 1, 1), "Kafe", Decimal("12000.00"))
    on_time = base
    amounts = {D(2025, 2, 1): Decimal("1032.80"), D(2025, 3, 1): Decimal("700.00"),
               D(2025, 4, 1): Decimal("1500.00")}
    for day, amount in amounts.items():  # each split with the books as they were then
        parts = split_repayment(load_text(on_time), "L-1", day, amount)
        on_time += repay("L-1", day, "Kafe", parts["interest"], parts["principal"])
    # The same payments, but the March one is only found (and booked) after April's.
    late = base
    for day in (D(2025, 2, 1), D(2025, 4, 1), D(2025, 3, 1)):
        parts = split_repayment(load_text(late), "L-1", day, amounts[day])
        late += repay("L-1", day, "Kafe", parts["interest"], parts["principal"])
    books_on_time, books_late = load_text(on_time), load_text(late)
    assert books_on_time.errors == books_late.errors == []
    for day in (D(2025, 2, 15), D(2025, 3, 1), D(2025, 4, 1), D(2025, 4, 30)):
        assert loan_state(books_on_time, "L-1", day) == loan_state(books_late, "L-1", day)
    # The April split differs in the ledger until the month-end entries correct it.
    assert balance(books_late, FUND_LOANS, D(2025, 4, 30)) != balance(
        books_on_time, FUND_LOANS, D(2025, 4, 30))
    months = [(2025, 1), (2025, 2), (2025, 3), (2025, 4)]
    _, closed_on_time = with_close(on_time, months)
    late_text, closed_late = with_close(late, months)
    assert closed_late.errors == []
    accounts = {p.account for t in closed_on_time.transactions for p in t.postings}
    for account in sorted(accounts):
        assert balance(closed_on_time, account, D(2025, 4, 30)) == balance(
            closed_late, account, D(2025, 4, 30)), account
    state = loan_state(closed_late, "L-1", D(2025, 4, 30))
    assert balance(closed_late, FUND_LOANS, D(2025, 4, 30)) == state.outstanding_principal
    assert balance(closed_late, FUND_ACCRUED, D(2025, 4, 30)) == state.accrued_interest
    # Closing again writes nothing new.
    assert closing_entries(closed_late, month_period(2025, 4)) == []
    # Interest income of the lender equals the borrower's interest expense.
    assert balance(closed_late, FUND_INTEREST, D(2025, 4, 30)) == -balance(
        closed_late, "Expenses:Kafe:8410-Räntekostnader-medlemslån", D(2025, 4, 30))
    assert late_text.count("generated-by") >= 4


def test_reschedule_restarts_arrears_and_keeps_the_principal() -> None:
    text = header() + loan("L-1", D(2025, 1, 1), "Kafe", "12000.00", "6.00", 12, **EQUAL) \
        + disburse("L-1", D(2025, 1, 1), "Kafe", Decimal("12000.00")) \
        + '2025-05-01 custom "coop-loan-reschedule" "L-1"\n  term: 24\n' \
          '  first-due: 2025-06-01\n'
    books = load_text(text)
    assert books.errors == []
    assert loan_state(books, "L-1", D(2025, 4, 30)).days_past_due == 28 + 31 + 29
    schedule = loan_schedule(books, "L-1")
    # Kept: the instalments due before 1 May (Feb, Mar, Apr); then 24 new from 1 June.
    assert [i.number for i in schedule[:5]] == [1, 2, 3, 4, 5]
    assert schedule[3].due == D(2025, 6, 1)
    assert sum(i.principal for i in schedule[3:]) == Decimal("12000.00")
    assert schedule[3].interest == Decimal("60.00")  # 12 000 x 6 % / 12, 30/360
    assert len(schedule) == 3 + 24
    after = loan_state(books, "L-1", D(2025, 5, 20))
    assert (after.principal_overdue, after.days_past_due, after.status) == (
        ZERO, 0, "current")
    # The interest accrued before the reschedule stays owed (4 months x 60.00, then
    # 1 to 20 May on 12 000: 40.00) and falls due with the first new instalment.
    assert after.accrued_interest == Decimal("240.00") + Decimal("40.00")
    unpaid = loan_state(books, "L-1", D(2025, 6, 2))
    assert unpaid.days_past_due == 1
    assert unpaid.interest_overdue == Decimal("240.00") + Decimal("60.00")


def test_par_recomputed_by_hand_from_the_schedules() -> None:
    day = D(2025, 6, 15)
    text = header() + contribute("Kafe", D(2025, 1, 1), Decimal("50000.00")) \
        + contribute("Stad", D(2025, 1, 1), Decimal("150000.00"))
    plan = {  # loan: borrower, principal, instalments, start, instalments paid on time
        "L-A": ("Kafe", "12000.00", 12, D(2025, 1, 1), 5),
        "L-B": ("Stad", "24000.00", 12, D(2025, 1, 1), 2),
        "L-C": ("Kafe", "6000.00", 6, D(2025, 4, 15), 0),
        "L-D": ("Stad", "3000.00", 3, D(2025, 1, 1), 3),
    }
    for loan_id, (who, principal, count, start, _paid) in plan.items():
        text += loan(loan_id, start, who, principal, "6.00", count, **EQUAL)
        text += disburse(loan_id, start, who, Decimal(principal))
    schedules = {k: loan_schedule(load_text(text), k) for k in plan}
    for loan_id, (who, principal, count, _start, paid) in plan.items():
        remaining = Decimal(principal)
        for inst in schedules[loan_id][:paid]:
            part = Decimal(principal) / count
            interest = remaining * Decimal("0.005")  # 30/360, 6 % a year, one month
            text += repay(loan_id, inst.due, who, interest, part)
            remaining -= part
    books = load_text(text)
    assert books.errors == []
    outstanding, late = {}, {}
    for loan_id, (_who, principal, count, _start, paid) in plan.items():
        outstanding[loan_id] = Decimal(principal) - Decimal(principal) / count * paid
        unpaid = [i for i in schedules[loan_id][paid:] if i.due < day]
        late[loan_id] = (day - unpaid[0].due).days if unpaid else 0
    assert late == {"L-A": 0, "L-B": 75, "L-C": 31, "L-D": 0}
    gross = sum(outstanding.values())
    report = fund_report(books, day)
    assert report.gross_portfolio == gross == Decimal("33000.00")
    for days in (1, 30, 60, 90):
        at_risk = sum((outstanding[k] for k in plan if late[k] > days), ZERO)
        assert report.par_amounts[days] == at_risk
        assert report.par[days] == (at_risk / gross).quantize(Decimal("0.0001"))
    assert report.par[30] == Decimal("0.7879")
    assert report.par[60] == Decimal("0.6061")
    statuses = {line.loan_id: line.state.status for line in report.loans}
    assert statuses == {"L-A": "current", "L-B": "delinquent", "L-C": "delinquent",
                        "L-D": "repaid"}
    assert [(m.member, m.capital, m.share) for m in report.members] == [
        ("Kafe", Decimal("50000.00"), Decimal("0.2500")),
        ("Stad", Decimal("150000.00"), Decimal("0.7500"))]
    assert report.contributions == Decimal("200000.00")


def test_write_off_and_capital_base() -> None:
    text = header() + contribute("Kafe", D(2025, 1, 1), Decimal("100000.00")) \
        + loan("L-1", D(2025, 1, 1), "Stad", "12000.00", "6.00", 12, **EQUAL) \
        + disburse("L-1", D(2025, 1, 1), "Stad", Decimal("12000.00")) \
        + repay("L-1", D(2025, 2, 1), "Stad", Decimal("60.00"), Decimal("1000.00")) \
        + write_off("L-1", D(2025, 9, 1), "Stad", Decimal("11000.00"))
    books = load_text(text)
    assert books.errors == []
    report = fund_report(books, D(2025, 9, 30))
    (line,) = report.loans
    assert line.state.status == "written-off"
    assert (report.written_off, report.losses) == (Decimal("11000.00"), Decimal("11000.00"))
    # Opening 500 000 kept + 60 interest + 100 000 contributed - 11 000 lost.
    assert report.capital_base == Decimal("500000.00") + Decimal("60.00") + Decimal(
        "100000.00") - Decimal("11000.00")
    net_assets = sum((balance(books, a, D(2025, 9, 30)) for a in books.accounts_of("Fonden")
                      if a.startswith(("Assets:", "Liabilities:"))), ZERO)
    assert report.capital_base == net_assets
    assert report.cash == Decimal("500000.00") + Decimal("100000.00") - Decimal(
        "12000.00") + Decimal("1060.00")


def test_loan_states_equal_the_state_of_each_day() -> None:
    # Two loans: missed and partial payments, a reschedule, a back-dated payment, an
    # early payoff of the other, a partial write-off; every day from before the first loan to
    # after the last event, answered by one history and by one state per day.
    text = header() + loan("L-1", D(2025, 1, 1), "Kafe", "12000.00", "6.00", 12, **EQUAL) \
        + loan("L-2", D(2025, 3, 15), "Stad", "24000.00", "4.50", 24) \
        + disburse("L-1", D(2025, 1, 1), "Kafe", Decimal("12000.00")) \
        + repay("L-1", D(2025, 2, 1), "Kafe", Decimal("60.00"), Decimal("1000.00")) \
        + disburse("L-2", D(2025, 3, 20), "Stad", Decimal("24000.00")) \
        + repay("L-1", D(2025, 3, 20), "Kafe", Decimal("30.00"), Decimal("400.00")) \
        + '2025-05-01 custom "coop-loan-reschedule" "L-1"\n  term: 24\n' \
          '  first-due: 2025-06-01\n' \
        + repay("L-2", D(2025, 4, 15), "Stad", Decimal("90.00"), Decimal("960.00")) \
        + repay("L-1", D(2025, 4, 28), "Kafe", Decimal("100.00"), Decimal("500.00")) \
        + repay("L-2", D(2025, 6, 1), "Stad", Decimal("200.00"), Decimal("23040.00")) \
        + write_off("L-1", D(2025, 11, 1), "Kafe", Decimal("10100.00"))
    books = load_text(text)
    assert books.errors == []
    days = [D(2024, 12, 30) + datetime.timedelta(days=n) for n in range(400)]
    for loan_id in ("L-1", "L-2"):
        history = loan_states(books, loan_id, days)
        assert history == [loan_state(books, loan_id, day) for day in days]
    statuses = {state.status for loan_id in ("L-1", "L-2")
                for state in loan_states(books, loan_id, days)}
    assert statuses == {"committed", "current", "delinquent", "default", "repaid"}


def test_a_loan_status_reads_as_its_text() -> None:
    """The status is an enum whose members are their text: output is unchanged."""
    import json

    from coopledger.fund import LoanStatus

    assert [str(s) for s in LoanStatus] == ["committed", "current", "delinquent", "default",
                                           "repaid", "written-off"]
    assert json.dumps({"status": LoanStatus.WRITTEN_OFF}) == '{"status": "written-off"}'
    assert f"{LoanStatus.DEFAULT:>9}" == "  default"
    assert LoanStatus("repaid") is LoanStatus.REPAID
