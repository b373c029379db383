"""One member's books cut out of the group's."""

from __future__ import annotations

from decimal import Decimal

from beancount.core import data

from coopledger.books import Books, books_from_entries
from coopledger.entities import entity_of
from coopledger.errors import CoopError
from coopledger.fava_ext.restrict import is_declared, restrict_to_entity
from coopledger.fund import fund_report
from coopledger.periods import parse_period
from coopledger.statements import balance_sheet, income_statement


def test_only_the_entitys_accounts_remain(board_books: Books) -> None:
    entries, errors, options = restrict_to_entity(board_books.entries, [],
                                                  board_books.options, "Kafe")
    assert errors == []
    assert options["title"] == "Testparaplyet – Kafe"
    assert board_books.options["title"] == "Testparaplyet"
    accounts = {p.account for e in entries if isinstance(e, data.Transaction)
                for p in e.postings}
    accounts |= {e.account for e in entries if isinstance(e, data.Open)}
    assert accounts
    assert {entity_of(a) for a in accounts} == {"Kafe"}
    codes = [e.values[0].value for e in entries
             if isinstance(e, data.Custom) and e.type == "coop-entity"]
    assert codes == ["Kafe"]
    assert any(isinstance(e, data.Custom) and e.type == "fava-extension" for e in entries)
    assert is_declared(entries, "Kafe")


def test_every_restricted_transaction_balances(board_books: Books) -> None:
    entries, _, _ = restrict_to_entity(board_books.entries, [], board_books.options, "Kafe")
    transactions = [e for e in entries if isinstance(e, data.Transaction)]
    assert transactions
    for entry in transactions:
        total = Decimal(0)
        for posting in entry.postings:
            assert posting.units is not None
            assert posting.units.number is not None
            total += posting.units.number
        assert total == 0, entry


def test_the_members_statements_are_unchanged(board_books: Books) -> None:
    entries, errors, options = restrict_to_entity(board_books.entries, [],
                                                  board_books.options, "Kafe")
    own = books_from_entries("kafe", entries, errors, options)
    year = parse_period("2025")
    assert income_statement(own, "Kafe", year) == income_statement(board_books, "Kafe", year)
    end = year.last_day
    assert balance_sheet(own, "Kafe", end) == balance_sheet(board_books, "Kafe", end)


def test_unknown_entity_leaves_nothing_and_says_so(board_books: Books) -> None:
    entries, errors, _ = restrict_to_entity(board_books.entries, [], board_books.options, "X")
    assert entries == []
    assert [e.message for e in errors] == ["entity 'X' is not declared in these books"]


def test_other_entities_errors_are_counted_not_shown(board_books: Books) -> None:
    stad = next(e for e in board_books.transactions
                if all(entity_of(p.account) == "Stad" for p in e.postings))
    kafe = next(e for e in board_books.transactions
                if all(entity_of(p.account) == "Kafe" for p in e.postings))
    found = [CoopError(stad.meta, "secret Stad problem", stad),
             CoopError(kafe.meta, "Kafe problem", kafe),
             CoopError(None, "global problem", None)]
    _, errors, _ = restrict_to_entity(board_books.entries, found, board_books.options, "Kafe")
    messages = [e.message for e in errors]
    assert "secret Stad problem" not in messages
    assert messages[:2] == ["Kafe problem", "global problem"]
    assert messages[2] == "1 error(s) in other entities' books are not shown here"


def test_loans_follow_borrower_and_lender(board_books: Books) -> None:
    def declared(code: str) -> list[tuple[str, str]]:
        entries, _, _ = restrict_to_entity(board_books.entries, [], board_books.options, code)
        return [(e.type, e.values[0].value) for e in entries
                if isinstance(e, data.Custom) and e.type.startswith("coop-")]

    assert declared("Kafe") == [("coop-entity", "Kafe"), ("coop-loan", "L-2025-01")]
    assert declared("Fonden") == [("coop-entity", "Fonden"), ("coop-loan", "L-2025-01"),
                                  ("coop-loan", "L-2025-02")]
    assert declared("Paraply") == [("coop-entity", "Paraply")]


def test_the_funds_own_view_has_its_loan_book(board_books: Books) -> None:
    entries, errors, options = restrict_to_entity(board_books.entries, [],
                                                  board_books.options, "Fonden")
    own = books_from_entries("fonden", entries, errors, options)
    date = parse_period("2025").last_day
    full, mine = fund_report(board_books, date), fund_report(own, date)
    assert [line.loan_id for line in mine.loans] == [line.loan_id for line in full.loans]
    assert (mine.gross_portfolio, mine.par, mine.capital_base, mine.available) == (
        full.gross_portfolio, full.par, full.capital_base, full.available)
