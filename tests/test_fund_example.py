"""The example fund: every loan state on 31 October 2026, PAR recomputed by hand."""

from __future__ import annotations

import datetime
import importlib.util
import sys
from decimal import Decimal
from pathlib import Path
from types import ModuleType

import pytest

from coopledger.books import Books, load_books
from coopledger.fund import fund_report, loan_schedule, loan_state

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "ledgers" / "example"
DAY = datetime.date(2026, 10, 31)
ZERO = Decimal(0)


@pytest.fixture(scope="module")
def books() -> Books:
    return load_books(EXAMPLE / "main.beancount")


def borrowed(books: Books, borrower: str, loan_id: str) -> Decimal:
    """What the borrower's books say it owes on a loan (its 2390 balance, negated)."""
    account = f"Liabilities:{borrower}:2390-Lån-från-fonden"
    return -sum((p.units.number or ZERO for t in books.transactions
                 if t.date <= DAY and loan_id in t.links
                 for p in t.postings if p.account == account and p.units is not None), ZERO)


def test_every_state_is_shown(books: Books) -> None:
    assert books.errors == []
    report = fund_report(books, DAY)
    statuses = {line.loan_id: line.state.status for line in report.loans}
    assert statuses == {"L-2025-01": "current", "L-2025-02": "repaid",
                        "L-2025-03": "delinquent", "L-2025-04": "current",
                        "L-2025-05": "written-off", "L-2026-01": "default",
                        "L-2026-02": "committed"}
    assert loan_state(books, "L-2025-03", DAY).days_past_due == 45
    assert "coop-loan-reschedule" in books.declarations.by_type
    assert report.written_off > 0
    assert report.recovered == Decimal("5000.00")
    paid_off = loan_state(books, "L-2025-02", DAY)
    last_due = loan_schedule(books, "L-2025-02")[-1].due
    assert paid_off.principal_repaid == Decimal("80000.00")
    assert last_due > datetime.date(2026, 2, 10)  # repaid well before its last due date


def test_par_by_hand_from_the_schedules(books: Books) -> None:
    # Tradgard paid every instalment due up to August 2026 and nothing since; Snickeri's
    # second loan paid its April and May instalments only. Each one's oldest unpaid
    # instalment is the first one due after its last payment.
    late = {}
    for loan_id, last_paid in (("L-2025-03", datetime.date(2026, 8, 31)),
                               ("L-2026-01", datetime.date(2026, 5, 31))):
        oldest = next(i.due for i in loan_schedule(books, loan_id) if i.due > last_paid)
        late[loan_id] = (DAY - oldest).days
    assert late == {"L-2025-03": 45, "L-2026-01": 123}
    outstanding = {loan_id: borrowed(books, who, loan_id) for loan_id, who in (
        ("L-2025-01", "Kafe"), ("L-2025-02", "Snickeri"), ("L-2025-03", "Tradgard"),
        ("L-2025-04", "Omsorg"), ("L-2025-05", "Stad"), ("L-2026-01", "Snickeri"))}
    gross = sum(outstanding.values(), ZERO)
    report = fund_report(books, DAY)
    assert report.gross_portfolio == gross
    expected = {n: sum((outstanding[k] for k, days in late.items() if days > n), ZERO)
                for n in (1, 30, 60, 90)}
    assert expected[90] == outstanding["L-2026-01"] > 0
    assert report.par_amounts == expected
    assert report.par == {n: (a / gross).quantize(Decimal("0.0001"))
                          for n, a in expected.items()}


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("example_fund",
                                                  ROOT / "scripts" / "example_fund.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["example_fund"] = module
    spec.loader.exec_module(module)
    return module


def test_the_example_fund_is_what_its_generator_writes() -> None:
    generator = _generator()
    entities = (EXAMPLE / "entities.beancount").read_text(encoding="utf-8")
    written = (EXAMPLE / "fund.beancount").read_text(encoding="utf-8")
    # The monthly close numbers the vouchers: it inserts one ``ver`` line per transaction.
    unnumbered = "".join(line for line in written.splitlines(keepends=True)
                         if not line.startswith('  ver: "'))
    assert generator.fund_text(entities) == unnumbered
