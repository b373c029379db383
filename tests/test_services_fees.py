"""Service fees: rules, bases, minimum, cap and superseding, against hand computations."""

from __future__ import annotations

from decimal import Decimal

from coopledger.books import Books
from coopledger.errors import DeclarationError
from coopledger.periods import month_period
from coopledger.services.fees import fee_entries
from tests.conftest import load_text
from tests.services_books import APRIL_2026, cost, header, number, sale

D = Decimal

RULES = """
2025-01-01 custom "coop-fee" "standard"
  member: "all"
  fixed: 1500.00
  percent: 4.5
  base: "turnover"
  minimum: 2000.00
  cap: 15000.00
"""


def fees(books: Books, period: object = APRIL_2026) -> dict[str, Decimal]:
    assert books.errors == []
    result = {}
    for entry in fee_entries(books, period):  # type: ignore[arg-type]
        member = entry.postings[0].account.split(":")[1]
        assert entry.postings[0].account == f"Expenses:{member}:6550-Tjänsteavgift-paraplyet"
        assert entry.postings[1].account == "Income:Paraply:3920-Tjänsteavgifter-medlemmar"
        assert number(entry.postings[0]) == -number(entry.postings[1])
        result[member] = number(entry.postings[0])
    return result


def test_fixed_plus_percent_of_turnover() -> None:
    # Kafe: 1500 + 4.5 % of 100000 = 6000; Stad sells nothing: 1500, raised to minimum 2000.
    books = load_text(header() + RULES + sale("2026-04-10", "Kafe", "60000.00")
                      + sale("2026-04-20", "Kafe", "40000.00")
                      + sale("2026-03-31", "Kafe", "99999.00")   # outside the month
                      + sale("2026-05-01", "Stad", "99999.00"))  # outside the month
    assert fees(books) == {"Kafe": D("6000.00"), "Stad": D("2000.00")}


def test_cap() -> None:
    # 1500 + 4.5 % of 400000 = 19500, capped at 15000.
    books = load_text(header() + RULES + sale("2026-04-10", "Kafe", "400000.00"))
    assert fees(books)["Kafe"] == D("15000.00")


def test_percent_rounds_half_up_to_the_ore() -> None:
    # 4.5 % of 1233.00 = 55.485 -> 55.49 (half up; half even would give 55.48).
    # A member-specific rule without a minimum: 1500 + 55.49.
    books = load_text(header() + RULES + """
2025-01-01 custom "coop-fee" "kafe"
  member: "Kafe"
  fixed: 1500.00
  percent: 4.5
""" + sale("2026-04-10", "Kafe", "1233.00"))
    assert fees(books)["Kafe"] == D("1555.49")


def test_margin_base_and_metadata() -> None:
    # Margin = 100000 - 40000 (BAS 4010) = 60000; 13.5 % = 8100; no fixed part.
    books = load_text(header() + RULES + """
2025-06-01 custom "coop-fee" "cae"
  member: "Stad"
  percent: 13.5
  base: "margin"
""" + sale("2026-04-10", "Stad", "100000.00")
        + cost("2026-04-11", "Expenses:Stad:4010-Inköp-varor-och-material", "40000.00", "Stad"))
    assert fees(books)["Stad"] == D("8100.00")
    (entry,) = [e for e in fee_entries(books, APRIL_2026) if e.meta["fee-rule"] == "cae"]
    assert entry.meta["base"] == "margin"
    assert entry.meta["base-amount"] == D("60000.00")
    assert entry.meta["percent"] == D("13.5")
    assert entry.meta["coop-id"] == "fee:2026-04:Stad"
    assert entry.meta["generated-by"] == "coopledger.services.fees"
    assert entry.links == frozenset({"services-2026-04"})
    assert entry.date.isoformat() == "2026-04-30"


def test_negative_margin_counts_as_zero() -> None:
    books = load_text(header() + """
2025-01-01 custom "coop-fee" "cae"
  member: "all"
  fixed: 300.00
  percent: 10
  base: "margin"
""" + cost("2026-04-11", "Expenses:Kafe:4010-Inköp-varor-och-material", "5000.00", "Kafe"))
    assert fees(books) == {"Kafe": D("300.00"), "Stad": D("300.00")}


def test_later_rule_supersedes_from_its_date() -> None:
    # From May, the "all" rule is replaced by a cheaper one; April keeps the old rule.
    books = load_text(header() + RULES + """
2026-05-01 custom "coop-fee" "standard-2026"
  member: "all"
  fixed: 1000.00
""" + sale("2026-04-10", "Kafe", "100000.00") + sale("2026-05-10", "Kafe", "100000.00"))
    assert fees(books)["Kafe"] == D("6000.00")
    assert fees(books, month_period(2026, 5)) == {"Kafe": D("1000.00"), "Stad": D("1000.00")}


def test_no_fee_before_any_rule() -> None:
    books = load_text(header() + """
2026-05-01 custom "coop-fee" "late"
  fixed: 1000.00
""")
    assert fees(books) == {}


def test_bad_rule_is_an_error_at_its_line() -> None:
    books = load_text(header() + """
2025-01-01 custom "coop-fee" "bad"
  percent: -3
  minimum: 500
  cap: 100
""")
    errors = [e for e in books.errors if isinstance(e, DeclarationError)]
    assert len(errors) == 1
    assert "percent: must not be negative" in errors[0].message
