"""A stateful machine for the close: book, close, close again, tamper, correct.

Entries are added to open months only; months are closed in order; after every step the
books load without errors, voucher numbers are gapless, closing moved no balance, and a
tampered sealed entry is reported until it is put back.
"""

from __future__ import annotations

import shutil
import tempfile
from decimal import Decimal
from pathlib import Path

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from coopledger.books import load_books
from coopledger.close import close_month
from coopledger.plugins.seals import SealError
from coopledger.seals import month_bounds
from tests.test_close_month import ENTITIES, Txn, account_totals, assert_gapless, write_ledger

MONTHS = ("2025-01", "2025-02")


class CloseMachine(RuleBasedStateMachine):
    """The books of three entities over two months, closed step by step."""

    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="coopledger-machine-"))
        self.items: list[Txn] = []
        self.main = write_ledger(self.folder, self.items)
        self.sealed = 0
        self.totals = account_totals(load_books(self.main))

    def teardown(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    def _rewrite(self) -> None:
        # Voucher lines already written must survive: the new entry goes at the end of the
        # transactions file. The bank assertions are dated 2025-02-01 and 2025-03-01, in
        # months still open whenever an entry is booked, so they are rewritten whole.
        path = self.folder / "txns.beancount"
        path.write_text(path.read_text(encoding="utf-8") + self.items[-1].text(),
                        encoding="utf-8")
        balances = {c: Decimal("100000.00") for c in ENTITIES}
        lines: list[str] = []
        for month in (1, 2):
            for t in self.items:
                if t.month == month:
                    amount = Decimal(t.ore).scaleb(-2)
                    balances[t.owner if t.sale else t.payer] += amount if t.sale else -amount
            lines.extend(f"2025-{month + 1:02d}-01 balance Assets:{c}:1930-Företagskonto "
                         f"{balances[c]:.2f} SEK" for c in ENTITIES)
        (self.folder / "banks.beancount").write_text("\n".join(lines) + "\n",
                                                     encoding="utf-8")

    @precondition(lambda self: self.sealed < len(MONTHS))
    @rule(day=st.integers(1, 28), sale=st.booleans(), owner=st.sampled_from(ENTITIES),
          payer=st.sampled_from(ENTITIES), ore=st.integers(1, 1_000_000))
    def book(self, day: int, sale: bool, owner: str, payer: str, ore: int) -> None:
        month = self.sealed + 1
        self.items.append(Txn(month, day, sale, owner, payer, ore))
        self._rewrite()
        self.totals = account_totals(load_books(self.main))

    @precondition(lambda self: self.sealed < len(MONTHS))
    @rule()
    def close_next(self) -> None:
        report = close_month(self.main, MONTHS[self.sealed])
        assert report.status == "closed", report.failure
        self.sealed += 1
        assert account_totals(load_books(self.main)) == self.totals

    @precondition(lambda self: self.sealed > 0)
    @rule()
    def close_again(self) -> None:
        before = {p: p.read_bytes() for p in self.folder.rglob("*") if p.is_file()}
        assert close_month(self.main, MONTHS[self.sealed - 1]).status == "already sealed"
        assert before == {p: p.read_bytes() for p in self.folder.rglob("*") if p.is_file()}

    @precondition(lambda self: self.sealed > 0)
    @rule()
    def tamper_and_restore(self) -> None:
        path = self.folder / "txns.beancount"
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("100000.00 SEK", "100000.01 SEK", 1)
                        .replace("-100000.00 SEK", "-100000.01 SEK", 1), encoding="utf-8")
        errors = [e for e in load_books(self.main).errors if isinstance(e, SealError)]
        assert errors
        assert all("sealed month 2025-01" in e.message for e in errors)
        path.write_text(text, encoding="utf-8")

    @invariant()
    def books_are_clean_and_numbered(self) -> None:
        books = load_books(self.main)
        assert books.errors == []
        if self.sealed:
            assert_gapless(books, before=month_bounds(MONTHS[self.sealed - 1])[1])


CloseMachine.TestCase.settings = settings(max_examples=8, stateful_step_count=8)
TestCloseMachine = CloseMachine.TestCase
