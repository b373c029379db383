"""Property tests for DESIGN.md invariants 1, 2 and 5 over random multi-entity books.

1. Every transaction balances within each entity and currency after the plugins ran.
2. Clearing symmetry: A's balance against B = minus B's balance against A, at every date.
5. Consolidation: removing intra-group accounts leaves no intra-group balance; the group
   result equals the sum of the entities' results.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from hypothesis import given

from coopledger.balances import balances
from coopledger.clearing import clearing_counterparty
from coopledger.entities import entity_of
from coopledger.periods import Period
from coopledger.statements import balance_sheet, income_statement
from tests.conftest import load_text
from tests.strategies import START, ledgers

ZERO = Decimal(0)
WHOLE = Period(START, START.replace(year=START.year + 2), "all")


@given(ledgers)
def test_every_transaction_balances_inside_each_entity(text: str) -> None:
    books = load_text(text)
    assert books.errors == []
    for txn in books.transactions:
        per_entity: defaultdict[tuple[str | None, str], Decimal] = defaultdict(Decimal)
        for posting in txn.postings:
            assert posting.units is not None
            assert posting.units.number is not None
            per_entity[(entity_of(posting.account), posting.units.currency)] += \
                posting.units.number
        assert all(total == 0 for total in per_entity.values()), per_entity


@given(ledgers)
def test_clearing_is_symmetric_at_every_date(text: str) -> None:
    books = load_text(text)
    for date in sorted({txn.date for txn in books.transactions}):
        sums = balances(books, date)
        positions = {(entity_of(account), clearing_counterparty(account)): amount
                     for account, amount in sums.items()
                     if clearing_counterparty(account) is not None}
        for (owner, other), amount in positions.items():
            assert positions.get((other, owner), ZERO) == -amount, (date, owner, other)


@given(ledgers)
def test_consolidation_eliminates_intragroup_and_adds_up(text: str) -> None:
    books = load_text(text)
    last = books.transactions[-1].date
    intragroup = sum((amount for account, amount in balances(books, last).items()
                      if books.is_intragroup(account)), ZERO)
    assert intragroup == 0
    group = income_statement(books, None, WHOLE)
    members = [income_statement(books, code, WHOLE) for code in books.entities]
    assert group.result == sum((s.result for s in members), ZERO)
    assert group.elimination_difference == 0
    sheet = balance_sheet(books, None, last)
    assert sheet.elimination_difference == 0
    assert sheet.total_assets == sheet.total_equity_and_liabilities
    for code in books.entities:
        own = balance_sheet(books, code, last)
        assert own.total_assets == own.total_equity_and_liabilities
