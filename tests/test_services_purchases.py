"""Joint purchases: net and VAT split exactly by one key; rebates by the same key."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coopledger.books import load_books
from coopledger.cli import main
from coopledger.errors import CoopException
from coopledger.services.entries import render
from coopledger.services.purchases import joint_purchase_entry, split_purchase
from tests.conftest import load_text
from tests.services_books import header, number

D = Decimal


def test_split_by_quantity_by_hand() -> None:
    # 1000.00 net, 250.00 VAT over 1:1:1 -> 333.34/333.33/333.33 and 83.34/83.33/83.33.
    parts = split_purchase(D("1000.00"), D("250.00"), {"A": D(1), "B": D(1), "C": D(1)})
    assert parts == {"A": (D("333.34"), D("83.34")), "B": (D("333.33"), D("83.33")),
                     "C": (D("333.33"), D("83.33"))}


@given(weights=st.lists(st.integers(0, 500), min_size=1, max_size=6).filter(any),
       net=st.integers(0, 10**8), vat_rate=st.sampled_from(["0.25", "0.12", "0.06", "0"]))
def test_split_sums_exactly(weights: list[int], net: int, vat_rate: str) -> None:
    net_amount = D(net).scaleb(-2)
    vat = (net_amount * D(vat_rate)).quantize(D("0.01"))
    key = {f"M{i}": D(w) for i, w in enumerate(weights)}
    parts = split_purchase(net_amount, vat, key)
    assert sum(n for n, _ in parts.values()) == net_amount
    assert sum(v for _, v in parts.values()) == vat


def test_entry_and_rebate_load_and_balance_per_entity() -> None:
    books = load_text(header())
    weights = {"Kafe": D(30), "Stad": D(10)}
    purchase = joint_purchase_entry(
        books, date=datetime.date(2026, 4, 7), supplier="Grossisten AB", invoice="F-88231",
        net=D("12000.00"), vat=D("3000.00"), weights=weights)
    rebate = joint_purchase_entry(
        books, date=datetime.date(2026, 4, 30), supplier="Grossisten AB", invoice="K 17",
        net=D("400.00"), vat=D("100.00"), weights=weights, rebate=True)
    amounts = {p.account: number(p) for p in purchase.postings}
    assert amounts == {
        "Expenses:Kafe:4010-Inköp-varor-och-material": D("9000.00"),
        "Liabilities:Kafe:2641-Ingående-moms": D("2250.00"),
        "Expenses:Stad:4010-Inköp-varor-och-material": D("3000.00"),
        "Liabilities:Stad:2641-Ingående-moms": D("750.00"),
        "Liabilities:Paraply:2440-Leverantörsskulder": D("-15000.00")}
    assert purchase.meta["coop-id"] == "purchase:F-88231"
    assert rebate.links == frozenset({"rebate-K-17"})
    assert {p.account: number(p) for p in rebate.postings}[
        "Expenses:Kafe:4010-Inköp-varor-och-material"] == D("-300.00")
    loaded = load_text(header() + "\n" + render([purchase, rebate]))
    assert loaded.errors == []
    (first, _) = loaded.transactions
    assert len(first.postings) > len(purchase.postings)  # clearing postings added


def test_unknown_member_is_refused() -> None:
    books = load_text(header())
    with pytest.raises(CoopException, match="unknown entity Bageri"):
        joint_purchase_entry(books, date=datetime.date(2026, 4, 7), supplier="X",
                             invoice="1", net=D("100.00"), vat=D("25.00"),
                             weights={"Bageri": D(1)})


def test_purchase_command_writes_once_and_loads(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    ledger = tmp_path / "main.beancount"
    ledger.write_text(header(), encoding="utf-8")
    args = ["purchase", str(ledger), "--date", "2026-04-07", "--supplier", "Grossisten AB",
            "--invoice", "F-88231", "--net", "1000.00", "--vat", "250.00",
            "--split", "Kafe:1 Stad:2"]
    assert main(args) == 0
    target = tmp_path / "purchases" / "2026-04.beancount"
    first = target.read_bytes()
    assert main(args) == 0
    assert target.read_bytes() == first
    assert "already booked" in capsys.readouterr().err
    books = load_books(ledger)
    assert books.errors == []
    (entry,) = books.transactions
    own = {p.account: number(p) for p in entry.postings
           if not (p.meta or {}).get("generated-by")}
    # 1000 by 1:2 -> 333.33 / 666.67; VAT 250 -> 83.33 / 166.67.
    assert own["Expenses:Kafe:4010-Inköp-varor-och-material"] == D("333.33")
    assert own["Expenses:Stad:4010-Inköp-varor-och-material"] == D("666.67")
    assert own["Liabilities:Stad:2641-Ingående-moms"] == D("166.67")


def test_purchase_command_refuses_a_comma_amount(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    ledger = tmp_path / "main.beancount"
    ledger.write_text(header(), encoding="utf-8")
    assert main(["purchase", str(ledger), "--date", "2026-04-07", "--supplier", "X",
                 "--invoice", "1", "--net", "1000,00", "--vat", "0", "--split",
                 "Kafe:1"]) == 2
    assert "not a plain decimal amount" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["main.beancount"]
