"""Key ratios with thresholds (coopledger.ratios): values, verdicts, texts, per-ledger
thresholds, the fund's ratios against its report, and ``coopledger ratios``."""

from __future__ import annotations

import csv
import datetime
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coopledger.books import Books, load_books
from coopledger.cli import main
from coopledger.fund import fund_report
from coopledger.periods import parse_period
from coopledger.ratios import RATIOS, Ratio, entity_ratios, key_ratios, thresholds_for
from tests.conftest import load_text

EXAMPLE = Path(__file__).resolve().parent.parent / "ledgers" / "example" / "main.beancount"

BOOKS = """
option "operating_currency" "SEK"
plugin "coopledger.plugins.entities"

2025-01-01 custom "coop-entity" "Paraply"
  name: "Paraplyet"
  kind: "umbrella"
2025-01-01 custom "coop-entity" "Kafe"
  name: "Kafé"
  kind: "member"
2025-01-01 open Assets:Kafe:1460-Lager SEK
  bas: "1460"
2025-01-01 open Assets:Kafe:1930-Företagskonto SEK
  bas: "1930"
2025-01-01 open Equity:Kafe:2083-Medlemsinsatser SEK
  bas: "2083"
2025-01-01 open Liabilities:Kafe:2440-Leverantörsskulder SEK
  bas: "2440"
2025-01-01 open Income:Kafe:3001-Försäljning SEK
  bas: "3001"
2025-01-01 open Expenses:Kafe:4010-Inköp SEK
  bas: "4010"

2025-12-31 * "Ingående balans"
  Assets:Kafe:1930-Företagskonto  100000.00 SEK
  Assets:Kafe:1460-Lager  20000.00 SEK
  Liabilities:Kafe:2440-Leverantörsskulder  -40000.00 SEK
  Equity:Kafe:2083-Medlemsinsatser  -80000.00 SEK
2026-01-15 * "Försäljning"
  Assets:Kafe:1930-Företagskonto  50000.00 SEK
  Income:Kafe:3001-Försäljning  -50000.00 SEK
2026-01-20 * "Inköp"
  Expenses:Kafe:4010-Inköp  45000.00 SEK
  Assets:Kafe:1930-Företagskonto  -45000.00 SEK
"""


def test_the_four_entity_ratios_by_hand() -> None:
    books = load_text(BOOKS)
    assert books.errors == []
    equity, quick, cash, margin = entity_ratios(books, "Kafe", parse_period("2026-01"))
    # Assets 105 000 + 20 000; equity 80 000 + the month's result 5 000.
    assert (equity.value, equity.verdict) == (Decimal("68.00"), "good")
    # (125 000 - 20 000 of stock) / 40 000 of current liabilities.
    assert (quick.value, quick.verdict) == (Decimal("262.50"), "good")
    # 105 000 in the bank / 45 000 of costs a month.
    assert (cash.value, cash.verdict) == (Decimal("2.33"), "watch")
    assert (margin.value, margin.verdict) == (Decimal("10.00"), "good")
    assert cash.text("sv") == ("Kassa i månaders kostnader 2,3 mån: bevaka "
                               "(bra från 3,0 mån, dåligt under 1,0 mån)")
    assert cash.text("en") == ("Months of costs in cash 2.3 months: watch "
                               "(good from 3.0 months, bad below 1.0 months)")


def test_thresholds_are_declared_for_all_and_per_entity() -> None:
    books = load_text(BOOKS + """
2026-01-01 custom "coop-thresholds" "all"
  cash-months-good: 2
  margin-good: 8
2026-01-01 custom "coop-thresholds" "Kafe"
  margin-good: 12
  margin-bad: 9
2026-06-01 custom "coop-thresholds" "Kafe"
  equity-ratio-good: 70
""")
    assert books.errors == []
    _, _, cash, margin = entity_ratios(books, "Kafe", parse_period("2026-01"))
    assert (cash.good, cash.bad, cash.verdict) == (Decimal(2), Decimal(1), "good")
    assert (margin.good, margin.bad, margin.verdict) == (Decimal(12), Decimal(9), "watch")
    assert thresholds_for(books, "Paraply", datetime.date(2026, 1, 31))["margin"] == (
        Decimal(8), Decimal(0))
    assert thresholds_for(books, "Kafe", datetime.date(2026, 5, 31))["equity-ratio"] == (
        Decimal(30), Decimal(15))
    assert thresholds_for(books, "Kafe", datetime.date(2026, 6, 1))["equity-ratio"] == (
        Decimal(70), Decimal(15))


def test_thresholds_in_the_wrong_order_are_an_error_at_their_line() -> None:
    books = load_text(BOOKS + """
2026-01-01 custom "coop-thresholds" "all"
  equity-ratio-good: 10
  equity-ratio-bad: 20
2026-01-01 custom "coop-thresholds" "Kafe"
  par30-good: 12
  par30-bad: 6
2026-01-01 custom "coop-thresholds" "Kafe"
  solidity: 12
""")
    messages = [e.message for e in books.errors]
    assert any("equity-ratio: good (10) is below bad (20)" in m for m in messages)
    assert any("par30: good (12) is above bad (6)" in m for m in messages)
    assert any("solidity: unknown field" in m for m in messages)
    assert all(e.source["lineno"] > 0 for e in books.errors)


def test_no_denominator_no_verdict() -> None:
    books = load_text(BOOKS.split("2025-12-31 *", maxsplit=1)[0])
    equity, quick, cash, margin = entity_ratios(books, "Kafe", parse_period("2026-01"))
    for ratio in (equity, quick, cash, margin):
        assert ratio.value is None
        assert ratio.verdict is None
    assert quick.text("sv") == "Kassalikviditet: inga kortfristiga skulder att räkna på"
    assert margin.text("en") == "Profit margin: no operating income in the period"


@given(value=st.integers(min_value=-100_000, max_value=100_000),
       good=st.integers(min_value=-5_000, max_value=5_000),
       gap=st.integers(min_value=0, max_value=5_000),
       key=st.sampled_from(sorted(RATIOS)))
def test_verdicts_follow_the_thresholds(value: int, good: int, gap: int, key: str) -> None:
    kind = RATIOS[key]
    number, good_at = Decimal(value).scaleb(-2), Decimal(good).scaleb(-2)
    bad_at = good_at - Decimal(gap).scaleb(-2) if kind.higher_is_better else \
        good_at + Decimal(gap).scaleb(-2)
    verdict = Ratio(kind, number, good_at, bad_at).verdict
    def better(a: Decimal, b: Decimal) -> bool:
        return a >= b if kind.higher_is_better else a <= b

    assert (verdict == "good") == better(number, good_at)
    assert (verdict == "bad") == (not better(number, bad_at))
    assert verdict in ("good", "watch", "bad")


@pytest.fixture(scope="module")
def example() -> Books:
    return load_books(EXAMPLE)


def test_the_fund_ratios_are_its_report(example: Books) -> None:
    period = parse_period("2026-10")
    par30, provisions, available = key_ratios(example, "Fonden", period)
    report = fund_report(example, period.last_day)
    assert par30.value == (report.par[30] * 100).quantize(Decimal("0.01"))
    assert provisions.value == (report.provision_required * 100 / report.capital_base
                                ).quantize(Decimal("0.01"))
    assert available.value == (report.available * 100 / report.capital_base
                               ).quantize(Decimal("0.01"))
    # The example's loan book has a loan in default: PAR30 is well above 10 %.
    assert par30.verdict == "bad"
    group = key_ratios(example, None, period)
    assert [r.kind.key for r in group] == ["equity-ratio", "quick-ratio", "cash-months",
                                           "margin", "par30", "provisions", "available"]
    assert group[4] == par30


@pytest.mark.parametrize("fmt", ["text", "csv", "json"])
def test_ratios_command_prints_the_library_figures(example: Books, fmt: str,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ratios", str(EXAMPLE), "--period", "2026-Q3", "--format", fmt]) == 0
    out = capsys.readouterr().out
    expected = key_ratios(example, "Omsorg", parse_period("2026-Q3"))
    if fmt == "json":
        rows = [r for r in json.loads(out)["ratios"] if r["entity"] == "Omsorg"]
        assert [r["value"] for r in rows] == [str(r.value) for r in expected]
        assert [r["verdict"] for r in rows] == [r.verdict for r in expected]
    elif fmt == "csv":
        rows = [r for r in csv.DictReader(io.StringIO(out)) if r["entity"] == "Omsorg"]
        assert [r["text"] for r in rows] == [r.text("sv") for r in expected]
    else:
        for ratio in expected:
            assert ratio.text("sv") in out


def test_ratios_in_english_and_an_unknown_entity(example: Books,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ratios", str(EXAMPLE), "--entity", "Fonden", "--period", "2026-10",
                 "--language", "en"]) == 0
    out = capsys.readouterr().out
    for ratio in key_ratios(example, "Fonden", parse_period("2026-10")):
        assert ratio.text("en") in out
    assert "[bad]" in out
    assert main(["ratios", str(EXAMPLE), "--entity", "Nope"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "unknown entity 'Nope'" in err[0]
