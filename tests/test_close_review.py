"""Review before seal: a month holding ``!`` entries or a suspense balance is not sealed
unless someone accepts it, and the seal then records who accepted what and why."""

from __future__ import annotations

import datetime
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from coopledger.books import load_books
from coopledger.cli import main as cli
from coopledger.close import MonthState, close_month, close_status
from coopledger.errors import CoopException
from coopledger.fava_ext.close_view import close_view
from coopledger.periods import parse_period
from coopledger.seals import accepted_items, read_seals
from tests.test_close_month import SAMPLE, snapshot, write_ledger

EXAMPLE = Path(__file__).resolve().parent.parent / "ledgers" / "example"
OBS = "Liabilities:Kafe:2999-OBS-konto"
HELD = "Liabilities:Stad:2890-Ej-utredda-inbetalningar"


def add_review_items(main: Path) -> None:
    """January gets a ``!`` entry (money on Kafe's OBS account) and a flagged posting."""
    with main.open("a", encoding="utf-8") as handle:
        handle.write(f'2025-01-01 open {OBS} SEK\n  bas: "2999"\n'
                     f"2025-01-01 open {HELD} SEK\n  bas: \"2890\"\n  suspense: TRUE\n"
                     'include "review.beancount"\n')
    (main.parent / "review.beancount").write_text(
        '2025-01-20 ! "Okänd" "Inbetalning \\"utan\\" referens"\n'
        "  Assets:Kafe:1930-Företagskonto  500.00 SEK\n"
        f"  {OBS}  -500.00 SEK\n"
        '2025-01-21 * "Okänd" "Inbetalning"\n'
        "  Assets:Stad:1930-Företagskonto  40.00 SEK\n"
        f"  ! {HELD}  -40.00 SEK\n", encoding="utf-8")
    extra = {"Kafe": Decimal(500), "Stad": Decimal(40)}
    banks = main.parent / "banks.beancount"
    rows = []
    for row in banks.read_text(encoding="utf-8").splitlines():
        date, _, account, amount, currency = row.split()
        amount = f"{Decimal(amount) + extra.get(account.split(':')[1], Decimal(0)):.2f}"
        rows.append(" ".join((date, "balance", account, amount, currency)))
    banks.write_text("\n".join(rows) + "\n", encoding="utf-8")


def test_a_month_awaiting_review_is_not_sealed_and_each_item_is_named(tmp_path: Path) -> None:
    main = write_ledger(tmp_path, SAMPLE)
    add_review_items(main)
    assert load_books(main).errors == []
    before = snapshot(tmp_path)
    report = close_month(main, "2025-01")
    assert report.status == "failed"
    review = next(c for c in report.checks if c.name == "review")
    assert not review.ok
    assert all(c.ok for c in report.checks if c.name != "review")
    assert review.details[0].endswith('review.beancount:1: 2025-01-20 ! Okänd Inbetalning '
                                      '"utan" referens')
    assert "review.beancount:4: 2025-01-21 ! Okänd Inbetalning" in review.details[1]
    assert review.details[2:] == [f"{OBS}: -500.00 SEK at 2025-02-01",
                                  f"{HELD}: -40.00 SEK at 2025-02-01"]
    assert any("--accept" in line for line in report.failure)
    assert snapshot(tmp_path) == before


def test_accept_seals_and_the_seal_records_who_accepted_what(tmp_path: Path) -> None:
    main = write_ledger(tmp_path, SAMPLE)
    add_review_items(main)
    report = close_month(main, "2025-01", accept="bankens rader utreds i februari",
                         accepted_by="Anna Berg")
    assert report.status == "closed", report.failure
    assert report.acceptance is not None
    books = load_books(main)
    assert books.errors == []
    seal = read_seals(books.entries)[0]["2025-01"]
    assert seal.accepted_by == "Anna Berg"
    assert seal.accepted_reason == "bankens rader utreds i februari"
    items = accepted_items(seal)
    assert items == list(report.acceptance.items)
    assert len(items) == 4
    assert items[0].endswith('Inbetalning "utan" referens')
    # the board pack shows the acceptance, in HTML and CSV
    pack = tmp_path / "boardpack" / "2025-01"
    assert "Accepterad av Anna Berg: bankens rader utreds i februari" in (
        pack / "index.html").read_text(encoding="utf-8")
    csv = (pack / "checks.csv").read_text(encoding="utf-8")
    assert "review;accepted;" in csv
    assert "Anna Berg: bankens rader" in csv
    # the close status (and so the close page) shows it for the sealed month
    january = next(s for s in close_status(books) if s.month == "2025-01")
    assert january.state is MonthState.SEALED
    assert [c.accepted for c in january.checks] == [
        "Anna Berg: bankens rader utreds i februari"]
    assert january.checks[0].details == items
    view = close_view(close_status(books), {}, parse_period("2025"))
    shown = next(m for m in view.months if m.month == "2025-01")
    assert (shown.failed, shown.accepted) == (0, 1)


def test_accept_does_not_pass_any_other_check(tmp_path: Path) -> None:
    main = write_ledger(tmp_path, SAMPLE, assertions=False)
    add_review_items(main)
    (tmp_path / "banks.beancount").write_text("", encoding="utf-8")
    before = snapshot(tmp_path)
    report = close_month(main, "2025-01", accept="ok", accepted_by="Anna Berg")
    assert report.status == "failed"
    assert any(line.startswith("bank: ") for line in report.failure)
    assert snapshot(tmp_path) == before


def test_accept_needs_a_reason(tmp_path: Path) -> None:
    main = write_ledger(tmp_path, SAMPLE)
    add_review_items(main)
    with pytest.raises(CoopException, match="needs a reason"):
        close_month(main, "2025-01", accept="  ", accepted_by="Anna Berg")


def test_command_line_accept(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main = write_ledger(tmp_path, SAMPLE)
    add_review_items(main)
    assert cli(["close", str(main), "2025-01"]) == 1
    assert "FAIL Nothing awaits review" in capsys.readouterr().out
    assert cli(["close", str(main), "2025-01", "--accept", "utreds", "--by", "Anna"]) == 0
    out = capsys.readouterr().out
    assert "ACCEPTED Nothing awaits review" in out
    assert "accepted by Anna: utreds" in out


def test_example_books_next_month_with_an_obs_payment_is_held_for_review(
        tmp_path: Path) -> None:
    """On a copy of the example books: a payment left on 2999 in the next month to close."""
    books_dir = tmp_path / "example"
    shutil.copytree(EXAMPLE, books_dir, ignore=shutil.ignore_patterns("*.picklecache"))
    main = books_dir / "main.beancount"
    books = load_books(main)
    state = {s.month: s for s in close_status(books, with_checks=False)}
    month = next(m for m, s in sorted(state.items()) if s.state is not MonthState.SEALED)
    year, number = int(month[:4]), int(month[5:])
    day = datetime.date(year, number, 15)
    obs = "Liabilities:Kafe:2999-OBS-konto"
    opened = obs in books.opens
    text = "" if opened else f'2025-01-01 open {obs} SEK\n  bas: "2999"\n'
    text += (f'{day} ! "Okänd" "Inbetalning"\n  Assets:Kafe:1930-Företagskonto  1.00 SEK\n'
             f"  {obs}  -1.00 SEK\n")
    (books_dir / "obs.beancount").write_text(text, encoding="utf-8")
    with main.open("a", encoding="utf-8") as handle:
        handle.write('include "obs.beancount"\n')
    from coopledger.close.preflight import check_review
    from coopledger.seals import month_bounds

    start, end = month_bounds(month)
    review = check_review(load_books(main), start, end)
    assert not review.ok
    assert any(line.endswith("! Okänd Inbetalning") for line in review.details)
    assert f"{obs}: -1.00 SEK at {end}" in review.details
