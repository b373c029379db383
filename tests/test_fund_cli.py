"""The fund and loan commands, provisions at month end, and dated rate changes."""

from __future__ import annotations

import csv
import datetime
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from beancount.parser import printer

from coopledger.cli import main
from coopledger.fund import closing_entries, fund_report, loan_schedule, loan_state
from coopledger.periods import month_period
from tests.conftest import load_text
from tests.fund_books import FUND_LOSSES, FUND_RESERVE, disburse, header, loan, repay

D = datetime.date
EXAMPLE = Path(__file__).resolve().parent.parent / "ledgers" / "example" / "main.beancount"
EQUAL = {"amortization": "equal-principal", "day_count": "30/360"}


def test_fund_json_matches_the_library(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fund", str(EXAMPLE), "--date", "2026-10-31", "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["date"] == "2026-10-31"
    assert document["par"]["30"] != "0"
    statuses = {line["loan_id"]: line["state"]["status"] for line in document["loans"]}
    assert statuses["L-2025-03"] == "delinquent"
    total = sum(Decimal(line["state"]["outstanding_principal"]) for line in document["loans"])
    assert Decimal(document["gross_portfolio"]) == total


def test_fund_text_and_csv_list_every_loan(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fund", str(EXAMPLE), "--date", "2026-10-31"]) == 0
    text = capsys.readouterr().out
    for status in ("current", "repaid", "delinquent", "written-off", "committed"):
        assert status in text
    assert "PAR30" in text
    assert main(["fund", str(EXAMPLE), "--date", "2026-10-31", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert {row["loan"] for row in rows} >= {"L-2025-01", "L-2025-05"}
    late = next(row for row in rows if row["loan"] == "L-2025-03")
    assert late["days_past_due"] == "45"


def test_loan_schedule_csv_sums_to_the_principal(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["loan", "schedule", str(EXAMPLE), "L-2025-01", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == 36
    assert sum(Decimal(r["principal"]) for r in rows) == Decimal("120000.00")
    assert rows[-1]["remaining"] == "0.00"
    assert main(["loan", "schedule", str(EXAMPLE), "L-2025-01"]) == 0
    assert "Amorteringsplan L-2025-01" in capsys.readouterr().out


def test_unknown_loan_and_bad_date_are_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["loan", "schedule", str(EXAMPLE), "L-1999-01"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("coopledger loan: unknown loan 'L-1999-01' (declared: L-2025-01")
    assert len(err.strip().splitlines()) == 1
    with pytest.raises(SystemExit):
        main(["fund", str(EXAMPLE), "--date", "31/10/2026"])
    assert "not a date: '31/10/2026'" in capsys.readouterr().err


def test_provision_follows_the_buckets_and_is_written_once() -> None:
    text = header() + '2025-01-01 custom "coop-provision" "Fonden"\n' \
        '  buckets: "1:10 31:25 61:50"\n' \
        + loan("L-1", D(2025, 1, 1), "Kafe", "12000.00", "6.00", 12, **EQUAL) \
        + disburse("L-1", D(2025, 1, 1), "Kafe", Decimal("12000.00")) \
        + loan("L-2", D(2025, 1, 1), "Stad", "6000.00", "6.00", 6, **EQUAL) \
        + disburse("L-2", D(2025, 1, 1), "Stad", Decimal("6000.00")) \
        + repay("L-2", D(2025, 2, 1), "Stad", Decimal("30.00"), Decimal("1000.00")) \
        + repay("L-2", D(2025, 3, 1), "Stad", Decimal("25.00"), Decimal("1000.00"))
    books = load_text(text)
    assert books.errors == []
    # 31 March: L-1 has paid nothing since 1 Feb (58 days): 25 % of 12 000; L-2 is current.
    assert loan_state(books, "L-1", D(2025, 3, 31)).days_past_due == 58
    entries = closing_entries(books, month_period(2025, 3))
    (provision,) = [e for e in entries if "provision" in e.meta]
    legs = {p.account: p.units.number for p in provision.postings if p.units is not None}
    assert legs == {FUND_LOSSES: Decimal("3000.00"), FUND_RESERVE: Decimal("-3000.00")}
    assert fund_report(books, D(2025, 3, 31)).provision_required == Decimal("3000.00")
    text += "".join("\n" + printer.format_entry(e) for e in entries)
    books = load_text(text)
    assert books.errors == []
    assert closing_entries(books, month_period(2025, 3)) == []
    # 30 April: L-1 is 88 days late (50 % of 12 000), L-2 missed 1 April (29 days, 10 % of
    # 4 000): 6 400 needed, 3 000 held, so the reserve grows by the difference only.
    (more,) = [e for e in closing_entries(books, month_period(2025, 4)) if "provision" in e.meta]
    assert {p.account: p.units.number for p in more.postings if p.units is not None} == {
        FUND_LOSSES: Decimal("3400.00"), FUND_RESERVE: Decimal("-3400.00")}


def test_a_dated_rate_change_applies_from_its_date() -> None:
    text = header() + loan("L-1", D(2025, 1, 1), "Kafe", "12000.00", "6.00", 12, **EQUAL) \
        + disburse("L-1", D(2025, 1, 1), "Kafe", Decimal("12000.00")) \
        + '2025-01-16 custom "coop-loan-rate" "L-1"\n  rate: "12.00"\n'
    books = load_text(text)
    assert books.errors == []
    # 30/360: 15 days at 6 % and 15 days at 12 % on 12 000.
    expected = Decimal(12000) * (Decimal("0.06") + Decimal("0.12")) * 15 / 360
    assert loan_state(books, "L-1", D(2025, 1, 31)).accrued_interest == expected
    assert loan_schedule(books, "L-1")[0].interest == expected
    assert loan_schedule(books, "L-1")[1].interest == Decimal("110.00")  # 11 000 at 12 %
