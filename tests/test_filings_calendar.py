"""The filing calendar: due dates by the rules, the next filing, and the ``due`` command."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coopledger.cli import main as coopledger
from coopledger.entities import VatPeriod
from coopledger.filings.calendar import (
    FilingKind,
    agi_due,
    filing_calendar,
    next_agi,
    next_working_day,
    swedish_holidays,
    vat_due,
)
from coopledger.filings.vat import vat_period_of
from coopledger.periods import Period, fiscal_year, month_period
from tests.agi_books import header, pay, payroll_books

day = datetime.date


def quarter(year: int, number: int) -> Period:
    start = day(year, 3 * number - 2, 1)
    return Period(start, month_period(year, 3 * number).end, f"{year}-Q{number}")


@pytest.mark.parametrize(("month", "due"), [
    (month_period(2026, 10), day(2026, 11, 12)),   # Thursday
    (month_period(2026, 7), day(2026, 8, 17)),     # August: the 17th (a Monday)
    (month_period(2026, 12), day(2027, 1, 18)),    # January: 17th is a Sunday
    (month_period(2026, 8), day(2026, 9, 14)),     # 12th is a Saturday
    (month_period(2025, 3), day(2025, 4, 14)),     # 12 April 2025 is a Saturday
])
def test_agi_due(month: Period, due: datetime.date) -> None:
    assert agi_due(month) == due


@pytest.mark.parametrize(("period", "vat_period", "due"), [
    (quarter(2026, 3), VatPeriod.QUARTER, day(2026, 11, 12)),
    (quarter(2026, 4), VatPeriod.QUARTER, day(2027, 2, 12)),
    (quarter(2026, 2), VatPeriod.QUARTER, day(2026, 8, 17)),
    (month_period(2026, 10), VatPeriod.MONTH, day(2026, 12, 14)),   # 12th a Saturday
    (month_period(2026, 11), VatPeriod.MONTH, day(2027, 1, 18)),
    (fiscal_year(2025), VatPeriod.YEAR, day(2026, 2, 26)),
])
def test_vat_due(period: Period, vat_period: VatPeriod, due: datetime.date) -> None:
    assert vat_due(period, vat_period) == due


def test_holidays_move_a_due_date() -> None:
    assert day(2025, 4, 18) in swedish_holidays(2025)          # Good Friday
    assert next_working_day(day(2025, 4, 18)) == day(2025, 4, 22)  # past Easter Monday
    assert next_working_day(day(2024, 5, 9)) == day(2024, 5, 10)   # Ascension Day 2024
    assert next_working_day(day(2026, 6, 19)) == day(2026, 6, 22)  # Midsummer Eve


@given(st.dates(day(2024, 1, 1), day(2030, 12, 31)))
def test_next_agi_is_the_first_due_on_or_after_the_day(on: datetime.date) -> None:
    filing = next_agi(on, set())
    assert filing.kind is FilingKind.AGI
    assert filing.due >= on
    assert filing.due.weekday() < 5
    assert filing.due not in swedish_holidays(filing.due.year)
    earlier = filing.period.start - datetime.timedelta(days=1)
    assert agi_due(month_period(earlier.year, earlier.month)) < on


@given(st.dates(day(2024, 1, 1), day(2030, 12, 31)))
def test_due_dates_fall_after_their_period(on: datetime.date) -> None:
    month = month_period(on.year, on.month)
    assert agi_due(month) > month.last_day
    books = payroll_books([pay("K01", "1000.00", "0.00", 1990)])
    kafe = books.entities["Kafe"]
    period = vat_period_of(kafe, on)
    assert on in period
    assert vat_due(period, kafe.vat_period) > period.last_day


def test_calendar_lists_every_entity() -> None:
    books = payroll_books([pay("K01", "26500.00", "5830.00", 1990),
                           pay("S01", "24500.00", "5390.00", 1985)])
    rows = {row.entity.code: row for row in filing_calendar(books, day(2026, 11, 3))}
    assert set(rows) == {"Paraply", "Kafe", "Stad"}
    assert rows["Stad"].files_with == "Paraply"
    assert rows["Stad"].vat is None
    assert rows["Stad"].agi is None
    kafe = rows["Kafe"]
    assert kafe.agi is not None
    assert kafe.vat is not None
    assert (kafe.agi.period.label, kafe.agi.due, kafe.agi.closed) == (
        "2026-10", day(2026, 11, 12), True)
    assert (kafe.vat.period.label, kafe.vat.due, kafe.vat.closed) == (
        "2026-Q3", day(2026, 11, 12), False)
    # The umbrella pays through its unit Stad, so it files an AGI too.
    assert rows["Paraply"].agi is not None
    later = {row.entity.code: row for row in filing_calendar(books, day(2026, 11, 13))}
    assert later["Kafe"].agi is not None
    assert later["Kafe"].agi.period.label == "2026-11"
    assert later["Kafe"].vat is not None
    assert later["Kafe"].vat.period.label == "2026-Q4"


def test_entity_without_payroll_files_no_agi() -> None:
    from tests.conftest import load_text

    books = load_text(header())
    rows = {row.entity.code: row for row in filing_calendar(books, day(2026, 11, 3))}
    assert rows["Kafe"].agi is None
    assert rows["Kafe"].vat is not None


def test_due_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.test_filings_agi import books_text

    main = tmp_path / "main.beancount"
    main.write_text(books_text(), encoding="utf-8")
    assert coopledger(["due", str(main), "--date", "2026-11-03"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["Enhet/entity", "Moms/VAT", "AGI"]
    kafe = next(line for line in lines if line.startswith("Kafe"))
    assert "2026-10 senast/due 2026-11-12 (stängd/closed)" in kafe
    assert "2026-Q3 senast/due 2026-11-12 (öppen/open)" in kafe
    stad = next(line for line in lines if line.startswith("Stad"))
    assert "lämnas av/filed by Paraply" in stad
    assert coopledger(["due", str(main), "--date", "3 nov"]) == 2
    assert "--date '3 nov' is not a date" in capsys.readouterr().err
