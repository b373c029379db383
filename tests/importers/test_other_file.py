"""The same bankgiro money in a BgMax report and in the bank's camt statement.

Bankgirot reports each deposit with its payments (BgMax); the bank's statement of the
account it is paid into shows the deposit again, as one sum. Importing both would book
the money twice: the second one imported is booked but flagged ``!`` with
``possible-duplicate``, whichever comes first.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from coopledger.cli import main

HERE = Path(__file__).resolve().parent
BGMAX = HERE / "bgmax" / "paraply-bgmax-2026-10-16.txt"
#: The first deposit of that report: 3 500.00 SEK on 2026-10-15 into Paraply's 1930.
DEPOSIT_REF = "bgmax/54029681/2026-10-15/1"
PARAPLY_IBAN = "SE3550000000054910000003"


def camt(entries: list[tuple[str, str]]) -> str:
    """A camt.053 statement of Paraply's account with (booking date, credit) entries."""
    opening = 100_000
    total = sum(int(amount.replace(".", "")) for _, amount in entries)
    closing = opening + total

    def sek(ore: int) -> str:
        return f"{ore // 100}.{ore % 100:02d}"

    ntry = "".join(
        f"<Ntry><Amt Ccy=\"SEK\">{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>"
        f"<BookgDt><Dt>{day}</Dt></BookgDt><ValDt><Dt>{day}</Dt></ValDt>"
        f"<AcctSvcrRef>TEST-{number}</AcctSvcrRef>"
        f"<AddtlNtryInf>BANKGIRO INSÄTTNING</AddtlNtryInf></Ntry>"
        for number, (day, amount) in enumerate(entries, 1))
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>'
        "<GrpHdr><MsgId>TEST</MsgId><CreDtTm>2026-10-31T18:00:00</CreDtTm></GrpHdr>"
        "<Stmt><Id>TEST-1</Id><CreDtTm>2026-10-31T18:00:00</CreDtTm>"
        f"<Acct><Id><IBAN>{PARAPLY_IBAN}</IBAN></Id><Ccy>SEK</Ccy></Acct>"
        f"<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy=\"SEK\">{sek(opening)}"
        "</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-10-01</Dt></Dt></Bal>"
        f"<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy=\"SEK\">{sek(closing)}"
        "</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-10-31</Dt></Dt></Bal>"
        f"{ntry}</Stmt></BkToCstmrStmt></Document>\n")


@pytest.fixture
def books(tmp_path: Path) -> Path:
    shutil.copy(HERE / "books.beancount", tmp_path / "main.beancount")
    return tmp_path / "main.beancount"


def imported(books: Path) -> str:
    return (books.parent / "imports" / "paraply.beancount").read_text(encoding="utf-8")


def flagged(text: str) -> list[str]:
    """The ``possible-duplicate`` references written."""
    return [line.split('"')[1] for line in text.splitlines()
            if line.strip().startswith("possible-duplicate:")]


def test_camt_after_bgmax_is_flagged(books: Path, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", str(books), str(BGMAX)]) == 0
    statement = tmp_path / "paraply.camt053.xml"
    # the deposit two days later at the bank; the same sum ten days later; another sum
    statement.write_text(camt([("2026-10-17", "3500.00"), ("2026-10-27", "3500.00"),
                               ("2026-10-15", "3499.00")]), encoding="utf-8")
    capsys.readouterr()
    assert main(["import", str(books), str(statement)]) == 0
    assert "1 possibly imported before from another kind of file" in capsys.readouterr().out
    text = imported(books)
    assert flagged(text) == [DEPOSIT_REF]
    # booked and flagged, for the accountant to delete or keep: the deposit at the bank
    block = next(b for b in text.split("\n\n") if "possible-duplicate" in b)
    assert block.lstrip().startswith("2026-10-17 ! ")
    assert 'bank-ref: "TEST-1"' in block


def test_bgmax_after_camt_is_flagged(books: Path, tmp_path: Path) -> None:
    statement = tmp_path / "paraply.camt053.xml"
    statement.write_text(camt([("2026-10-15", "3500.00")]), encoding="utf-8")
    assert main(["import", str(books), str(statement)]) == 0
    assert main(["import", str(books), str(BGMAX)]) == 0
    assert flagged(imported(books)) == ["TEST-1"]


def test_same_kind_of_file_is_not_flagged(books: Path, tmp_path: Path) -> None:
    # two equal deposits on one day in the bank's own statement are two deposits
    statement = tmp_path / "paraply.camt053.xml"
    statement.write_text(camt([("2026-10-15", "3500.00"), ("2026-10-15", "3500.00")]),
                         encoding="utf-8")
    assert main(["import", str(books), str(statement)]) == 0
    assert flagged(imported(books)) == []
