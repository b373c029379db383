"""``coopledger import``: into a copy of the test books, twice, with bad files among good."""

from __future__ import annotations

import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from coopledger.books import load_books
from coopledger.cli import main

HERE = Path(__file__).resolve().parent
KAFE_STATEMENT = HERE / "camt" / "kafe-2026-10.camt053.xml"
PARAPLY_NOTICE = HERE / "camt" / "paraply-2026-10-15.camt054.xml"
FONDEN_MT940 = HERE / "mt940" / "fonden-2026-10.sta"


@pytest.fixture
def books_dir(tmp_path: Path) -> Path:
    """A copy of the importer test books in a temporary folder."""
    shutil.copy(HERE / "books.beancount", tmp_path / "main.beancount")
    return tmp_path


def balance(path: Path, account: str) -> Decimal:
    """An account's balance over all of a ledger's transactions."""
    books = load_books(path)
    assert books.errors == []
    return sum((p.units.number for e in books.transactions for p in e.postings
                if p.account == account and p.units is not None
                and p.units.number is not None), Decimal(0))


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under a folder, by relative path."""
    return {str(p.relative_to(folder)): p.read_text(encoding="utf-8")
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_import_twice_adds_nothing(books_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main_file = books_dir / "main.beancount"
    assert main(["import", str(main_file), str(KAFE_STATEMENT)]) == 0
    out = capsys.readouterr().out
    assert "8 new entries (3 matched, 2 by rule or payee, 3 left to categorise), " \
           "0 duplicates skipped, 1 pending skipped" in out
    first = snapshot(books_dir)
    assert 'include "imports/kafe.beancount"' in first["main.beancount"]
    # The statement: 25000.00 opening, closing 24255.00; the books agree (Beancount checks
    # the asserted closing balance on 2026-11-01 when it loads them).
    assert balance(main_file, "Assets:Kafe:1930-Företagskonto") == Decimal("24255.00")
    assert main(["import", str(main_file), str(KAFE_STATEMENT)]) == 0
    assert "0 new entries (0 matched, 0 by rule or payee, 0 left to categorise), " \
           "8 duplicates skipped" in capsys.readouterr().out
    assert snapshot(books_dir) == first


def test_loan_repayment_split_and_mirrored(books_dir: Path) -> None:
    main_file = books_dir / "main.beancount"
    assert main(["import", str(main_file), str(KAFE_STATEMENT)]) == 0
    books = load_books(main_file)
    assert books.errors == []
    (repayment,) = [e for e in books.transactions if "L-2026-01" in e.links
                    and e.meta.get("bank-ref") == "KAFE-20261027-0009"]
    by_account = {p.account: p.units.number for p in repayment.postings if p.units}
    # 60000.00 at 4.50 % ACT/365 from 2026-09-01 to the payment on 2026-10-27: 56 days.
    interest = (Decimal("60000.00") * Decimal("0.045") * 56 / 365).quantize(Decimal("0.01"))
    assert interest == Decimal("414.25")
    assert by_account["Expenses:Kafe:8410-Räntekostnader-medlemslån"] == interest
    assert by_account["Liabilities:Kafe:2390-Lån-från-fonden"] == Decimal("1800.00") - interest
    assert by_account["Income:Fonden:8250-Ränteintäkter-medlemslån"] == -interest
    assert by_account["Assets:Fonden:1380-Lånefordringar-medlemmar"] == \
        interest - Decimal("1800.00")
    assert by_account["Assets:Fonden:1930-Företagskonto"] == Decimal("1800.00")


def test_other_side_statement_is_not_booked_again(books_dir: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    main_file = books_dir / "main.beancount"
    files = [str(KAFE_STATEMENT), str(PARAPLY_NOTICE), str(FONDEN_MT940)]
    assert main(["import", str(main_file), *files]) == 0
    out = capsys.readouterr().out
    # The fund's statement holds the repayment already booked from the café's statement.
    assert "fonden-2026-10.sta: mt940, 1 new entries (0 matched, 1 by rule or payee, 0 left to " \
           "categorise), 1 duplicates skipped" in out
    # Each bank account ends at its own statement's closing balance: no double booking.
    assert balance(main_file, "Assets:Fonden:1930-Företagskonto") == Decimal("41755.00")
    # Paraply: 40000 + the café's 1500 fee + 2000 from Stadstäd, the notice's 3500 in all.
    assert balance(main_file, "Assets:Paraply:1930-Företagskonto") == Decimal("43500.00")
    paraply = (books_dir / "imports" / "paraply.beancount").read_text(encoding="utf-8")
    assert 'already-booked: "1500.00 SEK"' in paraply
    assert "Liabilities:Paraply:2999-OBS-konto" in paraply


def test_dry_run_writes_nothing(books_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot(books_dir)
    assert main(["import", str(books_dir / "main.beancount"), str(KAFE_STATEMENT),
                 "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "; would append to" in out
    assert "2026-11-01 balance Assets:Kafe:1930-Företagskonto" in out
    assert snapshot(books_dir) == before


def test_into_one_file(books_dir: Path) -> None:
    target = books_dir / "bank.beancount"
    assert main(["import", str(books_dir / "main.beancount"), str(KAFE_STATEMENT),
                 str(PARAPLY_NOTICE), "--into", str(target)]) == 0
    text = target.read_text(encoding="utf-8")
    assert "KAFE-20261005-0002" in text
    assert "BG-5402-9681-20261015-01" in text
    assert not (books_dir / "imports").exists()
    assert load_books(books_dir / "main.beancount").errors == []


def test_undeclared_account_is_one_line(books_dir: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    other = books_dir / "other.xml"
    other.write_text(KAFE_STATEMENT.read_text(encoding="utf-8").replace(
        "5000 0583 9825 7466", "1111 2222 3333"), encoding="utf-8")
    assert main(["import", str(books_dir / "main.beancount"), str(other)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"{other}: account 111122223333 is not declared in the ledger; add "
                   "iban:, bban: or bankgiro: to the open directive of its bank account"]


def test_placeholder_account_is_opened(tmp_path: Path) -> None:
    text = (HERE / "books.beancount").read_text(encoding="utf-8")
    # Books that do not open the OBS account yet: the import opens it.
    lines = text.splitlines(keepends=True)
    kept = [line for i, line in enumerate(lines)
            if "2999-OBS-konto" not in line
            and not (i and "2999-OBS-konto" in lines[i - 1] and line.startswith("  bas"))]
    main_file = tmp_path / "main.beancount"
    main_file.write_text("".join(kept), encoding="utf-8")
    assert main(["import", str(main_file), str(KAFE_STATEMENT)]) == 0
    imported = (tmp_path / "imports" / "kafe.beancount").read_text(encoding="utf-8")
    assert re.search(r"^2026-10-02 open Liabilities:Kafe:2999-OBS-konto +SEK\n  bas: \"2999\"",
                     imported, re.MULTILINE)
    assert load_books(main_file).errors == []


def test_same_statement_under_another_name_adds_nothing(books_dir: Path) -> None:
    copy = books_dir / "downloaded-again.xml"
    copy.write_text(KAFE_STATEMENT.read_text(encoding="utf-8"), encoding="utf-8")
    main_file = books_dir / "main.beancount"
    assert main(["import", str(main_file), str(copy)]) == 0
    before = snapshot(books_dir)
    assert main(["import", str(main_file), str(KAFE_STATEMENT)]) == 0
    assert snapshot(books_dir) == before


def test_same_amount_from_someone_else_is_not_taken_for_the_transfer(
        books_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main_file = books_dir / "main.beancount"
    assert main(["import", str(main_file), str(KAFE_STATEMENT)]) == 0
    notice = books_dir / "notice.xml"
    text = PARAPLY_NOTICE.read_text(encoding="utf-8")
    stad = text[text.index("          <TxDtls>\n            <Amt Ccy=\"SEK\">2000.00"):
                text.rindex("</TxDtls>") + len("</TxDtls>\n")]
    other = stad.replace("2000.00", "1500.00").replace(
        "<RltdPties>", "<RltdPties><DbtrAcct><Id><Othr><Id>5555-1212</Id></Othr></Id>"
                       "</DbtrAcct>")
    # Stadstäd also pays 1500.00, from its own bankgiro, listed before the café's payment.
    text = text.replace(stad, "").replace("<NtryDtls>\n", "<NtryDtls>\n" + other, 1)
    notice.write_text(text.replace("3500.00", "3000.00"), encoding="utf-8")
    capsys.readouterr()
    assert main(["import", str(main_file), str(notice)]) == 0
    assert "1 new entries" in capsys.readouterr().out
    paraply = (books_dir / "imports" / "paraply.beancount").read_text(encoding="utf-8")
    assert '"Stadstäd i Linköping"' in paraply
    assert "Liabilities:Paraply:2999-OBS-konto  -1500.00 SEK" in paraply
    assert balance(main_file, "Assets:Paraply:1930-Företagskonto") == Decimal("43000.00")


def test_folder_with_other_files(books_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    downloads = books_dir / "downloads"
    downloads.mkdir()
    shutil.copy(KAFE_STATEMENT, downloads)
    (downloads / "notes.txt").write_text("inte en bankfil\n", encoding="utf-8")
    (downloads / ".hidden.xml").write_text("<x/>", encoding="utf-8")
    assert main(["import", str(books_dir / "main.beancount"), str(downloads)]) == 0
    captured = capsys.readouterr()
    assert "kafe-2026-10.camt053.xml: camt, 8 new entries" in captured.out
    assert "1 file(s) in the folders are not bank files coopledger reads" in captured.err
    assert "[1/2] kafe-2026-10.camt053.xml" in captured.err


def test_a_named_file_that_is_not_a_bank_file_fails(
        books_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    other = books_dir / "notes.txt"
    other.write_text("inte en bankfil\n", encoding="utf-8")
    assert main(["import", str(books_dir / "main.beancount"), str(other)]) == 1
    assert capsys.readouterr().err.strip() == (
        f"{other}: not a bank file coopledger reads (camt.053/054, BgMax, bank CSV, "
        "Handelsbanken, MT940)")
    assert not (books_dir / "imports").exists()


def test_opening_balance_not_in_the_books_is_noted(
        books_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shifted = books_dir / "shifted.xml"
    shifted.write_text(KAFE_STATEMENT.read_text(encoding="utf-8")
                       .replace(">25000.00<", ">25100.00<").replace(">24255.00<", ">24355.00<"),
                       encoding="utf-8")
    assert main(["import", str(books_dir / "main.beancount"), str(shifted)]) == 0
    assert capsys.readouterr().err.strip() == (
        f"{shifted}: note: the statement opens with 25100.00 on 2026-10-01, the books hold "
        "25000.00 on Assets:Kafe:1930-Företagskonto; its balance assertion fails until "
        "they agree (is an earlier statement missing?)")


def test_consecutive_statements_in_one_run_are_not_noted(
        books_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # November, with no entries: it opens where October (imported in the same run) closes.
    november = books_dir / "kafe-2026-11.xml"
    balances = "".join(
        f'<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp><Amt Ccy="SEK">24255.00</Amt>'
        f"<CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>{day}</Dt></Dt></Bal>"
        for code, day in (("OPBD", "2026-11-01"), ("CLBD", "2026-11-30")))
    november.write_text(
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>'
        "<Stmt><Id>KAFE-2026-11</Id><Acct><Id><IBAN>SE4550000000058398257466</IBAN></Id>"
        f"<Ccy>SEK</Ccy></Acct>{balances}</Stmt></BkToCstmrStmt></Document>",
        encoding="utf-8")
    assert main(["import", str(books_dir / "main.beancount"), str(KAFE_STATEMENT),
                 str(november)]) == 0
    err = [line for line in capsys.readouterr().err.splitlines() if not line.startswith("[")]
    assert err == []
    kafe = (books_dir / "imports" / "kafe.beancount").read_text(encoding="utf-8")
    assert re.search(r"^2026-12-01 balance Assets:Kafe:1930-Företagskonto +24255.00 SEK",
                     kafe, re.MULTILINE)
    assert balance(books_dir / "main.beancount", "Assets:Kafe:1930-Företagskonto") == \
        Decimal("24255.00")
