"""The command line: exit codes, one-line errors, report formats, atomic new-coop."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from coopledger.books import load_books
from coopledger.cli import main
from coopledger.periods import parse_period
from coopledger.statements import income_statement

EXAMPLE = Path(__file__).resolve().parent.parent / "ledgers" / "example"


@pytest.fixture
def example(tmp_path: Path) -> Path:
    """A private copy of the example books."""
    target = tmp_path / "example"
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns("*.picklecache"))
    return target / "main.beancount"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_check_passes_on_the_example(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(EXAMPLE / "main.beancount")]) == 0
    assert "no errors" in capsys.readouterr().err


def test_check_prints_file_line_and_fails(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    ledger = tmp_path / "bad.beancount"
    ledger.write_text('option "operating_currency" "SEK"\nplugin "coopledger.plugins.entities"\n'
                      '2025-01-01 custom "coop-entity" "Kafe"\n  kind: "member"\n',
                      encoding="utf-8")
    assert main(["check", str(ledger)]) == 1
    out = capsys.readouterr().out
    assert f"{ledger}:3: coop-entity Kafe: name: missing" in out


def test_check_warns_when_the_plugin_is_missing(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    ledger = tmp_path / "plain.beancount"
    ledger.write_text('option "operating_currency" "SEK"\n', encoding="utf-8")
    assert main(["check", str(ledger)]) == 1
    assert 'plugin "coopledger.plugins.entities"' in capsys.readouterr().out


def test_missing_ledger_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "/nonexistent/main.beancount"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "no such ledger file" in err


def test_report_json_matches_the_library(capsys: pytest.CaptureFixture[str]) -> None:
    path = EXAMPLE / "main.beancount"
    assert main(["report", str(path), "--entity", "Kafe", "--period", "2025",
                 "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    expected = income_statement(load_books(path), "Kafe", parse_period("2025"))
    assert Decimal(document["income_statement"]["result"]) == expected.result
    assert document["balance_sheet"]["total_assets"] == \
        document["balance_sheet"]["total_equity_and_liabilities"]


def test_report_csv_lines_sum_to_the_result(capsys: pytest.CaptureFixture[str]) -> None:
    path = EXAMPLE / "main.beancount"
    assert main(["report", str(path), "--period", "2026-Q1", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    result = sum(Decimal(r["amount"]) for r in rows
                 if r["statement"] == "resultat" and r["row"] == "account")
    expected = income_statement(load_books(path), None, parse_period("2026-Q1")).result
    assert result == expected
    assert not any(r["bas"] == "1660" for r in rows)  # clearing eliminated


def test_report_text_and_bad_period(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(EXAMPLE / "main.beancount")
    assert main(["report", path, "--entity", "Stad", "--period", "2025-10"]) == 0
    assert "Resultaträkning Stad 2025-10" in capsys.readouterr().out
    assert main(["report", path, "--period", "oktober"]) == 2
    assert main(["report", path, "--entity", "Bageri"]) == 2
    assert "unknown entity 'Bageri'" in capsys.readouterr().err


def test_new_coop_writes_file_and_include(example: Path) -> None:
    assert main(["new-coop", str(example), "Bageri", "--name", "Bageriet Surdegen",
                 "--orgnr", "7696789010", "--start", "2026-11-01"]) == 0
    books = load_books(example)
    assert books.errors == []
    assert books.entities["Bageri"].orgnr == "769678-9010"
    assert books.entities["Bageri"].legal_form == "separate"
    assert "Assets:Bageri:1930-Företagskonto" in books.opens
    assert books.bas("Expenses:Bageri:7010-Löner-kollektivanställda") == "7010"
    assert example.read_text(encoding="utf-8").endswith('include "coops/bageri.beancount"\n')


@pytest.mark.parametrize(("args", "message"), [
    (["Kafe", "--name", "Dubblett"], "entity Kafe already exists"),
    (["bageri", "--name", "x"], "must be ASCII"),
    (["Bageri", "--name", "x", "--orgnr", "123"], "not a valid Swedish organisation number"),
])
def test_new_coop_refuses_and_writes_nothing(example: Path, args: list[str], message: str,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot(example.parent)
    assert main(["new-coop", str(example), *args]) == 2
    assert message in capsys.readouterr().err
    assert snapshot(example.parent) == before


def test_new_coop_is_all_or_nothing(example: Path, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot(example.parent)
    real_replace = os.replace
    calls = []

    def failing_replace(src: str, dst: str) -> None:
        calls.append(dst)
        if len(calls) == 2:  # the second file fails after the first was replaced
            raise OSError(28, "No space left on device", dst)
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", failing_replace)
    monkeypatch.setenv("COOPLEDGER_CACHE_DIR", "off")  # counts the command's own files only
    assert main(["new-coop", str(example), "Bageri", "--name", "B"]) == 2
    assert "nothing was changed" in capsys.readouterr().err
    assert snapshot(example.parent) == before
