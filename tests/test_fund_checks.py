"""Bad loan declarations and bad loan movements: one clear error each, at file and line."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from coopledger.books import Books
from coopledger.fund import loan_state
from tests.conftest import load_text
from tests.fund_books import (
    FUND_LOANS,
    contribute,
    disburse,
    header,
    loan,
    repay,
)

D = datetime.date
HEADER = header()
HEADER_LINES = HEADER.count("\n")


def errors_of(text: str) -> tuple[Books, list[str]]:
    books = load_text(HEADER + text)
    return books, [f"fund.beancount:{(e.source or {}).get('lineno')}: {e.message}"
                   for e in books.errors]


def test_a_clean_loan_loads_without_errors() -> None:
    books, errors = errors_of(loan("L-2025-01", D(2025, 2, 1), "Kafe", "10000.00", "5.00", 12)
                              + disburse("L-2025-01", D(2025, 2, 1), "Kafe", Decimal("10000.00")))
    assert errors == []
    assert "L-2025-01" in {d.id for d in books.declarations.by_type["coop-loan"]}


@pytest.mark.parametrize(("fields", "expected"), [
    ({"principal": "-5000.00"}, "principal: principal must be positive; got -5000.00"),
    ({"rate": "4,5 %"}, 'rate: write the annual rate in percent as a plain decimal, e.g. '
                        'rate: "4.50" for 4.5 %; got \'4,5 %\''),
    ({"rate": "4.5%"}, "rate: write the annual rate in percent"),
    ({"rate": "0.045"}, 'rate: rate 0.045 looks like a fraction, but the rate is in percent: '
                        'write "4.500" for 4.500 %'),
    ({"maturity": "2024-12-31"}, "maturity 2024-12-31 is not after the start 2025-02-01"),
    ({"ocr": "1234"}, "ocr 1234: the last digit is not its check digit (mod 10); did you "
                      "mean 1230?"),
    ({"day-count": "ACT/ACT"}, "day-count: Input should be 'ACT/365', 'ACT/360' or '30/360'"),
])
def test_bad_loan_declaration_is_one_error_at_its_line(fields: dict[str, str],
                                                        expected: str) -> None:
    lines = ['2025-02-01 custom "coop-loan" "L-2025-09"', '  lender: "Fonden"',
             '  borrower: "Kafe"', '  principal: "5000.00"', '  rate: "4.50"']
    if "maturity" not in fields:
        lines.append("  term: 12")
    for key, value in fields.items():
        lines = [ln for ln in lines if not ln.startswith(f"  {key}:")]
        lines.append(f"  {key}: {value}" if key == "maturity" else f'  {key}: "{value}"')
    _, errors = errors_of("\n".join(lines) + "\n")
    assert len(errors) == 1, errors
    assert errors[0].startswith(f"fund.beancount:{HEADER_LINES + 1}: coop-loan L-2025-09: ")
    assert expected in errors[0]


def test_unknown_borrower_and_a_non_member_borrower() -> None:
    _, errors = errors_of(loan("L-2025-01", D(2025, 2, 1), "Bageri", "100.00", "5.00", 2)
                          + loan("L-2025-02", D(2025, 2, 1), "Paraply", "100.00", "5.00", 2))
    assert errors == [
        f"fund.beancount:{HEADER_LINES + 1}: loan L-2025-01: unknown borrower 'Bageri' "
        "(declared entities: Fonden, Kafe, Paraply, Stad)",
        f"fund.beancount:{HEADER_LINES + 7}: loan L-2025-02: borrower Paraply is the "
        "umbrella; a borrower must be a member"]


def test_a_loan_from_the_umbrella_is_an_error() -> None:
    text = loan("L-2025-01", D(2025, 2, 1), "Kafe", "100.00", "5.00", 2).replace(
        'lender: "Fonden"', 'lender: "Paraply"')
    _, errors = errors_of(text)
    assert errors == [f"fund.beancount:{HEADER_LINES + 1}: loan L-2025-01: lender Paraply is "
                      "the umbrella; a lender must be a fund or member"]


def test_rate_change_for_an_unknown_loan() -> None:
    _, errors = errors_of('2025-03-01 custom "coop-loan-rate" "L-2099-01"\n  rate: "3.00"\n')
    assert errors == [f"fund.beancount:{HEADER_LINES + 1}: coop-loan-rate L-2099-01: no loan "
                      "with that id is declared"]


def test_unmirrored_movement_and_missing_link() -> None:
    base = loan("L-2025-01", D(2025, 2, 1), "Kafe", "10000.00", "5.00", 12) + disburse(
        "L-2025-01", D(2025, 2, 1), "Kafe", Decimal("10000.00"))
    lopsided = (f'2025-03-01 * "Kafe" "Amortering" ^L-2025-01\n'
                f"  {FUND_LOANS}  -900.00 SEK\n"
                "  Liabilities:Kafe:2390-Lån-från-fonden  800.00 SEK\n"
                "  Assets:Kafe:1930-Företagskonto  -800.00 SEK\n"
                "  Assets:Fonden:1930-Företagskonto  900.00 SEK\n")
    unlinked = (f'2025-03-02 * "Kafe" "Amortering"\n  {FUND_LOANS}  -100.00 SEK\n'
                "  Liabilities:Kafe:2390-Lån-från-fonden  100.00 SEK\n")
    _, errors = errors_of(base + lopsided + unlinked)
    where = HEADER_LINES + base.count("\n") + 1
    assert errors == [
        f"fund.beancount:{where}: loan L-2025-01: the lender's receivable moves -900.00 but "
        "the borrower's liability 800.00; they must mirror (sum to zero) in every transaction",
        f"fund.beancount:{where + 5}: posting on loan account {FUND_LOANS} carries no loan "
        "link (add the link of one of its loans: L-2025-01)",
        f"fund.beancount:{where + 5}: posting on loan account "
        "Liabilities:Kafe:2390-Lån-från-fonden carries no loan link (add the link of one of "
        "its loans: L-2025-01)"]


def test_disbursement_above_principal_early_and_overrepayment() -> None:
    text = (loan("L-2025-01", D(2025, 2, 1), "Kafe", "1000.00", "5.00", 2)
            + disburse("L-2025-01", D(2025, 1, 20), "Kafe", Decimal("600.00"))
            + disburse("L-2025-01", D(2025, 2, 2), "Kafe", Decimal("600.00"))
            + repay("L-2025-01", D(2025, 3, 1), "Kafe", Decimal(0), Decimal("1300.00")))
    _, errors = errors_of(text)
    assert [e.split(": ", 1)[1] for e in errors] == [
        "loan L-2025-01 is disbursed on 2025-01-20, before it starts on 2025-02-01",
        "loan L-2025-01: disbursed 1200.00 in all, more than the declared principal 1000.00",
        "loan L-2025-01: repays 1300.00 of principal, 100.00 more than is owed (declare "
        "overpayment: \"hold\" to keep a credit)"]


def test_overpayment_hold_allows_a_credit() -> None:
    text = (loan("L-2025-01", D(2025, 2, 1), "Kafe", "1000.00", "5.00", 2, overpayment="hold")
            + disburse("L-2025-01", D(2025, 2, 1), "Kafe", Decimal("1000.00"))
            + repay("L-2025-01", D(2025, 3, 1), "Kafe", Decimal(0), Decimal("1100.00")))
    _, errors = errors_of(text)
    assert errors == []


def test_capital_withdrawal_needs_a_rule_and_respects_the_minimum() -> None:
    text = (contribute("Kafe", D(2025, 1, 10), Decimal("10000.00"))
            + contribute("Kafe", D(2025, 2, 10), Decimal("-2000.00")))
    _, errors = errors_of(text)
    assert [e.split(": ", 1)[1] for e in errors] == [
        "Kafe withdraws capital from Fonden, which no coop-capital-rule allows"]
    rule = '2025-01-01 custom "coop-capital-rule" "Fonden"\n  minimum: "9000.00"\n'
    _, errors = errors_of(rule + text)
    assert [e.split(": ", 1)[1] for e in errors] == [
        "Kafe would hold 8000.00 in Fonden: a withdrawal leaves nothing or at least 9000.00"]
    _, errors = errors_of(rule + contribute("Kafe", D(2025, 1, 10), Decimal("10000.00"))
                          + contribute("Kafe", D(2025, 2, 10), Decimal("-10000.00")))
    assert errors == []


def test_a_member_may_lend_to_another_member() -> None:
    opens = "".join(f'2025-01-01 open {account} SEK\n  bas: "{bas}"\n' for account, bas in (
        ("Assets:Kafe:1380-Lånefordringar-medlemmar", "1380"),
        ("Assets:Kafe:1682-Upplupna-räntor-medlemslån", "1682"),
        ("Income:Kafe:8250-Ränteintäkter-medlemslån", "8250")))
    text = opens + loan("L-2025-07", D(2025, 2, 1), "Stad", "5000.00", "3.00", 5).replace(
        'lender: "Fonden"', 'lender: "Kafe"') + (
        '2025-02-01 * "Kafe" "Lån till Stad" ^L-2025-07\n'
        "  Assets:Kafe:1380-Lånefordringar-medlemmar  5000.00 SEK\n"
        "  Assets:Kafe:1930-Företagskonto  -5000.00 SEK\n"
        "  Assets:Stad:1930-Företagskonto  5000.00 SEK\n"
        "  Liabilities:Stad:2390-Lån-från-fonden  -5000.00 SEK\n")
    books, errors = errors_of(text)
    assert errors == []
    state = loan_state(books, "L-2025-07", D(2025, 2, 28))
    assert (state.disbursed, state.status) == (Decimal("5000.00"), "current")


def test_one_transaction_moves_one_loan() -> None:
    text = (loan("L-2025-01", D(2025, 2, 1), "Kafe", "1000.00", "5.00", 2)
            + loan("L-2025-02", D(2025, 2, 1), "Kafe", "1000.00", "5.00", 2)
            + disburse("L-2025-01", D(2025, 2, 1), "Kafe", Decimal("1000.00")).replace(
                "^L-2025-01", "^L-2025-01 ^L-2025-02"))
    _, errors = errors_of(text)
    assert [e.split(": ", 1)[1] for e in errors] == [
        "one transaction moves L-2025-01, L-2025-02; book each loan's movement in a "
        "transaction of its own"]
