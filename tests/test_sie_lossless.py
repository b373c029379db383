"""SIE without loss: every valid SIE 4 sample file comes back record by record.

Import, load, export, read again, and compare with the original record by record
(:func:`coopledger.sie.compare.compare_sie`); the only differences left out are the ones
docs/sie.md names. Also: where the data lives in the books (Fava and bean-query filter on
objects), previous years, a first year that is not twelve months, the umbrella's clearing
accounts, encodings decided by content, and clear failures.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from beanquery.query import run_query
from hypothesis import given
from hypothesis import strategies as st

from coopledger.books import Books
from coopledger.cli import main
from coopledger.errors import CoopException
from coopledger.sie.compare import TOLERATED, compare_sie
from coopledger.sie.consistency import balance_differences
from coopledger.sie.export import export_sie
from coopledger.sie.importer import import_sie
from coopledger.sie.reader import TEXT_LETTERS, decode, parse_sie, read_sie
from coopledger.sie.records import SieFile
from tests.conftest import FIXTURES, ROOT, fixture_path, load_text

HEADER = """
option "operating_currency" "SEK"
plugin "coopledger.plugins.entities"
"""
SIE_DIR = FIXTURES / "sie"
ALL_FILES = sorted(p.name for p in SIE_DIR.glob("*")) if SIE_DIR.is_dir() else []
#: SIE 4 files that are not valid, and why (they are excluded from the round trip, and a
#: test below checks that each is what this says).
NOT_VALID = {
    "Sie4.se": "non-numeric accounts (FEL, DIFF) on voucher rows",
    "testWrite.se": "voucher 1 1 does not balance",
    "testWrite1.se": "a copy of testWrite.se",
    "transaktioner_ovnbolag-bad-balance.se": "voucher B 1 does not balance",
    "Sie4.si": "a 4E file whose #UB/#RES do not follow from #IB and its vouchers",
    "Sie_3_+_4.se": "a 4E file whose #UB/#RES do not follow from #IB and its vouchers",
}
SIE4_FILES = [name for name in ALL_FILES
              if read_sie(SIE_DIR / name).sie_type == "4"] if ALL_FILES else []
VALID = [name for name in SIE4_FILES if name not in NOT_VALID]


def _valid(sie: SieFile) -> bool:
    return sie.sie_type == "4" and not sie.errors and (
        sie.kind == "4I" or balance_differences(sie) == [])


def round_trip(original: SieFile, code: str = "Ovn") -> tuple[Books, SieFile, list[str]]:
    """Import, load, export every year the file holds, read back; the books and the file."""
    imported = import_sie(original, code, declare=True)
    books = load_text(HEADER + imported.text)
    assert books.errors == [], [e.message for e in books.errors[:3]]
    entity = books.entity(code)
    if 0 in original.years:
        starts = [original.years[0][0]]
    else:  # no #RAR: the calendar years of the vouchers, one file each
        starts = sorted({datetime.date(v.date.year, 1, 1) for v in original.vouchers})
    exported = [parse_sie(export_sie(books, code, entity.fiscal_year_of(day).start.year,
                                     kind=original.kind).content) for day in starts]
    again = exported[-1]
    if len(exported) > 1:
        again = replace(again, vouchers=tuple(v for f in exported for v in f.vouchers))
    assert again.errors == []
    return books, again, compare_sie(original, again)


def test_the_valid_files_are_the_sie4_files_without_faults() -> None:
    if not ALL_FILES:
        pytest.skip(f"the shared SIE sample files are absent ({SIE_DIR})")
    assert len(VALID) >= 17
    for name in SIE4_FILES:
        assert _valid(read_sie(SIE_DIR / name)) == (name not in NOT_VALID), name


@pytest.mark.parametrize("name", VALID or ["(shared fixtures absent)"])
def test_every_valid_sie4_file_comes_back_record_by_record(name: str) -> None:
    original = read_sie(fixture_path("sie", name))
    _, again, differences = round_trip(original)
    assert differences == []
    # The comparison is not empty-handed: it saw the file's vouchers and rows again.
    assert len(again.vouchers) == len(original.vouchers) > 0
    assert sum(len(v.rows) for v in again.vouchers) == sum(len(v.rows)
                                                           for v in original.vouchers)


def test_the_comparison_names_every_difference() -> None:
    original = read_sie(fixture_path("sie", "BL0001_typ4.SE"))
    _, again, _ = round_trip(original)
    voucher = again.vouchers[0]
    first_row = replace(voucher.rows[0], objects=(), text="changed")
    changed = replace(again, vouchers=(replace(voucher, rows=(first_row, *voucher.rows[1:])),
                                       *again.vouchers[2:]),
                      balances=again.balances[1:])
    lines = compare_sie(original, changed)
    assert any(line.startswith("#VER missing: ") for line in lines)
    assert any(line.startswith("#VER added: ") for line in lines)
    assert any(line.startswith(f"#{again.balances[0].kind} missing: ") for line in lines)
    assert set(TOLERATED) >= {"identification", "#KTYP added", "row date", "#IB on 2091"}


def test_what_the_round_trip_covers_is_in_the_sample_files() -> None:
    """The records item by item occur in the valid files, so the round trip tests them."""
    seen = {"objects on rows": False, "DIM": False, "UNDERDIM": False, "OBJEKT": False,
            "SRU": False, "KTYP": False, "ENHET": False, "OIB": False, "OUB": False,
            "PSALDO": False, "IB -1": False, "RES -1": False, "registered": False,
            "row text": False, "quantity": False, "BTRANS": False, "RTRANS": False}
    for name in VALID:
        sie = read_sie(fixture_path("sie", name))
        rows = [r for v in sie.vouchers for r in v.rows]
        seen["objects on rows"] |= any(r.objects for r in rows)
        seen["DIM"] |= bool(sie.dimensions)
        seen["UNDERDIM"] |= any(d.parent is not None for d in sie.dimensions.values())
        seen["OBJEKT"] |= bool(sie.objects)
        seen["SRU"] |= any(a.sru for a in sie.accounts.values())
        seen["KTYP"] |= any(a.kind for a in sie.accounts.values())
        seen["ENHET"] |= any(a.unit for a in sie.accounts.values())
        for kind in ("OIB", "OUB", "PSALDO"):
            seen[kind] |= any(b.kind == kind for b in sie.balances)
        seen["IB -1"] |= any(b.kind == "IB" and b.year == -1 for b in sie.balances)
        seen["RES -1"] |= any(b.kind == "RES" and b.year == -1 for b in sie.balances)
        seen["registered"] |= any(v.registered for v in sie.vouchers)
        seen["row text"] |= any(r.text for r in rows)
        seen["quantity"] |= any(r.quantity is not None for r in rows)
        seen["BTRANS"] |= any(v.removed for v in sie.vouchers)
        seen["RTRANS"] |= any(r.added for r in rows)
    if not VALID:
        pytest.skip(f"the shared SIE sample files are absent ({SIE_DIR})")
    # #UNDERDIM occurs in no sample file; a test below writes one.
    assert {k for k, v in seen.items() if not v} <= {"UNDERDIM"}, seen


def test_underdim_enhet_quantities_and_signatures_come_back() -> None:
    content = "\r\n".join([
        "#FLAGGA 0", "#SIETYP 4", '#FNAMN "Test AB"', "#RAR 0 20250101 20251231",
        '#DIM 6 "Projekt"', '#UNDERDIM 21 "Delprojekt" 6', '#OBJEKT 21 "P 1" "Första"',
        '#OBJEKT 6 "P" "Stora projektet"', '#KONTO 1460 "Lager"', '#ENHET 1460 "st"',
        '#KONTO 1930 "Bank"', "#SRU 1460 7241", "#IB 0 1460 100.00 4",
        "#IB 0 1930 -100.00", "#UB 0 1460 150.00 6", "#UB 0 1930 -150.00",
        '#VER "" "" 20250105 "Inköp" 20250107 "Kim"', "{",
        '#TRANS 1460 {6 "P" 21 "P 1"} 50.00 "" "Två till" 2 "Kim"',
        '#TRANS 1930 {} -50.00 20250106', "}", ""]).encode("cp437")
    original = parse_sie(content)
    assert original.errors == []
    _, again, differences = round_trip(original)
    assert differences == []
    row = again.vouchers[0].rows[0]
    assert (row.objects, row.quantity, row.sign) == (((6, "P"), (21, "P 1")), Decimal(2), "Kim")
    assert again.dimensions[21].parent == 6


def test_objects_are_posting_metadata_that_bean_query_and_fava_filter_on() -> None:
    original = read_sie(fixture_path("sie", "typ4.se"))
    books, _, _ = round_trip(original)
    wanted = sum(1 for v in original.vouchers for r in v.rows if (1, "LS") in r.objects)
    assert wanted > 0
    _, rows = run_query(books.entries, books.options,
                        "SELECT count(position) WHERE meta('dim-1') = 'LS'")
    assert rows[0][0] == wanted
    # Fava's filter ``any(dim-1:"^LS$")`` matches the postings' metadata the same way.
    from fava.core.filters import AdvancedFilter

    matched = AdvancedFilter('any(dim-1:"^LS$")').apply(books.entries)  # type: ignore[arg-type]
    assert sum(1 for e in matched for p in getattr(e, "postings", [])
               if (p.meta or {}).get("dim-1") == "LS") == wanted


def test_sru_codes_are_on_open_and_previous_years_are_entries_of_their_own() -> None:
    original = read_sie(fixture_path("sie", "SIE_exempelfil.se"))
    assert original.balances_of("IB", -1)
    imported = import_sie(original, "Ovn", declare=True)
    sie4 = import_sie(read_sie(fixture_path("sie", "sie_4.SE")), "Ovn").text
    assert re.search(r'open Assets:Ovn:1510-\S+ SEK\n  bas: "1510"\n  name: "[^"]+"\n'
                     r'  ktyp: "T"\n  sru: "\d+"', sie4)
    books = load_text(HEADER + imported.text)
    previous_start, previous_end = original.years[-1]
    opening = [e for e in books.transactions if e.meta.get("sie-source") == "IB"]
    movements = [e for e in books.transactions if e.meta.get("sie-source") == "UB"]
    assert previous_start in {e.date for e in opening}
    assert [e.date for e in movements] == [previous_end]
    # The books on the last day of the previous year hold its #UB, account by account.
    balances: dict[str, Decimal] = {}
    for entry in books.transactions:
        if entry.date <= previous_end:
            for posting in entry.postings:
                bas = books.bas(posting.account) or "?"
                assert posting.units is not None
                assert posting.units.number is not None
                balances[bas] = balances.get(bas, Decimal(0)) + posting.units.number
    for account, amount in original.balances_of("UB", -1).items():
        assert balances.get(account, Decimal(0)) == amount, account


def _first_year_file() -> bytes:
    """A 4E file of a first fiscal year from 2011-06-01 to 2011-12-31."""
    return "\r\n".join([
        "#FLAGGA 0", "#SIETYP 4", '#FNAMN "Nystartade AB"', "#RAR 0 20110601 20111231",
        '#KONTO 1930 "Bank"', '#KONTO 2081 "Aktiekapital"', '#KONTO 3001 "Försäljning"',
        "#IB 0 1930 50000.00", "#IB 0 2081 -50000.00", "#UB 0 1930 51250.00",
        "#UB 0 2081 -50000.00", "#RES 0 3001 -1250.00",
        '#VER A 1 20110615 "Första kunden"', "{", "#TRANS 1930 {} 1250.00",
        "#TRANS 3001 {} -1250.00", "}", ""]).encode("cp437")


def test_a_first_year_of_seven_months_is_declared_and_exported_as_it_is() -> None:
    original = parse_sie(_first_year_file())
    assert original.errors == []
    imported = import_sie(original, "Ovn", declare=True)
    assert "  first-year-end: 2011-12-31" in imported.text
    assert '2011-06-01 custom "coop-entity" "Ovn"' in imported.text
    books = load_text(HEADER + imported.text)
    assert books.errors == []
    entity = books.entity("Ovn")
    assert entity.fiscal_year(2011).start == datetime.date(2011, 6, 1)
    assert entity.fiscal_year(2012).start == datetime.date(2012, 1, 1)
    content = export_sie(books, "Ovn", 2011).content
    lines = content.decode("cp437").split("\r\n")
    assert "#RAR 0 20110601 20111231" in lines
    assert not any(line.startswith(("#RAR -1", "#IB -1", "#UB -1", "#RES -1"))
                   for line in lines)
    assert compare_sie(original, parse_sie(content)) == []


def test_an_entity_first_year_longer_than_eighteen_months_is_refused() -> None:
    books = load_text(HEADER + """
2011-06-01 custom "coop-entity" "Ovn"
  name: "Övningsbolaget"
  kind: "member"
  first-year-end: 2012-12-31
""")
    assert any("at most eighteen months" in e.message for e in books.errors)


UMBRELLA = HEADER + """
2025-01-01 custom "coop-entity" "Paraply"
  name: "Paraplyet"
  kind: "umbrella"
2025-01-01 custom "coop-entity" "Kafe"
  name: "Kafé"
  kind: "member"
2025-01-01 custom "coop-entity" "Bageri"
  name: "Bageriet"
  kind: "member"
2025-01-01 open Assets:Paraply:1930-Bank SEK
  bas: "1930"
2025-01-01 open Liabilities:Paraply:2440-Leverantörsskulder SEK
  bas: "2440"
2025-01-01 open Expenses:Kafe:4010-Inköp SEK
  bas: "4010"
2025-01-01 open Expenses:Bageri:4010-Inköp SEK
  bas: "4010"
2025-02-01 * "Grossisten" "Kaffe"
  Expenses:Kafe:4010-Inköp  800.00 SEK
  Liabilities:Paraply:2440-Leverantörsskulder
2025-02-02 * "Kvarnen" "Mjöl"
  Expenses:Bageri:4010-Inköp  300.00 SEK
  Assets:Paraply:1930-Bank
"""


def test_the_umbrellas_clearing_accounts_stay_apart_in_the_export_and_the_import() -> None:
    books = load_text(UMBRELLA)
    assert books.errors == []
    result = export_sie(books, "Paraply", 2025)
    sie = parse_sie(result.content)
    assert sie.accounts["1662"].name == "Avräkning Kafe"
    assert sie.accounts["1663"].name == "Avräkning Bageri"
    assert "1660" not in sie.accounts
    assert sie.balances_of("UB")["1662"] == Decimal("800.00")
    assert sie.balances_of("UB")["1663"] == Decimal("300.00")
    assert any("Kafe 1662" in w and "Bageri 1663" in w for w in result.warnings)
    imported = import_sie(sie, "Paraply")
    assert "open Assets:Paraply:1662-Avräkning-Kafe SEK" in imported.text
    assert "open Assets:Paraply:1663-Avräkning-Bageri SEK" in imported.text
    # The consolidated export still nets them out on one 1660.
    group = parse_sie(export_sie(books, "Paraply", 2025, consolidated=True).content)
    assert group.balances_of("UB").get("1660", Decimal(0)) == 0


# -- encodings ------------------------------------------------------------------------

#: Text as names and voucher texts hold it: printable ASCII and the letters decode()
#: tells encodings apart by.
_TEXT = st.text(alphabet=st.sampled_from(sorted(
    {chr(c) for c in range(0x20, 0x7F)} | TEXT_LETTERS)), max_size=30)


@given(_TEXT, st.sampled_from(["cp437", "latin-1", "utf-8"]))
def test_any_text_decodes_back_unchanged_or_is_refused(text: str, encoding: str) -> None:
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        return  # not a text this encoding holds
    lines, used, problems = decode(data)
    refused = any(p.severity == "error" for p in problems)
    assert refused or lines == [text], (used, problems)
    if not refused and not text.isascii():
        assert used == encoding


@pytest.mark.parametrize(("encoding", "label"), [("cp437", "cp437"), ("latin-1", "latin-1"),
                                                 ("utf-8", "utf-8")])
def test_a_file_in_each_encoding_reads_right_and_says_which(encoding: str, label: str) -> None:
    text = '#FLAGGA 0\r\n#SIETYP 4\r\n#FNAMN "Kåre Öberg Ärlig"\r\n'
    sie = parse_sie(text.encode(encoding))
    assert (sie.first("FNAMN"), sie.encoding) == ("Kåre Öberg Ärlig", label)


def test_a_cp437_file_with_latin1_lines_reads_both_and_says_where() -> None:
    sie = read_sie(fixture_path("sie", "BL0001_typ4.SE"))
    assert sie.encoding == "cp437+latin-1"
    assert sie.objects[(6, "Å1")] == "årsta"
    assert [p.line for p in sie.warnings if "read as LATIN-1" in p.message] == [40]


def test_an_ambiguous_file_is_refused_and_read_as_asked(tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str],
                                                        ) -> None:
    path = tmp_path / "oklar.se"
    path.write_bytes(b'#FLAGGA 0\r\n#SIETYP 4\r\n#FNAMN "Caf\xa3"\r\n#RAR 0 20250101 20251231\r\n'
                     b'#VER A 1 20250105 "x"\r\n{\r\n#TRANS 1930 {} 1.00\r\n'
                     b"#TRANS 3001 {} -1.00\r\n}\r\n")
    assert any("CP437 and in Latin-1 alike" in p.message for p in read_sie(path).errors)
    out = tmp_path / "out.beancount"
    assert main(["sie", "import", str(path), "--entity", "Oklar", "-o", str(out)]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
    assert not out.exists()
    assert main(["sie", "import", str(path), "--entity", "Oklar", "--encoding", "cp437",
                 "-o", str(out)]) == 0
    assert "read as cp437 (as asked)" in capsys.readouterr().err


# -- clear failures -------------------------------------------------------------------


def test_a_truncated_file_is_an_error_not_an_empty_result(tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str],
                                                          ) -> None:
    data = fixture_path("sie", "SIE_exempelfil.se").read_bytes()
    cut = tmp_path / "cut.se"
    cut.write_bytes(data[:len(data) // 10])
    out = tmp_path / "out.beancount"
    assert main(["sie", "import", str(cut), "--entity", "Ovn", "-o", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "no #VER" in err[0]
    assert "truncated" in err[0]
    assert not out.exists()
    empty = tmp_path / "empty.se"
    empty.write_bytes(b"")
    assert main(["sie", "import", str(empty), "--entity", "Ovn", "-o", str(out)]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_records_the_import_does_not_use_are_skipped_not_fatal() -> None:
    data = fixture_path("sie", "Test4.SE").read_bytes()
    broken = data.replace(b"#PBUDGET 0 ", b"#PBUDGET 0 2008XX ", 1) + \
        b"#EGENPOST 1 2 3\r\n#EGENPOST 4\r\n"
    sie = parse_sie(broken)
    assert sie.errors == []
    assert any("#PBUDGET is skipped" in p.message for p in sie.warnings)
    assert any(p.message == "2 #EGENPOST record(s) skipped: not a SIE 4 label"
               for p in sie.warnings)
    imported = import_sie(sie, "Ovn", declare=True)
    assert load_text(HEADER + imported.text).errors == []


def test_an_unquoted_company_name_is_read_whole() -> None:
    sie = parse_sie("#FLAGGA 0\r\n#SIETYP 4\r\n#FNAMN Övningsbolaget AB\r\n".encode("cp437"))
    assert sie.first("FNAMN") == "Övningsbolaget AB"
    assert any("read as one text" in p.message for p in sie.warnings)


def test_a_sie4_file_without_vouchers_or_balances_is_refused() -> None:
    sie = parse_sie(b'#FLAGGA 0\r\n#SIETYP 4\r\n#RAR 0 20250101 20251231\r\n'
                    b'#KONTO 1930 "Bank"\r\n')
    with pytest.raises(CoopException, match=r"no #VER .*nothing to import \(truncated\?\)"):
        import_sie(sie, "Ovn")


def test_docs_name_every_tolerated_difference() -> None:
    text = (ROOT / "docs" / "sie.md").read_text(encoding="utf-8")
    for name in TOLERATED:
        assert f"**{name}**" in text, name


LONG_FIRST_YEAR = HEADER + """
2011-06-01 custom "coop-entity" "Ovn"
  name: "Övningsbolaget"
  kind: "member"
  fiscal-year-start: 7
  first-year-end: 2012-06-30
2011-06-01 open Assets:Ovn:1930-Bank SEK
  bas: "1930"
2011-06-01 open Equity:Ovn:2081-Insatser SEK
  bas: "2081"
2012-03-01 * "Insats"
  Assets:Ovn:1930-Bank  100.00 SEK
  Equity:Ovn:2081-Insatser
"""


def test_the_reports_and_the_export_use_the_entitys_first_year() -> None:
    from coopledger.cli.report import resolve_period

    books = load_text(LONG_FIRST_YEAR)
    assert books.errors == []
    first = resolve_period(books, "2011", "Ovn")
    assert (first.start, first.last_day) == (datetime.date(2011, 6, 1),
                                             datetime.date(2012, 6, 30))
    assert resolve_period(books, None, "Ovn") == first  # the year of the last entry
    assert resolve_period(books, "2012", "Ovn").start == datetime.date(2012, 7, 1)
    lines = export_sie(books, "Ovn", 2011).content.decode("cp437").split("\r\n")
    assert "#RAR 0 20110601 20120630" in lines
    assert "#UB 0 1930 100.00" in lines
    assert not any(line.startswith("#RAR -1") for line in lines)


def test_the_year_end_refuses_a_year_the_entities_do_not_share(tmp_path: Path) -> None:
    from coopledger.close.yearend import close_year

    ledger = tmp_path / "main.beancount"
    # A first year of sixteen months, 2011-03-01 to 2012-06-30: year 2010 of the others
    # (July 2010 to June 2011) ends a year before it.
    ledger.write_text(LONG_FIRST_YEAR.replace("2011-06-01", "2011-03-01"), encoding="utf-8")
    with pytest.raises(CoopException, match=r"^entity Ovn's fiscal year 2011/12 ends "
                       r"2012-06-30, the others' 2011-06-30; the year-end close handles one "
                       r"shared fiscal year only$"):
        close_year(ledger, 2010, dry_run=True)
    # The year it shares (ending 2012-06-30) starts with its first day: every month from
    # March 2011 must be sealed.
    with pytest.raises(CoopException, match=r"close 2012-03 first: every month of 2011"):
        close_year(ledger, 2011, dry_run=True)
