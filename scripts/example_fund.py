"""Write the example fund's books, ``ledgers/example/fund.beancount``, deterministically.

Members put capital into the fund (Fonden) in January 2025; the fund lends to them and
they repay monthly. The loans are chosen so that on 31 October 2026 the loan book shows
every state: current, paid off early, 45 days late, rescheduled, in default (over 90 days),
written off (with a recovery) and committed but not yet disbursed. Every repayment is
split with the fund's own engine (fees, interest, principal), as an importer would.

Run from the repository root, after ``scripts/make_example.py``::

    python scripts/example_fund.py

It writes ``fund.beancount``, adds its ``include`` and the loans plugin to
``main.beancount`` (once), and recomputes the month-end bank balance assertions, since
repayments move money between the members' and the fund's bank accounts.
"""

from __future__ import annotations

import datetime
import importlib.util
import sys
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from stdnum import luhn

from coopledger.chart import account_for
from coopledger.entities import EntityKind
from coopledger.files import FileTransaction, include_line, read_text, with_include
from coopledger.fund.ledger import LoanEvent, LoanRecord, loan_accounts
from coopledger.fund.loans import Loan, LoanReschedule
from coopledger.fund.state import contractual_schedule, split_payment, state_of

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "ledgers" / "example"
FUND = "Fonden"
FUND_BANK = account_for(FUND, "1930", EntityKind.FUND)
CAPITAL = account_for(FUND, "2083", EntityKind.FUND).replace("Medlemsinsatser",
                                                             "Medlemsinsatser-fonden")
LOANS_PLUGIN = 'plugin "coopledger.plugins.loans"\n'
ENTITIES_PLUGIN = 'plugin "coopledger.plugins.entities"\n'
D = datetime.date

CONTRIBUTIONS = {"Stad": "30000.00", "Kafe": "25000.00", "Tradgard": "20000.00",
                 "Omsorg": "30000.00", "Snickeri": "15000.00"}


def ocr(number: int) -> str:
    """An OCR reference with its Luhn check digit."""
    digits = str(number)
    return f"{digits}{luhn.calc_check_digit(digits)}"


@dataclass
class Plan:
    """One example loan: its terms and the story of its repayments.

    Attributes:
        fields: The ``coop-loan`` fields.
        paid_until: Instalments due up to this date are paid on their due date.
        skip: Due dates not paid (the borrower fell behind).
        payoff: Pay everything owed on this date (early repayment).
        reschedule: ``(date, fields)`` of a reschedule.
        write_off: Write the outstanding principal off on this date.
        recovery: ``(date, amount)`` received after the write-off.
        disbursed: False for a loan granted but not yet paid out.
    """

    fields: dict[str, Any]
    paid_until: D
    skip: tuple[D, ...] = ()
    payoff: D | None = None
    reschedule: tuple[D, dict[str, Any]] | None = None
    write_off: D | None = None
    recovery: tuple[D, Decimal] | None = None
    disbursed: bool = True
    text: list[tuple[D, str]] = field(default_factory=list)


PLANS = {
    "L-2025-01": Plan({"date": D(2025, 3, 1), "borrower": "Kafe", "principal": "120000.00",
                       "rate": "5.00", "term": 36, "first_due": D(2025, 3, 31),
                       "day_count": "ACT/365", "ocr": ocr(2025010)},
                      paid_until=D(2026, 11, 30)),
    "L-2025-02": Plan({"date": D(2025, 2, 15), "borrower": "Snickeri", "principal": "80000.00",
                       "rate": "4.50", "term": 24, "amortization": "equal-principal",
                       "day_count": "ACT/365", "ocr": ocr(2025020)},
                      paid_until=D(2026, 1, 31), payoff=D(2026, 2, 10)),
    "L-2025-03": Plan({"date": D(2025, 5, 16), "borrower": "Tradgard", "principal": "60000.00",
                       "rate": "6.00", "term": 24, "day_count": "30/360",
                       "ocr": ocr(2025030)},
                      paid_until=D(2026, 8, 31)),
    "L-2025-04": Plan({"date": D(2025, 4, 1), "borrower": "Omsorg", "principal": "100000.00",
                       "rate": "5.50", "term": 36, "day_count": "ACT/365",
                       "ocr": ocr(2025040)},
                      paid_until=D(2026, 11, 30),
                      skip=(D(2026, 1, 1), D(2026, 2, 1), D(2026, 3, 1)),
                      reschedule=(D(2026, 4, 1), {"term": 36, "rate": "4.00",
                                                  "first_due": D(2026, 5, 1)})),
    "L-2025-05": Plan({"date": D(2025, 6, 1), "borrower": "Stad", "principal": "50000.00",
                       "rate": "7.00", "term": 24, "day_count": "ACT/360",
                       "ocr": ocr(2025050)},
                      paid_until=D(2025, 10, 31), write_off=D(2026, 6, 30),
                      recovery=(D(2026, 9, 15), Decimal("5000.00"))),
    "L-2026-01": Plan({"date": D(2026, 3, 31), "borrower": "Snickeri",
                       "principal": "30000.00", "rate": "6.50", "term": 18,
                       "first_due": D(2026, 4, 30), "ocr": ocr(2026010)},
                      paid_until=D(2026, 5, 31)),
    "L-2026-02": Plan({"date": D(2026, 10, 20), "borrower": "Kafe", "principal": "40000.00",
                       "rate": "5.00", "term": 24, "first_due": D(2026, 12, 31),
                       "ocr": ocr(2026020)},
                      paid_until=D(2026, 10, 31), disbursed=False),
}


def money(value: Decimal) -> str:
    """Two decimals and the currency, as Beancount text."""
    return f"{value.quantize(Decimal('0.01'))} SEK"


def bank(code: str) -> str:
    """A member's bank account."""
    return account_for(code, "1930")


def meta_value(value: Any) -> str:
    """A metadata value as Beancount text."""
    return str(value) if isinstance(value, int | D) else f'"{value}"'


def declaration(kind: str, ident: str, date: D, fields: dict[str, Any]) -> str:
    """A ``custom`` declaration with its fields as metadata."""
    lines = [f'{date} custom "{kind}" "{ident}"']
    lines += [f"  {key.replace('_', '-')}: {meta_value(value)}" for key, value in fields.items()]
    return "\n".join(lines) + "\n"


def movement(date: D, payee: str, narration: str, loan_id: str | None,
             legs: list[tuple[str, Decimal]]) -> str:
    """A transaction (linked to a loan, if any), zero legs left out."""
    link = f" ^{loan_id}" if loan_id else ""
    lines = [f'{date} * "{payee}" "{narration}"{link}']
    lines += [f"  {account}  {money(amount)}" for account, amount in legs if amount != 0]
    return "\n".join(lines) + "\n"


def story(loan_id: str, plan: Plan) -> list[tuple[D, str]]:
    """The declarations and movements of one loan, in date order."""
    fields = {"lender": FUND, **{k: v for k, v in plan.fields.items() if k != "date"}}
    start = plan.fields["date"]
    loan = Loan.model_validate({"id": loan_id, **plan.fields, "lender": FUND, "meta": {}})
    accounts = loan_accounts({}, loan)
    borrower = loan.borrower
    record = LoanRecord(loan, accounts, [(loan.date, loan.rate)])
    out = [(start, declaration("coop-loan", loan_id, start, fields))]
    if not plan.disbursed:
        return out
    principal = loan.principal
    out.append((start, movement(start, FUND, f"Utbetalning lån {loan_id}", loan_id, [
        (accounts.lender["principal"], principal), (FUND_BANK, -principal),
        (bank(borrower), principal), (accounts.borrower["principal"], -principal)])))
    record.events.append(LoanEvent(start, "disbursement", principal, {}))
    if plan.reschedule is not None:
        when, changes = plan.reschedule
        resched = LoanReschedule.model_validate({"id": loan_id, "date": when, **changes,
                                                 "meta": {}})
        out.append((when, declaration("coop-loan-reschedule", loan_id, when, changes)))
        record.reschedules.append(resched)
        if resched.rate is not None:
            record.rates.append((when, resched.rate))

    def pay(day: D, amount: Decimal, what: str) -> None:
        parts = split_payment(record, day, amount)
        record.events.append(LoanEvent(day, "payment", amount, {}))
        out.append((day, movement(day, borrower, f"{what} {loan_id}", loan_id, [
            (accounts.lender["principal"], -parts["principal"]),
            (accounts.lender["income"], -parts["interest"]),
            (accounts.borrower["principal"], parts["principal"]),
            (accounts.borrower["expense"], parts["interest"]),
            (bank(borrower), -amount), (FUND_BANK, amount)])))

    stop = min(d for d in (plan.paid_until + datetime.timedelta(days=1), plan.payoff,
                           plan.reschedule[0] if plan.reschedule else None) if d is not None)
    for inst in contractual_schedule(record):
        if inst.due >= stop:
            break
        if inst.due not in plan.skip:
            pay(inst.due, inst.payment, "Amortering och ränta")
    if plan.reschedule is not None:
        # The interest in arrears is paid when the new terms start; the new schedule
        # depends on the principal left, so it is read after the payments.
        when = plan.reschedule[0]
        arrears = split_payment(record, when, loan.principal)["interest"]
        pay(when, arrears, "Upplupen ränta vid omläggning")
        for inst in contractual_schedule(record):
            if plan.reschedule[0] <= inst.due <= plan.paid_until:
                pay(inst.due, inst.payment, "Amortering och ränta")
    if plan.payoff is not None:
        state = state_of(record, plan.payoff - datetime.timedelta(days=1))
        owed = split_payment(record, plan.payoff, state.outstanding_principal * 2)
        pay(plan.payoff, owed["interest"] + owed["principal"], "Slutbetalning i förtid")
    if plan.write_off is not None:
        left = state_of(record, plan.write_off).outstanding_principal
        out.append((plan.write_off, movement(plan.write_off, FUND, f"Avskrivning {loan_id}",
                                             loan_id, [
            (accounts.lender["losses"], left), (accounts.lender["principal"], -left),
            (accounts.borrower["principal"], left), (accounts.borrower["forgiven"], -left)])))
    if plan.recovery is not None:
        day, amount = plan.recovery
        out.append((day, movement(day, borrower, f"Återvunnet efter avskrivning {loan_id}",
                                  loan_id, [(accounts.lender["losses"], -amount),
                                            (FUND_BANK, amount), (bank(borrower), -amount),
                                            (accounts.borrower["forgiven"], amount)])))
    return out


def missing_opens(entities_text: str) -> str:
    """``open`` directives for the borrowers' loan accounts the base books lack."""
    needed = [(code, bas) for code in ("Stad", "Kafe", "Tradgard", "Omsorg", "Snickeri")
              for bas in ("2960", "8390")]
    lines = []
    for code, bas in needed:
        account = account_for(code, bas)
        if f" open {account} " not in entities_text:
            lines.append(f'2025-01-01 open {account} SEK\n  bas: "{bas}"\n')
            if bas == "2960":
                lines.append("  intragroup: TRUE\n")
    return "".join(lines)


def fund_text(entities_text: str) -> str:
    """The whole of ``fund.beancount``."""
    head = ["; The fund's books: members' capital, loans to members and their repayments.\n",
            "; Written by scripts/example_fund.py; month-end interest accruals and provisions\n",
            "; are written by the monthly close.\n\n", missing_opens(entities_text), "\n",
            declaration("coop-capital-rule", FUND, D(2025, 1, 1), {"minimum": "5000.00"}),
            declaration("coop-provision", FUND, D(2025, 1, 1),
                        {"buckets": "1:1 31:10 61:25 91:50"})]
    dated: list[tuple[D, str]] = []
    for code, amount in CONTRIBUTIONS.items():
        value = Decimal(amount)
        dated.append((D(2025, 1, 15), movement(D(2025, 1, 15), code, "Insats i fonden", None, [
            (account_for(code, "1385"), value), (bank(code), -value),
            (FUND_BANK, value), (CAPITAL, -value)])))
    for loan_id, plan in PLANS.items():
        dated.extend(story(loan_id, plan))
    dated.sort(key=lambda item: item[0])  # stable: a loan's own order kept within a day
    return "".join(head) + "".join("\n" + text for _, text in dated)


def load_make_example() -> Any:
    """The base example's generator module (for its bank-assertion writer)."""
    spec = importlib.util.spec_from_file_location("make_example",
                                                  ROOT / "scripts" / "make_example.py")
    if spec is None or spec.loader is None:
        raise SystemExit("scripts/make_example.py is missing")
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_example"] = module  # dataclasses look their module up while defining
    spec.loader.exec_module(module)
    return module


def main() -> int:
    """Write fund.beancount, include it, and recompute the bank assertions."""
    main_file = OUT / "main.beancount"
    target = OUT / "fund.beancount"
    main_text = read_text(main_file)
    if LOANS_PLUGIN not in main_text:
        main_text = main_text.replace(ENTITIES_PLUGIN, ENTITIES_PLUGIN + LOANS_PLUGIN, 1)
    main_text = with_include(main_text, include_line(main_file, target))
    with FileTransaction() as tx:
        tx.write(target, fund_text(read_text(OUT / "entities.beancount")))
        tx.write(main_file, main_text)
    assertions = OUT / "bank-balances.beancount"
    assertions.write_text("", encoding="utf-8")
    assertions.write_text(load_make_example().bank_assertions_text(main_file), encoding="utf-8")
    print(f"wrote {target.relative_to(ROOT)}, {main_file.relative_to(ROOT)}, "
          f"{assertions.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    from coopledger.cli import command_process

    # As the coopledger command does for its process: no pickle cache beside the books.
    with command_process():
        status = main()
    sys.exit(status)
