"""Payroll: reading the CSV export, and the journal entries against hand computations."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from coopledger.errors import CoopException
from coopledger.services.payroll import COLUMNS, PayrollRow, payroll_entries, read_payroll_csv
from tests.conftest import load_text
from tests.services_books import header, number

D = Decimal
HEADER = ",".join(COLUMNS)


def write(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "lon.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_header_is_the_documented_one() -> None:
    assert HEADER == "employee,member,period,gross_pay,benefits,tax,net_pay,birth_year"


def test_reads_rows(tmp_path: Path) -> None:
    path = write(tmp_path, "birth_year,employee,member,period,gross_pay,benefits,tax,net_pay,"
                           "note",
                 "2005,E203,Stad,2026-04,26000.00,0.00,5800.00,20200.00,ny",
                 "",
                 "1958,E204,Stad,2026-04,24000,500,5000,19000,")
    rows = read_payroll_csv(path)
    assert rows == [
        PayrollRow("E203", "Stad", "2026-04", D("26000.00"), D("0.00"), D("5800.00"),
                   D("20200.00"), 2005, f"{path}:2"),
        PayrollRow("E204", "Stad", "2026-04", D("24000"), D("500"), D("5000"), D("19000"),
                   1958, f"{path}:4")]


@pytest.mark.parametrize(("line", "message"), [
    ("E1,Kafe,2026-04,26 000,0,5800,20200,1990", "gross_pay '26 000' is not an amount"),
    ("E1,Kafe,2026-04,abc,0,5800,20200,1990", "gross_pay 'abc' is not an amount"),
    ("E1,Kafe,2026-04,26000,0,5800,20200.001,1990", "net_pay '20200.001' must be"),
    ("E1,Kafe,2026-04,26000,0,5800,20100,1990", "net_pay 20100 is not gross_pay - tax"),
    ("E1,Kafe,2026-04,26000,0,-5800,31800,1990", "tax '-5800' must be a non-negative"),
    ("E1,Kafe,2026-4,26000,0,5800,20200,1990", "period '2026-4' is not YYYY-MM"),
    ("E1,Kafe,2026-04,26000,0,5800,20200,90", "birth_year '90' is not a year"),
    ("E1,Kafe,2026-04,26000,0,5800,20200", "empty or missing birth_year"),
    ("E1,,2026-04,26000,0,5800,20200,1990", "empty or missing member"),
    ("E1,Kafe,2026-04,26000,0,5800,20200,1990,x", "more fields than the header"),
])
def test_malformed_row_is_one_error_naming_file_and_row(
        tmp_path: Path, line: str, message: str) -> None:
    path = write(tmp_path, HEADER, "E0,Kafe,2026-04,20000,0,4000,16000,1990", line)
    with pytest.raises(CoopException) as info:
        read_payroll_csv(path)
    assert info.value.message.startswith(f"{path}:3: ")
    assert message in info.value.message


def test_missing_column(tmp_path: Path) -> None:
    path = write(tmp_path, "employee,member,period,gross_pay,tax,net_pay,birth_year",
                 "E1,Kafe,2026-04,26000,5800,20200,1990")
    with pytest.raises(CoopException, match=r"lon.csv:1: header lacks benefits"):
        read_payroll_csv(path)


def test_duplicate_employee_month(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER, "E1,Kafe,2026-04,20000,0,4000,16000,1990",
                 "E1,Stad,2026-04,20000,0,4000,16000,1990")
    with pytest.raises(CoopException, match=r"lon.csv:3: employee E1 appears twice"):
        read_payroll_csv(path)


def row(employee: str, member: str, gross: str, tax: str, birth_year: int,
        benefits: str = "0.00", period: str = "2026-04") -> PayrollRow:
    return PayrollRow(employee, member, period, D(gross), D(benefits), D(tax),
                      D(gross) - D(tax), birth_year, "lon.csv:2")


def postings(entry: object) -> dict[str, Decimal]:
    return {p.account.split(":", 2)[2][:4]: number(p)
            for p in entry.postings}  # type: ignore[attr-defined]


def test_youth_employee_above_the_ceiling() -> None:
    books = load_text(header())
    (entry,) = payroll_entries(books, [row("E203", "Stad", "26000.00", "5800.00", 2005)])
    # Contributions: 25000 * 20.81 % + 1000 * 31.42 % = 5202.50 + 314.20 = 5516.70.
    # Vacation pay 12 % of 26000 = 3120.00, its contributions (all above the ceiling)
    # 3120 * 31.42 % = 980.304 -> 980.30.
    assert postings(entry) == {
        "7010": D("26000.00"), "2710": D("-5800.00"), "1930": D("-20200.00"),
        "7510": D("5516.70"), "2731": D("-5516.70"), "7090": D("3120.00"),
        "2920": D("-3120.00"), "7519": D("980.30"), "2941": D("-980.30")}
    assert entry.meta["employee"] == "E203"
    assert entry.meta["coop-id"] == "payroll:2026-04:E203"
    assert entry.meta["generated-by"] == "coopledger.services.payroll"
    assert entry.meta["contribution-rate"] == "20.81 % on 25000.00 + 31.42 % on 1000.00"
    assert entry.links == frozenset({"payroll-2026-04"})
    assert entry.date.isoformat() == "2026-04-25"


def test_youth_accrual_fees_below_the_ceiling_march_vs_april() -> None:
    books = load_text(header())
    march, april = payroll_entries(books, [
        row("E1", "Kafe", "20000.00", "4000.00", 2007, period="2026-03"),
        row("E1b", "Kafe", "20000.00", "4000.00", 2007, period="2026-04")])
    # March: no reduction yet: 20000 * 31.42 % = 6284.00; accrual 2400 * 31.42 % = 754.08.
    assert postings(march)["7510"] == D("6284.00")
    assert postings(march)["7519"] == D("754.08")
    # April: 20000 * 20.81 % = 4162.00; accrual 2400 stays under 25000: 499.44.
    assert postings(april)["7510"] == D("4162.00")
    assert postings(april)["7519"] == D("499.44")


def test_older_employee_with_benefits_and_declared_vacation_pay() -> None:
    books = load_text(header() + """
2025-01-01 custom "coop-vacation-pay" "Stad"
  percent: 13
""")
    (entry,) = payroll_entries(books, [row("E204", "Stad", "24000.00", "5000.00", 1958,
                                           benefits="500.00")])
    # Basis 24500 at 10.21 % = 2501.45; vacation 13 % of 24000 = 3120.00 at 10.21 % = 318.55.
    assert postings(entry)["7510"] == D("2501.45")
    assert postings(entry)["7090"] == D("3120.00")
    assert postings(entry)["7519"] == D("318.55")  # 318.552
    assert entry.meta["benefits"] == D("500.00")


def test_umbrella_staff_on_7210_and_born_1937_pays_nothing() -> None:
    books = load_text(header())
    (old, staff) = payroll_entries(books, [row("P1", "Paraply", "30000.00", "7000.00", 1970),
                                           row("K9", "Kafe", "10000.00", "1000.00", 1937)])
    assert "7210" in postings(staff)
    assert "7010" not in postings(staff)
    assert "7510" not in postings(old)
    assert "7519" not in postings(old)


def test_unknown_member_names_the_row() -> None:
    books = load_text(header())
    with pytest.raises(CoopException, match=r"lon.csv:2: unknown member 'Bageri'"):
        payroll_entries(books, [row("E1", "Bageri", "20000.00", "4000.00", 1990)])
