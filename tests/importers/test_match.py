"""Matching and account lookup, on small ledgers: subsidies, rules, payees, identifiers."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest

from coopledger.bank.accounts import BankAccounts
from coopledger.bank.context import context_from_books
from coopledger.bank.match import categorise
from coopledger.bank.model import Leg, normalise_account_id
from coopledger.errors import CoopException
from coopledger.importers.bankcsv import parse_amount
from tests.conftest import load_text

BOOKS = """
option "operating_currency" "SEK"
plugin "coopledger.plugins.entities"
2025-01-01 custom "coop-entity" "Paraply"
  name: "Paraplyet"
  kind: "umbrella"
2025-01-01 custom "coop-entity" "Kafe"
  name: "Kafé Linnéa"
  kind: "member"
2025-01-01 custom "coop-entity" "Stad"
  name: "Stadstäd"
  kind: "member"
2025-01-01 custom "coop-bank-rule" "el"
  pattern: "tekniska verken"
  account: "5020"
  entity: "Paraply"
2025-01-01 open Assets:Kafe:1930-Företagskonto SEK
  bas: "1930"
  iban: "SE45 5000 0000 0583 9825 7466"
2025-01-01 open Assets:Stad:1930-Företagskonto SEK
  bas: "1930"
2025-01-01 open Assets:Paraply:1930-Företagskonto SEK
  bas: "1930"
2025-01-01 open Expenses:Paraply:5020-El-och-värme SEK
  bas: "5020"
2025-01-01 open Assets:Kafe:1689-Övriga-kortfristiga-fordringar SEK
  bas: "1689"
2025-01-01 open Income:Kafe:3988-Bidrag-för-personal SEK
  bas: "3988"
2025-01-01 open Expenses:Kafe:4010-Inköp SEK
  bas: "4010"
2026-09-30 * "Lönebidrag september"
  decision: "AF-1001"
  Assets:Kafe:1689-Övriga-kortfristiga-fordringar  4000.00 SEK
  Income:Kafe:3988-Bidrag-för-personal
2026-09-30 * "Nystartsjobb september"
  decision: "AF-2002"
  Assets:Kafe:1689-Övriga-kortfristiga-fordringar  2500.00 SEK
  Income:Kafe:3988-Bidrag-för-personal
2026-10-02 * "Bageriet AB" "Bröd"
  Assets:Kafe:1930-Företagskonto  -300.00 SEK
  Expenses:Kafe:4010-Inköp
"""

DAY = datetime.date(2026, 10, 20)
KAFE_BANK = "Assets:Kafe:1930-Företagskonto"


def book(leg: Leg, bank: str = KAFE_BANK) -> tuple[str, list[tuple[str, Decimal]], dict[str, str]]:
    ctx = context_from_books(load_text(BOOKS))
    booking = categorise(ctx, bank, leg, DAY, "SEK")
    postings = [(p.account, p.units.number) for p in booking.postings
                if p.units is not None and p.units.number is not None]
    assert sum(n for _, n in postings) == -leg.amount
    return booking.kind, postings, booking.meta


def test_books_load_cleanly() -> None:
    assert load_text(BOOKS).errors == []


def test_subsidy_settles_the_named_claim() -> None:
    kind, postings, meta = book(Leg(Decimal("4000.00"), "ARBETSFÖRMEDLINGEN",
                                    "Utbetalning beslut AF-1001"))
    assert kind == "subsidy"
    assert postings == [("Assets:Kafe:1689-Övriga-kortfristiga-fordringar",
                         Decimal("-4000.00"))]
    assert meta == {"decision": "AF-1001"}


def test_one_payment_for_two_claims_is_split_by_what_is_open() -> None:
    kind, postings, _ = book(Leg(Decimal("6500.00"), "Arbetsförmedlingen",
                                 "Beslut AF-1001 och AF-2002"))
    assert kind == "subsidy"
    claims = "Assets:Kafe:1689-Övriga-kortfristiga-fordringar"
    assert postings == [(claims, Decimal("-4000.00")), (claims, Decimal("-2500.00"))]


def test_more_than_the_open_claim_is_flagged() -> None:
    ctx = context_from_books(load_text(BOOKS))
    leg = Leg(Decimal("4500.00"), "Arbetsförmedlingen", "AF-1001")
    booking = categorise(ctx, KAFE_BANK, leg, DAY, "SEK")
    assert (booking.kind, booking.review) == ("subsidy", True)
    partial = categorise(ctx, KAFE_BANK, Leg(Decimal("1000.00"), None, "AF-2002"), DAY, "SEK")
    assert (partial.kind, partial.review) == ("subsidy", False)


def test_subsidy_from_someone_else_is_not_matched() -> None:
    kind, _, _ = book(Leg(Decimal("4000.00"), "Okänd AB", "AF-1001"))
    assert kind == "open"


def test_rule_limited_to_its_entity() -> None:
    leg = Leg(Decimal("-812.00"), "Tekniska Verken i Linköping", "Faktura el")
    assert book(leg, "Assets:Paraply:1930-Företagskonto")[:2] == (
        "rule", [("Expenses:Paraply:5020-El-och-värme", Decimal("812.00"))])
    assert book(leg)[:2] == ("open", [("Liabilities:Kafe:2999-OBS-konto",
                                        Decimal("812.00"))])


def test_payee_seen_before_on_the_same_bank_account() -> None:
    assert book(Leg(Decimal("-450.00"), "bageriet  ab"))[:2] == (
        "payee", [("Expenses:Kafe:4010-Inköp", Decimal("450.00"))])
    assert book(Leg(Decimal("-450.00"), "Bageriet AB"),
                "Assets:Stad:1930-Företagskonto")[0] == "open"


def test_transfer_to_a_declared_account() -> None:
    kind, postings, meta = book(Leg(Decimal("1000.00"), None, None, None,
                                    "SE4550000000058398257466"),
                                "Assets:Stad:1930-Företagskonto")
    assert (kind, postings) == ("transfer", [(KAFE_BANK, Decimal("-1000.00"))])
    assert meta == {"counterpart": KAFE_BANK}


def test_an_identifier_on_two_accounts_is_refused() -> None:
    text = BOOKS.replace('2025-01-01 open Assets:Stad:1930-Företagskonto SEK\n  bas: "1930"',
                         '2025-01-01 open Assets:Stad:1930-Företagskonto SEK\n  bas: "1930"\n'
                         '  bban: "5000 0000 0583 9825 7466"')
    books = load_text(text.replace('iban: "SE45 5000 0000 0583 9825 7466"',
                                   'bban: "50000000 05839825 7466"'))
    with pytest.raises(CoopException, match="is declared on both Assets:Kafe:1930"):
        BankAccounts.from_opens(books.opens.values())


def test_bad_rule_is_a_declaration_error() -> None:
    books = load_text(BOOKS.replace('pattern: "tekniska verken"', 'pattern: "(unclosed"'))
    assert any("not a regular expression" in e.message for e in books.errors)


@pytest.mark.parametrize(("text", "expected"), [
    ("SE45 5000 0000 0583 9825 7466", "SE4550000000058398257466"),
    ("5050-1055", "50501055"),
    ("se45-5000.0000", "SE4550000000"),
])
def test_normalise_account_id(text: str, expected: str) -> None:
    assert normalise_account_id(text) == expected


@pytest.mark.parametrize(("text", "mark", "expected"), [
    ("-1 234,50", ",", "-1234.50"),
    ("1.234.567,50", ",", "1234567.50"),
    ("1\u00a0234,5", ",", "1234.5"),
    ("\u221212,00", ",", "-12.00"),
    ("1,234.50", ".", "1234.50"),
    ("-95.00", ".", "-95.00"),
])
def test_swedish_amounts(text: str, mark: str, expected: str) -> None:
    assert parse_amount(text, mark) == Decimal(expected)


@pytest.mark.parametrize("text", ["12,3,4", "1.2.3", "12.5,00", "abc", "", "1e5"])
def test_not_amounts(text: str) -> None:
    with pytest.raises(ValueError, match=rf"^{re.escape(text)}$"):
        parse_amount(text, ",")


@pytest.mark.parametrize(("iban", "valid"), [
    ("SE45 5000 0000 0583 9825 7466", True),
    ("SE46 5000 0000 0583 9825 7466", False),  # check digits
    ("SE45 5000 0000 0583 9825 746", False),  # length
])
def test_a_declared_iban_must_be_valid(iban: str, valid: bool) -> None:
    books = load_text(f"""
        2025-01-01 open Assets:Kafe:1930-Företagskonto SEK
          iban: "{iban}"
        """)
    if valid:
        accounts = BankAccounts.from_opens(books.opens.values())
        assert accounts.find([iban]) == "Assets:Kafe:1930-Företagskonto"
    else:
        with pytest.raises(CoopException, match=re.escape(f"iban {iban} on Assets:Kafe:"
                                                          "1930-Företagskonto is not a valid "
                                                          "IBAN")):
            BankAccounts.from_opens(books.opens.values())
