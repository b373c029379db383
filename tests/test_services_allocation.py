"""Cost allocation: exact parts under hypothesis, keys, superseding, and its limits."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coopledger.errors import CoopException
from coopledger.periods import month_period
from coopledger.services.allocation import allocation_entries
from tests.conftest import load_text
from tests.services_books import APRIL_2026, cost, header, number, sale

D = Decimal
INSURANCE = "Expenses:Paraply:6310-Försäkringar"
ACCOUNTING = "Expenses:Paraply:6530-Redovisningstjänster"


def parts_of(entry: object) -> dict[str, Decimal]:
    postings = entry.postings  # type: ignore[attr-defined]
    return {p.account.split(":")[1]: number(p) for p in postings}


@given(weights=st.lists(st.integers(0, 1000), min_size=1, max_size=8).filter(any),
       ore=st.integers(1, 10**9), percent=st.integers(1, 10000))
def test_parts_sum_exactly_to_the_allocated_cost(weights: list[int], ore: int,
                                                  percent: int) -> None:
    members = tuple(f"M{i}" for i in range(len(weights)))
    amount = D(ore).scaleb(-2)
    pct = D(percent).scaleb(-2)  # 0.01 .. 100.00 %
    pairs = " ".join(f"{m}:{w}" for m, w in zip(members, weights, strict=True))
    books = load_text(header(members) + f"""
2025-01-01 custom "coop-allocation" "admin"
  accounts: "6310"
  key: "fixed"
  weights: "{pairs}"
  percent: {pct}
""" + cost("2026-04-05", INSURANCE, str(amount)))
    assert books.errors == []
    entries = allocation_entries(books, APRIL_2026)
    total = (amount * pct / 100).quantize(D("0.01"), rounding="ROUND_HALF_UP")
    if total == 0:
        assert entries == []
        return
    (entry,) = entries
    parts = parts_of(entry)
    assert parts.pop("Paraply") == -total
    assert sum(parts.values()) == total
    weight_sum = sum(weights)
    for member, weight in zip(members, weights, strict=True):
        exact = total * weight / weight_sum
        got = parts.get(member, D(0))
        assert got >= 0
        assert abs(got - exact) < D("0.01")
    assert allocation_entries(books, APRIL_2026) == entries  # deterministic


ADMIN = """
2025-01-01 custom "coop-allocation" "admin"
  accounts: "6310 Expenses:Paraply:6530-Redovisningstjänster"
  key: "fixed"
  weights: "Kafe:1 Stad:2"
"""


def test_allocates_what_the_umbrella_incurred_in_the_month() -> None:
    books = load_text(header() + ADMIN
                      + cost("2026-04-05", INSURANCE, "600.00")
                      + cost("2026-04-30", ACCOUNTING, "300.01")
                      + cost("2026-03-31", INSURANCE, "5000.00")    # March
                      + cost("2026-05-01", ACCOUNTING, "5000.00"))  # May
    (entry,) = allocation_entries(books, APRIL_2026)
    # 900.01 by 1:2 -> 300.0033 / 600.0067: floors 300.00 + 600.00, the öre to Stad.
    assert parts_of(entry) == {"Kafe": D("300.00"), "Stad": D("600.01"),
                               "Paraply": D("-900.01")}
    assert entry.postings[0].account == "Expenses:Kafe:6590-Fördelade-gemensamma-kostnader"
    assert entry.postings[-1].account == "Income:Paraply:3930-Fördelade-gemensamma-kostnader"
    assert entry.meta["cost"] == D("900.01")
    assert entry.meta["weights"] == "Kafe:1 Stad:2"
    assert entry.meta["coop-id"] == "allocation:2026-04:admin"


def test_nothing_incurred_nothing_allocated() -> None:
    books = load_text(header() + ADMIN)
    assert allocation_entries(books, APRIL_2026) == []


def test_key_changes_from_its_date() -> None:
    books = load_text(header() + ADMIN + """
2026-05-01 custom "coop-allocation" "admin"
  accounts: "6310"
  key: "fixed"
  weights: "Kafe:1 Stad:1"
""" + cost("2026-04-05", INSURANCE, "900.00") + cost("2026-05-05", INSURANCE, "900.00"))
    (april,) = allocation_entries(books, APRIL_2026)
    (may,) = allocation_entries(books, month_period(2026, 5))
    assert parts_of(april)["Kafe"] == D("300.00")
    assert parts_of(may)["Kafe"] == D("450.00")


def test_turnover_key() -> None:
    books = load_text(header() + """
2025-01-01 custom "coop-allocation" "admin"
  accounts: "6310"
  key: "turnover"
""" + cost("2026-04-05", INSURANCE, "1000.00") + sale("2026-04-06", "Kafe", "30000.00")
        + sale("2026-04-07", "Stad", "10000.00"))
    (entry,) = allocation_entries(books, APRIL_2026)
    assert parts_of(entry) == {"Kafe": D("750.00"), "Stad": D("250.00"),
                               "Paraply": D("-1000.00")}


def test_area_key_from_premises() -> None:
    books = load_text(header() + """
2025-01-01 custom "coop-allocation" "el"
  accounts: "5020"
  key: "area"
2025-01-01 custom "coop-premises" "Huset"
  tenure: "lease"
  tenants: "Kafe:30 Stad:70"
""" + cost("2026-04-05", "Expenses:Paraply:5020-El-och-värme", "1000.00"))
    (entry,) = allocation_entries(books, APRIL_2026)
    assert parts_of(entry) == {"Kafe": D("300.00"), "Stad": D("700.00"),
                               "Paraply": D("-1000.00")}


def test_cannot_allocate_an_account_beyond_its_cost() -> None:
    books = load_text(header() + ADMIN + """
2025-01-01 custom "coop-allocation" "again"
  accounts: "6310"
  key: "fixed"
  weights: "Kafe:1"
  percent: 50
""" + cost("2026-04-05", INSURANCE, "900.00"))
    with pytest.raises(CoopException, match="beyond 100 %"):
        allocation_entries(books, APRIL_2026)


def test_hours_key_needs_weights() -> None:
    books = load_text(header() + """
2025-01-01 custom "coop-allocation" "utbildning"
  accounts: "7610"
  key: "hours"
""" + cost("2026-04-05", "Expenses:Paraply:7610-Utbildning", "900.00"))
    with pytest.raises(CoopException, match="needs weights"):
        allocation_entries(books, APRIL_2026)


def test_weights_must_name_members() -> None:
    books = load_text(header() + """
2025-01-01 custom "coop-allocation" "admin"
  accounts: "6310"
  key: "fixed"
  weights: "Kafe:1 Okand:2"
""" + cost("2026-04-05", INSURANCE, "900.00"))
    with pytest.raises(CoopException, match="Okand is not a member"):
        allocation_entries(books, APRIL_2026)
