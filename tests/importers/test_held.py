"""Money that cannot go where the file says is held as a credit to the member.

An OCR payment to a loan already repaid, or more than a loan owes, is booked on the OBS
account (2999) of both sides, flagged ``!`` and counted, so that the books still check; a
loan declared ``overpayment: "hold"`` keeps it as a credit on the loan instead. A payee
whose last payment repaid a loan is not taken for a repayment when the OCR names no loan.
Batch payments keep their identity on the posting that books each one.
"""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from coopledger.books import load_books
from coopledger.cli import main

HERE = Path(__file__).resolve().parent
FONDEN_IBAN = "SE2780000000012345678901"
FONDEN_OBS = "Liabilities:Fonden:2999-OBS-konto"
KAFE_OBS = "Liabilities:Kafe:2999-OBS-konto"
#: A second loan, disbursed and repaid in full before the statement.
REPAID = """
2025-03-01 custom "coop-loan" "L-2025-02"
  lender: "Fonden"
  borrower: "Kafe"
  principal: "10000.00"
  rate: "0.00"
  term: 12
  ocr: "20250205"

2025-03-01 * "Kooperativa fonden" "Lån L-2025-02 utbetalt" ^L-2025-02
  Assets:Fonden:1930-Företagskonto    -10000.00 SEK
  Assets:Fonden:1380-Lånefordringar-medlemmar 10000.00 SEK
  Assets:Kafe:1930-Företagskonto      10000.00 SEK
  Liabilities:Kafe:2390-Lån-från-fonden -10000.00 SEK

2025-06-01 * "Kafe" "Lån L-2025-02 återbetalt" ^L-2025-02
  Assets:Fonden:1930-Företagskonto    10000.00 SEK
  Assets:Fonden:1380-Lånefordringar-medlemmar -10000.00 SEK
  Assets:Kafe:1930-Företagskonto      -10000.00 SEK
  Liabilities:Kafe:2390-Lån-från-fonden 10000.00 SEK
"""


def camt(entries: list[tuple[str, str, list[tuple[str, str, str, str]]]]) -> str:
    """Fonden's camt.053: (date, total, [(amount, name, reference, EndToEndId)]) credits."""
    def detail(amount: str, name: str, ref: str, e2e: str) -> str:
        return (f"<TxDtls><Refs><EndToEndId>{e2e}</EndToEndId></Refs>"
                f'<Amt Ccy="SEK">{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd>'
                f"<RltdPties><Dbtr><Nm>{name}</Nm></Dbtr></RltdPties><RmtInf><Strd>"
                f"<CdtrRefInf><Ref>{ref}</Ref></CdtrRefInf></Strd></RmtInf></TxDtls>")
    ntry = "".join(
        f'<Ntry><Amt Ccy="SEK">{total}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>'
        f"<BookgDt><Dt>{day}</Dt></BookgDt><AcctSvcrRef>HELD-{n}</AcctSvcrRef><NtryDtls>"
        + "".join(detail(*leg) for leg in legs) + "</NtryDtls></Ntry>"
        for n, (day, total, legs) in enumerate(entries, 1))
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="urn:iso:std:iso:20022:'
            'tech:xsd:camt.053.001.02"><BkToCstmrStmt><GrpHdr><MsgId>H</MsgId>'
            "<CreDtTm>2026-11-30T08:00:00</CreDtTm></GrpHdr><Stmt><Id>H-1</Id>"
            f"<Acct><Id><IBAN>{FONDEN_IBAN}</IBAN></Id><Ccy>SEK</Ccy></Acct>{ntry}</Stmt>"
            "</BkToCstmrStmt></Document>\n")


@pytest.fixture
def books(tmp_path: Path) -> Path:
    main_file = tmp_path / "main.beancount"
    shutil.copy(HERE / "books.beancount", main_file)
    with main_file.open("a", encoding="utf-8") as handle:
        handle.write(REPAID)
    assert load_books(main_file).errors == []
    return main_file


def totals(path: Path) -> dict[str, Decimal]:
    found: dict[str, Decimal] = {}
    for entry in load_books(path).transactions:
        for posting in entry.postings:
            assert posting.units is not None
            assert posting.units.number is not None
            found[posting.account] = found.get(posting.account, Decimal(0)) + \
                posting.units.number
    return found


def test_payment_to_a_repaid_loan_is_held_on_obs(
        books: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    statement = tmp_path / "fonden.camt053.xml"
    statement.write_text(camt([("2026-11-10", "2500.00",
                                [("2500.00", "Kafé", "20250205", "E2E-A")])]),
                         encoding="utf-8")
    before = totals(books)
    capsys.readouterr()
    assert main(["import", str(books), str(statement)]) == 0
    out = capsys.readouterr().out
    assert "1 paid more than the loan owes (held as a credit to the member" in out
    after = load_books(books)
    assert after.errors == []
    (entry,) = [e for e in after.transactions if e.meta.get("bank-ref") == "HELD-1"]
    assert entry.flag == "!"
    assert entry.meta["overpayment"] == "2500.00"
    moved = totals(books)
    assert moved[FONDEN_OBS] - before.get(FONDEN_OBS, Decimal(0)) == Decimal("-2500.00")
    assert moved[KAFE_OBS] - before.get(KAFE_OBS, Decimal(0)) == Decimal("2500.00")
    assert moved["Liabilities:Kafe:2390-Lån-från-fonden"] == \
        before["Liabilities:Kafe:2390-Lån-från-fonden"]


def test_overpayment_keeps_what_is_owed_on_the_loan(
        books: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    statement = tmp_path / "fonden.camt053.xml"
    statement.write_text(camt([("2026-11-10", "70000.00",
                                [("70000.00", "Kafé", "20250100011", "E2E-B")])]),
                         encoding="utf-8")
    capsys.readouterr()
    assert main(["import", str(books), str(statement)]) == 0
    assert "1 paid more than the loan owes" in capsys.readouterr().out
    after = load_books(books)
    assert after.errors == []
    (entry,) = [e for e in after.transactions if e.meta.get("bank-ref") == "HELD-1"]
    held = Decimal(entry.meta["overpayment"])
    assert held > 0
    by_account = {p.account: p.units.number for p in entry.postings if p.units}
    assert by_account[FONDEN_OBS] == -held
    assert by_account["Assets:Fonden:1380-Lånefordringar-medlemmar"] == Decimal("-60000.00")


def test_a_loan_that_holds_overpayments_keeps_them_on_the_loan(
        books: Path, tmp_path: Path) -> None:
    text = books.read_text(encoding="utf-8").replace(
        '  ocr: "20250205"\n', '  ocr: "20250205"\n  overpayment: "hold"\n')
    books.write_text(text, encoding="utf-8")
    statement = tmp_path / "fonden.camt053.xml"
    statement.write_text(camt([("2026-11-10", "2500.00",
                                [("2500.00", "Kafé", "20250205", "E2E-C")])]),
                         encoding="utf-8")
    assert main(["import", str(books), str(statement)]) == 0
    after = load_books(books)
    assert after.errors == []
    (entry,) = [e for e in after.transactions if e.meta.get("bank-ref") == "HELD-1"]
    assert entry.flag == "!"
    accounts = {p.account for p in entry.postings}
    assert FONDEN_OBS not in accounts
    assert "Assets:Fonden:1380-Lånefordringar-medlemmar" in accounts


def test_each_payment_of_a_batch_keeps_its_identity(books: Path, tmp_path: Path) -> None:
    statement = tmp_path / "fonden.camt053.xml"
    statement.write_text(camt([("2026-11-12", "3000.00", [
        ("1000.00", "Kafé Linnéa", "20250100011", "E2E-1"),
        ("1500.00", "Okänd betalare", "99887766", "E2E-2"),
        ("500.00", "Kafé Linnéa", "20250205", "E2E-3")])]), encoding="utf-8")
    assert main(["import", str(books), str(statement)]) == 0
    after = load_books(books)
    assert after.errors == []
    (entry,) = [e for e in after.transactions if e.meta.get("bank-ref") == "HELD-1"]
    assert (entry.narration or "").startswith("3 betalningar")
    legs = [p.meta for p in entry.postings if p.meta and "leg-amount" in p.meta]
    assert [(m.get("ocr"), m.get("name"), m.get("end-to-end-id"), m["leg-amount"])
            for m in legs] == [("20250100011", "Kafé Linnéa", "E2E-1", "1000.00 SEK"),
                               ("99887766", "Okänd betalare", "E2E-2", "1500.00 SEK"),
                               ("20250205", "Kafé Linnéa", "E2E-3", "500.00 SEK")]
