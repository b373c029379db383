"""The period lock: every writer refuses entries where the books are closed to them.

Small books (an umbrella and two members, full BAS charts, fee declarations) with January
2025 sealed by a real close. Each writer command is run against a closed date and must
exit 2 with one line per refused entry, writing nothing; the same command in an open
month works. The pure function is tested on its own first.
"""

from __future__ import annotations

import datetime
import os
from decimal import Decimal
from pathlib import Path

import pytest
from beancount.core import data
from beancount.core.amount import Amount

from coopledger.books import load_books
from coopledger.cli import main
from coopledger.close import close_month
from coopledger.files import FileTransaction, new_file_mode
from coopledger.periodlock import PeriodLock, PeriodLocked, book_in, enforce, refusals
from tests.services_books import header, sale

KAFE_BANK = "Assets:Kafe:1930-Företagskonto"
DECLARATIONS = """
2025-01-01 custom "coop-fee" "standard"
  fixed: 1500.00
  percent: 4.5
"""
BALANCES = """
2025-02-01 balance Assets:Kafe:1930-Företagskonto 1250.00 SEK
2025-02-01 balance Assets:Stad:1930-Företagskonto 0.00 SEK
2025-02-01 balance Assets:Paraply:1930-Företagskonto 0.00 SEK
"""
#: Declared after January was sealed, dated before it: January's rent and depreciation
#: are computed but not booked, and the lock must refuse them.
LATE_PREMISES = """
2024-12-31 custom "coop-premises" "Huset"
  tenure: "owned"
  rent-per-m2: 1200.00
  tenants: "Kafe:30 Stad:70"
  building-cost: 1200000.00
  useful-life: 50
"""


def write_books(folder: Path) -> Path:
    """The small books, January sealed by ``coopledger close``."""
    main_file = folder / "main.beancount"
    main_file.write_text(header() + 'plugin "coopledger.plugins.seals"\n' + DECLARATIONS
                         + sale("2025-01-10", "Kafe", "1000.00") + BALANCES,
                         encoding="utf-8")
    report = close_month(main_file, "2025-01")
    assert report.status == "closed", report.failure
    return main_file


@pytest.fixture
def books(tmp_path: Path) -> Path:
    return write_books(tmp_path)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def refused_lines(err: str, command: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith(f"coopledger {command}: ")]


def camt(entries: list[tuple[str, str, str]], iban: str = "SE0000000000000000000001") -> str:
    """A camt.053 statement (no balances) with (booking date, credit, EndToEndId) entries."""
    ntry = "".join(
        f'<Ntry><Amt Ccy="SEK">{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>'
        f"<BookgDt><Dt>{day}</Dt></BookgDt><AcctSvcrRef>LOCK-{n}</AcctSvcrRef>"
        f'<NtryDtls><TxDtls><Refs><EndToEndId>{e2e}</EndToEndId></Refs><Amt Ccy="SEK">'
        f"{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><RltdPties><Dbtr><Nm>Kund {n}</Nm>"
        "</Dbtr></RltdPties><RmtInf><Ustrd>Betalning</Ustrd></RmtInf></TxDtls></NtryDtls>"
        "</Ntry>"
        for n, (day, amount, e2e) in enumerate(entries, 1))
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="urn:iso:std:iso:20022:'
            'tech:xsd:camt.053.001.02"><BkToCstmrStmt><GrpHdr><MsgId>L</MsgId>'
            "<CreDtTm>2025-03-01T08:00:00</CreDtTm></GrpHdr><Stmt><Id>L-1</Id>"
            f"<Acct><Id><IBAN>{iban}</IBAN></Id><Ccy>SEK</Ccy></Acct>{ntry}</Stmt>"
            "</BkToCstmrStmt></Document>\n")


def txn(date: str, *legs: tuple[str, str]) -> data.Transaction:
    postings = [data.Posting(a, Amount(Decimal(n), "SEK"), None, None, None, None)
                for a, n in legs]
    return data.Transaction(data.new_metadata("<test>", 0), datetime.date.fromisoformat(date),
                            "*", None, "x", frozenset(), frozenset(), postings)


# --- the pure function ------------------------------------------------------------------

def test_refusals_name_date_month_and_why(books: Path) -> None:
    loaded = load_books(books)
    found = refusals(loaded, [
        txn("2025-01-20", (KAFE_BANK, "10"), ("Income:Kafe:3001-Försäljning-25", "-10")),
        txn("2024-12-31", (KAFE_BANK, "10"), ("Income:Kafe:3001-Försäljning-25", "-10")),
        txn("2025-02-03", (KAFE_BANK, "10"), ("Income:Kafe:3001-Försäljning-25", "-10")),
        txn("2025-02-03", (KAFE_BANK, "10"), ("Income:Kafe:3999-Ny", "-10")),
    ])
    assert [r.line() for r in found] == [
        "2025-01-20 (2025-01): 2025-01 is sealed",
        "2024-12-31 (2024-12): Assets:Kafe:1930-Företagskonto: entity Kafe starts its books "
        "on 2025-01-01",
        "2025-02-03 (2025-02): Income:Kafe:3999-Ny is not opened in the books"]
    opened = data.Open(data.new_metadata("<test>", 0), datetime.date(2025, 2, 5),
                       "Income:Kafe:3999-Ny", ["SEK"], None)
    late = txn("2025-02-03", (KAFE_BANK, "10"), ("Income:Kafe:3999-Ny", "-10"))
    assert [r.why for r in refusals(loaded, [opened, late])] == [
        "Income:Kafe:3999-Ny is opened on 2025-02-05"]
    assert refusals(loaded, [opened, late._replace(date=datetime.date(2025, 2, 5))]) == []


def test_a_sealed_year_refuses_what_would_change_its_balances() -> None:
    lock = PeriodLock(frozenset({"2025-12"}), {KAFE_BANK: datetime.date(2020, 1, 1),
                                               "Equity:Kafe:2091": datetime.date(2020, 1, 1)},
                      {}, datetime.date(2026, 1, 1))
    entry = txn("2024-06-01", (KAFE_BANK, "1"), ("Equity:Kafe:2091", "-1"))
    assert [r.why for r in lock.refusals([entry])] == [
        "before 2026-01-01, the end of a sealed year whose closing balances it would change"]
    assert lock.refusals([entry._replace(date=datetime.date(2026, 1, 1))]) == []
    assert lock.first_open_month(entry) == "2026-01"


def test_enforce_raises_one_line_per_entry(books: Path) -> None:
    loaded = load_books(books)
    entries = [txn(f"2025-01-{d:02d}", (KAFE_BANK, "1"),
                   ("Income:Kafe:3001-Försäljning-25", "-1")) for d in (3, 4)]
    with pytest.raises(PeriodLocked) as caught:
        enforce(loaded, entries, "do it later")
    assert caught.value.message.splitlines() == [
        "2025-01-03 (2025-01): 2025-01 is sealed; do it later",
        "2025-01-04 (2025-01): 2025-01 is sealed; do it later"]


def test_book_in_moves_refused_lines_and_keeps_their_date(books: Path) -> None:
    loaded = load_books(books)
    late = txn("2025-01-20", (KAFE_BANK, "5"), ("Income:Kafe:3001-Försäljning-25", "-5"))
    kept = txn("2025-02-20", (KAFE_BANK, "5"), ("Income:Kafe:3001-Försäljning-25", "-5"))
    assertion = data.Balance(data.new_metadata("<test>", 0), datetime.date(2025, 1, 21),
                             KAFE_BANK, Amount(Decimal(5), "SEK"), None, None)
    out, moved, dropped = book_in(loaded, [late, assertion, kept], "2025-02")
    assert (moved, dropped) == (1, 1)
    assert [e.date for e in out] == [datetime.date(2025, 2, 1), datetime.date(2025, 2, 20)]
    assert out[0].meta["value-date"] == datetime.date(2025, 1, 20)
    assert refusals(loaded, out) == []
    with pytest.raises(Exception, match="2025-01 is sealed; the first open month after it "
                                        "is 2025-02"):
        book_in(loaded, [late], "2025-01")


# --- every writer ----------------------------------------------------------------------

def test_import_refuses_a_sealed_month_then_books_it_in(
        books: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    statement = tmp_path / "late.camt053.xml"
    statement.write_text(camt([("2025-01-20", "100.00", "E2E-1"),
                               ("2025-02-03", "50.00", "E2E-2")]), encoding="utf-8")
    argv = ["import", str(books), str(statement), "--account", KAFE_BANK]
    before = snapshot(tmp_path)
    capsys.readouterr()
    assert main(argv) == 2
    lines = refused_lines(capsys.readouterr().err, "import")
    assert lines == ["coopledger import: 2025-01-20 (2025-01): 2025-01 is sealed; nothing "
                     "was written; book late bank lines in an open month with --book-in "
                     "2025-02"]
    assert snapshot(tmp_path) == before
    assert main([*argv, "--book-in", "2025-01"]) == 2
    assert snapshot(tmp_path) == before
    assert main([*argv, "--book-in", "2025-02"]) == 0
    after = load_books(books)
    assert after.errors == []
    (moved,) = [e for e in after.transactions if "value-date" in e.meta]
    assert moved.date == datetime.date(2025, 2, 1)
    assert moved.meta["value-date"] == datetime.date(2025, 1, 20)
    assert moved.meta["end-to-end-id"] == "E2E-1"
    files = snapshot(tmp_path)
    assert main([*argv, "--book-in", "2025-02"]) == 0  # twice adds nothing
    assert snapshot(tmp_path) == files


def test_import_refuses_lines_before_the_account_opens(
        books: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    statement = tmp_path / "old.camt053.xml"
    statement.write_text(camt([("2009-05-04", "100.00", "OLD")]), encoding="utf-8")
    before = snapshot(tmp_path)
    capsys.readouterr()
    assert main(["import", str(books), str(statement), "--account", KAFE_BANK]) == 2
    (line,) = refused_lines(capsys.readouterr().err, "import")
    assert "2009-05-04 (2009-05): " in line
    assert "entity Kafe starts its books on 2025-01-01" in line
    assert line.endswith("--book-in 2025-02")
    assert snapshot(tmp_path) == before


def test_writers_refuse_books_that_do_not_check(
        books: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with books.open("a", encoding="utf-8") as handle:
        handle.write(f'\n2025-02-02 * "Fel"\n  {KAFE_BANK}  10.00 SEK\n')
    statement = tmp_path / "s.camt053.xml"
    statement.write_text(camt([("2025-02-03", "1.00", "X")]), encoding="utf-8")
    before = snapshot(tmp_path)
    for argv in (["import", str(books), str(statement), "--account", KAFE_BANK],
                 ["new-coop", str(books), "Bageri", "--name", "Bageriet",
                  "--start", "2025-03-01"],
                 ["services", str(books), "2025-02"]):
        capsys.readouterr()
        assert main(argv) == 1
        (line,) = capsys.readouterr().err.strip().splitlines()
        assert "the books do not check (" in line
        assert line.endswith("nothing was written")
    assert snapshot(tmp_path) == before


def test_payroll_refuses_a_sealed_month(books: Path, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    csv = tmp_path / "lon.csv"
    csv.write_text("employee,member,period,gross_pay,benefits,tax,net_pay,birth_year\n"
                   "E1,Kafe,2025-01,20000.00,0.00,4000.00,16000.00,1980\n", encoding="utf-8")
    before = snapshot(tmp_path)
    capsys.readouterr()
    assert main(["payroll", str(books), str(csv)]) == 2
    lines = refused_lines(capsys.readouterr().err, "payroll")
    assert lines
    assert all("(2025-01): 2025-01 is sealed" in line for line in lines)
    assert snapshot(tmp_path) == before
    csv.write_text(csv.read_text(encoding="utf-8").replace("2025-01", "2025-02"),
                   encoding="utf-8")
    assert main(["payroll", str(books), str(csv)]) == 0


def test_services_refuse_a_sealed_month(books: Path, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    with books.open("a", encoding="utf-8") as handle:
        handle.write(LATE_PREMISES)
    before = snapshot(tmp_path)
    capsys.readouterr()
    assert main(["services", str(books), "2025-01"]) == 2
    lines = refused_lines(capsys.readouterr().err, "services")
    assert lines
    assert all("(2025-01): 2025-01 is sealed" in line for line in lines)
    assert snapshot(tmp_path) == before
    assert main(["services", str(books), "2025-02"]) == 0


def test_purchase_refuses_a_sealed_month(books: Path, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["purchase", str(books), "--supplier", "Grossisten", "--invoice", "F1",
            "--net", "1000.00", "--vat", "250.00", "--split", "Kafe:1 Stad:1"]
    before = snapshot(tmp_path)
    capsys.readouterr()
    assert main([*argv, "--date", "2025-01-15", "--dry-run"]) == 2  # a dry run says so too
    capsys.readouterr()
    assert main([*argv, "--date", "2025-01-15"]) == 2
    (line,) = refused_lines(capsys.readouterr().err, "purchase")
    assert "2025-01-15 (2025-01): 2025-01 is sealed" in line
    assert snapshot(tmp_path) == before
    assert main([*argv, "--date", "2025-02-15"]) == 0
    assert load_books(books).errors == []


def test_correct_refuses_a_sealed_month_and_takes_bas_numbers(
        books: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["correct", str(books), "Kafe:A-2025-0001", "--by", "Anna Berg"]
    before = snapshot(tmp_path)
    capsys.readouterr()
    assert main([*argv, "--date", "2025-01-20", "--move", "3001=3002"]) == 2
    (line,) = refused_lines(capsys.readouterr().err, "correct")
    assert "2025-01-20 (2025-01): 2025-01 is sealed" in line
    assert snapshot(tmp_path) == before
    assert main([*argv, "--date", "2025-02-20", "--move", "3001=9999"]) == 2
    assert "no account with BAS 9999 among Kafe's open accounts" in capsys.readouterr().err
    assert main([*argv, "--date", "2025-02-20", "--move", "3001=3002"]) == 0
    after = load_books(books)
    assert after.errors == []
    (moved,) = [e for e in after.transactions if "corrects" in e.meta]
    assert {p.account: p.units.number for p in moved.postings if p.units} == {
        "Income:Kafe:3001-Försäljning-25": Decimal("1000.00"),
        "Income:Kafe:3002-Försäljning-12": Decimal("-1000.00")}


def test_correct_an_amount_by_reversal_and_a_linked_new_entry(books: Path) -> None:
    argv = ["correct", str(books), "Kafe:A-2025-0001", "--by", "Anna Berg",
            "--date", "2025-02-20"]
    assert main([*argv, "--amount", "900.00"]) == 2  # three postings: name each
    assert main([*argv, "--amount", "1930=1125.00", "--amount", "3001=-900.00"]) == 2
    assert main([*argv, "--amount", "1930=1125.00", "--amount", "3001=-900.00",
                 "--amount", "2611=-225.00"]) == 0
    after = load_books(books)
    assert after.errors == []
    reversal, amended = [e for e in after.transactions if "corrects" in e.meta]
    assert reversal.links == amended.links == {"corr-Kafe-A-2025-0001"}
    totals: dict[str, Decimal] = {}
    for entry in after.transactions:
        for posting in entry.postings:
            assert posting.units is not None
            assert posting.units.number is not None
            totals[posting.account] = totals.get(posting.account, Decimal(0)) + \
                posting.units.number
    assert totals["Income:Kafe:3001-Försäljning-25"] == Decimal("-900.00")
    assert totals[KAFE_BANK] == Decimal("1125.00")


def test_new_coop_refuses_a_start_in_a_sealed_month(
        books: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["new-coop", str(books), "Bageri", "--name", "Bageriet"]
    before = snapshot(tmp_path)
    capsys.readouterr()
    assert main([*argv, "--start", "2025-01-15"]) == 2
    (line,) = refused_lines(capsys.readouterr().err, "new-coop")
    assert "2025-01-15 (2025-01): 2025-01 is sealed (" in line
    assert line.endswith("entries); nothing was written; start the member in an open "
                         "month (--start)")
    assert snapshot(tmp_path) == before
    assert main([*argv, "--start", "2025-02-01"]) == 0
    assert load_books(books).errors == []


def test_sie_import_into_the_ledger_refuses_a_sealed_month(
        books: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sie = tmp_path / "stad.se"
    sie.write_bytes(b'#FLAGGA 0\n#SIETYP 4\n#RAR 0 20250101 20251231\n'
                    b'#VER A 1 20250110 "Kassa"\n{\n#TRANS 1930 {} 100\n'
                    b"#TRANS 3001 {} -100\n}\n")
    out = tmp_path / "stad.beancount"
    before = snapshot(tmp_path)
    capsys.readouterr()
    assert main(["sie", "import", str(sie), "--entity", "Stad", "--ledger", str(books),
                 "-o", str(out)]) == 2
    lines = refused_lines(capsys.readouterr().err, "sie")
    assert any("2025-01-10 (2025-01): 2025-01 is sealed" in line for line in lines)
    assert snapshot(tmp_path) == before


def test_the_close_asks_the_lock(books: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import dataclasses

    from coopledger.books import Books
    from coopledger.close import month as close_month_module
    from coopledger.close.computed import Computed, collect_computed

    def computed_on_a_closed_account(books: Books, start: datetime.date,
                                     end: datetime.date) -> Computed:
        found = collect_computed(books, start, end)
        late = txn("2025-02-10", (KAFE_BANK, "1"), ("Income:Kafe:3999-Ej-öppnat", "-1"))
        return dataclasses.replace(found, entries=[*found.entries, late])

    with books.open("a", encoding="utf-8") as handle:  # February's bank statements
        handle.write(BALANCES.replace("2025-02-01", "2025-03-01"))
    monkeypatch.setattr(close_month_module, "collect_computed", computed_on_a_closed_account)
    with pytest.raises(PeriodLocked, match="Income:Kafe:3999-Ej-öppnat is not opened"):
        close_month(books, "2025-02")


# --- files follow the umask ------------------------------------------------------------

@pytest.mark.parametrize("mask", [0o022, 0o027, 0o002, 0o077])
def test_new_files_follow_the_umask(tmp_path: Path, mask: int) -> None:
    old = os.umask(mask)
    try:
        assert new_file_mode() == 0o666 & ~mask
        kept = tmp_path / "kept.beancount"
        kept.write_text("old\n", encoding="utf-8")
        os.chmod(kept, 0o600)
        with FileTransaction() as tx:
            tx.write(tmp_path / "sub" / "new.beancount", "new\n")
            tx.write(kept, "changed\n")
    finally:
        os.umask(old)
    assert (tmp_path / "sub" / "new.beancount").stat().st_mode & 0o777 == 0o666 & ~mask
    assert kept.stat().st_mode & 0o777 == 0o600
