"""The year-end close the BAS way: the result through 8999 Årets resultat against 2099.

The year's income and expense accounts keep their figures, so Fava's own income statement
for a closed year shows the year; each entity's one 8999 posting equals minus its 2099
posting and brings the year to zero; the next year starts from the balance sheet; a
second close writes nothing.
"""

from __future__ import annotations

import datetime
import re
import tempfile
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from beancount.core import data
from beancount.core.amount import Amount
from hypothesis import given, settings
from hypothesis import strategies as st

from coopledger.books import YEAR_END_TAG, Books, load_books
from coopledger.close import close_month
from coopledger.close.yearend import DAILY_FILE, close_year
from coopledger.close.yearseal import account_digests, balances_digest, closing_balances
from coopledger.errors import CoopException
from coopledger.periodlock import refusals
from coopledger.periods import fiscal_year
from coopledger.plugins.seals import SealError
from coopledger.sie.export import export_sie
from coopledger.sie.reader import parse_sie
from coopledger.statements import income_statement
from tests.test_close_month import (
    ENTITIES,
    SAMPLE,
    Txn,
    account_totals,
    close_both,
    snapshot,
    txns,
    write_ledger,
)

EXAMPLE = Path(__file__).resolve().parent.parent / "ledgers" / "example" / "main.beancount"
YEAR = 2025
RESULT_ROOTS = ("Income", "Expenses")


def result_account(code: str) -> str:
    return f"Expenses:{code}:8999-Årets-resultat"


def is_result(account: str) -> bool:
    return account.split(":", 1)[0] in RESULT_ROOTS


@pytest.fixture(scope="module")
def example() -> Books:
    books = load_books(EXAMPLE)
    assert books.errors == []
    return books


def year_end_postings(books: Books) -> dict[str, dict[str, Decimal]]:
    """Entity to (account to amount) of the year-end entries dated in 2025."""
    found: dict[str, dict[str, Decimal]] = defaultdict(dict)
    for entry in books.transactions:
        if YEAR_END_TAG in entry.tags and entry.date.year == YEAR:
            assert entry.meta["year-end"] == str(YEAR)
            for posting in entry.postings:
                assert posting.units is not None
                assert posting.units.number is not None
                code = posting.account.split(":")[1]
                found[code][posting.account] = posting.units.number
    return found


def test_fava_shows_the_year_in_its_own_income_statement(example: Books) -> None:
    """Fava's tree over 2025: every entity's accounts hold the year; without 8999 they sum
    to the year's result (coopledger's statement), 8999 brings them to zero, and 8999 is
    minus the 2099 posting of the year-end entry."""
    from fava.core import FavaLedger

    ledger = FavaLedger(str(EXAMPLE), poll_watcher=True)  # no watcher thread needed
    assert [e for e in ledger.errors if "seal" in str(e.message)] == []
    tree = ledger.get_filtered(time=str(YEAR)).root_tree
    booked = year_end_postings(example)
    assert set(booked) == set(example.entities)
    shown = 0
    for code, entity in example.entities.items():
        theirs: dict[str, Decimal] = {}
        for root in RESULT_ROOTS:
            stack = [tree.get(f"{root}:{code}")]
            while stack:
                node = stack.pop()
                stack.extend(node.children)
                amount = node.balance.get(("SEK", None), Decimal(0))
                if amount:
                    theirs[node.name] = amount
        eight = theirs.pop(result_account(code))
        assert theirs, code  # the year's accounts, not an empty page
        shown += len(theirs)
        ours = income_statement(example, code, fiscal_year(YEAR, entity.fiscal_year_start))
        assert {line.account: line.amount for s in ours.sections for line in s.lines} == {
            a: -v for a, v in theirs.items()}, code
        assert -sum(theirs.values(), Decimal(0)) == ours.result != 0, code
        assert eight == ours.result, code
        assert booked[code] == {result_account(code): eight,
                                f"Equity:{code}:2099-Årets-resultat": -eight}, code
    assert shown > 50


def test_a_bean_query_over_2025_gives_the_same_year(example: Books) -> None:
    """bean-query's own sums over the loaded books: per entity, the year's result
    accounts without 8999 are minus 8999, and with it zero."""
    from beanquery import query

    _, rows = query.run_query(
        example.entries, example.options,
        "SELECT account, sum(number) AS total WHERE year = 2025 "
        "AND (account ~ '^Income:' OR account ~ '^Expenses:') GROUP BY account")
    by_entity: dict[str, Decimal] = defaultdict(Decimal)
    eights: dict[str, Decimal] = {}
    for account, total in rows:
        code = account.split(":")[1]
        if account.endswith(":8999-Årets-resultat"):
            eights[code] = total
        else:
            by_entity[code] += total
    assert set(eights) == set(example.entities)
    for code, total in by_entity.items():
        assert total == -eights[code] != 0, code


def test_the_example_year_is_closed_and_a_rerun_writes_nothing(example: Books) -> None:
    report = close_year(EXAMPLE, YEAR, dry_run=True)
    assert (report.status, report.written, report.failure) == ("already sealed", {}, [])
    text = (EXAMPLE.parent / "closing" / f"{YEAR}-seal.beancount").read_text(encoding="utf-8")
    assert "  version: 2\n" in text
    opening = EXAMPLE.parent / "closing" / f"{YEAR + 1}-opening-balances.beancount"
    assert not re.search(r"^\s+(Income|Expenses):", opening.read_text(encoding="utf-8"), re.M)
    daily = load_books(EXAMPLE.parent / DAILY_FILE)
    assert daily.errors == []
    assert not any(is_result(p.account) for e in daily.transactions
                   if e.date.year == YEAR for p in e.postings)


def test_sie_res_of_the_closed_year_and_its_8999_voucher(example: Books) -> None:
    booked = year_end_postings(example)
    for code in ("Kafe", "Fonden"):
        sie = parse_sie(export_sie(example, code, YEAR).content)
        res = sie.balances_of("RES")
        assert res["8999"] == booked[code][result_account(code)]
        assert sum(res.values(), Decimal(0)) == 0
        assert len([a for a, v in res.items() if v]) >= 3
        closing = [v for v in sie.vouchers if v.series == "Y" and v.date.year == YEAR]
        assert [[(r.account, r.amount) for r in v.rows] for v in closing] == [
            [("8999", res["8999"]), ("2099", -res["8999"])]]


def test_the_period_lock_refuses_the_closed_year(example: Books) -> None:
    eight = example.accounts_of("Kafe")
    account = next(a for a in eight if example.bas(a) == "8999")

    def txn(day: datetime.date) -> data.Transaction:
        return data.Transaction(
            data.new_metadata("<test>", 0), day, "*", None, "Ändrat resultat", frozenset(),
            frozenset(), [data.Posting(account, Amount(Decimal("1.00"), "SEK"), None, None,
                                       None, None),
                          data.Posting("Equity:Kafe:2099-Årets-resultat",
                                       Amount(Decimal("-1.00"), "SEK"), None, None, None,
                                       None)])

    refused = refusals(example, [txn(datetime.date(YEAR, 12, 31))])
    assert [r.why for r in refused] == [f"{YEAR}-12 is sealed"]


@settings(max_examples=6)
@given(st.lists(txns, min_size=1, max_size=8))
def test_the_year_end_conserves_every_balance(items: list[Txn]) -> None:
    """Closing the year moves money only from 8999 to 2099 and on to 2091: every other
    account keeps its balance, each entity's 8999 is its year's result, the income
    statement is unchanged, the next year opens with the balance sheet alone, and a
    second close writes nothing."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        main = write_ledger(folder, items)
        close_both(main)
        before_books = load_books(main)
        before = account_totals(before_books)
        statements = {code: income_statement(before_books, code, fiscal_year(YEAR, 1))
                      for code in ENTITIES}
        report = close_year(main, YEAR)
        assert report.status == "closed", report.failure
        full = load_books(main)
        assert full.errors == []
        after = account_totals(full)
        moved = {a for a in set(before) | set(after)
                 if a.endswith(("8999-Årets-resultat", "2099-Årets-resultat",
                                "2091-Balanserad-vinst"))}
        assert {a: v for a, v in after.items() if a not in moved} == {
            a: v for a, v in before.items() if a not in moved}
        for code in ENTITIES:
            result = -sum((v for a, v in before.items()
                           if is_result(a) and a.split(":")[1] == code), Decimal(0))
            assert after.get(result_account(code), Decimal(0)) == result
            assert f"Equity:{code}:2099-Årets-resultat" not in after
            assert after.get(f"Equity:{code}:2091-Balanserad-vinst", Decimal(0)) == \
                before.get(f"Equity:{code}:2091-Balanserad-vinst", Decimal(0)) - result
            again = income_statement(full, code, fiscal_year(YEAR, 1))
            assert again == statements[code]
            assert again.result == result
        daily = load_books(folder / DAILY_FILE)
        assert daily.errors == []
        opening = {(p.account, p.units.currency): p.units.number
                   for e in daily.transactions if "opening-balances" in e.meta
                   for p in e.postings if p.units is not None}
        sheet = {k: v for k, v in closing_balances(full.entries, datetime.date(YEAR + 1, 1, 1))
                 .items() if not is_result(k[0])}
        assert opening == sheet
        files = snapshot(folder)
        assert close_year(main, YEAR).status == "already sealed"
        assert snapshot(folder) == files


def test_the_close_opens_8999_where_an_entity_has_none(tmp_path: Path) -> None:
    main = write_ledger(tmp_path, SAMPLE)
    text = main.read_text(encoding="utf-8")
    own = "Expenses:Kafe:8999-Resultat"
    main.write_text(text.replace('include "txns.beancount"',
                                 f'2025-01-01 open {own} SEK\n  bas: "8999"\n'
                                 'include "txns.beancount"'), encoding="utf-8")
    close_both(main)
    assert close_year(main, YEAR).status == "closed"
    written = (tmp_path / "closing" / f"{YEAR}-year-end.beancount").read_text(encoding="utf-8")
    opens = re.findall(r"^(\S+) open (\S+) SEK\n((?:  .*\n)+)", written, re.M)
    assert [(d, a) for d, a, _ in opens] == [(f"{YEAR}-12-31", result_account("Paraply")),
                                             (f"{YEAR}-12-31", result_account("Stad"))]
    assert all('bas: "8999"' in m and f'year-end: "{YEAR}"' in m for _, _, m in opens)
    full = load_books(main)
    assert full.errors == []
    assert year_end_postings(full)["Kafe"].keys() == {own, "Equity:Kafe:2099-Årets-resultat"}
    daily = load_books(tmp_path / DAILY_FILE)
    assert daily.errors == []
    assert result_account("Stad") in daily.opens


def test_a_year_after_a_year_never_closed_is_refused(tmp_path: Path) -> None:
    main = write_ledger(tmp_path, SAMPLE)
    txns_file = tmp_path / "txns.beancount"
    txns_file.write_text(txns_file.read_text(encoding="utf-8").replace(
        "; transactions\n", '; transactions\n2024-12-20 * "Kund" "Försäljning"\n'
        "  Equity:Kafe:2091-Balanserad-vinst  50.00 SEK\n"
        "  Income:Kafe:3001-Försäljning  -50.00 SEK\n"), encoding="utf-8")
    main.write_text(main.read_text(encoding="utf-8").replace("2025-01-01 open", "2024-12-01 open")
                    .replace("2025-01-01 custom", "2024-12-01 custom"), encoding="utf-8")
    banks = tmp_path / "banks.beancount"
    banks.write_text("".join(f"2025-01-01 balance Assets:{c}:1930-Företagskonto 0.00 SEK\n"
                             for c in ENTITIES) + banks.read_text(encoding="utf-8"),
                     encoding="utf-8")
    assert load_books(main).errors == []
    for month in ("2024-12", "2025-01", "2025-02"):
        report = close_month(main, month)
        assert report.status == "closed", report.failure
    files = snapshot(tmp_path)
    with pytest.raises(CoopException, match=r"^the results booked before 2025-01-01 were "
                       r"never booked to equity \(Kafe 50\.00\): close each year before "
                       r"2025 first, oldest first"):
        close_year(main, YEAR)
    assert snapshot(tmp_path) == files


def test_a_changed_8999_posting_breaks_the_year_seal(tmp_path: Path) -> None:
    main = write_ledger(tmp_path, SAMPLE)
    close_both(main)
    close_year(main, YEAR)
    year_end = tmp_path / "closing" / f"{YEAR}-year-end.beancount"
    text = year_end.read_text(encoding="utf-8")
    eight = re.search(r"(Expenses:Kafe:8999-Årets-resultat\s+)(-?[\d.]+)( SEK)", text)
    two = re.search(r"(Equity:Kafe:2099-Årets-resultat\s+)(-?[\d.]+)( SEK)", text)
    assert eight
    assert two
    text = text.replace(eight[0], f"{eight[1]}{Decimal(eight[2]) + 1}{eight[3]}").replace(
        two[0], f"{two[1]}{Decimal(two[2]) - 1}{two[3]}")
    year_end.write_text(text, encoding="utf-8")
    messages = [e.message for e in load_books(main).errors if isinstance(e, SealError)]
    assert f"sealed year {YEAR}: its year-end entries changed" in messages


def test_a_version_1_year_seal_digests_every_account(tmp_path: Path) -> None:
    """A year seal without ``version`` (written when the close zeroed every result account)
    is checked against every account's balance, as it was written."""
    main = write_ledger(tmp_path, SAMPLE)
    close_both(main)
    close_year(main, YEAR)
    seal = tmp_path / "closing" / f"{YEAR}-seal.beancount"
    text = seal.read_text(encoding="utf-8")
    every = closing_balances(load_books(main).entries, datetime.date(YEAR + 1, 1, 1))
    assert any(is_result(a) for a, _ in every)
    old = re.sub(r'  balances: "\w+"', f'  balances: "{balances_digest(every)}"', text)
    old = re.sub(r'  accounts: "[^"]*"', f'  accounts: "{account_digests(every)}"', old)
    seal.write_text(old.replace("  version: 2\n", ""), encoding="utf-8")
    assert [e for e in load_books(main).errors if isinstance(e, SealError)] == []
    seal.write_text(text.replace("  version: 2\n", ""), encoding="utf-8")
    messages = [e.message for e in load_books(main).errors if isinstance(e, SealError)]
    assert any(m.startswith(f"sealed year {YEAR}: the closing balances differ") for m in messages)
