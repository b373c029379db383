"""SIE export, import and round trips: books -> SIE -> books, SIE -> books -> SIE."""

from __future__ import annotations

import datetime
import re
import zlib
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coopledger.books import YEAR_END_TAG, Books
from coopledger.cli import main
from coopledger.errors import CoopException
from coopledger.sie.consistency import balance_differences
from coopledger.sie.export import clearing_bas, export_sie
from coopledger.sie.importer import account_component, import_sie
from coopledger.sie.reader import parse_sie, read_sie
from tests.conftest import fixture_path, load_text

HEADER = """
option "operating_currency" "SEK"
plugin "coopledger.plugins.entities"
"""

LEDGER = HEADER + """
2024-01-01 custom "coop-entity" "Paraply"
  name: "Paraplyet ekonomisk förening"
  kind: "umbrella"
  orgnr: "769600-0012"
2024-01-01 custom "coop-entity" "Kafe"
  name: "Kafé Linnéa"
  kind: "member"
  orgnr: "769612-3459"
2024-01-01 custom "coop-entity" "Fonden"
  name: "Lånefonden"
  kind: "fund"
2024-01-01 open Assets:Paraply:1930-Företagskonto SEK
  bas: "1930"
2024-01-01 open Equity:Paraply:2083-Medlemsinsatser SEK
  bas: "2083"
2024-01-01 open Income:Paraply:3920-Tjänsteavgifter-medlemmar SEK
  bas: "3920"
2024-01-01 open Assets:Kafe:1930-Företagskonto SEK
  bas: "1930"
2024-01-01 open Equity:Kafe:2083-Medlemsinsatser SEK
  bas: "2083"
2024-01-01 open Income:Kafe:3001-Försäljning-25 SEK
  bas: "3001"
2024-01-01 open Expenses:Kafe:4010-Inköp SEK
  bas: "4010"
2024-01-01 open Expenses:Kafe:6550-Tjänsteavgift-paraplyet SEK
  bas: "6550"
2024-01-01 open Assets:Fonden:1930-Företagskonto SEK
  bas: "1930"
2024-01-01 open Equity:Fonden:2083-Medlemsinsatser-fonden SEK
  bas: "2083"
2024-01-02 * "Insatser"
  Assets:Kafe:1930-Företagskonto  1000.00 SEK
  Equity:Kafe:2083-Medlemsinsatser  -1000.00 SEK
  Assets:Paraply:1930-Företagskonto  5000.00 SEK
  Equity:Paraply:2083-Medlemsinsatser  -5000.00 SEK
  Assets:Fonden:1930-Företagskonto  700.00 SEK
  Equity:Fonden:2083-Medlemsinsatser-fonden  -700.00 SEK
2024-06-01 * "Kund" "Försäljning"
  Assets:Kafe:1930-Företagskonto  300.00 SEK
  Income:Kafe:3001-Försäljning-25  -300.00 SEK
2025-02-03 * "Grossisten AB" "Kaffebönor, betalt av paraplyet"
  ver: "Kafe:A-2025-0001 Paraply:A-2025-0001"
  Expenses:Kafe:4010-Inköp  800.00 SEK
  Assets:Paraply:1930-Företagskonto  -800.00 SEK
2025-03-31 * "Tjänsteavgift mars"
  Expenses:Kafe:6550-Tjänsteavgift-paraplyet  150.00 SEK
  Income:Paraply:3920-Tjänsteavgifter-medlemmar  -150.00 SEK
2025-04-01 * "Kund" "Försäljning"
  Assets:Kafe:1930-Företagskonto  2000.00 SEK
  Income:Kafe:3001-Försäljning-25  -2000.00 SEK
"""


@pytest.fixture(scope="module")
def books() -> Books:
    loaded = load_text(LEDGER)
    assert loaded.errors == []
    return loaded


def test_member_export_is_strict_sie(books: Books) -> None:
    result = export_sie(books, "Kafe", 2025, generated=datetime.date(2026, 1, 15))
    raw = result.content
    assert raw.count(b"\r\n") == raw.count(b"\n")
    lines = raw.decode("cp437").split("\r\n")
    assert lines[:2] == ["#FLAGGA 0", "#KSUMMA"]
    for expected in ("#FORMAT PC8", "#FTYP EK", "#ORGNR 769612-3459", "#SIETYP 4",
                     "#GEN 20260115", "#RAR 0 20250101 20251231", "#RAR -1 20240101 20241231",
                     '#FNAMN "Kafé Linnéa"', '#KONTO 1930 "Företagskonto"', "#KTYP 1930 T",
                     "#KTYP 3001 I", "#KTYP 4010 K", "#UB 0 1930 3300.00",
                     "#IB 0 1930 1300.00", "#RES 0 3001 -2000.00", "#RES -1 3001 -300.00",
                     "#IB 0 2091 -300.00", "#VER A 1 20250203 "
                     '"Grossisten AB: Kaffebönor, betalt av paraplyet"'):
        assert expected in lines, expected
    sie = parse_sie(raw)
    assert sie.errors == []
    assert sie.checksum is not None
    assert sie.checksum[0] == sie.checksum[1]
    assert balance_differences(sie) == []
    assert [(v.series, v.number) for v in sie.vouchers] == [("A", "1"), ("A", "2"), ("A", "3")]
    assert any("no voucher number" in w for w in result.warnings)
    assert all(v.total == 0 for v in sie.vouchers)


def test_4i_holds_vouchers_only(books: Books) -> None:
    sie = parse_sie(export_sie(books, "Kafe", 2025, kind="4I").content)
    assert sie.kind == "4I"
    assert sie.balances == ()
    assert len(sie.vouchers) == 3


def test_umbrella_with_members_as_dimension_1(books: Books) -> None:
    result = export_sie(books, "Paraply", 2025, consolidated=True)
    sie = parse_sie(result.content)
    assert sie.errors == []
    assert sie.checksum is not None
    assert sie.checksum[0] == sie.checksum[1]
    assert sie.dimensions[1].name == "Resultatenhet"
    assert sie.objects == {(1, "Paraply"): "Paraplyet ekonomisk förening",
                           (1, "Kafe"): "Kafé Linnéa"}
    assert all(v.total == 0 for v in sie.vouchers)
    assert balance_differences(sie) == []
    result_per_object: defaultdict[str, Decimal] = defaultdict(Decimal)
    for voucher in sie.vouchers:
        for row in voucher.rows:
            assert len(row.objects) == 1
            assert row.objects[0][0] == 1
            if row.account[0] not in "12":
                result_per_object[row.objects[0][1]] += row.amount
    # Kafe: 800 + 150 - 2000 = -1050 (a profit); Paraply: -150.
    assert dict(result_per_object) == {"Kafe": Decimal("-1050.00"),
                                       "Paraply": Decimal("-150.00")}
    # The clearing accounts between umbrella and member net out in the merged 1660.
    assert sie.balances_of("UB").get("1660", Decimal(0)) == 0
    # The fund is a legal entity of its own: its 700 stay out.
    assert sie.balances_of("UB")["1930"] == Decimal("1000") + 300 + 2000 + 5000 - 800


def test_member_cannot_be_exported_with_dims(books: Books) -> None:
    with pytest.raises(CoopException, match="only the umbrella"):
        export_sie(books, "Kafe", 2025, consolidated=True)


def test_accounts_without_bas_are_listed_not_guessed() -> None:
    books = load_text(HEADER + """
2025-01-01 custom "coop-entity" "Kafe"
  name: "Kafé"
  kind: "member"
2025-01-01 open Assets:Kafe:Bank SEK
2025-01-01 open Income:Kafe:Sales SEK
2025-01-01 open Expenses:Kafe:Unused SEK
2025-01-05 * "Sale"
  Assets:Kafe:Bank  10.00 SEK
  Income:Kafe:Sales
""")
    with pytest.raises(CoopException, match=r"2 account\(s\) have no BAS number .*: "
                       r"Assets:Kafe:Bank, Income:Kafe:Sales$"):
        export_sie(books, "Kafe", 2025)
    sie = parse_sie(export_sie(books, "Kafe", 2025, fallback_bas="1999").content)
    assert sie.balances_of("UB") == {"1999": Decimal(0)} or sie.balances_of("UB") == {}


def ledger_balances(books: Books, code: str, end: datetime.date,
                     start: datetime.date) -> tuple[dict[str, Decimal], dict[str, Decimal]]:
    """(BAS -> closing balance of balance accounts, BAS -> result in [start, end]).

    Results are the year's own: a year-end close's transfer of the result to equity (the
    per-account postings in coopledger's books, one 8999 row in SIE) is left out.
    """
    closing: defaultdict[str, Decimal] = defaultdict(Decimal)
    results: defaultdict[str, Decimal] = defaultdict(Decimal)
    for entry in books.transactions:
        if entry.date > end:
            continue
        year_end = YEAR_END_TAG in (entry.tags or ())
        for posting in entry.postings:
            if posting.account.split(":")[1] != code:
                continue
            bas = clearing_bas(books, posting.account) or books.bas(posting.account) or "?"
            if entry.date >= start and (bas == "8999" or (
                    year_end and posting.account.startswith(("Income:", "Expenses:")))):
                continue
            assert posting.units is not None
            assert posting.units.number is not None
            amount: Decimal = posting.units.number
            if posting.account.split(":")[0] in ("Assets", "Liabilities", "Equity"):
                closing[bas] += amount
            elif entry.date >= start:
                results[bas] += amount
            else:
                closing["2091"] += amount  # an earlier year's result, carried to equity
    return ({k: v for k, v in closing.items() if v}, {k: v for k, v in results.items() if v})


def monthly_movements(books: Books, year: int) -> dict[tuple[int, str], Decimal]:
    """(month, BAS) -> movement within the year, opening-balance entries left out."""
    totals: defaultdict[tuple[int, str], Decimal] = defaultdict(Decimal)
    for entry in books.transactions:
        if entry.date.year != year or entry.meta.get("sie-source") == "IB":
            continue
        for posting in entry.postings:
            assert posting.units is not None
            assert posting.units.number is not None
            totals[(entry.date.month, books.bas(posting.account) or "?")] += \
                posting.units.number
    return {k: v for k, v in totals.items() if v}


def reimport(content: bytes, code: str) -> Books:
    imported = import_sie(parse_sie(content), code, declare=True)
    assert imported.differences == ()
    books = load_text(HEADER + imported.text)
    assert books.errors == [], [e.message for e in books.errors]
    return books


def test_export_then_import_gives_the_same_balances(books: Books) -> None:
    again = reimport(export_sie(books, "Kafe", 2025).content, "Kafe")
    start, end = datetime.date(2025, 1, 1), datetime.date(2025, 12, 31)
    assert ledger_balances(again, "Kafe", end, start) == ledger_balances(books, "Kafe", end,
                                                                           start)


def test_sie_to_books_to_sie_keeps_the_vouchers() -> None:
    original = read_sie(fixture_path("sie", "typ4.se"))
    imported = import_sie(original, "Ovn", declare=True)
    assert imported.differences == ()
    books = load_text(HEADER + imported.text)
    assert books.errors == []
    again = parse_sie(export_sie(books, "Ovn", 2012).content)

    def shape(sie: object) -> list[tuple[object, ...]]:
        return [(v.series, v.number, v.date, v.text,
                 sorted((r.account, r.amount) for r in v.rows))
                for v in sie.vouchers]  # type: ignore[attr-defined]

    assert sorted(shape(again)) == sorted(shape(original))  # the export is in date order
    for kind in ("IB", "UB", "RES"):
        assert {a: v for a, v in again.balances_of(kind).items() if v} == {
            a: v for a, v in original.balances_of(kind).items() if v}


def test_account_names_follow_the_chart_pattern() -> None:
    assert account_component("1060", "Hyresrätter, tomträtter, etc") == \
        "1060-Hyresrätter-tomträtter-etc"
    assert account_component("1011", "Bal utgifter forskning/utveckling") == \
        "1011-Bal-utgifter-forskning-utveckling"
    assert account_component("2099", "") == "2099"


ACCOUNTS = [("Assets:Kafe:1930-Företagskonto", "1930"), ("Liabilities:Kafe:2440-Skulder", "2440"),
            ("Equity:Kafe:2083-Medlemsinsatser", "2083"), ("Income:Kafe:3001-Försäljning", "3001"),
            ("Expenses:Kafe:4010-Inköp", "4010"), ("Expenses:Kafe:6570-Bank", "6570")]


@st.composite
def balanced_ledgers(draw: st.DrawFn) -> str:
    lines = [HEADER, '2024-01-01 custom "coop-entity" "Kafe"\n  name: "Kafé"\n'
             '  kind: "member"\n']
    for account, bas in ACCOUNTS:
        lines.append(f'2024-01-01 open {account} SEK\n  bas: "{bas}"\n')
    count = draw(st.integers(min_value=1, max_value=8))
    for _ in range(count):
        day = datetime.date(2024, 1, 1) + datetime.timedelta(
            days=draw(st.integers(min_value=0, max_value=729)))
        chosen = draw(st.lists(st.sampled_from([a for a, _ in ACCOUNTS]), min_size=2,
                               max_size=4, unique=True))
        amounts = [Decimal(draw(st.integers(min_value=-10**7, max_value=10**7))).scaleb(-2)
                   for _ in chosen[:-1]]
        amounts.append(-sum(amounts, Decimal(0)))
        text = draw(st.text(alphabet="abcåäö ÅÄÖ\"-", max_size=12))
        quoted = text.replace('"', '\\"')
        body = "\n".join(f"  {a}  {n} SEK" for a, n in zip(chosen, amounts, strict=True))
        lines.append(f'{day} * "{quoted}"\n{body}\n')
    return "\n".join(lines)


@settings(max_examples=25)
@given(balanced_ledgers())
def test_round_trip_random_ledgers(text: str) -> None:
    books = load_text(text)
    assert books.errors == []
    for year in (2024, 2025):
        content = export_sie(books, "Kafe", year).content
        sie = parse_sie(content)
        assert sie.errors == []
        assert balance_differences(sie) == []
        if not sie.vouchers and not sie.balances:
            # An empty year: importing it is refused, never an empty result.
            with pytest.raises(CoopException, match="nothing to import"):
                reimport(content, "Kafe")
            continue
        again = reimport(content, "Kafe")
        start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        assert ledger_balances(again, "Kafe", end, start) == ledger_balances(
            books, "Kafe", end, start)
        assert monthly_movements(again, year) == monthly_movements(books, year)


def test_command_line_export_and_import(tmp_path: Path) -> None:
    ledger = tmp_path / "main.beancount"
    ledger.write_text(LEDGER, encoding="utf-8")
    out = tmp_path / "kafe.se"
    assert main(["sie", "export", str(ledger), "--entity", "Kafe", "--year", "2025",
                 "-o", str(out)]) == 0
    assert read_sie(out).errors == []
    target = tmp_path / "imported.beancount"
    assert main(["sie", "import", str(out), "--entity", "Nytt", "--declare",
                 "-o", str(target)]) == 0
    assert 'custom "coop-entity" "Nytt"' in target.read_text(encoding="utf-8")
    assert main(["sie", "import", str(out), "--entity", "Nytt", "-o", str(target)]) == 2
    assert main(["sie", "export", str(ledger), "--entity", "Nope", "--year", "2025"]) == 2


def test_import_refuses_a_file_with_errors() -> None:
    with pytest.raises(CoopException, match=r"error\(s\), nothing imported: line 3905: "
                       r"voucher B 1"):
        import_sie(read_sie(fixture_path("sie", "transaktioner_ovnbolag-bad-balance.se")),
                   "Ovn")


SIE_ACCOUNTS = {"1930": "T", "2440": "S", "2083": "S", "3001": "I", "4010": "K", "6570": "K"}


@st.composite
def sie_files(draw: st.DrawFn) -> bytes:
    """A random, consistent SIE 4E file written by hand (not by the writer under test)."""
    lines = ["#FLAGGA 0", "#FORMAT PC8", "#SIETYP 4", '#FNAMN "Gamla böcker AB"',
             "#RAR 0 20250101 20251231"]
    for acct, kind in SIE_ACCOUNTS.items():
        lines += [f'#KONTO {acct} "Konto {acct}"', f"#KTYP {acct} {kind}"]
    money = st.integers(min_value=-10**6, max_value=10**6).map(lambda n: Decimal(n).scaleb(-2))
    opening = {"1930": draw(money), "2440": draw(money)}
    opening["2083"] = -opening["1930"] - opening["2440"]
    closing = dict(opening)
    results: dict[str, Decimal] = {}
    body = []
    for number in range(1, draw(st.integers(min_value=0, max_value=6)) + 1):
        series = draw(st.sampled_from(["A", "B", "1"]))
        day = datetime.date(2025, 1, 1) + datetime.timedelta(days=draw(st.integers(0, 364)))
        text = draw(st.text(alphabet='abc åäöÅÄÖé"-', max_size=10)).replace('"', '\\"')
        accounts = draw(st.lists(st.sampled_from(sorted(SIE_ACCOUNTS)), min_size=2,
                                 max_size=4))
        amounts = [draw(money) for _ in accounts[:-1]]
        amounts.append(-sum(amounts, Decimal(0)))
        body += [f'#VER {series} {number} {day:%Y%m%d} "{text}"', "{"]
        for account, amount in zip(accounts, amounts, strict=True):
            body.append(f"   #TRANS {account} {{}} {amount}")
            target = closing if account < "3" else results
            target[account] = target.get(account, Decimal(0)) + amount
        body.append("}")
    lines += [f"#IB 0 {a} {v}" for a, v in opening.items()]
    lines += [f"#UB 0 {a} {v}" for a, v in closing.items()]
    lines += [f"#RES 0 {a} {v}" for a, v in results.items()]
    return ("\r\n".join(lines + body) + "\r\n").encode("cp437")


def _vouchers(sie: object) -> list[tuple[object, ...]]:
    return sorted((v.series, v.number, v.date, v.text, sorted((r.account, r.amount)
                                                                for r in v.rows))
                  for v in sie.vouchers)  # type: ignore[attr-defined]


@settings(max_examples=25)
@given(sie_files())
def test_round_trip_random_sie_files(content: bytes) -> None:
    original = parse_sie(content)
    assert original.errors == []
    assert balance_differences(original) == []
    books = reimport(content, "Gamla")
    again = parse_sie(export_sie(books, "Gamla", 2025).content)
    assert again.errors == []
    assert _vouchers(again) == _vouchers(original)
    for kind in ("IB", "UB", "RES"):
        assert {a: v for a, v in again.balances_of(kind).items() if v} == {
            a: v for a, v in original.balances_of(kind).items() if v}


def test_command_line_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                          ) -> None:
    truncated = tmp_path / "cut.se"
    truncated.write_bytes(b'#FLAGGA 0\r\n#SIETYP 4\r\n#VER A 1 20250101 "x"\r\n{\r\n'
                          b"#TRANS 1930 {} 5\r\n")
    target = tmp_path / "out.beancount"
    assert main(["sie", "import", str(truncated), "--entity", "Kafe", "-o", str(target)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith(f"coopledger sie: {truncated}: the SIE file has 2 error(s), "
                             "nothing imported: line 3: voucher A 1 of 2025-01-01 does not "
                             "balance")
    assert not target.exists()
    bad_books = tmp_path / "bad.beancount"
    bad_books.write_text(HEADER + "2025-01-01 open Assets:Nobody:1930-Bank SEK\n",
                         encoding="utf-8")
    assert main(["sie", "export", str(bad_books), "--entity", "Kafe", "--year", "2025"]) == 1
    assert "nothing exported" in capsys.readouterr().err


def test_import_into_an_entity_that_already_has_accounts(books: Books) -> None:
    content = export_sie(books, "Kafe", 2025).content
    existing = {b: a for a in books.accounts_of("Kafe") if (b := books.bas(a)) is not None}
    imported = import_sie(parse_sie(content), "Kafe", existing=existing)
    assert "open Assets:Kafe:1930-Företagskonto" not in imported.text
    assert "open Equity:Kafe:2091-Balanserad-vinst-eller-förlust" in imported.text
    assert imported.differences == ()
    # The text loads on top of the books that already open the entity's accounts.
    both = load_text(LEDGER + imported.text)
    assert both.errors == []
    assert len(both.transactions) > len(books.transactions)


def independent_ksumma(content: bytes) -> tuple[int, int]:
    """(declared, computed) #KSUMMA by a separate, naive reading of the file."""
    crc, declared, inside = 0, -1, False
    for line in content.decode("cp437").split("\r\n"):
        fields: list[str] = []
        for match in re.finditer(r'"((?:\\"|[^"])*)"|([^\s"{}]+)', line):
            fields.append(match.group(1).replace('\\"', '"') if match.group(1) is not None
                          else match.group(2))
        if not fields:
            continue
        if fields[0] == "#KSUMMA":
            if inside:
                declared = int(fields[1])
                break
            inside = True
            continue
        if inside:
            crc = zlib.crc32("".join(fields).encode("cp437"), crc)
    return declared, crc


def test_checksum_verifies_independently(books: Books) -> None:
    for code, consolidated in (("Kafe", False), ("Paraply", True)):
        declared, computed = independent_ksumma(
            export_sie(books, code, 2025, consolidated=consolidated).content)
        assert declared == computed
    norstedts = fixture_path("sie", "Norstedts_Bokslut_SIE_4I.si").read_bytes()
    assert independent_ksumma(norstedts.replace(b"\n", b"\r\n")) == (1573150874, 1573150874)


def test_amount_finer_than_ore_names_the_transaction() -> None:
    books = load_text(HEADER + """
2025-01-01 custom "coop-entity" "Kafe"
  name: "Kafé"
  kind: "member"
2025-01-01 open Assets:Kafe:1930-Bank SEK
  bas: "1930"
2025-01-01 open Income:Kafe:3001-Sales SEK
  bas: "3001"
2025-01-05 * "Sale"
  Assets:Kafe:1930-Bank  10.005 SEK
  Income:Kafe:3001-Sales
""")
    with pytest.raises(CoopException, match=r"<string>:\d+: amount 10.005 on BAS 1930 is "
                       r"finer than öre"):
        export_sie(books, "Kafe", 2025)
