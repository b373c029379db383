"""Bad input: each file gives one clear line naming it and the element or line at fault;
nothing of it is written, and the other files of the same run are still imported."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from coopledger.bank.model import BankFileError
from coopledger.cli import main
from coopledger.importers.registry import identify, read_statements

HERE = Path(__file__).resolve().parent
KAFE = HERE / "camt" / "kafe-2026-10.camt053.xml"
BGMAX = HERE / "bgmax" / "paraply-bgmax-2026-10-16.txt"
NORDEA = HERE / "bankcsv" / "nordea 5000 0583 9825 7466 2026-10.csv"

CAMT_HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n'
             '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">\n')


def truncated_xml(folder: Path) -> Path:
    path = folder / "truncated.xml"
    raw = KAFE.read_bytes()
    path.write_bytes(raw[: len(raw) // 2])
    return path


def unknown_camt(folder: Path) -> Path:
    path = folder / "camt060.xml"
    path.write_text('<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="urn:iso:std:'
                    'iso:20022:tech:xsd:camt.060.001.05">\n<AcctRptgReq><GrpHdr><MsgId>X'
                    '</MsgId></GrpHdr></AcctRptgReq>\n</Document>\n', encoding="utf-8")
    return path


def external_entity(folder: Path) -> Path:
    path = folder / "xxe.xml"
    path.write_text('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE Document [\n'
                    '<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n'
                    + CAMT_HEAD.split("\n", 1)[1]
                    + "<BkToCstmrStmt><Stmt><Id>&secret;</Id></Stmt></BkToCstmrStmt>"
                      "</Document>\n", encoding="utf-8")
    return path


def entity_bomb(folder: Path) -> Path:
    path = folder / "bomb.xml"
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)]
    path.write_text('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE Document [\n'
                    + "\n".join(entities) + "]>\n" + CAMT_HEAD.split("\n", 1)[1]
                    + "<BkToCstmrStmt><Stmt><Id>&lol9;</Id></Stmt></BkToCstmrStmt>"
                      "</Document>\n", encoding="utf-8")
    return path


def bgmax_wrong_counts(folder: Path) -> Path:
    path = folder / "bgmax-wrong-counts.txt"
    lines = BGMAX.read_bytes().split(b"\r\n")
    end = next(i for i, line in enumerate(lines) if line.startswith(b"70"))
    lines[end] = b"70" + b"00000004" + lines[end][10:]
    path.write_bytes(b"\r\n".join(lines))
    return path


def csv_bad_amount(folder: Path) -> Path:
    path = folder / "nordea_5000-0583-9825-7466_bad.csv"
    path.write_bytes(NORDEA.read_bytes().replace(b"-845,50", b"-84,5,50"))
    return path


def csv_wrong_encoding(folder: Path) -> Path:
    path = folder / "nordea_5000-0583-9825-7466_latin1.csv"
    text = NORDEA.read_bytes().decode("utf-8-sig")
    # A UTF-8 byte-order mark in front of ISO-8859-1 text.
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("iso-8859-1"))
    return path


def camt_wrong_encoding(folder: Path) -> Path:
    path = folder / "latin1.xml"
    path.write_bytes(KAFE.read_text(encoding="utf-8").encode("iso-8859-1"))
    return path


def unknown_encoding(folder: Path) -> Path:
    path = folder / "klingon.xml"
    path.write_bytes(KAFE.read_bytes().replace(b'encoding="UTF-8"', b'encoding="x-klingon"'))
    return path


def html_bad_amount(folder: Path) -> Path:
    path = folder / "handelsbanken-bad.xls"
    source = HERE / "handelsbanken" / "paraply-handelsbanken-2026-10.xls"
    path.write_bytes(source.read_bytes().replace(b"-45,00", b"-45,0,0"))
    return path


#: Each bad file, the format it is identified as, and the message after the file name.
CASES: dict[str, tuple[Callable[[Path], Path], str, str]] = {
    "truncated XML": (truncated_xml, "camt", "not well-formed XML (no element found)"),
    "unknown camt message": (unknown_camt, "camt", "AcctRptgReq: unknown message type"),
    "external entity": (external_entity, "camt", "refused unsafe XML (EntitiesForbidden)"),
    "entity bomb": (entity_bomb, "camt", "refused unsafe XML (EntitiesForbidden)"),
    "BgMax counts": (bgmax_wrong_counts, "bgmax", "line 17: end record 70 counts 4 payment "
                                                  "records (20), the file has 3"),
    "CSV amount": (csv_bad_amount, "bankcsv", "line 6: Belopp: not an amount: '-84,5,50'"),
    "HTML amount": (html_bad_amount, "handelsbanken", "line 9: Belopp: not an amount: "
                                                      "'-45,0,0'"),
    "CSV encoding": (csv_wrong_encoding, "bankcsv", "line 1: the file says UTF-8 (byte-order "
                                                    "mark) but is not valid UTF-8 there"),
    "XML unknown encoding": (unknown_encoding, "camt", "line 1: XML declaration: unknown "
                                                       "encoding"),
    "XML encoding": (camt_wrong_encoding, "camt", "not well-formed XML (not well-formed "
                                                  "(invalid token))"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_file_gives_one_clear_line(case: str, tmp_path: Path) -> None:
    make, kind, message = CASES[case]
    path = make(tmp_path)
    assert identify(str(path)) == kind
    with pytest.raises(BankFileError) as caught:
        read_statements(str(path), kind)
    text = str(caught.value)
    assert text.startswith(f"{path}: ")
    assert message in text
    assert "\n" not in text


def test_truncated_xml_names_line_and_column(tmp_path: Path) -> None:
    path = truncated_xml(tmp_path)
    with pytest.raises(BankFileError) as caught:
        read_statements(str(path), "camt")
    lines = KAFE.read_bytes()[: len(KAFE.read_bytes()) // 2].count(b"\n") + 1
    assert caught.value.where.startswith(f"line {lines}, column ")


def test_nul_bytes_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "utf16.csv"
    path.write_bytes(NORDEA.read_text(encoding="utf-8-sig").encode("utf-16"))
    assert identify(str(path)) is None
    with pytest.raises(BankFileError, match="NUL byte: the file is binary or UTF-16"):
        read_statements(str(path), "bankcsv")


def test_bad_files_skipped_good_ones_imported(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    books = tmp_path / "books"
    books.mkdir()
    shutil.copy(HERE / "books.beancount", books / "main.beancount")
    bad_dir = tmp_path / "bad"
    bad_dir.mkdir()
    bad = {case: make(bad_dir) for case, (make, _, _) in CASES.items()}
    status = main(["import", str(books / "main.beancount"), str(KAFE), *map(str, bad.values()),
                   str(BGMAX)])
    assert status == 1
    captured = capsys.readouterr()
    errors = [line for line in captured.err.splitlines() if not line.startswith("[")]
    assert len(errors) == len(CASES)
    for case, path in bad.items():
        (line,) = [e for e in errors if e.startswith(f"{path}: ")]
        assert CASES[case][2] in line
    assert f"{KAFE}: camt, 8 new entries" in captured.out
    assert f"{BGMAX}: bgmax, 2 new entries" in captured.out
    written = sorted(p.name for p in (books / "imports").iterdir())
    assert written == ["kafe.beancount", "paraply.beancount"]
    text = "".join(p.read_text(encoding="utf-8") for p in (books / "imports").iterdir())
    for path in bad.values():
        assert path.name not in text
