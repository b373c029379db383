"""One member's books: the projection, its plugin, and the member's loans from its side."""

from __future__ import annotations

import datetime
import functools
from decimal import Decimal
from pathlib import Path

from beancount import loader
from beancount.core import data
from dateutil.relativedelta import relativedelta
from hypothesis import given
from hypothesis import strategies as st

from coopledger.books import Books, books_from_entries, load_books
from coopledger.entities import EntityKind, entity_of
from coopledger.filings.employees import Employee
from coopledger.fund.ledger import loan_book
from coopledger.fund.state import contractual_schedule, state_of
from coopledger.member import (
    CLOSE_MARK,
    PEOPLE_MARK,
    member_entries,
    member_errors,
    member_of,
    own_vouchers,
    read_close_marks,
)
from coopledger.member_loans import borrower_loan_book, member_loans
from coopledger.people import (
    employed_in_period,
    people_counts,
    people_marks,
    read_people_marks,
)
from coopledger.periods import Period, parse_period
from tests.conftest import ROOT

EXAMPLE = ROOT / "ledgers" / "example" / "main.beancount"


def test_a_shared_entry_keeps_only_the_members_legs(load_doc: Books) -> None:
    """
    plugin "coopledger.plugins.entities"
    2026-01-01 custom "coop-entity" "Paraply"
      name: "Paraplyet"
      kind: "umbrella"
    2026-01-01 custom "coop-entity" "Kafe"
      name: "Kafé Linnéa"
      kind: "member"
    2026-01-01 custom "coop-entity" "Stad"
      name: "Städkooperativet"
      kind: "member"
    2026-01-01 custom "coop-allocation" "admin"
      accounts: "6310"
      key: "fixed"
      weights: "Kafe:1 Stad:3"
    2026-01-01 open Expenses:Kafe:6590-Fördelat SEK
    2026-01-01 open Expenses:Stad:6590-Fördelat SEK
    2026-01-01 open Income:Paraply:3930-Fördelat SEK
    2026-01-01 open Expenses:Kafe:4010-Inköp SEK
    2026-01-01 open Assets:Kafe:1930-Bank SEK
    2026-01-31 * "Paraplyet" "Fördelade kostnader" ^services-2026-01
      ver: "Kafe:A-1 Paraply:A-7 Stad:A-3"
      coop-id: "allocation:2026-01:admin"
      weights: "Kafe:1 Stad:3"
      cost: 4000.00
      Expenses:Kafe:6590-Fördelat     1000.00 SEK
        weight: 1
      Expenses:Stad:6590-Fördelat     3000.00 SEK
        weight: 3
      Income:Paraply:3930-Fördelat   -4000.00 SEK
    2026-01-15 * "Grossisten" "Kaffe"
      ver: "Kafe:A-2"
      Expenses:Kafe:4010-Inköp   250.00 SEK
      Assets:Kafe:1930-Bank
    2026-01-20 * "Städ" "Stads eget"
      Expenses:Stad:6590-Fördelat   10.00 SEK
      Income:Paraply:3930-Fördelat
    """
    assert not load_doc.errors, load_doc.errors
    own = member_entries(load_doc.entries, "Kafe", [("2026-01", "sealed")])
    transactions = [e for e in own if isinstance(e, data.Transaction)]
    assert [t.narration for t in transactions] == ["Kaffe", "Fördelade kostnader"]
    shared = transactions[1]
    assert {p.account for p in shared.postings} == {
        "Expenses:Kafe:6590-Fördelat", "Assets:Kafe:1660-Avräkning-Paraply"}
    assert shared.meta["ver"] == "Kafe:A-1"
    assert shared.meta["coop-id"] == "allocation:2026-01:admin"
    assert "weights" not in shared.meta
    assert "cost" not in shared.meta
    assert shared.links == frozenset({"services-2026-01"})
    assert transactions[0].meta["ver"] == "Kafe:A-2"
    customs = [(e.type, e.values[0].value) for e in own if isinstance(e, data.Custom)]
    assert ("coop-entity", "Kafe") in customs
    assert not any(t in ("coop-allocation",) or v in ("Stad", "Paraply") for t, v in customs)
    assert read_close_marks(own) == {"2026-01": "sealed"}
    assert member_of(own) == "Kafe"
    assert member_of(load_doc.entries) is None
    opens = {e.account: e for e in own if isinstance(e, data.Open)}
    assert opens["Assets:Kafe:1660-Avräkning-Paraply"].meta["counterparty"] == "Paraplyet"
    assert all(entity_of(account) == "Kafe" for account in opens)


def test_other_errors_are_counted_not_quoted(load_doc: Books) -> None:
    """
    2026-01-01 open Assets:Kafe:1930-Bank SEK
    2026-01-01 open Assets:Stad:1930-Bank SEK
    2026-01-02 * "x"
      Assets:Kafe:1930-Bank  1.00 SEK
      Equity:Kafe:2099-Resultat
    2026-01-02 * "y"
      Assets:Stad:1930-Bank  1.00 SEK
      Equity:Stad:2099-Resultat
    """
    errors = load_doc.errors
    assert len(errors) == 2  # both closing accounts are not opened
    kept = member_errors(errors, "Kafe")
    assert "Kafe" in kept[0].message
    assert len(kept) == 2
    assert "Stad" not in kept[1].message
    assert kept[1].message.startswith("1 fel i gruppens övriga böcker")


@given(st.lists(st.sampled_from(["Kafe", "Stad", "Paraply", "Omsorg"]), max_size=6),
       st.lists(st.integers(min_value=1, max_value=9999), min_size=6, max_size=6))
def test_own_vouchers_keeps_exactly_the_members(codes: list[str], numbers: list[int]) -> None:
    value = " ".join(f"{c}:A-2026-{n:04d}" for c, n in zip(codes, numbers, strict=False))
    mine = own_vouchers(value, "Kafe")
    expected = [p for p in value.split() if p.startswith("Kafe:")]
    assert (mine or "").split() == expected


def example_books() -> Books:
    books = load_books(EXAMPLE)
    assert not books.errors
    return books


def test_the_plugin_serves_a_members_books_with_the_groups_balances(tmp_path: Path) -> None:
    group = example_books()
    for code in [c for c, e in group.entities.items() if e.kind is EntityKind.MEMBER]:
        path = tmp_path / f"{code}.beancount"
        path.write_text(f'option "title" "{code}"\nplugin "coopledger.plugins.member" '
                        f'"{{\'entity\': \'{code}\', \'books\': \'{EXAMPLE}\'}}"\n',
                        encoding="utf-8")
        entries, errors, options = loader.load_file(str(path))
        assert errors == []
        own = books_from_entries(path, entries, errors, options)
        assert set(own.entities) == {code}
        assert str(EXAMPLE) in options["include"]
        totals: dict[str, dict[str, Decimal]] = {"own": {}, "group": {}}
        for name, source in (("own", own.entries), ("group", group.entries)):
            for entry in source:
                if isinstance(entry, data.Transaction):
                    for posting in entry.postings:
                        if entity_of(posting.account) == code and posting.units is not None \
                                and posting.units.number is not None:
                            sums = totals[name]
                            sums[posting.account] = sums.get(posting.account, Decimal(0)) \
                                + posting.units.number
        assert totals["own"] == totals["group"]
        assert totals["own"]
        assert read_close_marks(entries)
        assert any(isinstance(e, data.Custom) and e.type == CLOSE_MARK for e in entries)


def test_the_plugin_refuses_bad_configuration_and_unknown_entities(tmp_path: Path) -> None:
    for config, message in [("Kafe", "needs"), (f"{{'entity': 'Nope', 'books': '{EXAMPLE}'}}",
                                                 "entity 'Nope' is not declared"),
                            ("{'entity': 'Kafe', 'books': 'nowhere.beancount'}",
                             "no such ledger file")]:
        path = tmp_path / "member.beancount"
        path.write_text(f'plugin "coopledger.plugins.member" "{config}"\n', encoding="utf-8")
        entries, errors, _ = loader.load_file(str(path))
        assert entries == []
        assert len(errors) == 1
        assert message in errors[0].message


def test_loans_from_the_borrowers_side_equal_the_funds() -> None:
    group = example_books()
    full = loan_book(group)
    days = [datetime.date(2025, 1, 1) + datetime.timedelta(days=d) for d in range(0, 720, 9)]
    seen = 0
    for code in [c for c, e in group.entities.items() if e.kind is EntityKind.MEMBER]:
        own = member_entries(group.entries, code)
        books = books_from_entries(group.path, own, [], group.options)
        for loan_id, record in borrower_loan_book(books, code).loans.items():
            seen += 1
            fund_record = full.loans[loan_id]
            assert contractual_schedule(record) == contractual_schedule(fund_record)
            for day in days:
                assert state_of(record, day) == state_of(fund_record, day), (loan_id, day)
        lines = member_loans(books, code, group.last_date)
        assert all(line.state.outstanding_principal >= Decimal(0) for line in lines)
        assert {line.loan_id for line in lines} <= set(full.loans)
    assert seen >= 5


def test_a_member_keeps_its_own_customers_and_suppliers_only() -> None:
    group = example_books()
    owners = {str(e.values[0].value): e.meta["entity"] for e in group.entries
              if isinstance(e, data.Custom) and e.type in ("coop-customer", "coop-supplier")}
    assert owners
    for code in [c for c, e in group.entities.items() if e.kind is EntityKind.MEMBER]:
        kept = member_entries(group.entries, code)
        parties = {str(e.values[0].value) for e in kept if isinstance(e, data.Custom)
                   and e.type in ("coop-customer", "coop-supplier")}
        assert parties == {party for party, owner in owners.items() if owner == code}
        invoicing = [e for e in kept if isinstance(e, data.Custom) and e.type == "coop-invoicing"]
        assert all(str(e.values[0].value) == code for e in invoicing)
        assert not any(isinstance(e, data.Custom) and e.type == "coop-employee" for e in kept)


def project_through_the_plugin(folder: Path, main: Path, code: str) -> Books:
    """A member's own books as ``coopledger serve --entity`` loads them."""
    path = folder / f"{code}.beancount"
    path.write_text(f'plugin "coopledger.plugins.member" '
                    f'"{{\'entity\': \'{code}\', \'books\': \'{main}\'}}"\n', encoding="utf-8")
    entries, errors, options = loader.load_file(str(path))
    assert errors == [], errors[:3]
    return books_from_entries(path, entries, errors, options)


def personnummer_forms(number: str) -> set[str]:
    """Every way a personnummer ``YYYYMMDD-NNNN`` may be written."""
    digits = number.replace("-", "")
    return {number, digits, f"{digits[2:8]}-{digits[8:]}", digits[2:]}


def test_every_members_people_are_the_groups_and_name_nobody(tmp_path: Path) -> None:
    """The counts a member's own books show are the group's for that member; its books
    hold no personnummer, no employee declaration and no other member's people."""
    group = example_books()
    employees = group.declarations.of(Employee)
    assert employees
    numbers = set().union(*(personnummer_forms(e.personnummer) for e in employees))
    codes = [c for c, e in group.entities.items() if e.kind is EntityKind.MEMBER]
    periods = [parse_period(p) for p in ("2025", "2026", "2025-Q1", "2026-Q4", "2024")]
    for code in codes:
        own = project_through_the_plugin(tmp_path, EXAMPLE, code)
        for period in periods:
            assert people_counts(own, code, period) == people_counts(group, code, period)
            assert people_counts(own, None, period) == people_counts(group, code, period)
            assert employed_in_period(own, code, period) == employed_in_period(
                group, code, period)
        marks = [e for e in own.entries if isinstance(e, data.Custom) and e.type == PEOPLE_MARK]
        assert marks
        assert {m.values[1].value for m in marks} == {code}
        assert set(read_people_marks(own.entries, code)) == {m.values[0].value for m in marks}
        text = "\n".join(repr(entry) for entry in own.entries)
        assert not [n for n in numbers if n in text], code
        assert not any(isinstance(e, data.Custom) and e.type == "coop-employee"
                       for e in own.entries)
        others = {(c, group.entities[c].name) for c in codes if c != code}
        for mark in marks:  # a mark is counts about its own entity, nothing else
            assert not [w for pair in others for w in pair if w in repr(mark)]
            assert set(mark.meta) - {"filename", "lineno"} <= {
                "employed", "target-group", "subsidised", "without-extent", "starts",
                "leavers", "fte", "subsidy-share"}
            assert all(isinstance(v, Decimal) for k, v in mark.meta.items()
                       if k not in ("filename", "lineno"))
    assert any(m.target_group for c in codes for m in people_counts(group, c, periods[1]))


def test_the_projection_names_no_employee(tmp_path: Path) -> None:
    """An employee's name, declared in the group's books, never reaches a member's."""
    group = example_books()
    named = [e._replace(meta={**e.meta, "name": f"Förnamn{e.values[0].value} Efternamn"})
             if isinstance(e, data.Custom) and e.type == "coop-employee" else e
             for e in group.entries]
    books = books_from_entries(group.path, named, [], group.options)
    names = {e.name for e in books.declarations.of(Employee)}
    assert len(names) == len(books.declarations.of(Employee))
    for code in [c for c, e in books.entities.items() if e.kind is EntityKind.MEMBER]:
        own = member_entries(books.entries, code, [], people_marks(books, code))
        text = "\n".join(repr(entry) for entry in own)
        assert not [n for n in names if n and n in text], code
        assert people_counts(books_from_entries(group.path, own, [], group.options), code,
                             parse_period("2026")) == people_counts(books, code,
                                                                    parse_period("2026"))


def test_people_marks_in_the_groups_books_are_not_carried(load_doc: Books) -> None:
    """
    2026-01-01 custom "coop-entity" "Kafe"
      name: "Kafé Linnéa"
      kind: "member"
    2026-01-01 custom "coop-entity" "Stad"
      name: "Städkooperativet"
      kind: "member"
    2026-01-01 open Assets:Kafe:1930-Bank SEK
    2026-01-31 custom "coopledger-people" "2026-01" "Kafe"
      employed: 99
    """
    own = member_entries(load_doc.entries, "Kafe")
    assert not [e for e in own if isinstance(e, data.Custom) and e.type == PEOPLE_MARK]
    forged = [e for e in load_doc.entries if isinstance(e, data.Custom)
              and e.type == PEOPLE_MARK]
    other = forged[0]._replace(values=[forged[0].values[0], forged[0].values[0]._replace(
        value="Stad")])
    kept = member_entries(load_doc.entries, "Kafe", people=[other])
    assert not [e for e in kept if isinstance(e, data.Custom) and e.type == PEOPLE_MARK]


@functools.cache
def projections() -> tuple[Books, dict[str, Books]]:
    """The example group's books and each member's projection (people marks included)."""
    group = example_books()
    own = {code: books_from_entries(group.path, member_entries(
        group.entries, code, [], people_marks(group, code)), [], group.options)
        for code, entity in group.entities.items() if entity.kind is EntityKind.MEMBER}
    return group, own


@given(st.data(), st.integers(0, 30), st.integers(1, 30))
def test_any_months_people_are_the_groups(data: st.DataObject, first: int,
                                          length: int) -> None:
    """Any run of months, before, inside and after the books: the member's own counts
    are the group's for it, booked or not."""
    group, own = projections()
    code = data.draw(st.sampled_from(sorted(own)))
    start = datetime.date(2024, 1, 1) + relativedelta(months=first)
    period = Period(start, start + relativedelta(months=length), "drawn")
    assert people_counts(own[code], code, period) == people_counts(group, code, period)
    assert employed_in_period(own[code], None, period) == employed_in_period(
        group, code, period)
